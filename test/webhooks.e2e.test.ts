/**
 * Webhook ingestion end to end on `npm start`'s runtime (test/fixtures/webhooks-policy.yaml):
 * signed portal deliveries, Zendesk-style senders, a PBX speaking Zammad's CTI API, Twilio Voice
 * callbacks signed by the twilio package itself, and chat transcripts. Nothing is mocked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTierdeskPayload, signZendeskPayload } from '../core/webhooks/signatures';
import { getRuntime } from '../functions/shared/runtime';
import { api, startTestRuntime, type Runtime } from './support/runtime';

const SECRETS = {
  portal: ['whsec_new-portal-secret', 'whsec_old-portal-secret'],
  forms: ['whsec_forms'],
  zendesk: ['zendesk-signing-secret'],
  slow: ['whsec_slow'],
  pbx: ['cti-token-1234567890'],
  voice: ['twilio-auth-token-0123456789abcdef'],
  livechat: ['whsec_chat'],
};

let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/webhooks-policy.yaml', webhookSecrets: SECRETS });
  request = api(runtime);
}, 60_000);

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

  it('a later delivery about the same case (its external id) adds the customer\'s message to it', async () => {
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

  it('limits each integration\'s rate: 429 with Retry-After', async () => {
    const send = (i: number) => {
      const body = JSON.stringify({ s: `Slow ${i}`, d: 'd', e: 'ron@example.com' });
      return post('/webhooks/slow', body, { 'x-tierdesk-signature': signTierdeskPayload(SECRETS.slow[0]!, body, now()) });
    };
    const answers = [await send(1), await send(2), await send(3)];

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
    // Found by this test: form keys that name Object.prototype members.
    for (const body of ['__proto__=1&constructor=2', 'toString=x&__proto__[a]=b', 'hasOwnProperty=1']) {
      for (const path of ['/webhooks/twilio/voice', `/webhooks/cti/pbx/${SECRETS.pbx[0]}`]) {
        expect((await post(path, body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBeLessThan(500);
      }
    }
    expect(await ticketCount()).toBe(before);
  }, 60_000);
});

describe('phone systems', () => {
  const cti = (fields: Record<string, string>, token = SECRETS.pbx[0]!) => post(`/webhooks/cti/pbx/${token}`, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

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

describe('a call during the caller\'s dedicated support period', () => {
  it('Twilio rings the period\'s engineer (TwiML Dial) and the phone ticket is theirs; after the period the vendor\'s own call flow goes on', async () => {
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

  it('a transcript opens a chat ticket; more of the same conversation becomes the customer\'s message on it', async () => {
    const first = await send(transcript([{ from: 'c', text: 'My invoice is wrong.' }, { from: 'a', text: 'Let me check.' }]));
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
});
