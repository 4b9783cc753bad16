/**
 * The pure parts of webhook ingestion: a generic integration's field mapping (core/webhooks/
 * mapping.ts), phone call steps on a ticket (core/webhooks/calls.ts) and chat transcripts
 * (core/webhooks/chat.ts). Signatures have their own file (test/webhook-signatures.test.ts).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyOrThrow } from '../core/policy/load';
import { SlaPlanner } from '../core/sla/targets';
import { openTicket } from '../core/tickets/rules';
import { missedCall, recordCallStep, ticketFieldsFromCall } from '../core/webhooks/calls';
import { TranscriptSchema, ticketFieldsFromTranscript } from '../core/webhooks/chat';
import type { GenericIntegration } from '../core/webhooks/integrations';
import { contentKey, eventIdOf, mapDelivery, valueAt } from '../core/webhooks/mapping';

const POLICY = policyOrThrow(readFileSync(new URL('./fixtures/webhooks-policy.yaml', import.meta.url), 'utf8'), 'webhooks-policy.yaml');
const PORTAL = POLICY.integrations.find((i) => i.id === 'portal') as GenericIntegration;

describe('a generic integration\'s mapping', () => {
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

  it('keys a delivery by its event id, else by its content within a 10-minute window', () => {
    expect(eventIdOf(PORTAL, { 'x-event-id': 'evt-9' }, delivery)).toBe('evt-9');
    expect(eventIdOf(PORTAL, {}, delivery)).toBeUndefined();
    const mapped = (mapDelivery(PORTAL, delivery) as { value: Parameters<typeof contentKey>[0] }).value;
    const at = Date.UTC(2026, 10, 23, 10, 0, 0);
    expect(contentKey(mapped, at)).toBe(contentKey(mapped, at + 9 * 60_000));
    expect(contentKey(mapped, at)).not.toBe(contentKey(mapped, at + 10 * 60_000));
    expect(contentKey({ ...mapped, subject: 'other' }, at)).not.toBe(contentKey(mapped, at));
  });
});

describe('phone calls on a ticket', () => {
  const ctx = { policy: POLICY, planner: new SlaPlanner(POLICY), now: Date.UTC(2026, 10, 23, 10), newId: () => 'evt-1' };
  const ringing = { step: 'ringing' as const, callId: 'c1', from: '+12025550143', to: '+18005550100' };

  it('a call opens a phone ticket at the policy\'s intake severity', () => {
    expect(ticketFieldsFromCall(ringing, POLICY, 'Ana')).toEqual({
      requester: { phone: '+12025550143', name: 'Ana' },
      subject: 'Phone call from Ana (+12025550143)',
      description: 'Incoming call from Ana (+12025550143) to +18005550100.',
      severity: '4',
    });
  });

  it('each step is an internal event; only a call nobody took is flagged', () => {
    const opened = openTicket(
      { id: 'T-1', caseNumber: 'WH-000001', channel: 'phone', ...ticketFieldsFromCall(ringing, POLICY), entitlement: { status: 'unverified', reasons: [], queue: 'triage', designatedUser: false, addOns: [] } },
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

  it('needs a customer, and every message from a listed participant', () => {
    expect(TranscriptSchema.safeParse({ ...transcript, participants: [transcript.participants[1]] }).success).toBe(false);
    expect(TranscriptSchema.safeParse({ ...transcript, messages: [{ from: 'x', text: 'hi', at: '2026-11-23T10:01:00Z' }] }).success).toBe(false);
  });
});
