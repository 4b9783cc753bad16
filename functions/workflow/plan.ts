/**
 * Plan (statemachines/ticket-lifecycle.asl.json): what the ticket's execution does next —
 * wait until the next SLA event, act on one that is due (or on mail owed), end (ticket closed
 * or gone, or this execution superseded by a newer run), or hand over to a fresh execution
 * before this one nears Step Functions' limits (one year, 25,000 history events).
 * Everything is read from the stored ticket, so a restarted execution plans the same.
 */
import { z } from 'zod';
import { acknowledgementDue } from '../../core/notifications/acknowledgement';
import { nextSlaEvent } from '../../core/sla/schedule';
import type { Ticket } from '../../core/tickets/model';
import { getRuntime, type Runtime } from '../shared/runtime';
import { executionName, replaceTicketExecution } from '../shared/workflow';

const PlanEvent = z.object({
  ticketId: z.string().min(1),
  /** $$.Execution.Name and $$.Execution.StartTime of the execution asking. */
  execution: z.string().min(1),
  startedAt: z.iso.datetime({ offset: true }),
  /** How many times this execution has planned: a bound on its history length. */
  cycle: z.number().int().min(0),
});
type PlanInput = z.infer<typeof PlanEvent>;

export type PlanAction = 'wait' | 'act' | 'end' | 'replaced';

export interface PlanResult {
  ticketId: string;
  action: PlanAction;
  /** Seconds until the next event (wait), else 0; the state machine always selects it. */
  waitSeconds: number;
  /** The ticket version planned from; Park compares it to catch a change made meanwhile. */
  version: number;
  cycle: number;
}

/**
 * An execution hands over after this long: well inside the one-year limit, and every wait is
 * cut short to end by then, so the hand-over never waits on a long SLA target.
 */
export const REPLACE_AFTER_MS = 300 * 86_400_000;
/**
 * …or after this many plans. One cycle (Plan, Choice, the wait, Act, Notify with a few
 * retries) writes at most ~60 history events, so 300 cycles stay far below 25,000.
 */
export const REPLACE_AFTER_CYCLES = 300;

/** Step Functions timeouts are whole seconds of at least 1; rounding up never acts early. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export async function handler(event: unknown): Promise<PlanResult> {
  const input = PlanEvent.parse(event);
  const rt = getRuntime();
  const ticket = await rt.store.getTicket(input.ticketId);
  const now = Date.now();
  const decision = decide(rt, ticket, input, now);
  if (decision.action === 'replaced') await replaceTicketExecution(ticket!);
  return { ticketId: input.ticketId, version: ticket?.version ?? 0, cycle: input.cycle + 1, ...decision };
}

/** The decision alone (no I/O besides the clock's policy), so it can be tested on its own. */
export function decide(rt: Pick<Runtime, 'policy' | 'planner'>, ticket: Ticket | undefined, input: PlanInput, now: number): { action: PlanAction; waitSeconds: number } {
  const end = { action: 'end', waitSeconds: 0 } as const;
  const act = { action: 'act', waitSeconds: 0 } as const;
  if (!ticket) return end;
  // A newer run took over (a replacement, or the reconciler restarting a failed run): one clock per ticket.
  if (executionName(ticket) !== input.execution) return end;
  // Mail owed for a change is sent even when that change closed the ticket.
  if (ticket.outbox?.length) return act;
  if (ticket.status === 'closed') return end;
  // A new ticket's first Plan: Act sends the intake acknowledgement (and anything due with it).
  if (acknowledgementDue(ticket)) return act;
  const handOverAt = Date.parse(input.startedAt) + REPLACE_AFTER_MS;
  if (input.cycle >= REPLACE_AFTER_CYCLES || now >= handOverAt) return { action: 'replaced', waitSeconds: 0 };
  const next = nextSlaEvent(ticket, rt, now);
  if (next && next.at <= now) return act;
  // Nothing scheduled (no target, paused, all met) yet open: the clock waits for the next change,
  // or until the hand-over; so does a target further away than that.
  return { action: 'wait', waitSeconds: secondsUntil(Math.min(next?.at ?? Infinity, handOverAt), now) };
}
