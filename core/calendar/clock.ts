/**
 * The SLA clock: business-time arithmetic on a calendar.
 *
 * A calendar is compiled into a sorted list of open intervals in UTC (built per local day
 * with luxon, so a 23- or 25-hour DST day is exactly as long as it is) plus the running
 * total of open time before each interval. "Where is 4 open hours after t" is then two
 * binary searches, not a walk over minutes. Intervals are compiled lazily, a few weeks of local
 * days around the first question and more as questions reach further, so the first deadline
 * of a cold Lambda costs a few weeks of days, not years.
 */
import { IANAZone } from 'luxon';
import type { CalendarSpec } from '../policy/schema';
import { WEEKDAYS } from '../policy/vocabulary';
import { closedDates } from './holidays';

/** A span during which the clock does not run (e.g. waiting on the customer); [from, to). */
export interface Pause {
  from: number;
  to: number;
}

/** The part of a calendar the clock needs; `timeZone` may be overridden per query. */
export type ClockCalendar = Pick<CalendarSpec, 'timeZone' | 'alwaysOpen' | 'hours' | 'holidays'>;

/** How far past a start a target may search for open time before the calendar is declared (nearly) never open. */
const YEARS_AHEAD_LIMIT = 50;
/** Days compiled after the day of a fresh clock's first question: enough for a day's or a week's target. */
const DAYS_AHEAD_FIRST = 14;
/** A question this many days away from the compiled days starts a new window instead of compiling the gap. */
const DAYS_TO_BRIDGE = 366;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export class BusinessClock {
  private starts: number[] = [];
  private ends: number[] = [];
  /** Open milliseconds before interval i (from the start of the compiled days). */
  private before: number[] = [];
  /** The compiled local days, as days since the epoch of their dates; none while lastDay < firstDay. */
  private firstDay = 0;
  private lastDay = -1;
  private coveredFrom = Infinity;
  private coveredTo = -Infinity;
  private readonly zone: IANAZone;
  private readonly closedByYear = new Map<number, Set<string>>();

  constructor(private readonly calendar: ClockCalendar) {
    this.zone = IANAZone.create(calendar.timeZone);
  }

  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** The instant `durationMs` of open time after `start`, not counting paused spans. */
  due(start: number, durationMs: number, pauses: readonly Pause[] = []): number {
    if (!(durationMs >= 0)) throw new RangeError(`duration must be zero or more, got ${durationMs}`);
    if (durationMs === 0) return start;
    if (pauses.length === 0) return this.dueUnpaused(start, durationMs);
    let cursor = start;
    let remaining = durationMs;
    for (const pause of mergePauses(pauses)) {
      if (pause.to <= cursor) continue;
      if (pause.from > cursor) {
        const open = this.openBetween(cursor, pause.from);
        if (open >= remaining) return this.dueUnpaused(cursor, remaining);
        remaining -= open;
      }
      cursor = Math.max(cursor, pause.to);
    }
    return this.dueUnpaused(cursor, remaining);
  }

  /** Open time between two instants, not counting paused spans (0 when `to` is not after `from`). */
  elapsed(from: number, to: number, pauses: readonly Pause[] = []): number {
    if (!(to > from)) return 0;
    let total = this.openBetween(from, to);
    for (const pause of mergePauses(pauses)) {
      const a = Math.max(pause.from, from);
      const b = Math.min(pause.to, to);
      if (b > a) total -= this.openBetween(a, b);
    }
    return total;
  }

  /** The open spans that meet [from, to), each cut to it, in order (what a client needs to count business time itself). */
  openIntervals(from: number, to: number): [number, number][] {
    if (!(to > from)) return [];
    if (this.calendar.alwaysOpen) return [[from, to]];
    this.cover(from, to);
    const out: [number, number][] = [];
    for (let i = Math.max(this.lastStartAtOrBefore(from), 0); i < this.starts.length && this.starts[i]! < to; i++) {
      const start = Math.max(this.starts[i]!, from);
      const end = Math.min(this.ends[i]!, to);
      if (end > start) out.push([start, end]);
    }
    return out;
  }

  isOpen(at: number): boolean {
    if (this.calendar.alwaysOpen) return true;
    this.cover(at, at);
    const i = this.lastStartAtOrBefore(at);
    return i >= 0 && at < this.ends[i]!;
  }

  /** `at` itself when open, otherwise the next opening. */
  nextOpen(at: number): number {
    if (this.isOpen(at)) return at;
    for (;;) {
      const i = this.lastStartAtOrBefore(at) + 1;
      if (i < this.starts.length) return this.starts[i]!;
      this.extendForward(at);
    }
  }

  private dueUnpaused(start: number, durationMs: number): number {
    if (this.calendar.alwaysOpen) return start + durationMs;
    this.cover(start, start);
    const target = this.position(start) + durationMs;
    for (;;) {
      const j = this.firstEndingAtOrAfter(target);
      if (j < this.starts.length) return this.starts[j]! + (target - this.before[j]!);
      this.extendForward(start);
    }
  }

  private openBetween(from: number, to: number): number {
    if (this.calendar.alwaysOpen) return to - from;
    this.cover(from, to);
    return this.position(to) - this.position(from);
  }

  /** Open time from the start of the covered range up to `at`. */
  private position(at: number): number {
    const i = this.lastStartAtOrBefore(at);
    if (i < 0) return 0;
    return this.before[i]! + Math.min(at, this.ends[i]!) - this.starts[i]!;
  }

  private lastStartAtOrBefore(at: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private firstEndingAtOrAfter(openPosition: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before[mid]! + (this.ends[mid]! - this.starts[mid]!) < openPosition) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Compiles the local days around [from, to] that are not compiled yet. */
  private cover(from: number, to: number): void {
    if (from >= this.coveredFrom && to < this.coveredTo) return;
    const first = this.localDay(from) - 1;
    const last = this.localDay(to) + 1;
    if (this.lastDay < this.firstDay || first > this.lastDay + DAYS_TO_BRIDGE || last < this.firstDay - DAYS_TO_BRIDGE) {
      // Nothing compiled, or far from what is: start afresh here rather than compile the years between.
      this.firstDay = first;
      this.lastDay = first - 1;
      this.starts = [];
      this.ends = [];
      this.appendDays(first, last + DAYS_AHEAD_FIRST);
      return;
    }
    if (first < this.firstDay) this.prependDays(Math.min(first, this.firstDay - (this.lastDay - this.firstDay + 1)));
    if (last > this.lastDay) this.appendDays(this.lastDay + 1, Math.max(last, this.lastDay + (this.lastDay - this.firstDay + 1)));
  }

  /** More days after the compiled ones, twice as many each time, for a target that runs past them. */
  private extendForward(from: number): void {
    if (this.lastDay - this.localDay(from) >= YEARS_AHEAD_LIMIT * 366) {
      throw new RangeError(`the calendar has too little open time: no target end found within ${YEARS_AHEAD_LIMIT} years`);
    }
    this.appendDays(this.lastDay + 1, this.lastDay + Math.max(28, this.lastDay - this.firstDay + 1));
  }

  private appendDays(firstDay: number, lastDay: number): void {
    const added = this.compileDays(firstDay, lastDay);
    const joined = joinIntervals(this.starts, this.ends, added.starts, added.ends);
    this.setIntervals(joined.starts, joined.ends, this.firstDay, lastDay);
  }

  private prependDays(firstDay: number): void {
    const added = this.compileDays(firstDay, this.firstDay - 1);
    const joined = joinIntervals(added.starts, added.ends, this.starts, this.ends);
    this.setIntervals(joined.starts, joined.ends, firstDay, this.lastDay);
  }

  private setIntervals(starts: number[], ends: number[], firstDay: number, lastDay: number): void {
    this.starts = starts;
    this.ends = ends;
    this.before = new Array<number>(starts.length);
    let open = 0;
    for (let i = 0; i < starts.length; i++) {
      this.before[i] = open;
      open += ends[i]! - starts[i]!;
    }
    this.firstDay = firstDay;
    this.lastDay = lastDay;
    this.coveredFrom = localInstant(this.zone, firstDay * DAY_MS, '00:00');
    this.coveredTo = localInstant(this.zone, (lastDay + 1) * DAY_MS, '00:00');
  }

  /** The open intervals of the local days firstDay..lastDay, in order, touching ones merged. */
  private compileDays(firstDay: number, lastDay: number): { starts: number[]; ends: number[] } {
    const starts: number[] = [];
    const ends: number[] = [];
    for (let dayNumber = firstDay; dayNumber <= lastDay; dayNumber++) {
      // Walk local dates as plain calendar dates; only instants need the zone.
      const date = dayNumber * DAY_MS;
      const day = new Date(date);
      const ranges = this.calendar.hours?.[WEEKDAYS[(day.getUTCDay() + 6) % 7]!] ?? [];
      if (ranges.length === 0 || this.closedDates(day.getUTCFullYear()).has(day.toISOString().slice(0, 10))) continue;
      // Most days no clock change is near: one offset for the whole day, each instant checked once.
      const offset = this.zone.offset(date - DAY_MS);
      const steady = offset === this.zone.offset(date + 2 * DAY_MS);
      const instant = (hhmm: string) => {
        if (steady) {
          const wall = wallTime(date, hhmm);
          const guess = wall - offset * 60_000;
          if (this.zone.offset(guess) === offset) return guess;
        }
        return localInstant(this.zone, date, hhmm);
      };
      for (const [from, to] of [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const start = instant(from);
        const end = instant(to);
        if (end <= start) continue;
        const last = ends.length - 1;
        if (last >= 0 && start <= ends[last]!) ends[last] = Math.max(ends[last]!, end);
        else {
          starts.push(start);
          ends.push(end);
        }
      }
    }
    return { starts, ends };
  }

  private closedDates(year: number): Set<string> {
    let closed = this.closedByYear.get(year);
    if (!closed) {
      closed = this.calendar.holidays ? closedDates(this.calendar.holidays, year) : new Set<string>();
      this.closedByYear.set(year, closed);
    }
    return closed;
  }

  /** The local date of an instant, as days since the epoch. */
  private localDay(at: number): number {
    return Math.floor((at + this.zone.offset(at) * 60_000) / DAY_MS);
  }
}

/** Two ordered runs of intervals, the second after the first, as one; intervals that meet at the seam merge. */
function joinIntervals(aStarts: number[], aEnds: number[], bStarts: number[], bEnds: number[]): { starts: number[]; ends: number[] } {
  const starts = aStarts.slice();
  const ends = aEnds.slice();
  let from = 0;
  const last = ends.length - 1;
  if (last >= 0 && bStarts.length > 0 && bStarts[0]! <= ends[last]!) {
    ends[last] = Math.max(ends[last]!, bEnds[0]!);
    from = 1;
  }
  for (let i = from; i < bStarts.length; i++) {
    starts.push(bStarts[i]!);
    ends.push(bEnds[i]!);
  }
  return { starts, ends };
}

/**
 * The instant a local wall-clock time ("HH:MM", "24:00" = next midnight) of a local date
 * (given as that date's UTC midnight) happens in a zone. Opening and closing times alike:
 * - a time the clocks skip (spring forward) is the instant they jump: 02:30 is 03:00 daylight time;
 * - a time they show twice (fall back) is its first occurrence. An opening time opens when the
 *   clock first shows it and the range stays open through the repeat; a closing time closes when
 *   the clock first shows it and the range does not reopen when the clock is set back, as a
 *   customer reading the wall clock expects ("until 01:30": the desk has gone home by the second
 *   01:00–01:29). test/support/minute-stepping.ts states the same rule minute by minute.
 */
export function localInstant(zone: IANAZone, dateUtcMidnight: number, hhmm: string): number {
  const wall = wallTime(dateUtcMidnight, hhmm);
  const earlier = zone.offset(wall - DAY_MS);
  const later = zone.offset(wall + DAY_MS);
  const readings = [...new Set([earlier, later])].map((offset) => wall - offset * 60_000).filter((instant) => instant + zone.offset(instant) * 60_000 === wall);
  if (readings.length > 0) return Math.min(...readings);
  // In a gap: the first instant whose wall clock is at or past the requested time.
  let lo = wall - Math.max(earlier, later) * 60_000;
  let hi = wall - Math.min(earlier, later) * 60_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + zone.offset(mid) * 60_000 >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A local wall-clock time ("HH:MM") of a local date (its UTC midnight) as if the zone were UTC. */
function wallTime(dateUtcMidnight: number, hhmm: string): number {
  return dateUtcMidnight + Number(hhmm.slice(0, 2)) * HOUR_MS + Number(hhmm.slice(3)) * 60_000;
}

function mergePauses(pauses: readonly Pause[]): Pause[] {
  const sorted = pauses.filter((pause) => pause.to > pause.from).sort((a, b) => a.from - b.from);
  const merged: Pause[] = [];
  for (const pause of sorted) {
    const last = merged[merged.length - 1];
    if (last && pause.from <= last.to) last.to = Math.max(last.to, pause.to);
    else merged.push({ ...pause });
  }
  return merged;
}
