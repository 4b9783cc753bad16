/**
 * A generic integration's delivery (parsed JSON) → the ticket fields its mapping names, or the
 * first field that is missing or invalid, named as the policy names it (e.g. `requesterEmail`
 * at `$.user.email`), for a 422 that tells the sender what to fix.
 */
import * as z from 'zod/mini';
import '../zod-english';
import { LIMITS } from '../limits';
import { checkEventId } from './identity';
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

const text = (max: number) =>
  z.pipe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max, `at most ${max} characters`)));
/** Each mapped field's maximum (core/limits.ts): a delivery over one is refused naming the field, never cut. */
const FIELD_RULES = {
  subject: text(LIMITS.subject),
  description: text(LIMITS.description),
  requesterEmail: z.pipe(z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.string().check(z.maxLength(LIMITS.email, `at most ${LIMITS.email} characters`))), z.email('must be an email address')),
  requesterName: text(LIMITS.name),
  severity: text(LIMITS.label),
  // It becomes part of a key (TICKET_LINKS.external, through keyPart).
  externalId: text(LIMITS.idempotencyKey),
  message: text(LIMITS.messageBody),
} as const;
type MappedField = keyof typeof FIELD_RULES;
const REQUIRED: ReadonlySet<MappedField> = new Set(['subject', 'description', 'requesterEmail']);

export function mapDelivery(integration: GenericIntegration, body: unknown): MappingResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, field: '(body)', path: '$', message: 'the body must be a JSON object' };
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

/**
 * The delivery's event id and whether its signature covers it: Standard Webhooks' `webhook-id`
 * (signed), the body field `eventId` names (signed: the whole body is), or the header it names
 * (not signed: only a hint, docs/webhooks.md). None configured or sent: no id. An id that is not
 * 1–255 visible ASCII characters is refused, naming the header or the field.
 */
export type EventIdResult = { ok: true; id?: string; signed: boolean } | { ok: false; status: 400 | 422; field: string; path?: string; message: string };

export function eventIdOf(integration: GenericIntegration, headers: Record<string, string | undefined>, body: unknown): EventIdResult {
  if (integration.signature === 'standard') return fromHeader('webhook-id', headers, true);
  if (!integration.eventId) return { ok: true, signed: false };
  if ('header' in integration.eventId) return fromHeader(integration.eventId.header.toLowerCase(), headers, false);
  const path = integration.eventId.field;
  const value = valueAt(body, path);
  if (value === undefined || value === null || value === '') return { ok: true, signed: true };
  const checked = checkEventId(value);
  return checked.ok ? { ok: true, id: checked.id, signed: true } : { ok: false, status: 422, field: 'eventId', path, message: `eventId (${path}) ${checked.message}` };
}

function fromHeader(name: string, headers: Record<string, string | undefined>, signed: boolean): EventIdResult {
  const value = headers[name];
  if (value === undefined || value === '') return { ok: true, signed };
  const checked = checkEventId(value);
  return checked.ok ? { ok: true, id: checked.id, signed } : { ok: false, status: 400, field: name, message: `${name} ${checked.message}` };
}
