/**
 * Cost model: what one ticket's typical lifecycle costs on AWS, counted from local executions.
 * Run directly with `npx tsx bench/cost.ts`.
 *
 * In a child process (handler modules keep the clients of the runtime they first saw) the
 * runtime starts with test/fixtures/sla-workflow-policy.yaml (targets seconds long; resolved cases
 * kept 3 days) and drives
 * tickets through the HTTP API:
 *  - TYPICAL tickets: open → (workflow acknowledgement) → agent reply → customer message →
 *    agent reply → resolve → close;
 *  - BREACHED tickets: open, nobody answers until the first response is breached (warning,
 *    breach mail to the team lead), then the same replies, resolve and close.
 * The per-ticket figures are the weighted mix of both (BREACH_SHARE of tickets breach).
 *
 * What is counted, and how:
 *  - state transitions: `*StateEntered` events in each execution's history (GET
 *    /executions/{name} of the local Step Functions endpoint): what AWS bills for STANDARD.
 *  - Lambda invocations: `LambdaFunctionScheduled` events in the histories (the task Lambdas,
 *    the waitForTaskToken one included) + every API request the bench made (one API Lambda
 *    invocation and one HTTP API request each): 6 changes + 1 read of the closed ticket; and
 *    one workflow-starter invocation per ticket (from the table's stream, whose reads by Lambda
 *    are free).
 *    The bench waits by polling the Step Functions endpoint and the SES store, never the API,
 *    so its waiting adds nothing to the counts.
 *  - DynamoDB requests: every request any SDK client in the process sends to DynamoDB Local,
 *    seen on the wire (NodeHttpHandler.handle is wrapped in this child process only), split by
 *    X-Amz-Target. This includes idempotency records, wait tokens, counter blocks and retries,
 *    i.e. everything the handlers really send. The two groups run one after the other, so each
 *    group's traffic is its own. Left out: the reconciler schedule (per desk, not per ticket),
 *    auto-close after 3 days (the bench closes explicitly), storage and streams.
 *    Write request units: 1 WRU per started KB of the request body for PutItem/UpdateItem/
 *    DeleteItem (the body over-states the item: DynamoDB JSON carries type tags; an UpdateItem
 *    is billed on the whole item, which the body does not show, so each counts at least 1), and
 *    2 WRU per started KB for each item of a TransactWriteItems (transactional writes bill
 *    double). Reads: 1 RRU per GetItem/Query, i.e. ≤ 4 KB strongly consistent assumed (an
 *    eventually consistent read bills half, a long timeline query more; reads are a rounding
 *    error of the total either way).
 *  - emails: the SES emulator's store (ses.store()).
 * Lambda duration is not measured here (handlers run in process); assumed AVG_LAMBDA_MS.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Template } from 'aws-cdk-lib/assertions';
import { SWEEP_PER_RUN } from '../functions/workflow/reconcile';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { type Runtime, startRuntime } from '../local/runtime';
import { appAsDeployed } from '../test/support/app';
import { api } from '../test/support/runtime';
import type { BenchResult } from './calendar';

const run = promisify(execFile);
const FIXTURE = 'test/fixtures/sla-workflow-policy.yaml';

/**
 * The fixture closes resolved cases at once (for its own tests); a typical case stays resolved
 * until someone closes it, so the bench runs a copy that keeps them resolved for 3 days.
 */
function costPolicy(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tierdesk-cost-')), 'policy.yaml');
  const text = readFileSync(FIXTURE, 'utf8').replace(/autoCloseResolvedAfterDays: \d+/, 'autoCloseResolvedAfterDays: 3');
  if (!text.includes('autoCloseResolvedAfterDays: 3')) throw new Error(`${FIXTURE}: no autoCloseResolvedAfterDays to set`);
  writeFileSync(file, text);
  return file;
}
const TYPICAL = 16;
const BREACHED = 4;
/** Share of tickets assumed to breach their first response in production. */
const BREACH_SHARE = BREACHED / (TYPICAL + BREACHED);

// Published AWS list prices, us-east-1 (November 2026 price pages).
/** Step Functions Standard workflows: $0.025 per 1,000 state transitions. */
const SFN_PER_TRANSITION = 0.000025;
/** Lambda requests: $0.20 per 1M requests. */
const LAMBDA_PER_REQUEST = 0.2 / 1_000_000;
/** Lambda duration, Arm (Graviton): $0.0000133334 per GB-second. */
const LAMBDA_PER_GB_SECOND = 0.0000133334;
/** Assumed: 512 MB functions, 100 ms average billed duration per invocation (warm, one or two DynamoDB calls). */
const LAMBDA_MEMORY_GB = 0.5;
const AVG_LAMBDA_MS = 100;
/** DynamoDB on-demand: $0.625 per million write request units. */
const DDB_PER_WRU = 0.625 / 1_000_000;
/** DynamoDB on-demand: $0.125 per million read request units. */
const DDB_PER_RRU = 0.125 / 1_000_000;
/** SES outbound: $0.10 per 1,000 emails. */
const SES_PER_EMAIL = 0.1 / 1_000;
/** API Gateway HTTP API: $1.00 per million requests (first 300M). */
const HTTP_API_PER_REQUEST = 1 / 1_000_000;
const TARGET_PER_1000 = 1;
/** CloudWatch Logs: $0.50 per GB ingested; $0.03 per GB-month stored. */
const LOGS_PER_GB_INGESTED = 0.5;
/** CloudWatch Logs bills each event's bytes plus 26 bytes of overhead. */
const LOG_EVENT_OVERHEAD_BYTES = 26;
/** Assumed log bytes per Lambda invocation: START, END and REPORT lines (~350 B) and a few structured lines at the stack's level. */
const LAMBDA_LOG_BYTES = 1_000;
/** X-Ray: $5.00 per million traces recorded (sampling assumed to keep every trace: the default rule does at low rates). */
const XRAY_PER_TRACE = 5 / 1_000_000;
/** CloudWatch: $0.10 per standard alarm-month, $3.00 per dashboard-month. */
const ALARM_PER_MONTH = 0.1;
const DASHBOARD_PER_MONTH = 3;
/** KMS: $1.00 per customer managed key-month. Secrets Manager: $0.40 per secret-month. */
const KMS_KEY_PER_MONTH = 1;
const SECRET_PER_MONTH = 0.4;
const MINUTES_PER_MONTH = 30 * 24 * 60;
/** The idle target: what the stack costs a month with no ticket at all. */
const TARGET_IDLE_PER_MONTH = 15;
/**
 * Reconcile assumptions (functions/workflow/reconcile.ts, one ticket at a time): per ticket checked
 * a StartExecution (answered "already exists" for a running one; ~20 ms in AWS) and a GetItem of
 * its parked version (~5 ms), plus a page query per 100 tickets reading ~3 KB tickets; 512 MB. A
 * scheduled run checks at most SWEEP_PER_RUN open tickets (the paced safety sweep) besides the
 * starts and wakes owed (failures: ~0 in steady state); bench/reconcile.ts measures the calls.
 */
const RECONCILE_MS_PER_TICKET = 25;
const RECONCILE_IDLE_MS = 300;
const TICKET_ITEM_KB = 3;
const LAMBDA_TIMEOUT_S = 900;

interface DynamoCounts {
  requests: Record<string, number>;
  wru: number;
  rru: number;
}

interface Counts {
  tickets: number;
  apiRequests: number;
  transitions: number;
  lambdaTasks: number;
  dynamo: DynamoCounts;
  emails: number;
  executions: number;
  executionsNotSucceeded: number;
  /** History events of the executions, and their JSON size (what log level ALL would ingest). */
  historyEvents: number;
  historyBytes: number;
  /** The same of the events log level ERROR sends (failures, timeouts, aborts): what the stack's machines log. */
  errorEvents: number;
  errorBytes: number;
}

interface Measured {
  typical: Counts;
  breached: Counts;
  seconds: number;
  countErrors: string[];
}

// ---------------------------------------------------------------- counting DynamoDB on the wire

const dynamo: DynamoCounts = { requests: {}, wru: 0, rru: 0 };
let dynamoEndpointHost = '';
/** Requests the counter could not read (reported, so a miscount cannot pass silently). */
const countErrors: string[] = [];

function kb(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

function countDynamoRequest(target: string, body: string): void {
  const operation = target.split('.').pop() ?? target;
  dynamo.requests[operation] = (dynamo.requests[operation] ?? 0) + 1;
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      dynamo.wru += kb(Buffer.byteLength(body));
      break;
    case 'TransactWriteItems': {
      const items = (JSON.parse(body) as { TransactItems: unknown[] }).TransactItems;
      for (const item of items) dynamo.wru += 2 * kb(Buffer.byteLength(JSON.stringify(item)));
      break;
    }
    case 'BatchWriteItem': {
      const tables = (JSON.parse(body) as { RequestItems: Record<string, unknown[]> }).RequestItems;
      for (const items of Object.values(tables)) for (const item of items) dynamo.wru += kb(Buffer.byteLength(JSON.stringify(item)));
      break;
    }
    case 'GetItem':
    case 'Query':
      dynamo.rru += 1;
      break;
    case 'TransactGetItems':
      dynamo.rru += 2 * (JSON.parse(body) as { TransactItems: unknown[] }).TransactItems.length;
      break;
  }
}

function installDynamoCounter(): void {
  const original = NodeHttpHandler.prototype.handle;
  NodeHttpHandler.prototype.handle = function (this: NodeHttpHandler, request, options) {
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
    if (target?.startsWith('DynamoDB_') && request.hostname && dynamoEndpointHost.includes(`${request.hostname}:${request.port}`)) {
      const body: unknown = request.body;
      const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString() : '';
      try {
        countDynamoRequest(target, text);
      } catch (error) {
        countErrors.push(`${target}: ${error instanceof Error ? error.message : String(error)} (body ${typeof body})`);
      }
    }
    return original.call(this, request, options);
  } as typeof original;
}

function snapshotDynamo(): DynamoCounts {
  return { requests: { ...dynamo.requests }, wru: dynamo.wru, rru: dynamo.rru };
}

function diffDynamo(after: DynamoCounts, before: DynamoCounts): DynamoCounts {
  const requests: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after.requests)) requests[operation] = count - (before.requests[operation] ?? 0);
  return { requests, wru: after.wru - before.wru, rru: after.rru - before.rru };
}

// ---------------------------------------------------------------- the lifecycles

type Request = ReturnType<typeof api>;

interface HistoryEvent {
  type: string;
  name?: string;
  resourceType?: string;
}

interface ExecutionDetail {
  status: string;
  waitingFor: { state: string }[];
  history: HistoryEvent[];
}

async function executionOf(runtime: Runtime, id: string): Promise<ExecutionDetail | undefined> {
  const response = await fetch(`${runtime.stepFunctionsUrl}/executions/${id}`);
  return response.ok ? ((await response.json()) as ExecutionDetail) : undefined;
}

/** Polls without touching DynamoDB (the Step Functions endpoint or the SES store), so polling costs nothing in the counts. */
async function until(what: string, probe: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`cost bench: ${what} not within ${withinMs} ms`);
    await sleep(200);
  }
}

const parks = (detail: ExecutionDetail | undefined) => detail?.history.filter((event) => event.type.endsWith('StateEntered') && event.name === 'WaitForChangeOrDeadline').length ?? 0;
const parked = (detail: ExecutionDetail | undefined) => !!detail?.waitingFor.some((wait) => wait.state === 'WaitForChangeOrDeadline');

/** One ticket's lifecycle; returns the number of API requests made. */
async function lifecycle(runtime: Runtime, request: Request, breach: boolean): Promise<number> {
  let requests = 0;
  const call = async (method: string, path: string, body?: unknown, expected = [200, 201]) => {
    requests++;
    const response = await request(method, path, body === undefined ? {} : { body });
    if (!expected.includes(response.status)) throw new Error(`cost bench: ${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response;
  };
  const created = await call('POST', '/tickets', {
    subject: 'Export fails',
    description: 'The CSV export times out after 30 seconds for reports with more than 10,000 rows.',
    severity: '3',
    requester: { email: 'pat@customer.example', name: 'Pat Example' },
  });
  const id = created.body.id as string;
  const caseNumber = created.body.ticket.caseNumber as string;
  // After each change, wait until the execution has acted and parked again (human pace: a
  // change a few seconds apart, never two in one wake-up).
  let seen = 0;
  const settled = async (what: string, withinMs = 10_000) => {
    await until(
      `${id} ${what}`,
      async () => {
        const detail = await executionOf(runtime, id);
        if (parks(detail) > seen && parked(detail)) {
          seen = parks(detail);
          return true;
        }
        return false;
      },
      withinMs,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; execution: ${JSON.stringify(await executionOf(runtime, id)).slice(0, 1_500)}`);
    });
  };
  await settled('acknowledged and parked');
  if (breach) {
    // Severity 3: first response within 5 s (warning at 4 s); wait for the breach mail to the lead.
    await until(
      `${id} breach mail`,
      async () => (await runtime.ses.store()).some((mail) => mail.destination.to.includes('lead-frontline@wf-test.example') && mail.subject.includes(`[${caseNumber}]`)),
      10_000,
    );
    await settled('parked after the breach');
  }
  await call('POST', `/tickets/${id}/messages`, { kind: 'agent-reply', body: 'Thanks, we are looking into the export timeout.' });
  await settled('woken by the reply');
  await call('POST', `/tickets/${id}/messages`, { kind: 'customer', body: 'It still fails for the March report.' });
  await settled('woken by the customer');
  await call('POST', `/tickets/${id}/messages`, { kind: 'agent-reply', body: 'A fix is deployed; please try again.' });
  await settled('woken by the second reply');
  await call('POST', `/tickets/${id}/actions`, { type: 'resolve', resolutionType: 'fix', text: 'Export query paginated.' });
  await settled('woken by resolve');
  await call('POST', `/tickets/${id}/actions`, { type: 'close' });
  await until(`${id} execution ends`, async () => (await executionOf(runtime, id))?.status !== 'RUNNING', 5_000);
  // An agent (or the customer) reads the closed ticket once: counted as a typical read.
  await call('GET', `/tickets/${id}`);
  return requests;
}

async function runGroup(runtime: Runtime, request: Request, count: number, breach: boolean): Promise<Counts> {
  const dynamoBefore = snapshotDynamo();
  const emailsBefore = (await runtime.ses.store()).length;
  const namesBefore = new Set(((await (await fetch(`${runtime.stepFunctionsUrl}/executions`)).json()) as { executions: { name: string }[] }).executions.map((e) => e.name));
  const apiRequests = (
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        await sleep(index * 150); // staggered arrivals
        return lifecycle(runtime, request, breach);
      }),
    )
  ).reduce((a, b) => a + b, 0);
  // Let any last task (the close's Step) finish writing before the snapshot.
  await sleep(500);
  const dynamoAfter = snapshotDynamo();
  const emails = (await runtime.ses.store()).length - emailsBefore;
  const all = ((await (await fetch(`${runtime.stepFunctionsUrl}/executions`)).json()) as { executions: { name: string }[] }).executions;
  let transitions = 0;
  let lambdaTasks = 0;
  let executions = 0;
  let executionsNotSucceeded = 0;
  let historyEvents = 0;
  let historyBytes = 0;
  let errorEvents = 0;
  let errorBytes = 0;
  for (const { name } of all) {
    if (namesBefore.has(name)) continue;
    const detail = (await executionOf(runtime, name))!;
    executions++;
    if (detail.status !== 'SUCCEEDED') executionsNotSucceeded++;
    for (const event of detail.history) {
      const bytes = Buffer.byteLength(JSON.stringify(event)) + LOG_EVENT_OVERHEAD_BYTES;
      historyEvents++;
      historyBytes += bytes;
      // Level ERROR logs failures, timeouts and aborts: the parked wait's timeout at each planned instant, Park's endings.
      if (/(Failed|TimedOut|Aborted)$/.test(event.type)) {
        errorEvents++;
        errorBytes += bytes;
      }
      if (event.type.endsWith('StateEntered')) transitions++;
      if (event.type === 'LambdaFunctionScheduled' || (event.type === 'TaskScheduled' && event.resourceType === 'lambda')) lambdaTasks++;
    }
  }
  return {
    tickets: count,
    apiRequests,
    transitions,
    lambdaTasks,
    dynamo: diffDynamo(dynamoAfter, dynamoBefore),
    emails,
    executions,
    executionsNotSucceeded,
    historyEvents,
    historyBytes,
    errorEvents,
    errorBytes,
  };
}

async function measure(): Promise<Measured> {
  installDynamoCounter();
  const runtime = await startRuntime({ inMemory: true, port: 0, quiet: true, policy: costPolicy(), adminKey: 'td_admin_bench' });
  dynamoEndpointHost = runtime.dynamodbEndpoint;
  const started = performance.now();
  try {
    const request = api(runtime);
    // One after the other, so each group's DynamoDB traffic is its own; within a group the
    // tickets run side by side.
    const typical = await runGroup(runtime, request, TYPICAL, false);
    const breached = await runGroup(runtime, request, BREACHED, true);
    return { typical, breached, seconds: (performance.now() - started) / 1000, countErrors };
  } finally {
    await runtime.stop();
  }
}

export async function benchCost(): Promise<BenchResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure'], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const measured = JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
  return price(measured);
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const usd = (value: number) => `$${value.toFixed(4)}`;

function price(measured: Measured): BenchResult {
  const { typical, breached } = measured;
  // Per ticket: the weighted mix of typical and breached lifecycles.
  const per = (pick: (c: Counts) => number) => (1 - BREACH_SHARE) * (pick(typical) / typical.tickets) + BREACH_SHARE * (pick(breached) / breached.tickets);
  const writes = (c: Counts) => ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'].reduce((sum, op) => sum + (c.dynamo.requests[op] ?? 0), 0);
  const reads = (c: Counts) => ['GetItem', 'Query', 'Scan', 'TransactGetItems', 'BatchGetItem'].reduce((sum, op) => sum + (c.dynamo.requests[op] ?? 0), 0);
  const transitions = per((c) => c.transitions);
  const apiRequests = per((c) => c.apiRequests);
  const lambdaTasks = per((c) => c.lambdaTasks);
  // The workflow starter: one invocation per new ticket at a trickle (the stream batches more under load).
  const starterInvocations = 1;
  const lambdas = apiRequests + lambdaTasks + starterInvocations;
  const wru = per((c) => c.dynamo.wru);
  const rru = per((c) => c.dynamo.rru);
  const emails = per((c) => c.emails);
  const historyBytes = per((c) => c.historyBytes);
  const errorBytes = per((c) => c.errorBytes);
  const executions = per((c) => c.executions);

  const cost = {
    stepFunctions: 1000 * transitions * SFN_PER_TRANSITION,
    lambda: 1000 * lambdas * (LAMBDA_PER_REQUEST + (AVG_LAMBDA_MS / 1000) * LAMBDA_MEMORY_GB * LAMBDA_PER_GB_SECOND),
    dynamodb: 1000 * (wru * DDB_PER_WRU + rru * DDB_PER_RRU),
    ses: 1000 * emails * SES_PER_EMAIL,
    httpApi: 1000 * apiRequests * HTTP_API_PER_REQUEST,
    // Not measured as calls: logs at the stack's levels (state machines at ERROR with execution data) and X-Ray traces.
    logs: 1000 * ((errorBytes + lambdas * LAMBDA_LOG_BYTES) / 1e9) * LOGS_PER_GB_INGESTED,
    // A trace per API request and per execution (the execution's Lambda tasks join its trace).
    xray: 1000 * (apiRequests + executions) * XRAY_PER_TRACE,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  const byOperation = (c: Counts) =>
    Object.entries(c.dynamo.requests)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${op} ${round(n / c.tickets, 1)}`)
      .join(', ');
  return {
    name: `cost model (typical lifecycle on the local runtime, ${typical.tickets} typical + ${breached.tickets} breached tickets, us-east-1 list prices)`,
    figures: {
      'measured in (s)': round(measured.seconds, 1),
      'DynamoDB requests the counter could not read': measured.countErrors.length === 0 ? 0 : `${measured.countErrors.length} (${measured.countErrors[0]})`,
      'executions (not SUCCEEDED)': `${typical.executions + breached.executions} (${typical.executionsNotSucceeded + breached.executionsNotSucceeded})`,
      'breach share assumed': `${Math.round(BREACH_SHARE * 100)} %`,
      'typical: state transitions / ticket': round(typical.transitions / typical.tickets),
      'breached: state transitions / ticket': round(breached.transitions / breached.tickets),
      'state transitions / ticket (mix)': round(transitions),
      'API requests (API Lambda) / ticket': round(apiRequests),
      'task Lambda invocations / ticket': round(lambdaTasks),
      'Lambda invocations / ticket': round(lambdas),
      'DynamoDB writes / ticket (requests)': round(per(writes)),
      'DynamoDB WRU / ticket (est.)': round(wru),
      'DynamoDB reads / ticket (requests)': round(per(reads)),
      'typical: DynamoDB ops / ticket': byOperation(typical),
      'breached: DynamoDB ops / ticket': byOperation(breached),
      'emails / ticket (typical | breached | mix)': `${round(typical.emails / typical.tickets)} | ${round(breached.emails / breached.tickets)} | ${round(emails)}`,
      'Step Functions $ / 1,000 tickets': usd(cost.stepFunctions),
      [`Lambda $ / 1,000 tickets (${AVG_LAMBDA_MS} ms × 512 MB Arm assumed)`]: usd(cost.lambda),
      'DynamoDB $ / 1,000 tickets': usd(cost.dynamodb),
      'SES $ / 1,000 tickets': usd(cost.ses),
      'HTTP API $ / 1,000 tickets': usd(cost.httpApi),
      'execution history / ticket (events, KB; what level ALL would log)': `${round(
        per((c) => c.historyEvents),
        1,
      )}, ${round(historyBytes / 1024, 1)}`,
      'of which logged at level ERROR / ticket (events, KB)': `${round(
        per((c) => c.errorEvents),
        1,
      )}, ${round(errorBytes / 1024, 1)}`,
      [`CloudWatch Logs $ / 1,000 tickets (state machines at ERROR + ${LAMBDA_LOG_BYTES} B per Lambda invocation assumed)`]: usd(cost.logs),
      'CloudWatch Logs $ / 1,000 tickets had the machines logged ALL': usd(1000 * ((historyBytes + lambdas * LAMBDA_LOG_BYTES) / 1e9) * LOGS_PER_GB_INGESTED),
      'X-Ray $ / 1,000 tickets (a trace per API request and per execution)': usd(cost.xray),
      'total $ / 1,000 tickets': usd(total),
      'target < $1 per 1,000 tickets': total < TARGET_PER_1000 ? 'met' : 'TARGET MISSED',
      ...idleFigures(),
    },
  };
}

/**
 * What the stack costs a month before any ticket, counted from its synthesized template (the
 * default settings with an alarm email): alarms, the dashboard, the KMS key, secrets, and the
 * schedules' runs. Then the reconciler's monthly cost at 1,000 / 10,000 / 100,000 open tickets:
 * a run checks at most SWEEP_PER_RUN of them, so the cost stops growing there.
 */
function idleFigures(): Record<string, string | number> {
  const template = Template.fromStack(new TierdeskStack(appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] } }), 'CostModel', { alarmEmail: 'oncall@example.com' })).toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const resources = Object.values(template.Resources);
  const countOf = (type: string) => resources.filter((resource) => resource.Type === type).length;
  const runsPerMonth = resources
    .filter((resource) => resource.Type === 'AWS::Events::Rule')
    .map((resource) => /^rate\((\d+) minutes?\)$/.exec(String(resource.Properties?.ScheduleExpression ?? '')))
    .reduce((sum, match) => sum + (match ? MINUTES_PER_MONTH / Number(match[1]) : 0), 0);
  const runCost = (seconds: number, reads: number) =>
    runsPerMonth * (LAMBDA_PER_REQUEST + seconds * LAMBDA_MEMORY_GB * LAMBDA_PER_GB_SECOND + reads * DDB_PER_RRU + (LAMBDA_LOG_BYTES / 1e9) * LOGS_PER_GB_INGESTED);
  const idle = {
    alarms: countOf('AWS::CloudWatch::Alarm') * ALARM_PER_MONTH,
    dashboards: countOf('AWS::CloudWatch::Dashboard') * DASHBOARD_PER_MONTH,
    kms: countOf('AWS::KMS::Key') * KMS_KEY_PER_MONTH,
    secrets: countOf('AWS::SecretsManager::Secret') * SECRET_PER_MONTH,
    // An idle run: three migration markers and two empty status pages.
    schedules: runCost(RECONCILE_IDLE_MS / 1000, 5),
  };
  const idleTotal = Object.values(idle).reduce((a, b) => a + b, 0);
  const reconcile = (open: number) => {
    const checked = Math.min(open, SWEEP_PER_RUN);
    const seconds = RECONCILE_IDLE_MS / 1000 + (checked * RECONCILE_MS_PER_TICKET) / 1000;
    const reads = checked + Math.ceil(checked / 100) * Math.ceil((100 * TICKET_ITEM_KB) / 4);
    const monthly = usd(runCost(seconds, reads));
    return seconds > LAMBDA_TIMEOUT_S ? `${monthly} — a run takes ~${Math.round(seconds)} s: does not fit Lambda's 15 minutes` : `${monthly} (~${round(seconds, 1)} s a run)`;
  };
  return {
    [`idle: alarms (${countOf('AWS::CloudWatch::Alarm')} × $${ALARM_PER_MONTH})`]: usd(idle.alarms),
    [`idle: dashboards (${countOf('AWS::CloudWatch::Dashboard')} × $${DASHBOARD_PER_MONTH})`]: usd(idle.dashboards),
    [`idle: KMS keys (${countOf('AWS::KMS::Key')} × $${KMS_KEY_PER_MONTH})`]: usd(idle.kms),
    [`idle: secrets (${countOf('AWS::SecretsManager::Secret')} × $${SECRET_PER_MONTH})`]: usd(idle.secrets),
    [`idle: scheduled runs (${Math.round(runsPerMonth).toLocaleString('en-US')} a month, ${RECONCILE_IDLE_MS} ms each assumed)`]: usd(idle.schedules),
    'idle: total $ / month (no ticket; log storage, S3, CloudFront, Cognito Lite and DynamoDB storage ~0 at rest)': usd(idleTotal),
    [`target idle < $${TARGET_IDLE_PER_MONTH} / month`]: idleTotal < TARGET_IDLE_PER_MONTH ? 'met' : 'TARGET MISSED',
    [`reconciler $ / month at 1,000 open tickets (${RECONCILE_MS_PER_TICKET} ms a ticket assumed, at most ${SWEEP_PER_RUN.toLocaleString('en-US')} a run)`]: reconcile(1_000),
    'reconciler $ / month at 10,000 open tickets': reconcile(10_000),
    'reconciler $ / month at 100,000 open tickets': reconcile(100_000),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--measure')) console.log(JSON.stringify(await measure()));
  else console.log(await benchCost());
}
