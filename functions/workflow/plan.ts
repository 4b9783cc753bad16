/**
 * Plan (statemachines/ticket-lifecycle.asl.json): what the ticket's execution does next —
 * wait until the next SLA event, act on one that is due, or end (ticket closed or gone).
 * Everything is read from the stored ticket, so a restarted execution plans the same.
 */
import { z } from 'zod';
import { acknowledgementDue } from '../../core/notifications/acknowledgement';
import { nextSlaEvent } from '../../core/sla/schedule';
import { getRuntime } from '../shared/runtime';

const PlanEvent = z.object({ ticketId: z.string().min(1) });

export interface PlanResult {
  ticketId: string;
  action: 'wait' | 'act' | 'end';
  /** Seconds until the next event (wait), else 0; the state machine always selects it. */
  waitSeconds: number;
  /** The ticket version planned from; Park compares it to catch a change made meanwhile. */
  version: number;
}

/** Step Functions timeouts are whole seconds of at least 1; rounding up never acts early. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export async function handler(event: unknown): Promise<PlanResult> {
  const { ticketId } = PlanEvent.parse(event);
  const rt = getRuntime();
  const ticket = await rt.store.getTicket(ticketId);
  if (!ticket || ticket.status === 'closed') return { ticketId, action: 'end', waitSeconds: 0, version: ticket?.version ?? 0 };
  // A new ticket's first Plan: Act sends the intake acknowledgement (and anything due with it).
  if (acknowledgementDue(ticket)) return { ticketId, action: 'act', waitSeconds: 0, version: ticket.version };
  const now = Date.now();
  const next = nextSlaEvent(ticket, rt, now);
  // Nothing scheduled (no target, paused, all met) yet open: the clock waits for the next
  // change, as long as a token may wait (a year; the reconciler replaces it before then).
  if (!next) return { ticketId, action: 'wait', waitSeconds: MAX_WAIT_SECONDS, version: ticket.version };
  if (next.at <= now) return { ticketId, action: 'act', waitSeconds: 0, version: ticket.version };
  return { ticketId, action: 'wait', waitSeconds: secondsUntil(next.at, now), version: ticket.version };
}

/** 360 days: under Step Functions' one-year execution limit. */
export const MAX_WAIT_SECONDS = 360 * 86_400;
