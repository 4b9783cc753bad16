/**
 * Benchmark of the ticket reconciler's work per run ([12]): 1,000, 10,000 and 100,000 healthy open
 * tickets (each with its execution running and parked for its current version) written straight
 * to DynamoDB Local, then one scheduled run of the real handler (functions/workflow/reconcile.ts)
 * on the real store. Step Functions is answered by aws-sdk-client-mock as AWS answers a running
 * execution (StartExecution: ExecutionAlreadyExists; DescribeExecution: RUNNING), so the calls
 * are counted, not run.
 *
 * Side by side, the full sweep the reconciler made before (every open ticket every run, what the
 * local runtime still does once at start-up) at 1,000 and 10,000.
 *
 * Target: the work of a scheduled run does not grow with the number of healthy open tickets.
 *
 * Run alone with `npx tsx bench/reconcile.ts`, or with the others through `npm run bench`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoStore } from '../functions/store/dynamo-store';
import type { BenchResult } from './calendar';
import { BatchWriter } from './seed-tickets';

const SIZES = [1_000, 10_000, 100_000] as const;
/** The old full sweep is measured up to this many open tickets (beyond, it only grows linearly). */
const FULL_SWEEP_UP_TO = 10_000;
const RUNS_PER_MONTH = (30 * 24 * 60) / 5;

interface RunWork {
  tickets: number;
  dynamodbCalls: number;
  stepFunctionsCalls: number;
  seconds: number;
}

export async function benchReconcile(): Promise<BenchResult> {
  const { startRuntime } = await import('../local/runtime');
  // No workflows: the handler's Step Functions calls go to the mock below, not to executions.
  const runtime = await startRuntime({ inMemory: true, port: 0, quiet: true, policy: 'caret', adminKey: 'td_admin_bench', workflows: false });
  process.env.TIERDESK_TICKET_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:bench-TicketLifecycle';
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
  try {
    const { getRuntime } = await import('../functions/shared/runtime');
    const { handler: reconcile, SWEEP_PER_RUN } = await import('../functions/workflow/reconcile');
    const { store } = getRuntime();
    let dynamodbCalls = 0;
    store.doc.middlewareStack.add(
      (next) => (args) => {
        dynamodbCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCount' },
    );
    await reconcile(); // the one-time upgrades' markers, so runs below are steady-state runs

    const measure = async (event?: { redrive: 'all' }): Promise<RunWork> => {
      const dynamodbBefore = dynamodbCalls;
      sfn.resetHistory();
      const began = performance.now();
      const outcome = await reconcile(event);
      return { tickets: outcome.tickets, dynamodbCalls: dynamodbCalls - dynamodbBefore, stepFunctionsCalls: sfn.calls().length, seconds: (performance.now() - began) / 1000 };
    };

    const figures: BenchResult['figures'] = {};
    const scheduled: RunWork[] = [];
    let written = 0;
    for (const size of SIZES) {
      const seedBegan = performance.now();
      written = await writeHealthyOpenTickets(store, written, size);
      const seedSeconds = (performance.now() - seedBegan) / 1000;
      const run = await measure();
      scheduled.push(run);
      const label = size.toLocaleString('en-US');
      console.log(
        `reconcile: ${label} open: a scheduled run checked ${run.tickets} tickets, ${run.dynamodbCalls} DynamoDB + ${run.stepFunctionsCalls} Step Functions calls, ${run.seconds.toFixed(2)} s ` +
          `(seeded in ${seedSeconds.toFixed(0)} s)`,
      );
      figures[`${label} open: scheduled run, tickets checked`] = run.tickets;
      figures[`${label} open: scheduled run, DynamoDB calls`] = run.dynamodbCalls;
      figures[`${label} open: scheduled run, Step Functions calls`] = run.stepFunctionsCalls;
      figures[`${label} open: scheduled run, seconds`] = Number(run.seconds.toFixed(2));
      figures[`${label} open: calls a month (5-minute runs)`] = Math.round((run.dynamodbCalls + run.stepFunctionsCalls) * RUNS_PER_MONTH);
      figures[`${label} open: a full cycle of the safety sweep, hours`] = Number(((Math.ceil(size / SWEEP_PER_RUN) * 5) / 60).toFixed(1));
      if (size <= FULL_SWEEP_UP_TO) {
        const full = await measure({ redrive: 'all' });
        console.log(`reconcile: ${label} open: the full sweep (as before) checked ${full.tickets} tickets, ${full.dynamodbCalls + full.stepFunctionsCalls} calls, ${full.seconds.toFixed(2)} s`);
        figures[`${label} open: full sweep (the reconciler before), calls`] = full.dynamodbCalls + full.stepFunctionsCalls;
        figures[`${label} open: full sweep (the reconciler before), seconds`] = Number(full.seconds.toFixed(2));
      }
    }
    const calls = scheduled.map((run) => run.dynamodbCalls + run.stepFunctionsCalls);
    const ratio = calls[calls.length - 1]! / calls[0]!;
    figures['calls of a run at 100,000 / at 1,000 open'] = Number(ratio.toFixed(2));
    // Bounded: from 1,000 open on, a run checks SWEEP_PER_RUN tickets; a few calls either way (the stretch's pages) are noise.
    figures["target: a run's work independent of healthy open tickets"] = ratio < 1.1 ? 'met' : 'TARGET MISSED';
    return { name: 'reconcile (work per scheduled run)', figures };
  } finally {
    sfn.restore();
    await runtime.stop();
  }
}

/** Healthy open tickets `from`..`to`-1: the ticket item as the store indexes it by status, and its execution's parked token for the current version. */
async function writeHealthyOpenTickets(store: DynamoStore, from: number, to: number): Promise<number> {
  const createdAt = Date.UTC(2026, 10, 1);
  const writer = new BatchWriter(store);
  for (let n = from; n < to; n++) {
    const id = `BENCH-${String(n).padStart(7, '0')}`;
    const at = new Date(createdAt + n * 1_000).toISOString();
    const ticket = { id, caseNumber: id, status: 'open', version: 3, workflowRun: 1, subject: `Bench ${n}`, createdAt: at, updatedAt: at };
    await writer.add([
      { PK: `TICKET#${id}`, SK: 'A', GSI3PK: 'STATUS#active', GSI3SK: `${at}#${id}`, version: 3, ticket },
      { PK: `TICKET#${id}`, SK: 'WAIT', token: `token-${id}`, version: 3 },
    ]);
  }
  await writer.flush();
  return to;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await benchReconcile();
  console.log(`\n${result.name}`);
  for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(64)} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`);
}
