/**
 * The holiday data a Lambda carries: generated at synth time from date-holidays for only the
 * holiday regions the policy's calendars name, and copied beside the bundle as holidays.json
 * (the handlers find it through TIERDESK_HOLIDAYS). date-holidays itself (every country's rules,
 * its engine, moment-timezone's zone data and astronomia: ~1.4 MB minified) stays out of the
 * bundles. See core/calendar/holidays.ts for how the table is read.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Holidays from 'date-holidays';
import { HOLIDAY_YEARS, type HolidayTable, holidayRegionKey } from '../core/calendar/holidays';
import { loadPolicy } from '../core/policy/files';

export const HOLIDAYS_IN_BUNDLE = 'holidays.json';

export interface Region {
  country: string;
  state?: string;
  region?: string;
}

/** Every `holidays:` with a country anywhere in the policy (calendars, and wherever else they may appear). */
function policyRegions(node: unknown, found = new Map<string, Region>()): Map<string, Region> {
  if (Array.isArray(node)) {
    for (const item of node) policyRegions(item, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'holidays' && value && typeof value === 'object' && typeof (value as Region).country === 'string') {
        const { country, state, region } = value as Region;
        found.set(holidayRegionKey(country, state, region), { country, state, region });
      } else {
        policyRegions(value, found);
      }
    }
  }
  return found;
}

/** Each region's dates of every holiday type for each of HOLIDAY_YEARS, exactly as closedDates reads them from date-holidays. */
export function holidayTable(policyFile: string): HolidayTable {
  return holidayTableOf([...policyRegions(loadPolicy(policyFile)).values()]);
}

/** The same table for the regions given (the bench reads holidays as a Lambda does). */
export function holidayTableOf(regionList: readonly Region[]): HolidayTable {
  const regions: HolidayTable['regions'] = {};
  const byKey = new Map(regionList.map((region) => [holidayRegionKey(region.country, region.state, region.region), region]));
  for (const [key, { country, state, region }] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
    const source = new Holidays(country, state ?? '', region ?? '');
    const years: Record<string, Record<string, string[]>> = {};
    for (let year = HOLIDAY_YEARS.from; year <= HOLIDAY_YEARS.to; year++) {
      const types: Record<string, string[]> = {};
      for (const holiday of source.getHolidays(year) || []) (types[holiday.type] ??= []).push(holiday.date.slice(0, 10));
      years[year] = types;
    }
    regions[key] = years;
  }
  const version = (createRequire(import.meta.url)('date-holidays/package.json') as { version: string }).version;
  return { source: `date-holidays ${version}`, years: [HOLIDAY_YEARS.from, HOLIDAY_YEARS.to], regions };
}

const written = new Map<string, string>();

/** holidays.json for a policy file, written once per synth process (several functions share it). */
export function holidayTableFile(policyFile: string): string {
  let file = written.get(policyFile);
  if (!file) {
    file = join(mkdtempSync(join(tmpdir(), 'tierdesk-holidays-')), HOLIDAYS_IN_BUNDLE);
    writeFileSync(file, JSON.stringify(holidayTable(policyFile)));
    written.set(policyFile, file);
  }
  return file;
}
