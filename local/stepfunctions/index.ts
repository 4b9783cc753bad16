/**
 * The local Step Functions endpoint: the handlers' @aws-sdk/client-sfn reaches it through
 * AWS_ENDPOINT_URL_SFN, and it runs the same ASL files as AWS through aws-local-stepfunctions,
 * with each Task mapped to an in-process handler and `.waitForTaskToken` emulated
 * (./tasks.ts). Executions live in memory.
 *
 * On the same port, for people: `GET /executions` lists every execution and
 * `GET /executions/{name}` shows one (status, the states it is in, the tasks waiting on a
 * token, the history).
 *
 * Import it as `./stepfunctions`. It is this directory's index rather than a
 * local/stepfunctions.ts next to the directory: with both, tsx (`npm start`) resolves the
 * extensionless import to the directory and fails.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../listen';
import type { Json } from './definition';
import { Engine, type Execution, type ExecutionStatusChangeEvent, type StateMachineRegistration } from './engine';
import { answer } from './protocol';
import { loadStatesTimeoutError } from './tasks';

export type { TaskHandler } from './definition';
export { ACCOUNT_ID, type ExecutionStatusChangeEvent, REGION, type StateMachineRegistration, stateMachineArn } from './engine';

export interface StepFunctionsOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** Hears every execution that ends, as EventBridge would deliver Step Functions' status change (not those stop() aborts). */
  onStatusChange?: (event: ExecutionStatusChangeEvent) => void;
}

export interface LocalStepFunctions {
  /** The endpoint, for AWS_ENDPOINT_URL_SFN. */
  url: string;
  port: number;
  /** Registers a state machine (again: replaces it for new executions); returns its ARN. */
  register(machine: StateMachineRegistration): string;
  /** Aborts every running execution, waits until they have wound down, closes the port. */
  stop(): Promise<void>;
}

/** Step Functions accepts up to 256 KiB of payload per call; a little more covers the envelope. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function startStepFunctions(options: StepFunctionsOptions = {}): Promise<LocalStepFunctions> {
  await loadStatesTimeoutError();
  const engine = new Engine(options.onStatusChange);
  const server = createServer((req, res) => {
    serve(engine, req, res).catch((error: unknown) => {
      console.error('stepfunctions: request failed', error);
      send(res, 500, { __type: 'InternalFailure', message: 'internal error' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  const { url, port } = await listen(server, host, options.port ?? 0);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    register: (machine) => engine.register(machine),
    stop: () => (stopping ??= engine.stopAll().finally(() => closeServer(server))),
  };
}

async function serve(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
  if (req.method === 'GET' && (path === '/executions' || path === '/executions/')) {
    return send(res, 200, { executions: engine.allExecutions().map(summary) }, 'application/json');
  }
  if (req.method === 'GET' && path.startsWith('/executions/')) {
    // By name (the newest, should two state machines share one) or by ARN.
    const key = path.slice('/executions/'.length);
    const execution = engine.allExecutions().find((candidate) => candidate.name === key || candidate.arn === key);
    if (!execution) return send(res, 404, { message: `no execution named ${key}` }, 'application/json');
    return send(res, 200, detail(execution), 'application/json');
  }
  if (req.method !== 'POST' || path !== '/') return send(res, 404, { message: 'Not Found' }, 'application/json');

  const body = await readBody(req);
  if (body === undefined) return send(res, 413, { __type: 'ValidationException', message: 'request too large' });
  const result = answer(engine, req.headers['x-amz-target'] as string | undefined, body);
  send(res, result.statusCode, result.body);
}

function summary(execution: Execution) {
  return {
    name: execution.name,
    executionArn: execution.arn,
    stateMachine: execution.machine.name,
    status: execution.status,
    startDate: new Date(execution.startDate).toISOString(),
    ...(execution.stopDate !== undefined ? { stopDate: new Date(execution.stopDate).toISOString() } : {}),
    currentStates: [...execution.currentStates],
  };
}

function detail(execution: Execution) {
  const iso = (epochMs: number | undefined) => (epochMs === undefined ? undefined : new Date(epochMs).toISOString());
  return {
    ...summary(execution),
    input: parsed(execution.input),
    ...(execution.output !== undefined ? { output: parsed(execution.output) } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    waitingFor: [
      ...[...execution.tasks].map((task) => ({
        state: task.state.name,
        ...(task.state.waitForTaskToken ? { taskToken: task.token } : {}),
        since: iso(task.startedAt),
        timeoutAt: iso(task.timeoutAt),
        ...(task.heartbeatAt !== undefined ? { heartbeatDueAt: iso(task.heartbeatAt) } : {}),
      })),
      ...[...execution.waits].map((wait) => ({ state: wait.state.name, until: iso(wait.until) })),
    ],
    history: execution.history.map((event) => ({
      id: event.id,
      type: event.type,
      timestamp: new Date(event.timestamp).toISOString(),
      ...event.details,
    })),
  };
}

function parsed(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function send(res: ServerResponse, statusCode: number, body: unknown, contentType = 'application/x-amz-json-1.0'): void {
  if (res.headersSent || res.destroyed) return;
  const text = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': text.length };
  const type = (body as { __type?: unknown }).__type;
  if (typeof type === 'string') headers['x-amzn-errortype'] = type;
  res.writeHead(statusCode, headers);
  res.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // The SDK keeps connections alive; they would hold close() open.
    server.closeAllConnections();
  });
}
