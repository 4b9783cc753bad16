/**
 * API keys: `Authorization: Bearer <key>`. Only a SHA-256 hash of each key is stored, so a
 * leaked table does not leak keys. Each key record has an immutable id (`key_…`): what tells
 * callers apart (idempotency scopes), while its `name` is only for display.
 * A signed-in person sends their ID token instead: verified in ./sign-in.ts (docs/sign-in.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decide } from '../../core/access/authorize';
import type { Principal } from '../../core/access/principal';
import { HttpError } from '../shared/http';
import { logger } from '../shared/runtime';
import { apiKeyStoreOf } from '../store/api-keys';
import type { ApiKeyRecord, DynamoStore } from '../store/dynamo-store';
import { looksLikeJwt, principalFromToken } from './sign-in';

export type { Principal } from '../../core/access/principal';

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(role: ApiKeyRecord['role']): string {
  return `td_${role}_${randomBytes(24).toString('base64url')}`;
}

/** A new key's id: random, never derived from its name. */
export function newApiKeyId(): string {
  return `key_${randomBytes(16).toString('base64url')}`;
}

/** Our keys are `td_<role>_` and 32 base64url characters; anything much longer is not one (and is not hashed or looked up). */
const MAX_KEY_LENGTH = 200;

export async function authenticate(event: APIGatewayProxyEventV2, store: DynamoStore): Promise<Principal> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HttpError(401, 'send an API key as "Authorization: Bearer <key>"', { field: 'Authorization' }, { 'www-authenticate': 'Bearer' });
  // `td_…` is a key; a three-segment JWT a sign-in token; anything else is looked up (and unknown).
  if (!match[1]!.startsWith('td_') && looksLikeJwt(match[1]!)) return principalFromToken(match[1]!, { store });
  if (match[1]!.length > MAX_KEY_LENGTH) throw new HttpError(401, 'unknown API key', { field: 'Authorization' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  const hash = hashKey(match[1]!);
  // Read on every request, never cached: a revoked or rotated key is refused on the very next one (docs/api-keys.md).
  const record = await store.getApiKey(hash);
  if (!record) throw new HttpError(401, 'unknown API key', { field: 'Authorization' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  if (record.revokedAt) throw new HttpError(401, 'this API key was revoked', { field: 'Authorization' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  // At most one write per key per hour; recording the use must never fail the request.
  await apiKeyStoreOf(store)
    .touch(hash, record, new Date())
    .catch((error: unknown) => logger.warn("could not record the API key's last use", { keyId: record.id, error: error as Error }));
  return { id: record.id, via: 'api-key', name: record.name, role: record.role, ...(record.customerId ? { customerId: record.customerId } : {}) };
}

/** API keys are the admin's (core/access/authorize.ts decides, as for every route). */
export function requireAdmin(principal: Principal): void {
  const decision = decide(principal, 'api-key:manage');
  if (!decision.allowed) throw new HttpError(decision.status, decision.reason);
}
