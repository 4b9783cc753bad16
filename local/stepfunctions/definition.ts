/**
 * Turns an ASL definition written for AWS into the one aws-local-stepfunctions runs, and
 * collects what the local Task override needs to know about each Task state.
 *
 * The package differs from AWS in three ways that matter to a definition written for AWS,
 * and each is undone here rather than by asking definitions to change:
 * - a Task without TimeoutSeconds times out after 60 s (AWS: no practical limit), which would
 *   end every `.waitForTaskToken` wait after a minute;
 * - TimeoutSecondsPath is read from the effective input (after Parameters), where AWS reads
 *   the state input, so a path like `$.replyWithinSeconds` that Parameters does not copy
 *   breaks the state;
 * - HeartbeatSeconds(Path) is ignored.
 * So every Task gets a fixed TimeoutSeconds at the largest delay a Node timer can hold, the
 * real timeout and heartbeat are enforced by the override (./tasks.ts), and when they come
 * from paths, Parameters is wrapped so the package evaluates those paths against the same
 * input Parameters sees and hands the values to the override next to the parameters.
 *
 * A fourth: the package sleeps a Wait state with one setTimeout, and a Node timer longer than
 * about 24.8 days fires after 1 ms, so a Wait until a due date weeks away (an SLA target, an
 * auto-close) ends at once. Each Wait therefore becomes, in the package's copy, a Task the
 * override runs (./tasks.ts runWait): Parameters hands it the effective input and the
 * evaluated SecondsPath/TimestampPath, it sleeps and returns the input unchanged, which with
 * the Wait's own InputPath, OutputPath and Next/End is exactly a Wait. The history still
 * calls it a Wait state.
 */

/** A JSON value, as state input and output are. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type JsonObject = { [key: string]: Json };

/**
 * The longest delay a Node timer can hold (2^31 - 1 ms, about 24.8 days): a longer one fires
 * at once. It caps every Task timeout locally (AWS allows up to a year); a longer timeout
 * times out after 24.8 days instead.
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Keys of the wrapped Parameters (see above); chosen so no real definition uses them. */
export const PARAMETERS_KEY = '__tierdeskParameters';
export const PATHS_KEY = '__tierdeskPaths';

/** How a Task state reaches its handler, decided from its Resource as AWS does. */
export type TaskKind =
  /** `arn:aws:lambda:…:function:name`: the handler gets the effective input; its result is the task result. */
  | 'lambda'
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: the handler gets Parameters.Payload. */
  | 'lambda-invoke'
  /** Any other service integration: the handler registered for the Resource gets the effective input. */
  | 'integration';

export interface TaskState {
  name: string;
  resource: string;
  kind: TaskKind;
  waitForTaskToken: boolean;
  /** For history events: `lambda` / `invoke.waitForTaskToken` for `arn:aws:states:::lambda:invoke.waitForTaskToken`. */
  resourceType: string;
  resourceName: string;
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: string;
  /** Parameters wrapped so the package also evaluates the timeout/heartbeat paths. */
  wrapped: boolean;
}

/** `(event, context)` like a Lambda handler. `any` so handlers typed for their own event fit. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: each handler types its own event; with `unknown` none would be assignable
export type TaskHandler = (event: any, context: import('aws-lambda').Context) => unknown;

export interface WaitState {
  name: string;
  seconds?: number;
  timestamp?: string;
  secondsPath?: string;
  timestampPath?: string;
}

export interface PreparedDefinition {
  /** What the package runs. */
  definition: JsonObject;
  /** Every Task state, nested ones (Parallel branches, Map iterators) included, by name. */
  tasks: Map<string, TaskState>;
  /** Every Wait state, by name; in `definition` each is a Task run by the override. */
  waits: Map<string, WaitState>;
}

/** The Resource of the Tasks that stand in for Wait states (never invoked: the override runs them). */
const WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:tierdesk-local-wait';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const SUFFIX = /\.(waitForTaskToken|sync(:\d+)?)$/;

export function prepareDefinition(source: JsonObject, handlers: Record<string, TaskHandler>): PreparedDefinition {
  const definition = structuredClone(source);
  const tasks = new Map<string, TaskState>();
  const waits = new Map<string, WaitState>();
  const missing: string[] = [];
  const seen = new Set<string>();

  const visit = (machine: Json | undefined) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      // Task overrides are keyed by state name across nested machines too, as in AWS, where
      // names are unique within the whole state machine.
      if (seen.has(name)) throw new Error(`state name "${name}" is used twice; names must be unique in the whole state machine`);
      seen.add(name);
      if (state.Type === 'Task') {
        const task = prepareTask(name, state);
        tasks.set(name, task);
        const target = staticTarget(task, state);
        if (target !== undefined && !findHandler(handlers, task.kind, target)) missing.push(`${name} (${target})`);
      } else if (state.Type === 'Wait') {
        waits.set(name, waitState(name, state));
        machine.States[name] = waitAsTask(state);
      } else if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        state.Branches.forEach(visit);
      } else if (state.Type === 'Map') {
        visit(state.ItemProcessor ?? state.Iterator);
      }
    }
  };
  visit(definition);
  // Fail at start-up, not at the first ticket that reaches the state.
  if (missing.length) throw new Error(`no task handler for: ${missing.join(', ')}`);
  return { definition, tasks, waits };
}

function waitState(name: string, state: JsonObject): WaitState {
  const wait: WaitState = { name };
  if (typeof state.Seconds === 'number') wait.seconds = state.Seconds;
  if (typeof state.Timestamp === 'string') wait.timestamp = state.Timestamp;
  if (typeof state.SecondsPath === 'string') wait.secondsPath = state.SecondsPath;
  if (typeof state.TimestampPath === 'string') wait.timestampPath = state.TimestampPath;
  return wait;
}

function waitAsTask(state: JsonObject): JsonObject {
  const parameters: JsonObject = { 'input.$': '$' };
  if (typeof state.SecondsPath === 'string') parameters['seconds.$'] = state.SecondsPath;
  if (typeof state.TimestampPath === 'string') parameters['timestamp.$'] = state.TimestampPath;
  const task: JsonObject = { Type: 'Task', Resource: WAIT_RESOURCE, Parameters: parameters, TimeoutSeconds: MAX_TIMER_SECONDS };
  for (const field of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) if (field in state) task[field] = state[field]!;
  return task;
}

function prepareTask(name: string, state: JsonObject): TaskState {
  const resource = String(state.Resource);
  const waitForTaskToken = resource.endsWith('.waitForTaskToken');
  const base = resource.replace(SUFFIX, '');
  const kind: TaskKind = base === LAMBDA_INVOKE ? 'lambda-invoke' : LAMBDA_ARN.test(resource) ? 'lambda' : 'integration';
  const integration = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/.exec(resource);
  const task: TaskState = {
    name,
    resource,
    kind,
    waitForTaskToken,
    resourceType: integration?.[1] ?? 'lambda',
    resourceName: integration?.[2] ?? resource,
    wrapped: false,
  };
  if (typeof state.TimeoutSeconds === 'number') task.timeoutSeconds = state.TimeoutSeconds;
  if (typeof state.TimeoutSecondsPath === 'string') task.timeoutSecondsPath = state.TimeoutSecondsPath;
  if (typeof state.HeartbeatSeconds === 'number') task.heartbeatSeconds = state.HeartbeatSeconds;
  if (typeof state.HeartbeatSecondsPath === 'string') task.heartbeatSecondsPath = state.HeartbeatSecondsPath;

  if (task.timeoutSecondsPath !== undefined || task.heartbeatSecondsPath !== undefined) {
    const paths: JsonObject = {};
    if (task.timeoutSecondsPath !== undefined) paths['timeoutSeconds.$'] = task.timeoutSecondsPath;
    if (task.heartbeatSecondsPath !== undefined) paths['heartbeatSeconds.$'] = task.heartbeatSecondsPath;
    state.Parameters = 'Parameters' in state ? { [PARAMETERS_KEY]: state.Parameters ?? null, [PATHS_KEY]: paths } : { [`${PARAMETERS_KEY}.$`]: '$', [PATHS_KEY]: paths };
    task.wrapped = true;
  }
  delete state.TimeoutSecondsPath;
  delete state.HeartbeatSeconds;
  delete state.HeartbeatSecondsPath;
  state.TimeoutSeconds = MAX_TIMER_SECONDS;
  return task;
}

/** The handler a state needs, when the definition names it (a `FunctionName.$` is known only at run time). */
function staticTarget(task: TaskState, state: JsonObject): string | undefined {
  if (task.kind !== 'lambda-invoke') return task.resource;
  const parameters = state.Parameters;
  const inner = isObject(parameters) && task.wrapped ? parameters[PARAMETERS_KEY] : parameters;
  return isObject(inner) && typeof inner.FunctionName === 'string' ? inner.FunctionName : undefined;
}

/**
 * The handler for a Lambda function (by ARN, partial ARN or name, any qualifier) or a service
 * integration Resource (with or without `.waitForTaskToken`/`.sync`).
 */
export function findHandler(handlers: Record<string, TaskHandler>, kind: TaskKind, target: string): { handler: TaskHandler; functionName: string } | undefined {
  const exact = handlers[target];
  if (exact) return { handler: exact, functionName: functionName(target) ?? target };
  if (kind === 'integration') {
    const bare = handlers[target.replace(SUFFIX, '')];
    return bare ? { handler: bare, functionName: target } : undefined;
  }
  const wanted = functionName(target);
  const key = Object.keys(handlers).find((candidate) => functionName(candidate) === wanted);
  return key && wanted ? { handler: handlers[key]!, functionName: wanted } : undefined;
}

/** `my-fn` from `arn:aws:lambda:us-east-1:123456789012:function:my-fn:live`, `123456789012:function:my-fn` or `my-fn:live`. */
function functionName(reference: string): string | undefined {
  const arn = LAMBDA_ARN.exec(reference);
  if (arn) return arn[1];
  const partial = /^(?:\d{12}:)?function:([^:]+)(?::[^:]+)?$/.exec(reference);
  if (partial) return partial[1];
  const plain = /^([A-Za-z0-9_-]+)(?::[^:]+)?$/.exec(reference);
  return plain?.[1];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
