/**
 * SES feedback rules (core/mail/feedback.ts) on recorded notification samples
 * (test/fixtures/ses-feedback/): which bounces and complaints suppress, what the timeline event
 * says, and that hostile input is reported as malformed rather than trusted or thrown.
 * Tests follow Prepare / Act / Assess.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../core/limits';
import { feedbackEvent, type MailFeedback, parseFeedback } from '../core/mail/feedback';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`./fixtures/ses-feedback/${name}.json`, import.meta.url), 'utf8'));

function feedbackOf(input: unknown): MailFeedback {
  const parsed = parseFeedback(input);
  if (parsed.outcome !== 'feedback') throw new Error(`expected feedback, got ${JSON.stringify(parsed)}`);
  return parsed.feedback;
}

describe('what suppresses', () => {
  it('a permanent bounce suppresses the address and names the diagnostic', () => {
    // Act
    const feedback = feedbackOf(fixture('bounce-permanent'));

    // Assess
    expect(feedback).toMatchObject({
      kind: 'bounce',
      type: 'Permanent/General',
      suppress: true,
      sesMessageId: '0102019a6f3c26e6-1b7d2c44-aa10-4f8e-b2f1-7c3d9e0a1b22-000000',
      configurationSet: 'Prod-mail',
      at: '2026-03-02T09:15:31.402Z',
    });
    expect(feedback.recipients).toEqual([{ address: 'gone@customer.example', status: '5.1.1', diagnostic: expect.stringContaining('550 5.1.1') }]);
  });

  it('a transient bounce is recorded but does not suppress', () => {
    expect(feedbackOf(fixture('bounce-transient'))).toMatchObject({ kind: 'bounce', type: 'Transient/MailboxFull', suppress: false });
  });

  it('an undetermined bounce does not suppress either', () => {
    const sample = fixture('bounce-permanent');
    sample.bounce.bounceType = 'Undetermined';
    sample.bounce.bounceSubType = 'Undetermined';
    expect(feedbackOf(sample).suppress).toBe(false);
  });

  it('a complaint suppresses, its address compared in lower case; a "not-spam" report does not', () => {
    // Act
    const complaint = feedbackOf(fixture('complaint'));
    const notSpam = fixture('complaint');
    notSpam.complaint.complaintFeedbackType = 'not-spam';

    // Assess
    expect(complaint).toMatchObject({ kind: 'complaint', type: 'abuse', suppress: true, recipients: [{ address: 'annoyed@customer.example' }] });
    expect(feedbackOf(notSpam).suppress).toBe(false);
  });

  it('an identity notification (notificationType instead of eventType) reads the same', () => {
    const sample = fixture('bounce-permanent');
    delete sample.eventType;
    sample.notificationType = 'Bounce';
    expect(feedbackOf(sample).suppress).toBe(true);
  });
});

describe('envelopes', () => {
  it("reads the notification inside an EventBridge event (the stack's path) and inside an SNS message", () => {
    // Prepare
    const fromBus = fixture('eventbridge-bounce');
    const fromSns = { Type: 'Notification', MessageId: 'a1', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: JSON.stringify(fixture('bounce-permanent')) };

    // Act / Assess
    expect(feedbackOf(fromBus)).toMatchObject({ kind: 'bounce', suppress: true, recipients: [{ address: 'gone@customer.example' }] });
    expect(feedbackOf(fromSns)).toMatchObject({ kind: 'bounce', suppress: true });
  });

  it('ignores well-formed notifications of other kinds (a delivery)', () => {
    expect(parseFeedback({ eventType: 'Delivery', mail: fixture('bounce-permanent').mail, delivery: {} })).toMatchObject({ outcome: 'ignored' });
  });
});

describe('hostile input', () => {
  const malformed = (input: unknown) => expect(parseFeedback(input).outcome).toBe('malformed');

  it('is malformed, never thrown: not JSON objects, missing parts, wrong types', () => {
    for (const input of [undefined, null, 42, 'Bounce', [], {}, { Type: 'Notification', Message: '{not json' }, { eventType: 7 }]) malformed(input);
    const noRecipients = fixture('bounce-permanent');
    noRecipients.bounce.bouncedRecipients = [];
    malformed(noRecipients);
    const noMail = fixture('complaint');
    delete noMail.mail;
    malformed(noMail);
    const badTime = fixture('bounce-permanent');
    badTime.bounce.timestamp = 'yesterday';
    malformed(badTime);
  });

  it('refuses an address that is no address, or too long to be one, and a message id that could break out of a Message-ID', () => {
    for (const address of ['not an address', 'a@b@c', '<x@example.com>', `${'a'.repeat(250)}@example.com`]) {
      const sample = fixture('bounce-permanent');
      sample.bounce.bouncedRecipients[0].emailAddress = address;
      malformed(sample);
    }
    for (const messageId of ['id>@evil.example', 'a b', '', 'x'.repeat(201)]) {
      const sample = fixture('bounce-permanent');
      sample.mail.messageId = messageId;
      malformed(sample);
    }
  });

  it('refuses more recipients than SES puts on one message', () => {
    const sample = fixture('complaint');
    sample.complaint.complainedRecipients = Array.from({ length: LIMITS.feedbackRecipients + 1 }, (_, i) => ({ emailAddress: `r${i}@customer.example` }));
    malformed(sample);
  });

  it('cuts free text instead of refusing it: a huge diagnostic still suppresses', () => {
    // Prepare
    const sample = fixture('bounce-permanent');
    sample.bounce.bouncedRecipients[0].diagnosticCode = `smtp; 550 ${'x'.repeat(100_000)}\r\nBcc: injected`;

    // Act
    const feedback = feedbackOf(sample);

    // Assess
    expect(feedback.suppress).toBe(true);
    expect(feedback.recipients[0]!.diagnostic!.length).toBe(LIMITS.feedbackDiagnostic);
    expect(feedback.recipients[0]!.diagnostic).not.toMatch(/[\r\n]/);
  });

  it('keeps no unknown fields', () => {
    const sample = fixture('bounce-permanent');
    sample.bounce.bouncedRecipients[0].extra = 'x'.repeat(10_000);
    expect(JSON.stringify(feedbackOf(sample))).not.toContain('xxxxxxxxxx');
  });
});

describe('the timeline event', () => {
  it('is internal, names address, type and diagnostic, and is the same for the same notification', () => {
    // Prepare
    const feedback = feedbackOf(fixture('bounce-permanent'));

    // Act
    const event = feedbackEvent(feedback, 'ticket-1');
    const again = feedbackEvent(feedbackOf(fixture('eventbridge-bounce')), 'ticket-1');

    // Assess
    expect(event).toMatchObject({ type: 'mail-bounced', public: false, ticketId: 'ticket-1', at: feedback.at, actor: { kind: 'system' } });
    expect(event.body).toContain('gone@customer.example');
    expect(event.body).toContain('Permanent/General');
    expect(event.body).toContain('550 5.1.1');
    expect(event.data).toMatchObject({ suppressed: true, type: 'Permanent/General', recipients: [{ address: 'gone@customer.example' }] });
    expect([again.id, again.at]).toEqual([event.id, event.at]);
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('a complaint is a "mail-complaint" event; another feedback gets another id', () => {
    const complaint = feedbackEvent(feedbackOf(fixture('complaint')), 't');
    expect(complaint.type).toBe('mail-complaint');
    expect(complaint.id).not.toBe(feedbackEvent(feedbackOf(fixture('bounce-permanent')), 't').id);
  });
});
