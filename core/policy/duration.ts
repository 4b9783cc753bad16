/**
 * Target lengths as a vendor writes them: "30m", "4h", "1h30m", "2bd" (business days), and
 * seconds ("30s", "1m30s") so test and demo policies can have targets that pass while one
 * watches. A business day is converted with the calendar's own `businessDay` length, so
 * "2 business days" on a 09:00–17:00 calendar is 16 open hours.
 */
export type ParsedDuration = { ok: true; minutes: number; seconds: number; businessDays: number } | { ok: false; message: string };

const PART = /(\d+(?:\.\d+)?)\s*(bd|h|m|s)/g;

export function parseDuration(text: string): ParsedDuration {
  const compact = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?\s*(bd|h|m|s)\s*)+$/.test(compact)) {
    return { ok: false, message: `"${text}" is not a duration: use e.g. "30m", "4h", "1h30m" or "2bd"` };
  }
  let minutes = 0;
  // Seconds are kept apart from minutes so "1s" stays exactly 1,000 ms (1/60 of a minute is not exact).
  let seconds = 0;
  let businessDays = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) {
    const value = Number(amount);
    if (unit === 'bd') businessDays += value;
    else if (unit === 's') seconds += value;
    else minutes += unit === 'h' ? value * 60 : value;
  }
  if (minutes + seconds + businessDays <= 0) return { ok: false, message: `"${text}" must be longer than zero` };
  return { ok: true, minutes, seconds, businessDays };
}

/** The length in milliseconds; `businessDayMs` is the calendar's business day (24h on a 24/7 calendar). */
export function durationMs(text: string, businessDayMs: number | undefined): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(parsed.message);
  if (parsed.businessDays > 0 && businessDayMs === undefined) {
    throw new Error(`"${text}" uses business days but the calendar sets no businessDay length`);
  }
  return Math.round(parsed.minutes * 60_000 + parsed.seconds * 1_000 + parsed.businessDays * (businessDayMs ?? 0));
}

/** "1h30m" style text for a length, for tables and messages; seconds show only when there are some ("1m30s"). */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${seconds}s` : ''].join('');
  return parts || '0m';
}
