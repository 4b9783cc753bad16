/**
 * What the HTTP API answers: one zod schema per answer, named in RESPONSES (components.schemas of
 * GET /openapi.json, and so the console's types). They cannot drift from the code that answers:
 * - where core has a schema (customer, engineer, staff directory) it is used as it is;
 * - where core has only a type (Ticket, TimelineEvent, SupportOrder, the API key view) the schema
 *   here is checked against that type at compile time (`sameType` below, both directions);
 * - test/openapi.test.ts runs a scenario against the local runtime and parses every answer with
 *   the schema the document names for its route and status (strict objects: an undocumented
 *   field fails it too).
 */
import { z } from 'zod';
import { CustomerSchema } from '../../core/customer';
import { NOTIFICATION_KINDS } from '../../core/notifications/templates';
import type { SupportOrder } from '../../core/periods/orders';
import { AgentSchema } from '../../core/periods/requests';
import { PartnerSchema, PersonSchema, TeamSchema } from '../../core/staff/schema';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import { CHANNELS, EVENT_TYPES, PERIOD_ISSUES, RESOLUTION_TYPES, STATUSES } from '../../core/tickets/model';
import type { keyView } from './api-keys';

/** True only when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A compile error when a schema's output is not exactly the core type it documents. */
function sameType<A, B>(check: Same<A, B>): void {
  void check;
}

const instant = () => z.string().describe('An instant, ISO 8601 in UTC');
const Cursor = z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page. Opaque and signed for this query and caller.');

const Actor = z.object({ kind: z.enum(['agent', 'customer', 'system']), id: z.string() }).strict();

export const TimelineEventSchema = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    at: instant(),
    type: z.enum(EVENT_TYPES),
    actor: Actor,
    public: z.boolean().describe('Visible to the customer; customers are only ever shown public events.'),
    body: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional().describe('What the event records, by type (a mail with its attachments, a call, an escalation…).'),
  })
  .strict();
sameType<z.output<typeof TimelineEventSchema>, TimelineEvent>(true);

const Objective = z
  .object({
    within: z.string().optional().describe('The target as the policy writes it, e.g. "4h"'),
    calendar: z.string().optional(),
    startedAt: instant(),
    due: z.string().nullable().describe('Null while paused, or while the policy sets no target'),
    metAt: instant().optional(),
    breachedAt: instant().optional(),
    warnedAt: instant().optional(),
    stoppedAt: instant().optional(),
  })
  .strict();

const ManagementEscalation = z
  .object({
    step: z.number().int(),
    stepId: z.string(),
    reason: z.string(),
    startedAt: instant(),
    within: z.string(),
    calendar: z.string(),
    due: instant(),
    acknowledgedAt: instant().optional(),
    breachedAt: instant().optional(),
    stoppedAt: instant().optional(),
  })
  .strict();

const Sla = z
  .object({
    plan: z.string(),
    addOns: z.array(z.string()),
    firstResponse: Objective.optional(),
    nextResponse: Objective.optional(),
    resolution: Objective.extend({ tier: z.string() }).strict().optional(),
    statusUpdate: Objective.optional(),
    pauses: z.array(z.object({ from: instant(), to: instant().optional() }).strict()),
    nextDue: instant().optional().describe('The earliest due instant of the running objectives: orders the queue'),
    management: ManagementEscalation.optional(),
  })
  .strict();

const Notification = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS),
    ticketId: z.string(),
    caseNumber: z.string(),
    recipients: z.array(z.string()),
    body: z.string().optional(),
    due: z.string().optional(),
    objective: z.string().optional(),
    step: z.string().optional(),
    tier: z.string().optional(),
    eventId: z.string().optional(),
    eventAt: z.string().optional(),
  })
  .strict();

const MailRecord = z
  .object({
    messageId: z.string().optional(),
    from: z.string().optional(),
    rawKey: z.string(),
    attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number(), key: z.string().optional(), skipped: z.string().optional() }).strict()),
    problems: z.array(z.string()),
  })
  .strict();

const Details = z.object({ stepsToReproduce: z.string().optional(), actionPlan: z.string().optional(), symptoms: z.string().optional(), diagnosticData: z.string().optional() }).strict();

/** A ticket as staff read it. Customers get the same without the internal fields (TicketViewSchema). */
const TicketSchema = z
  .object({
    id: z.string(),
    caseNumber: z.string(),
    version: z.number().int().describe('Send as If-Match to change only this version'),
    customerId: z.string().optional(),
    partnerId: z.string().optional(),
    partnerHandover: z.object({ partnerId: z.string(), from: z.string(), to: z.string(), at: instant() }).strict().optional(),
    requester: z.object({ email: z.string().optional(), name: z.string().optional(), phone: z.string().optional(), company: z.string().optional(), timeZone: z.string().optional() }).strict(),
    channel: z.enum(CHANNELS),
    subject: z.string(),
    description: z.string(),
    severity: z.string(),
    caseReason: z.string().optional(),
    product: z.string().optional(),
    component: z.string().optional(),
    tier: z.string(),
    team: z.string(),
    queue: z.string(),
    status: z.enum(STATUSES),
    assignee: z.string().optional(),
    details: Details,
    flags: z.array(z.string()),
    resolution: z
      .object({ type: z.enum(RESOLUTION_TYPES), text: z.string(), at: instant() })
      .strict()
      .optional(),
    entitlement: z
      .object({
        status: z.enum(['entitled', 'unverified', 'not-entitled']),
        reasons: z.array(z.string()),
        plan: z.string().optional(),
        queue: z.enum(['priority', 'standard', 'triage']),
        designatedUser: z.boolean(),
        priorityUpdates: z.literal(true).optional(),
      })
      .strict(),
    sla: Sla,
    createdAt: instant(),
    createdBy: Actor,
    updatedAt: instant(),
    intakeAcknowledgedAt: instant().optional(),
    outbox: z.array(Notification).optional(),
    workflowRun: z.number().int().optional(),
    mailThread: z.array(z.string()).optional(),
    intakeMail: MailRecord.optional(),
    dedicated: z
      .object({
        orderId: z.string(),
        period: z.number().int(),
        engineerId: z.string(),
        contact: z.string().optional(),
        escalations: z.array(z.object({ issue: z.enum(PERIOD_ISSUES), to: z.string(), at: instant() }).strict()).optional(),
        queue: z.string().optional(),
        handedOver: z.object({ team: z.string(), at: instant() }).strict().optional(),
      })
      .strict()
      .optional(),
    queueOrder: z.string().optional(),
  })
  .strict();
sameType<z.output<typeof TicketSchema>, Ticket>(true);

/** The fields core/access/authorize.ts ticketView leaves out for customers: absent in their answers. */
export const TicketViewSchema = TicketSchema.partial({ entitlement: true, details: true, flags: true, queue: true }).describe(
  'A ticket. A customer is not shown the internal fields (entitlement, details, flags, queue, outbox, workflowRun, partnerId, partnerHandover).',
);

export const TicketWithTimelineSchema = TicketViewSchema.extend({
  timeline: z.array(TimelineEventSchema).describe('Oldest first; a customer sees the public events only'),
}).strict();

export const CreatedTicketSchema = z.object({ id: z.string(), caseNumber: z.string(), ticket: TicketViewSchema }).strict();

export const TicketChangeSchema = z.object({ ticket: TicketViewSchema, events: z.array(TimelineEventSchema).describe('The events the change added (a customer sees the public ones)') }).strict();

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), cursor: Cursor }).strict();

export const TicketPageSchema = page(TicketViewSchema);

/** GET /tickets/views: each of the caller's inbox views (core/tickets/inbox.ts) with its open tickets' count (docs/inbox.md). */
export const InboxViewCountsSchema = z
  .object({
    views: z.array(
      z
        .object({
          view: z.enum(['open', 'mine', 'team', 'priority', 'triage', 'breached', 'waiting', 'tier']).describe('List it with GET /tickets?view=<view> (and team= or tier=)'),
          assignee: z.string().optional().describe('view=mine: whose cases (the caller)'),
          team: z.string().optional().describe('view=team: the team, one entry per team of the caller'),
          tier: z.string().optional().describe('view=tier: the tier, one entry per tier of the policy'),
          count: z.number().int().describe('Open tickets in the view, exact (kept in the same write as each ticket change)'),
        })
        .strict(),
    ),
  })
  .strict();

const Target = z.object({ within: z.string(), calendar: z.string(), text: z.string().describe('The target in words, as mail quotes it') }).strict();

export const SeveritiesSchema = z
  .object({
    defaultSeverity: z.string().describe('The severity a case gets when none is given'),
    plan: z.string().optional().describe('The plan whose targets are shown (with a customer)'),
    severities: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          definition: z.string().optional(),
          criteria: z.array(z.object({ area: z.string(), items: z.array(z.string()) }).strict()),
          targets: z.object({ firstResponse: Target.optional(), nextResponse: Target.optional() }).strict().optional(),
        })
        .strict(),
    ),
  })
  .strict();

const Span = z.object({ from: z.string().describe('ISO instant'), to: z.string().describe('ISO instant') }).strict();

/** GET /policy/desk (functions/api/policy-info.ts deskPolicy). */
export const DeskPolicySchema = z
  .object({
    tiers: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          team: z.string().describe('The team whose queue works the tier'),
          operatedBy: z.enum(['vendor', 'partner']),
          entryRequires: z.array(z.string()).describe('Ticket details a case must carry to enter the tier (stepsToReproduce, actionPlan, symptoms, diagnosticData)'),
          entryCaseReasons: z.array(z.string()).optional().describe('A case must carry one of these case reasons to enter the tier'),
          severities: z.array(z.string()).optional().describe('The severities the tier works (absent: all)'),
        })
        .strict(),
    ),
    severities: z.array(z.object({ id: z.string(), name: z.string() }).strict()).describe("In the policy's order (most severe first); GET /policy/severities has their definitions and criteria"),
    caseReasons: z.array(z.object({ id: z.string(), name: z.string() }).strict()),
    calendars: z.array(
      z
        .object({
          id: z.string(),
          name: z.string().optional(),
          timeZone: z.string(),
          alwaysOpen: z.boolean(),
          from: z.string().describe('Start of the window the open hours cover (on the hour, 7 days back)'),
          to: z.string().describe('End of that window (21 days ahead)'),
          open: z.array(Span).describe('The open spans within the window, in order'),
        })
        .strict(),
    ),
  })
  .strict();

export const CustomerRecordSchema = CustomerSchema.extend({ version: z.number().int().describe('Send as If-Match to replace only this version') }).strict();
/** GET /customers: a page of customers by name (functions/api/customers.ts listCustomers). */
export const CustomerPageSchema = page(CustomerRecordSchema);

export const AgentRecordSchema = AgentSchema.extend({ id: z.string() }).strict();
export const AgentPageSchema = page(AgentRecordSchema);

const PeriodSchema = z
  .object({
    index: z.number().int(),
    start: instant(),
    end: instant(),
    hours: z.number(),
    blocks: z.number(),
    engineerId: z.string().optional(),
    phone: z.string().optional(),
    status: z.enum(['pending', 'booked', 'active', 'ended', 'cancelled']),
  })
  .strict();

export const SupportOrderSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    customerId: z.string(),
    purpose: z.string(),
    periods: z.array(PeriodSchema),
    pointOfContact: z.object({ name: z.string(), email: z.string(), phone: z.string().optional() }).strict(),
    phone: z.string().optional(),
    notes: z.string().optional(),
    status: z.enum(['pending', 'accepted', 'cancelled']),
    plan: z.number().int().optional(),
    pendingReason: z.string().optional(),
    outbox: z.array(z.object({ kind: z.enum(['order-placed', 'order-accepted', 'order-pending']), at: instant() }).strict()).optional(),
    createdAt: instant(),
    updatedAt: instant(),
  })
  .strict();
sameType<z.output<typeof SupportOrderSchema>, SupportOrder>(true);
export const SupportOrderPageSchema = page(SupportOrderSchema);

export const PersonPageSchema = page(PersonSchema);
export const TeamPageSchema = page(TeamSchema);
export const StaffDirectorySchema = z
  .object({ people: z.array(PersonSchema), teams: z.array(TeamSchema), partners: z.array(PartnerSchema).optional().describe('Absent in a directory from before partners') })
  .strict();

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'agent', 'customer']),
    customerId: z.string().optional(),
    status: z.enum(['active', 'revoked']),
    createdBy: z.string().nullable(),
    createdAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    rotatedAt: z.string().nullable(),
  })
  .strict()
  .describe('An API key as listed: never its secret or hash. Facts unknown for keys from before [10] are null.');
// keyView's status is typed as any string there (a widened literal): the schema names its two values.
sameType<Omit<z.output<typeof ApiKeySchema>, 'status'>, Omit<ReturnType<typeof keyView>, 'status'>>(true);
export const ApiKeyPageSchema = page(ApiKeySchema);
export const ApiKeyWithSecretSchema = ApiKeySchema.extend({ key: z.string().describe('The secret, shown this once: send it as "Authorization: Bearer <key>"') }).strict();

/** The attachment route's body beside its redirect (for clients that do not follow redirects). */
export const AttachmentLinkSchema = z
  .object({
    url: z.url(),
    expiresAt: z.string().describe('When the URL stops working'),
    filename: z.string().describe('The name as mailed'),
    size: z.number().int().describe('Bytes'),
  })
  .strict();

export const HealthSchema = z.object({ status: z.literal('ok') }).strict();

export const ErrorSchema = z
  .object({
    message: z.string(),
    field: z.string().optional().describe('The field, parameter or header at fault'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }).strict())
      .optional()
      .describe('Every invalid field, when several are'),
  })
  .catchall(z.unknown())
  .describe('An error naming the field at fault; some carry more (the current version on a 409 of If-Match, a reason on a webhook 401)');

/** A webhook delivery that opened a ticket (201), or joined or replayed one (200). */
export const WebhookReceiptSchema = z
  .object({
    ticketId: z.string().nullable().describe('Null for a step of a call whose ticket was closed meanwhile'),
    caseNumber: z.string().optional(),
    created: z.boolean(),
  })
  .strict();

export const CtiAnswerSchema = z
  .object({ action: z.literal('reject').optional(), reason: z.literal('busy').optional() })
  .strict()
  .describe('Zammad\'s CTI contract: `{}`, or `{"action": "reject", "reason": "busy"}` for a blocked caller at the first ring');

/** The named answers: components.schemas of the OpenAPI document, in this order. */
export const RESPONSES = {
  Ticket: TicketViewSchema,
  TicketWithTimeline: TicketWithTimelineSchema,
  CreatedTicket: CreatedTicketSchema,
  TicketChange: TicketChangeSchema,
  TicketPage: TicketPageSchema,
  InboxViewCounts: InboxViewCountsSchema,
  TimelineEvent: TimelineEventSchema,
  AttachmentLink: AttachmentLinkSchema,
  Severities: SeveritiesSchema,
  DeskPolicy: DeskPolicySchema,
  Customer: CustomerRecordSchema,
  CustomerPage: CustomerPageSchema,
  Agent: AgentRecordSchema,
  AgentPage: AgentPageSchema,
  SupportOrder: SupportOrderSchema,
  SupportOrderPage: SupportOrderPageSchema,
  Person: PersonSchema,
  PersonPage: PersonPageSchema,
  Team: TeamSchema,
  TeamPage: TeamPageSchema,
  Partner: PartnerSchema,
  StaffDirectory: StaffDirectorySchema,
  ApiKey: ApiKeySchema,
  ApiKeyPage: ApiKeyPageSchema,
  ApiKeyWithSecret: ApiKeyWithSecretSchema,
  Health: HealthSchema,
  Error: ErrorSchema,
  WebhookReceipt: WebhookReceiptSchema,
  CtiAnswer: CtiAnswerSchema,
} as const satisfies Record<string, z.ZodType>;

export type ResponseName = keyof typeof RESPONSES;
