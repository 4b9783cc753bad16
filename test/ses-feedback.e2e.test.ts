/**
 * SES feedback end to end on `npm start`'s runtime (DynamoDB Local, the local Step Functions
 * runner, the SES emulator): a ticket's acknowledgement goes out through the emulator, then the
 * feedback handler (functions/email/feedback.ts) is invoked with an EventBridge event made from a
 * recorded SES notification (test/fixtures/ses-feedback/) about that very mail, as the stack's
 * rule would invoke it. What follows is read back through the API and the emulator's GET /store.
 * Tests follow Prepare / Act / Assess.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeedbackOutcome, handler as feedbackHandler } from '../functions/email/feedback';
import { getRuntime } from '../functions/shared/runtime';
import { SuppressionStore } from '../functions/store/suppressions';
import { lambdaContext } from '../local/gateway';
import { eventually } from './support/eventually';
import { timeline } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/sla-workflow-policy.yaml' });
  request = api(runtime);
});

afterAll(() => runtime?.stop());

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`./fixtures/ses-feedback/${name}.json`, import.meta.url), 'utf8'));

/** The recorded notification, about `messageId` sent to `address`, as the stack's EventBridge rule delivers it. */
function feedbackEvent(name: 'bounce-permanent' | 'bounce-transient' | 'complaint', messageId: string, address: string): unknown {
  const notification = fixture(name);
  notification.mail.messageId = messageId;
  notification.mail.destination = [address];
  const feedback = notification.bounce ?? notification.complaint;
  feedback.feedbackId = `0102019a-${randomUUID()}-000000`;
  for (const recipient of feedback.bouncedRecipients ?? feedback.complainedRecipients) recipient.emailAddress = address;
  const detailType = notification.bounce ? 'Email Bounced' : 'Email Complaint Received';
  return { version: '0', id: randomUUID(), 'detail-type': detailType, source: 'aws.ses', account: '000000000000', time: feedback.timestamp, region: 'us-east-1', resources: [], detail: notification };
}

function invoke(event: unknown): Promise<FeedbackOutcome> {
  return feedbackHandler(event, lambdaContext('tierdesk-feedback', Date.now() + 30_000));
}

const mailTo = async (address: string) => (await runtime.ses.store()).filter((mail) => mail.destination.to.includes(address));

/** A ticket of a requester of its own, once its acknowledgement went out and is on the timeline (so its Message-ID is linked). */
async function acknowledgedTicket(): Promise<{ id: string; address: string; messageId: string }> {
  const address = `req-${randomUUID().slice(0, 8)}@customer.example`;
  const created = await request('POST', '/tickets', {
    body: { subject: 'Export fails', description: 'It stops at 99 %.', severity: '3', requester: { email: address, name: 'Pat Example' } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  await eventually('the acknowledgement on the timeline', async () => (await timeline(request, id)).find((e) => e.type === 'notification-sent' && e.data.kind === 'acknowledgement'), 15_000);
  const [ack] = await mailTo(address);
  return { id, address, messageId: ack!.messageId };
}

/** Posts an agent reply and waits for the workflow's record of its notification. */
async function replyAndWaitForNotification(id: string, text: string): Promise<any> {
  expect((await request('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body: text } })).status).toBe(201);
  return eventually("the reply's notification record", async () => (await timeline(request, id)).find((e) => e.type === 'notification-sent' && e.data.kind === 'agent-reply'), 15_000);
}

const suppressions = () => new SuppressionStore(getRuntime().store.tableName, getRuntime().store.doc);

describe.concurrent("SES feedback on the desk's mail", () => {
  it('a permanent bounce is recorded on the ticket and suppresses the address: the next mail is not sent, and the timeline says why', async () => {
    // Prepare
    const { id, address, messageId } = await acknowledgedTicket();

    // Act
    const outcome = await invoke(feedbackEvent('bounce-permanent', messageId, address));

    // Assess: an internal event naming the address and the diagnostic.
    expect(outcome).toMatchObject({ outcome: 'recorded', kind: 'bounce', ticketId: id, suppressed: [address] });
    const bounced = (await timeline(request, id)).filter((e) => e.type === 'mail-bounced');
    expect(bounced).toHaveLength(1);
    expect(bounced[0]).toMatchObject({ public: false, data: { type: 'Permanent/General', suppressed: true, recipients: [{ address, status: '5.1.1' }] } });
    expect(bounced[0].body).toContain(address);
    expect(bounced[0].body).toContain('User unknown');
    expect(await suppressions().get(address)).toMatchObject({ address, reason: 'bounce', ticketId: id });

    // The next notification to the address is skipped, with the reason, and nothing reaches SES.
    const record = await replyAndWaitForNotification(id, 'Please try the new export.');
    expect(record.data.sent).toEqual([]);
    expect(record.data.skipped).toEqual([{ recipient: address, reason: expect.stringMatching(/^suppressed: permanent bounce \(Permanent\/General\) on .*User unknown/) }]);
    expect((await mailTo(address)).map((mail) => mail.messageId)).toEqual([messageId]);
  });

  it('the same notification delivered twice is recorded once', async () => {
    // Prepare
    const { id, address, messageId } = await acknowledgedTicket();
    const event = feedbackEvent('bounce-permanent', messageId, address);

    // Act
    const first = await invoke(event);
    const second = await invoke(structuredClone(event));

    // Assess
    expect([first.outcome, second.outcome]).toEqual(['recorded', 'duplicate']);
    expect((await timeline(request, id)).filter((e) => e.type === 'mail-bounced')).toHaveLength(1);
    expect(await suppressions().get(address)).toBeDefined();
  });

  it('a complaint is recorded and suppresses the address likewise', async () => {
    // Prepare
    const { id, address, messageId } = await acknowledgedTicket();

    // Act
    const outcome = await invoke(feedbackEvent('complaint', messageId, address.toUpperCase()));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'recorded', kind: 'complaint', suppressed: [address] });
    const [complaint] = (await timeline(request, id)).filter((e) => e.type === 'mail-complaint');
    expect(complaint).toMatchObject({ public: false, data: { type: 'abuse', suppressed: true } });
    const record = await replyAndWaitForNotification(id, 'Here is the fix.');
    expect(record.data.skipped).toEqual([{ recipient: address, reason: expect.stringContaining('suppressed: spam complaint (abuse)') }]);
    expect(await mailTo(address)).toHaveLength(1);
  });

  it('a transient bounce is recorded but does not suppress: the next mail goes out', async () => {
    // Prepare
    const { id, address, messageId } = await acknowledgedTicket();

    // Act
    const outcome = await invoke(feedbackEvent('bounce-transient', messageId, address));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'recorded', suppressed: [] });
    const [bounced] = (await timeline(request, id)).filter((e) => e.type === 'mail-bounced');
    expect(bounced).toMatchObject({ public: false, data: { type: 'Transient/MailboxFull', suppressed: false } });
    expect(await suppressions().get(address)).toBeUndefined();
    const record = await replyAndWaitForNotification(id, 'Please try again tomorrow.');
    expect(record.data.to).toEqual([address]);
    expect(await mailTo(address)).toHaveLength(2);
  });

  it("a bounce of mail that is no ticket's (a support period's notice) still suppresses the address", async () => {
    // Prepare
    const address = `poc-${randomUUID().slice(0, 8)}@customer.example`;

    // Act
    const outcome = await invoke(feedbackEvent('bounce-permanent', `0102019a-${randomUUID()}-000000`, address));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'no-ticket', suppressed: [address] });
    expect(await suppressions().get(address)).toMatchObject({ reason: 'bounce' });
  });

  it('a malformed notification is dropped without throwing, and changes nothing', async () => {
    // Prepare
    const { id, address, messageId } = await acknowledgedTicket();
    const broken = feedbackEvent('bounce-permanent', messageId, address) as { detail: any };
    broken.detail.bounce.bouncedRecipients[0].emailAddress = `${address}>, victim@example.com`;

    // Act
    const outcomes = await Promise.all([invoke(broken), invoke({ 'detail-type': 'Email Bounced', detail: 'not an object' }), invoke(undefined)]);

    // Assess
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['dropped', 'dropped', 'dropped']);
    expect((await timeline(request, id)).filter((e) => e.type === 'mail-bounced')).toEqual([]);
    expect(await suppressions().get(address)).toBeUndefined();
  });
});
