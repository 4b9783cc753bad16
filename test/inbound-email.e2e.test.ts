/**
 * Inbound email end to end on `npm start`'s runtime: mail delivered over real SMTP (nodemailer)
 * to the local listener, stored in the local S3 as SES would, handled by the same ingest
 * handler, and the desk's answers read back from the SES emulator. Nothing is mocked.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesMessageId } from '../core/mail/threading';
import { handler as ingest } from '../functions/email/ingest';
import { lambdaContext } from '../local/gateway';
import { sesReceiptEvent, type Verdicts } from '../local/smtp';
import { eventually } from './support/eventually';
import { ticketsWithSubject, timeline } from './support/inbound-mail';
import { api, startTestRuntime, type Runtime } from './support/runtime';

/** Read by the handler when it loads: a runaway sender is cut off after 3 mails an hour here. */
process.env.TIERDESK_MAIL_SENDER_LIMIT = '3';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/sla-workflow-policy.yaml' });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
}, 60_000);

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

type Mail = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0] & object;
const DESK = 'support@wf-test.example';

function send(mail: Mail) {
  return smtp.sendMail({ to: DESK, ...mail });
}

const sentTo = (to: string, caseNumber: string) => async () =>
  (await runtime.ses.store()).filter((mail) => mail.destination.to.includes(to) && mail.subject.includes(`[${caseNumber}]`));

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
    await eventually('the stranger\'s own ticket', async () => ((await ticketsWithSubject(request, `Re: [${ticket.caseNumber}] hello`)).length === 1 ? true : undefined));
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
    for (let i = 1; i <= 5; i++) outcomes.push((await deliverRaw(`From: robot@other-desk.example\r\nSubject: Ticket #${i} received\r\nMessage-ID: <loop-${i}-${randomUUID()}@other-desk.example>\r\n\r\nThanks.`))[0]);
    expect(outcomes.map((o: any) => o.outcome)).toEqual(['created', 'created', 'created', 'ignored', 'ignored']);
    expect((outcomes[3] as any).reason).toMatch(/more than 3 mails from robot@other-desk.example/);
  });

  it('arbitrary bytes never escape the handler as an error, and at most one ticket each', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2_000 }),
          fc.string({ maxLength: 500 }).map((body) => new TextEncoder().encode(`From: fuzz@example.com\r\nSubject: fuzz\r\n\r\n${body}`)),
          fc.array(fc.tuple(fc.constantFrom('From', 'Subject', 'Content-Type', 'Message-ID', 'In-Reply-To', 'Auto-Submitted', 'Content-Transfer-Encoding'), fc.string({ maxLength: 80 })), { maxLength: 8 }).map((headers) =>
            new TextEncoder().encode(headers.map(([name, value]) => `${name}: ${value}`).join('\r\n') + '\r\n\r\nbody'),
          ),
        ),
        async (raw) => {
          const outcomes = await deliverRaw(raw);
          expect(outcomes).toHaveLength(1);
          expect(['created', 'added', 'recorded', 'ignored', 'duplicate']).toContain(outcomes[0]!.outcome);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
