/**
 * Doing a request once under an idempotency key (an API Idempotency-Key, a webhook's event id):
 * claim the key, run, and complete the claim in the same write as the work (the caller passes
 * the claim to openNewTicket / updateTicketWithRetry). A second delivery of the same request
 * waits while the first runs and then gets the first one's answer; a failed run releases the key
 * so a retry can run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredResponse } from '../store/dynamo-store';
import { HttpError, type HttpResult, json } from './http';
import type { Runtime } from './runtime';

export interface IdempotencyClaimRef {
  scope: string;
  key: string;
  requestHash: string;
}

export type Once<T> =
  | { state: 'ran'; result: T }
  /** Answered before: the stored answer. */
  | { state: 'replayed'; response: StoredResponse }
  /** The key was used with a different request. */
  | { state: 'mismatch' }
  /** Another delivery still holds the key after the wait: the caller answers "retry later". */
  | { state: 'busy' };

const WAIT_MS = 10_000;

export async function once<T>(rt: Runtime, claim: IdempotencyClaimRef, run: (claim: IdempotencyClaimRef) => Promise<T>, waitMs = WAIT_MS): Promise<Once<T>> {
  const deadline = Date.now() + waitMs;
  for (let wait = 25; ; wait = Math.min(wait * 2, 400)) {
    const held = await rt.store.claimIdempotency(claim.scope, claim.key, claim.requestHash);
    if (held.state === 'done') return { state: 'replayed', response: held.response };
    if (held.state === 'mismatch') return { state: 'mismatch' };
    if (held.state === 'claimed') {
      try {
        return { state: 'ran', result: await run(claim) };
      } catch (error) {
        await rt.store.releaseIdempotency(claim.scope, claim.key, claim.requestHash);
        throw error;
      }
    }
    if (Date.now() > deadline) return { state: 'busy' };
    await sleep(wait * (0.5 + Math.random()));
  }
}

/**
 * An HTTP request run once under its key: its own answer, or the first delivery's (marked
 * `Idempotent-Replayed`); a key reused with another request, or still held, is a 4xx naming `field`.
 */
export async function onceOverHttp(rt: Runtime, claim: IdempotencyClaimRef, run: (claim: IdempotencyClaimRef) => Promise<HttpResult>, refusals: HttpRefusals, waitMs?: number): Promise<HttpResult> {
  return answerOnce(await once(rt, claim, run, waitMs), refusals);
}

/** How a caller words the refusals of onceOverHttp: the field its key came in, a reused key, a key still held. */
export interface HttpRefusals {
  field: string;
  mismatch: { status: number; message: string };
  busy: string;
}

/** The HTTP answer for what became of a request run once. */
function answerOnce(outcome: Once<HttpResult>, refusals: HttpRefusals): HttpResult {
  switch (outcome.state) {
    case 'ran':
      return outcome.result;
    case 'replayed':
      return json(outcome.response.statusCode, outcome.response.body, { 'idempotent-replayed': 'true' });
    case 'mismatch':
      throw new HttpError(refusals.mismatch.status, refusals.mismatch.message, { field: refusals.field });
    case 'busy':
      throw new HttpError(409, refusals.busy, { field: refusals.field }, { 'retry-after': '1' });
  }
}
