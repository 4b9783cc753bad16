/**
 * Which delivery is which: the idempotency keys a webhook delivery is claimed under, derived from
 * what its sender signed, so that a captured, validly signed body replayed within the tolerance
 * window — with another `X-Event-Id`, or none — is the delivery it copies, never a new one.
 * docs/webhooks.md ("Delivery identity") explains the scheme to senders. Pure.
 *
 * A delivery is claimed under every key in order; the first key already done answers (the
 * original's answer, `Idempotent-Replayed`):
 * - an event id the signature covers (Standard Webhooks' `webhook-id`, or an `eventId` field in
 *   the signed body): that id alone — a replay and a retry both carry it, another event has another;
 * - otherwise the signed bytes (the signed timestamp and the body's SHA-256): a replay of the same
 *   bytes, whatever its headers, is caught by it; then, because a sender's genuine retry is signed
 *   anew (another timestamp, so other signed bytes), the content: the mapped fields' digest with
 *   the unsigned header event id when there is one (the same event resent, for a day), else within
 *   a time window (two keys over overlapping windows, so any two copies less than
 *   CONTENT_WINDOW_SECONDS apart always share one).
 */
import { createHash } from 'node:crypto';
import { LIMITS, utf8Bytes } from '../limits';
import type { MappedDelivery } from './mapping';
import { parseTierdeskHeader, STANDARD_TIMESTAMP_HEADER, TIERDESK_SIGNATURE_HEADER, ZENDESK_TIMESTAMP_HEADER } from './signatures';

/** One idempotency key and what its holder must have sent (a different hash under the same key is a 409). */
export interface IdentityKey {
  key: string;
  requestHash: string;
}

/** Identical content within this many seconds is one delivery, whatever the event ids say (up to twice it may be). */
export const CONTENT_WINDOW_SECONDS = 600;

/** An event id: visible ASCII, at most LIMITS.idempotencyKey characters. */
const EVENT_ID = new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.idempotencyKey}}$`);

export type EventIdCheck = { ok: true; id: string } | { ok: false; message: string };

/** A sender's event id as text (a number is read as its digits), or why it cannot be one. */
export function checkEventId(value: unknown): EventIdCheck {
  const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== 'string') return { ok: false, message: 'must be a string or a number' };
  if (!EVENT_ID.test(id)) return { ok: false, message: `must be 1–${LIMITS.idempotencyKey} visible ASCII characters` };
  return { ok: true, id };
}

/** Bytes of an id that is used in a key as it is; a longer one is hashed (any key stays far below DynamoDB's 2 KB). */
export const KEY_PART_BYTES = 256;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An id (a case's external id, a call id, a conversation id) as part of a key: itself when it is
 * short and well-formed — so keys of ids seen before stay what they were — else `sha256:<hex>` of
 * its UTF-16 code units, so no id a sender may send can make a key too long or invalid.
 */
export function keyPart(id: string): string {
  if (utf8Bytes(id) <= KEY_PART_BYTES && !LONE_SURROGATE.test(id) && !id.startsWith('sha256:')) return id;
  return `sha256:${createHash('sha256').update(Buffer.from(id, 'utf16le')).digest('hex')}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The digest of what a delivery asks for: its mapped fields. */
export function mappedDigest(mapped: MappedDelivery): string {
  return sha256Hex(JSON.stringify(mapped));
}

export interface DeliveryIdentityInput {
  /** An event id the signature covers: `webhook-id` (Standard Webhooks) or the body's `eventId` field. */
  signedEventId?: string;
  /** The timestamp exactly as signed (tierdesk's `t`, Zendesk's timestamp header). */
  signedTimestamp?: string;
  /** An event id from an unsigned header: it separates events, but never identifies one on its own. */
  headerEventId?: string;
  /** The body exactly as received (and signed). */
  rawBody: Uint8Array;
  mapped: MappedDelivery;
  nowMs: number;
}

/** The keys a generic delivery is claimed under, in the order they are claimed (see the module's comment). */
export function deliveryIdentity(input: DeliveryIdentityInput): IdentityKey[] {
  const digest = mappedDigest(input.mapped);
  // The same signed id with other content is the sender reusing an id: 409, as for an Idempotency-Key.
  if (input.signedEventId !== undefined) return [{ key: `signed-id:${keyPart(input.signedEventId)}`, requestHash: digest }];
  const keys: IdentityKey[] = [];
  if (input.signedTimestamp !== undefined) {
    keys.push({ key: `signed:${keyPart(input.signedTimestamp)}:${sha256Hex(input.rawBody)}`, requestHash: 'signed-bytes' });
  }
  if (input.headerEventId !== undefined) {
    // The content is in the key: an unsigned id someone chose can never claim another event's content.
    keys.push({ key: `content:${digest}:event:${keyPart(input.headerEventId)}`, requestHash: 'content' });
  } else {
    keys.push(...contentKeys(input.mapped, input.nowMs));
  }
  return keys;
}

/**
 * The content keys of a delivery without any event id: its mapped fields in two windows of twice
 * CONTENT_WINDOW_SECONDS, offset by half, so two copies less than CONTENT_WINDOW_SECONDS apart always
 * fall in one same window (one window alone splits copies a second apart across its edge).
 */
export function contentKeys(mapped: MappedDelivery, nowMs: number): IdentityKey[] {
  const digest = mappedDigest(mapped);
  const seconds = Math.floor(nowMs / 1000);
  const width = 2 * CONTENT_WINDOW_SECONDS;
  return [
    { key: `content:${digest}:window:${Math.floor(seconds / width)}`, requestHash: 'content' },
    { key: `content:${digest}:window+${CONTENT_WINDOW_SECONDS}:${Math.floor((seconds + CONTENT_WINDOW_SECONDS) / width)}`, requestHash: 'content' },
  ];
}

/**
 * The timestamp a generic delivery's signature covers, exactly as sent (call after it verified):
 * tierdesk's `t`, Zendesk's timestamp header, Standard Webhooks' `webhook-timestamp`.
 */
export function signedTimestampOf(scheme: 'tierdesk' | 'zendesk' | 'standard', headers: Record<string, string | undefined>): string | undefined {
  if (scheme === 'zendesk') return headers[ZENDESK_TIMESTAMP_HEADER];
  if (scheme === 'standard') return headers[STANDARD_TIMESTAMP_HEADER];
  const header = headers[TIERDESK_SIGNATURE_HEADER];
  return header === undefined ? undefined : parseTierdeskHeader(header)?.timestamp;
}
