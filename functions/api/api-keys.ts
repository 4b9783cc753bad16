/**
 * API keys over HTTP (docs/api-keys.md), all with an admin key: create (the secret shown once),
 * list (never a hash or secret), revoke (the record stays; the key is refused from the next
 * request on) and rotate (a new secret for the same id, the old one refused at once).
 */
import * as z from 'zod/mini';
import { LIMITS } from '../../core/limits';
import { HttpError, type HttpResult, json } from '../shared/http';
import type { Runtime } from '../shared/runtime';
import { type ApiKeyRecord, apiKeyStoreOf } from '../store/api-keys';
import { hashKey, newApiKey, newApiKeyId, requireAdmin } from './auth';
import { signedPage } from './cursors';
import { ApiKeySchema, PAGE_QUERY } from './schemas';
import type { Request } from './tickets';

/** `key_` and base64url: 22 characters today (random or derived from an old record's hash); at most LIMITS.id in all. */
export const API_KEY_ID_PATTERN = new RegExp(`^key_[A-Za-z0-9_-]{1,${LIMITS.id - 4}}$`);

export const ListApiKeysQuery = z.strictObject(PAGE_QUERY);

/** What the API shows of a key: never its hash or secret. Unknown facts of keys from before [10] (creator, creation) are null. */
export function keyView(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    ...(record.customerId ? { customerId: record.customerId } : {}),
    status: record.revokedAt ? 'revoked' : 'active',
    createdBy: record.createdBy ?? null,
    createdAt: record.createdAt ?? null,
    lastUsedAt: record.lastUsedAt ?? null,
    revokedAt: record.revokedAt ?? null,
    revokedBy: record.revokedBy ?? null,
    rotatedAt: record.rotatedAt ?? null,
  };
}

/** POST /api-keys: the key is shown once; only its hash is kept, with the key's new immutable id and its creator. */
export async function createApiKey(rt: Runtime, request: Request): Promise<HttpResult> {
  requireAdmin(request.principal);
  const input = ApiKeySchema.parse(request.body);
  if (input.customerId && !(await rt.store.getCustomer(input.customerId))) {
    throw new HttpError(400, `unknown customer "${input.customerId}"`, { field: 'customerId' });
  }
  const key = newApiKey(input.role);
  const record = { ...input, id: newApiKeyId(), createdBy: request.principal.id, createdAt: new Date(request.now).toISOString() };
  // 128 random bits of id and 192 of secret: a collision is not a case to handle, but never an overwrite.
  if (!(await apiKeyStoreOf(rt.store).create(hashKey(key), record))) throw new Error('a new API key collided with an existing one');
  return json(201, { ...keyView(record), key });
}

/** GET /api-keys: every key, revoked ones too, a page at a time by id. */
export async function listApiKeys(rt: Runtime, request: Request): Promise<HttpResult> {
  requireAdmin(request.principal);
  const query = ListApiKeysQuery.parse(request.query);
  await keysIndexed(rt);
  return signedPage(request.principal, 'api-keys', query, async (page) => {
    const found = await apiKeyStoreOf(rt.store).list(page);
    return { items: found.items.map(keyView), cursor: found.cursor };
  });
}

/**
 * DELETE /api-keys/{id}: revoke. The record stays (listed as revoked) and the key is refused with
 * 401 from the next request on. Revoking a revoked key is a 200 that changes nothing. The key the
 * request is made with cannot revoke itself (409): revoke it with another admin key or signed in,
 * so an admin cannot lock themself out by mistake.
 */
export async function revokeApiKey(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  requireAdmin(request.principal);
  await keysIndexed(rt);
  if (request.principal.id === id) {
    throw new HttpError(409, 'this is the key the request is made with; revoke it with another admin key (or signed in)', { field: 'id' });
  }
  const revoked = await apiKeyStoreOf(rt.store).revoke(id, request.principal.id, new Date(request.now));
  if (revoked === 'not-found') throw notFound(id);
  return json(200, keyView(revoked.record));
}

/**
 * POST /api-keys/{id}/rotate: a new secret for the same key (id, name, role, creator), shown
 * once; the old secret is refused from this moment. A revoked key is not rotated (409): create a
 * new one. Rotating the key the request is made with is allowed: the answer carries its new secret.
 */
export async function rotateApiKey(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  requireAdmin(request.principal);
  await keysIndexed(rt);
  const store = apiKeyStoreOf(rt.store);
  const existing = await store.getById(id);
  if (!existing) throw notFound(id);
  const key = newApiKey(existing.record.role);
  const rotated = await store.rotate(id, hashKey(key), new Date(request.now));
  if (rotated === 'not-found') throw notFound(id);
  if (rotated === 'revoked') throw new HttpError(409, `API key ${id} was revoked; create a new key instead`, { field: 'id' });
  if (rotated === 'changed') throw new HttpError(409, `API key ${id} was rotated or revoked at the same moment; read it again (GET /api-keys) and retry`, { field: 'id' });
  return json(200, { ...keyView(rotated), key });
}

function notFound(id: string): HttpError {
  return new HttpError(404, `no API key ${id}`);
}

/** Keys written before [10] get their by-id item first (one GetItem once that is done): else they could be neither listed nor revoked. */
async function keysIndexed(rt: Runtime): Promise<void> {
  const { done } = await apiKeyStoreOf(rt.store).upgrade();
  if (!done) {
    throw new HttpError(503, 'the keys written before key ids are being indexed (a one-time upgrade of a large table); retry in a moment', {}, { 'retry-after': '5' });
  }
}
