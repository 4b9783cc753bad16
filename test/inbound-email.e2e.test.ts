/**
 * Inbound email end to end on `npm start`'s runtime: mail delivered over real SMTP (nodemailer)
 * to the local listener, stored in the local S3 as SES would, handled by the same ingest
 * handler, and the desk's answers read back from the SES emulator. Nothing is mocked but the two
 * DynamoDB faults the emulator cannot produce (throttling, an over-size item), injected below the
 * SDK's retry for one mail only.
 */

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sesMessageId } from '../core/mail/threading';
import { ingestMail } from '../functions/email/inbound';
import { handler as ingest } from '../functions/email/ingest';
import { getRuntime, logger } from '../functions/shared/runtime';
import { lambdaContext } from '../local/gateway';
import { sesReceiptEvent, type Verdicts } from '../local/smtp';
import { eventually } from './support/eventually';
import { ticketsWithSubject, timeline } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';

/** Read by the handler when it loads: a runaway sender is cut off after 3 mails an hour here. */
process.env.TIERDESK_MAIL_SENDER_LIMIT = '3';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/sla-workflow-policy.yaml' });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
});

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

type Mail = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0] & object;
const DESK = 'support@wf-test.example';

function send(mail: Mail) {
  return smtp.sendMail({ to: DESK, ...mail });
}

/** A message exactly as written, with this envelope sender ('' sends `MAIL FROM:<>`, a null reverse path). */
function sendRaw(lines: string[], envelopeFrom: string) {
  return smtp.sendMail({ envelope: { from: envelopeFrom, to: [DESK] }, raw: `${lines.join('\r\n')}\r\n` });
}

/** The first ticket with this subject, once the handler has made it. */
async function ticketWithSubject(subject: string) {
  const [ticket] = await eventually(`the ticket "${subject}"`, async () => (await ticketsWithSubject(request, subject))[0] && ticketsWithSubject(request, subject));
  return ticket;
}

const sentTo = (to: string, caseNumber: string) => async () => (await runtime.ses.store()).filter((mail) => mail.destination.to.includes(to) && mail.subject.includes(`[${caseNumber}]`));

describe.concurrent('mail to the support address', () => {
  it('opens an email ticket for the sender and acknowledges it with the case number; a reply threads by its In-Reply-To', async () => {
    const subject = 'Export hangs at 99 %';
    const delivered = await send({ from: 'Bea Costa <bea@example.com>', subject, text: 'The nightly export hangs.\n\n-- \nBea Costa\nACME' });
    expect(delivered.response).toMatch(/^250/);

    const [ticket] = await eventually('the ticket', async () => (await ticketsWithSubject(request, subject))[0] && ticketsWithSubject(request, subject));
    expect(ticket).toMatchObject({ channel: 'email', requester: { email: 'bea@example.com', name: 'Bea Costa' }, status: 'new' });
    expect(ticket.description).toContain('The nightly export hangs.');
    const [ack] = await eventually('the acknowledgement', async () => (await sentTo('bea@example.com', ticket.caseNumber)())[0] && sentTo('bea@example.com', ticket.caseNumber)());

    // The customer's mail program answers the acknowledgement: In-Reply-To is SES's Message-ID of it.
    await send({
      from: 'bea@example.com',
      subject: `Re: ${ack!.subject}`,
      inReplyTo: sesMessageId(ack!.messageId, 'us-east-1'),
      text: `It still hangs after the restart.\n\nOn Mon, 23 Nov 2026 at 10:00, Support <${DESK}> wrote:\n> We received your request.`,
    });
    const reply = await eventually('the reply on the ticket', async () => (await timeline(request, ticket.id)).find((e) => e.type === 'customer-message'));
    expect(reply.body).toBe('It still hangs after the restart.');
    expect(reply.data.mail.rawKey).toMatch(/^inbound\//);
    expect(await ticketsWithSubject(request, `Re: ${ack!.subject}`)).toEqual([]);
  });

  it('threads a reply by the case number in its subject, typed by hand', async () => {
    const subject = 'Login page blank';
    await send({ from: 'carl@example.com', subject, text: 'Blank page after login.' });
    const [ticket] = await eventually('the ticket', async () => (await ticketsWithSubject(request, subject))[0] && ticketsWithSubject(request, subject));

    await send({ from: 'carl@example.com', subject: `About case ${ticket.caseNumber.replace('-', ' ')} (more info)`, text: 'It happens in Firefox only.' });

    const reply = await eventually('the reply', async () => (await timeline(request, ticket.id)).find((e) => e.type === 'customer-message'));
    expect(reply.body).toBe('It happens in Firefox only.');
    // From someone else, the case number joins nothing: a new ticket.
    await send({ from: 'stranger@elsewhere.example', subject: `Re: [${ticket.caseNumber}] hello`, text: 'Let me in.' });
    await eventually("the stranger's own ticket", async () => ((await ticketsWithSubject(request, `Re: [${ticket.caseNumber}] hello`)).length === 1 ? true : undefined));
    expect((await timeline(request, ticket.id)).filter((e) => e.type === 'customer-message')).toHaveLength(1);
  });

  it('an auto-reply is recorded on its ticket but never acknowledged, and never reopens or answers anything', async () => {
    const subject = 'Invoice question';
    await send({ from: 'dora@example.com', subject, text: 'Where is my invoice?' });
    const [ticket] = await eventually('the ticket', async () => (await ticketsWithSubject(request, subject))[0] && ticketsWithSubject(request, subject));
    const [ack] = await eventually('the acknowledgement', async () => (await sentTo('dora@example.com', ticket.caseNumber)())[0] && sentTo('dora@example.com', ticket.caseNumber)());

    await send({
      from: 'dora@example.com',
      subject: `Out of office: ${ack!.subject}`,
      inReplyTo: sesMessageId(ack!.messageId, 'us-east-1'),
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am out of the office until Monday.',
    });
    // An out-of-office mail that threads nowhere makes nothing at all.
    await send({ from: 'eve@example.com', subject: 'Automatic reply: holidays', headers: { 'Auto-Submitted': 'auto-replied' }, text: 'Away.' });

    const recorded = await eventually('the record', async () => (await timeline(request, ticket.id)).find((e) => e.type === 'automated-mail'));
    expect(recorded.data.reason).toMatch(/Auto-Submitted/i);
    expect((await timeline(request, ticket.id)).some((e) => e.type === 'customer-message')).toBe(false);
    await sleep(1_000);
    expect(await ticketsWithSubject(request, 'Automatic reply: holidays')).toEqual([]);
    expect((await runtime.ses.store()).filter((mail) => mail.destination.to.includes('eve@example.com'))).toEqual([]);
    expect(await sentTo('dora@example.com', ticket.caseNumber)()).toHaveLength(1);
  });

  it('the same message delivered twice (a retrying mail server) makes one ticket', async () => {
    const subject = 'Duplicate delivery check';
    const mail = { from: 'finn@example.com', subject, text: 'Once only, please.', messageId: '<dup-check-1@mail.example.com>' };

    // Two deliveries at once: one is taken, the other answered 451 (busy) — a mail server retries that.
    const first = await Promise.allSettled([send(mail), send(mail)]);
    for (const outcome of first) {
      if (outcome.status === 'rejected') {
        expect(String(outcome.reason)).toMatch(/451/);
        await send(mail);
      }
    }
    await send(mail); // and a redelivery later

    await eventually('the ticket', async () => ((await ticketsWithSubject(request, subject)).length ? true : undefined));
    await sleep(500);
    expect(await ticketsWithSubject(request, subject)).toHaveLength(1);
  });

  it('lists attachments on the ticket and keeps them in the mail bucket', async () => {
    const subject = 'Logs attached';
    const log = Buffer.from('2026-11-23 10:00:00 ERROR export failed\n'.repeat(50));
    await send({ from: 'gus@example.com', subject, text: 'See the log.', attachments: [{ filename: 'export.log', content: log, contentType: 'text/plain' }] });

    const [ticket] = await eventually('the ticket', async () => (await ticketsWithSubject(request, subject))[0] && ticketsWithSubject(request, subject));
    const created = (await timeline(request, ticket.id)).find((e) => e.type === 'created');
    const [attachment] = created.data.mail.attachments;
    expect(attachment).toMatchObject({ filename: 'export.log', contentType: 'text/plain', size: log.length });
    const s3 = new S3Client({ endpoint: runtime.s3Url, forcePathStyle: true });
    const stored = await s3.send(new GetObjectCommand({ Bucket: runtime.mailBucket, Key: attachment.key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(log);
  });

  it('a 5,000-character Message-ID opens a ticket, and a reply that references it joins that ticket', async () => {
    // Prepare: RFC 5322 sets no length on a Message-ID; a DynamoDB key holds 2 KB.
    const longId = `<${'l'.repeat(5_000)}.${randomUUID()}@mailer.example>`;
    const subject = `Long id ${randomUUID()}`;
    // Act
    await sendRaw(['From: Hana Ito <hana@example.com>', `Subject: ${subject}`, `Message-ID: ${longId}`, '', 'The report is empty.'], 'hana@example.com');
    const ticket = await ticketWithSubject(subject);
    await sendRaw(
      ['From: hana@example.com', 'Subject: and one more thing', `Message-ID: <${randomUUID()}@mailer.example>`, `In-Reply-To: ${longId}`, `References: ${longId}`, '', 'It is empty on Mondays only.'],
      'hana@example.com',
    );
    // Assess
    const reply = await eventually('the reply on the ticket', async () => (await timeline(request, ticket.id)).find((e) => e.type === 'customer-message'));
    expect(reply.body).toBe('It is empty on Mondays only.');
    const created = (await timeline(request, ticket.id)).find((e) => e.type === 'created');
    expect(created.data.mail.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await ticketsWithSubject(request, 'and one more thing')).toEqual([]);
  });

  it('a mail with 2,000 References joins by the newest it knows, and is processed', async () => {
    // Prepare: two tickets; the oldest reference is the first one's, one of the newest the second's.
    const [older, newer] = [`Thread start ${randomUUID()}`, `Thread today ${randomUUID()}`];
    const [olderId, newerId] = [`<${randomUUID()}@kai.example>`, `<${randomUUID()}@kai.example>`];
    await sendRaw(['From: kai@example.com', `Subject: ${older}`, `Message-ID: ${olderId}`, '', 'First.'], 'kai@example.com');
    await sendRaw(['From: kai@example.com', `Subject: ${newer}`, `Message-ID: ${newerId}`, '', 'Second.'], 'kai@example.com');
    const [olderTicket, newerTicket] = [await ticketWithSubject(older), await ticketWithSubject(newer)];
    const unknown = Array.from({ length: 1_998 }, () => `<${randomUUID()}@elsewhere.example>`);
    const references = [olderId, ...unknown.slice(0, 1_996), newerId, ...unknown.slice(1_996)];
    expect(references).toHaveLength(2_000);
    const [batchReads, singleReads, oldestReads] = [dynamoWatch('BatchGetItemCommand', unknown.at(-1)!), dynamoWatch('GetItemCommand', unknown.at(-1)!), dynamoWatch('BatchGetItemCommand', olderId)];
    // Act
    const answered = await sendRaw(
      [
        'From: kai@example.com',
        'Subject: a very long thread',
        `Message-ID: <${randomUUID()}@kai.example>`,
        `In-Reply-To: <${randomUUID()}@elsewhere.example>`,
        `References: ${references.join('\r\n ')}`,
        '',
        'Still broken.',
      ],
      'kai@example.com',
    );
    // Assess: the listener answers 250 only once the handler has taken the mail.
    expect(answered.response).toMatch(/^250/);
    const reply = await eventually('the reply on the newer ticket', async () => (await timeline(request, newerTicket.id)).find((e) => e.type === 'customer-message'));
    expect(reply.body).toBe('Still broken.');
    expect((await timeline(request, olderTicket.id)).some((e) => e.type === 'customer-message')).toBe(false);
    expect(await ticketsWithSubject(request, 'a very long thread')).toEqual([]);
    // One read for In-Reply-To and the newest references together; the oldest is never looked up.
    for (const watch of [batchReads, singleReads, oldestReads]) watch.remove();
    expect([batchReads.seen.attempts, singleReads.seen.attempts, oldestReads.seen.attempts]).toEqual([1, 0, 0]);
  });

  it('MAIL FROM:<> to a new subject makes no ticket and no acknowledgement', async () => {
    // Prepare: nothing in the headers says automated; only the envelope's null reverse path does.
    const subject = `Your parcel ${randomUUID()}`;
    // Act
    const answered = await sendRaw(['From: Parcel Service <parcels@courier.example>', `Subject: ${subject}`, `Message-ID: <${randomUUID()}@courier.example>`, '', 'Your parcel is on its way.'], '');
    // Assess: 250 comes after the handler returned, so whatever it made exists now.
    expect(answered.response).toMatch(/^250/);
    await sleep(1_000);
    expect(await ticketsWithSubject(request, subject)).toEqual([]);
    expect((await runtime.ses.store()).filter((mail) => mail.destination.to.includes('parcels@courier.example'))).toEqual([]);
  });

  it('MAIL FROM:<> answering a ticket is recorded on it as automated mail, and nothing is sent', async () => {
    // Prepare
    const subject = `Printer offline ${randomUUID()}`;
    await send({ from: 'lia@example.com', subject, text: 'The printer is offline.' });
    const ticket = await ticketWithSubject(subject);
    const [ack] = await eventually('the acknowledgement', async () => (await sentTo('lia@example.com', ticket.caseNumber)())[0] && sentTo('lia@example.com', ticket.caseNumber)());
    // Act: a notification about our mail, sent (as RFC 3834 asks) with a null reverse path.
    await sendRaw(
      [
        'From: lia@example.com',
        `Subject: Read: ${ack!.subject}`,
        `Message-ID: <${randomUUID()}@example.com>`,
        `In-Reply-To: ${sesMessageId(ack!.messageId, 'us-east-1')}`,
        '',
        'Your message was read.',
      ],
      '',
    );
    // Assess
    const recorded = await eventually('the record', async () => (await timeline(request, ticket.id)).find((e) => e.type === 'automated-mail'));
    expect(recorded.data.reason).toBe('null reverse path (MAIL FROM:<>)');
    expect((await timeline(request, ticket.id)).some((e) => e.type === 'customer-message')).toBe(false);
    await sleep(1_000);
    expect(await sentTo('lia@example.com', ticket.caseNumber)()).toHaveLength(1);
  });
});

/** What SES does, by hand: the raw bytes to S3 under inbound/, then the handler with the receipt event. */
async function deliverRaw(raw: Uint8Array | string, verdicts: Verdicts = {}) {
  const id = `test-${randomUUID()}`;
  const s3 = new S3Client({ endpoint: runtime.s3Url, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: runtime.mailBucket, Key: `inbound/${id}`, Body: raw }));
  return ingest(sesReceiptEvent(id, 'sender@example.com', [DESK], verdicts), lambdaContext('ingest', Date.now() + 60_000));
}

describe('what SES tells the handler, and hostile input', () => {
  it('a virus verdict FAIL is quarantined: no ticket', async () => {
    const [outcome] = await deliverRaw('From: ivan@example.com\r\nSubject: Quarantine me\r\n\r\nEICAR', { virus: 'FAIL' });
    expect(outcome).toEqual({ outcome: 'quarantined', reason: 'virus verdict FAIL' });
    expect(await ticketsWithSubject(request, 'Quarantine me')).toEqual([]);
  });

  it.each(['', 'a'.repeat(201), '../attachments/secret', 'id with spaces', 'ünï'])("an event whose message id is not SES's (%j) is refused before it names an object or a key", async (id) => {
    const event = sesReceiptEvent(id, 'sender@example.com', [DESK]);

    const outcomes = await ingest(event, lambdaContext('ingest', Date.now() + 60_000));

    expect(outcomes).toEqual([{ outcome: 'ignored', reason: expect.stringMatching(/^not an SES message id: /) }]);
  });

  it('a designated user whose mail fails DMARC is not treated as designated', async () => {
    expect((await request('PUT', '/customers/mail-co', { body: { name: 'Mail Co', plan: 'standard', designatedUsers: ['jo@mail-co.example'], emailDomains: ['mail-co.example'] } })).status).toBe(201);
    const mail = (subject: string) => `From: jo@mail-co.example\r\nSubject: ${subject}\r\nMessage-ID: <${randomUUID()}@mail-co.example>\r\n\r\nHelp.`;

    const [genuine] = await deliverRaw(mail('Genuine Jo'), { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' });
    const [forged] = await deliverRaw(mail('Forged Jo'), { dmarc: 'FAIL' });

    const entitlement = async (outcome: any) => (await request('GET', `/tickets/${outcome.ticketId}`)).body.entitlement;
    expect(await entitlement(genuine)).toMatchObject({ designatedUser: true, status: 'entitled' });
    expect(await entitlement(forged)).toMatchObject({ designatedUser: false });
    expect((await entitlement(forged)).reasons.join(' ')).toMatch(/authentication failed/);
  });

  it('a runaway sender (another desk answering our mail) is cut off after the hourly limit', async () => {
    const outcomes = [];
    for (let i = 1; i <= 5; i++)
      outcomes.push((await deliverRaw(`From: robot@other-desk.example\r\nSubject: Ticket #${i} received\r\nMessage-ID: <loop-${i}-${randomUUID()}@other-desk.example>\r\n\r\nThanks.`))[0]);
    expect(outcomes.map((o: any) => o.outcome)).toEqual(['created', 'created', 'created', 'ignored', 'ignored']);
    expect((outcomes[3] as any).reason).toMatch(/more than 3 mails from robot@other-desk.example/);
  });

  it('arbitrary bytes never escape the handler as an error, and at most one ticket each', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2_000 }),
          fc.string({ maxLength: 500 }).map((body) => new TextEncoder().encode(`From: fuzz@example.com\r\nSubject: fuzz\r\n\r\n${body}`)),
          fc
            .array(fc.tuple(fc.constantFrom('From', 'Subject', 'Content-Type', 'Message-ID', 'In-Reply-To', 'Auto-Submitted', 'Content-Transfer-Encoding'), fc.string({ maxLength: 80 })), {
              maxLength: 8,
            })
            .map((headers) => new TextEncoder().encode(`${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\nbody`)),
        ),
        async (raw) => {
          const outcomes = await deliverRaw(raw);
          expect(outcomes).toHaveLength(1);
          expect(['created', 'added', 'recorded', 'ignored', 'quarantined', 'duplicate']).toContain(outcomes[0]!.outcome);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});

/**
 * Faults below the SDK's retry, on the store's own client, as DynamoDB answers them (the faults
 * suite's technique, test/faults.e2e.test.ts): only `command` requests whose body mentions
 * `marker` fail, so the tests beside these are untouched. `times` attempts fail, then all pass.
 */
function dynamoFault(command: string, marker: string, fault: { type: string; status: number; message: string }, times = Infinity) {
  const stack = getRuntime().store.doc.middlewareStack;
  const name = `fault-${randomUUID()}`;
  const seen = { attempts: 0 };
  type Next = (args: { request: { body?: unknown } }) => Promise<unknown>;
  const text = (body: unknown) => (body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : String(body));
  const middleware = (next: Next, context: { commandName?: string }) => async (args: { request: { body?: unknown } }) => {
    if (context.commandName !== command || !text(args.request.body).includes(marker)) return next(args);
    if (++seen.attempts > times) return next(args);
    const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.type}`, message: fault.message });
    return { response: { statusCode: fault.status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': name }, body: Buffer.from(body) } };
  };
  stack.add(middleware as unknown as Parameters<typeof stack.add>[0], { step: 'deserialize', priority: 'low', name });
  return { seen, remove: () => stack.remove(name) };
}

/** Counts the store's `command` requests that mention `marker`, changing nothing. */
function dynamoWatch(command: string, marker: string) {
  return dynamoFault(command, marker, { type: 'none', status: 200, message: '' }, 0);
}

describe('a mail that can never become a ticket is quarantined once; one that may later is retried', () => {
  const s3 = () => new S3Client({ endpoint: runtime.s3Url, forcePathStyle: true });
  const received = (sesMessageId: string, envelopeFrom = 'sender@example.com') => ({ sesMessageId, envelopeFrom, verdicts: {} });

  async function storeRaw(raw: string): Promise<string> {
    const id = `test-${randomUUID()}`;
    await s3().send(new PutObjectCommand({ Bucket: runtime.mailBucket, Key: `inbound/${id}`, Body: raw }));
    return id;
  }

  it("its raw message deleted before ingest: quarantined with the reason and the alarm's log line; a redelivery is a duplicate", async () => {
    // Prepare
    const id = await storeRaw('From: mo@example.com\r\nSubject: Vanishing\r\n\r\nHello');
    await s3().send(new DeleteObjectCommand({ Bucket: runtime.mailBucket, Key: `inbound/${id}` }));
    const logged = vi.spyOn(logger, 'error');
    try {
      // Act
      const first = await ingestMail(getRuntime(), received(id));
      const again = await ingestMail(getRuntime(), received(id));
      // Assess
      expect(first).toEqual({ outcome: 'quarantined', reason: 'the raw message is missing from the mail bucket' });
      expect(again).toEqual({ outcome: 'duplicate', previous: first });
      // One line for the alarm's metric filter (lib/email/inbound-email.ts), none for the duplicate.
      const alarmLines = logged.mock.calls.filter(([, extra]) => (extra as { rawKey?: string } | undefined)?.rawKey === `inbound/${id}`);
      expect(alarmLines).toEqual([[expect.stringMatching(/quarantined/), { metric: 'MailQuarantined', rawKey: `inbound/${id}`, reason: 'the raw message is missing from the mail bucket' }]]);
    } finally {
      logged.mockRestore();
    }
  });

  it('a write DynamoDB refuses (ValidationException, e.g. an item over 400 KB) is quarantined, not retried', async () => {
    // Prepare
    const messageId = `<refused-${randomUUID()}@example.com>`;
    const id = await storeRaw(`From: nia@example.com\r\nSubject: Refused ${messageId}\r\nMessage-ID: ${messageId}\r\n\r\nHello`);
    const refused = dynamoFault('TransactWriteItemsCommand', messageId, { type: 'ValidationException', status: 400, message: 'Item size has exceeded the maximum allowed size' }, 1);
    try {
      // Act
      const first = await ingestMail(getRuntime(), received(id));
      const again = await ingestMail(getRuntime(), received(id));
      // Assess
      expect(first).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/ValidationException.*maximum allowed size/) });
      expect(again).toEqual({ outcome: 'duplicate', previous: first });
      expect(refused.seen.attempts).toBeGreaterThanOrEqual(1);
      expect(await ticketsWithSubject(request, `Refused ${messageId}`)).toEqual([]);
    } finally {
      refused.remove();
    }
  });

  it('a throttled DynamoDB throws (Lambda retries the event), and the retry makes the ticket', async () => {
    // Prepare: the sender's hourly count (after the claim) is throttled through all of the SDK's attempts.
    const sender = `throttled-${randomUUID()}@example.com`;
    const subject = `Throttled ${randomUUID()}`;
    const id = await storeRaw(`From: ${sender}\r\nSubject: ${subject}\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\nHello`);
    const throttled = dynamoFault('UpdateItemCommand', sender, { type: 'ThrottlingException', status: 400, message: 'Rate of requests exceeds the allowed throughput.' });
    // Act
    let thrown: unknown;
    try {
      await ingestMail(getRuntime(), received(id));
    } catch (error) {
      thrown = error;
    } finally {
      throttled.remove();
    }
    const retried = await ingestMail(getRuntime(), received(id));
    // Assess
    expect((thrown as Error | undefined)?.name).toBe('ThrottlingException');
    expect(throttled.seen.attempts).toBeGreaterThan(1); // the SDK's own retries came first
    expect(retried).toMatchObject({ outcome: 'created' }); // the claim was given back, not left in progress
    expect(await ticketsWithSubject(request, subject)).toHaveLength(1);
  });

  it('mail naming no sender at all (no From, no envelope sender) is quarantined', async () => {
    const id = await storeRaw(`Subject: Nobody ${randomUUID()}\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\nHello`);
    expect(await ingestMail(getRuntime(), { sesMessageId: id, verdicts: {} })).toEqual({ outcome: 'quarantined', reason: 'the mail names no sender (no From header, no envelope sender)' });
  });

  it('a bounce with a null reverse path and no From is dropped as automated mail', async () => {
    const id = await storeRaw(`Subject: Undeliverable ${randomUUID()}\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\nYour mail could not be delivered.`);
    expect(await ingestMail(getRuntime(), received(id, ''))).toEqual({ outcome: 'ignored', reason: 'null reverse path (MAIL FROM:<>); the mail names no sender' });
  });
});
