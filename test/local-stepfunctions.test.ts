/**
 * The local Step Functions endpoint, driven only through the real @aws-sdk/client-sfn, with
 * two small sample machines (test/fixtures/statemachines/). Timing checks use wide bounds:
 * they prove a wait or timeout happens around its instant, not to the millisecond.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalStepFunctions, startStepFunctions } from '../local/stepfunctions';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/statemachines/${name}.asl.json`, import.meta.url), 'utf8')) as Record<string, never>;

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

/** Tokens the park handler was given, by ticket id. */
const parked = new Map<string, string>();
const classifyCalls: Array<{ event: Record<string, unknown>; functionName: string }> = [];

const handlers = {
  // A lambda:invoke target, named by ARN in the definition and by plain name here.
  'sample-classify': async (event: { ticketId: string; severity: string; execution: string }, context: Context) => {
    classifyCalls.push({ event, functionName: context.functionName });
    const tier = event.severity === 'high' ? 'L2' : event.severity.startsWith('low') ? 'L1' : 'L3';
    // 'lowest' holds for 30 days: longer than a Node timer can hold (about 24.8 days).
    const holdSeconds = event.severity === 'lowest' ? 30 * 86_400 : 1;
    return { tier, holdSeconds, holdUntil: tier === 'L2' ? new Date(Date.now() + 1000).toISOString() : null };
  },
  'arn:aws:lambda:us-east-1:000000000000:function:sample-finish': async (event: { ticketId: string; classified: { tier: string } }) => ({
    closed: event.ticketId,
    tier: event.classified.tier,
  }),
  'sample-park-token': async (event: { ticketId: string; taskToken: string }) => {
    parked.set(event.ticketId, event.taskToken);
    return { parked: true };
  },
};

let sfn: LocalStepFunctions;
let client: SFNClient;
let triageArn: string;
let awaitReplyArn: string;

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  sfn = await startStepFunctions();
  client = new SFNClient({
    endpoint: sfn.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  triageArn = sfn.register({ name: 'sample-triage', definition: fixture('triage-flow'), taskHandlers: handlers });
  awaitReplyArn = sfn.register({ name: 'sample-await-reply', definition: fixture('await-reply'), taskHandlers: handlers });
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
  process.off('unhandledRejection', onRejection);
});

async function start(stateMachineArn: string, name: string, input: object): Promise<string> {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  return executionArn!;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const describeExecution = (executionArn: string) => client.send(new DescribeExecutionCommand({ executionArn }));

function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return until(async () => {
    const execution = await describeExecution(executionArn);
    return execution.status === 'RUNNING' ? undefined : execution;
  }, `${executionArn} to finish`);
}

const tokenFor = (ticketId: string) => until(() => parked.get(ticketId), `the token of ${ticketId}`);

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events ?? [];
}

describe('Task → Choice → Wait → Task → Succeed', () => {
  test('runs to SUCCEEDED through a SecondsPath wait and a TimestampPath wait of about a second', async () => {
    const started = Date.now();
    // Both waits at once: the test takes one second, not two.
    const [bySeconds, byTimestamp] = await Promise.all([
      start(triageArn, 'triage-seconds', { ticketId: 'T-1', severity: 'low' }),
      start(triageArn, 'triage-timestamp', { ticketId: 'T-2', severity: 'high' }),
    ]);
    const running = await describeExecution(bySeconds);
    expect(running.status).toBe('RUNNING');

    const [doneBySeconds, doneByTimestamp] = await Promise.all([finished(bySeconds), finished(byTimestamp)]);
    const elapsed = Date.now() - started;
    expect(doneBySeconds.status).toBe('SUCCEEDED');
    expect(doneByTimestamp.status).toBe('SUCCEEDED');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    expect(doneBySeconds.stopDate!.getTime() - doneBySeconds.startDate!.getTime()).toBeGreaterThanOrEqual(900);

    expect(JSON.parse(doneBySeconds.output!)).toEqual({
      ticketId: 'T-1',
      severity: 'low',
      classified: { tier: 'L1', holdSeconds: 1, holdUntil: null },
      finished: { closed: 'T-1', tier: 'L1' },
    });
    expect(JSON.parse(doneByTimestamp.output!).finished).toEqual({ closed: 'T-2', tier: 'L2' });
    expect(JSON.parse(doneBySeconds.input!)).toEqual({ ticketId: 'T-1', severity: 'low' });

    // lambda:invoke hands the handler Parameters.Payload, with the context object resolved,
    // and a Lambda context named after the function.
    expect(classifyCalls).toContainEqual({
      event: { ticketId: 'T-1', severity: 'low', execution: 'triage-seconds' },
      functionName: 'sample-classify',
    });

    const events = await history(bySeconds);
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    const scheduled = events.find((event) => event.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(scheduled.parameters!).FunctionName).toBe('arn:aws:lambda:us-east-1:000000000000:function:sample-classify');
    // As in AWS, the lambda:invoke result carries the function's result under Payload.
    const classified = events.find((event) => event.type === 'TaskSucceeded')!.taskSucceededEventDetails!;
    expect(JSON.parse(classified.output!)).toMatchObject({ StatusCode: 200, Payload: { tier: 'L1' } });
    const entered = events.filter((event) => event.type === 'WaitStateEntered')[0]!;
    const exited = events.filter((event) => event.type === 'WaitStateExited')[0]!;
    expect(entered.stateEnteredEventDetails!.name).toBe('HoldSeconds');
    expect(exited.timestamp!.getTime() - entered.timestamp!.getTime()).toBeGreaterThanOrEqual(900);
    expect(events.at(-1)!.executionSucceededEventDetails!.output).toBe(doneBySeconds.output);

    // GetExecutionHistory pages and reverses like AWS.
    const first = await client.send(new GetExecutionHistoryCommand({ executionArn: bySeconds, maxResults: 5 }));
    expect(first.events).toHaveLength(5);
    const rest = await client.send(new GetExecutionHistoryCommand({ executionArn: bySeconds, maxResults: 100, nextToken: first.nextToken }));
    expect([...first.events!, ...rest.events!].map((event) => event.id)).toEqual(events.map((event) => event.id));
    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn: bySeconds, reverseOrder: true }));
    expect(reversed.events![0]!.type).toBe('ExecutionSucceeded');
  });

  test('the default branch skips the wait', async () => {
    const arn = await start(triageArn, 'triage-default', { ticketId: 'T-3', severity: 'normal' });
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).finished).toEqual({ closed: 'T-3', tier: 'L3' });
    expect((await history(arn)).some((event) => event.type === 'WaitStateEntered')).toBe(false);
  });
});

describe('.waitForTaskToken', () => {
  test('the handler gets $$.Task.Token; SendTaskSuccess continues the execution with its output; heartbeats are accepted', async () => {
    const arn = await start(awaitReplyArn, 'reply-success', { ticketId: 'T-10', replyWithinSeconds: 60, heartbeatSeconds: 30 });
    const token = await tokenFor('T-10');
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    expect((await describeExecution(arn)).status).toBe('RUNNING');

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ by: 'agent', at: 'now' }) }));
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      ticketId: 'T-10',
      replyWithinSeconds: 60,
      heartbeatSeconds: 30,
      reply: { by: 'agent', at: 'now' },
      outcome: 'answered',
    });

    const events = await history(arn);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 6)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    const scheduled = events[2]!.taskScheduledEventDetails!;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', timeoutInSeconds: 60, heartbeatInSeconds: 30 });
    // The token went where Parameters put it, not the placeholder the package evaluated.
    expect(JSON.parse(scheduled.parameters!).Payload).toEqual({ ticketId: 'T-10', taskToken: token });

    // A settled task's token is gone.
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  test('SendTaskFailure fails the task with its error and cause, and Catch routes it', async () => {
    const arn = await start(awaitReplyArn, 'reply-failure', { ticketId: 'T-11', replyWithinSeconds: 60, heartbeatSeconds: 30 });
    const token = await tokenFor('T-11');
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Ticket.Rejected', cause: 'spam' }));
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.outcome).toBe('rejected');
    expect(output.failure).toEqual({ Error: 'Ticket.Rejected', Cause: 'spam' });
    const failed = (await history(arn)).find((event) => event.type === 'TaskFailed')!;
    expect(failed.taskFailedEventDetails).toMatchObject({ error: 'Ticket.Rejected', cause: 'spam' });
  });

  test('TimeoutSecondsPath read from the state input times the task out about then, caught as States.Timeout (not States.TaskFailed)', async () => {
    const arn = await start(awaitReplyArn, 'reply-timeout', { ticketId: 'T-12', replyWithinSeconds: 1, heartbeatSeconds: 60 });
    const token = await tokenFor('T-12');
    const parkedAt = Date.now();
    const done = await finished(arn);
    const late = Date.now() - parkedAt;
    expect(late).toBeGreaterThanOrEqual(800);
    expect(late).toBeLessThan(3000);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    // The first catcher, States.TaskFailed, must not match a timeout (as in AWS).
    expect(output.outcome).toBe('breached');
    expect(output.failure.Error).toBe('States.Timeout');
    expect((await history(arn)).map((event) => event.type)).toContain('TaskTimedOut');

    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  test('a missed heartbeat times the task out; heartbeats in time keep it waiting', async () => {
    const arn = await start(awaitReplyArn, 'reply-heartbeat', { ticketId: 'T-13', replyWithinSeconds: 60, heartbeatSeconds: 1 });
    const token = await tokenFor('T-13');
    for (let beat = 0; beat < 3; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    // 1.5 s in, past the 1 s heartbeat timeout but for the heartbeats.
    expect((await describeExecution(arn)).status).toBe('RUNNING');
    const silentFrom = Date.now();
    const done = await finished(arn);
    expect(Date.now() - silentFrom).toBeLessThan(3000);
    const output = JSON.parse(done.output!);
    expect(output.outcome).toBe('breached');
    expect(output.failure.Error).toBe('States.Timeout');
    await expect(client.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  test('unknown and malformed tokens are refused', async () => {
    const wellFormed = 'A'.repeat(64);
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: wellFormed, output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(client.send(new SendTaskHeartbeatCommand({ taskToken: wellFormed }))).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(client.send(new SendTaskFailureCommand({ taskToken: 'not a token' }))).rejects.toBeInstanceOf(InvalidToken);
  });
});

describe('StopExecution', () => {
  test('aborts an execution waiting on a token; the parked task never resumes', async () => {
    const arn = await start(awaitReplyArn, 'reply-stopped', { ticketId: 'T-20', replyWithinSeconds: 60, heartbeatSeconds: 30 });
    const token = await tokenFor('T-20');

    // The debugging view shows where it waits.
    const view = (await (await fetch(`${sfn.url}/executions/reply-stopped`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'RUNNING', currentStates: ['AwaitReply'], waitingFor: [{ state: 'AwaitReply', taskToken: token }] });
    expect(Array.isArray(view.history)).toBe(true);

    const { stopDate } = await client.send(new StopExecutionCommand({ executionArn: arn, error: 'Ticket.Closed', cause: 'resolved by agent' }));
    expect(stopDate).toBeInstanceOf(Date);
    const stopped = await describeExecution(arn);
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Ticket.Closed', cause: 'resolved by agent' });
    expect(stopped.stopDate!.getTime()).toBe(stopDate!.getTime());

    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const events = await history(arn);
    expect(events.at(-1)!.type).toBe('ExecutionAborted');
    expect(events.at(-1)!.executionAbortedEventDetails).toEqual({ error: 'Ticket.Closed', cause: 'resolved by agent' });
    expect(events.map((event) => event.type)).not.toContain('TaskSucceeded');
    expect((await describeExecution(arn)).status).toBe('ABORTED');

    // Stopping again changes nothing.
    const again = await client.send(new StopExecutionCommand({ executionArn: arn }));
    expect(again.stopDate!.getTime()).toBe(stopDate!.getTime());
  });

  test('aborts an execution in a Wait state, here a 30-day one (which the package alone would end after 1 ms)', async () => {
    const arn = await start(triageArn, 'triage-stopped', { ticketId: 'T-21', severity: 'lowest' });
    await until(async () => ((await history(arn)).some((event) => event.type === 'WaitStateEntered') ? true : undefined), 'the wait');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await describeExecution(arn)).status).toBe('RUNNING');
    const view = (await (await fetch(`${sfn.url}/executions/triage-stopped`)).json()) as { waitingFor: Array<{ state: string; until: string }> };
    expect(view.waitingFor).toHaveLength(1);
    expect(view.waitingFor[0]!.state).toBe('HoldSeconds');
    expect(Date.parse(view.waitingFor[0]!.until) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    await client.send(new StopExecutionCommand({ executionArn: arn }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await describeExecution(arn)).status).toBe('ABORTED');
    const types = (await history(arn)).map((event) => event.type);
    expect(types.at(-1)).toBe('ExecutionAborted');
    expect(types).not.toContain('WaitStateExited');
  });
});

describe('StartExecution, DescribeExecution and ListExecutions', () => {
  test('the same name and input while running is the same execution; anything else is ExecutionAlreadyExists', async () => {
    const input = { ticketId: 'T-30', replyWithinSeconds: 60, heartbeatSeconds: 30 };
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: awaitReplyArn, name: 'T-30', input: JSON.stringify(input) }));
    const second = await client.send(new StartExecutionCommand({ stateMachineArn: awaitReplyArn, name: 'T-30', input: JSON.stringify(input) }));
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate!.getTime()).toBe(first.startDate!.getTime());
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:sample-await-reply:T-30');

    await expect(client.send(new StartExecutionCommand({ stateMachineArn: awaitReplyArn, name: 'T-30', input: JSON.stringify({ ...input, replyWithinSeconds: 5 }) }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );

    // Once closed, the name is taken even with the same input.
    await client.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('T-30'), output: '{}' }));
    expect((await finished(first.executionArn!)).status).toBe('SUCCEEDED');
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: awaitReplyArn, name: 'T-30', input: JSON.stringify(input) }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  test('ListExecutions filters by state machine and status', async () => {
    const running = await start(awaitReplyArn, 'list-running', { ticketId: 'T-40', replyWithinSeconds: 60, heartbeatSeconds: 30 });
    await tokenFor('T-40');
    const list = async (statusFilter?: 'RUNNING' | 'SUCCEEDED' | 'ABORTED') => (await client.send(new ListExecutionsCommand({ stateMachineArn: awaitReplyArn, statusFilter }))).executions ?? [];

    const runningNames = (await list('RUNNING')).map((execution) => execution.name);
    expect(runningNames).toContain('list-running');
    expect(runningNames).not.toContain('reply-success');
    const succeeded = await list('SUCCEEDED');
    expect(succeeded.map((execution) => execution.name)).toEqual(expect.arrayContaining(['reply-success', 'reply-failure', 'reply-timeout', 'T-30']));
    expect(succeeded.every((execution) => execution.status === 'SUCCEEDED' && execution.stopDate instanceof Date)).toBe(true);
    expect((await list('ABORTED')).map((execution) => execution.name)).toEqual(['reply-stopped']);
    const all = await list();
    expect(all.length).toBe(new Set(all.map((execution) => execution.executionArn)).size);
    expect(all.every((execution) => execution.stateMachineArn === awaitReplyArn)).toBe(true);
    // Newest first, as AWS lists them.
    expect(all[0]!.name).toBe('list-running');

    const firstPage = await client.send(new ListExecutionsCommand({ stateMachineArn: awaitReplyArn, maxResults: 2 }));
    expect(firstPage.executions).toHaveLength(2);
    expect(firstPage.nextToken).toBeTruthy();

    await client.send(new StopExecutionCommand({ executionArn: running }));
  });

  test('unknown state machines and executions get the AWS errors', async () => {
    const missingMachine = 'arn:aws:states:us-east-1:000000000000:stateMachine:nope';
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: missingMachine }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: missingMachine }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    const missingExecution = 'arn:aws:states:us-east-1:000000000000:execution:sample-triage:nope';
    await expect(describeExecution(missingExecution)).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(client.send(new StopExecutionCommand({ executionArn: missingExecution }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn: missingExecution }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: triageArn, name: 'bad', input: 'not json' }))).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: triageArn, name: 'a name' }))).rejects.toMatchObject({ name: 'InvalidName' });
  });

  test('GET /executions lists every execution for debugging', async () => {
    const response = await fetch(`${sfn.url}/executions`);
    expect(response.status).toBe(200);
    const { executions } = (await response.json()) as { executions: Array<{ name: string; status: string; stateMachine: string }> };
    expect(executions).toContainEqual(expect.objectContaining({ name: 'triage-seconds', status: 'SUCCEEDED', stateMachine: 'sample-triage' }));
    expect((await fetch(`${sfn.url}/executions/nope`)).status).toBe(404);
  });
});

describe('registration and shutdown', () => {
  test('a Task without a handler is refused at registration', () => {
    expect(() => sfn.register({ name: 'broken', definition: fixture('triage-flow'), taskHandlers: { 'sample-classify': handlers['sample-classify'] } })).toThrow(/no task handler for: Finish/);
  });

  test('stop() aborts running executions and leaves no timers or unhandled rejections behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const local = await startStepFunctions();
    const localClient = new SFNClient({ endpoint: local.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const triage = local.register({ name: 'sample-triage', definition: fixture('triage-flow'), taskHandlers: handlers });
      const awaitReply = local.register({ name: 'sample-await-reply', definition: fixture('await-reply'), taskHandlers: handlers });
      await localClient.send(
        new StartExecutionCommand({ stateMachineArn: awaitReply, name: 'shutdown-token', input: JSON.stringify({ ticketId: 'T-50', replyWithinSeconds: 3600, heartbeatSeconds: 600 }) }),
      );
      await localClient.send(new StartExecutionCommand({ stateMachineArn: triage, name: 'shutdown-wait', input: JSON.stringify({ ticketId: 'T-51', severity: 'lowest' }) }));
      await tokenFor('T-50');
      expect(timers()).toBeGreaterThan(before);

      localClient.destroy();
      await local.stop();
      expect(timers()).toBeLessThanOrEqual(before);
      // The endpoint is closed.
      await expect(fetch(`${local.url}/executions`)).rejects.toThrow();
    } finally {
      localClient.destroy();
      await local.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rejections).toEqual([]);
  });
});
