/**
 * The ticket lifecycle state machine end to end on `npm start`'s runtime: intake starts the
 * execution, the SLA clock fires from Step Functions' task timeout, changes wake the parked
 * execution, and a restart re-drives open tickets. Nothing is mocked; the policy
 * (test/fixtures/sla-workflow-policy.yaml) has targets seconds long on an always-open calendar.
 *
 * Step Functions times waits in whole seconds, so an instant is acted on up to a second late on a
 * quiet machine, and seconds later on a loaded one. So the tests assert what does not depend on the
 * machine's speed: the instant recorded (`data.due`) is exact, the clock never acts early, and it
 * acts within LATE_MS of the instant or of the moment the test let it run (a restart, a
 * reconcile), whichever is later. No scenario's precondition needs the machine to be quick: those
 * that act before a deadline use a target a minute long. The mails the workflow sends are read back from the runtime's SES
 * emulator (the fixture's `notifications` section names the team leads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntime } from '../functions/shared/runtime';
import { handler as reconcile } from '../functions/workflow/reconcile';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { stepStories } from './support/stories';

const POLICY = 'test/fixtures/sla-workflow-policy.yaml';
/**
 * How late an instant may be acted on: the whole-second wait plus the round trip, with room for a
 * 2-core machine running other CPU-heavy work beside the suite. Precision on a quiet machine is
 * `npm run bench`'s business, not a test's.
 */
const LATE_MS = 10_000;
// The waits above are only how long a failing test takes to say so; a passing one is as quick as the clock.
vi.setConfig({ testTimeout: 120_000 });

let runtime: Runtime;
let request: ReturnType<typeof api>;
const dataDir = mkdtempSync(join(tmpdir(), 'tierdesk-sla-workflow-'));

beforeAll(async () => {
  // On disk, so the restart below finds its tickets.
  runtime = await startTestRuntime({ policy: POLICY, inMemory: false, dataDir });
  request = api(runtime);
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Event {
  type: string;
  at: string;
  data?: Record<string, any>;
}

async function newTicket(severity: string) {
  const created = await request('POST', '/tickets', {
    body: { subject: `Severity ${severity} case`, description: 'It broke.', severity, requester: { email: 'ana@example.com', name: 'Ana Lima' } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return {
    id: created.body.id as string,
    caseNumber: created.body.ticket.caseNumber as string,
    createdAt: Date.parse(created.body.ticket.createdAt as string),
  };
}

async function ticket(id: string) {
  const read = await request('GET', `/tickets/${id}`);
  expect(read.status).toBe(200);
  return read.body as { tier: string; flags: string[]; sla: Record<string, any>; timeline: Event[] };
}

/** Polls until `probe` answers something, or fails after `withinMs`. */
async function eventually<T>(id: string, probe: () => Promise<T | undefined>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`ticket ${id}: not there within ${withinMs} ms; execution: ${await execution(id)}`);
    await sleep(200);
  }
}

/** Polls the ticket until `found` returns something. */
function until<T>(id: string, found: (t: Awaited<ReturnType<typeof ticket>>) => T | undefined, withinMs: number): Promise<T> {
  return eventually(id, async () => found(await ticket(id)), withinMs);
}

const clockEvent = (type: string, objective: string) => (t: { timeline: Event[] }) => t.timeline.find((event) => event.type === type && event.data?.objective === objective);

/** The execution as the local endpoint shows it, for failure messages and the wake-up checks. */
async function execution(id: string): Promise<string> {
  const response = await fetch(`${runtime.stepFunctionsUrl}/executions/${id}`);
  return response.ok ? JSON.stringify(await response.json()).slice(0, 2_000) : `HTTP ${response.status}`;
}

/** An execution's status (RUNNING, SUCCEEDED, ABORTED…) by its name, or undefined if there is none. */
async function executionStatus(name: string): Promise<string | undefined> {
  const response = await fetch(`${runtime.stepFunctionsUrl}/executions/${name}`);
  return response.ok ? ((await response.json()) as { status: string }).status : undefined;
}

/** The Step Functions client, on the runtime's endpoint (AWS_ENDPOINT_URL_SFN). */
const sfn = () => new SFNClient({});
const executionArn = (name: string) => `${runtime.ticketStateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** The parked task's timeout instant (epoch ms), once the execution (started after intake answered) waits on a token. */
async function parkedUntil(id: string): Promise<number | undefined> {
  const response = await fetch(`${runtime.stepFunctionsUrl}/executions/${id}`);
  if (response.status === 404) return undefined;
  const detail = (await response.json()) as { waitingFor: { state: string; timeoutAt?: string }[] };
  const parked = detail.waitingFor.find((w) => w.state === 'WaitForChangeOrDeadline');
  return parked?.timeoutAt ? Date.parse(parked.timeoutAt) : undefined;
}

/** Polls the SES emulator until a mail of this case reaches `to` (tests run side by side: filter, never clear). */
function mailTo(id: string, caseNumber: string, to: string, withinMs: number) {
  return eventually(id, async () => (await runtime.ses.store()).find((mail) => mail.destination.to.includes(to) && mail.subject.includes(`[${caseNumber}]`)), withinMs);
}

/** Acted on at `instant` or after, never before; and not later than LATE_MS after it or after `runnableFrom` (when the test held the clock back). */
function expectAround(at: string, instant: number, runnableFrom = instant) {
  const late = Date.parse(at) - instant;
  expect(late, `acted ${late} ms after the instant`).toBeGreaterThanOrEqual(0);
  expect(Date.parse(at) - Math.max(instant, runnableFrom), `acted ${late} ms after the instant`).toBeLessThanOrEqual(LATE_MS);
}

describe.concurrent('the SLA clock of a running ticket', () => {
  it('no reply: a warning at 80 % of the first response target, then the breach, each on time', async () => {
    // Prepare
    const { id, createdAt } = await newTicket('1');

    // Act: nobody answers.
    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 10_000 + LATE_MS);
    const warning = clockEvent('sla-warning', 'firstResponse')(await ticket(id));

    // Assess: the warning is recorded on time, unless the machine is so busy that the Step due to
    // warn wakes past the deadline, when the clock skips a warning that would only announce the
    // breach (core/sla/schedule.ts): the breach is then recorded late too.
    if (warning) expectAround(warning.at, createdAt + 8_000);
    else expect(Date.parse(breach.at) - (createdAt + 8_000)).toBeGreaterThanOrEqual(2_000);
    expectAround(breach.at, Date.parse(breach.data!.due));
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 10_000);
    // The breach's mail is recorded once SES took it, after the breach itself: wait for it rather than read at once.
    const sentKinds = await until(
      id,
      (t) => {
        const kinds = t.timeline.filter((e) => e.type === 'notification-sent').map((e) => e.data?.kind);
        return kinds.includes('sla-breach') ? kinds : undefined;
      },
      LATE_MS,
    );
    expect(sentKinds).toEqual(expect.arrayContaining(['acknowledgement', 'sla-breach', ...(warning ? ['sla-warning'] : [])]));
    expect((await ticket(id)).flags).toContain('sla-breached');
  });

  it('mail: the requester gets an acknowledgement with the case number, the team lead the breach notice', async () => {
    // Severity 3 has no resolution target, so the case stays with L1's team (frontline).
    const { id, caseNumber } = await newTicket('3');

    const ack = await mailTo(id, caseNumber, 'ana@example.com', LATE_MS);
    const breach = await mailTo(id, caseNumber, 'lead-frontline@wf-test.example', 5_000 + LATE_MS);

    expect(ack.subject).toMatch(new RegExp(`^\\[${caseNumber}\\] We received your request`));
    expect(ack.from).toBe('support@wf-test.example');
    expect(ack.body.text).toContain(`Your case number is ${caseNumber}`);
    expect(breach.subject).toContain(`[${caseNumber}]`);
    // The timeline records each mail with SES's MessageId, once: a re-plan does not acknowledge again.
    const sent = await until(
      id,
      (t) => {
        const events = t.timeline.filter((e) => e.type === 'notification-sent');
        return events.some((e) => e.data?.kind === 'sla-breach') ? events : undefined;
      },
      LATE_MS,
    );
    const acks = sent.filter((e) => e.data?.kind === 'acknowledgement');
    expect(acks).toHaveLength(1);
    expect((await request('GET', `/tickets/${id}`)).body.intakeAcknowledgedAt).toEqual(expect.any(String));
    expect(acks[0]!.data!.sent).toEqual([{ to: 'ana@example.com', messageId: ack.messageId }]);
    const breachSent = sent.find((e) => e.data?.kind === 'sla-breach')!;
    expect(breachSent.data!.to).toEqual(['lead-frontline@wf-test.example']);
    expect(breachSent.data!.skipped).toEqual([expect.objectContaining({ recipient: 'assignee' })]);
  });

  it('an agent reply before the deadline meets it: no breach, and the execution re-plans at once', async () => {
    // Severity 2: a minute to answer, so the reply is before the deadline however slow the machine.
    const { id, createdAt } = await newTicket('2');
    await eventually(id, () => parkedUntil(id), LATE_MS);
    expect((await parkedUntil(id))!).toBeLessThanOrEqual(createdAt + 60_000); // waiting on the warning at 48 s

    const reply = await request('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body: 'On it.' } });
    expect(reply.status).toBe(201);

    // Woken by the reply: nothing is left to time, so it parks again with no near deadline.
    const farOff = Date.now() + 86_400_000;
    await eventually(id, async () => (((await parkedUntil(id)) ?? 0) > farOff ? true : undefined), LATE_MS);
    const after = await ticket(id);
    expect(Date.parse(after.sla.firstResponse.metAt)).toBeLessThan(createdAt + 60_000);
    expect(after.timeline.filter((e) => e.type === 'sla-breached' || e.type === 'sla-warning')).toEqual([]);
  });

  it('severity raised mid-wait: the earlier deadline is honoured', async () => {
    const { id, createdAt } = await newTicket('2');
    await eventually(id, () => parkedUntil(id), LATE_MS);
    expect((await parkedUntil(id))!).toBeGreaterThan(createdAt + 40_000); // the 1 m target's warning

    const raised = await request('POST', `/tickets/${id}/actions`, { body: { type: 'set-severity', severity: '1' } });
    expect(raised.status).toBe(200);
    const raisedAt = Date.now();

    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 10_000 + LATE_MS);
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 10_000);
    expectAround(breach.at, createdAt + 10_000, raisedAt);
  });

  it('pausing for N seconds moves the deadline by N seconds, and the breach comes at the moved deadline', async () => {
    // Severity 3 (5 s to answer): paused at once and for 3 s. On a slow machine the pause may
    // come after the deadline; then the breach is already due and the pause moves nothing.
    const { id, createdAt } = await newTicket('3');
    expect((await request('POST', `/tickets/${id}/actions`, { body: { type: 'pause' } })).status).toBe(200);
    await sleep(3_000);
    expect((await request('POST', `/tickets/${id}/actions`, { body: { type: 'resume' } })).status).toBe(200);

    const after = await ticket(id);
    const pause = after.sla.pauses[0] as { from: string; to: string };
    const paused = Date.parse(pause.to) - Date.parse(pause.from);
    expect(paused).toBeGreaterThanOrEqual(2_900);
    const pausedInTime = Date.parse(pause.from) < createdAt + 5_000;
    const due = pausedInTime ? createdAt + 5_000 + paused : createdAt + 5_000;
    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 5_000 + paused + LATE_MS);
    expect(Date.parse(breach.data!.due)).toBe(due);
    expectAround(breach.at, due, Date.parse(pause.to));
  });

  it('the L1 target resolution time passes: the ticket moves to L2', async () => {
    const { id, createdAt } = await newTicket('1');

    const breach = await until(id, clockEvent('sla-breached', 'resolution'), 6_000 + LATE_MS);

    expectAround(breach.at, createdAt + 6_000);
    const after = await ticket(id);
    expect(after.tier).toBe('L2');
    expect(after.timeline.map((e) => e.type)).toContain('tier-changed');

    // The execution's history tells it: each Step's output says what it applied and what it waits for.
    const stories = await eventually(
      id,
      async () => {
        const found = await stepStories(runtime, id);
        return found.some((story) => story.applied.includes('escalated L1 → L2')) ? found : undefined;
      },
      10_000,
    );
    expect(stories.some((story) => story.next === `resolution due ${new Date(createdAt + 6_000).toISOString()}`)).toBe(true);
    const escalation = stories.find((story) => story.applied.includes('escalated L1 → L2'))!;
    expect(escalation.applied).toContain('resolution breached');
    expect(stories[0]!.applied).toContain('mail sent: acknowledgement');
  });

  it('a customer escalation nobody answers walks CSM → COO → CEO, each on its own timer', async () => {
    const { id } = await newTicket('4');
    const asked = await request('POST', `/tickets/${id}/actions`, { body: { type: 'customer-escalate', reason: 'Nobody answers us.' } });
    expect(asked.status).toBe(200);

    await until(id, (t) => (t.flags.includes('escalation-unanswered') ? true : undefined), 6_000 + 3 * LATE_MS);

    const after = await ticket(id);
    const steps = after.timeline.filter((e) => e.type === 'customer-escalation').map((e) => e.data?.step);
    expect(steps).toEqual(['csm', 'coo', 'ceo']);
    const missed = after.timeline.filter((e) => e.type === 'sla-breached' && e.data?.objective === 'management');
    expect(missed.map((e) => e.data?.step)).toEqual(['csm', 'coo', 'ceo']);
    for (const event of missed) expectAround(event.at, Date.parse(event.data!.due));
  });
});

describe.concurrent("mail for what people do, and the ticket's executions", () => {
  it("the requester is mailed the agent's reply and the resolution; the resolved case closes on its own; reopening it starts its next run", async () => {
    const { id, caseNumber } = await newTicket('3');
    const mailWith = (text: string) => eventually(id, async () => (await runtime.ses.store()).find((mail) => mail.subject.includes(`[${caseNumber}]`) && mail.body.text?.includes(text)), LATE_MS);

    // An agent's reply reaches the requester, with its text.
    expect((await request('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body: 'Please restart the indexer.' } })).status).toBe(201);
    const reply = await mailWith('Please restart the indexer.');
    expect(reply.destination.to).toEqual(['ana@example.com']);
    // An internal note mails nobody.
    expect((await request('POST', `/tickets/${id}/messages`, { body: { kind: 'internal-note', body: 'Probably the cron job.' } })).status).toBe(201);

    // Resolved: the notice goes out; the policy closes resolved cases at once (autoCloseResolvedAfterDays: 0).
    const resolved = await request('POST', `/tickets/${id}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'Fixed in 2.1.4.' } });
    expect(resolved.status).toBe(200);
    expect((await mailWith('Fixed in 2.1.4.')).destination.to).toEqual(['ana@example.com']);
    const closed = await until(id, (t) => t.timeline.find((e) => e.type === 'closed'), LATE_MS);
    expect(closed).toMatchObject({ actor: { kind: 'system' } });
    await eventually(id, async () => ((await executionStatus(id)) === 'SUCCEEDED' ? true : undefined), LATE_MS);
    const sent = (await ticket(id)).timeline.filter((e) => e.type === 'notification-sent').map((e) => e.data?.kind);
    expect(sent).toEqual(expect.arrayContaining(['acknowledgement', 'agent-reply', 'resolution', 'status-update']));
    expect(sent.filter((kind) => kind === 'agent-reply')).toHaveLength(1);
    expect((await runtime.ses.store()).some((mail) => mail.body.text?.includes('Probably the cron job.'))).toBe(false);

    // Reopened: the closed case's execution has ended (and its name stays taken), so its next run starts.
    expect((await request('POST', `/tickets/${id}/actions`, { body: { type: 'reopen', reason: 'It broke again.' } })).status).toBe(200);
    await eventually(id, async () => ((await executionStatus(`${id}-run2`)) === 'RUNNING' ? true : undefined), LATE_MS);
    expect((await request('GET', `/tickets/${id}`)).body.workflowRun).toBe(2);
  });

  it("a status change that names no ticket's execution, or another machine, is left alone", async () => {
    const report = (name: string, stateMachineArn = process.env.TIERDESK_TICKET_STATE_MACHINE_ARN) =>
      reconcile({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { name, status: 'FAILED', stateMachineArn, startDate: 0, stopDate: Date.now() } });
    expect(await report('not a case number')).toMatchObject({ started: 0 });
    expect(await report(`CASE-${'9'.repeat(200)}`)).toMatchObject({ started: 0 });
    expect(await report('CASE-999999')).toMatchObject({ started: 0 }); // no such ticket
    const { id } = await newTicket('4');
    await eventually(id, async () => ((await executionStatus(id)) === 'RUNNING' ? true : undefined), LATE_MS);
    expect(await report(id, 'arn:aws:states:us-east-1:000000000000:stateMachine:other')).toMatchObject({ started: 0 });
    expect(await executionStatus(id)).toBe('RUNNING');
  });
});

// One at a time: each stops a ticket's execution, and a reconciler run in another would restart it first.
describe('stopped and handed-over executions', () => {
  it("an execution that stopped is restarted by the reconciler as the ticket's next run, and the breach still fires on time", async () => {
    const { id, createdAt } = await newTicket('4');
    await eventually(id, () => parkedUntil(id), LATE_MS);

    await sfn().send(new StopExecutionCommand({ executionArn: executionArn(id), error: 'Test.Stopped' }));
    // Step Functions' status change (here the local engine's) records it as owed: it ended within a
    // minute of its start, so the next run restarts it rather than a loop of restarts at once.
    await vi.waitFor(async () => expect((await getRuntime().store.pendingWorkflows(500)).map((owed) => owed.ticketId)).toContain(id), { timeout: 5_000, interval: 100 });
    expect(await executionStatus(`${id}-run2`)).toBeUndefined();
    const outcome = await reconcile();
    const reconciledAt = Date.now();

    expect(outcome.started).toBeGreaterThanOrEqual(1);
    expect((await getRuntime().store.pendingWorkflows(500)).map((owed) => owed.ticketId)).not.toContain(id);
    expect(await executionStatus(id)).toBe('ABORTED');
    expect(await executionStatus(`${id}-run2`)).toBe('RUNNING');
    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 12_000 + LATE_MS);
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 12_000);
    expectAround(breach.at, createdAt + 12_000, reconciledAt);
    expect((await reconcile()).failed).toBe(0);
    expect(await executionStatus(`${id}-run3`)).toBeUndefined();
  });

  it('an execution that had run a while and then ended is restarted as soon as Step Functions reports it, with no sweep', async () => {
    const { id, createdAt } = await newTicket('4');
    await eventually(id, () => parkedUntil(id), LATE_MS);
    await sfn().send(new StopExecutionCommand({ executionArn: executionArn(id), error: 'Test.Stopped' }));

    // The status change as EventBridge delivers it, for an execution that had run for an hour.
    const stoppedAt = Date.now();
    const outcome = await reconcile({
      version: '0',
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { name: id, status: 'ABORTED', stateMachineArn: process.env.TIERDESK_TICKET_STATE_MACHINE_ARN, startDate: stoppedAt - 3_600_000, stopDate: stoppedAt },
    });

    expect(outcome).toMatchObject({ started: 1, tickets: 0 });
    expect(await executionStatus(`${id}-run2`)).toBe('RUNNING');
    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 12_000 + LATE_MS);
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 12_000);
    // The same report again (EventBridge may deliver twice), or one about an older run, changes nothing.
    const again = await reconcile({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { name: id, status: 'ABORTED', stateMachineArn: process.env.TIERDESK_TICKET_STATE_MACHINE_ARN, startDate: 0, stopDate: stoppedAt },
    });
    expect(again.started).toBe(0);
    expect(await executionStatus(`${id}-run3`)).toBeUndefined();
  });

  it("an execution that has planned its limit hands over to the ticket's next run, which keeps the clock", async () => {
    const { id, createdAt } = await newTicket('4');
    await eventually(id, () => parkedUntil(id), LATE_MS);
    // Prepare: as if run 2 had planned 300 times — stop run 1, record run 2, start it with that count.
    await sfn().send(new StopExecutionCommand({ executionArn: executionArn(id) }));
    const { store } = getRuntime();
    const stored = (await store.getTicket(id))!;
    await store.saveTicket({ ...stored, workflowRun: 2, version: stored.version + 1 }, []);
    await sfn().send(new StartExecutionCommand({ stateMachineArn: runtime.ticketStateMachineArn, name: `${id}-run2`, input: JSON.stringify({ ticketId: id, cycle: 300, mailFailures: 0 }) }));

    // Act / Assess: run 2 hands over at once; run 3 waits on the same deadline.
    await eventually(id, async () => ((await executionStatus(`${id}-run2`)) === 'SUCCEEDED' ? true : undefined), LATE_MS);
    const handedOverAt = Date.now();
    expect(await executionStatus(`${id}-run3`)).toBe('RUNNING');
    const handedOver = (await (await fetch(`${runtime.stepFunctionsUrl}/executions/${id}-run2`)).json()) as { history: unknown[] };
    expect(JSON.stringify(handedOver.history)).toContain('"HandedOver"');
    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 12_000 + LATE_MS);
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 12_000);
    expectAround(breach.at, createdAt + 12_000, handedOverAt);
    expect((await ticket(id)).timeline.filter((e) => e.type === 'sla-breached')).toHaveLength(1);
  });
});

describe('an SES outage (aws-sdk-client-mock: the emulator cannot refuse mail)', () => {
  it('delays the mail, never the clock: warning and breach are recorded on time, and every notice goes out once when SES is back', async () => {
    // Prepare: SES refuses every mail from the ticket's start (not side by side with other tests: the mock is process-wide).
    const ses = mockClient(SESClient);
    ses.on(SendRawEmailCommand).rejects(Object.assign(new Error('SES is down'), { name: 'ServiceUnavailable' }));
    const { id, caseNumber, createdAt } = await newTicket('1');
    let back = false;
    try {
      // Act: the warning comes while SES still refuses (so does the L1 resolution breach at 6 s,
      // which moves the case to L2); then SES comes back before the first response breach.
      const warning = await until(id, clockEvent('sla-warning', 'firstResponse'), 8_000 + LATE_MS);
      expectAround(warning.at, createdAt + 8_000);
      expect(await runtime.ses.store().then((mails) => mails.filter((mail) => mail.subject.includes(`[${caseNumber}]`)))).toEqual([]);
      expect(ses.commandCalls(SendRawEmailCommand).length).toBeGreaterThanOrEqual(2); // the acknowledgement, then with the warning
      ses.restore();
      back = true;

      // Assess: the breach on time; the owed mail goes out at the next step, each notice once.
      const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 10_000 + LATE_MS);
      expectAround(breach.at, createdAt + 10_000);
      // Until nothing is owed: two notices are of kind sla-breach (the L1 resolution's, queued
      // during the outage, and the first response's), so one of them alone proves nothing.
      const sent = await eventually(
        id,
        async () => {
          const now = await ticket(id);
          const kinds = now.timeline.filter((e) => e.type === 'notification-sent').map((e) => e.data?.kind as string);
          const owed = (now as { outbox?: unknown[] }).outbox?.length ?? 0;
          return owed === 0 && ['acknowledgement', 'sla-warning', 'sla-breach'].every((kind) => kinds.includes(kind)) ? kinds : undefined;
        },
        60_000,
      ); // a slow machine may reach the breach before SES is back: then the owed mail waits for the next retry (up to 40 s)
      expect(sent.filter((kind) => kind === 'sla-breach')).toHaveLength(2);
      expect(sent.filter((kind) => kind === 'acknowledgement')).toHaveLength(1);
      const toRequester = (await runtime.ses.store()).filter((mail) => mail.subject.includes(`[${caseNumber}]`) && mail.destination.to.includes('ana@example.com'));
      expect(toRequester).toHaveLength(1); // the acknowledgement, not repeated by the failed attempts
      expect(((await ticket(id)) as { outbox?: unknown[] }).outbox).toBeUndefined();
    } finally {
      if (!back) ses.restore();
    }
  });
});

describe('a restart of the runtime', () => {
  it('re-drives the open ticket: its breach still fires at its instant', async () => {
    const { id, createdAt } = await newTicket('4');
    await eventually(id, () => parkedUntil(id), LATE_MS);

    // Stop mid-wait (the execution dies with the process's memory) and start on the same data.
    await runtime.stop();
    runtime = await startTestRuntime({
      policy: POLICY,
      inMemory: false,
      dataDir,
      // The handler modules keep the clients of the first start (see RuntimeOptions).
      dynamodbPort: Number(new URL(runtime.dynamodbEndpoint).port),
      stepFunctionsPort: runtime.stepFunctionsPort,
      sesPort: runtime.sesPort,
    });
    request = api(runtime);
    const restartedAt = Date.now();
    // Still mid-wait on a quick machine: a read answered before the deadline shows no breach yet.
    // On a slow one the restart ends after the deadline, and the re-driven execution must record
    // the breach at once, for the same instant (asserted below either way).
    const early = await ticket(id);
    if (Date.now() < createdAt + 12_000) expect(early.timeline.some((e) => e.type === 'sla-breached')).toBe(false);

    const breach = await until(id, clockEvent('sla-breached', 'firstResponse'), 12_000 + LATE_MS);
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 12_000);
    expectAround(breach.at, createdAt + 12_000, restartedAt);
  }, 90_000);
});
