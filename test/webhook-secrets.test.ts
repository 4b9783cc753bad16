/**
 * Each integration's secrets as the webhooks function reads them in AWS (functions/webhooks/
 * secrets.ts): from Secrets Manager through Powertools Parameters, cached for 5 minutes. Secrets
 * Manager is aws-sdk-client-mock: there is no local emulator of it, and its faults (a missing
 * secret, throttling) are what is checked. The local runtime's secrets file is covered by
 * test/webhooks.e2e.test.ts.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../functions/shared/http';
import { integrationSecrets } from '../functions/webhooks/secrets';

const PREFIX = 'tierdesk-test/integrations/';
const secretsManager = mockClient(SecretsManagerClient);
const calls = () => secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId);
const environment = { ...process.env };

beforeAll(() => {
  delete process.env.TIERDESK_WEBHOOK_SECRETS_FILE;
  process.env.TIERDESK_WEBHOOK_SECRET_PREFIX = PREFIX;
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(() => {
  secretsManager.reset();
  vi.useRealTimers();
});
afterAll(() => {
  process.env = environment;
  secretsManager.restore();
});

describe("an integration's secrets from Secrets Manager", () => {
  it('reads the current and the previous secret of a rotation, or a plain string, from the secret named after the integration', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: `${PREFIX}portal` }).resolves({ SecretString: '{"current":"new-secret","previous":"old-secret"}' });
    secretsManager.on(GetSecretValueCommand, { SecretId: `${PREFIX}phones` }).resolves({ SecretString: 'only-secret' });
    secretsManager.on(GetSecretValueCommand, { SecretId: `${PREFIX}binary` }).resolves({ SecretBinary: new TextEncoder().encode('{"current":"from-binary"}') });

    expect(await integrationSecrets('portal')).toEqual(['new-secret', 'old-secret']);
    expect(await integrationSecrets('phones')).toEqual(['only-secret']);
    expect(await integrationSecrets('binary')).toEqual(['from-binary']);
    expect(calls()).toEqual([`${PREFIX}portal`, `${PREFIX}phones`, `${PREFIX}binary`]);
  });

  it('asks Secrets Manager once in 5 minutes: a rotation reaches a warm container within that', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-04T10:00:00Z'), toFake: ['Date'] });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'first' });

    expect(await integrationSecrets('cached')).toEqual(['first']);
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"current":"rotated","previous":"first"}' });
    vi.setSystemTime(new Date('2026-12-04T10:04:59Z'));
    expect(await integrationSecrets('cached')).toEqual(['first']);
    vi.setSystemTime(new Date('2026-12-04T10:05:01Z'));
    expect(await integrationSecrets('cached')).toEqual(['rotated', 'first']);
    expect(calls()).toHaveLength(2);
  });

  it('a secret that does not exist is no secret: the integration accepts nothing (401), and the next delivery asks again', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));

    expect(await integrationSecrets('deleted')).toEqual([]);
    expect(await integrationSecrets('deleted')).toEqual([]);
    expect(calls()).toHaveLength(2);
  });

  it('a throttled Secrets Manager is the SDK error itself, answered 503 with Retry-After (not a 500), and nothing is cached', async () => {
    // As the SDK raises it once its own retries are spent (Secrets Manager has no modelled class for it).
    const throttled = new SecretsManagerServiceException({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    secretsManager.on(GetSecretValueCommand).rejectsOnce(throttled).resolves({ SecretString: 'later' });

    const error = await integrationSecrets('throttled').catch((caught: unknown) => caught);
    expect(error).toBe(throttled);
    expect(errorResponse(error)).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    expect(await integrationSecrets('throttled')).toEqual(['later']);
  });

  it('without a secret prefix (no integrations deployed) reads nothing', async () => {
    delete process.env.TIERDESK_WEBHOOK_SECRET_PREFIX;
    try {
      expect(await integrationSecrets('portal-without-prefix')).toEqual([]);
      expect(calls()).toEqual([]);
    } finally {
      process.env.TIERDESK_WEBHOOK_SECRET_PREFIX = PREFIX;
    }
  });
});
