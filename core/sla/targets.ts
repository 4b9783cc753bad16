/**
 * From a policy to deadlines: which target applies to a case (plan, severity, metric, tier,
 * add-ons) and the instant it falls due on that target's calendar.
 */
import { IANAZone } from 'luxon';
import { BusinessClock, type Pause } from '../calendar/clock';
import { durationMs } from '../policy/duration';
import type { CalendarSpec, Policy, TargetSpec } from '../policy/schema';

/** status-update: the regular status report an agent owes while the case is open (SeverityObjectives.statusUpdate). */
export const METRICS = ['first-response', 'next-response', 'resolution', 'status-update'] as const;
export type Metric = (typeof METRICS)[number];

export interface TargetQuery {
  /** Defaults to the policy's default plan. */
  plan?: string;
  /** A severity id or name. */
  severity: string;
  /** Defaults to first-response. */
  metric?: Metric;
  /** For resolution targets; defaults to the first tier. */
  tier?: string;
  /** Add-ons bought on top of the plan (the plan's included add-ons always apply). */
  addOns?: readonly string[];
}

export interface ResolvedTarget {
  plan: string;
  severity: string;
  metric: Metric;
  tier?: string;
  /** The target as written, e.g. "4h" or "2bd" (a status update's `every`). */
  within: string;
  durationMs: number;
  calendar: string;
}

/** A question the policy cannot answer (unknown plan, no such objective, …), naming the field. */
export class TargetError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

const DAY_MS = 86_400_000;

/**
 * How an id or name is compared: any case, any run of spaces, and any dash alike, so
 * "severity 1 - critical" finds "Severity 1 – Critical" as typed on a keyboard.
 */
function comparable(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ');
}

/** A severity by its id or its name. */
export function findSeverity(policy: Policy, severity: string): Policy['severities'][number] {
  const wanted = comparable(severity);
  const found = policy.severities.find((s) => comparable(s.id) === wanted) ?? policy.severities.find((s) => comparable(s.name) === wanted);
  if (!found) {
    throw new TargetError('severity', `unknown severity "${severity}" (known: ${policy.severities.map((s) => s.id).join(', ')})`);
  }
  return found;
}

/** A case reason by its id or its name, case-insensitively, as severities are found. */
export function findCaseReason(policy: Policy, caseReason: string): Policy['caseReasons'][number] {
  const wanted = comparable(caseReason);
  const found = policy.caseReasons.find((r) => comparable(r.id) === wanted) ?? policy.caseReasons.find((r) => comparable(r.name) === wanted);
  if (!found) throw new TargetError('caseReason', `unknown case reason "${caseReason}" (known: ${policy.caseReasons.map((r) => r.id).join(', ') || 'none'})`);
  return found;
}

export function findPlan(policy: Policy, plan = policy.defaultPlan): Policy['plans'][number] {
  const found = policy.plans.find((p) => p.id === plan) ?? policy.plans.find((p) => p.name.toLowerCase() === plan.toLowerCase());
  if (!found) throw new TargetError('plan', `unknown plan "${plan}" (known: ${policy.plans.map((p) => p.id).join(', ')})`);
  return found;
}

export function resolveTarget(policy: Policy, query: TargetQuery): ResolvedTarget {
  const plan = findPlan(policy, query.plan);
  const severity = findSeverity(policy, query.severity);
  const metric = query.metric ?? 'first-response';
  const objectives = plan.objectives[severity.id];
  let target: Pick<TargetSpec, 'within' | 'calendar'> | undefined;
  let tier: string | undefined;
  if (metric === 'status-update') {
    const update = objectives?.statusUpdate;
    target = update ? { within: update.every, ...(update.calendar ? { calendar: update.calendar } : {}) } : undefined;
  } else if (metric === 'resolution') {
    tier = query.tier ?? policy.tiers[0]!.id;
    if (!policy.tiers.some((t) => t.id === tier)) {
      throw new TargetError('tier', `unknown tier "${tier}" (known: ${policy.tiers.map((t) => t.id).join(', ')})`);
    }
    target = objectives?.resolution?.[tier];
  } else {
    target = metric === 'first-response' ? objectives?.firstResponse : objectives?.nextResponse;
  }
  if (!target) {
    throw new TargetError('metric', `plan "${plan.id}" sets no ${metric} target for severity "${severity.id}"${tier ? ` at tier "${tier}"` : ''}`);
  }
  const calendarId = addOnCalendar(policy, plan, query.addOns) ?? target.calendar ?? plan.calendar;
  const calendar = findCalendar(policy, calendarId);
  return {
    plan: plan.id,
    severity: severity.id,
    metric,
    ...(tier ? { tier } : {}),
    within: target.within,
    durationMs: durationMs(target.within, businessDayMs(calendar)),
    calendar: calendarId,
  };
}

/** The calendar an add-on such as 24/7 support puts every objective on, if one applies. */
function addOnCalendar(policy: Policy, plan: Policy['plans'][number], bought: readonly string[] = []): string | undefined {
  const active = new Set([...plan.includedAddOns, ...bought]);
  return policy.addOns.find((addOn) => active.has(addOn.id) && addOn.calendar)?.calendar;
}

export function findCalendar(policy: Policy, id: string): CalendarSpec {
  const calendar = policy.calendars.find((c) => c.id === id);
  if (!calendar) throw new TargetError('calendar', `unknown calendar "${id}"`);
  return calendar;
}

function businessDayMs(calendar: CalendarSpec): number | undefined {
  if (calendar.businessDay) return durationMs(calendar.businessDay, undefined);
  return calendar.alwaysOpen ? DAY_MS : undefined;
}

/**
 * Deadlines for one policy. Compiled clocks are kept per calendar and time zone, so
 * recomputing thousands of deadlines costs a binary search each.
 */
export class SlaPlanner {
  private readonly clocks = new Map<string, BusinessClock>();

  constructor(readonly policy: Policy) {}

  clock(calendarId: string, timeZone?: string): BusinessClock {
    const key = `${calendarId}\u0000${timeZone ?? ''}`;
    let clock = this.clocks.get(key);
    if (!clock) {
      const calendar = findCalendar(this.policy, calendarId);
      if (timeZone && !IANAZone.isValidZone(timeZone)) throw new TargetError('tz', `"${timeZone}" is not an IANA time zone`);
      clock = new BusinessClock(timeZone ? { ...calendar, timeZone } : calendar);
      this.clocks.set(key, clock);
    }
    return clock;
  }

  /** The due instant of a target for a case opened at `opened` (epoch ms). */
  due(query: TargetQuery, opened: number, options: { timeZone?: string; pauses?: readonly Pause[] } = {}): { due: number; target: ResolvedTarget; timeZone: string } {
    const target = resolveTarget(this.policy, query);
    const clock = this.clock(target.calendar, options.timeZone);
    return { due: clock.due(opened, target.durationMs, options.pauses), target, timeZone: clock.timeZone };
  }
}
