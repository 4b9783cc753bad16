/**
 * The Step Functions JSON protocol (awsJson1_0) for the operations tierdesk's handlers call:
 * `POST /` with `x-amz-target: AWSStepFunctions.<Operation>` and a JSON body; answers are JSON
 * with dates as epoch seconds, errors a 400 with `{"__type": "<Exception>", "message"}`, from
 * which @aws-sdk/client-sfn raises its own exception classes.
 */

import type { JsonObject } from './definition';
import { type Engine, EXECUTION_STATUSES, type Execution, type ExecutionStatus, type HistoryEvent, StepFunctionsError } from './engine';

type Body = Record<string, unknown>;

const operations: Record<string, (engine: Engine, body: Body) => unknown> = {
  StartExecution: (engine, body) => {
    const started = engine.startExecution({
      stateMachineArn: required(body, 'stateMachineArn'),
      name: optional(body, 'name'),
      input: optional(body, 'input'),
    });
    return { executionArn: started.executionArn, startDate: seconds(started.startDate) };
  },

  StopExecution: (engine, body) => {
    const { stopDate } = engine.stopExecution({
      executionArn: required(body, 'executionArn'),
      error: optional(body, 'error'),
      cause: optional(body, 'cause'),
    });
    return { stopDate: seconds(stopDate) };
  },

  DescribeExecution: (engine, body) => describe(engine.describeExecution(required(body, 'executionArn'))),

  SendTaskSuccess: (engine, body) => {
    engine.sendTaskSuccess(required(body, 'taskToken'), required(body, 'output'));
    return {};
  },

  SendTaskFailure: (engine, body) => {
    engine.sendTaskFailure(required(body, 'taskToken'), optional(body, 'error'), optional(body, 'cause'));
    return {};
  },

  SendTaskHeartbeat: (engine, body) => {
    engine.sendTaskHeartbeat(required(body, 'taskToken'));
    return {};
  },

  GetExecutionHistory: (engine, body) => {
    const events = [...engine.history(required(body, 'executionArn'))];
    if (body.reverseOrder === true) events.reverse();
    const { items, nextToken } = page(events, body.maxResults, optional(body, 'nextToken'));
    return { events: items.map(historyEvent), ...(nextToken ? { nextToken } : {}) };
  },

  ListExecutions: (engine, body) => {
    const statusFilter = optional(body, 'statusFilter');
    if (statusFilter !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(statusFilter)) {
      throw new StepFunctionsError('ValidationException', `statusFilter must be one of ${EXECUTION_STATUSES.join(', ')}`);
    }
    const executions = engine.listExecutions(required(body, 'stateMachineArn'), statusFilter as ExecutionStatus | undefined);
    const { items, nextToken } = page(executions, body.maxResults, optional(body, 'nextToken'));
    return {
      executions: items.map(summary),
      ...(nextToken ? { nextToken } : {}),
    };
  },
};

export interface ProtocolAnswer {
  statusCode: number;
  body: unknown;
}

/** Runs one call; `target` is the x-amz-target header, `text` the request body. */
export function answer(engine: Engine, target: string | undefined, text: string): ProtocolAnswer {
  const operation = /^AWSStepFunctions\.(\w+)$/.exec(target ?? '')?.[1];
  const handler = operation ? operations[operation] : undefined;
  if (!handler) {
    return failure(new StepFunctionsError('UnknownOperationException', `the local endpoint does not implement ${target ?? '(no x-amz-target)'}`));
  }
  let body: unknown;
  try {
    body = text.trim() ? JSON.parse(text) : {};
  } catch {
    return failure(new StepFunctionsError('SerializationException', 'the request body is not JSON'));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failure(new StepFunctionsError('SerializationException', 'the request body is not a JSON object'));
  }
  try {
    return { statusCode: 200, body: handler(engine, body as Body) };
  } catch (error) {
    if (error instanceof StepFunctionsError) return failure(error);
    throw error;
  }
}

function failure(error: StepFunctionsError): ProtocolAnswer {
  return { statusCode: 400, body: { __type: error.type, message: error.message } };
}

/** What ListExecutions shows of an execution; DescribeExecution adds input, output and error. */
function summary(execution: Execution): JsonObject {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    status: execution.status,
    startDate: seconds(execution.startDate),
    ...(execution.stopDate !== undefined ? { stopDate: seconds(execution.stopDate) } : {}),
  };
}

function describe(execution: Execution): JsonObject {
  return {
    ...summary(execution),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

/** AWS names each event's details after its type, e.g. `taskScheduledEventDetails`. */
function historyEvent(event: HistoryEvent): JsonObject {
  const key = event.type.endsWith('StateEntered')
    ? 'stateEnteredEventDetails'
    : event.type.endsWith('StateExited')
      ? 'stateExitedEventDetails'
      : `${event.type[0]!.toLowerCase()}${event.type.slice(1)}EventDetails`;
  return {
    timestamp: seconds(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
    ...(event.details ? { [key]: event.details } : {}),
  };
}

/** AWS's paging: at most maxResults (default 100, at most 1000) and an opaque token for the rest. */
function page<T>(items: T[], maxResults: unknown, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  let start = 0;
  if (nextToken !== undefined) {
    start = Number(Buffer.from(nextToken, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw new StepFunctionsError('InvalidToken', 'Invalid nextToken');
  }
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

function required(body: Body, field: string): string {
  const value = optional(body, field);
  if (value === undefined) throw new StepFunctionsError('ValidationException', `${field} is required`);
  return value;
}

function optional(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new StepFunctionsError('ValidationException', `${field} must be a string`);
  return value;
}

/** The protocol's timestamps: epoch seconds with a fraction. */
function seconds(epochMs: number): number {
  return epochMs / 1000;
}
