/**
 * Task states: the override aws-local-stepfunctions calls instead of invoking AWS Lambda.
 *
 * It runs the in-process handler the way Step Functions invokes a Lambda function, and
 * emulates what the package lacks: `.waitForTaskToken` (a minted token, a parked promise
 * that SendTaskSuccess/SendTaskFailure settle), `$$.Task.Token`, the task timeout from
 * TimeoutSeconds(Path) and the heartbeat timeout from HeartbeatSeconds(Path). Wait states
 * run here too (runWait, at the end), for waits longer than the package can time.
 *
 * Errors reach the package as Error objects whose `name` is the ASL error name, which is what
 * its Retry and Catch match on; `isRetryable`/`isCatchable` are the package's own switches.
 */
import './polyfill';
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { lambdaContext } from '../gateway';
import { findHandler, isObject, type Json, type JsonObject, MAX_TIMER_SECONDS, PARAMETERS_KEY, PATHS_KEY, type TaskHandler, type TaskState, type WaitState } from './definition';

/**
 * What `$$.Task.Token` evaluates to in the package (it is put in the context object of every
 * run); the override replaces it, wherever Parameters put it (also inside intrinsic functions
 * such as States.Format), with the token it mints for that attempt.
 */
export const TOKEN_PLACEHOLDER = `tierdesk-task-token-${randomBytes(8).toString('hex')}`;

/** Tokens are 64 base64url characters; anything else is not a token (InvalidToken). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{64}$/;

/** What a handler sees from getRemainingTimeInMillis(); Lambda's own timeout is not emulated. */
const HANDLER_DEADLINE_MS = 60_000;

/** A task failure the definition can Retry and Catch (SendTaskFailure, a handler's error). */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** States.Runtime and the like: the package neither retries nor catches these, as in AWS. */
export class UncatchableError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

let StatesTimeoutError: (new () => Error) | undefined;

/**
 * Finds the package's own States.Timeout error class, which it does not export. It matters
 * because the package (like AWS) lets `States.TaskFailed` match every task error except an
 * instance of that class: a token task's timeout raised as a plain Error named States.Timeout
 * would be retried or caught by a `States.TaskFailed` retrier. A one-millisecond task timeout
 * on a throwaway machine produces one.
 */
export async function loadStatesTimeoutError(): Promise<void> {
  if (StatesTimeoutError) return;
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: { Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe', TimeoutSeconds: 0.001, End: true } },
    } as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );
  const { result } = probe.run({}, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise<Json>(() => {}) } } });
  const error = await result.then(
    () => undefined,
    (failure: unknown) => (failure as { cause?: unknown }).cause,
  );
  if (error instanceof Error && error.name === 'States.Timeout') StatesTimeoutError = error.constructor as new () => Error;
}

function statesTimeout(message: string): Error {
  const error = StatesTimeoutError ? new StatesTimeoutError() : new TaskFailure('States.Timeout', '');
  error.message = message;
  return error;
}

export type TaskOutcome = 'pending' | 'succeeded' | 'failed' | 'timed-out' | 'aborted';

/** The execution a task belongs to, as far as tasks need it. */
export interface TaskOwner {
  readonly running: boolean;
  /** Appends an event to the execution's history. */
  record(type: string, details?: JsonObject): void;
  /** Open task attempts and waits, so StopExecution can end them. */
  readonly tasks: Set<PendingTask>;
  readonly waits: Set<ParkedWait>;
}

/** One attempt of a Task state (a retry is a new attempt with a new token). */
export class PendingTask {
  outcome: TaskOutcome = 'pending';
  readonly startedAt = Date.now();
  timeoutAt?: number;
  heartbeatSeconds?: number;
  heartbeatAt?: number;
  readonly promise: Promise<Json>;
  private resolve!: (output: Json) => void;
  private reject!: (error: Error) => void;
  private timeoutTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;

  constructor(
    readonly owner: TaskOwner,
    readonly state: TaskState,
    readonly token: string,
  ) {
    this.promise = new Promise<Json>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    owner.tasks.add(this);
  }

  /** A history event for this task, named as AWS names them for its kind of Resource. */
  private record(what: 'Scheduled' | 'Started' | 'Submitted' | 'Succeeded' | 'Failed' | 'TimedOut', details: JsonObject = {}): void {
    if (this.state.kind === 'lambda') {
      if (what !== 'Submitted') this.owner.record(`LambdaFunction${what}`, Object.keys(details).length ? details : undefined);
    } else {
      this.owner.record(`Task${what}`, { resourceType: this.state.resourceType, resource: this.state.resourceName, ...details });
    }
  }

  scheduled(parameters: Json, timeoutSeconds: number | undefined, heartbeatSeconds: number | undefined): void {
    const limits: JsonObject = {};
    if (timeoutSeconds !== undefined) limits.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) limits.heartbeatInSeconds = heartbeatSeconds;
    if (this.state.kind === 'lambda') {
      // Lambda events have no heartbeat field.
      const lambdaLimits: JsonObject = timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {};
      this.record('Scheduled', { resource: this.state.resource, input: JSON.stringify(parameters), ...lambdaLimits });
    } else {
      this.record('Scheduled', { region: 'us-east-1', parameters: JSON.stringify(parameters), ...limits });
    }
    this.record('Started');

    // The package's own timer is parked at MAX_TIMER_SECONDS (see definition.ts); this one is
    // the real timeout. A longer timeout, or none, ends at the same cap as the package's.
    const seconds = Math.min(timeoutSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
    this.timeoutAt = Date.now() + seconds * 1000;
    this.timeoutTimer = setTimeout(() => this.timeOut(statesTimeout('States.Timeout')), seconds * 1000);
    if (heartbeatSeconds !== undefined) {
      this.heartbeatSeconds = Math.min(heartbeatSeconds, MAX_TIMER_SECONDS);
      this.heartbeat();
    }
  }

  /** SendTaskHeartbeat: the heartbeat clock starts over. */
  heartbeat(): void {
    if (this.heartbeatSeconds === undefined || this.outcome !== 'pending') return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatAt = Date.now() + this.heartbeatSeconds * 1000;
    // AWS reports a missed heartbeat as States.Timeout too (it also matches
    // States.HeartbeatTimeout there; the package matches one name per error).
    this.heartbeatTimer = setTimeout(() => this.timeOut(statesTimeout(`no heartbeat within ${this.heartbeatSeconds} seconds`)), this.heartbeatSeconds * 1000);
  }

  submitted(response: Json): void {
    if (this.outcome === 'pending') this.record('Submitted', { output: JSON.stringify(response) });
  }

  succeed(output: Json): void {
    if (!this.settle('succeeded')) return;
    this.record('Succeeded', { output: JSON.stringify(output) });
    this.resolve(output);
  }

  fail(error: Error): void {
    if (!this.settle('failed')) return;
    this.record('Failed', { error: error.name, cause: error.message });
    this.reject(error);
  }

  private timeOut(error: Error): void {
    if (!this.settle('timed-out')) return;
    this.record('TimedOut', { error: 'States.Timeout', cause: error.message });
    this.reject(error);
  }

  /** StopExecution: no history (the execution is closed) and nothing the package may catch. */
  abort(): void {
    if (!this.settle('aborted')) return;
    this.reject(new UncatchableError('States.Aborted', 'the execution was stopped'));
  }

  private settle(outcome: TaskOutcome): boolean {
    if (this.outcome !== 'pending') return false;
    this.outcome = outcome;
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.heartbeatTimer);
    this.owner.tasks.delete(this);
    return true;
  }
}

/** Every task token minted by the endpoint; settled tasks stay so late callbacks get the right error. */
export class TaskTokens {
  private readonly tasks = new Map<string, PendingTask>();

  mint(owner: TaskOwner, state: TaskState): PendingTask {
    const token = randomBytes(48).toString('base64url');
    const task = new PendingTask(owner, state, token);
    this.tasks.set(token, task);
    return task;
  }

  /** The open task of a token, or the Step Functions error a callback with it gets. */
  open(token: string): PendingTask | { error: 'InvalidToken' | 'TaskDoesNotExist' | 'TaskTimedOut'; message: string } {
    if (!TOKEN_SHAPE.test(token)) return { error: 'InvalidToken', message: 'Invalid Token' };
    const task = this.tasks.get(token);
    if (!task) return { error: 'TaskDoesNotExist', message: 'Task does not exist' };
    if (task.outcome === 'timed-out') return { error: 'TaskTimedOut', message: 'Task Timed Out' };
    if (task.outcome !== 'pending') return { error: 'TaskDoesNotExist', message: `Task is already ${task.outcome}` };
    return task;
  }
}

/**
 * The override for one Task state of one execution: what the package calls with the state's
 * effective input (after InputPath and Parameters).
 */
export async function runTask(owner: TaskOwner, tokens: TaskTokens, state: TaskState, handlers: Record<string, TaskHandler>, input: Json): Promise<Json> {
  // The package has just dispatched StateEntered for this state, and hands its events out
  // asynchronously; one turn of the event loop lets the history catch up, so this task's
  // events follow the state's entry (and, on a retry, the failed attempt's events).
  await nextTurn();
  if (!owner.running) throw new UncatchableError('States.Aborted', 'the execution was stopped');

  const { parameters, timeoutSeconds, heartbeatSeconds } = unwrap(state, input);
  const task = tokens.mint(owner, state);
  const effective = replaceToken(parameters, task.token);
  task.scheduled(effective, timeoutSeconds, heartbeatSeconds);

  const invocation = invoke(state, handlers, effective);
  if (state.waitForTaskToken) {
    // The handler's result only says the task was handed over; SendTaskSuccess/Failure (which
    // may arrive before the handler even returns) decides the task.
    invocation.then(
      (response) => task.submitted(state.kind === 'lambda-invoke' ? lambdaInvokeResult(response) : response),
      (error: Error) => task.fail(error),
    );
  } else {
    invocation.then(
      (result) => task.succeed(state.kind === 'lambda-invoke' ? lambdaInvokeResult(result) : result),
      (error: Error) => task.fail(error),
    );
  }
  return task.promise;
}

/** Parameters, and the timeout and heartbeat AWS would use, from the package's effective input. */
function unwrap(state: TaskState, input: Json): { parameters: Json; timeoutSeconds?: number; heartbeatSeconds?: number } {
  if (!state.wrapped) return { parameters: input, timeoutSeconds: state.timeoutSeconds, heartbeatSeconds: state.heartbeatSeconds };
  const wrapper = isObject(input) ? input : {};
  const paths = isObject(wrapper[PATHS_KEY]) ? wrapper[PATHS_KEY] : {};
  return {
    parameters: wrapper[PARAMETERS_KEY] ?? null,
    timeoutSeconds: state.timeoutSecondsPath !== undefined ? positiveInteger(paths.timeoutSeconds, 'TimeoutSecondsPath', state) : state.timeoutSeconds,
    heartbeatSeconds: state.heartbeatSecondsPath !== undefined ? positiveInteger(paths.heartbeatSeconds, 'HeartbeatSecondsPath', state) : state.heartbeatSeconds,
  };
}

function positiveInteger(value: Json | undefined, field: string, state: TaskState): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new UncatchableError('States.Runtime', `${field} of state "${state.name}" must select a positive integer, not ${JSON.stringify(value)}`);
}

function replaceToken(value: Json, token: string): Json {
  if (typeof value === 'string') return value.includes(TOKEN_PLACEHOLDER) ? value.replaceAll(TOKEN_PLACEHOLDER, token) : value;
  if (Array.isArray(value)) return value.map((item) => replaceToken(item, token));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceToken(item, token)]));
  return value;
}

/** Calls the handler as Lambda would: a JSON event, a Lambda context, a JSON result or a Lambda error. */
async function invoke(state: TaskState, handlers: Record<string, TaskHandler>, parameters: Json): Promise<Json> {
  let target = state.resource;
  let event: Json = parameters;
  if (state.kind === 'lambda-invoke') {
    const request = isObject(parameters) ? parameters : {};
    if (typeof request.FunctionName !== 'string') throw new UncatchableError('States.Runtime', `state "${state.name}" has no FunctionName`);
    target = request.FunctionName;
    event = request.Payload ?? {};
  }
  const found = findHandler(handlers, state.kind, target);
  if (!found) throw new TaskFailure('Lambda.ResourceNotFoundException', `no local handler for ${target}`);
  let result: unknown;
  try {
    result = await found.handler(structuredClone(event), lambdaContext(found.functionName, Date.now() + HANDLER_DEADLINE_MS));
  } catch (error) {
    throw lambdaError(error);
  }
  // What Lambda returns is JSON: undefined becomes null, dates become strings.
  return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as Json);
}

/** A Lambda function error as Step Functions reports it: the error type is the name, the cause a JSON document. */
function lambdaError(error: unknown): TaskFailure {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack ?? '').split('\n') : [];
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/** The result of `arn:aws:states:::lambda:invoke`: the function's result under Payload, as in AWS. */
function lambdaInvokeResult(payload: Json): JsonObject {
  return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
}

/**
 * The longest a Wait sleeps locally: a minute short of the package's own cap on the Task that
 * stands in for it (see definition.ts), so the wait ends first. Waits further out (AWS allows
 * a year) end after about 24.8 days, which no local run lasts.
 */
const MAX_WAIT_MS = (MAX_TIMER_SECONDS - 60) * 1000;

/** The RFC 3339 profile ASL requires of timestamps (uppercase T, and Z or an offset). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A Wait state in progress. */
export class ParkedWait {
  readonly promise: Promise<Json>;
  private reject!: (error: Error) => void;
  private timer!: NodeJS.Timeout;

  constructor(
    private readonly owner: TaskOwner,
    readonly state: WaitState,
    /** When the wait ends (epoch ms), as the definition asked. */
    readonly until: number,
    output: Json,
  ) {
    this.promise = new Promise<Json>((resolve, reject) => {
      this.reject = reject;
      this.timer = setTimeout(
        () => {
          owner.waits.delete(this);
          resolve(output);
        },
        Math.min(Math.max(until - Date.now(), 0), MAX_WAIT_MS),
      );
    });
    owner.waits.add(this);
  }

  abort(): void {
    clearTimeout(this.timer);
    this.owner.waits.delete(this);
    this.reject(new UncatchableError('States.Aborted', 'the execution was stopped'));
  }
}

/**
 * The override for a Wait state: its input is `{ input, seconds?, timestamp? }` as the
 * stand-in Task's Parameters built it; the output is the Wait's effective input, unchanged.
 */
export async function runWait(owner: TaskOwner, state: WaitState, input: Json): Promise<Json> {
  if (!owner.running) throw new UncatchableError('States.Aborted', 'the execution was stopped');
  const fields = isObject(input) ? input : {};
  let until: number;
  if (state.seconds !== undefined || state.secondsPath !== undefined) {
    const seconds = state.secondsPath !== undefined ? fields.seconds : state.seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new UncatchableError('States.Runtime', `SecondsPath of state "${state.name}" must select a non-negative integer, not ${JSON.stringify(seconds)}`);
    }
    until = Date.now() + seconds * 1000;
  } else {
    const timestamp = state.timestampPath !== undefined ? fields.timestamp : state.timestamp;
    until = typeof timestamp === 'string' && TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : NaN;
    if (Number.isNaN(until)) {
      throw new UncatchableError('States.Runtime', `TimestampPath of state "${state.name}" must select an RFC 3339 timestamp, not ${JSON.stringify(timestamp)}`);
    }
  }
  return new ParkedWait(owner, state, until, fields.input ?? null).promise;
}
