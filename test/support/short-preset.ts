/**
 * Short-target copies of a shipped preset, for scenario tests that must watch its timers fire.
 * The copy is derived from presets/<name>.yaml when the test runs (so it cannot drift from the
 * preset): every calendar becomes always open in its own time zone, and every target or interval
 * (`within`, `every`, `updateEvery`) is divided by `scale` (default 3,600: an hour becomes a
 * second) and rounded up to whole seconds. A business day counts as the calendar's `businessDay`
 * (8 h when it names none) before scaling. Everything else — severities, plans, tiers, rules,
 * notifications, the staff directory (copied to `staff/` beside the file, where the runtime
 * looks for a policy file's directory) — is the preset's own.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseDuration } from '../../core/policy/duration';

const DURATION_KEYS = new Set(['within', 'every', 'updateEvery']);
const DEFAULT_BUSINESS_DAY_HOURS = 8;

export interface ShortPresetOptions {
  /** Real time ÷ scale = test time. Default 3,600 (1 h → 1 s). */
  scale?: number;
  /** Changes applied to the derived policy object last (e.g. a longer target for one objective). */
  adjust?: (policy: any) => void;
}

/** Writes the short copy to a temporary file and returns its path (for startTestRuntime({ policy })). */
export function shortPreset(preset: string, options: ShortPresetOptions = {}): string {
  const policy = shortPresetPolicy(preset, options);
  const dir = mkdtempSync(join(tmpdir(), `tierdesk-short-${preset}-`));
  const file = join(dir, `${preset}.yaml`);
  writeFileSync(file, stringify(policy));
  // The preset's staff directory beside it, where the runtime looks for a policy file's directory.
  mkdirSync(join(dir, 'staff'));
  copyFileSync(new URL(`../../presets/staff/${preset}.yaml`, import.meta.url), join(dir, 'staff', `${preset}.yaml`));
  return file;
}

/** The short copy as an object (what shortPreset writes). */
export function shortPresetPolicy(preset: string, options: ShortPresetOptions = {}): any {
  const scale = options.scale ?? 3_600;
  const policy = parse(readFileSync(new URL(`../../presets/${preset}.yaml`, import.meta.url), 'utf8'));
  const businessDayMs = new Map<string, number>();
  for (const calendar of policy.calendars ?? []) {
    const day = calendar.businessDay ? parseDuration(calendar.businessDay) : undefined;
    businessDayMs.set(calendar.id, day?.ok ? (day.minutes * 60 + day.seconds) * 1_000 : DEFAULT_BUSINESS_DAY_HOURS * 3_600_000);
  }
  const defaultDayMs = Math.max(...businessDayMs.values(), DEFAULT_BUSINESS_DAY_HOURS * 3_600_000);
  policy.calendars = (policy.calendars ?? []).map((calendar: any) => ({
    id: calendar.id,
    name: calendar.name,
    timeZone: calendar.timeZone,
    alwaysOpen: true,
  }));
  shorten(policy, scale, defaultDayMs);
  options.adjust?.(policy);
  return policy;
}

/** Every duration under a duration key, divided by `scale`; the walk goes through objects and arrays. */
function shorten(node: unknown, scale: number, businessDayMs: number): void {
  if (Array.isArray(node)) {
    for (const item of node) shorten(item, scale, businessDayMs);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (DURATION_KEYS.has(key) && typeof value === 'string') {
      const parsed = parseDuration(value);
      if (!parsed.ok) continue;
      const ms = parsed.minutes * 60_000 + parsed.seconds * 1_000 + parsed.businessDays * businessDayMs;
      (node as Record<string, unknown>)[key] = `${Math.max(1, Math.ceil(ms / scale / 1_000))}s`;
    } else {
      shorten(value, scale, businessDayMs);
    }
  }
}
