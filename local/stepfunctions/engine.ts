/**
 * The executions behind the local Step Functions endpoint: registered state machines, running
 * and finished executions (in memory), their histories and task tokens. The HTTP side lives
 * in ./protocol.ts and ./index.ts; this file knows nothing of HTTP.
 *
 * Each execution is one run of aws-local-stepfunctions. Its status and history come from the
 * run's event log (consumed in order, so what DescribeExecution says and what the history
 * shows never disagree), plus the Task events ./tasks.ts records.
 */
import './polyfill';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type Json, type JsonObject, prepareDefinition, type TaskHandler, type TaskState, type WaitState } from './definition';
import { type ParkedWait, type PendingTask, runTask, runWait, TaskFailure, type TaskOwner, TaskTokens, TOKEN_PLACEHOLDER } from './tasks';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/tierdesk-local-stepfunctions`;

/** Step Functions' limit on execution input, task output and the like. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

export const stateMachineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${name}`;
const executionArn = (machine: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT_ID}:execution:${machine}:${name}`;

/** An error the API answers with: `type` is the Step Functions exception name (the SDK's class). */
export class StepFunctionsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface StateMachineRegistration {
  /** The state machine's name; its ARN is `arn:aws:states:us-east-1:000000000000:stateMachine:<name>`. */
  name: string;
  /** The ASL definition (JSONPath), definition substitutions already applied. */
  definition: JsonObject | string;
  /**
   * The in-process handler of each Task, keyed by what the definition names: a Lambda
   * function (ARN, partial ARN or name; qualifiers ignored) for `arn:aws:lambda:…` Resources
   * and `arn:aws:states:::lambda:invoke[.waitForTaskToken]` FunctionNames, or the Resource
   * itself for other service integrations.
   */
  taskHandlers: Record<string, TaskHandler>;
}

interface Machine {
  name: string;
  arn: string;
  stateMachine: StateMachine;
  tasks: Map<string, TaskState>;
  waits: Map<string, WaitState>;
  handlers: Record<string, TaskHandler>;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch milliseconds. */
  timestamp: number;
  type: string;
  details?: JsonObject;
}

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

const TERMINAL_EVENT: Record<Exclude<ExecutionStatus, 'RUNNING'>, string> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
};

export class Execution implements TaskOwner {
  readonly arn: string;
  status: ExecutionStatus = 'RUNNING';
  readonly startDate = Date.now();
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[] = [];
  readonly tasks = new Set<PendingTask>();
  readonly waits = new Set<ParkedWait>();
  /** States entered and not yet left: one, or several inside Parallel and Map states. */
  readonly currentStates: string[] = [];
  /** Stops the package's run. */
  abortRun: () => void = () => {};
  /** Settles once the run and its event log are over. */
  done: Promise<void> = Promise.resolve();
  /** Told once when the execution ends (the engine's status-change events). */
  onClose: (execution: Execution) => void = () => {};

  constructor(
    readonly machine: Machine,
    readonly name: string,
    readonly input: string,
  ) {
    this.arn = executionArn(machine.name, name);
  }

  get running(): boolean {
    return this.status === 'RUNNING';
  }

  /** Adds a history event; a closed execution's history does not grow, as in AWS. */
  record(type: string, details?: JsonObject): void {
    if (this.running) this.push(type, details);
  }

  /** Ends the execution once: status, the terminal history event, and no task left waiting. */
  close(status: Exclude<ExecutionStatus, 'RUNNING'>, result: { output?: string; error?: string; cause?: string }): boolean {
    if (!this.running) return false;
    this.status = status;
    this.stopDate = Date.now();
    Object.assign(this, result);
    this.currentStates.length = 0;
    const details: JsonObject = result.output !== undefined ? { output: result.output, outputDetails: { truncated: false } } : withoutUndefined({ error: result.error, cause: result.cause });
    this.push(TERMINAL_EVENT[status], details);
    // A Parallel branch may still wait on a token while another branch failed the execution.
    for (const task of [...this.tasks]) task.abort();
    for (const wait of [...this.waits]) wait.abort();
    this.onClose(this);
    return true;
  }

  private push(type: string, details?: JsonObject): void {
    const id = this.history.length + 1;
    this.history.push({ id, previousEventId: id - 1, timestamp: Date.now(), type, ...(details ? { details } : {}) });
  }
}

/**
 * What Step Functions sends EventBridge when an execution's status changes ("Step Functions
 * Execution Status Change", best effort in AWS); the local engine sends it for every end.
 */
export interface ExecutionStatusChangeEvent {
  version: '0';
  source: 'aws.states';
  'detail-type': 'Step Functions Execution Status Change';
  time: string;
  region: string;
  account: string;
  resources: string[];
  detail: { executionArn: string; stateMachineArn: string; name: string; status: ExecutionStatus; startDate: number; stopDate: number; input: string; error?: string; cause?: string };
}

export class Engine {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new TaskTokens();
  private stopping = false;

  /** Listeners hear every execution that ends, except those the engine's own stop aborts. */
  constructor(private readonly onStatusChange: (event: ExecutionStatusChangeEvent) => void = () => {}) {}

  /** Registers (or replaces, for executions started afterwards) a state machine; returns its ARN. */
  register(registration: StateMachineRegistration): string {
    const source = typeof registration.definition === 'string' ? (JSON.parse(registration.definition) as JsonObject) : registration.definition;
    // The package validates a definition (asl-validator) when it is constructed: the one as
    // written, so a broken definition fails at start-up, and the one it will run.
    new StateMachine(source as unknown as StateMachineDefinition);
    const { definition, tasks, waits } = prepareDefinition(source, registration.taskHandlers);
    const stateMachine = new StateMachine(definition as unknown as StateMachineDefinition);
    const arn = stateMachineArn(registration.name);
    this.machines.set(arn, { name: registration.name, arn, stateMachine, tasks, waits, handlers: { ...registration.taskHandlers } });
    return arn;
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: number } {
    const machine = this.machine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!validName(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    const value = parseJson(input, 'InvalidExecutionInput', 'Invalid State Machine Execution Input');

    const existing = this.executions.get(executionArn(machine.name, name));
    if (existing) {
      // AWS: for a standard workflow, the same name and input while it runs is the same
      // execution (so a retried StartExecution is harmless); anything else is a conflict.
      if (existing.running && existing.input === input) return { executionArn: existing.arn, startDate: existing.startDate };
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
    }

    const execution = new Execution(machine, name, input);
    execution.onClose = (ended) => {
      if (!this.stopping) this.onStatusChange(statusChange(ended));
    };
    this.executions.set(execution.arn, execution);
    const handlers = Object.fromEntries([
      ...[...machine.tasks.values()].map((task) => [task.name, (taskInput: unknown) => runTask(execution, this.tokens, task, machine.handlers, taskInput as Json)]),
      ...[...machine.waits.values()].map((wait) => [wait.name, (waitInput: unknown) => runWait(execution, wait, waitInput as Json)]),
    ]);
    const run = machine.stateMachine.run(value as never, {
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.arn, Name: name, RoleArn: ROLE_ARN, StartTime: new Date(execution.startDate).toISOString(), Input: value as never },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
      overrides: { taskResourceLocalHandlers: handlers as never },
    });
    execution.abortRun = run.abort;
    // A failed run rejects `result`; its outcome is taken from the event log instead.
    execution.done = Promise.allSettled([run.result, this.follow(execution, run.eventLogs)]).then(() => undefined);
    return { executionArn: execution.arn, startDate: execution.startDate };
  }

  stopExecution(request: { executionArn: string; error?: string; cause?: string }): { stopDate: number } {
    const execution = this.execution(request.executionArn);
    if (execution.close('ABORTED', { error: request.error, cause: request.cause })) execution.abortRun();
    return { stopDate: execution.stopDate! };
  }

  describeExecution(arn: string): Execution {
    return this.execution(arn);
  }

  sendTaskSuccess(token: string, output: string): void {
    const task = this.openTask(token);
    task.succeed(parseJson(output, 'InvalidOutput', 'Invalid Output'));
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    // Without an error name the failure still matches States.ALL and States.TaskFailed.
    this.openTask(token).fail(new TaskFailure(error ?? '', cause ?? ''));
  }

  sendTaskHeartbeat(token: string): void {
    this.openTask(token).heartbeat();
  }

  history(arn: string): HistoryEvent[] {
    return this.execution(arn).history;
  }

  /** Newest first, as ListExecutions answers. */
  listExecutions(machineArn: string, status?: ExecutionStatus): Execution[] {
    this.machine(machineArn);
    return [...this.executions.values()].filter((execution) => execution.machine.arn === machineArn && (!status || execution.status === status)).sort((a, b) => b.startDate - a.startDate);
  }

  /** For the debugging views: every execution, newest first. */
  allExecutions(): Execution[] {
    return [...this.executions.values()].sort((a, b) => b.startDate - a.startDate);
  }

  /** Aborts every running execution and waits until each run has wound down (no timers left). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const execution of this.executions.values()) {
      if (execution.close('ABORTED', { error: 'tierdesk.LocalStop', cause: 'the local Step Functions endpoint stopped' })) execution.abortRun();
    }
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  private machine(arn: string): Machine {
    if (!/^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): Execution {
    if (!/^arn:aws:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = this.executions.get(arn);
    if (!execution) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private openTask(token: string): PendingTask {
    const task = this.tokens.open(token);
    if ('error' in task) throw new StepFunctionsError(task.error, task.message);
    return task;
  }

  /** Turns the run's event log into the execution's history and final status, in order. */
  private async follow(execution: Execution, events: AsyncGenerator<EventLog>): Promise<void> {
    for await (const event of events) {
      try {
        this.onEvent(execution, event);
      } catch (error) {
        console.error(`stepfunctions: could not record ${event.type} of ${execution.arn}`, error);
      }
    }
  }

  private onEvent(execution: Execution, event: EventLog): void {
    if ('state' in event && execution.machine.waits.has(event.state.name)) {
      // The package runs Wait states as stand-in Tasks (see definition.ts); history says Wait.
      event = { ...event, state: { ...event.state, type: 'Wait' } } as EventLog;
    }
    const leave = (name: string) => {
      const at = execution.currentStates.indexOf(name);
      if (at !== -1) execution.currentStates.splice(at, 1);
    };
    switch (event.type) {
      case 'ExecutionStarted':
        execution.record('ExecutionStarted', { input: execution.input, inputDetails: { truncated: false }, roleArn: ROLE_ARN });
        break;
      case 'StateEntered':
        execution.currentStates.push(event.state.name);
        execution.record(`${event.state.type}StateEntered`, {
          name: event.state.name,
          input: JSON.stringify(event.state.input),
          inputDetails: { truncated: false },
        });
        break;
      case 'StateExited':
        leave(event.state.name);
        // A Fail state never exits; it fails the execution.
        if (event.state.type !== 'Fail') {
          execution.record(`${event.state.type}StateExited`, {
            name: event.state.name,
            output: JSON.stringify(event.state.output ?? null),
            outputDetails: { truncated: false },
          });
        }
        break;
      case 'StateCaught':
        // A caught error leaves the state for the catcher's Next.
        leave(event.state.name);
        execution.record(`${event.state.type}StateExited`, { name: event.state.name });
        break;
      case 'StateFailed':
        // A Task's failure is already in the history as TaskFailed/TaskTimedOut.
        if (event.state.type === 'Parallel' || event.state.type === 'Map') execution.record(`${event.state.type}StateFailed`);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        execution.record(event.type, { name: event.parentState.name, index: event.index });
        break;
      case 'ExecutionSucceeded':
        execution.close('SUCCEEDED', { output: JSON.stringify(event.output) });
        break;
      case 'ExecutionFailed':
        execution.close('FAILED', { error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause) });
        break;
      case 'ExecutionTimeout':
        execution.close('TIMED_OUT', { error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds' });
        break;
      default:
      // ExecutionAborted: StopExecution recorded it. StateRetried: the retry's TaskScheduled
      // shows it, as in AWS. ParallelBranch*: AWS has no per-branch events.
    }
  }
}

/** AWS: 1–80 characters, none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /` or control characters. */
function validName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Step Functions refuses control characters in a name, as this does
  return name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

function parseJson(text: string, errorType: string, message: string): Json {
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new StepFunctionsError(errorType, `${message}: larger than 256 KiB`);
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new StepFunctionsError(errorType, `${message}: not JSON`);
  }
}

function withoutUndefined(fields: Record<string, string | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as JsonObject;
}

function statusChange(execution: Execution): ExecutionStatusChangeEvent {
  return {
    version: '0',
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    time: new Date(execution.stopDate ?? Date.now()).toISOString(),
    region: REGION,
    account: ACCOUNT_ID,
    resources: [execution.arn],
    detail: {
      executionArn: execution.arn,
      stateMachineArn: execution.machine.arn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate ?? Date.now(),
      input: execution.input,
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    },
  };
}
