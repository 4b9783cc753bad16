/**
 * The cursors the API hands out: the store's position in a listing (DynamoDB's
 * LastEvaluatedKey, already base64url) followed by an HMAC-SHA-256 over that position *and the
 * query it belongs to* — the listing, index, partition, filters and the caller's scope (a
 * customer key's customer). So a cursor cannot be forged, truncated, re-encoded, or carried to
 * another query or another customer: any of these is a 400 naming `cursor`, and a cursor can
 * never start a read outside the query the caller is allowed to make.
 *
 * The key: in AWS a Secrets Manager secret the stack generates (TIERDESK_CURSOR_SECRET_ARN,
 * lib/api/http-api.ts), read once per container and kept for an hour; locally
 * TIERDESK_CURSOR_KEY, which the local runtime sets (kept in the data directory, so cursors
 * survive a restart). Replacing the key only ends the cursors in flight: clients start again
 * from the first page.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LIMITS } from '../../core/limits';
import { HttpError, type HttpResult, json } from '../shared/http';
import { TtlCache } from '../shared/ttl-cache';
import type { Principal } from './auth';

export const CURSOR_KEY_ENV = 'TIERDESK_CURSOR_KEY';
export const CURSOR_SECRET_ENV = 'TIERDESK_CURSOR_SECRET_ARN';

const KEY_TTL_MS = 60 * 60_000;
const keyCache = new TtlCache<Buffer>(KEY_TTL_MS, 1);
let client: SecretsManagerClient | undefined;

/** What a cursor is bound to: every part of the query that decides which items it may reach. */
export type CursorBinding = Record<string, string | number | undefined>;

/**
 * The scope of the caller in a binding: a customer key's customer (its keys share it), or the
 * staff role. Admins and agents list the same items today, but who may see what will differ by
 * role (and, later, by partner), so a cursor stays with the role it was made for.
 */
export function callerScope(principal: Principal): string {
  return principal.role === 'customer' ? `customer:${principal.customerId}` : `staff:${principal.role}`;
}

/**
 * One page of a listing that only its list name (and the caller) decides: the cursor is opened for
 * this list and caller before the read, and the next one signed for them.
 */
export async function signedPage<T>(
  principal: Principal,
  list: string,
  query: { limit: number; cursor?: string | undefined },
  read: (page: { limit: number; cursor?: string }) => Promise<{ items: T[]; cursor: string | null }>,
): Promise<HttpResult> {
  const binding = { list, scope: callerScope(principal) };
  const cursor = await openCursor(query.cursor, binding);
  const page = await read({ limit: query.limit, ...(cursor ? { cursor } : {}) });
  return json(200, { items: page.items, cursor: await signCursor(page.cursor, binding) });
}

/** The store's position, signed for this query; null (the last page) stays null. */
export async function signCursor(position: string | null, binding: CursorBinding): Promise<string | null> {
  if (position === null) return null;
  return `${position}.${(await mac(position, binding)).toString('base64url')}`;
}

/** The store's position in a cursor this API signed for this very query, or a 400 naming `cursor`. */
export async function openCursor(cursor: string | undefined, binding: CursorBinding): Promise<string | undefined> {
  if (cursor === undefined) return undefined;
  // base64url without padding on both sides; a SHA-256 MAC is 43 characters.
  const parts = cursor.length <= LIMITS.cursor ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(cursor) : null;
  if (parts) {
    const [, position, signature] = parts as unknown as [string, string, string];
    const expected = (await mac(position, binding)).toString('base64url');
    // Compared as text: a signature that decodes to the same bytes but is written otherwise is not ours.
    if (timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return position;
  }
  throw new HttpError(400, 'cursor is not one this API returned for this query; start again without it', { field: 'cursor' });
}

async function mac(position: string, binding: CursorBinding): Promise<Buffer> {
  const bound = JSON.stringify(
    Object.keys(binding)
      .sort()
      .map((name) => [name, binding[name] ?? null]),
  );
  return createHmac('sha256', await cursorKey())
    .update(`tierdesk-cursor-v1\n${bound}\n${position}`)
    .digest();
}

function cursorKey(): Promise<Buffer> {
  return keyCache.get('key', async () => {
    const local = process.env[CURSOR_KEY_ENV];
    if (local) return Buffer.from(local, 'utf8');
    const secretArn = process.env[CURSOR_SECRET_ENV];
    if (!secretArn) throw new Error(`neither ${CURSOR_KEY_ENV} nor ${CURSOR_SECRET_ENV} is set: no key to sign cursors with`);
    const { SecretString } = await (client ??= new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error(`the cursor key secret ${secretArn} is empty`);
    return Buffer.from(SecretString, 'utf8');
  });
}
