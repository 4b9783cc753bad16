/**
 * Each integration's secrets (signing secrets, a Twilio auth token, a CTI URL token), current
 * first, then the previous one while a secret is rotated. Never logged.
 *
 * In AWS each is a Secrets Manager secret named `<TIERDESK_WEBHOOK_SECRET_PREFIX><integration
 * id>` (lib/webhooks/webhooks.ts), holding `{"current": "…", "previous": "…"}` or a plain string.
 * Locally `npm start` writes `webhook-secrets.json` in the data directory
 * (TIERDESK_WEBHOOK_SECRETS_FILE): `{"<integration id>": ["current", "previous"]}`.
 * Cached for 5 minutes per container: a rotation reaches every container within that. Secrets
 * Manager is read with Powertools Parameters (its cache); a secret that does not exist is not
 * cached (the stack creates one for each integration of the policy: none means a misconfiguration).
 */
import { readFileSync } from 'node:fs';
import { GetParameterError } from '@aws-lambda-powertools/parameters/errors';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { TtlCache } from '../shared/ttl-cache';

const SECRETS_TTL_SECONDS = 5 * 60;
const fileCache = new TtlCache<string[]>(SECRETS_TTL_SECONDS * 1000);

export function integrationSecrets(integrationId: string): Promise<string[]> {
  const file = process.env.TIERDESK_WEBHOOK_SECRETS_FILE;
  return file ? fileCache.get(integrationId, async () => fromFile(file, integrationId)) : fromSecretsManager(integrationId);
}

function fromFile(file: string, integrationId: string): string[] {
  const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const value = all[integrationId];
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

async function fromSecretsManager(integrationId: string): Promise<string[]> {
  const prefix = process.env.TIERDESK_WEBHOOK_SECRET_PREFIX;
  if (!prefix) return [];
  try {
    const value = await getSecret(`${prefix}${integrationId}`, { maxAge: SECRETS_TTL_SECONDS });
    return parseSecret(value instanceof Uint8Array ? new TextDecoder().decode(value) : (value ?? ''));
  } catch (error) {
    // Parameters wraps the SDK's error: unwrapped, a throttled or failing Secrets Manager is a 503 (shared/http.ts).
    const cause = error instanceof GetParameterError && error.cause instanceof Error ? error.cause : error;
    // No secret: the integration accepts nothing (401), which is safe.
    if (cause instanceof ResourceNotFoundException) return [];
    throw cause;
  }
}

/** `{"current","previous"}` or a plain string. */
export function parseSecret(value: string): string[] {
  try {
    const parsed = JSON.parse(value) as { current?: unknown; previous?: unknown };
    return [parsed.current, parsed.previous].filter((s): s is string => typeof s === 'string' && s.length > 0);
  } catch {
    return value ? [value] : [];
  }
}
