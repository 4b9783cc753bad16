/**
 * Benchmark of the SLA clock: due-date computations per second with BusinessClock
 * (core/calendar/clock.ts) against the minute-stepping reference (test/support), on one mix of
 * calendars and targets, in the same run. Also cross-checks that both give the same answers.
 *
 * Targets: ≥ 1,000,000 BusinessClock computations/s, and more than 100× the reference; the first
 * due date on a fresh clock (as a cold Lambda computes it: holidays from holidays.json) < 5 ms.
 *
 * Run alone with `npx tsx bench/calendar.ts`, or with the others through `npm run bench`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { BusinessClock, type ClockCalendar } from '../core/calendar/clock';
import { closedDates } from '../core/calendar/holidays';
import { holidayTableOf, type Region } from '../lib/holiday-data';
import { referenceDue } from '../test/support/minute-stepping';

export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const TARGET_RATE = 1_000_000;
const TARGET_RATIO = 100;
const TARGET_FIRST_DUE_MS = 5;
/** Due-date questions prepared for the BusinessClock loop (cycled through until the time is up). */
const CASES = 100_000;
/** Questions given to the minute-stepping reference (and cross-checked). */
const REFERENCE_SAMPLE = 200;
/** Measure BusinessClock for at least this long. */
const MEASURE_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// The mix: calendars (the ones the tests use) and targets
// ---------------------------------------------------------------------------------------------

type Ranges = [string, string][];
const weekdays = (ranges: Ranges) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });
const everyDay = (ranges: Ranges) => ({ ...weekdays(ranges), sat: ranges, sun: ranges });

interface BenchCalendar {
  name: string;
  calendar: ClockCalendar;
  /** Open time of one business day, for "2 business days". */
  businessDay: number;
}

const CALENDARS: BenchCalendar[] = [
  {
    name: 'New York Mon–Fri 09–12 + 13–17, US holidays + 2 dates',
    businessDay: 7 * HOUR,
    calendar: {
      timeZone: 'America/New_York',
      alwaysOpen: false,
      hours: weekdays([
        ['09:00', '12:00'],
        ['13:00', '17:00'],
      ]),
      holidays: { country: 'US', types: ['public'], dates: ['2026-12-24', '2026-12-31', '2027-12-24'] },
    },
  },
  {
    name: 'New York Mon–Fri 00:00–24:00',
    businessDay: 24 * HOUR,
    calendar: { timeZone: 'America/New_York', alwaysOpen: false, hours: weekdays([['00:00', '24:00']]) },
  },
  {
    name: 'Berlin Mon–Fri 09–17, DE-BY holidays + year-end closure',
    businessDay: 8 * HOUR,
    calendar: {
      timeZone: 'Europe/Berlin',
      alwaysOpen: false,
      hours: weekdays([['09:00', '17:00']]),
      holidays: {
        country: 'DE',
        state: 'BY',
        types: ['public'],
        dates: ['2026-12-24', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-12-24', '2027-12-31'],
      },
    },
  },
  {
    name: 'Sydney Mon–Fri 08:30–12:30 + 13:30–17:00, NSW holidays',
    businessDay: 7.5 * HOUR,
    calendar: {
      timeZone: 'Australia/Sydney',
      alwaysOpen: false,
      hours: weekdays([
        ['08:30', '12:30'],
        ['13:30', '17:00'],
      ]),
      holidays: { country: 'AU', state: 'NSW', types: ['public'], dates: [] },
    },
  },
  {
    name: 'Sydney every day 00:00–24:00 (DST days 23/25 h)',
    businessDay: 24 * HOUR,
    calendar: { timeZone: 'Australia/Sydney', alwaysOpen: false, hours: everyDay([['00:00', '24:00']]) },
  },
  {
    name: 'Kolkata Mon–Fri 09:30–13:00 + 14:00–18:30, explicit dates',
    businessDay: 8 * HOUR,
    calendar: {
      timeZone: 'Asia/Kolkata',
      alwaysOpen: false,
      hours: weekdays([
        ['09:30', '13:00'],
        ['14:00', '18:30'],
      ]),
      holidays: { types: ['public'], dates: ['2026-01-26', '2026-08-15', '2026-10-02', '2027-01-26', '2027-08-15'] },
    },
  },
  {
    name: 'Kolkata 24/7 (alwaysOpen)',
    businessDay: 24 * HOUR,
    calendar: { timeZone: 'Asia/Kolkata', alwaysOpen: true },
  },
];

const TARGETS = ['30m', '2h', '4h', '16h', '60h', '2bd across year-end'] as const;
const FIXED_TARGETS: Record<string, number> = { '30m': 30 * MINUTE, '2h': 2 * HOUR, '4h': 4 * HOUR, '16h': 16 * HOUR, '60h': 60 * HOUR };

/** A small seeded PRNG (mulberry32), so every run asks the same questions. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Cases {
  calendar: Uint8Array;
  target: Uint8Array;
  start: Float64Array;
  duration: Float64Array;
}

/** Random questions: a calendar, a target, and a whole-minute start over 2026–2027. */
function makeCases(count: number, seed: number): Cases {
  const random = prng(seed);
  const cases: Cases = {
    calendar: new Uint8Array(count),
    target: new Uint8Array(count),
    start: new Float64Array(count),
    duration: new Float64Array(count),
  };
  const from = Date.UTC(2026, 0, 1);
  const minutesInTwoYears = 2 * 365 * 24 * 60;
  for (let i = 0; i < count; i++) {
    const c = Math.floor(random() * CALENDARS.length);
    const t = Math.floor(random() * TARGETS.length);
    const target = TARGETS[t]!;
    cases.calendar[i] = c;
    cases.target[i] = t;
    if (target === '2bd across year-end') {
      // A start in the last three weeks of 2026 or 2027, local time.
      const year = random() < 0.5 ? 2026 : 2027;
      const dec10 = DateTime.fromObject({ year, month: 12, day: 10 }, { zone: CALENDARS[c]!.calendar.timeZone }).toMillis();
      cases.start[i] = dec10 + Math.floor(random() * 22 * 24 * 60) * MINUTE;
      cases.duration[i] = 2 * CALENDARS[c]!.businessDay;
    } else {
      cases.start[i] = from + Math.floor(random() * minutesInTwoYears) * MINUTE;
      cases.duration[i] = FIXED_TARGETS[target]!;
    }
  }
  return cases;
}

/** One pass of due() over every case; returns a checksum of the results so none is optimised away. */
function pass(clocks: readonly BusinessClock[], cases: Cases): number {
  let checksum = 0;
  const n = cases.start.length;
  for (let i = 0; i < n; i++) {
    checksum += clocks[cases.calendar[i]!]!.due(cases.start[i]!, cases.duration[i]!) % 1_000_003;
  }
  return checksum;
}

/**
 * What a cold Lambda pays for its first deadline on each calendar: holidays come from a
 * holidays.json (as lib/holiday-data.ts writes it at synth), each clock is fresh. The one-time
 * costs of the process (ICU's time-zone data, reading holidays.json) are measured apart.
 */
function firstDueOnFreshClocks(): { medianMs: number; worstMs: number; timeZoneDataMs: number; holidayTableMs: number } {
  const regions: Region[] = CALENDARS.flatMap(({ calendar }) => (calendar.holidays?.country ? [{ ...calendar.holidays, country: calendar.holidays.country }] : []));
  const dir = mkdtempSync(join(tmpdir(), 'tierdesk-bench-holidays-'));
  const file = join(dir, 'holidays.json');
  writeFileSync(file, JSON.stringify(holidayTableOf(regions)));
  const previous = process.env.TIERDESK_HOLIDAYS;
  process.env.TIERDESK_HOLIDAYS = file;
  try {
    let began = performance.now();
    new Intl.DateTimeFormat('en-US', { timeZone: 'Etc/GMT+5' }).format(0);
    const timeZoneDataMs = performance.now() - began;
    began = performance.now();
    closedDates({ country: regions[0]!.country, state: regions[0]!.state, types: ['public'], dates: [] }, 2026);
    const holidayTableMs = performance.now() - began;
    const times = CALENDARS.map(({ calendar }) => {
      const start = performance.now();
      new BusinessClock(calendar).due(Date.UTC(2026, 11, 4, 15, 7), 4 * HOUR);
      return performance.now() - start;
    }).sort((a, b) => a - b);
    return { medianMs: times[Math.floor(times.length / 2)]!, worstMs: times[times.length - 1]!, timeZoneDataMs, holidayTableMs };
  } finally {
    if (previous === undefined) delete process.env.TIERDESK_HOLIDAYS;
    else process.env.TIERDESK_HOLIDAYS = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);

export async function benchCalendar(): Promise<BenchResult> {
  const cold = firstDueOnFreshClocks();
  const clocks = CALENDARS.map((entry) => new BusinessClock(entry.calendar));

  // Warm up: every case once (covers all the years the cases reach), then a few passes for the JIT.
  const cases = makeCases(CASES, 20_260_101);
  let sink = 0;
  const warmUntil = performance.now() + 300;
  do sink += pass(clocks, cases);
  while (performance.now() < warmUntil);

  // Measure BusinessClock: whole passes over the cases until at least MEASURE_MS have passed.
  let computed = 0;
  const began = performance.now();
  let elapsedMs = 0;
  do {
    sink += pass(clocks, cases);
    computed += CASES;
    elapsedMs = performance.now() - began;
  } while (elapsedMs < MEASURE_MS);
  const clockRate = rate(computed, elapsedMs);

  // The reference on a smaller sample of the same mix (warmed up on other questions first).
  const warmCases = makeCases(20, 7);
  for (let i = 0; i < 20; i++) {
    sink += referenceDue(CALENDARS[warmCases.calendar[i]!]!.calendar, warmCases.start[i]!, warmCases.duration[i]!) % 1_000_003;
  }
  const sample = makeCases(REFERENCE_SAMPLE, 42);
  const expected = new Float64Array(REFERENCE_SAMPLE);
  const referenceBegan = performance.now();
  for (let i = 0; i < REFERENCE_SAMPLE; i++) {
    expected[i] = referenceDue(CALENDARS[sample.calendar[i]!]!.calendar, sample.start[i]!, sample.duration[i]!);
  }
  const referenceMs = performance.now() - referenceBegan;
  const referenceRate = (REFERENCE_SAMPLE / referenceMs) * 1000;
  const ratio = clockRate / referenceRate;

  // Cross-check: BusinessClock must agree with the reference on every sampled question.
  const mismatches: string[] = [];
  for (let i = 0; i < REFERENCE_SAMPLE; i++) {
    const got = clocks[sample.calendar[i]!]!.due(sample.start[i]!, sample.duration[i]!);
    sink += got % 1_000_003;
    if (got !== expected[i]) {
      mismatches.push(
        `${CALENDARS[sample.calendar[i]!]!.name}, start ${iso(sample.start[i]!)}, target ${TARGETS[sample.target[i]!]} ` +
          `(${sample.duration[i]! / MINUTE} min): BusinessClock ${iso(got)}, reference ${iso(expected[i]!)}`,
      );
    }
  }

  const rateMet = clockRate >= TARGET_RATE;
  const ratioMet = ratio > TARGET_RATIO;
  const firstDueMet = cold.worstMs < TARGET_FIRST_DUE_MS;
  console.log(`calendar: BusinessClock       ${clockRate.toLocaleString('en-US')} due computations/s (${computed.toLocaleString('en-US')} in ${(elapsedMs / 1000).toFixed(2)} s)`);
  console.log(`calendar: minute-stepping ref ${Math.round(referenceRate).toLocaleString('en-US')} due computations/s (${REFERENCE_SAMPLE} in ${(referenceMs / 1000).toFixed(2)} s)`);
  console.log(`calendar: ratio ${Math.round(ratio).toLocaleString('en-US')}×`);
  console.log(
    `calendar: first due() on a fresh clock ${cold.medianMs.toFixed(2)} ms median, ${cold.worstMs.toFixed(2)} ms worst of ${CALENDARS.length} calendars ` +
      `(once per process before: time-zone data ${cold.timeZoneDataMs.toFixed(1)} ms, holidays.json ${cold.holidayTableMs.toFixed(1)} ms)`,
  );
  console.log(`calendar: target ≥ ${TARGET_RATE.toLocaleString('en-US')}/s ${rateMet ? 'met' : 'TARGET MISSED'}; target ratio > ${TARGET_RATIO} ${ratioMet ? 'met' : 'TARGET MISSED'}`);
  if (mismatches.length > 0) {
    console.log(`calendar: ${mismatches.length} of ${REFERENCE_SAMPLE} sampled computations disagree with the reference:`);
    for (const line of mismatches) console.log(`  MISMATCH ${line}`);
  } else {
    console.log(`calendar: all ${REFERENCE_SAMPLE} sampled computations agree with the reference`);
  }

  return {
    name: 'calendar (SLA clock due dates)',
    figures: {
      'calendars × targets in the mix': `${CALENDARS.length} × ${TARGETS.length} (${TARGETS.join(', ')})`,
      'BusinessClock due/s': clockRate,
      'BusinessClock computations measured': computed,
      'BusinessClock seconds measured': Number((elapsedMs / 1000).toFixed(3)),
      'reference due/s (minute stepping)': Math.round(referenceRate),
      'reference sample size': REFERENCE_SAMPLE,
      'reference seconds measured': Number((referenceMs / 1000).toFixed(3)),
      'ratio BusinessClock / reference': Math.round(ratio),
      'mismatches with the reference': mismatches.length,
      'first due() on a fresh clock, ms, median of the calendars': Number(cold.medianMs.toFixed(2)),
      'first due() on a fresh clock, ms, worst calendar': Number(cold.worstMs.toFixed(2)),
      'once per process: first time-zone lookup (ICU data), ms': Number(cold.timeZoneDataMs.toFixed(1)),
      'once per process: holidays.json read, ms': Number(cold.holidayTableMs.toFixed(1)),
      [`target first due() < ${TARGET_FIRST_DUE_MS} ms`]: firstDueMet ? 'met' : 'TARGET MISSED',
      [`target ≥ ${TARGET_RATE.toLocaleString('en-US')} due/s`]: rateMet ? 'met' : 'TARGET MISSED',
      [`target ratio > ${TARGET_RATIO}`]: ratioMet ? 'met' : 'TARGET MISSED',
      'target: agrees with the reference': mismatches.length === 0 ? 'met' : 'TARGET MISSED',
      checksum: sink % 1_000_000_007,
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await benchCalendar();
  console.log(`\n${result.name}`);
  for (const [key, value] of Object.entries(result.figures)) {
    console.log(`  ${key.padEnd(56)} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`);
  }
}
