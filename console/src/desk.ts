/**
 * What the console knows of the desk's policy (GET /policy/desk, staff only): tier names for
 * views, rows and the escalation form, and each calendar's open hours around now, from which a
 * badge counts time left in business time rather than on the wall clock.
 */
import type { DeskPolicy } from './api/types';

/** A tier's name as the policy writes it ("3rd Tier Support"), else its id. */
export function tierName(desk: DeskPolicy | undefined, id: string): string {
  return desk?.tiers.find((tier) => tier.id === id)?.name ?? id;
}

/**
 * Open time of `calendarId` between two instants (ms), or undefined when the desk's window of
 * open hours does not cover them (the badge then falls back to the wall clock).
 */
export function businessTime(desk: DeskPolicy | undefined, calendarId: string | undefined, from: number, to: number): number | undefined {
  const calendar = calendarOf(desk, calendarId);
  if (!calendar || !(to >= from)) return undefined;
  if (calendar.alwaysOpen) return to - from;
  if (from < Date.parse(calendar.from) || to > Date.parse(calendar.to)) return undefined;
  let total = 0;
  for (const span of calendar.open) {
    const start = Math.max(Date.parse(span.from), from);
    const end = Math.min(Date.parse(span.to), to);
    if (end > start) total += end - start;
  }
  return total;
}

/** Whether the calendar counts every hour (then business time is wall-clock time and needs no saying). */
export const alwaysOpen = (desk: DeskPolicy | undefined, calendarId: string | undefined): boolean => calendarOf(desk, calendarId)?.alwaysOpen === true;

const calendarOf = (desk: DeskPolicy | undefined, calendarId: string | undefined) => (calendarId ? desk?.calendars.find((candidate) => candidate.id === calendarId) : undefined);
