/**
 * Public holidays come from date-holidays (country / state / region data, maintained upstream),
 * so no holiday is hard-coded here.
 */
import Holidays from 'date-holidays';

export interface HolidayRule {
  country?: string;
  state?: string;
  region?: string;
  types: readonly string[];
  dates: readonly (string | { date: string; name: string })[];
}

/** Names the field that date-holidays does not know, or nothing when the region exists. */
export function holidayRegionProblem(
  country: string,
  state?: string,
  region?: string,
): { field: 'country' | 'state' | 'region'; message: string } | undefined {
  const catalogue = new Holidays();
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
    for (const holiday of holidaySource(rule.country, rule.state, rule.region).getHolidays(year) || []) {
      if (rule.types.includes(holiday.type)) dates.add(holiday.date.slice(0, 10));
    }
  }
  for (const entry of rule.dates) {
    const date = typeof entry === 'string' ? entry : entry.date;
    if (date.startsWith(`${year}-`)) dates.add(date);
  }
  return dates;
}

const sources = new Map<string, Holidays>();

/** date-holidays compiles its rules per instance; one instance per region is enough. */
function holidaySource(country: string, state?: string, region?: string): Holidays {
  const key = [country, state ?? '', region ?? ''].join('/');
  let source = sources.get(key);
  if (!source) {
    source = new Holidays(country, state ?? '', region ?? '');
    sources.set(key, source);
  }
  return source;
}
