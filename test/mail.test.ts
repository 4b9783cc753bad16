/**
 * Inbound email, the pure part (core/mail): parsing raw mail, telling automated mail from a
 * person's, finding the ticket a mail belongs to, and trimming quoted history from replies.
 *
 * The corpus in test/fixtures/mail is hand-written in the shapes real clients produce (Gmail,
 * Outlook, Postfix bounces, Exchange out-of-office replies, a newsletter) plus broken ones. The
 * desk's own address is support@vendor.example and its case prefix CASE.
 * Tests follow Prepare / Act / Assess.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { automatedMailReason } from '../core/mail/loops';
import { messageIdsIn, normaliseMessageId } from '../core/mail/message-id';
import { type InboundMail, mailMetadata, parseInboundMail } from '../core/mail/parse';
import { visibleReply } from '../core/mail/reply-text';
import { caseNumbersInSubject, sesMessageId, threadKeys } from '../core/mail/threading';
import { subjectTagMayJoin } from '../core/mail/ticket-mail';
import { personMail } from './support/person-mail';

const OWN_ADDRESSES = ['support@vendor.example', 'Desk-Notifications@vendor.example'];
const PREFIX = 'CASE';

function fixture(name: string): Buffer {
  return readFileSync(new URL(`./fixtures/mail/${name}`, import.meta.url));
}

function parseFixture(name: string): Promise<InboundMail> {
  return parseInboundMail(fixture(name));
}

function withHeaders(headers: Partial<InboundMail['headers']>): InboundMail {
  return personMail({ headers: { xLoop: [], ...headers } });
}

interface FixtureExpectation {
  file: string;
  subject: string;
  from?: string;
  sentence: string;
  automated?: RegExp;
  caseNumbers: string[];
  visible?: string;
  problems?: RegExp[];
}

const FIXTURES: FixtureExpectation[] = [
  {
    file: 'multipart-alternative.eml',
    subject: '[CASE-000123] CSV export times out',
    from: 'ana.souza@acme.example',
    sentence: 'The CSV export of the invoices report still times out after 30 seconds.',
    caseNumbers: ['CASE-000123'],
  },
  {
    file: 'mixed-with-attachment.eml',
    subject: 'Error log from the nightly sync',
    from: 'bruno@keller-logistik.example',
    sentence: 'The nightly sync failed again, the error log is attached.',
    caseNumbers: [],
  },
  {
    file: 'quoted-printable.eml',
    subject: 'Export en panne',
    from: 'celine.dupont@exemple.example',
    sentence: 'Voici une ligne très longue qui dépasse largement la limite de soixante-seize caractères',
    caseNumbers: [],
  },
  {
    file: 'base64-body.eml',
    subject: 'License key rejected',
    from: 'dev@startup.example',
    sentence: 'Our license key stopped working this morning (error E-401).',
    caseNumbers: [],
  },
  {
    file: 'subject-iso-8859-1.eml',
    subject: 'Re: [CASE-000077] Problema con la exportación',
    from: 'jose@empresa.example',
    sentence: 'La exportación sigue fallando en la versión 4.2.',
    caseNumbers: ['CASE-000077'],
  },
  {
    file: 'subject-shift-jis.eml',
    subject: '【CASE-000321】ログインできません',
    from: 'yamada@kaisha.example',
    sentence: 'ログイン画面でエラーが表示されます。',
    caseNumbers: ['CASE-000321'],
  },
  {
    file: 'subject-utf8.eml',
    subject: 'Fehler beim Größenimport (case 99) – dringend',
    from: 'juergen@firma.example',
    sentence: 'Der Import großer Dateien bricht mit „Speicherfehler“ ab.',
    caseNumbers: ['CASE-000099'],
  },
  {
    file: 'html-only.eml',
    subject: 'Dashboard shows wrong totals',
    from: 'priya@retail.example',
    sentence: 'The sales dashboard shows totals that are twice the real amount.',
    caseNumbers: [],
  },
  {
    file: 'outlook-reply.eml',
    subject: 'RE: [CASE-000456] Single sign-on broken',
    from: 'mark.thompson@bigcorp.example',
    sentence: 'We applied the new certificate but users still get the login loop.',
    caseNumbers: ['CASE-000456'],
    visible: 'Hi,\n\nWe applied the new certificate but users still get the login loop.\n\nMark Thompson\nIT Operations | BigCorp',
  },
  {
    file: 'gmail-reply.eml',
    subject: 'Re: [CASE-000789] Webhook retries',
    from: 'lena.fischer@gmail.example',
    sentence: 'Thanks, the retries arrive now. You can close the case.',
    caseNumbers: ['CASE-000789'],
    visible: 'Thanks, the retries arrive now. You can close the case.\n\nLena',
  },
  {
    file: 'dsn-bounce.eml',
    subject: 'Undelivered Mail Returned to Sender',
    from: 'mailer-daemon@mx.acme.example',
    sentence: '550 5.1.1 User unknown',
    automated: /^Auto-Submitted: auto-replied$/,
    caseNumbers: [],
  },
  {
    file: 'out-of-office.eml',
    subject: 'Automatic reply: [CASE-000555] Report scheduling',
    from: 'sofia.rossi@azienda.example',
    sentence: 'I am out of the office until 14 December',
    automated: /^Auto-Submitted: auto-replied$/,
    caseNumbers: ['CASE-000555'],
  },
  {
    file: 'mailing-list.eml',
    subject: "What's new in November",
    from: 'news@saas-tools.example',
    sentence: 'This month we shipped dark mode and faster exports.',
    automated: /^Precedence: bulk$/,
    caseNumbers: [],
  },
  {
    file: 'no-headers.eml',
    subject: 'help',
    sentence: 'Our printer integration is down, please call me back.',
    caseNumbers: [],
    problems: [/^no From header$/, /^no Message-ID header$/, /^no Date header$/],
  },
  {
    file: 'malformed.eml',
    subject: 'Attachment did not come through',
    from: 'broken@client.example',
    sentence: 'The screenshot of the error should be attached here.',
    caseNumbers: [],
    problems: [/^Date header unreadable/, /^no MIME part could be read/],
  },
];

describe('the fixture corpus', () => {
  it.each(FIXTURES)('$file: subject, sender, body, automation, case number', async (expected) => {
    // Act
    const mail = await parseFixture(expected.file);

    // Assess
    expect(mail.subject).toBe(expected.subject);
    expect(mail.from?.address).toBe(expected.from);
    expect(mail.text).toContain(expected.sentence);
    if (expected.automated) expect(automatedMailReason(mail, OWN_ADDRESSES)).toMatch(expected.automated);
    else expect(automatedMailReason(mail, OWN_ADDRESSES)).toBeUndefined();
    expect(caseNumbersInSubject(mail.subject, PREFIX)).toEqual(expected.caseNumbers);
    if (expected.visible) expect(visibleReply(mail.text)).toBe(expected.visible);
    for (const problem of expected.problems ?? []) expect(mail.problems).toContainEqual(expect.stringMatching(problem));
    if (!expected.problems) expect(mail.problems).toEqual([]);
  });

  it('lists an attachment with its name, type, size and bytes', async () => {
    // Act
    const mail = await parseFixture('mixed-with-attachment.eml');

    // Assess
    expect(mail.attachments).toHaveLength(1);
    const [attachment] = mail.attachments;
    expect(attachment).toMatchObject({ filename: 'sync-error-log.pdf', contentType: 'application/pdf', size: 1271, inline: false });
    expect(attachment?.content?.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(attachment?.content?.length).toBe(1271);
    expect(mail.html).toContain('<p>The nightly sync failed again');
  });

  it('reads the ids and names a reply is threaded by', async () => {
    // Act
    const mail = await parseFixture('subject-iso-8859-1.eml');

    // Assess
    expect(mail.messageId).toBe('<latin1-subject@empresa.example>');
    expect(mail.inReplyTo).toBe('<0102019a1b2c3d4e-aaaa-bbbb-cccc-000000@eu-west-1.amazonses.com>');
    expect(mail.references).toEqual(['<0102019a0000aaaa-1111-2222-3333-000000@eu-west-1.amazonses.com>', '<0102019a1b2c3d4e-aaaa-bbbb-cccc-000000@eu-west-1.amazonses.com>']);
    expect(mail.from).toEqual({ address: 'jose@empresa.example', name: 'José Martínez' });
    expect(mail.date).toBe('2026-11-27T11:00:00.000Z');
  });

  it('lower-cases addresses and reads To and Cc', async () => {
    // Act
    const mail = await parseFixture('multipart-alternative.eml');

    // Assess
    expect(mail.from).toEqual({ address: 'ana.souza@acme.example', name: 'Ana Souza' });
    expect(mail.to).toEqual([{ address: 'support@vendor.example', name: 'Vendor Support' }]);
    expect(mail.cc).toEqual([{ address: 'ops@acme.example', name: '' }]);
    expect(mail.messageId).toBe('<CAF7xq0=3kM9vT@mail.acme.example>');
    expect(mail.date).toBe('2026-11-23T09:12:40.000Z');
  });

  it('decodes the sender name of a Shift_JIS mail', async () => {
    // Act
    const mail = await parseFixture('subject-shift-jis.eml');

    // Assess
    expect(mail.from?.name).toBe('山田 太郎');
  });

  it('keeps the headers that mark a bounce', async () => {
    // Act
    const mail = await parseFixture('dsn-bounce.eml');

    // Assess
    expect(mail.headers).toMatchObject({
      autoSubmitted: 'auto-replied',
      returnPath: '<>',
      contentType: 'multipart/report',
      reportType: 'delivery-status',
    });
  });

  it('keeps the headers that mark list mail and out-of-office replies', async () => {
    // Act
    const list = await parseFixture('mailing-list.eml');
    const outOfOffice = await parseFixture('out-of-office.eml');

    // Assess
    expect(list.headers.listId).toBe('SaaS Tools product news <news.saas-tools.example>');
    expect(list.headers.listUnsubscribe).toContain('mailto:unsubscribe@saas-tools.example');
    expect(outOfOffice.headers.xAutoResponseSuppress).toBe('All');
  });

  it('gives metadata that survives JSON unchanged', async () => {
    // Prepare
    const mail = await parseFixture('mixed-with-attachment.eml');

    // Act
    const metadata = mailMetadata(mail);

    // Assess
    expect(metadata.attachments[0]).not.toHaveProperty('content');
    expect(JSON.parse(JSON.stringify(metadata))).toEqual(metadata);
    expect(mail.attachments[0]?.content).toBeInstanceOf(Buffer);
  });
});

describe('parsing limits', () => {
  function plainMail(body: string, extraHeaders = ''): Buffer {
    return Buffer.from(`From: ana@acme.example\r\nTo: support@vendor.example\r\nSubject: big\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <big@acme.example>\r\n${extraHeaders}\r\n${body}`);
  }

  function withAttachments(sizes: number[]): Buffer {
    const parts = sizes.map(
      (size, index) =>
        `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="file-${index + 1}.bin"\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(size, index).toString('base64')}\r\n`,
    );
    return plainMail(`--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n${parts.join('')}--b--\r\n`, 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n');
  }

  it('truncates long text and says so', async () => {
    // Prepare
    const raw = plainMail('x'.repeat(5_000));

    // Act
    const mail = await parseInboundMail(raw, { maxTextChars: 1_000 });

    // Assess
    expect(mail.text).toHaveLength(1_000);
    expect(mail.problems).toContainEqual(expect.stringMatching(/^text truncated from \d+ to 1000 characters$/));
  });

  it('does not cut a character in half when truncating', async () => {
    // Prepare: the cut falls between the two halves of an emoji
    const raw = plainMail(`${'x'.repeat(9)}😀 tail`, 'Content-Type: text/plain; charset=utf-8\r\n');

    // Act
    const mail = await parseInboundMail(raw, { maxTextChars: 10 });

    // Assess
    expect(mail.text).toBe('x'.repeat(9));
  });

  it('reads a 5 MB body within the default limit, truncated', async () => {
    // Prepare
    const raw = plainMail(`${'The export fails again. '.repeat(220_000)}\r\n`);

    // Act
    const mail = await parseInboundMail(raw);

    // Assess
    expect(mail.text).toHaveLength(100_000);
    expect(mail.text.startsWith('The export fails again.')).toBe(true);
  });

  it('lists an attachment over the size limit without its bytes', async () => {
    // Prepare
    const raw = withAttachments([100, 5_000]);

    // Act
    const mail = await parseInboundMail(raw, { maxAttachmentBytes: 1_000 });

    // Assess
    expect(mail.attachments.map(({ filename, size, skipped }) => ({ filename, size, skipped }))).toEqual([
      { filename: 'file-1.bin', size: 100, skipped: undefined },
      { filename: 'file-2.bin', size: 5_000, skipped: 'larger than 1000 bytes' },
    ]);
    expect(mail.attachments[0]?.content?.length).toBe(100);
    expect(mail.attachments[1]).not.toHaveProperty('content');
    expect(mail.problems).toContain('attachment file-2.bin skipped: larger than 1000 bytes');
  });

  it.each(['text/html"; x="<script>', 'image/png extra words', `application/${'x'.repeat(300)}`, 'no-slash'])(
    'gives an attachment whose declared type is no media type (%j) plain bytes instead',
    async (declared) => {
      // Prepare
      const raw = plainMail(
        `--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: ${declared}\r\nContent-Disposition: attachment; filename="a.bin"\r\n\r\nbytes\r\n--b--\r\n`,
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
      );

      // Act
      const mail = await parseInboundMail(raw);

      // Assess
      expect(mail.attachments.map((attachment) => attachment.contentType)).toEqual(['application/octet-stream']);
    },
  );

  it("keeps an attachment's media type as declared, lower-cased", async () => {
    // Act
    const mail = await parseInboundMail(Buffer.from(withAttachments([10]).toString().replace('application/octet-stream', 'Application/PDF')));

    // Assess
    expect(mail.attachments[0]?.contentType).toBe('application/pdf');
  });

  it('keeps the bytes of the first attachments only, listing the rest', async () => {
    // Prepare
    const raw = withAttachments([10, 10, 10]);

    // Act
    const mail = await parseInboundMail(raw, { maxAttachments: 2 });

    // Assess
    expect(mail.attachments).toHaveLength(3);
    expect(mail.attachments.map((attachment) => attachment.content !== undefined)).toEqual([true, true, false]);
    expect(mail.attachments[2]?.skipped).toBe('more than 2 attachments');
  });

  it('reads empty input as an empty mail with its problems', async () => {
    // Act
    const mail = await parseInboundMail(new Uint8Array());

    // Assess
    expect(mail).toMatchObject({ subject: '', text: '', references: [], attachments: [] });
    expect(mail.problems).toEqual(expect.arrayContaining(['no From header', 'no Message-ID header', 'no Date header']));
  });

  it('strips the tags of HTML too large to convert, and says so', async () => {
    // Prepare
    const html = `<html><head><style>p{}</style></head><body>${'<p>Totals are wrong &amp; doubled.</p>'.repeat(50_000)}</body></html>`;
    const raw = plainMail(html, 'Content-Type: text/html; charset=utf-8\r\n');

    // Act
    const mail = await parseInboundMail(raw);

    // Assess
    expect(mail.text.startsWith('Totals are wrong & doubled.\nTotals are wrong & doubled.')).toBe(true);
    expect(mail.html).toBeUndefined();
    expect(mail.problems).toContainEqual(expect.stringMatching(/^HTML could not be converted to text .*tags were stripped instead$/));
    expect(mail.problems).toContainEqual(expect.stringMatching(/^HTML of \d+ characters not kept/));
  });

  it('keeps sender, subject and the raw body when the MIME structure exceeds the parser limits', async () => {
    // Prepare: more MIME parts than the parser accepts
    const parts = Array.from({ length: 1_100 }, (_, index) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`).join('');
    const raw = plainMail(`${parts}--b--\r\n`, 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n');

    // Act
    const mail = await parseInboundMail(raw);

    // Assess
    expect(mail.from?.address).toBe('ana@acme.example');
    expect(mail.subject).toBe('big');
    expect(mail.messageId).toBe('<big@acme.example>');
    expect(mail.text).toContain('part 1099');
    expect(mail.problems[0]).toMatch(/^body could not be parsed \(.+\); the raw body is kept as text$/);
  });

  it('decodes an encoded word in an unknown charset as best it can', async () => {
    // Prepare
    const raw = plainMail('hello\r\n').toString().replace('Subject: big', 'Subject: =?x-unknown-charset?B?aGVsbG8=?=');

    // Act
    const mail = await parseInboundMail(Buffer.from(raw));

    // Assess
    expect(mail.subject).toBe('hello');
  });

  it('notes a Subject with an encoded word it could not decode', async () => {
    // Prepare
    const raw = plainMail('hello\r\n').toString().replace('Subject: big', 'Subject: Export =?UTF-8?X?broken?=');

    // Act
    const mail = await parseInboundMail(Buffer.from(raw));

    // Assess
    expect(mail.subject).toBe('Export =?UTF-8?X?broken?=');
    expect(mail.problems).toContain('Subject has encoded words that could not be decoded');
  });
});

describe('automatedMailReason', () => {
  it('finds nothing automated in a person’s mail', () => {
    expect(automatedMailReason(personMail(), OWN_ADDRESSES)).toBeUndefined();
  });

  it.each([
    [{ autoSubmitted: 'auto-replied' }, 'Auto-Submitted: auto-replied'],
    [{ autoSubmitted: 'Auto-Generated; owner-email="ops@acme.example"' }, 'Auto-Submitted: Auto-Generated; owner-email="ops@acme.example"'],
    [{ precedence: 'bulk' }, 'Precedence: bulk'],
    [{ precedence: 'JUNK' }, 'Precedence: JUNK'],
    [{ precedence: 'list' }, 'Precedence: list'],
    [{ xLoop: ['helpdesk@acme.example'] }, 'X-Loop: helpdesk@acme.example'],
    [{ xAutoResponseSuppress: 'All' }, 'X-Auto-Response-Suppress: All'],
    [{ xAutoResponseSuppress: 'DR, OOF, AutoReply' }, 'X-Auto-Response-Suppress: DR, OOF, AutoReply'],
    [{ xAutoreply: 'yes' }, 'X-Autoreply: yes'],
    [{ xAutorespond: 'vacation' }, 'X-Autorespond: vacation'],
    [{ returnPath: '<>' }, 'Return-Path: <> (null sender)'],
    [{ returnPath: '< >' }, 'Return-Path: <> (null sender)'],
    [{ listId: '<news.saas.example>' }, 'List-Id: <news.saas.example>'],
    [{ listUnsubscribe: '<mailto:leave@saas.example>' }, 'List-Unsubscribe: <mailto:leave@saas.example>'],
    [{ contentType: 'multipart/report', reportType: 'delivery-status' }, 'multipart/report (delivery-status)'],
    [{ contentType: 'multipart/report', reportType: 'disposition-notification' }, 'multipart/report (disposition-notification)'],
  ])('%o is automated: %s', (headers, reason) => {
    expect(automatedMailReason(withHeaders(headers), OWN_ADDRESSES)).toBe(reason);
  });

  it.each([
    [{ autoSubmitted: 'no' }],
    [{ autoSubmitted: 'No ; comment' }],
    [{ precedence: 'first-class' }],
    [{ xAutoResponseSuppress: 'DR, RN, NRN' }],
    [{ xAutoResponseSuppress: 'None' }],
    [{ returnPath: '<ana@acme.example>' }],
  ])('%o is a person’s mail', (headers) => {
    expect(automatedMailReason(withHeaders(headers), OWN_ADDRESSES)).toBeUndefined();
  });

  it.each(['MAILER-DAEMON', 'postmaster', 'noreply', 'No-Reply', 'do-not-reply', 'donotreply', 'noreply+bounces'])('treats %s@… as a system mailbox', (localPart) => {
    const mail = personMail({ from: { address: `${localPart.toLowerCase()}@acme.example`, name: '' } });
    expect(automatedMailReason(mail, OWN_ADDRESSES)).toMatch(/^sent from a system mailbox/);
  });

  it('does not mistake a mailbox that merely contains a system word', () => {
    const mail = personMail({ from: { address: 'noreplyhandler-team@acme.example', name: '' } });
    expect(automatedMailReason(mail, OWN_ADDRESSES)).toBeUndefined();
  });

  it('refuses mail from the desk’s own addresses, whatever their case', () => {
    const mail = personMail({ from: { address: 'desk-notifications@vendor.example', name: 'Desk' } });
    expect(automatedMailReason(mail, OWN_ADDRESSES)).toBe("sent from tierdesk's own address desk-notifications@vendor.example");
  });

  it('is fine with a mail that has no sender', () => {
    expect(automatedMailReason(personMail({ from: undefined }), OWN_ADDRESSES)).toBeUndefined();
  });
});

describe('caseNumbersInSubject', () => {
  it.each([
    ['[CASE-000123] Export fails', ['CASE-000123']],
    ['Re: RE: Fwd: [CASE-000123] Export fails', ['CASE-000123']],
    ['(CASE-000123)', ['CASE-000123']],
    ['{case 123} still broken', ['CASE-000123']],
    ['about case123', ['CASE-000123']],
    ['Case #42 please', ['CASE-000042']],
    ['Case: 42', ['CASE-000042']],
    ['case_0042', ['CASE-000042']],
    ['case – 42', ['CASE-000042']],
    ['CASE-1234567 is past a million', ['CASE-1234567']],
    ['CASE-000123 and CASE-000456, again CASE-123', ['CASE-000123', 'CASE-000456']],
    ['【ＣＡＳＥ－０００３２１】全角', ['CASE-000321']],
  ])('%s → %o', (subject, expected) => {
    expect(caseNumbersInSubject(subject, PREFIX)).toEqual(expected);
  });

  it.each(['SHOWCASE-123 launch', 'CASE-123abc', 'CASE-12.5 percent', 'CASE-0', 'CASE-1234567890123 is a phone number', 'bookcase 12', 'case of 12 bottles', 'no case number here', ''])(
    'finds none in %s',
    (subject) => {
      expect(caseNumbersInSubject(subject, PREFIX)).toEqual([]);
    },
  );

  it('reads a huge subject quickly', () => {
    const started = Date.now();
    expect(caseNumbersInSubject(`${'case '.repeat(200_000)}[CASE-7]`, PREFIX)).toEqual(['CASE-000007']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('uses the policy prefix as given, with regex characters taken literally', () => {
    expect(caseNumbersInSubject('[acme.sup-77] help', 'ACME.SUP')).toEqual(['ACME.SUP-000077']);
    expect(caseNumbersInSubject('[acmexsup-77] help', 'ACME.SUP')).toEqual([]);
  });

  it('never throws and answers canonical case numbers only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ minLength: 0, maxLength: 12 }), (subject, prefix) => {
        const found = caseNumbersInSubject(subject, prefix);
        for (const caseNumber of found) expect(caseNumber).toMatch(/^.+-\d{6,}$/);
      }),
    );
  });

  it('finds every case number a subject was built around', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), fc.constantFrom('[', '(', '{', ' ', ''), fc.string(), (sequence, bracket, rest) => {
        const subject = `Re: ${bracket}case ${sequence}${bracket ? ')' : ''} ${rest}`;
        expect(caseNumbersInSubject(subject, PREFIX)[0]).toBe(`CASE-${String(sequence).padStart(6, '0')}`);
      }),
    );
  });
});

describe('threading keys', () => {
  it('looks up In-Reply-To first, then References newest first, without repeats', () => {
    const keys = threadKeys({ inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>'] });
    expect(keys).toEqual(['<c@x>', '<b@x>', '<a@x>']);
  });

  it('has no keys for a new conversation', () => {
    expect(threadKeys({ references: [] })).toEqual([]);
  });

  it('writes the Message-ID SES gives the mail it sends', () => {
    expect(sesMessageId('0102019a1b2c3d4e-aaaa-bbbb-cccc-000000', 'eu-west-1')).toBe('<0102019a1b2c3d4e-aaaa-bbbb-cccc-000000@eu-west-1.amazonses.com>');
    expect(sesMessageId('0100019a1b2c3d4e-aaaa-bbbb-cccc-000000', 'us-east-1')).toBe('<0100019a1b2c3d4e-aaaa-bbbb-cccc-000000@email.amazonses.com>');
  });

  it('finds our own SES id among a reply’s keys', async () => {
    const mail = await parseFixture('gmail-reply.eml');
    expect(threadKeys(mail)[0]).toBe(sesMessageId('0102019c00000002-hook-000000', 'eu-west-1'));
  });

  it('normalises Message-IDs to their bracketed form', () => {
    expect(normaliseMessageId('  <abc@x.example>  ')).toBe('<abc@x.example>');
    expect(normaliseMessageId('abc@x.example')).toBe('<abc@x.example>');
    expect(normaliseMessageId('<abc@x.example> (Ana’s message of Monday)')).toBe('<abc@x.example>');
    expect(normaliseMessageId('')).toBeUndefined();
    expect(messageIdsIn('<a@x>\r\n <b@x>\t<c@x>')).toEqual(['<a@x>', '<b@x>', '<c@x>']);
  });
});

describe('visibleReply', () => {
  it('cuts a Gmail quote', () => {
    const text = 'Works now, thanks!\n\nOn Tue, 1 Dec 2026 at 17:20, Vendor Support <support@vendor.example> wrote:\n> Please retry.\n';
    expect(visibleReply(text)).toBe('Works now, thanks!');
  });

  it('cuts an Outlook header block without addresses', () => {
    const text = 'Still failing.\r\n\r\nFrom: Vendor Support\r\nSent: Monday, November 30, 2026 4:15 PM\r\nTo: Mark\r\nSubject: RE: x\r\n\r\nPlease update.';
    expect(visibleReply(text)).toBe('Still failing.');
  });

  it('cuts an Outlook header block converted from HTML (bold labels)', () => {
    const text = 'Still failing.\n\n*From:* Vendor Support <support@vendor.example>\n*Sent:* Monday\n*To:* Mark\n\nPlease update.';
    expect(visibleReply(text)).toBe('Still failing.');
  });

  it('cuts "-----Original Message-----"', () => {
    const text = 'Works now.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nTry again.';
    expect(visibleReply(text)).toBe('Works now.');
  });

  it('cuts a "-- " signature and "Sent from my iPhone"', () => {
    expect(visibleReply('Here is the log.\n\n-- \nAna Souza\nACME Corp')).toBe('Here is the log.');
    expect(visibleReply('Yes, please close it.\n\nSent from my iPhone')).toBe('Yes, please close it.');
  });

  it('keeps a mail that is nothing but a quote whole rather than empty', () => {
    expect(visibleReply('> The export fails.\n> Since Friday.\n')).toBe('> The export fails.\n> Since Friday.');
  });

  it('keeps a forwarded mail that starts with its header block', () => {
    const text = 'From: Ana <ana@acme.example>\nSent: Monday\nSubject: Export\n\nThe export fails.';
    expect(visibleReply(text)).toContain('The export fails.');
  });

  it('cuts a quote that comes after a reply longer than the parser reads', () => {
    const reply = 'We tried everything on the list.\n'.repeat(300);
    const text = `${reply}\nOn Tue, 1 Dec 2026 at 17:20, Vendor Support <support@vendor.example> wrote:\n> Please retry.\n`;
    expect(visibleReply(text)).toBe(reply.trim());
  });

  it('keeps long lines (decoded quoted-printable paragraphs) exactly', () => {
    const paragraph = 'This paragraph is one long line. '.repeat(40).trim();
    expect(visibleReply(`${paragraph}\n\n-- \nAna`)).toBe(paragraph);
  });

  it.each([
    ['Dutch quote headers', 'Op schreef:x\n'],
    ['Danish quote headers', 'abc. x skrev y:z\n'],
    ['one endless line', 'On '],
    ['blank lines', '\n'],
  ])('answers quickly on hostile text (%s)', (_, unit) => {
    const started = Date.now();
    visibleReply(unit.repeat(100_000 / unit.length));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never throws, and answers something for any non-blank text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2_000 }), (text) => {
        const visible = visibleReply(text);
        if (text.trim()) expect(visible.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('legacy charsets, decoded with the runtime', () => {
  /** The Encoding Standard's index-windows-1252 for 0x80–0x9F, as code points. */
  const WINDOWS_1252_C1 = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
    0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
  ];

  function mailIn(charset: string, body: string, subject: string): Buffer {
    return Buffer.from(
      `From: ana@acme.example\r\nTo: support@vendor.example\r\nSubject: ${subject}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <cs@acme.example>\r\n` +
        `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${body}\r\n`,
    );
  }

  it.each(['windows-1252', 'iso-8859-1', 'us-ascii'])('reads Outlook’s typographic characters in a %s body and subject (the label the standard reads as windows-1252)', async (charset) => {
    // Prepare: 0x93/0x94 “ ”, 0x80 €, 0x96 – and 0x92 ’ are where windows-1252 and Latin-1 differ.
    const raw = mailIn(charset, 'Die Rechnung f=FCr =93Gr=F6=DFe XL=94 kostet 12 =80 =96 bitte pr=FCfen, it=92s urgent.', `=?${charset}?Q?Preis_=93XL=94_=80?=`);

    // Act
    const mail = await parseInboundMail(raw);

    // Assess
    expect(mail.text.trim()).toBe('Die Rechnung für “Größe XL” kostet 12 € – bitte prüfen, it’s urgent.');
    expect(mail.subject).toBe('Preis “XL” €');
  });

  it('decodes every byte of windows-1252 as the Encoding Standard does, whatever the runtime', async () => {
    // Prepare: every byte, in a base64 body so none is touched on the way.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte).filter((byte) => byte >= 0x20 && byte !== 0x7f));
    const raw = Buffer.from(
      `From: ana@acme.example\r\nMessage-ID: <all@acme.example>\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: base64\r\n\r\n${bytes.toString('base64')}\r\n`,
    );

    // Act
    const mail = await parseInboundMail(raw);

    // Assess: ASCII and 0xA0–0xFF as Latin-1, 0x80–0x9F as the standard's index says.
    const expected = [...bytes].map((byte) => (byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_C1[byte - 0x80]! : byte));
    expect([...mail.text].map((character) => character.codePointAt(0))).toEqual(expected);
  });

  it.each([
    { charset: 'iso-8859-2', body: 'Nie mog=EA si=EA zalogowa=E6', text: 'Nie mogę się zalogować' },
    { charset: 'koi8-r', body: '=EE=C5 =CD=CF=C7=D5 =D7=CF=CA=D4=C9', text: 'Не могу войти' },
    { charset: 'windows-1251', body: '=CD=E5 =EC=EE=E3=F3', text: 'Не могу' },
    { charset: 'big5', body: '=B5L=AAk=B5n=A4J', text: '無法登入' },
    { charset: 'euc-kr', body: '=B7=CE=B1=D7=C0=CE', text: '로그인' },
    { charset: 'gb2312', body: '=CE=DE=B7=A8=B5=C7=C2=BC', text: '无法登录' },
  ])('reads a $charset body', async ({ charset, body, text }) => {
    // Act
    const mail = await parseInboundMail(mailIn(charset, body, 'charset'));

    // Assess
    expect(mail.text.trim()).toBe(text);
    expect(mail.problems).toEqual([]);
  });

  it.each(['utf-7', 'cp437', 'IBM850', 'x-unknown'])('says when a %s body could only be read as windows-1252, and keeps the text so read', async (charset) => {
    // Act
    const mail = await parseInboundMail(mailIn(charset, 'Gr+APw-=DFe', 'charset'));

    // Assess
    expect(mail.text.trim()).toBe('Gr+APw-ße');
    expect(mail.problems).toEqual([`charset "${charset.toLowerCase()}" cannot be decoded here: its text was read as windows-1252 and may be garbled (the original mail is kept)`]);
  });

  it("says so for an encoded word's charset too, and not for the aliases postal-mime reads (x-euc-jp, cp932, iso-8859-8-i)", async () => {
    // Act
    const utf7Subject = await parseInboundMail(mailIn('utf-8', 'x', '=?utf-7?Q?Gr+APw-e?='));
    const aliases = await Promise.all(['x-euc-jp', 'cp932', 'iso-8859-8-i'].map((charset) => parseInboundMail(mailIn(charset, 'x', 'charset'))));

    // Assess
    expect(utf7Subject.problems).toEqual([expect.stringContaining('charset "utf-7" cannot be decoded here')]);
    for (const mail of aliases) expect(mail.problems).toEqual([]);
  });

  it('checks at most 10 charsets of a mail that names thousands', async () => {
    // Prepare: a multipart mail whose 2,000 parts each name a charset of their own.
    const parts = Array.from({ length: 2_000 }, (_, index) => `--b\r\nContent-Type: text/plain; charset=x-bogus-${index}\r\n\r\npart ${index}\r\n`).join('');
    const raw = Buffer.from(`From: ana@acme.example\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <many@acme.example>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`);

    // Act
    const mail = await parseInboundMail(raw);

    // Assess
    expect(mail.problems.filter((problem) => problem.includes('cannot be decoded here'))).toHaveLength(10);
  });
});

describe('parseInboundMail on any input', () => {
  it('never throws on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4_000 }), async (bytes) => {
        const mail = await parseInboundMail(bytes);
        expect(Array.isArray(mail.problems)).toBe(true);
        expect(typeof mail.text).toBe('string');
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  const headerName = fc.constantFrom(
    'From',
    'To',
    'Cc',
    'Reply-To',
    'Subject',
    'Date',
    'Message-ID',
    'In-Reply-To',
    'References',
    'Content-Type',
    'Content-Transfer-Encoding',
    'MIME-Version',
    'Auto-Submitted',
    'Return-Path',
    'List-Id',
    'X-Loop',
  );
  const headerValue = fc.oneof(
    fc.string(),
    fc.constantFrom(
      'multipart/mixed; boundary="b"',
      'multipart/alternative; boundary=',
      'text/plain; charset=x-unknown',
      'text/html',
      'base64',
      'quoted-printable',
      '=?UTF-8?B?w6k=?=',
      '=?Shift_JIS?B?g2WDWINn?=',
      '=?ISO-8859-1?Q?caf=E9?=',
      '<>',
      '<a@b>',
      'not a date',
      '"unterminated <a@',
      'group: a@b, c@d;',
    ),
  );
  const body = fc.oneof(fc.string({ maxLength: 2_000 }), fc.constantFrom('--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--', '--b\r\n\r\n', '=\r\n=ZZ=4', '////', '<html><body><p>x'));

  it('never throws on arbitrary headers and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(headerName, headerValue), { maxLength: 12 }), body, fc.constantFrom('\r\n', '\n'), async (headers, text, eol) => {
        const raw = `${headers.map(([name, value]) => `${name}: ${value}`).join(eol)}${eol}${eol}${text}`;
        const mail = await parseInboundMail(Buffer.from(raw));
        expect(JSON.parse(JSON.stringify(mailMetadata(mail)))).toBeTypeOf('object');
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('a case number typed in a subject', () => {
  it('joins the ticket only for its requester or someone of its customer', () => {
    const ticket = { requester: { email: 'ana@acme.example' }, customerId: 'acme' };
    expect(subjectTagMayJoin(ticket, 'ana@acme.example', undefined)).toBe(true);
    expect(subjectTagMayJoin(ticket, 'bo@acme.example', 'acme')).toBe(true);
    expect(subjectTagMayJoin(ticket, 'eve@elsewhere.example', 'other')).toBe(false);
    expect(subjectTagMayJoin({ requester: { email: 'ana@acme.example' } }, 'bo@x.example', undefined)).toBe(false);
  });
});
