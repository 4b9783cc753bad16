/**
 * A generic integration's delivery (parsed JSON) → the ticket fields its mapping names, or the
 * first field that is missing or invalid, named as the policy names it (e.g. `requesterEmail`
 * at `$.user.email`), for a 422 that tells the sender what to fix.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GenericIntegration } from './integrations';

export interface MappedDelivery {
  subject: string;
  description: string;
  requester: { email: string; name?: string };
  severity?: string;
  externalId?: string;
  message?: string;
}

export type MappingResult = { ok: true; value: MappedDelivery } | { ok: false; field: string; path: string; message: string };

/** The value at `$.a.b[0]`, or undefined when any step is missing. */
export function valueAt(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const [, key, index] of path.slice(1).matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)) {
    if (current === null || typeof current !== 'object') return undefined;
    if (key !== undefined) current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    else current = Array.isArray(current) ? current[Number(index)] : undefined;
  }
  return current;
}

const text = (max: number) => z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`));
const FIELD_RULES = {
  subject: text(300),
  description: text(100_000),
  requesterEmail: z.string().trim().toLowerCase().pipe(z.email('must be an email address')),
  requesterName: text(200),
  severity: text(100),
  externalId: text(200),
  message: text(100_000),
} as const;
type MappedField = keyof typeof FIELD_RULES;
const REQUIRED: ReadonlySet<MappedField> = new Set(['subject', 'description', 'requesterEmail']);

export function mapDelivery(integration: GenericIntegration, body: unknown): MappingResult {
  const values: Partial<Record<MappedField, string>> = {};
  for (const [field, path] of Object.entries(integration.fields) as [MappedField, string | undefined][]) {
    if (!path) continue;
    const raw = valueAt(body, path);
    if (raw === undefined || raw === null) {
      if (REQUIRED.has(field)) return { ok: false, field, path, message: `${field} (${path}) is missing` };
      continue;
    }
    const parsed = FIELD_RULES[field].safeParse(raw);
    if (!parsed.success) return { ok: false, field, path, message: `${field} (${path}) ${parsed.error.issues[0]?.message ?? 'is invalid'}` };
    values[field] = parsed.data;
  }
  return {
    ok: true,
    value: {
      subject: values.subject!,
      description: values.description!,
      requester: { email: values.requesterEmail!, ...(values.requesterName ? { name: values.requesterName } : {}) },
      ...(values.severity ? { severity: values.severity } : {}),
      ...(values.externalId ? { externalId: values.externalId } : {}),
      ...(values.message ? { message: values.message } : {}),
    },
  };
}

/** The sender's event id, from the header or field the integration names. */
export function eventIdOf(integration: GenericIntegration, headers: Record<string, string | undefined>, body: unknown): string | undefined {
  if (!integration.eventId) return undefined;
  const value = 'header' in integration.eventId ? headers[integration.eventId.header.toLowerCase()] : valueAt(body, integration.eventId.field);
  return typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 200) || undefined : undefined;
}

/** Content-hash key window: a retry within it with a new event id is still the same delivery. */
export const CONTENT_WINDOW_SECONDS = 600;

/** The key of a delivery that carries no stable event id: its mapped fields, within the window. */
export function contentKey(mapped: MappedDelivery, nowMs: number): string {
  const window = Math.floor(nowMs / 1000 / CONTENT_WINDOW_SECONDS);
  return `content:${createHash('sha256').update(JSON.stringify(mapped)).digest('hex')}:${window}`;
}
