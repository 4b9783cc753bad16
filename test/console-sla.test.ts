/**
 * The console's SLA badges (console/src/sla.ts, desk.ts): time left and overdue are told in
 * business time, counted over the open hours GET /policy/desk serves (BusinessClock.openIntervals,
 * the clock the SLA itself runs on), and fall back to the wall clock, saying so, outside them.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { DeskPolicy, Ticket } from '../console/src/api/types';
import { badges } from '../console/src/sla';
import { BusinessClock, type ClockCalendar } from '../core/calendar/clock';

const BERLIN = 'Europe/Berlin';
const at = (local: string) => DateTime.fromISO(local, { zone: BERLIN }).toMillis();
const office: ClockCalendar = {
  timeZone: BERLIN,
  alwaysOpen: false,
  hours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
};

/** The desk as GET /policy/desk answers it at `now`: the office calendar's open hours 7 days back to 21 ahead, and a 24/7 one. */
function deskAt(now: number): DeskPolicy {
  const from = Math.floor(now / 3_600_000) * 3_600_000 - 7 * 86_400_000;
  const to = from + 28 * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    tiers: [],
    severities: [],
    caseReasons: [],
    calendars: [
      { id: 'office', timeZone: BERLIN, alwaysOpen: false, from: iso(from), to: iso(to), open: new BusinessClock(office).openIntervals(from, to).map(([a, b]) => ({ from: iso(a), to: iso(b) })) },
      { id: 'always', timeZone: BERLIN, alwaysOpen: true, from: iso(from), to: iso(to), open: [{ from: iso(from), to: iso(to) }] },
    ],
  };
}

function ticketDue(due: number, calendar: string, extra: Record<string, unknown> = {}): Ticket {
  return { sla: { pauses: [], firstResponse: { within: '4h', calendar, startedAt: new Date(due - 4 * 3_600_000).toISOString(), due: new Date(due).toISOString(), ...extra } } } as unknown as Ticket;
}

describe('SLA badges in business time', () => {
  it('a case due Monday 10:00 reads "2h 0m left" on Friday at 16:00, not the 66 hours on the wall clock', () => {
    const now = at('2026-12-04T16:00');
    const [badge] = badges(ticketDue(at('2026-12-07T10:00'), 'office'), now, deskAt(now));
    expect(badge).toMatchObject({ label: 'First response', state: 'ok', text: '2h 0m left' });
    expect(badge!.wallClock).toBeUndefined();
  });

  it('overdue since Friday 16:30, on Monday at 09:45: overdue 1h 15m of business time', () => {
    const now = at('2026-12-07T09:45');
    const [badge] = badges(ticketDue(at('2026-12-04T16:30'), 'office', { breachedAt: new Date(at('2026-12-04T16:30')).toISOString() }), now, deskAt(now));
    expect(badge).toMatchObject({ state: 'overdue', text: 'overdue 1h 15m' });
  });

  it('business time beyond a day is told in hours (a day of open time is 8 of them here)', () => {
    const now = at('2026-12-01T09:00');
    const [badge] = badges(ticketDue(at('2026-12-04T13:00'), 'office'), now, deskAt(now));
    expect(badge!.text).toBe('28h 0m left');
  });

  it('a 24/7 calendar reads as the wall clock does, days included', () => {
    const now = at('2026-12-04T16:00');
    const [badge] = badges(ticketDue(at('2026-12-07T10:00'), 'always'), now, deskAt(now));
    expect(badge).toMatchObject({ text: '2d 18h left' });
    expect(badge!.wallClock).toBeUndefined();
  });

  it('beyond the window of open hours, or without the desk, the wall clock is used and the badge says so', () => {
    const now = at('2026-12-04T16:00');
    const far = badges(ticketDue(at('2027-02-01T10:00'), 'office'), now, deskAt(now))[0]!;
    expect(far.wallClock).toBe(true);
    expect(far.text).toMatch(/^\d+d \d+h left$/);
    const unknown = badges(ticketDue(at('2026-12-07T10:00'), 'office'), now, undefined)[0]!;
    expect(unknown).toMatchObject({ text: '2d 18h left', wallClock: true });
  });
});
