/**
 * Public holidays come from date-holidays (country / state / region data, maintained upstream),
 * so no holiday is hard-coded here.
 *
 * Two sources, one answer:
 * - Locally (tests, CLI, `npm start`, synth): date-holidays itself, every country's rules.
 * - In Lambda: TIERDESK_HOLIDAYS names a holidays.json generated at synth (lib/holiday-data.ts)
 *   from date-holidays for only the regions the policy's calendars name, each holiday type's
 *   dates over HOLIDAY_YEARS. date-holidays (~1.4 MB minified with the zone data and astronomy
 *   its engine needs) is loaded through createRequire, which esbuild leaves out of the bundles.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';

export interface HolidayRule {
  country?: string;
  state?: string;
  region?: string;
  types: readonly string[];
  dates: readonly (string | { date: string; name: string })[];
}

/** The years holidays.json holds: every year a ticket's clock plausibly reaches. */
export const HOLIDAY_YEARS = { from: 1990, to: 2150 } as const;

/**
 * holidays.json: per region (holidayRegionKey), per year, per date-holidays type, the
 * "YYYY-MM-DD" dates date-holidays gives for that year.
 */
export interface HolidayTable {
  source: string;
  years: [number, number];
  regions: Record<string, Record<string, Record<string, string[]>>>;
}

export function holidayRegionKey(country: string, state?: string, region?: string): string {
  return [country, state, region].filter(Boolean).join('/');
}

/** Names the field that date-holidays does not know, or nothing when the region exists. */
export function holidayRegionProblem(country: string, state?: string, region?: string): { field: 'country' | 'state' | 'region'; message: string } | undefined {
  const table = holidayTable();
  // In Lambda the policy was checked against the whole catalogue at synth; what is left to
  // check is that this bundle's holidays.json has the region (it holds every one the policy names).
  if (table) return tableRegionProblem(table, country, state, region);
  const catalogue = new (engine())();
  const countries = catalogue.getCountries();
  if (!countries[country]) return { field: 'country', message: `unknown holiday country "${country}" (use an ISO code such as "US")` };
  if (state) {
    const states = catalogue.getStates(country) ?? {};
    if (!states[state]) {
      return { field: 'state', message: `unknown state "${state}" for ${country} (known: ${Object.keys(states).join(', ') || 'none'})` };
    }
    if (region) {
      const regions = catalogue.getRegions(country, state) ?? {};
      if (!regions[region]) {
        return { field: 'region', message: `unknown region "${region}" for ${country}-${state} (known: ${Object.keys(regions).join(', ') || 'none'})` };
      }
    }
  }
  return undefined;
}

/** The closed local dates ("YYYY-MM-DD") of one year under a rule. */
export function closedDates(rule: HolidayRule, year: number): Set<string> {
  const dates = new Set<string>();
  if (rule.country) {
    for (const holiday of regionHolidays(rule.country, rule.state, rule.region, year)) {
      if (rule.types.includes(holiday.type)) dates.add(holiday.date);
    }
  }
  for (const entry of rule.dates) {
    const date = typeof entry === 'string' ? entry : entry.date;
    if (date.startsWith(`${year}-`)) dates.add(date);
  }
  return dates;
}

// ---------------------------------------------------------------------------------------------
// The two sources
// ---------------------------------------------------------------------------------------------

/** date-holidays, required (not imported) so esbuild does not bundle it: Lambdas read holidays.json. */
function engine(): typeof Holidays {
  return createRequire(import.meta.url)('date-holidays') as typeof Holidays;
}

const tables = new Map<string, HolidayTable>();

/** holidays.json when TIERDESK_HOLIDAYS names one (in Lambda), else nothing (use date-holidays). */
function holidayTable(): HolidayTable | undefined {
  const file = process.env.TIERDESK_HOLIDAYS;
  if (!file) return undefined;
  let table = tables.get(file);
  if (!table) {
    table = JSON.parse(readFileSync(file, 'utf8')) as HolidayTable;
    tables.set(file, table);
  }
  return table;
}

function tableRegionProblem(table: HolidayTable, country: string, state?: string, region?: string) {
  const key = holidayRegionKey(country, state, region);
  if (table.regions[key]) return undefined;
  const keys = Object.keys(table.regions);
  const field: 'country' | 'state' | 'region' = !keys.some((k) => k.split('/')[0] === country)
    ? 'country'
    : region && keys.some((k) => k === holidayRegionKey(country, state))
      ? 'region'
      : state
        ? 'state'
        : 'country';
  return {
    field,
    message: `holiday region "${key}" is not in ${process.env.TIERDESK_HOLIDAYS} (it holds ${keys.join(', ') || 'none'}); synthesize again with this policy`,
  };
}

interface Holiday {
  date: string;
  type: string;
}

/** date-holidays compiles its rules per instance; one instance per region is enough. */
const sources = new Map<string, Holidays>();

function regionHolidays(country: string, state: string | undefined, region: string | undefined, year: number): Holiday[] {
  const table = holidayTable();
  const key = holidayRegionKey(country, state, region);
  if (!table) {
    let source = sources.get(key);
    if (!source) {
      source = new (engine())(country, state ?? '', region ?? '');
      sources.set(key, source);
    }
    return (source.getHolidays(year) || []).map((holiday) => ({ date: holiday.date.slice(0, 10), type: holiday.type }));
  }
  const years = table.regions[key];
  if (!years) throw new Error(`holidays: no region "${key}" in ${process.env.TIERDESK_HOLIDAYS}`);
  if (year < table.years[0] || year > table.years[1]) {
    throw new Error(`holidays: ${process.env.TIERDESK_HOLIDAYS} covers ${table.years[0]}–${table.years[1]}, not ${year}`);
  }
  return Object.entries(years[year] ?? {}).flatMap(([type, dates]) => dates.map((date) => ({ date, type })));
}
