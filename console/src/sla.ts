/**
 * The SLA badges of a case: one per running objective (first response, next response,
 * resolution, status update), each with its state in words and a symbol, so colour is never the
 * only signal. Time left (or overdue) is business time: the open hours of the objective's
 * calendar between now and the due instant (GET /policy/desk, desk.ts), so a case due Monday
 * 10:00 reads "1h left" on Friday evening, not "2d 15h". Where the desk's window of open hours
 * does not reach, it is wall-clock time, and says so.
 */
import type { DeskPolicy, Objective, Ticket } from './api/types';
import { alwaysOpen, businessTime } from './desk';

export type BadgeState = 'ok' | 'warning' | 'overdue' | 'paused';

export interface Badge {
  key: string;
  label: string;
  state: BadgeState;
  /** e.g. "2h 5m left", "overdue 15m", "paused"; business time unless `wallClock`. */
  text: string;
  /** The time given is wall-clock time (no open hours known for the calendar at that distance). */
  wallClock?: boolean;
  due?: string;
}

const OBJECTIVES: [keyof Ticket['sla'], string][] = [
  ['firstResponse', 'First response'],
  ['nextResponse', 'Next response'],
  ['resolution', 'Resolution'],
  ['statusUpdate', 'Status update'],
];

export const SYMBOL: Record<BadgeState, string> = { ok: '◷', warning: '⚠', overdue: '✖', paused: '⏸' };

export function badges(ticket: Ticket, now: number, desk?: DeskPolicy): Badge[] {
  const paused = ticket.sla.pauses.some((pause) => !pause.to);
  const out: Badge[] = [];
  for (const [key, label] of OBJECTIVES) {
    const objective = ticket.sla[key] as Objective | undefined;
    if (!objective || objective.metAt || objective.stoppedAt) continue;
    if (objective.due === null) {
      if (paused) out.push({ key, label, state: 'paused', text: 'paused' });
      continue;
    }
    const due = Date.parse(objective.due);
    const late = due < now;
    const business = late ? businessTime(desk, objective.calendar, due, now) : businessTime(desk, objective.calendar, now, due);
    const amount = business ?? Math.abs(due - now);
    // Business time is told in hours (a "day" of open time would read as 24 of them); always-open calendars read as the wall clock does.
    const words = business === undefined || alwaysOpen(desk, objective.calendar) ? duration(amount) : hours(amount);
    const state: BadgeState = objective.breachedAt || late ? 'overdue' : objective.warnedAt ? 'warning' : 'ok';
    out.push({ key, label, state, text: late ? `overdue ${words}` : `${words} left`, due: objective.due, ...(business === undefined ? { wallClock: true } : {}) });
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

/** "26h 5m", "45m", "<1m": open time, in hours and minutes. */
export function hours(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m';
  const whole = Math.floor(minutes / 60);
  return whole > 0 ? `${whole}h ${minutes % 60}m` : `${minutes}m`;
}

/** An instant in a zone, e.g. "Tue 14 May, 14:30 CEST". */
export function when(iso: string, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
      ...(timeZone ? { timeZone } : {}),
    }).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString();
  }
}

export const agentZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
