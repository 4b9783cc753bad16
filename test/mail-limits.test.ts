/**
 * Inbound mail of any size stays within the desk's limits (issue [8]): long Message-IDs are
 * hashed before they become keys, only the newest references are looked up, everything a sender
 * wrote is bounded before it is stored, and a null reverse path (`MAIL FROM:<>`) is automated
 * mail. Pure (core/mail); the end-to-end proofs are in test/inbound-email.e2e.test.ts.
 * Tests follow Prepare / Act / Assess.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DYNAMODB, LIMITS, utf8Bytes } from '../core/limits';
import { automatedMailReason, hasNullReversePath } from '../core/mail/loops';
import { HASHED_MESSAGE_ID_PREFIX, messageIdKey } from '../core/mail/message-id';
import { parseInboundMail } from '../core/mail/parse';
import { threadKeys } from '../core/mail/threading';
import { cutMailText, mailRecord, rememberMail, ticketFieldsFromMail, unusableSender } from '../core/mail/ticket-mail';
import { loadPolicy } from '../core/policy/files';
import { TICKET_LINKS } from '../functions/store/dynamo-store';
import { personMail } from './support/person-mail';
import { sampleTicket } from './support/sample-ticket';

const OWN_ADDRESSES = ['support@vendor.example'];

const longId = (fill: string, length = 5_000) => `<${fill.repeat(length)}@mail.example>`;

describe('Message-IDs as keys', () => {
  it('keeps an ordinary Message-ID as it is (existing links stay valid)', () => {
    expect(messageIdKey('<abc@example.com>')).toBe('<abc@example.com>');
    const atLimit = `<${'a'.repeat(LIMITS.messageIdKey - 2)}>`;
    expect(messageIdKey(atLimit)).toBe(atLimit);
  });

  it('hashes a longer one: SHA-256 with a recognisable prefix, the same every time', () => {
    // Prepare
    const id = longId('a');
    // Act
    const key = messageIdKey(id);
    // Assess
    expect(key).toMatch(new RegExp(`^${HASHED_MESSAGE_ID_PREFIX}[0-9a-f]{64}$`));
    expect(messageIdKey(id)).toBe(key);
    expect(messageIdKey(`<${'a'.repeat(LIMITS.messageIdKey)}>`)).toMatch(/^sha256:/);
  });

  it('never cuts: two long ids that share their first thousands of characters stay apart', () => {
    const shared = 'x'.repeat(3_000);
    expect(messageIdKey(`<${shared}1@a>`)).not.toBe(messageIdKey(`<${shared}2@a>`));
  });

  it('every id, of any length and alphabet, makes a link key that fits a partition key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3_000 }), (text) => {
        const link = TICKET_LINKS.mail(`<${text}@x>`);
        expect(utf8Bytes(link)).toBeLessThanOrEqual(DYNAMODB.partitionKeyBytes);
      }),
      { numRuns: 200 },
    );
  });

  it('a link is written and looked up under the same key (the store hashes both ways)', () => {
    const id = longId('b');
    expect(TICKET_LINKS.mail(id)).toBe(`MSGID#${messageIdKey(id)}`);
  });
});

describe('references looked up', () => {
  it('looks up In-Reply-To, then only the newest references, newest first', () => {
    // Prepare
    const references = Array.from({ length: 2_000 }, (_, i) => `<r${i}@x>`);
    // Act
    const keys = threadKeys({ inReplyTo: '<reply@x>', references });
    // Assess
    expect(keys).toHaveLength(1 + LIMITS.threadReferences);
    expect(keys[0]).toBe('<reply@x>');
    expect(keys[1]).toBe('<r1999@x>');
    expect(keys.at(-1)).toBe(`<r${2_000 - LIMITS.threadReferences}@x>`);
    expect(keys).not.toContain('<r0@x>');
  });

  it('parses a mail with 2,000 references keeping the newest, and its 5,000-character Message-ID whole', async () => {
    // Prepare
    const references = Array.from({ length: 2_000 }, (_, i) => `<ref-${i}-${randomUUID()}@example.com>`);
    const raw = `From: ana@acme.example\r\nSubject: long thread\r\nMessage-ID: ${longId('m')}\r\nReferences: ${references.join('\r\n ')}\r\n\r\nHello`;
    // Act
    const mail = await parseInboundMail(Buffer.from(raw));
    // Assess
    expect(mail.references).toEqual(references.slice(-LIMITS.threadReferences));
    expect(mail.messageId).toBe(longId('m'));
    expect(mail.text.trim()).toBe('Hello');
  });
});

describe('what is stored of a mail is bounded', () => {
  it('a mail record: hashed Message-ID, cut sender, listed attachments and problems at their limits', () => {
    // Prepare
    const attachments = Array.from({ length: 500 }, (_, i) => ({ filename: `${'f'.repeat(1_000)}-${i}.txt`, contentType: `text/${'x'.repeat(1_000)}`, size: 1 }));
    const problems = Array.from({ length: 300 }, (_, i) => `problem ${i}: ${'p'.repeat(10_000)}`);
    // Act
    const record = mailRecord({ messageId: longId('c'), from: `${'s'.repeat(1_000)}@x.example`, rawKey: 'inbound/x', attachments, problems });
    // Assess
    expect(record.messageId).toBe(messageIdKey(longId('c')));
    expect(record.from!.length).toBeLessThanOrEqual(LIMITS.email);
    expect(record.attachments).toHaveLength(LIMITS.attachments);
    expect(Math.max(...record.attachments.map((a) => a.filename.length))).toBeLessThanOrEqual(LIMITS.filename);
    expect(Math.max(...record.attachments.map((a) => a.contentType.length))).toBeLessThanOrEqual(LIMITS.contentType);
    expect(record.problems).toHaveLength(LIMITS.mailProblems);
    expect(Math.max(...record.problems.map((p) => p.length))).toBeLessThanOrEqual(LIMITS.mailProblem);
    expect(record.problems.at(-1)).toMatch(/more problems not listed/);
  });

  it('a new ticket from a huge mail: subject, name and description at their limits, saying the full mail is kept', async () => {
    // Prepare
    const policy = loadPolicy('test/fixtures/sla-workflow-policy.yaml');
    const mail = personMail({ subject: 's'.repeat(10_000), from: { address: 'ana@acme.example', name: 'n'.repeat(10_000) }, text: 't'.repeat(500_000) });
    // Act
    const fields = ticketFieldsFromMail(mail, policy);
    // Assess
    expect(fields.subject).toHaveLength(LIMITS.subject);
    expect(fields.requester.name).toHaveLength(LIMITS.name);
    expect(fields.description).toHaveLength(LIMITS.description);
    expect(fields.description).toMatch(/the full mail is kept with the ticket\]$/);
  });

  it('cuts a message body without splitting a character, and leaves a short one alone', () => {
    expect(cutMailText('short', 100)).toBe('short');
    const cut = cutMailText('😀'.repeat(60_000), LIMITS.messageBody);
    expect(cut.length).toBeLessThanOrEqual(LIMITS.messageBody);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('the ticket keeps only Message-IDs it can write into a References header again', () => {
    // Prepare
    const ticket = sampleTicket();
    const record = mailRecord({ rawKey: 'inbound/x', attachments: [], problems: [] });
    // Act
    const short = rememberMail({ ticket, events: [] }, personMail({ messageId: '<ok@x>' }), record);
    const long = rememberMail({ ticket, events: [] }, personMail({ messageId: longId('d') }), record);
    // Assess
    expect(short.ticket.mailThread).toEqual(['<ok@x>']);
    expect(long.ticket.mailThread ?? []).toEqual([]);
  });

  it('a sender address longer than RFC 5321 allows cannot be a requester', () => {
    expect(unusableSender('ana@acme.example')).toBeUndefined();
    expect(unusableSender(`${'a'.repeat(300)}@acme.example`)).toMatch(/longer than 254/);
  });
});

describe('a null reverse path', () => {
  it.each(['', '<>', ' <> '])('MAIL FROM:%j is automated mail, whatever the headers say', (from) => {
    expect(hasNullReversePath({ from })).toBe(true);
    expect(automatedMailReason(personMail(), OWN_ADDRESSES, { from })).toBe('null reverse path (MAIL FROM:<>)');
  });

  it('an envelope sender, or none known, is not', () => {
    expect(automatedMailReason(personMail(), OWN_ADDRESSES, { from: 'ana@acme.example' })).toBeUndefined();
    expect(automatedMailReason(personMail(), OWN_ADDRESSES, {})).toBeUndefined();
    expect(automatedMailReason(personMail(), OWN_ADDRESSES)).toBeUndefined();
  });

  it('a stronger header still names the reason (a bounce says it is a report)', () => {
    const bounce = personMail({ headers: { xLoop: [], contentType: 'multipart/report', reportType: 'delivery-status' } });
    expect(automatedMailReason(bounce, OWN_ADDRESSES, { from: '' })).toBe('multipart/report (delivery-status)');
  });

  it('a reason quoting a huge header value is cut to LIMITS.reason', () => {
    const mail = personMail({ headers: { xLoop: [], listId: 'l'.repeat(50_000) } });
    expect(automatedMailReason(mail, OWN_ADDRESSES)!.length).toBe(LIMITS.reason);
  });
});
