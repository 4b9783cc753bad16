/**
 * The SLA schedule of one ticket: the next thing its clock must do and when. The ticket
 * workflow waits until that instant (or until the ticket changes), then hands the event to
 * applySlaEvent (core/tickets/breaches.ts). Everything is read from the stored ticket, so a
 * restarted or duplicated workflow finds the same schedule.
 */
import type { Pause } from '../calendar/clock';
import { durationMs } from '../policy/duration';
import type { CalendarSpec, Policy } from '../policy/schema';
import { hasWorkflowClock, type ManagementEscalation, type Objective, type Ticket } from '../tickets/model';
import { findCalendar, findPlan, type SlaPlanner } from './targets';

/** statusUpdate is periodic: each agent reply replaces it with the next interval's (core/tickets/rules.ts). */
export const SLA_OBJECTIVES = ['firstResponse', 'nextResponse', 'resolution', 'statusUpdate'] as const;
export type SlaObjective = (typeof SLA_OBJECTIVES)[number];

/**
 * Something the clock must do to a ticket. `at` is when to act, never before the `now` it was
 * planned at (a missed instant is due at once); `due` is the deadline the event is about.
 */
export type SlaEvent =
  | { kind: 'warning' | 'breach'; objective: SlaObjective; at: number; due: number }
  | { kind: 'breach'; objective: 'management'; step: number; at: number; due: number }
  | { kind: 'auto-close'; at: number; due: number };

export interface ScheduleContext {
  policy: Policy;
  planner: SlaPlanner;
}

const DAY_MS = 86_400_000;

/** The earliest pending event of the ticket, or undefined when its clock has nothing left to do. */
export function nextSlaEvent(ticket: Ticket, ctx: ScheduleContext, now: number): SlaEvent | undefined {
  let next: SlaEvent | undefined;
  for (const event of pendingSlaEvents(ticket, ctx, now)) if (!next || event.at < next.at) next = event;
  return next;
}

/**
 * Every event pending for the ticket at `now`, in no particular order. Those whose `at` is
 * not after `now` are due; applySlaEvent applies an event only if it is among them.
 */
export function pendingSlaEvents(ticket: Ticket, ctx: ScheduleContext, now: number): SlaEvent[] {
  if (!hasWorkflowClock(ticket)) return [];
  return [...objectiveEvents(ticket, ctx, now), ...managementEvents(ticket), ...autoCloseEvents(ticket, ctx.policy)].map((event) => ({ ...event, at: Math.max(event.at, now) }));
}

/** Whether two events are the same step of the clock (the instants may differ: `at` moves with `now`). */
export function sameSlaEvent(a: SlaEvent, b: SlaEvent): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'auto-close' || b.kind === 'auto-close') return true;
  if (a.objective !== b.objective) return false;
  return a.objective !== 'management' || b.objective !== 'management' || a.step === b.step;
}

function objectiveEvents(ticket: Ticket, ctx: ScheduleContext, now: number): SlaEvent[] {
  const { closed } = countedPauses(ticket, ctx.policy);
  const events: SlaEvent[] = [];
  for (const objective of SLA_OBJECTIVES) {
    const state = ticket.sla[objective];
    // A paused objective, or one the policy sets no target for now, has no due instant.
    if (!objectiveRunning(state) || !state.due) continue;
    const due = Date.parse(state.due);
    events.push({ kind: 'breach', objective, at: due, due });
    // A warning after the deadline would only announce the breach that follows it.
    if (!state.warnedAt && now < due) {
      events.push({ kind: 'warning', objective, at: warningInstant(state, due, ctx, closed), due });
    }
  }
  return events;
}

/**
 * The instant the share `policy.sla.warnAt` of the objective's target has passed, in business
 * time on its calendar. The target's length is read back as the open time between start and
 * due with the waits taken out: exactly what replan() counted, so the warning always agrees
 * with the stored due, even when the policy was edited since.
 */
function warningInstant(objective: Objective, due: number, ctx: ScheduleContext, pauses: readonly Pause[]): number {
  const clock = ctx.planner.clock(objective.calendar!);
  const start = Date.parse(objective.startedAt);
  const length = clock.elapsed(start, due, pauses);
  return clock.due(start, Math.round(length * ctx.policy.sla.warnAt), pauses);
}

function managementEvents(ticket: Ticket): SlaEvent[] {
  const management = ticket.sla.management;
  if (!managementRunning(management)) return [];
  const due = Date.parse(management.due);
  return [{ kind: 'breach', objective: 'management', step: management.step, at: due, due }];
}

/** Calendar days (24 hours each), not business days: a resolved case closes on the same date whatever the office hours. */
function autoCloseEvents(ticket: Ticket, policy: Policy): SlaEvent[] {
  if (ticket.status !== 'resolved' || !ticket.resolution) return [];
  const due = Date.parse(ticket.resolution.at) + policy.sla.autoCloseResolvedAfterDays * DAY_MS;
  return [{ kind: 'auto-close', at: due, due }];
}

/** Neither met, breached nor stopped: the objective's clock still counts. */
export function objectiveRunning(objective: Objective | undefined): objective is Objective {
  return !!objective && !objective.metAt && !objective.breachedAt && !objective.stoppedAt;
}

/** The current management step still waits for an answer, with its timer running. */
export function managementRunning(management: ManagementEscalation | undefined): management is ManagementEscalation {
  return !!management && !management.acknowledgedAt && !management.breachedAt && !management.stoppedAt;
}

/**
 * The customer waits that stop the SLA clocks under the policy: the finished ones, and whether
 * one is going on now (then no objective has a due instant). None count when the policy does
 * not pause while pending the customer.
 */
export function countedPauses(ticket: Ticket, policy: Policy): { closed: Pause[]; pausedNow: boolean } {
  if (!policy.sla.pauseWhilePendingCustomer) return { closed: [], pausedNow: false };
  const pauses = ticket.sla.pauses;
  return {
    closed: pauses.filter((pause) => pause.to).map((pause) => ({ from: Date.parse(pause.from), to: Date.parse(pause.to!) })),
    pausedNow: pauses.some((pause) => !pause.to),
  };
}

/** Step `step` of the policy's management chain, starting at `startedAt` with its own response timer. */
export function managementStep(ctx: ScheduleContext, step: number, reason: string, startedAt: number): ManagementEscalation {
  const spec = ctx.policy.managementChain[step];
  if (!spec) throw new RangeError(`the management chain has no step ${step}`);
  // The policy schema makes every step name its calendar; the default plan's is only a fallback for the type.
  const calendar = spec.respondWithin.calendar ?? findPlan(ctx.policy).calendar;
  const length = durationMs(spec.respondWithin.within, businessDayMs(findCalendar(ctx.policy, calendar)));
  const due = ctx.planner.clock(calendar).due(startedAt, length);
  return {
    step,
    stepId: spec.id,
    reason,
    startedAt: new Date(startedAt).toISOString(),
    within: spec.respondWithin.within,
    calendar,
    due: new Date(due).toISOString(),
  };
}

/** A business day on the calendar, measured as core/sla/targets.ts measures it for objectives. */
function businessDayMs(calendar: CalendarSpec): number | undefined {
  if (calendar.businessDay) return durationMs(calendar.businessDay, undefined);
  return calendar.alwaysOpen ? DAY_MS : undefined;
}
