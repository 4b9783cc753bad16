/**
 * The support policy a vendor writes: severities, case reasons, calendars, plans and their
 * response objectives, add-ons, tiers and the management chain. One zod schema is the
 * single source of truth: it validates files, types the code and is exported as JSON Schema.
 */

import { IANAZone } from 'luxon';
import { z } from 'zod';
import { holidayRegionProblem } from '../calendar/holidays';
import { LIMITS } from '../limits';
import { NOTIFICATION_KINDS, TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from '../notifications/templates';
import { IntegrationSchema } from '../webhooks/integrations';
import { parseDuration } from './duration';
import { EMAIL_ADDRESS, TIER_ENTRIES, TIER_REQUIREMENTS, WEEKDAYS, type Weekday } from './vocabulary';

export { EMAIL_ADDRESS, TIER_ENTRIES, TIER_REQUIREMENTS, WEEKDAYS, type Weekday };

const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "-", "_" or "." (no spaces)')
  // Ids end up in queue names and index keys; the item budget (core/limits.ts) counts on this.
  .max(LIMITS.id, `at most ${LIMITS.id} characters`)
  .describe('A short identifier other parts of the policy refer to.');

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use HH:MM between 00:00 and 24:00');

/** One opening range of a day, e.g. ["09:00", "17:00"]; "24:00" means the end of the day. */
const DayRange = z
  .tuple([TimeOfDay, TimeOfDay])
  .refine(([from, to]) => from < to, 'the range must end after it starts')
  .describe('An opening range [from, to] in local time; "24:00" is the end of the day.');

const WeeklyHours = z
  .object(Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(DayRange).optional()])) as Record<Weekday, z.ZodOptional<z.ZodArray<typeof DayRange>>>)
  .strict()
  .superRefine((week, ctx) => {
    for (const day of WEEKDAYS) {
      const ranges = [...(week[day] ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (let i = 1; i < ranges.length; i++) {
        if (ranges[i]![0] < ranges[i - 1]![1]) {
          ctx.addIssue({ code: 'custom', path: [day], message: 'opening ranges of one day overlap' });
        }
      }
    }
  })
  .describe('Opening hours per weekday; a day left out is closed. Several ranges a day are allowed.');

const HolidayDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'not a calendar date');

export const HOLIDAY_TYPES = ['public', 'bank', 'school', 'optional', 'observance'] as const;

const Holidays = z
  .object({
    country: z.string().describe('ISO 3166 country code understood by date-holidays, e.g. "US", "DE".').optional(),
    state: z.string().describe('State or province code within the country, e.g. "CA", "BY".').optional(),
    region: z.string().describe('Region code within the state.').optional(),
    types: z.array(z.enum(HOLIDAY_TYPES)).min(1).default(['public']).describe('Which kinds of date-holidays entries close the calendar.'),
    dates: z
      .array(z.union([HolidayDate, z.object({ date: HolidayDate, name: z.string() }).strict()]))
      .default([])
      .describe('Further closed dates (local), e.g. a company holiday.'),
  })
  .strict()
  .superRefine((holidays, ctx) => {
    if (!holidays.country) {
      if (holidays.state || holidays.region) {
        ctx.addIssue({ code: 'custom', path: ['country'], message: 'state or region given without a country' });
      }
      return;
    }
    const problem = holidayRegionProblem(holidays.country, holidays.state, holidays.region);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

export const CalendarSchema = z
  .object({
    id: Id,
    name: z.string().optional(),
    timeZone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. "Europe/Berlin")')
      .describe('IANA time zone the hours and holidays are read in.'),
    alwaysOpen: z.boolean().default(false).describe('24/7: open every minute of every day, holidays included.'),
    hours: WeeklyHours.optional(),
    holidays: Holidays.optional(),
    businessDay: z.string().optional().describe('Length of one business day, e.g. "8h"; needed when a target on this calendar uses "bd".'),
    notes: z.string().optional(),
  })
  .strict()
  .superRefine((calendar, ctx) => {
    if (calendar.alwaysOpen && (calendar.hours || calendar.holidays)) {
      ctx.addIssue({ code: 'custom', path: ['alwaysOpen'], message: 'an always-open calendar has no hours or holidays' });
    }
    if (!calendar.alwaysOpen) {
      const open = WEEKDAYS.some((day) => (calendar.hours?.[day]?.length ?? 0) > 0);
      if (!open) ctx.addIssue({ code: 'custom', path: ['hours'], message: 'the calendar is never open: give hours or alwaysOpen: true' });
    }
    if (calendar.businessDay !== undefined) {
      const parsed = parseDuration(calendar.businessDay);
      if (!parsed.ok || parsed.businessDays) {
        ctx.addIssue({ code: 'custom', path: ['businessDay'], message: 'use a length in hours/minutes such as "8h"' });
      }
    }
  });

const DurationText = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseDuration(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .describe('A target such as "30m", "4h", "1h30m" or "2bd" (business days of the calendar).');

/** A response or resolution objective: how long, measured on which calendar. */
const Target = z
  .object({
    within: DurationText,
    calendar: Id.optional().describe("Calendar id; defaults to the plan's calendar."),
    notes: z.string().optional(),
  })
  .strict();

/** A periodic objective: an agent's public update owed `every` so long, measured on a calendar. */
const StatusUpdateTarget = z
  .object({
    every: DurationText,
    calendar: Id.optional().describe("Calendar id; defaults to the plan's calendar."),
    notes: z.string().optional(),
  })
  .strict();

const SeverityObjectives = z
  .object({
    firstResponse: Target.optional().describe('First response by an agent after the case is opened.'),
    nextResponse: Target.optional().describe('Next response / periodic update: while the customer waits on the vendor, at most this long between public replies.'),
    resolution: z.record(Id, Target).optional().describe('Target resolution time per tier id; when it passes the case moves up a tier.'),
    statusUpdate: StatusUpdateTarget.optional().describe(
      'Regular status reports: once an agent has answered, a public agent update is owed every this long while the case ' +
        'is open (paused while it waits on the customer, stopped when it is resolved); each reply starts the next interval.',
    ),
  })
  .strict();

/** What an add-on changes beyond the calendar; the code acts on each (core/entitlement.ts). */
export const ADD_ON_GRANTS = ['priorityUpdates'] as const;

const Tier = z
  .object({
    id: Id,
    name: z.string(),
    operatedBy: z.enum(['vendor', 'partner']).default('vendor'),
    team: z.string().describe('Team (queue) that works cases at this tier.'),
    description: z.string().optional(),
    responsibilities: z.array(z.string()).default([]),
    entryRequires: z.array(z.enum(TIER_REQUIREMENTS)).default([]).describe('What a case must carry before it may enter this tier.'),
    enteredBy: z
      .array(z.enum(TIER_ENTRIES))
      .min(1)
      .default(['timer', 'manual'])
      .describe(
        'How a case may enter this tier: "timer" when the target resolution time of the tier below passes, ' +
          '"manual" by an agent\'s escalation. Without "timer" a missed target is recorded and the case stays.',
      ),
    severities: z
      .array(Id)
      .optional()
      .describe('The severities this tier works (default: all). A case of another severity stays below it: its timer does not move it and an agent must change its severity first.'),
    entryCaseReasons: z.array(Id).optional().describe('A case must carry one of these case reasons to enter this tier (e.g. a code change is needed).'),
    codeFixes: z
      .boolean()
      .default(false)
      .describe(
        'This tier resolves cases by changing the product code; the fix ships in a release (service pack, patch, hotfix), ' + 'early for customers with an add-on that grants priorityUpdates.',
      ),
  })
  .strict();

const Severity = z
  .object({
    id: Id,
    name: z.string(),
    definition: z.string().optional(),
    criteria: z
      .array(z.object({ area: z.string(), items: z.array(z.string()).min(1) }).strict())
      .default([])
      .describe('Plain-language criteria that help a requester choose, grouped by area (functions, data, back end).'),
  })
  .strict();

const CaseReason = z.object({ id: Id, name: z.string(), definition: z.string().optional() }).strict();

const BlockPricing = z
  .object({
    currency: z.string().length(3).default('USD'),
    baseMonthly: z.number().nonnegative().default(0).describe('Monthly charge before any user block.'),
    blockSize: z.number().int().positive().describe('Users per block, e.g. 10.'),
    perBlockMonthly: z.number().nonnegative().describe('Monthly charge added per started block of users.'),
    customPricingFromUsers: z.number().int().positive().optional().describe('From this many users the price is negotiated (custom pricing).'),
  })
  .strict();

const AddOn = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().optional(),
    calendar: Id.optional().describe('When present, every objective of the plan is measured on this calendar instead (e.g. 24/7).'),
    grants: z
      .array(z.enum(ADD_ON_GRANTS))
      .default([])
      .describe(
        'What the add-on entitles the customer to. priorityUpdates: code fixes (tiers with codeFixes) ship early through ' +
          'accelerated releases; the case is flagged, noted and put on the priority queue of that tier.',
      ),
    pricing: BlockPricing.optional(),
  })
  .strict();

const Plan = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().optional(),
    calendar: Id.describe('Calendar for targets that name none.'),
    priorityQueue: z.boolean().default(false),
    designatedUsersLimit: z.number().int().positive().optional().describe('How many designated users the plan allows.'),
    includedAddOns: z.array(Id).default([]),
    availableAddOns: z.array(Id).default([]),
    caseReview: z.enum(['weekly', 'bi-weekly', 'monthly']).optional(),
    objectives: z.record(Id, SeverityObjectives).describe('Objectives per severity id.'),
    notes: z.string().optional(),
  })
  .strict();

const ChainStep = z.object({ id: Id, title: z.string(), respondWithin: Target }).strict().describe('One step of the management escalation chain.');

const SlaSettings = z
  .object({
    warnAt: z.number().gt(0).lt(1).default(0.8).describe('Share of a target after which a warning goes out.'),
    pauseWhilePendingCustomer: z.boolean().default(true),
    autoCloseResolvedAfterDays: z.number().int().nonnegative().default(7).describe('Calendar days after which a resolved case closes unless the customer replies; 0 closes it at once.'),
    breachedQueue: z
      .enum(['priority', 'breached'])
      .default('priority')
      .describe(
        'Where a case that missed a target waits: "priority" in its team\'s priority queue; "breached" in its own queue ' +
          '"<team>:breached", most severe and longest overdue first, so a plan\'s priority queue holds only the cases entitled to it.',
      ),
  })
  .strict();

const SupportPeriods = z
  .object({
    blockHours: z.number().positive().default(4).describe('Periods are sold in blocks of this many hours (whole hours in practice; a fraction makes blocks seconds long, for tests).'),
    contactNoticeDays: z.number().nonnegative().default(10).describe("Days before a period starts that the point of contact gets the engineer's details."),
    purposes: z
      .array(z.object({ id: Id, name: z.string(), description: z.string().optional() }).strict())
      .min(1)
      .describe('What a period can be bought for, e.g. attendee support or customer support.'),
    escalation: z
      .object({
        systemIssue: z.string().describe('Team that system (infrastructure) issues escalate to; mailed as notifications.teams names it.'),
        configurationIssue: z.string().describe('Role or team that configuration issues escalate to (e.g. the project manager); mailed as notifications.teams names it.'),
      })
      .strict(),
    updateEvery: DurationText.optional().describe('How often the point of contact gets an update on open period tickets.'),
    phoneNumber: z.string().optional().describe('Dedicated phone number used when an order names none.'),
    afterPeriodQueue: Id.optional().describe(
      "Team (and its queue) that takes a period's open tickets when the period ends; its lead and members are mailed. Default: each ticket's own tier team. A ticket escalated during the period stays with the team it was escalated to.",
    ),
    ordersTeam: Id.optional().describe('Team of notifications.teams told of every new support order (its lead and members). None: no staff mail for new orders.'),
  })
  .strict()
  .describe('Dedicated support periods: an engineer booked for a customer event.');

const EmailAddress = z.string().regex(EMAIL_ADDRESS, 'not an email address');

const TemplateText = z.string().superRefine((text, ctx) => {
  for (const name of unknownPlaceholders(text)) {
    ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${name}}}` });
  }
});

const Notifications = z
  .object({
    from: EmailAddress.describe('Sender of every mail; in AWS an SES-verified identity.'),
    replyTo: EmailAddress.optional().describe("Where customers' replies go, e.g. the inbound support address."),
    teams: z
      .record(z.string(), z.object({ lead: EmailAddress.optional(), members: z.array(EmailAddress).default([]) }).strict())
      .default({})
      .describe('Addresses per team (as tiers name them): "team-lead" and "team" recipients.'),
    agents: z.record(z.string(), EmailAddress).default({}).describe('Address of an assignee recorded by name rather than by email address.'),
    management: z.record(Id, z.array(EmailAddress).min(1)).default({}).describe('Addresses per management chain step id: "management:<stepId>" recipients.'),
    templates: z
      .partialRecord(z.enum(NOTIFICATION_KINDS), z.object({ subject: TemplateText.optional(), text: TemplateText.optional() }).strict())
      .default({})
      .describe(
        `Subject and plain text per kind, overriding the built-in wording. Placeholders: ${TEMPLATE_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')} ` +
          '(core/notifications/templates.ts says what each holds). The subject always carries [<case number>]; the HTML part is made from the text.',
      ),
  })
  .strict()
  .describe('Email notifications: sender, who the roles are, and wording.');

/**
 * Who may set an inbound mail's severity by a marker in it (any one condition suffices):
 * "designated-user", "entitled" (any requester of an entitled customer), "plan:<id>" or
 * "add-on:<id>" (an entitled customer on that plan, with that add-on).
 */
export const MARKER_CONDITION = /^(designated-user|entitled|plan:[A-Za-z0-9][A-Za-z0-9_.-]*|add-on:[A-Za-z0-9][A-Za-z0-9_.-]*)$/;

const SeverityMarkers = z
  .object({
    markers: z
      .array(
        z
          .object({
            severity: Id.describe('The severity id the phrases stand for.'),
            phrases: z
              .array(z.string().trim().min(1).max(100, 'at most 100 characters'))
              .min(1)
              .max(50)
              .describe('Words that mark the severity, e.g. "Sev1", "P1", "production down": matched as whole words, any case, "Sev1" also as "SEV-1" or "sev 1".'),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    honouredFor: z
      .array(z.string().regex(MARKER_CONDITION, 'use "designated-user", "entitled", "plan:<id>" or "add-on:<id>"'))
      .min(1)
      .describe('Whose markers count (any one condition): "designated-user", "entitled", "plan:<id>", "add-on:<id>". Anyone else gets the default severity, with the reason on the timeline.'),
  })
  .strict()
  .describe('Severity markers in the subject (else the top of the text) of a mail that opens a ticket.');

const refs = <T extends { id: string }>(items: T[]) => new Set(items.map((item) => item.id));

export const PolicySchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).default(1),
    id: Id,
    name: z.string(),
    vendor: z.string(),
    source: z.string().optional().describe('The document the policy was condensed from.'),
    caseNumberPrefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,9}$/, 'use 2–10 capital letters or digits, e.g. "CASE"')
      .default('CASE'),
    defaultPlan: Id,
    defaultSeverity: Id.optional().describe('Severity of tickets that arrive without one (email, phone); agents correct it at triage. Default: the last (least urgent) severity listed.'),
    severities: z.array(Severity).min(1),
    caseReasons: z.array(CaseReason).default([]),
    calendars: z.array(CalendarSchema).min(1),
    plans: z.array(Plan).min(1),
    addOns: z.array(AddOn).default([]),
    tiers: z.array(Tier).min(1),
    managementChain: z.array(ChainStep).default([]),
    supportPeriods: SupportPeriods.optional(),
    severityMarkers: SeverityMarkers.optional(),
    notifications: Notifications.optional(),
    integrations: z.array(IntegrationSchema).default([]).describe('Tools that send tickets by webhook: portals, phone systems, chat.'),
    sla: SlaSettings.default({ warnAt: 0.8, pauseWhilePendingCustomer: true, autoCloseResolvedAfterDays: 7, breachedQueue: 'priority' }),
    notes: z.array(z.string()).default([]).describe('Where the source document left something open, what was chosen and why.'),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const unique = (items: { id: string }[], key: string) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [key, index, 'id'], message: `duplicate id "${item.id}"` });
        seen.add(item.id);
      });
    };
    for (const key of ['severities', 'caseReasons', 'calendars', 'plans', 'addOns', 'tiers', 'managementChain', 'integrations'] as const) {
      unique(policy[key], key);
    }
    const calendars = new Map(policy.calendars.map((calendar) => [calendar.id, calendar]));
    const severities = refs(policy.severities);
    const tiers = refs(policy.tiers);
    const addOns = refs(policy.addOns);
    const plans = refs(policy.plans);
    const missing = (path: (string | number)[], kind: string, id: string, known: Set<string>) =>
      ctx.addIssue({ code: 'custom', path, message: `unknown ${kind} "${id}" (known: ${[...known].join(', ') || 'none'})` });

    /** `alternatives`: calendars an add-on of the plan may measure the target on instead. */
    const checkTarget = (target: z.infer<typeof Target>, fallback: string | undefined, path: (string | number)[], alternatives: string[] = [], lengthKey = 'within') => {
      if (target.calendar && !calendars.has(target.calendar)) {
        missing([...path, 'calendar'], 'calendar', target.calendar, new Set(calendars.keys()));
        return;
      }
      const parsed = parseDuration(target.within);
      if (!parsed.ok || !parsed.businessDays) return;
      for (const calendarId of new Set([target.calendar ?? fallback, ...alternatives])) {
        const calendar = calendarId ? calendars.get(calendarId) : undefined;
        if (calendar && !calendar.businessDay && !calendar.alwaysOpen) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, lengthKey],
            message: `"bd" needs calendar "${calendarId}" to set businessDay (e.g. "8h")`,
          });
        }
      }
    };

    if (!plans.has(policy.defaultPlan)) missing(['defaultPlan'], 'plan', policy.defaultPlan, plans);
    if (policy.defaultSeverity !== undefined && !severities.has(policy.defaultSeverity)) missing(['defaultSeverity'], 'severity', policy.defaultSeverity, severities);
    policy.plans.forEach((plan, p) => {
      const at = ['plans', p];
      if (!calendars.has(plan.calendar)) missing([...at, 'calendar'], 'calendar', plan.calendar, new Set(calendars.keys()));
      for (const key of ['includedAddOns', 'availableAddOns'] as const) {
        for (const [i, id] of plan[key].entries()) if (!addOns.has(id)) missing([...at, key, i], 'add-on', id, addOns);
      }
      const addOnCalendars = [...plan.includedAddOns, ...plan.availableAddOns].flatMap((addOnId) => {
        const calendar = policy.addOns.find((addOn) => addOn.id === addOnId)?.calendar;
        return calendar ? [calendar] : [];
      });
      for (const [severityId, objectives] of Object.entries(plan.objectives)) {
        const sp = [...at, 'objectives', severityId];
        if (!severities.has(severityId)) missing(sp, 'severity', severityId, severities);
        if (objectives.firstResponse) checkTarget(objectives.firstResponse, plan.calendar, [...sp, 'firstResponse'], addOnCalendars);
        if (objectives.nextResponse) checkTarget(objectives.nextResponse, plan.calendar, [...sp, 'nextResponse'], addOnCalendars);
        if (objectives.statusUpdate) {
          const { every, ...rest } = objectives.statusUpdate;
          checkTarget({ ...rest, within: every }, plan.calendar, [...sp, 'statusUpdate'], addOnCalendars, 'every');
        }
        for (const [tierId, target] of Object.entries(objectives.resolution ?? {})) {
          if (!tiers.has(tierId)) missing([...sp, 'resolution', tierId], 'tier', tierId, tiers);
          checkTarget(target, plan.calendar, [...sp, 'resolution', tierId], addOnCalendars);
        }
      }
    });
    const caseReasons = refs(policy.caseReasons);
    policy.tiers.forEach((tier, t) => {
      for (const [i, id] of (tier.severities ?? []).entries()) if (!severities.has(id)) missing(['tiers', t, 'severities', i], 'severity', id, severities);
      for (const [i, id] of (tier.entryCaseReasons ?? []).entries()) if (!caseReasons.has(id)) missing(['tiers', t, 'entryCaseReasons', i], 'case reason', id, caseReasons);
    });
    // The first tier is where every case starts: nothing enters it.
    if (policy.tiers[0]?.severities || policy.tiers[0]?.entryCaseReasons) {
      ctx.addIssue({ code: 'custom', path: ['tiers', 0], message: 'the first tier takes every case: it cannot limit its severities or case reasons' });
    }
    policy.addOns.forEach((addOn, a) => {
      if (addOn.calendar && !calendars.has(addOn.calendar)) {
        missing(['addOns', a, 'calendar'], 'calendar', addOn.calendar, new Set(calendars.keys()));
      }
    });
    // A period's escalation is mailed to its team: with notifications configured, the team must have addresses.
    const teams = new Set(Object.keys(policy.notifications?.teams ?? {}));
    for (const issue of ['systemIssue', 'configurationIssue'] as const) {
      const team = policy.supportPeriods?.escalation[issue];
      if (team && policy.notifications && !teams.has(team)) missing(['supportPeriods', 'escalation', issue], 'team in notifications.teams', team, teams);
    }
    // The after-period handover and new orders are mailed to their team too.
    for (const key of ['afterPeriodQueue', 'ordersTeam'] as const) {
      const team = policy.supportPeriods?.[key];
      if (team && policy.notifications && !teams.has(team)) missing(['supportPeriods', key], 'team in notifications.teams', team, teams);
    }
    const steps = refs(policy.managementChain);
    for (const stepId of Object.keys(policy.notifications?.management ?? {})) {
      if (!steps.has(stepId)) missing(['notifications', 'management', stepId], 'management chain step', stepId, steps);
    }
    policy.severityMarkers?.markers.forEach((marker, m) => {
      if (!severities.has(marker.severity)) missing(['severityMarkers', 'markers', m, 'severity'], 'severity', marker.severity, severities);
    });
    policy.severityMarkers?.honouredFor.forEach((condition, c) => {
      const [kind, id] = condition.split(':') as [string, string | undefined];
      if (kind === 'plan' && !plans.has(id!)) missing(['severityMarkers', 'honouredFor', c], 'plan', id!, plans);
      if (kind === 'add-on' && !addOns.has(id!)) missing(['severityMarkers', 'honouredFor', c], 'add-on', id!, addOns);
    });
    policy.managementChain.forEach((step, s) => {
      if (!step.respondWithin.calendar) {
        ctx.addIssue({ code: 'custom', path: ['managementChain', s, 'respondWithin', 'calendar'], message: 'name the calendar of this step' });
      } else checkTarget(step.respondWithin, undefined, ['managementChain', s, 'respondWithin']);
    });
  });

/** A policy as written (defaults not yet applied). */
export type PolicyInput = z.input<typeof PolicySchema>;
/** A validated policy with every default filled in. */
export type Policy = z.output<typeof PolicySchema>;
export type CalendarSpec = z.output<typeof CalendarSchema>;
export type PlanSpec = Policy['plans'][number];
export type TargetSpec = z.output<typeof Target>;
export type TierSpec = Policy['tiers'][number];
export type AddOnSpec = Policy['addOns'][number];
export type BlockPricingSpec = z.output<typeof BlockPricing>;
export type SupportPeriodsSpec = z.output<typeof SupportPeriods>;
export type NotificationsSpec = z.output<typeof Notifications>;
export type SeverityObjectivesSpec = z.output<typeof SeverityObjectives>;

/** The JSON Schema of policy files as written (defaults optional), for editors. */
export function policyJsonSchema(): unknown {
  return z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any' });
}
