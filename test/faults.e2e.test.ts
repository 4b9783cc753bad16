/**
 * Faults during intake and in the runtime itself (issue [7], the reliability suite), on
 * `npm start`'s runtime with the webhooks fixture policy: DynamoDB throttling and 5xx answers,
 * a failed StartExecution, a handler that dies right after its ticket write, and `npm start`
 * killed with SIGKILL mid-traffic. An SES outage during an acknowledgement or a breach notice is
 * proved in test/sla-workflow.e2e.test.ts ("an SES outage": SES refusing every mail…), not here.
 *
 * Faults the emulators cannot produce are injected into the handlers' own clients, and every
 * other call goes through to the real emulator: DynamoDB errors as the HTTP answers DynamoDB
 * sends, below the SDK's retry, so the SDK parses and retries them as it does in AWS; the rest
 * with aws-sdk-client-mock. Both are process-wide: these tests do not run side by side.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signTierdeskPayload } from '../core/webhooks/signatures';
import { getRuntime } from '../functions/shared/runtime';
import { VersionConflictError } from '../functions/store/dynamo-store';
import { handler as reconcile } from '../functions/workflow/reconcile';
import { STREAM_SOURCE, handler as startNewTickets } from '../functions/workflow/start';
import { api, type Runtime, startTestRuntime, TEST_ADMIN_KEY } from './support/runtime';

const POLICY = 'test/fixtures/webhooks-policy.yaml';
const PORTAL_SECRET = 'whsec_faults-portal';

let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: POLICY, webhookSecrets: { portal: [PORTAL_SECRET] } });
  request = api(runtime);
});

afterAll(async () => {
  await runtime?.stop();
});

// ---- faults --------------------------------------------------------------------------------

/**
 * Error answers as DynamoDB sends them (JSON protocol), and whether the SDK's standard retry
 * strategy retries them inside `send` (a cancelled transaction it does not).
 */
const DYNAMODB_FAULTS = {
  ProvisionedThroughputExceededException: { status: 400, sdkRetries: true, body: { message: 'The level of configured provisioned throughput for the table was exceeded.' } },
  ThrottlingException: { status: 400, sdkRetries: true, body: { message: 'Throughput exceeds the current capacity for one or more global secondary indexes.' } },
  InternalServerError: { status: 500, sdkRetries: true, body: { message: 'Internal server error' } },
  TransactionCanceledException: {
    status: 400,
    sdkRetries: false,
    body: {
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError, None]',
      CancellationReasons: [{ Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity of your table or index.' }, { Code: 'None' }],
    },
  },
} as const;
type DynamoFault = keyof typeof DYNAMODB_FAULTS;

/**
 * Runs `around` on each of the store's DynamoDB calls whose request mentions `marker`, with the
 * call's command name (e.g. TransactWriteItemsCommand) and the call itself. It sits below the
 * SDK's retry, so each SDK attempt passes through it. remove() when done.
 */
function aroundStoreCalls(marker: string, around: (command: string, send: () => Promise<unknown>) => Promise<unknown>) {
  const stack = getRuntime().store.doc.middlewareStack;
  const name = `around-${randomUUID()}`;
  type Next = (args: { request: { body?: unknown } }) => Promise<unknown>;
  const text = (body: unknown) => (body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : String(body));
  const middleware = (next: Next, context: { commandName?: string }) => async (args: { request: { body?: unknown } }) =>
    text(args.request.body).includes(marker) ? around(context.commandName ?? '', () => next(args)) : next(args);
  stack.add(middleware as unknown as Parameters<typeof stack.add>[0], { step: 'deserialize', priority: 'low', name });
  return { remove: () => stack.remove(name) };
}

/**
 * Answers the store's `command` calls (e.g. TransactWriteItemsCommand) whose request mentions
 * `marker` with `fault`, `times` attempts in a row, then lets them through. `attempts` says how
 * many attempts the SDK made.
 */
function dynamoFault(command: string, marker: string, fault: DynamoFault | 'TransactionConflictException', times = Infinity) {
  const seen = { attempts: 0 };
  const { status, body: answer } = fault === 'TransactionConflictException' ? TRANSACTION_CONFLICT : DYNAMODB_FAULTS[fault];
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault}`, ...answer });
  const around = aroundStoreCalls(marker, async (name, send) => {
    if (name !== command) return send();
    seen.attempts++;
    if (seen.attempts > times) return send();
    return { response: { statusCode: status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() }, body: Buffer.from(body) } };
  });
  return { seen, remove: around.remove };
}

/** What DynamoDB answers a single write whose item is part of a transaction in progress. */
const TRANSACTION_CONFLICT = { status: 400, body: { message: 'Transaction is ongoing for the item' } } as const;

type Sendable = { prototype: { send: (...args: any[]) => Promise<unknown> } };

/**
 * aws-sdk-client-mock on every instance of `Client`: each call goes to `around` with the real
 * send, which it may call, skip, or follow with an error. restore() when done.
 */
function intercept(Client: Sendable, around: (command: { input: any }, send: () => Promise<any>) => Promise<any>) {
  const send = Client.prototype.send;
  const mock = mockClient(Client as Parameters<typeof mockClient>[0]);
  mock.send.callsFake(function (this: unknown, command: { input: any }, ...rest: unknown[]): Promise<any> {
    return around(command, () => send.apply(this, [command, ...rest]));
  });
  return mock;
}

// ---- reading back --------------------------------------------------------------------------

const newTicket = (subject: string, email = 'ana@example.com') => ({
  subject,
  description: 'The export stopped.',
  severity: '2',
  requester: { email, name: 'Ana Lima' },
});

/** Every ticket with this subject (open and resolved), as the API lists them. */
async function ticketsWithSubject(subject: string): Promise<{ id: string; caseNumber: string }[]> {
  const found: { id: string; caseNumber: string; subject: string }[] = [];
  for (const status of ['', '&status=resolved']) {
    let cursor: string | null = null;
    do {
      const page: any = (await request('GET', `/tickets?limit=100${status}${cursor ? `&cursor=${cursor}` : ''}`)).body;
      found.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
  }
  return found.filter((ticket) => ticket.subject === subject);
}

async function timeline(id: string): Promise<{ type: string; data?: Record<string, any> }[]> {
  const read = await request('GET', `/tickets/${id}`);
  expect(read.status).toBe(200);
  return read.body.timeline;
}

/** The ticket's execution in the local Step Functions runner: RUNNING, SUCCEEDED…, or undefined if it has none. */
async function executionStatus(id: string, stepFunctionsUrl = runtime.stepFunctionsUrl): Promise<string | undefined> {
  const response = await fetch(`${stepFunctionsUrl}/executions/${id}`);
  return response.ok ? ((await response.json()) as { status: string }).status : undefined;
}

function portal(payload: unknown, eventId: string) {
  const body = JSON.stringify(payload);
  return fetch(new URL('/webhooks/portal', runtime.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-event-id': eventId, 'x-tierdesk-signature': signTierdeskPayload(PORTAL_SECRET, body, Math.floor(Date.now() / 1000)) },
    body,
  }).then(async (response) => ({ status: response.status, headers: response.headers, body: (await response.json()) as any }));
}

const portalCase = (externalId: string, title: string, comment?: string) => ({
  ticket: { id: externalId, title, body: `${title}: details`, priority: '2' },
  user: { email: 'kim@example.com', name: 'Kim Park' },
  ...(comment ? { comment } : {}),
});

// ---- 1. throttling and 5xx -----------------------------------------------------------------

describe('DynamoDB throttling and 5xx during intake', () => {
  it('a ticket write throttled twice is retried by the SDK itself: 201, one ticket', async () => {
    // Prepare: the ticket's transaction (it completes the Idempotency-Key's claim) is throttled twice.
    const subject = `Throttled twice ${randomUUID()}`;
    const key = randomUUID();
    const fault = dynamoFault('TransactWriteItemsCommand', key, 'ProvisionedThroughputExceededException', 2);

    // Act
    const created = await request('POST', '/tickets', { body: newTicket(subject), headers: { 'idempotency-key': key } }).finally(fault.remove);

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(fault.seen.attempts).toBe(3);
    expect(await ticketsWithSubject(subject)).toEqual([expect.objectContaining({ id: created.body.id })]);
  });

  it.each(Object.keys(DYNAMODB_FAULTS) as DynamoFault[])('%s on every attempt: 503 with Retry-After naming it; a retry with the same Idempotency-Key makes exactly one ticket', async (name) => {
    // Prepare
    const subject = `${name} ${randomUUID()}`;
    const key = randomUUID();
    const fault = dynamoFault('TransactWriteItemsCommand', key, name);

    // Act
    const refused = await request('POST', '/tickets', { body: newTicket(subject), headers: { 'idempotency-key': key } }).finally(fault.remove);
    const retried = await request('POST', '/tickets', { body: newTicket(subject), headers: { 'idempotency-key': key } });
    const again = await request('POST', '/tickets', { body: newTicket(subject), headers: { 'idempotency-key': key } });

    // Assess
    if (DYNAMODB_FAULTS[name].sdkRetries)
      expect(fault.seen.attempts).toBeGreaterThan(1); // the SDK retried before it gave up
    else expect(fault.seen.attempts).toBe(1);
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.message).toContain(name);
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull(); // the refused one stored nothing
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(retried.body.id);
    expect(await ticketsWithSubject(subject)).toHaveLength(1);
  });

  it('a webhook delivery throttled through every attempt is answered 503, and its redelivery makes one ticket', async () => {
    // Prepare
    const title = `Throttled delivery ${randomUUID()}`;
    const eventId = randomUUID();
    const fault = dynamoFault('TransactWriteItemsCommand', eventId, 'ThrottlingException');

    // Act
    const refused = await portal(portalCase(randomUUID(), title), eventId).finally(fault.remove);
    const redelivered = await portal(portalCase(randomUUID(), title), eventId);

    // Assess
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(redelivered.status).toBe(201);
    expect(await ticketsWithSubject(title)).toEqual([expect.objectContaining({ id: redelivered.body.ticketId })]);
  });
});

describe('a write of one item', () => {
  /** A new ticket whose execution has planned and parked: nothing writes it again until a deadline hours away. */
  async function quietTicket() {
    const created = await request('POST', '/tickets', { body: newTicket(`One item ${randomUUID()}`) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const store = getRuntime().store;
    await vi.waitFor(
      async () => {
        const stored = await store.getTicket(id);
        expect(await store.parkedVersion(id)).toBe(stored?.version);
      },
      { timeout: 10_000, interval: 100 },
    );
    return (await store.getTicket(id))!;
  }

  it('after its read is one conditional PutItem: no second read, no transaction (half the write units); a stale version is still refused', async () => {
    // Prepare: the ticket as just read (quietTicket reads it last); two saves of the same version race.
    const stored = await quietTicket();
    const store = getRuntime().store;
    const commands: string[] = [];
    const recorder = aroundStoreCalls(stored.id, (command, send) => {
      commands.push(command);
      return send();
    });

    // Act
    const next = { ...stored, version: stored.version + 1 };
    const outcomes = await Promise.allSettled([store.saveTicket(next, []), store.saveTicket(next, [])]).finally(recorder.remove);

    // Assess: one save won; the other's own condition refused it, as a version conflict.
    expect(commands).toEqual(['PutItemCommand', 'PutItemCommand']);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')?.reason).toBeInstanceOf(VersionConflictError);
    expect((await store.getTicket(stored.id))?.version).toBe(stored.version + 1);
  });

  it('refused because its item is in another transaction, is tried again and saved', async () => {
    // Prepare
    const stored = await quietTicket();
    const fault = dynamoFault('PutItemCommand', stored.id, 'TransactionConflictException', 1);

    // Act
    await getRuntime()
      .store.saveTicket({ ...stored, version: stored.version + 1 }, [])
      .finally(fault.remove);

    // Assess
    expect(fault.seen.attempts).toBe(2);
    expect((await getRuntime().store.getTicket(stored.id))?.version).toBe(stored.version + 1);
  });
});

// ---- 2. StartExecution fails after the ticket was written ----------------------------------

describe('StartExecution failing after the ticket was written', () => {
  /** Step Functions refuses StartExecution `times` times (every call, as a regional outage would); the rest go through. */
  function refuseStarts(times: number) {
    const refused = { count: 0 };
    const mock = intercept(SFNClient, (command, send) => {
      if (command instanceof StartExecutionCommand && refused.count < times) {
        refused.count++;
        return Promise.reject(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $fault: 'server' }));
      }
      return send();
    });
    return Object.assign(refused, { restore: () => mock.restore() });
  }
  const owed = async () => (await getRuntime().store.pendingWorkflows(500)).map((entry) => entry.ticketId);

  it('the API answers 201 without waiting on it; the stream hands the refused start back to the starter, which makes it', async () => {
    // Prepare: Step Functions refuses the first StartExecution.
    const refusals = refuseStarts(1);
    const email = `${randomUUID()}@example.com`;

    // Act
    const created = await request('POST', '/tickets', { body: newTicket(`Start refused once ${randomUUID()}`, email) });
    const { id, caseNumber } = created.body;
    await vi.waitFor(async () => expect(await executionStatus(id)).toBe('RUNNING'), { timeout: 10_000, interval: 100 }).finally(() => refusals.restore());

    // Assess: no reconciler run was needed, and nothing is left owed.
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(refusals.count).toBe(1);
    expect(await owed()).not.toContain(id);
    await vi.waitFor(async () => expect((await runtime.ses.store()).some((mail) => mail.destination.to.includes(email) && mail.subject.includes(`[${caseNumber}]`))).toBe(true), {
      timeout: 5_000,
      interval: 200,
    });
  });

  it("refused through all of the starter's tries, the start stays owed; the reconciler makes it and the acknowledgement goes out", async () => {
    // Prepare: Step Functions refuses every start the starter tries (its first and its retries).
    const tries = 1 + STREAM_SOURCE.retryAttempts;
    const refusals = refuseStarts(tries);
    const subject = `No execution ${randomUUID()}`;
    const email = `${randomUUID()}@example.com`;

    // Act
    const created = await request('POST', '/tickets', { body: newTicket(subject, email) });
    const { id, caseNumber } = created.body;
    await vi.waitFor(() => expect(refusals.count).toBe(tries), { timeout: 10_000, interval: 50 }).finally(() => refusals.restore());
    const withoutExecution = await executionStatus(id);
    const owedBeforeRun = await owed();
    const outcome = await reconcile();

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(withoutExecution).toBeUndefined();
    expect(owedBeforeRun).toContain(id);
    expect(outcome.started).toBeGreaterThanOrEqual(1);
    expect(outcome.failed).toBe(0);
    expect(await executionStatus(id)).toBe('RUNNING');
    expect(await owed()).not.toContain(id);
    await vi.waitFor(async () => expect((await runtime.ses.store()).some((mail) => mail.destination.to.includes(email) && mail.subject.includes(`[${caseNumber}]`))).toBe(true), {
      timeout: 5_000,
      interval: 200,
    });
    expect(await ticketsWithSubject(subject)).toHaveLength(1);
  });
});

describe('the workflow starter', () => {
  it('starts nothing for a ticket closed before its record came back, clears what it owed, and leaves records that name no ticket alone', async () => {
    // Prepare: a ticket whose starts were all refused (no execution), closed as spam meanwhile.
    const refused = { count: 0 };
    const tries = 1 + STREAM_SOURCE.retryAttempts;
    const sfn = intercept(SFNClient, (command, send) => {
      if (command instanceof StartExecutionCommand && refused.count < tries) {
        refused.count++;
        return Promise.reject(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $fault: 'server' }));
      }
      return send();
    });
    const created = await request('POST', '/tickets', { body: newTicket(`Closed before its start ${randomUUID()}`) });
    const id = created.body.id as string;
    await vi.waitFor(() => expect(refused.count).toBe(tries), { timeout: 10_000, interval: 50 }).finally(() => sfn.restore());
    expect((await request('POST', `/tickets/${id}/actions`, { body: { type: 'close', reason: 'spam' } })).status).toBe(200);
    const record = (pk: unknown, sequence: string) => ({ eventName: 'INSERT', dynamodb: { Keys: { PK: { S: pk }, SK: { S: 'WORKFLOW' } }, SequenceNumber: sequence } });

    // Act: the stream's record of that ticket again (as a late retry), and records whose key is no ticket's.
    const answer = await startNewTickets({
      Records: [record(`TICKET#${id}`, '1'), record(`TICKET#CASE-${'9'.repeat(300)}`, '2'), record('CUSTOMER#acme', '3'), record(42, '4'), {}],
    } as never);

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(await executionStatus(id)).toBeUndefined();
    expect((await getRuntime().store.pendingWorkflows(500)).map((owed) => owed.ticketId)).not.toContain(id);
  });
});

describe('waking an execution failing after the change was written', () => {
  it('the change is kept and answered; its mail goes out when the reconciler sends the wake that was lost', async () => {
    // Prepare: a ticket waiting on the customer, its clock stopped, so its execution is parked with no deadline near.
    const email = `wake-${randomUUID()}@example.com`;
    const created = await request('POST', '/tickets', { body: newTicket(`Lost wake ${randomUUID()}`, email) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await request('POST', `/tickets/${id}/actions`, { body: { type: 'pause' } })).status).toBe(200);
    const parkedFor = async () => (await getRuntime().store.parkedVersion(id)) ?? -1;
    await vi.waitFor(async () => expect(await parkedFor()).toBeGreaterThanOrEqual(created.body.ticket.version + 1), { timeout: 5_000, interval: 100 });
    const answer = `Try the export again ${randomUUID()}`;
    const mailed = async () => (await runtime.ses.store()).filter((mail) => mail.destination.to.includes(email) && (mail.body?.text ?? '').includes(answer));
    const refusal = intercept(SFNClient, async (command, send) => {
      if (command instanceof SendTaskSuccessCommand) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $fault: 'server' });
      return send();
    });

    // Act: the agent answers while Step Functions refuses the wake; later the reconciler runs.
    const replied = await request('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body: answer } }).finally(() => refusal.restore());
    await sleep(1_500);
    const before = await mailed();
    const outcome = await reconcile();

    // Assess
    expect(replied.status).toBe(201);
    expect(before).toEqual([]);
    expect(outcome.woken).toBeGreaterThanOrEqual(1);
    await vi.waitFor(async () => expect(await mailed()).toHaveLength(1), { timeout: 5_000, interval: 200 });
  });
});

// ---- 3. a handler dying between two writes -------------------------------------------------

describe('a handler that dies right after its ticket write', () => {
  /** The first ticket transaction mentioning `marker` is written, then the handler "dies" (its call throws). */
  function dieAfterTicketWrite(marker: string) {
    let died = false;
    return intercept(DynamoDBDocumentClient, async (command, send) => {
      const result = await send();
      if (!died && command instanceof TransactWriteCommand && JSON.stringify(command.input).includes(marker)) {
        died = true;
        throw new Error('the function was stopped right after its ticket write');
      }
      return result;
    });
  }

  it('a portal delivery redelivered with its event id converges on one ticket that later deliveries of the case still find', async () => {
    // Prepare
    const externalId = randomUUID();
    const title = `Died after write ${randomUUID()}`;
    const eventId = randomUUID();
    const crash = dieAfterTicketWrite(title);

    // Act: the sender sees a failure and redelivers; then the portal sends the customer's next comment on its case.
    const failed = await portal(portalCase(externalId, title), eventId).finally(() => crash.restore());
    const redelivered = await portal(portalCase(externalId, title), eventId);
    const comment = await portal(portalCase(externalId, title, 'Still broken after the restart.'), randomUUID());

    // Assess
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(redelivered.status).toBe(201);
    expect(redelivered.headers.get('idempotent-replayed')).toBe('true');
    const id = redelivered.body.ticketId;
    expect(comment.status, JSON.stringify(comment.body)).toBe(200);
    expect(comment.body).toMatchObject({ ticketId: id, created: false });
    expect(await ticketsWithSubject(title)).toEqual([expect.objectContaining({ id, caseNumber: redelivered.body.caseNumber })]);
    const events = await timeline(id);
    expect(events.filter((event) => event.type === 'created')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'customer-message')).toHaveLength(1);
    // Started from the table's stream: the crash after the write took nothing with it.
    await vi.waitFor(async () => expect(await executionStatus(id)).toBe('RUNNING'), { timeout: 10_000, interval: 100 });
  });

  it('POST /tickets retried with its Idempotency-Key gets the written ticket back, and no second one', async () => {
    // Prepare
    const subject = `Died after API write ${randomUUID()}`;
    const key = randomUUID();
    const crash = dieAfterTicketWrite(subject);

    // Act
    const failed = await request('POST', '/tickets', { body: newTicket(subject), headers: { 'idempotency-key': key } }).finally(() => crash.restore());
    const retried = await request('POST', '/tickets', { body: newTicket(subject), headers: { 'idempotency-key': key } });
    const owed = async () => (await getRuntime().store.pendingWorkflows(500)).map((entry) => entry.ticketId);

    // Assess
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await ticketsWithSubject(subject)).toEqual([expect.objectContaining({ id: retried.body.id })]);
    expect((await timeline(retried.body.id)).filter((event) => event.type === 'created')).toHaveLength(1);
    // The ticket was written owing its start; the starter made it from the table's stream, though the handler died.
    await vi.waitFor(async () => expect(await executionStatus(retried.body.id)).toBe('RUNNING'), { timeout: 10_000, interval: 100 });
    await vi.waitFor(async () => expect(await owed()).not.toContain(retried.body.id), { timeout: 5_000, interval: 100 });
  });
  it('a mail reply whose ingest dies after its write is redelivered by the mail server, recorded once, and a reply to it still joins the ticket', async () => {
    // Prepare: a ticket opened by mail. The listener answers 451 when the ingest fails, as SES's retry would follow.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
    const subject = `Died after mail write ${randomUUID()}`;
    const [opening, reply, followUp] = [randomUUID(), randomUUID(), randomUUID()];
    const mail = (id: string, extra: object) => ({ from: 'ana@example.com', to: 'support@desk.example', messageId: `<${id}@customer.example>`, ...extra });
    try {
      await smtp.sendMail(mail(opening, { subject, text: 'The export stopped.' }));
      const ticket = await vi.waitFor(async () => (await ticketsWithSubject(subject))[0]!, { timeout: 5_000, interval: 200 });
      const answer = mail(reply, { subject: `Re: ${subject}`, inReplyTo: `<${opening}@customer.example>`, text: 'It stopped again at 3 am.' });
      const crash = dieAfterTicketWrite(reply);

      // Act: the reply's ingest dies after its write; the server delivers it again; then the customer answers their own reply.
      await expect(smtp.sendMail(answer).finally(() => crash.restore())).rejects.toThrow(/451/);
      await smtp.sendMail(answer);
      const lastSubject = `More details ${randomUUID()}`; // no case number: only the thread can place it
      await smtp.sendMail(mail(followUp, { subject: lastSubject, inReplyTo: `<${reply}@customer.example>`, text: 'Logs attached later.' }));

      // Assess
      const messages = await vi.waitFor(
        async () => {
          const found = (await timeline(ticket.id)).filter((event) => event.type === 'customer-message');
          expect(found).toHaveLength(2);
          return found as { body?: string }[];
        },
        { timeout: 5_000, interval: 200 },
      );
      expect(messages.map((message) => message.body)).toEqual(['It stopped again at 3 am.', 'Logs attached later.']);
      expect(await ticketsWithSubject(lastSubject)).toEqual([]);
    } finally {
      smtp.close();
    }
  });
});

// ---- 4. npm start killed mid-traffic -------------------------------------------------------

describe('npm start killed with SIGKILL mid-traffic', () => {
  const START_MS = 60_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'tierdesk-faults-'));
  const started: ChildProcess[] = [];

  /** `npm start` (local/start.ts via tsx) in its own process group, on free ports; resolves with what its banner says. */
  async function npmStart() {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--data-dir', dataDir, '--port', '0', '--smtp-port', '0', '--policy', POLICY], {
      env: { ...process.env, TIERDESK_ADMIN_KEY: TEST_ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(output).toContain('Ctrl-C stops everything'), { timeout: START_MS, interval: 100 });
    return {
      child,
      exited,
      url: /API +(http:\S+)/.exec(output)![1]!,
      stepFunctionsUrl: /Step Functions +(http:\S+)/.exec(output)![1]!,
      dynamodbPid: Number(/\(table \w+, pid (\d+)\)/.exec(output)![1]),
    };
  }

  afterAll(() => {
    // Whatever a failing test left: each start's group (node and its JVM).
    for (const child of started) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'keeps every ticket it answered 2xx, re-drives every open ticket after the restart, and leaves no DynamoDB Local behind',
    async () => {
      // Prepare
      const first = await npmStart();
      const post = (i: number) =>
        fetch(new URL('/tickets', first.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
          body: JSON.stringify(newTicket(`Before the kill ${i}`)),
        }).then(async (response) => (response.ok ? ((await response.json()) as { id: string }).id : undefined));

      // Act: 8 clients post without pause; SIGKILL once 20 tickets were accepted.
      const accepted: string[] = [];
      let cutOff = 0;
      let killed = false;
      let sent = 0;
      const clients = Array.from({ length: 8 }, async () => {
        while (!killed) {
          const id = await post(sent++).catch(() => undefined);
          if (id) accepted.push(id);
          else cutOff++;
          if (accepted.length >= 20 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      });
      await Promise.all(clients);
      await first.exited;
      // The JVM dies with its parent (local/dynamodb.ts), even one killed without a chance to clean up.
      await vi.waitFor(() => expect(isAlive(first.dynamodbPid)).toBe(false), { timeout: 10_000, interval: 100 });
      const second = await npmStart();

      // Assess
      expect(cutOff).toBeGreaterThan(0); // requests were in flight when it died
      const open: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await (await fetch(new URL(`/tickets?limit=100${cursor ? `&cursor=${cursor}` : ''}`, second.url), { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).json();
        open.push(...page.items.map((ticket: { id: string }) => ticket.id));
        cursor = page.cursor;
      } while (cursor);
      expect(open).toEqual(expect.arrayContaining(accepted));
      const withoutExecution = [];
      for (const id of open) if ((await executionStatus(id, second.stepFunctionsUrl)) !== 'RUNNING') withoutExecution.push(id);
      expect(withoutExecution).toEqual([]);

      // And a clean stop leaves nothing behind.
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(isAlive(second.dynamodbPid)).toBe(false);
    },
    3 * 60_000,
  );
});

/** Whether the process runs (a zombie nobody reaped yet counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) said it runs
  }
}
