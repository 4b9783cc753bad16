/** What every integration's delivery passes before it is read: its secret, and its rate. */
import type { Integration } from '../../core/webhooks/integrations';
import type { VerifyResult } from '../../core/webhooks/signatures';
import { HttpError } from '../shared/http';
import type { Runtime } from '../shared/runtime';
import type { Delivery } from './request';
import { integrationSecrets } from './secrets';

/** 401 unless the delivery verifies with one of the integration's secrets; the reason, never the secret, is told. */
export async function verified(delivery: Delivery, verify: (secrets: string[]) => VerifyResult): Promise<void> {
  const result = verify(await integrationSecrets(delivery.integration.id));
  if (!result.ok) {
    const why = { missing: 'no signature', malformed: 'a malformed signature', expired: 'a timestamp outside the allowed window (a replay?)', mismatch: 'a signature that does not match' }[
      result.reason
    ];
    throw new HttpError(401, `the delivery has ${why}`, { reason: result.reason });
  }
}

/** Counts an accepted delivery against the integration's rate; 429 with Retry-After beyond it. */
export async function withinRate(rt: Runtime, integration: Integration, now: number): Promise<void> {
  const count = await rt.store.countInWindow(`webhook#${integration.id}`, 60, now);
  if (count > integration.ratePerMinute) {
    const retryAfter = 60 - (Math.floor(now / 1000) % 60);
    throw new HttpError(429, `more than ${integration.ratePerMinute} deliveries a minute for this integration`, {}, { 'retry-after': String(retryAfter) });
  }
}
