/**
 * Intake through the local gateway (HTTP → handler → DynamoDB Local) against the raw PutItem
 * rate of the same DynamoDB Local in the same run: the ratio is what intake costs on top of
 * one write. Since the inbox ([11]) a new ticket is one transaction of many items (the ticket, its
 * view entries, counters and search postings, the start it is owed), and DynamoDB Local runs
 * transactions one at a time, so the run also measures a bare transaction of that many items
 * (each with an index key, as postings and view entries have): intake against it is what the
 * handler costs on top of its one write. And the same items with the search postings apart (a
 * transaction of the rest, then one batch write of the postings): the most a new ticket's writes
 * could reach on DynamoDB Local with its counters kept in one transaction, before any workflow.
 * Run directly with `npx tsx bench/intake.ts`.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { BatchWriteItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { WORKFLOW_PENDING_SK } from '../functions/store/dynamo-store';
import { localClient } from '../local/dynamodb';
import { startRuntime } from '../local/runtime';
import type { BenchResult } from './calendar';
import { combine, IN_FLIGHT, type Measurement, measure, percentile, round, runInChildProcess } from './measure';

const WARM_UP = 400;
const REQUESTS = 1_000;

export async function benchIntake(): Promise<BenchResult> {
  // Each in its own process: handler modules keep the clients of the runtime they first saw.
  const api = await inChildProcess(false);
  const withWorkflow = await inChildProcess(true);
  const ratio = api.intake.rate / api.puts.rate;
  const p99 = percentile(api.intake.latencies, 0.99);
  return {
    name: 'intake (POST /tickets through the local gateway, DynamoDB Local)',
    figures: {
      'requests measured (each side)': REQUESTS,
      'requests in flight': IN_FLIGHT,
      'intake tickets/s (API path)': Math.round(api.intake.rate),
      'intake p50 ms': round(percentile(api.intake.latencies, 0.5)),
      'intake p99 ms': round(p99),
      'raw PutItem/s (same DynamoDB Local)': Math.round(api.puts.rate),
      'raw PutItem p50 ms': round(percentile(api.puts.latencies, 0.5)),
      'ratio intake / PutItem': Number(ratio.toFixed(2)),
      "items in a new ticket's transaction": api.transactionItems,
      [`raw TransactWriteItems of ${api.transactionItems} items/s (same DynamoDB Local)`]: Math.round(api.transactions.rate),
      'ratio intake / that transaction': Number((api.intake.rate / api.transactions.rate).toFixed(2)),
      [`its ${api.postings} search postings apart: a transaction of ${api.transactionItems - api.postings} items, then a batch write of ${api.postings}, /s`]: Math.round(api.split.rate),
      'target p99 < 50 ms': p99 < 50 ? 'met' : 'TARGET MISSED',
      'target ratio ≥ 0.5': ratio >= 0.5 ? 'met' : 'TARGET MISSED',
      // The same intake while every new ticket's SLA workflow (plan, acknowledgement mail, park)
      // runs in the same process and on the same DynamoDB Local: the whole local system's rate.
      'with SLA workflows: tickets/s': Math.round(withWorkflow.intake.rate),
      'with SLA workflows: p50 ms': round(percentile(withWorkflow.intake.latencies, 0.5)),
      'with SLA workflows: p99 ms': round(percentile(withWorkflow.intake.latencies, 0.99)),
      'target with SLA workflows ≥ 100/s, p99 < 150 ms':
        withWorkflow.intake.rate >= 100 && percentile(withWorkflow.intake.latencies, 0.99) < 150 ? 'met' : 'TARGET MISSED (DynamoDB Local runs one write at a time: see the line above)',
    },
  };
}

interface IntakeMeasurement {
  intake: Measurement;
  puts: Measurement;
  transactions: Measurement;
  transactionItems: number;
  /** The same items, the search postings written apart in one batch. */
  split: Measurement;
  postings: number;
}

async function measureIntake(workflows: boolean): Promise<IntakeMeasurement> {
  const runtime = await startRuntime({ inMemory: true, port: 0, quiet: true, policy: 'caret', adminKey: 'td_admin_bench', workflows });
  // node:http with keep-alive: a lean load generator, so its own cost stays out of the figures.
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  try {
    const body = JSON.stringify({
      subject: 'Export fails',
      description: 'The CSV export times out after 30 seconds for reports with more than 10,000 rows.',
      severity: 'sev2',
      requester: { email: 'pat@customer.example', name: 'Pat Example' },
    });
    const target = new URL(`${runtime.url}/tickets`);
    const intake = () =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          target,
          { method: 'POST', agent, headers: { authorization: `Bearer ${runtime.adminKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (response) => {
            response.resume();
            response.on('end', () => (response.statusCode === 201 ? resolve() : reject(new Error(`intake answered ${response.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const client = localClient(runtime.dynamodbEndpoint);
    const putItem = () =>
      client.send(
        new PutItemCommand({
          TableName: runtime.tableName,
          Item: { PK: { S: `BENCH#${randomUUID()}` }, SK: { S: 'A' }, body: { S: body } },
        }),
      );

    await measure(putItem, WARM_UP);
    await measure(intake, WARM_UP);
    // What one new ticket wrote: every item under its key (the ticket, view entries, postings, and
    // the start owed, counted once whether or not a workflow cleared it) and the counters its views added to.
    const sample = (await (await fetch(target, { method: 'POST', headers: { authorization: `Bearer ${runtime.adminKey}`, 'content-type': 'application/json' }, body })).json()) as { id: string };
    const items =
      (await client.send(new QueryCommand({ TableName: runtime.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': { S: `TICKET#${sample.id}` } } }))).Items ?? [];
    const counters = items.find((item) => item.SK?.S === 'A')?.inboxKeys?.L?.length ?? 0;
    const transactionItems = items.filter((item) => item.SK?.S !== WORKFLOW_PENDING_SK).length + 1 + counters;
    const postings = items.filter((item) => item.SK?.S?.startsWith('TOKEN#')).length;
    const benchItem = (i: number) => ({ PK: { S: `BENCH#${randomUUID()}` }, SK: { S: `T${i}` }, GSI3PK: { S: `BENCH#${i}` }, GSI3SK: { S: randomUUID() }, body: { S: 'x' } });
    const transactionOf = (count: number) => () =>
      client.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: count }, (_, i) => ({ Put: { TableName: runtime.tableName, Item: benchItem(i) } })) }));
    const transaction = transactionOf(transactionItems);
    const split = async () => {
      await transactionOf(transactionItems - postings)();
      // BatchWriteItem takes 25 items at a time.
      for (let from = 0; from < postings; from += 25) {
        const batch = Array.from({ length: Math.min(25, postings - from) }, (_, i) => ({ PutRequest: { Item: benchItem(from + i) } }));
        await client.send(new BatchWriteItemCommand({ RequestItems: { [runtime.tableName]: batch } }));
      }
    };
    await measure(transaction, WARM_UP / 4);
    await measure(split, WARM_UP / 4);
    // Side by side, twice each in alternation, so none gets a warmer machine.
    const put1 = await measure(putItem, REQUESTS / 2);
    const transaction1 = await measure(transaction, REQUESTS / 4);
    const split1 = await measure(split, REQUESTS / 4);
    const intake1 = await measure(intake, REQUESTS / 2);
    const put2 = await measure(putItem, REQUESTS / 2);
    const transaction2 = await measure(transaction, REQUESTS / 4);
    const split2 = await measure(split, REQUESTS / 4);
    const intake2 = await measure(intake, REQUESTS / 2);
    return {
      intake: combine(intake1, intake2),
      puts: combine(put1, put2),
      transactions: combine(transaction1, transaction2),
      transactionItems,
      split: combine(split1, split2),
      postings,
    };
  } finally {
    agent.destroy();
    await runtime.stop();
  }
}

function inChildProcess(workflows: boolean): Promise<IntakeMeasurement> {
  return runInChildProcess(import.meta.url, workflows ? 'workflows' : 'api');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const measure = process.argv.find((arg) => arg.startsWith('--measure='))?.slice('--measure='.length);
  if (measure) console.log(JSON.stringify(await measureIntake(measure === 'workflows')));
  else console.log(await benchIntake());
}
