/**
 * Sending notifications (functions/notifications/send.ts) with the real @aws-sdk/client-ses:
 * delivered into the local SES emulator (local/ses.ts) and read back from its GET /store; an
 * SES outage thrown for the state machine to retry; an address SES rejects reported, not thrown.
 *
 * The default client is configured the way the runtime will configure it, through
 * AWS_ENDPOINT_URL_SES. Outages and rejections use aws-sdk-client-mock on a client of their own.
 * Tests follow Prepare / Act / Assess.
 */
import { MessageRejected, SESClient, SESServiceException, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInboundMail } from '../core/mail/parse';
import type { Notification } from '../core/notifications/render';
import { validatePolicy } from '../core/policy/load';
import type { Policy } from '../core/policy/schema';
import type { Ticket } from '../core/tickets/model';
import { SesSendError, sendNotifications } from '../functions/notifications/send';
import { isPortFree, LOCAL_AWS } from '../local/dynamodb';
import { type LocalSes, startSes } from '../local/ses';
import { sampleTicket } from './support/sample-ticket';

const policyResult = validatePolicy({
  id: 'ses-test',
  name: 'SES test policy',
  vendor: 'Test Vendor',
  caseNumberPrefix: 'TEST',
  defaultPlan: 'standard',
  severities: [{ id: '1', name: 'Critical' }],
  calendars: [{ id: 'always', timeZone: 'UTC', alwaysOpen: true }],
  plans: [{ id: 'standard', name: 'Standard', calendar: 'always', objectives: { '1': { firstResponse: { within: '30m' } } } }],
  tiers: [{ id: 'L1', name: 'Level 1', team: 'frontline' }],
  notifications: {
    from: 'support@vendor.example',
    replyTo: 'cases@vendor.example',
    teams: { frontline: { lead: 'lead@vendor.example' } },
    agents: { ann: 'ann@vendor.example' },
  },
});
if (!policyResult.ok) throw new Error(JSON.stringify(policyResult.problems));
const policy: Policy = policyResult.policy;

const ticket: Ticket = sampleTicket({ caseNumber: 'TEST-000042', channel: 'email', subject: 'Export <fails>' });

const acknowledgement: Notification = { kind: 'acknowledgement', ticketId: 't-1', caseNumber: 'TEST-000042', recipients: ['requester'] };
const breach: Notification = {
  kind: 'sla-breach',
  ticketId: 't-1',
  caseNumber: 'TEST-000042',
  recipients: ['assignee', 'team-lead', 'team'],
  objective: 'firstResponse',
  due: '2026-06-01T10:30:00.000Z',
};

describe('delivery into the local SES emulator', () => {
  let ses: LocalSes;

  beforeAll(async () => {
    ses = await startSes();
    // As the runtime will set them: the SDK's standard endpoint variable and dummy credentials.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SES: ses.url,
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
    });
  });
  afterAll(() => ses?.stop());

  it('sends each notification to each address and returns SES message ids the store confirms', async () => {
    // Act
    const results = await sendNotifications({ policy }, ticket, [{ ...acknowledgement, eventId: 'e-created' }, breach]);
    const stored = await ses.store();

    // Assess
    expect(results.map((result) => result.sent.map((sent) => sent.to))).toEqual([['pat@customer.example'], ['ann@vendor.example', 'lead@vendor.example']]);
    expect(results[1]!.skipped).toEqual([{ recipient: 'team', reason: 'no member addresses for team "frontline" in notifications.teams' }]);
    expect(stored.map((mail) => mail.messageId)).toEqual(results.flatMap((result) => result.sent.map((sent) => sent.messageId)));

    const [ack, ...breaches] = stored;
    expect(ack).toMatchObject({
      from: 'support@vendor.example',
      replyTo: ['cases@vendor.example'],
      destination: { to: ['pat@customer.example'], cc: [], bcc: [] },
      subject: '[TEST-000042] We received your request: Export <fails>',
    });
    expect(results[0]).toMatchObject({ kind: 'acknowledgement', eventId: 'e-created', subject: ack!.subject });
    expect(ack!.body.text).toContain('Your case number is TEST-000042');
    expect(ack!.body.html).toContain('Export &lt;fails&gt;');
    for (const mail of breaches) expect(mail.subject).toBe('[TEST-000042] SLA breached: first response was due 2026-06-01 10:30 UTC');
  });

  it('shows the sent mail on the page a person opens', async () => {
    const page = await fetch(ses.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('forgets the sent mail on clear()', async () => {
    await ses.clear();
    expect(await ses.store()).toEqual([]);
  });
});

describe('SES errors', () => {
  const client = () => new SESClient({ region: LOCAL_AWS.region, credentials: LOCAL_AWS });

  it('throws an outage for the state machine to retry', async () => {
    // Prepare
    const ses = client();
    const mock = mockClient(ses);
    const outage = new SESServiceException({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
      message: 'Service Unavailable',
    });
    mock.on(SendRawEmailCommand).rejects(outage);

    // Act
    const sending = sendNotifications({ policy, ses }, ticket, [acknowledgement]);

    // Assess
    const error = await sending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SesSendError);
    expect((error as SesSendError).name).toBe('SesSendError');
    expect((error as SesSendError).cause).toBe(outage);
    expect((error as SesSendError).message).toContain('ServiceUnavailable');
  });

  it('throws when the endpoint cannot be reached at all', async () => {
    // Prepare: a real client aimed at an emulator that has stopped.
    const stopped = await startSes();
    await stopped.stop();
    expect(await isPortFree(stopped.port, '127.0.0.1')).toBe(true);
    const ses = new SESClient({ region: LOCAL_AWS.region, credentials: LOCAL_AWS, endpoint: stopped.url, maxAttempts: 1 });

    // Act / Assess
    await expect(sendNotifications({ policy, ses }, ticket, [acknowledgement])).rejects.toBeInstanceOf(SesSendError);
    ses.destroy();
  });

  it('reports an address SES rejects and still delivers to the others', async () => {
    // Prepare
    const ses = client();
    const mock = mockClient(ses);
    mock.on(SendRawEmailCommand).resolves({ MessageId: 'ses-ok' });
    mock.on(SendRawEmailCommand, { Destinations: ['ann@vendor.example'] }).rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }));

    // Act
    const [ack, breached] = await sendNotifications({ policy, ses }, ticket, [acknowledgement, breach]);

    // Assess
    expect(ack!.sent).toEqual([{ to: 'pat@customer.example', messageId: 'ses-ok' }]);
    expect(breached!.sent).toEqual([{ to: 'lead@vendor.example', messageId: 'ses-ok' }]);
    expect(breached!.rejected).toEqual([{ to: 'ann@vendor.example', error: 'MessageRejected', message: 'Email address is not verified.' }]);
    expect(mock.commandCalls(SendRawEmailCommand)).toHaveLength(3);
  });
});

describe('mail to the requester of a ticket opened by email', () => {
  it('answers their mail thread (In-Reply-To the newest, References all); staff mail does not', async () => {
    // Prepare
    const ses = new SESClient({ region: LOCAL_AWS.region, credentials: LOCAL_AWS });
    const mock = mockClient(ses);
    mock.on(SendRawEmailCommand).resolves({ MessageId: 'ses-ok' });
    const emailed = { ...ticket, mailThread: ['<first@customer.example>', '<second@customer.example>'] };

    // Act
    await sendNotifications({ policy, ses }, emailed, [acknowledgement, breach]);

    // Assess: the raw messages as SES received them.
    const sent = await Promise.all(
      mock.commandCalls(SendRawEmailCommand).map(async (call) => ({ to: call.args[0].input.Destinations, mail: await parseInboundMail(call.args[0].input.RawMessage!.Data!) })),
    );
    const toRequester = sent.find((s) => s.to!.includes('pat@customer.example'))!.mail;
    expect(toRequester.inReplyTo).toBe('<second@customer.example>');
    expect(toRequester.references).toEqual(['<first@customer.example>', '<second@customer.example>']);
    expect(toRequester.subject).toContain('[TEST-000042]');
    for (const staff of sent.filter((s) => !s.to!.includes('pat@customer.example'))) expect(staff.mail.inReplyTo).toBeUndefined();
  });
});
