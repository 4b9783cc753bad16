/**
 * Webhook ingestion end to end on `npm start`'s runtime (test/fixtures/webhooks-policy.yaml):
 * signed portal deliveries, Zendesk-style senders, a PBX speaking Zammad's CTI API, Twilio Voice
 * callbacks signed by the twilio package itself, and chat transcripts. Nothing is mocked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../core/limits';
import { signTierdeskPayload, signZendeskPayload } from '../core/webhooks/signatures';
import { getRuntime } from '../functions/shared/runtime';
import { api, type Runtime, startTestRuntime } from './support/runtime';

const SECRETS = {
  portal: ['whsec_new-portal-secret', 'whsec_old-portal-secret'],
  forms: ['whsec_forms'],
  zendesk: ['zendesk-signing-secret'],
  slow: ['whsec_slow'],
  pbx: ['cti-token-1234567890'],
  voice: ['twilio-auth-token-0123456789abcdef'],
  livechat: ['whsec_chat'],
  // Standard Webhooks secrets: whsec_ and base64 of the key.
  stdhooks: [`whsec_${Buffer.from('standard-webhooks-e2e-test-key!!').toString('base64')}`],
};

let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/webhooks-policy.yaml', webhookSecrets: SECRETS });
  request = api(runtime);
});

afterAll(async () => {
  await runtime?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(new URL(path, runtime.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text };
}

const now = () => Math.floor(Date.now() / 1000);

/** A portal delivery, signed with the integration's current secret unless told otherwise. */
function portal(payload: unknown, options: { eventId?: string; secret?: string; at?: number } = {}) {
  const body = JSON.stringify(payload);
  return post('/webhooks/portal', body, {
    'x-tierdesk-signature': signTierdeskPayload(options.secret ?? SECRETS.portal[0]!, body, options.at ?? now()),
    ...(options.eventId ? { 'x-event-id': options.eventId } : {}),
  });
}

const portalTicket = (title: string, id = title) => ({ ticket: { id, title, body: `${title}: details`, priority: '2' }, user: { email: 'kim@example.com', name: 'Kim Park' } });

async function ticketCount(): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: any = (await request('GET', `/tickets?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

async function ticket(id: string) {
  const read = await request('GET', `/tickets/${id}`);
  expect(read.status).toBe(200);
  return read.body;
}

describe('signed portal webhooks', () => {
  it('a genuine delivery opens a ticket; its retry answers the same and changes nothing', async () => {
    const first = await portal(portalTicket('Portal: export fails'), { eventId: 'evt-1' });
    const retry = await portal(portalTicket('Portal: export fails'), { eventId: 'evt-1' });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await ticket(first.body.ticketId)).toMatchObject({ channel: 'webhook', subject: 'Portal: export fails', severity: '2', requester: { email: 'kim@example.com', name: 'Kim Park' } });
  });

  it('50 parallel duplicate deliveries make one ticket, and every one is answered with it', async () => {
    const before = await ticketCount();
    const answers = await Promise.all(Array.from({ length: 50 }, () => portal(portalTicket('Portal: fifty at once'), { eventId: 'evt-50' })));

    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((a) => a.body.ticketId)).size).toBe(1);
    expect(await ticketCount()).toBe(before + 1);
  });

  it("a later delivery about the same case (its external id) adds the customer's message to it", async () => {
    const opened = await portal(portalTicket('Portal: follow-up', 'case-77'), { eventId: 'evt-77a' });
    const followUp = await portal({ ...portalTicket('Portal: follow-up', 'case-77'), comment: 'It happens on Mondays only.' }, { eventId: 'evt-77b' });

    expect(followUp.status).toBe(200);
    expect(followUp.body).toMatchObject({ ticketId: opened.body.ticketId, created: false });
    const messages = (await ticket(opened.body.ticketId)).timeline.filter((e: any) => e.type === 'customer-message');
    expect(messages.map((e: any) => e.body)).toEqual(['It happens on Mondays only.']);
  });

  it('rejects a bad signature (401), a replay outside the window (401), and accepts the previous secret while rotating', async () => {
    const before = await ticketCount();
    const forged = await portal(portalTicket('Portal: forged'), { eventId: 'evt-f', secret: 'whsec_guess' });
    const stale = await portal(portalTicket('Portal: stale'), { eventId: 'evt-s', at: now() - 301 });
    const early = await portal(portalTicket('Portal: early'), { eventId: 'evt-e', at: now() + 301 });
    const unsigned = await post('/webhooks/portal', JSON.stringify(portalTicket('Portal: unsigned')));

    expect([forged.status, stale.status, early.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    expect([forged.body.reason, stale.body.reason, early.body.reason, unsigned.body.reason]).toEqual(['mismatch', 'expired', 'expired', 'missing']);
    expect(await ticketCount()).toBe(before);
    expect((await portal(portalTicket('Portal: old secret'), { eventId: 'evt-o', secret: SECRETS.portal[1] })).status).toBe(201);
  });

  it('answers 404 for an unknown integration, 413 over the size limit, 422 naming a field that does not map — storing nothing', async () => {
    const before = await ticketCount();
    const unknown = await post('/webhooks/nobody', '{}');
    const huge = await portal({ ...portalTicket('Portal: huge'), padding: 'x'.repeat(5_000) }, { eventId: 'evt-h' });
    const noEmail = await portal({ ticket: { title: 'No email', body: 'b' }, user: {} }, { eventId: 'evt-n' });
    const badEmail = await portal({ ticket: { title: 'Bad email', body: 'b' }, user: { email: 'not-an-address' } }, { eventId: 'evt-b' });
    const badSeverity = await portal({ ...portalTicket('Portal: bad severity'), ticket: { title: 't', body: 'b', priority: 'apocalyptic' } }, { eventId: 'evt-v' });

    expect(unknown.status).toBe(404);
    expect(huge.status).toBe(413);
    expect(noEmail).toMatchObject({ status: 422, body: { field: 'requesterEmail', path: '$.user.email' } });
    expect(badEmail).toMatchObject({ status: 422, body: { field: 'requesterEmail' } });
    expect(badSeverity).toMatchObject({ status: 422, body: { field: 'severity' } });
    expect(await ticketCount()).toBe(before);
  });

  it('without an event id, a retry with the same content is recognised', async () => {
    const body = JSON.stringify({ subject: 'Form: password reset', message: 'I cannot log in.', email: 'lee@example.com' });
    const send = () => post('/webhooks/forms', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.forms[0]!, body, now()) });

    const [first, second] = [await send(), await send()];

    expect(second.body.ticketId).toBe(first.body.ticketId);
  });

  it('accepts Zendesk-style signatures, so existing triggers can point here', async () => {
    const body = JSON.stringify({ id: 'zd-1', detail: { subject: 'Zendesk: printer on fire', description: 'Smoke.', requester_email: 'max@example.com' } });
    const timestamp = new Date().toISOString();

    const answer = await post('/webhooks/zendesk', body, {
      'x-zendesk-webhook-signature': signZendeskPayload(SECRETS.zendesk[0]!, body, timestamp),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    });
    const tampered = await post('/webhooks/zendesk', body.replace('fire', 'ice'), {
      'x-zendesk-webhook-signature': signZendeskPayload(SECRETS.zendesk[0]!, body, timestamp),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    });

    expect(answer.status).toBe(201);
    expect(tampered.status).toBe(401);
  });

  it("limits each integration's rate: 429 with Retry-After", async () => {
    const send = (i: number, attempt = 0) => {
      const body = JSON.stringify({ s: `Slow ${i}${attempt ? ` (again ${attempt})` : ''}`, d: 'd', e: 'ron@example.com' });
      return post('/webhooks/slow', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.slow[0]!, body, now()) });
    };
    // The rate is counted in whole wall-clock minutes: the three deliveries must fall in one.
    // Started with at least 15 s of the minute left; on a machine so slow that they still span
    // two, they are sent again from the start of a fresh minute.
    const minute = () => Math.floor(Date.now() / 60_000);
    const untilNextMinute = () => 60_000 - (Date.now() % 60_000) + 100;
    if (untilNextMinute() < 15_000) await sleep(untilNextMinute());
    let answers: Answer[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const startedIn = minute();
      answers = [await send(1, attempt), await send(2, attempt), await send(3, attempt)];
      if (minute() === startedIn) break;
      await sleep(untilNextMinute());
    }

    expect(answers.map((a) => a.status)).toEqual([201, 201, 429]);
    expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('fuzz: arbitrary bodies and headers get only 4xx answers and store nothing', async () => {
    const before = await ticketCount();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.dictionary(fc.constantFrom('x-tierdesk-signature', 'x-event-id', 'content-type', 'x-zendesk-webhook-signature'), fc.stringMatching(/^[\x21-\x7e]{0,80}$/)),
        fc.constantFrom('/webhooks/portal', '/webhooks/zendesk', '/webhooks/cti/pbx/nope', '/webhooks/twilio/voice', '/webhooks/livechat'),
        async (body, headers, path) => {
          const answer = await post(path, body, headers);
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
    // Paths: percent signs, stray escapes, slashes and lengths around LIMITS.pathSegment.
    const pathPart = fc.oneof(
      fc.stringMatching(/^[%0-9A-Fa-fz/.~-]{0,40}$/),
      fc.integer({ min: LIMITS.pathSegment - 2, max: LIMITS.pathSegment + 2 }).map((n) => 'p'.repeat(n)),
      fc.constantFrom('%', '%E0%A4%A', '%C3%28', '%ED%A0%80', '%00', 'pbx/%', `pbx/${SECRETS.pbx[0]}%`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/webhooks/', '/webhooks/twilio/', '/webhooks/cti/'), pathPart, fc.nat({ max: 2 * LIMITS.header }), async (prefix, rest, headerLength) => {
        const answer = await post(`${prefix}${rest}`, '{}', { 'x-event-id': 'e'.repeat(headerLength) });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    // Found by this test: form keys that name Object.prototype members.
    for (const body of ['__proto__=1&constructor=2', 'toString=x&__proto__[a]=b', 'hasOwnProperty=1']) {
      for (const path of ['/webhooks/twilio/voice', `/webhooks/cti/pbx/${SECRETS.pbx[0]}`]) {
        expect((await post(path, body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBeLessThan(500);
      }
    }
    expect(await ticketCount()).toBe(before);
  }, 60_000);
});

describe("a delivery's identity is bound to what was signed", () => {
  /** The exact bytes, signed once at `t`, sent with whatever event id header (or none) a replayer picks. */
  const sendSigned = (body: string, t: number, eventId?: string) =>
    post('/webhooks/portal', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.portal[0]!, body, t), ...(eventId === undefined ? {} : { 'x-event-id': eventId }) });

  it('a validly signed body replayed within the window with another or no X-Event-Id opens no second ticket', async () => {
    // Prepare: one genuine delivery, captured.
    const body = JSON.stringify(portalTicket('Replay: captured body', 'case-replay'));
    const t = now();
    const genuine = await sendSigned(body, t, 'evt-replay-1');
    const before = await ticketCount();

    // Act: the same signed bytes, replayed as an attacker would.
    const otherId = await sendSigned(body, t, 'evt-attacker-2');
    const noId = await sendSigned(body, t);

    // Assess
    expect(genuine.status).toBe(201);
    for (const replay of [otherId, noId]) {
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(genuine.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(await ticketCount()).toBe(before);
    expect((await ticket(genuine.body.ticketId)).timeline.filter((e: any) => e.type === 'customer-message')).toHaveLength(0);
  });

  it("the sender's genuine retry (signed anew) is the same delivery; a different event is a new ticket", async () => {
    const payload = portalTicket('Replay: genuine retry', 'case-retry');
    const first = await sendSigned(JSON.stringify(payload), now() - 5, 'evt-retry-1');
    const retry = await sendSigned(JSON.stringify(payload), now(), 'evt-retry-1');
    const other = await sendSigned(JSON.stringify(portalTicket('Replay: another event', 'case-other')), now(), 'evt-retry-2');

    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(other.status).toBe(201);
    expect(other.body.ticketId).not.toBe(first.body.ticketId);
  });

  it('a form without event ids: its replay with an invented X-Event-Id is the same delivery too', async () => {
    const body = JSON.stringify({ subject: 'Form: replayed', message: 'Captured.', email: 'lee@example.com' });
    const signature = signTierdeskPayload(SECRETS.forms[0]!, body, now());
    const first = await post('/webhooks/forms', body, { 'x-tierdesk-signature': signature });
    const replay = await post('/webhooks/forms', body, { 'x-tierdesk-signature': signature, 'x-event-id': 'evt-invented' });

    expect(first.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('Standard Webhooks (signature: standard)', () => {
  const webhook = new Webhook(SECRETS.stdhooks[0]!);
  const send = (id: string, body: string, options: { at?: Date; received?: string; headers?: Record<string, string> } = {}) => {
    const at = options.at ?? new Date();
    return post('/webhooks/stdhooks', options.received ?? body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': webhook.sign(id, at, body),
      ...options.headers,
    });
  };
  const event = (subject: string) => JSON.stringify({ type: 'case.opened', data: { subject, description: 'Sent with the standardwebhooks package.', email: 'sam@example.com' } });

  it('a delivery signed with the package opens a ticket; the same webhook-id again (re-signed) is a replay; a tampered body is 401', async () => {
    const body = event('Standard: printer jam');
    const first = await send('msg_std_1', body, { at: new Date(Date.now() - 10_000) });
    const again = await send('msg_std_1', body);
    const sameBytes = await send('msg_std_1', body, { headers: { 'x-event-id': 'whatever' } });
    const tampered = await send('msg_std_2', body, { received: body.replace('printer jam', 'printer fire') });
    const reused = await send('msg_std_1', event('Standard: another case under a used id'));

    expect(first.status).toBe(201);
    expect(await ticket(first.body.ticketId)).toMatchObject({ channel: 'webhook', subject: 'Standard: printer jam' });
    for (const replay of [again, sameBytes]) {
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(tampered).toMatchObject({ status: 401, body: { reason: 'mismatch' } });
    expect(reused).toMatchObject({ status: 409, body: { field: 'eventId' } });
  });

  it('another webhook-id is another event; an expired timestamp is 401', async () => {
    const body = event('Standard: two events');
    const one = await send('msg_std_3', body);
    const two = await send('msg_std_4', body);
    const stale = await send('msg_std_5', body, { at: new Date(Date.now() - 301_000) });

    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.body.ticketId).not.toBe(one.body.ticketId);
    expect(stale).toMatchObject({ status: 401, body: { reason: 'expired' } });
  });
});

describe('public routes answer every input with a 4xx naming it, and store nothing', () => {
  const signedPortal = (body: string, headers: Record<string, string> = {}) =>
    post('/webhooks/portal', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.portal[0]!, body, now()), ...headers });
  const signedForm = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return post('/webhooks/forms', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.forms[0]!, body, now()) });
  };

  it('paths: malformed percent-encoding and over-long segments are 400 (path); other paths 404', async () => {
    const before = await ticketCount();
    const answers = {
      badEncoding: await post('/webhooks/%E0%A4%A', '{}'),
      badEscape: await post('/webhooks/%zz', '{}'),
      badTwilio: await post('/webhooks/twilio/%C3%28', '{}'),
      badToken: await post(`/webhooks/cti/pbx/%FF${SECRETS.pbx[0]}`, 'event=newCall'),
      longSegment: await post(`/webhooks/${'a'.repeat(5_000)}`, '{}'),
      longToken: await post(`/webhooks/cti/pbx/${'t'.repeat(5_000)}`, 'event=newCall'),
    };

    for (const [name, answer] of Object.entries(answers)) expect(answer, name).toMatchObject({ status: 400, body: { field: 'path' } });
    expect((await post('/webhooks/portal/extra/segments/here', '{}')).status).toBe(404);
    expect(await ticketCount()).toBe(before);
  });

  it('headers over LIMITS.header and event ids that are not 1–255 visible ASCII are 400 naming the header', async () => {
    const before = await ticketCount();
    const body = JSON.stringify(portalTicket('Bounds: never a ticket'));
    const signature = signTierdeskPayload(SECRETS.portal[0]!, body, now());
    const webhook = new Webhook(SECRETS.stdhooks[0]!);
    const stdBody = JSON.stringify({ data: { subject: 'Bounds: never', description: 'd', email: 'sam@example.com' } });
    const longId = 'i'.repeat(300);
    const at = new Date();

    const hugeSignature = await post('/webhooks/portal', body, { 'x-tierdesk-signature': `${signature},x=${'a'.repeat(10_000)}` });
    const hugeEventId = await signedPortal(body, { 'x-event-id': 'e'.repeat(10_000) });
    const longEventId = await signedPortal(body, { 'x-event-id': 'e'.repeat(300) });
    const spacedEventId = await signedPortal(body, { 'x-event-id': 'evt 1' });
    const longWebhookId = await post('/webhooks/stdhooks', stdBody, {
      'webhook-id': longId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': webhook.sign(longId, at, stdBody),
    });

    expect(hugeSignature).toMatchObject({ status: 400, body: { field: 'x-tierdesk-signature' } });
    expect(hugeEventId).toMatchObject({ status: 400, body: { field: 'x-event-id' } });
    expect(longEventId).toMatchObject({ status: 400, body: { field: 'x-event-id', message: expect.stringContaining('255') } });
    expect(spacedEventId).toMatchObject({ status: 400, body: { field: 'x-event-id' } });
    expect(longWebhookId).toMatchObject({ status: 400, body: { field: 'webhook-id' } });
    expect(await ticketCount()).toBe(before);
  });

  it('an event id field inside the signed body is bounded too (422 naming eventId)', async () => {
    const body = JSON.stringify({ id: 'z'.repeat(300), detail: { subject: 'Bounds: zendesk', description: 'd', requester_email: 'max@example.com' } });
    const timestamp = new Date().toISOString();
    const answer = await post('/webhooks/zendesk', body, {
      'x-zendesk-webhook-signature': signZendeskPayload(SECRETS.zendesk[0]!, body, timestamp),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    });

    expect(answer).toMatchObject({ status: 422, body: { field: 'eventId', path: '$.id' } });
  });

  it('bodies that are not JSON objects are 400; mapped fields over their maximum 422 naming the field', async () => {
    const before = await ticketCount();
    for (const body of ['[1,2]', '"text"', 'null', '42', '{"unclosed":']) {
      expect(await signedPortal(body), body).toMatchObject({ status: 400, body: { field: '(body)' } });
    }
    const fields = { subject: 'Bounds: long form', message: 'fine', email: 'lee@example.com' };
    expect(await signedForm({ ...fields, message: 'd'.repeat(LIMITS.description + 1) })).toMatchObject({ status: 422, body: { field: 'description', path: '$.message' } });
    expect(await signedForm({ ...fields, subject: 's'.repeat(LIMITS.subject + 1) })).toMatchObject({ status: 422, body: { field: 'subject' } });
    expect(await signedForm({ ...fields, email: `${'a'.repeat(LIMITS.email)}@example.com` })).toMatchObject({ status: 422, body: { field: 'requesterEmail' } });
    expect(await ticketCount()).toBe(before);
    // At the limit it is accepted as sent.
    const atLimit = await signedForm({ ...fields, message: 'd'.repeat(LIMITS.description) });
    expect(atLimit.status).toBe(201);
    expect((await ticket(atLimit.body.ticketId)).description).toHaveLength(LIMITS.description);
  });

  it('text that is not well-formed UTF-16 (a lone surrogate escaped in JSON) is never a 5xx', async () => {
    const body = '{"subject":"Lone \\ud800 surrogate","message":"half a pair: \\udc00","email":"lee@example.com"}';
    const answer = await post('/webhooks/forms', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.forms[0]!, body, now()) });

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect((await ticket(answer.body.ticketId)).subject).toMatch(/^Lone .+ surrogate$/); // and it reads back
  });

  it('phone callbacks: a call id or parameter over its maximum is 422 naming it', async () => {
    const before = await ticketCount();
    const cti = (fields: Record<string, string>) => post(`/webhooks/cti/pbx/${SECRETS.pbx[0]}`, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    const twilio = (params: Record<string, string>) =>
      post('/webhooks/twilio/voice', new URLSearchParams(params).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': getExpectedTwilioSignature(SECRETS.voice[0]!, 'https://support.example.com/webhooks/twilio/voice', params),
      });

    expect(await cti({ event: 'newCall', callId: 'c'.repeat(300), from: '+4930555000', direction: 'in' })).toMatchObject({ status: 422, body: { field: 'callId' } });
    expect(await cti({ event: 'newCall', callId: 'call-bounds', from: `sip:${'x'.repeat(300)}@pbx`, direction: 'in' })).toMatchObject({ status: 422, body: { field: 'from' } });
    expect(await twilio({ CallSid: 'C'.repeat(300), From: '+12025550100', CallStatus: 'ringing' })).toMatchObject({ status: 422, body: { field: 'CallSid' } });
    expect(await twilio({ CallSid: 'CA-bounds', From: '+12025550100', CallStatus: 's'.repeat(300) })).toMatchObject({ status: 422, body: { field: 'CallStatus' } });
    expect(await ticketCount()).toBe(before);
  });
});

describe('phone systems', () => {
  const cti = (fields: Record<string, string>, token = SECRETS.pbx[0]!) =>
    post(`/webhooks/cti/pbx/${token}`, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

  it('a CTI newCall → answer → hangup makes one phone ticket with three timeline events; an unknown caller is unverified', async () => {
    const call = { callId: 'call-1', from: '+49 30 555 0100', to: '+4930999', direction: 'in' };

    expect((await cti({ event: 'newCall', ...call })).body).toEqual({});
    expect((await cti({ event: 'answer', ...call, user: 'Alice Agent' })).body).toEqual({});
    expect((await cti({ event: 'hangup', ...call, cause: 'normalClearing' })).body).toEqual({});
    await cti({ event: 'hangup', ...call, cause: 'normalClearing' }); // a PBX retry changes nothing

    const phoneTickets = (await request('GET', '/tickets?limit=100')).body.items.filter((t: any) => t.requester.phone === '+49305550100');
    expect(phoneTickets).toHaveLength(1);
    const opened = await ticket(phoneTickets[0].id);
    expect(opened).toMatchObject({ channel: 'phone', entitlement: { status: 'unverified' } });
    // (The workflow also records that the acknowledgement reached nobody: a caller has no address.)
    const callEvents = opened.timeline.filter((e: any) => e.type !== 'notification-sent');
    expect(callEvents.map((e: any) => e.type)).toEqual(['created', 'phone-call', 'phone-call']);
    expect(callEvents.slice(1).map((e: any) => e.data.step)).toEqual(['answered', 'ended']);
    expect(opened.flags).not.toContain('missed-call');
  });

  it('a blocked caller is rejected as busy; a wrong token is 401', async () => {
    expect((await cti({ event: 'newCall', callId: 'call-2', from: '+4930111111', direction: 'in' })).body).toEqual({ action: 'reject', reason: 'busy' });
    expect((await cti({ event: 'newCall', callId: 'call-3', from: '+4930222222', direction: 'in' }, 'wrong-token')).status).toBe(401);
  });

  it('Twilio: callbacks signed by the twilio package are accepted; a missed call with voicemail becomes a flagged ticket with the recording and transcription', async () => {
    const token = SECRETS.voice[0]!;
    const twilio = (params: Record<string, string>, tamper?: (body: string) => string) => {
      const path = '/webhooks/twilio/voice';
      // Twilio signs the public URL it called (the integration's publicUrl), not our loopback one.
      const signature = getExpectedTwilioSignature(token, `https://support.example.com${path}`, params);
      const body = new URLSearchParams(params).toString();
      return post(path, tamper ? tamper(body) : body, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
    };
    const call = { CallSid: 'CA0001', From: '+12025550143', To: '+18005550100', AccountSid: 'AC123' };

    const ring = await twilio({ ...call, CallStatus: 'ringing' });
    expect(ring.status).toBe(200);
    expect(ring.body).toContain('<Response/>');
    expect((await twilio({ ...call, CallStatus: 'no-answer' })).status).toBe(200);
    expect((await twilio({ ...call, RecordingSid: 'RE1', RecordingUrl: 'https://api.twilio.com/rec/RE1' })).status).toBe(200);
    expect((await twilio({ ...call, TranscriptionSid: 'TR1', TranscriptionText: 'Please call me back about the outage.' })).status).toBe(200);
    expect((await twilio({ ...call, CallStatus: 'ringing' }, (b) => b.replace('%2B12025550143', '%2B19995550000'))).status).toBe(401);

    const [listed] = (await request('GET', '/tickets?limit=100')).body.items.filter((t: any) => t.requester.phone === '+12025550143');
    const opened = await ticket(listed.id);
    expect(opened.flags).toContain('missed-call');
    const steps = opened.timeline.filter((e: any) => e.type === 'phone-call');
    expect(steps.map((e: any) => e.data.step)).toEqual(['ended', 'recording', 'transcription']);
    expect(steps[1].data.recordingUrl).toBe('https://api.twilio.com/rec/RE1');
    expect(steps[2].body).toBe('Please call me back about the outage.');
  });
});

describe("a call during the caller's dedicated support period", () => {
  it("Twilio rings the period's engineer (TwiML Dial) and the phone ticket is theirs; after the period the vendor's own call flow goes on", async () => {
    const token = SECRETS.voice[0]!;
    const twilio = (params: Record<string, string>) => {
      const path = '/webhooks/twilio/voice';
      const signature = getExpectedTwilioSignature(token, `https://support.example.com${path}`, params);
      return post(path, new URLSearchParams(params).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
    };
    // Prepare: a customer whose number is known, an engineer with a phone, and the routing a period's start writes.
    expect((await request('PUT', '/customers/gala-co', { body: { name: 'Gala Co', plan: 'standard', phoneNumbers: ['+1 202 555 0177'] } })).status).toBe(201);
    const { store } = getRuntime();
    await store.putAgent({ id: 'eve', name: 'Eve Engineer', email: 'eve@vendor.example', phone: '+1 (202) 555-0166', skills: [], availability: [] });
    await store.setRouting('gala-co', { orderId: 'SO-000099', period: 0, engineerId: 'eve', until: new Date(Date.now() + 60_000).toISOString() });

    // Act: the customer calls; the ring is retried (Twilio retries on a timeout) with the same answer.
    const call = { CallSid: 'CA0099', From: '+12025550177', To: '+18005550100', AccountSid: 'AC123', CallStatus: 'ringing' };
    const ring = await twilio(call);
    const again = await twilio(call);

    // Assess
    expect(ring.status).toBe(200);
    expect(ring.body).toContain('<Response><Dial>+12025550166</Dial></Response>');
    expect(again.body).toBe(ring.body);
    const [opened] = (await request('GET', '/tickets?customer=gala-co')).body.items;
    expect(opened).toMatchObject({ channel: 'phone', assignee: 'eve', queue: 'dedicated:eve' });
    // Later steps of the call are not re-routed; a call after the period is the vendor's to route.
    expect((await twilio({ ...call, CallStatus: 'in-progress' })).body).toContain('<Response/>');
    await store.setRouting('gala-co', undefined);
    await sleep(5_100); // the routing lookup is cached for 5 s per container
    expect((await twilio({ ...call, CallSid: 'CA0100' })).body).toContain('<Response/>');
  });
});

describe('chat transcripts', () => {
  const transcript = (messages: { from: string; text: string }[]) =>
    JSON.stringify({
      conversationId: 'conv-9',
      participants: [
        { id: 'c', role: 'customer', name: 'Noor', email: 'noor@example.com' },
        { id: 'a', role: 'agent', name: 'Bot' },
      ],
      messages: messages.map((m, i) => ({ ...m, at: new Date(Date.UTC(2026, 10, 23, 10, i)).toISOString() })),
    });
  const send = (body: string) => post('/webhooks/livechat', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.livechat[0]!, body, now()) });

  it("a transcript opens a chat ticket; more of the same conversation becomes the customer's message on it", async () => {
    const first = await send(
      transcript([
        { from: 'c', text: 'My invoice is wrong.' },
        { from: 'a', text: 'Let me check.' },
      ]),
    );
    const more = await send(transcript([{ from: 'c', text: 'Any news?' }]));
    const invalid = await send(JSON.stringify({ conversationId: 'x', participants: [{ id: 'a', role: 'agent' }], messages: [{ from: 'a', text: 'hi', at: new Date().toISOString() }] }));

    expect(first.status).toBe(201);
    expect(more.body).toMatchObject({ ticketId: first.body.ticketId, created: false });
    expect(invalid).toMatchObject({ status: 422, body: { field: 'participants' } });
    const opened = await ticket(first.body.ticketId);
    expect(opened).toMatchObject({ channel: 'chat', subject: 'Chat: My invoice is wrong.' });
    expect(opened.description).toContain('Noor (customer): My invoice is wrong.');
    await sleep(0);
  });

  it('a transcript longer than a description fits: cut, with a note that says so', async () => {
    const long = JSON.stringify({
      conversationId: 'conv-long',
      participants: [{ id: 'c', role: 'customer', name: 'Noor', email: 'noor@example.com' }],
      messages: Array.from({ length: 3 }, (_, i) => ({ from: 'c', text: `${i}: ${'word '.repeat(3_999)}`, at: new Date(Date.UTC(2026, 10, 23, 11, i)).toISOString() })),
    });

    const answer = await send(long);
    const replayed = await send(long);

    expect(answer.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const { description } = await ticket(answer.body.ticketId);
    expect(description.length).toBeLessThanOrEqual(LIMITS.description);
    expect(description).toMatch(/\[Transcript cut: the first [\d,]+ of 60,\d{3} characters; the chat tool has the whole conversation\.\]$/);
  });
});
