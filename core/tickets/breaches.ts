/**
 * What the SLA clock does to a ticket when an instant of its schedule (core/sla/schedule.ts)
 * comes: warn, record a breach and act on it (priority queue, next tier, next management step),
 * or close a resolved case.
 *
 * The event is checked against the ticket as it is now, not trusted: an objective met
 * meanwhile, a deadline moved by a wait or a severity change, a closed ticket, an event
 * applied a second time all change nothing and produce no timeline events. A workflow can
 * therefore act on a stale timer, or retry, without harm.
 */
import { acknowledge } from '../notifications/acknowledgement';
import { queueNotifications } from '../notifications/outbox';
import { managementStep, pendingSlaEvents, type SlaEvent, type SlaObjective, sameSlaEvent } from '../sla/schedule';
import type { Actor, EventType, Ticket, TimelineEvent } from './model';
import {
  applyAction,
  type Change,
  checkTierEntry,
  ESCALATION_UNANSWERED_FLAG,
  escalateByTimer,
  managementData,
  placeInBreachedQueue,
  queueOf,
  type RuleContext,
  replan,
  requirementFlag,
  SLA_BREACHED_FLAG,
} from './rules';

/** The actor of everything the clock does, on the timeline and in the actions it reuses. */
export const SLA_CLOCK: Actor = { kind: 'system', id: 'sla-clock' };

/** Roles the workflow resolves to addresses: the case's assignee and the lead of its team. */
const NOTIFY = ['assignee', 'team-lead'];

export function applySlaEvent(current: Ticket, slaEvent: SlaEvent, ctx: RuleContext): Change {
  // Recomputed from the ticket: only an event still pending and due now is applied, with today's due.
  const due = pendingSlaEvents(current, ctx, ctx.now).find((pending) => sameSlaEvent(pending, slaEvent) && pending.at <= ctx.now);
  if (!due) return { ticket: current, events: [] };
  if (due.kind === 'auto-close') return autoClose(current, ctx);
  if (due.objective === 'management') return managementBreach(current, ctx);
  return due.kind === 'warning' ? warn(current, due.objective, ctx) : breach(current, due.objective, ctx);
}

function warn(current: Ticket, key: SlaObjective, ctx: RuleContext): Change {
  const ticket = structuredClone(current);
  const objective = ticket.sla[key]!;
  objective.warnedAt = iso(ctx.now);
  const data = { objective: key, due: objective.due, within: objective.within, notify: NOTIFY };
  return settle(ticket, ctx, [clockEvent(ctx, ticket, 'sla-warning', data)]);
}

/** Records the breach on this objective alone, raises the queue priority and, for a resolution target, moves the case up a tier. */
function breach(current: Ticket, key: SlaObjective, ctx: RuleContext): Change {
  const ticket = structuredClone(current);
  const objective = ticket.sla[key]!;
  objective.breachedAt = iso(ctx.now);
  addFlag(ticket, SLA_BREACHED_FLAG);
  const tier = key === 'resolution' ? { tier: ticket.sla.resolution!.tier } : {};
  const data = { objective: key, due: objective.due, within: objective.within, ...tier, notify: NOTIFY };
  const recorded = settle(ticket, ctx, [clockEvent(ctx, ticket, 'sla-breached', data)]);
  return key === 'resolution' ? moveUpATier(recorded, ctx) : recorded;
}

/**
 * The tier's target resolution time passed: the case goes to the next tier the way an agent's
 * escalation would take it, if that tier is entered by timer, works the case's severity and the
 * case meets its entry requirements. Missing requirements leave it where it is, flagged with
 * what is missing, and its own tier's team is told; a tier closed to it by design (entered only
 * by an agent, another severity) or the top tier leave it there with the breach recorded.
 */
function moveUpATier(recorded: Change, ctx: RuleContext): Change {
  const ticket = recorded.ticket;
  const entry = checkTierEntry(ctx.policy, ticket, undefined, 'timer');
  const current = ctx.policy.tiers.find((t) => t.id === ticket.tier);
  if (entry.allowed) {
    const reason = `${current?.name ?? ticket.tier} target resolution time (${ticket.sla.resolution?.within}) passed`;
    const escalated = escalateByTimer(ticket, reason, ctx, SLA_CLOCK);
    return { ticket: escalated.ticket, events: [...recorded.events, ...escalated.events] };
  }
  if (!entry.tier || entry.missing.length === 0) return recorded;
  for (const requirement of entry.missing) addFlag(ticket, requirementFlag(requirement));
  const data = { from: ticket.tier, to: entry.tier.id, missing: entry.missing, team: ticket.team, notify: ['team'] };
  const blocked = clockEvent(ctx, ticket, 'escalation-blocked', data, entry.refusal.message);
  return { ticket, events: [...recorded.events, blocked] };
}

/** Nobody on this step answered in time: the next step must, on its own timer; after the last, the case stays there, flagged. */
function managementBreach(current: Ticket, ctx: RuleContext): Change {
  const ticket = structuredClone(current);
  const missed = ticket.sla.management!;
  addFlag(ticket, SLA_BREACHED_FLAG);
  const events = [clockEvent(ctx, ticket, 'sla-breached', { objective: 'management', step: missed.stepId, due: missed.due, notify: NOTIFY })];
  if (missed.step + 1 < ctx.policy.managementChain.length) {
    const next = managementStep(ctx, missed.step + 1, missed.reason, ctx.now);
    ticket.sla.management = next;
    // The customer's reason travels with the step: the next person asked reads why, as the first did.
    events.push(clockEvent(ctx, ticket, 'customer-escalation', { ...managementData(ctx.policy, next), from: missed.stepId }, next.reason));
  } else {
    missed.breachedAt = iso(ctx.now);
    addFlag(ticket, ESCALATION_UNANSWERED_FLAG);
  }
  return settle(ticket, ctx, events);
}

/** Exactly what an agent's "close" does, so a closed case looks the same however it was closed. */
function autoClose(current: Ticket, ctx: RuleContext): Change {
  const days = ctx.policy.sla.autoCloseResolvedAfterDays;
  return applyAction(current, { type: 'close', reason: `Closed automatically ${days} day${days === 1 ? '' : 's'} after it was resolved` }, ctx, SLA_CLOCK);
}

/** The same bookkeeping every rule ends with: the queue (a breach raises it), the deadlines, the update time. */
function settle(ticket: Ticket, ctx: RuleContext, events: TimelineEvent[]): Change {
  ticket.queue = queueOf(ticket, ctx.policy);
  placeInBreachedQueue(ticket, ctx.policy);
  replan(ticket, ctx);
  ticket.updatedAt = iso(ctx.now);
  return { ticket, events };
}

function addFlag(ticket: Ticket, flag: string) {
  if (!ticket.flags.includes(flag)) ticket.flags.push(flag);
}

/** The clock's records are internal: the customer hears about a breach through what people do about it. */
function clockEvent(ctx: RuleContext, ticket: Ticket, type: EventType, data: Record<string, unknown>, body?: string): TimelineEvent {
  return { id: ctx.newId(), ticketId: ticket.id, at: iso(ctx.now), type, actor: SLA_CLOCK, public: false, ...(body ? { body } : {}), data };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Every SLA event due now, applied one after the other (a breach may start the next management step). */
export function applyDueSlaEvents(ticket: Ticket, ctx: RuleContext): Change {
  let current: Change = { ticket, events: [] };
  for (const due of pendingSlaEvents(ticket, ctx, ctx.now).filter((event) => event.at <= ctx.now)) {
    const next = applySlaEvent(current.ticket, due, ctx);
    current = { ticket: next.ticket, events: [...current.events, ...next.events] };
  }
  return current;
}

/**
 * What the ticket's clock changes now: the intake acknowledgement if owed, then every due SLA
 * event, with the mail they call for queued in the outbox. Nothing due and nothing owed returns
 * the ticket as given (the workflow then writes nothing).
 */
export function advanceClock(ticket: Ticket, ctx: RuleContext): Change {
  const acked = acknowledge(ticket, ctx.now);
  const applied = applyDueSlaEvents(acked.ticket, ctx);
  return acked.notifications.length || applied.events.length ? queueNotifications(applied, acked.notifications) : applied;
}
