/**
 * Targets and instants as a customer reads them: "within 2 business hours (Mon–Fri
 * 09:00–17:00, Europe/Berlin time, not on public holidays)" and "Mon 1 Jun 2026 11:30
 * Europe/Berlin (09:30 UTC)". Used by mail to customers (core/notifications/render.ts) and by the API that
 * shows a requester the severities (functions/api/policy-info.ts). Pure.
 */
import { DateTime, IANAZone } from 'luxon';
import { parseDuration } from '../policy/duration';
import type { CalendarSpec, Policy } from '../policy/schema';
import { WEEKDAYS } from '../policy/vocabulary';

const DAY_NAMES: Record<string, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

const plural = (amount: number, unit: string) => `${amount} ${unit}${amount === 1 ? '' : 's'}`;

/** "2 business hours", "30 business minutes", "2 business days"; on an always-open calendar "2 hours". */
export function durationWords(within: string, calendar: Pick<CalendarSpec, 'alwaysOpen'> | undefined): string {
  const parsed = parseDuration(within);
  if (!parsed.ok) return within;
  const business = calendar?.alwaysOpen ? '' : 'business ';
  const hours = Math.floor(parsed.minutes / 60);
  const minutes = parsed.minutes - hours * 60;
  const parts = [
    parsed.businessDays ? plural(parsed.businessDays, `${business}day`) : '',
    hours ? plural(hours, `${business}hour`) : '',
    minutes ? plural(minutes, `${business}minute`) : '',
    parsed.seconds ? plural(parsed.seconds, `${business}second`) : '',
  ].filter(Boolean);
  return parts.join(' ');
}

/** When a calendar is open, in a few words: "Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays", "Mon–Fri, 24 hours a day, America/New_York time". */
export function openingWords(calendar: CalendarSpec): string {
  if (calendar.alwaysOpen) return 'around the clock';
  // Consecutive days with the same ranges go together ("Mon–Fri").
  const groups: { from: string; to: string; ranges: string }[] = [];
  for (const day of WEEKDAYS) {
    const ranges = (calendar.hours?.[day] ?? []).map(([from, to]) => (from === '00:00' && to === '24:00' ? ', 24 hours a day' : ` ${from}–${to}`)).join(',');
    const last = groups[groups.length - 1];
    if (!ranges) continue;
    const previous = WEEKDAYS[WEEKDAYS.indexOf(day) - 1];
    if (last && last.ranges === ranges && last.to === previous) last.to = day;
    else groups.push({ from: day, to: day, ranges });
  }
  const days = groups.map((group) => `${DAY_NAMES[group.from]}${group.to !== group.from ? `–${DAY_NAMES[group.to]}` : ''}${group.ranges}`).join('; ');
  const holidays = calendar.holidays ? ', not on public holidays' : '';
  return `${days}, ${calendar.timeZone} time${holidays}`;
}

/** "within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays)". */
export function targetWords(policy: Policy, within: string, calendarId: string | undefined): string {
  const calendar = policy.calendars.find((candidate) => candidate.id === calendarId);
  return `within ${durationWords(within, calendar)}${calendar ? ` (${openingWords(calendar)})` : ''}`;
}

/**
 * An instant in the reader's zone and in UTC: "Mon 1 Jun 2026 11:30 Europe/Berlin (09:30 UTC)";
 * the UTC part names its date too when it differs. In UTC alone when the zone is UTC or unknown.
 */
export function instantWords(iso: string, timeZone: string | undefined): string {
  const utc = DateTime.fromISO(iso, { zone: 'UTC' });
  if (!utc.isValid) return iso;
  const full = 'ccc d LLL yyyy HH:mm';
  const zone = timeZone && IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
  if (zone === 'UTC' || zone === 'Etc/UTC') return `${utc.toFormat(full)} UTC`;
  const local = utc.setZone(zone);
  const sameDay = local.toISODate() === utc.toISODate();
  return `${local.toFormat(full)} ${zone} (${utc.toFormat(sameDay ? 'HH:mm' : full)} UTC)`;
}

/** The zone mail to a ticket's requester shows times in: theirs, else the plan calendar's. */
export function readerTimeZone(policy: Policy, requesterZone: string | undefined, planId: string): string {
  if (requesterZone && IANAZone.isValidZone(requesterZone)) return requesterZone;
  const plan = policy.plans.find((candidate) => candidate.id === planId) ?? policy.plans.find((candidate) => candidate.id === policy.defaultPlan);
  return policy.calendars.find((calendar) => calendar.id === plan?.calendar)?.timeZone ?? 'UTC';
}

/** A severity's definition and criteria as plain text lines, for a mail or a form. */
export function severityCriteriaText(severity: Policy['severities'][number]): string {
  const lines = [`${severity.name}${severity.definition ? `: ${severity.definition.trim()}` : ''}`];
  for (const group of severity.criteria) {
    lines.push(`${group.area}:`, ...group.items.map((item) => `  - ${item.trim()}`));
  }
  return lines.join('\n');
}
