/**
 * Each integration's secrets (signing secrets, a Twilio auth token, a CTI URL token), current
 * first, then the previous one while a secret is rotated. Never logged.
 *
 * In AWS each is a Secrets Manager secret named `<TIERDESK_WEBHOOK_SECRET_PREFIX><integration
 * id>` (lib/webhooks/webhooks.ts), holding `{"current": "…", "previous": "…"}` or a plain string.
 * Locally `npm start` writes `webhook-secrets.json` in the data directory
 * (TIERDESK_WEBHOOK_SECRETS_FILE): `{"<integration id>": ["current", "previous"]}`.
 * Cached for 5 minutes per container: a rotation reaches every container within that.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TtlCache } from '../shared/ttl-cache';

const SECRETS_TTL_MS = 5 * 60_000;
const cache = new TtlCache<string[]>(SECRETS_TTL_MS);
let client: SecretsManagerClient | undefined;

export function integrationSecrets(integrationId: string): Promise<string[]> {
  return cache.get(integrationId, () => (process.env.TIERDESK_WEBHOOK_SECRETS_FILE ? fromFile(integrationId) : fromSecretsManager(integrationId)));
}

async function fromFile(integrationId: string): Promise<string[]> {
  const all = JSON.parse(readFileSync(process.env.TIERDESK_WEBHOOK_SECRETS_FILE!, 'utf8')) as Record<string, unknown>;
  const value = all[integrationId];
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

async function fromSecretsManager(integrationId: string): Promise<string[]> {
  const prefix = process.env.TIERDESK_WEBHOOK_SECRET_PREFIX;
  if (!prefix) return [];
  try {
    const { SecretString } = await (client ??= new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: `${prefix}${integrationId}` }));
    return parseSecret(SecretString ?? '');
  } catch (error) {
    // No secret: the integration accepts nothing (401), which is safe.
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
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
