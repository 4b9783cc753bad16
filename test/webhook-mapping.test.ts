/**
 * The pure parts of webhook ingestion: a generic integration's field mapping (core/webhooks/
 * mapping.ts), phone call steps on a ticket (core/webhooks/calls.ts) and chat transcripts
 * (core/webhooks/chat.ts). Signatures have their own file (test/webhook-signatures.test.ts).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../core/limits';
import { policyOrThrow } from '../core/policy/load';
import { SlaPlanner } from '../core/sla/targets';
import { openTicket } from '../core/tickets/rules';
import { callFromCti, callFromTwilio, missedCall, recordCallStep, ticketFieldsFromCall } from '../core/webhooks/calls';
import { TranscriptSchema, ticketFieldsFromTranscript, transcriptMessage } from '../core/webhooks/chat';
import { CONTENT_WINDOW_SECONDS, contentKeys, deliveryIdentity, keyPart } from '../core/webhooks/identity';
import type { GenericIntegration } from '../core/webhooks/integrations';
import { eventIdOf, mapDelivery, valueAt } from '../core/webhooks/mapping';

const POLICY = policyOrThrow(readFileSync(new URL('./fixtures/webhooks-policy.yaml', import.meta.url), 'utf8'), 'webhooks-policy.yaml');
const PORTAL = POLICY.integrations.find((i) => i.id === 'portal') as GenericIntegration;

describe("a generic integration's mapping", () => {
  const delivery = { ticket: { id: 7, title: 'Export fails', body: 'Since Monday.', priority: 2 }, user: { email: 'Kim@Example.com', name: 'Kim' }, items: [{ id: 'a' }] };

  it('reads dotted paths and indexes, and nothing from the prototype', () => {
    expect(valueAt(delivery, '$.ticket.title')).toBe('Export fails');
    expect(valueAt(delivery, '$.items[0].id')).toBe('a');
    expect(valueAt(delivery, '$.ticket.missing.deeper')).toBeUndefined();
    expect(valueAt({}, '$.constructor')).toBeUndefined();
    expect(valueAt('text', '$.length')).toBeUndefined();
  });

  it('maps the fields, lower-casing the email and reading numbers as text', () => {
    expect(mapDelivery(PORTAL, delivery)).toEqual({
      ok: true,
      value: { subject: 'Export fails', description: 'Since Monday.', requester: { email: 'kim@example.com', name: 'Kim' }, severity: '2', externalId: '7' },
    });
  });

  it('names the first field that is missing or invalid, with its path', () => {
    expect(mapDelivery(PORTAL, { ...delivery, ticket: { ...delivery.ticket, title: '   ' } })).toMatchObject({ ok: false, field: 'subject', path: '$.ticket.title' });
    expect(mapDelivery(PORTAL, { ...delivery, user: { email: 'nope' } })).toMatchObject({ ok: false, field: 'requesterEmail', message: expect.stringContaining('email') });
    expect(mapDelivery(PORTAL, { ticket: {} })).toMatchObject({ ok: false, field: 'subject', message: 'subject ($.ticket.title) is missing' });
  });

  it('never throws on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => ['boolean'].includes(typeof mapDelivery(PORTAL, value).ok)));
  });

  it('refuses a body that is not a JSON object, and fields over their maximum, naming them', () => {
    expect(mapDelivery(PORTAL, [delivery])).toMatchObject({ ok: false, field: '(body)' });
    expect(mapDelivery(PORTAL, 'text')).toMatchObject({ ok: false, field: '(body)' });
    const over = (ticket: object) => mapDelivery(PORTAL, { ...delivery, ticket: { ...delivery.ticket, ...ticket } });
    expect(over({ title: 's'.repeat(300) }).ok).toBe(true);
    expect(over({ title: 's'.repeat(301) })).toMatchObject({ ok: false, field: 'subject', message: expect.stringContaining('at most 300') });
    expect(over({ body: 'd'.repeat(40_000) }).ok).toBe(true);
    expect(over({ body: 'd'.repeat(40_001) })).toMatchObject({ ok: false, field: 'description', message: expect.stringContaining('at most 40000') });
    expect(over({ id: 'x'.repeat(256) })).toMatchObject({ ok: false, field: 'externalId' });
    expect(over({ priority: 'p'.repeat(201) })).toMatchObject({ ok: false, field: 'severity' });
    expect(mapDelivery(PORTAL, { ...delivery, user: { email: `${'a'.repeat(250)}@example.com` } })).toMatchObject({ ok: false, field: 'requesterEmail' });
    expect(mapDelivery(PORTAL, { ...delivery, user: { ...delivery.user, name: 'n'.repeat(201) } })).toMatchObject({ ok: false, field: 'requesterName' });
    expect(mapDelivery(PORTAL, { ...delivery, comment: 'm'.repeat(100_001) })).toMatchObject({ ok: false, field: 'message' });
  });

  it('reads the event id from the header or field it names, refusing ids that are not 1–255 visible ASCII', () => {
    const ZENDESK = POLICY.integrations.find((i) => i.id === 'zendesk') as GenericIntegration;
    expect(eventIdOf(PORTAL, { 'x-event-id': 'evt-9' }, delivery)).toEqual({ ok: true, id: 'evt-9', signed: false });
    expect(eventIdOf(PORTAL, {}, delivery)).toEqual({ ok: true, signed: false });
    expect(eventIdOf(PORTAL, { 'x-event-id': 'e'.repeat(255) }, delivery)).toMatchObject({ ok: true });
    expect(eventIdOf(PORTAL, { 'x-event-id': 'e'.repeat(256) }, delivery)).toMatchObject({ ok: false, status: 400, field: 'x-event-id' });
    expect(eventIdOf(PORTAL, { 'x-event-id': 'evt 9' }, delivery)).toMatchObject({ ok: false, status: 400, field: 'x-event-id' });
    expect(eventIdOf(PORTAL, { 'x-event-id': 'évt' }, delivery)).toMatchObject({ ok: false, field: 'x-event-id' });
    // A field of the body is signed with it.
    expect(eventIdOf(ZENDESK, {}, { id: 12345 })).toEqual({ ok: true, id: '12345', signed: true });
    expect(eventIdOf(ZENDESK, {}, { id: 'z'.repeat(300) })).toMatchObject({ ok: false, status: 422, field: 'eventId', path: '$.id' });
    expect(eventIdOf(ZENDESK, {}, { id: { nested: true } })).toMatchObject({ ok: false, field: 'eventId' });
    // Standard Webhooks: webhook-id, signed, whatever eventId says.
    expect(eventIdOf({ ...PORTAL, signature: 'standard' }, { 'webhook-id': 'msg_1', 'x-event-id': 'evt-9' }, delivery)).toEqual({ ok: true, id: 'msg_1', signed: true });
  });
});

describe("a delivery's identity (core/webhooks/identity.ts)", () => {
  const mapped = { subject: 'Export fails', description: 'Since Monday.', requester: { email: 'kim@example.com' } };
  const body = new TextEncoder().encode('{"signed":"bytes"}');
  const at = Date.UTC(2026, 10, 23, 10, 0, 0);
  const keys = (input: Partial<Parameters<typeof deliveryIdentity>[0]>) => deliveryIdentity({ rawBody: body, mapped, nowMs: at, ...input }).map((k) => k.key);
  const shareKey = (a: string[], b: string[]) => a.some((key) => b.includes(key));

  it('a signed event id alone identifies a delivery; reused with other content it is a mismatch, not a new delivery', () => {
    const first = deliveryIdentity({ signedEventId: 'msg_1', signedTimestamp: '1795000000', rawBody: body, mapped, nowMs: at });
    const retry = deliveryIdentity({ signedEventId: 'msg_1', signedTimestamp: '1795000060', rawBody: body, mapped, nowMs: at + 60_000 });
    const reused = deliveryIdentity({ signedEventId: 'msg_1', rawBody: body, mapped: { ...mapped, subject: 'Other' }, nowMs: at });

    expect(first).toEqual(retry);
    expect(first).toHaveLength(1);
    expect(reused[0]!.key).toBe(first[0]!.key);
    expect(reused[0]!.requestHash).not.toBe(first[0]!.requestHash);
  });

  it('the same signed bytes are one delivery whatever the unsigned event id says', () => {
    const signed = { signedTimestamp: '1795000000' };
    const withId = keys({ ...signed, headerEventId: 'evt-1' });
    const otherId = keys({ ...signed, headerEventId: 'evt-attacker', nowMs: at + 299_000 });
    const noId = keys({ ...signed, nowMs: at + 299_000 });

    expect(withId[0]).toBe(otherId[0]);
    expect(withId[0]).toBe(noId[0]);
    expect(withId[0]).toMatch(/^signed:1795000000:[0-9a-f]{64}$/);
  });

  it('a genuine retry (signed anew) shares the content key; different events share no key', () => {
    const first = keys({ signedTimestamp: '1795000000', headerEventId: 'evt-1' });
    const retry = keys({ signedTimestamp: '1795000090', headerEventId: 'evt-1', nowMs: at + 86_000_000 });
    const another = keys({ signedTimestamp: '1795000090', headerEventId: 'evt-2' });
    const otherContent = keys({ signedTimestamp: '1795000000', headerEventId: 'evt-1', mapped: { ...mapped, subject: 'Other' }, rawBody: new Uint8Array([1]) });

    expect(retry[0]).not.toBe(first[0]);
    expect(shareKey(first, retry)).toBe(true);
    expect(shareKey(first, another)).toBe(false);
    expect(shareKey(first, otherContent)).toBe(false);
  });

  it('without any event id, copies less than 10 minutes apart always share a content key; 20 minutes apart never (property)', () => {
    expect(CONTENT_WINDOW_SECONDS).toBe(600);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: 0, max: 599_999 }), (start, gap) => {
        expect(
          shareKey(
            contentKeys(mapped, start).map((k) => k.key),
            contentKeys(mapped, start + gap).map((k) => k.key),
          ),
        ).toBe(true);
        expect(
          shareKey(
            contentKeys(mapped, start).map((k) => k.key),
            contentKeys(mapped, start + 1_200_000 + gap).map((k) => k.key),
          ),
        ).toBe(false);
        expect(
          shareKey(
            contentKeys(mapped, start).map((k) => k.key),
            contentKeys({ ...mapped, subject: 'x' }, start + gap).map((k) => k.key),
          ),
        ).toBe(false);
      }),
    );
  });

  it('an id in a key is kept as it is when short, hashed when long or not well-formed', () => {
    expect(keyPart('case-77')).toBe('case-77');
    expect(keyPart('x'.repeat(256))).toBe('x'.repeat(256));
    expect(keyPart('x'.repeat(257))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keyPart('é'.repeat(200))).toMatch(/^sha256:/); // 400 bytes of UTF-8
    expect(keyPart('a\uD800b')).toMatch(/^sha256:/);
    expect(keyPart('a\uD800b')).not.toBe(keyPart('a\uD801b'));
    expect(keyPart(keyPart('x'.repeat(300)))).not.toBe(keyPart('x'.repeat(300)));
  });
});

describe('phone calls on a ticket', () => {
  const ctx = { policy: POLICY, planner: new SlaPlanner(POLICY), now: Date.UTC(2026, 10, 23, 10), newId: () => 'evt-1' };
  const ringing = { step: 'ringing' as const, callId: 'c1', from: '+12025550143', to: '+18005550100' };

  it("a call opens a phone ticket at the policy's intake severity", () => {
    expect(ticketFieldsFromCall(ringing, POLICY, 'Ana')).toEqual({
      requester: { phone: '+12025550143', name: 'Ana' },
      subject: 'Phone call from Ana (+12025550143)',
      description: 'Incoming call from Ana (+12025550143) to +18005550100.',
      severity: '4',
    });
  });

  it('each step is an internal event; only a call nobody took is flagged', () => {
    const opened = openTicket(
      {
        id: 'T-1',
        caseNumber: 'WH-000001',
        channel: 'phone',
        ...ticketFieldsFromCall(ringing, POLICY),
        entitlement: { status: 'unverified', reasons: [], queue: 'triage', designatedUser: false, addOns: [] },
      },
      ctx,
      { kind: 'customer', id: ringing.from },
    ).ticket;

    const answered = recordCallStep(opened, { ...ringing, step: 'ended', cause: 'normalClearing' }, ctx);
    const missed = recordCallStep(opened, { ...ringing, step: 'ended', cause: 'no-answer' }, ctx);

    expect(answered.events[0]).toMatchObject({ type: 'phone-call', public: false, data: { step: 'ended', cause: 'normalClearing', callId: 'c1' } });
    expect(answered.ticket.flags).not.toContain('missed-call');
    expect(missed.ticket.flags).toContain('missed-call');
    expect(['noAnswer', 'busy', 'cancel', 'no-answer', 'failed'].every((cause) => missedCall({ ...ringing, step: 'ended', cause }))).toBe(true);
    expect(missedCall({ ...ringing, step: 'answered' })).toBe(false);
  });

  it('reads Twilio and CTI callbacks, refusing any parameter over its maximum by name', () => {
    const twilio = { CallSid: 'CA1', From: '+1 202 555 0143', To: '+18005550100' };
    expect(callFromTwilio({ ...twilio, CallStatus: 'no-answer' })).toEqual({
      ok: true,
      step: 'no-answer',
      event: { callId: 'CA1', from: '+12025550143', to: '+18005550100', step: 'ended', cause: 'no-answer' },
    });
    expect(callFromTwilio({ ...twilio, RecordingSid: 'RE1', RecordingUrl: 'https://x/r' })).toMatchObject({ ok: true, step: 'RE1', event: { step: 'recording' } });
    expect(callFromTwilio({ ...twilio, CallSid: 'C'.repeat(256) })).toMatchObject({ ok: false, field: 'CallSid' });
    expect(callFromTwilio({ ...twilio, From: `sip:${'a'.repeat(300)}@pbx.example.com` })).toMatchObject({ ok: false, field: 'From' });
    expect(callFromTwilio({ ...twilio, RecordingUrl: `https://x/${'r'.repeat(2_100)}` })).toMatchObject({ ok: false, field: 'RecordingUrl' });
    expect(callFromTwilio({ ...twilio, TranscriptionText: 't'.repeat(LIMITS.messageBody + 1) })).toMatchObject({ ok: false, field: 'TranscriptionText' });
    expect(callFromTwilio({ From: '+12025550143' })).toMatchObject({ ok: false, field: 'CallSid' });

    const cti = { event: 'answer', callId: 'c-1', from: '+4930555', user: 'Alice' };
    expect(callFromCti(cti)).toMatchObject({ ok: true, step: 'answer', event: { step: 'answered', answeredBy: 'Alice' } });
    expect(callFromCti({ ...cti, user: 'A'.repeat(201) })).toMatchObject({ ok: false, field: 'user' });
    expect(callFromCti({ ...cti, cause: 'c'.repeat(201) })).toMatchObject({ ok: false, field: 'cause' });
    expect(callFromCti({ ...cti, event: 'transfer' })).toMatchObject({ ok: false, field: 'event' });
  });

  it('never throws on any parameters, and every string it keeps is bounded (property)', () => {
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 250, maxLength: 3_000 }));
    const keys = fc.constantFrom(
      'CallSid',
      'From',
      'To',
      'CallStatus',
      'RecordingSid',
      'RecordingUrl',
      'TranscriptionSid',
      'event',
      'callId',
      'from',
      'to',
      'cause',
      'user',
      'answeringNumber',
      '__proto__',
    );
    fc.assert(
      fc.property(fc.dictionary(keys, value), (params) => {
        for (const reading of [callFromTwilio(params), callFromCti(params)]) {
          if (!reading.ok) continue;
          expect(reading.event.callId.length).toBeLessThanOrEqual(LIMITS.idempotencyKey);
          expect(reading.step.length).toBeLessThanOrEqual(LIMITS.idempotencyKey);
          expect(reading.event.from.length).toBeLessThanOrEqual(LIMITS.email);
          expect(String(reading.event.cause ?? '').length).toBeLessThanOrEqual(LIMITS.label);
        }
      }),
    );
  });
});

describe('chat transcripts', () => {
  const transcript = {
    conversationId: 42,
    participants: [
      { id: 'c', role: 'customer', name: 'Noor', email: 'Noor@Example.com' },
      { id: 'a', role: 'agent', name: 'Sam' },
    ],
    messages: [
      { from: 'c', text: 'My invoice is wrong.\nIt lists 12 seats.', at: '2026-11-23T10:01:00Z' },
      { from: 'a', text: 'Checking.', at: '2026-11-23T10:02:00+00:00' },
    ],
  };

  it('becomes a chat ticket whose description is the transcript, line by line', () => {
    const fields = ticketFieldsFromTranscript(TranscriptSchema.parse(transcript), POLICY);

    expect(fields.subject).toBe('Chat: My invoice is wrong.');
    expect(fields.requester).toEqual({ email: 'noor@example.com', name: 'Noor' });
    expect(fields.description.split('\n')[0]).toBe('[2026-11-23 10:01 UTC] Noor (customer): My invoice is wrong.');
    expect(fields.description).toContain('[2026-11-23 10:02 UTC] Sam (agent): Checking.');
  });

  it('a transcript over the description limit is cut with a note saying so; as a later message, at the message limit', () => {
    // Prepare: 60 messages of 1,000 characters (over 60,000 characters of transcript).
    const long = { ...transcript, messages: Array.from({ length: 60 }, (_, i) => ({ from: 'c', text: `${i} ${'w'.repeat(998)}`, at: '2026-11-23T10:01:00Z' })) };

    // Act
    const fields = ticketFieldsFromTranscript(TranscriptSchema.parse(long), POLICY);
    const asMessage = transcriptMessage(TranscriptSchema.parse(long));

    // Assess
    expect(fields.description.length).toBeLessThanOrEqual(LIMITS.description);
    expect(fields.description.startsWith('[2026-11-23 10:01 UTC] Noor (customer): 0 www')).toBe(true);
    expect(fields.description.slice(-120)).toMatch(/\[Transcript cut: the first 39,\d{3} of 62,\d{3} characters; the chat tool has the whole conversation\.\]$/);
    expect(asMessage).not.toContain('Transcript cut');
    expect(ticketFieldsFromTranscript(TranscriptSchema.parse(transcript), POLICY).description).not.toContain('Transcript cut');
  });

  it('bounds every string of a transcript', () => {
    const parse = (change: object) => TranscriptSchema.safeParse({ ...transcript, ...change });
    expect(parse({ conversationId: 'c'.repeat(255) }).success).toBe(true);
    expect(parse({ conversationId: 'c'.repeat(256) }).success).toBe(false);
    expect(parse({ participants: [{ ...transcript.participants[0], id: 'p'.repeat(256) }] }).success).toBe(false);
    expect(parse({ participants: [{ ...transcript.participants[0], name: 'n'.repeat(201) }, transcript.participants[1]] }).success).toBe(false);
    expect(parse({ participants: [{ ...transcript.participants[0], phone: '1'.repeat(41) }, transcript.participants[1]] }).success).toBe(false);
    expect(parse({ subject: 's'.repeat(301) }).success).toBe(false);
    expect(parse({ messages: [{ from: 'c', text: 't'.repeat(20_001), at: '2026-11-23T10:01:00Z' }] }).success).toBe(false);
  });

  it('needs a customer, and every message from a listed participant', () => {
    expect(TranscriptSchema.safeParse({ ...transcript, participants: [transcript.participants[1]] }).success).toBe(false);
    expect(TranscriptSchema.safeParse({ ...transcript, messages: [{ from: 'x', text: 'hi', at: '2026-11-23T10:01:00Z' }] }).success).toBe(false);
  });
});
