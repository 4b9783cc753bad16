/**
 * A deliberately simple reference implementation of the SLA clock, used as the test oracle
 * and as the benchmark baseline. It shares nothing with core/calendar/clock.ts except the
 * holiday data lookup (closedDates): it walks forward one minute at a time and, for every
 * minute, asks "is this minute open?" from the local weekday, local time of day and local
 * date in the calendar's zone (luxon's zone offset), never from compiled intervals.
 *
 * Everything works at minute granularity: starts, durations and pause bounds must be whole
 * minutes (the tests only use such inputs), and minute m stands for the span [m, m + 1 min).
 *
 * Semantics (the ones BusinessClock must match):
 *  - due(t, 0) = t;
 *  - due(t, d > 0) = the instant at which the d-th open, unpaused millisecond ends, so the
 *    result may be exactly a closing time (17:00), never the next opening;
 *  - pauses are [from, to): the minute starting at `from` is paused, the one at `to` is not;
 *  - a minute is read at the latest wall-clock time the zone has shown so far: when clocks go
 *    back, the repeated minutes read as the last minute before the change. So an opening time
 *    the clock shows twice opens at its first showing and stays open through the repeat, and a
 *    closing time it shows twice closes at its first showing and does not reopen for the
 *    repeat (core/calendar/clock.ts localInstant). A time the clocks skip is reached when they jump.
 */
import { IANAZone } from 'luxon';
import type { ClockCalendar, Pause } from '../../core/calendar/clock';
import { closedDates } from '../../core/calendar/holidays';

export const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Longer than any fall-back (Antarctica/Troll's is 2 hours): how far back a later reading can have been shown. */
const FALL_BACK_WINDOW = 3 * HOUR;
/** Give up after this many minutes (about 12 years) rather than loop forever. */
const MAX_STEPS = 12 * 366 * 24 * 60;

/** Local weekday keys by JavaScript's getUTCDay() number (0 = Sunday). */
const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function minuteOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function assertWholeMinutes(what: string, value: number): void {
  if (!Number.isFinite(value) || value % MINUTE !== 0) {
    throw new RangeError(`minute-stepping reference: ${what} must be a whole number of minutes, got ${value}`);
  }
}

/**
 * The per-calendar state: the zone, and caches that only save repeated look-ups
 * (the closed dates of a year; the zone offset over one UTC hour).
 */
class MinuteOracle {
  private readonly zone: IANAZone;
  private readonly closedByYear = new Map<number, Set<string>>();
  /** Per UTC hour: the zone's offset in it, or NaN when the offset changes within that hour. */
  private readonly offsetByHour = new Map<number, number>();

  constructor(private readonly calendar: ClockCalendar) {
    this.zone = IANAZone.create(calendar.timeZone);
    if (!this.zone.isValid) throw new RangeError(`not an IANA zone: ${calendar.timeZone}`);
  }

  /**
   * The zone's UTC offset in minutes at `ms`. Asking luxon for every minute is slow, so the
   * offset is looked up at both ends of the UTC hour holding `ms`; when they agree the hour
   * has no transition and one value serves all its minutes, otherwise every minute is asked.
   */
  private offsetMinutes(ms: number): number {
    const hour = Math.floor(ms / HOUR) * HOUR;
    let offset = this.offsetByHour.get(hour);
    if (offset === undefined) {
      const first = this.zone.offset(hour);
      offset = this.zone.offset(hour + HOUR - 1) === first ? first : NaN;
      if (this.offsetByHour.size > 200_000) this.offsetByHour.clear();
      this.offsetByHour.set(hour, offset);
    }
    return Number.isNaN(offset) ? this.zone.offset(ms) : offset;
  }

  private closed(year: number): Set<string> {
    let dates = this.closedByYear.get(year);
    if (!dates) {
      dates = this.calendar.holidays ? closedDates(this.calendar.holidays, year) : new Set<string>();
      this.closedByYear.set(year, dates);
    }
    return dates;
  }

  /** The wall-clock reading of the minute at `ms`, as epoch ms whose UTC fields are the local ones. */
  private wallReading(ms: number): number {
    return ms + this.offsetMinutes(ms) * MINUTE;
  }

  /**
   * The latest wall-clock reading shown at or before `ms`: the minute's own, except in the
   * minutes a fall-back repeats, where the clock showed later times already. Only then (the
   * offset FALL_BACK_WINDOW ago is larger) are the minutes before it read one by one.
   */
  private readingSoFar(ms: number): number {
    const own = this.wallReading(ms);
    if (this.offsetMinutes(ms - FALL_BACK_WINDOW) <= this.offsetMinutes(ms)) return own;
    let latest = own;
    for (let earlier = ms - MINUTE; earlier >= ms - FALL_BACK_WINDOW; earlier -= MINUTE) {
      latest = Math.max(latest, this.wallReading(earlier));
    }
    return latest;
  }

  /** Whether the minute [ms, ms + 1 min) is open on the calendar. */
  isOpenMinute(ms: number): boolean {
    if (this.calendar.alwaysOpen) return true;
    // Wall-clock fields in the zone: shift by the offset and read the fields as UTC.
    const local = new Date(this.readingSoFar(ms));
    const ranges = this.calendar.hours?.[DAY_KEYS[local.getUTCDay()]!] ?? [];
    if (ranges.length === 0) return false;
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    const inRange = ranges.some(([from, to]) => minuteOfDay(from) <= minute && minute < minuteOfDay(to));
    if (!inRange) return false;
    const isoDate = local.toISOString().slice(0, 10);
    return !this.closed(local.getUTCFullYear()).has(isoDate);
  }
}

function isPaused(ms: number, pauses: readonly Pause[]): boolean {
  return pauses.some((pause) => pause.from <= ms && ms < pause.to);
}

const oracles = new WeakMap<ClockCalendar, MinuteOracle>();
function oracleFor(calendar: ClockCalendar): MinuteOracle {
  let oracle = oracles.get(calendar);
  if (!oracle) {
    oracle = new MinuteOracle(calendar);
    oracles.set(calendar, oracle);
  }
  return oracle;
}

/** Whether the minute starting at `ms` is open (ms must be a whole minute). */
export function referenceIsOpen(calendar: ClockCalendar, ms: number): boolean {
  assertWholeMinutes('instant', ms);
  return oracleFor(calendar).isOpenMinute(ms);
}

/** The end of the `durationMs`-th open, unpaused millisecond after `startMs`, stepping minute by minute. */
export function referenceDue(calendar: ClockCalendar, startMs: number, durationMs: number, pauses: readonly Pause[] = []): number {
  assertWholeMinutes('start', startMs);
  assertWholeMinutes('duration', durationMs);
  for (const pause of pauses) {
    assertWholeMinutes('pause.from', pause.from);
    assertWholeMinutes('pause.to', pause.to);
  }
  if (durationMs < 0) throw new RangeError(`duration must be zero or more, got ${durationMs}`);
  if (durationMs === 0) return startMs;
  const oracle = oracleFor(calendar);
  let remaining = durationMs / MINUTE;
  let minute = startMs;
  for (let step = 0; step < MAX_STEPS; step++, minute += MINUTE) {
    if (oracle.isOpenMinute(minute) && !isPaused(minute, pauses)) {
      remaining -= 1;
      if (remaining === 0) return minute + MINUTE;
    }
  }
  throw new RangeError('minute-stepping reference: no deadline found within 12 years');
}

/** Open, unpaused time in [fromMs, toMs), counted minute by minute (0 when toMs is not after fromMs). */
export function referenceElapsed(calendar: ClockCalendar, fromMs: number, toMs: number, pauses: readonly Pause[] = []): number {
  assertWholeMinutes('from', fromMs);
  assertWholeMinutes('to', toMs);
  for (const pause of pauses) {
    assertWholeMinutes('pause.from', pause.from);
    assertWholeMinutes('pause.to', pause.to);
  }
  const oracle = oracleFor(calendar);
  let open = 0;
  for (let minute = fromMs; minute < toMs; minute += MINUTE) {
    if (oracle.isOpenMinute(minute) && !isPaused(minute, pauses)) open += MINUTE;
  }
  return open;
}
