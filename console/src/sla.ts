/**
 * The SLA badges of a case: one per running objective (first response, next response,
 * resolution, status update), each with its state in words and a symbol, so colour is never the
 * only signal. Time left is wall-clock time to the due instant the API computed in business
 * time (the due instant already skips nights, weekends and holidays of the plan's calendar).
 */
import type { Objective, Ticket } from './api/types';

export type BadgeState = 'ok' | 'warning' | 'overdue' | 'paused';

export interface Badge {
  key: string;
  label: string;
  state: BadgeState;
  /** e.g. "2h 5m left", "overdue 15m", "paused". */
  text: string;
  due?: string;
}

const OBJECTIVES: [keyof Ticket['sla'], string][] = [
  ['firstResponse', 'First response'],
  ['nextResponse', 'Next response'],
  ['resolution', 'Resolution'],
  ['statusUpdate', 'Status update'],
];

export const SYMBOL: Record<BadgeState, string> = { ok: '◷', warning: '⚠', overdue: '✖', paused: '⏸' };

export function badges(ticket: Ticket, now: number): Badge[] {
  const paused = ticket.sla.pauses.some((pause) => !pause.to);
  const out: Badge[] = [];
  for (const [key, label] of OBJECTIVES) {
    const objective = ticket.sla[key] as Objective | undefined;
    if (!objective || objective.metAt || objective.stoppedAt) continue;
    if (objective.due === null) {
      if (paused) out.push({ key, label, state: 'paused', text: 'paused' });
      continue;
    }
    const left = Date.parse(objective.due) - now;
    const state: BadgeState = objective.breachedAt || left < 0 ? 'overdue' : objective.warnedAt ? 'warning' : 'ok';
    out.push({ key, label, state, text: left < 0 ? `overdue ${duration(-left)}` : `${duration(left)} left`, due: objective.due });
  }
  return out;
}

/** "3d 4h", "2h 5m", "12m", "<1m". */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  return `${mins}m`;
}

/** An instant in a zone, e.g. "Tue 14 May, 14:30 CEST". */
export function when(iso: string, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString();
  }
}

export const agentZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
