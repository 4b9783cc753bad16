/**
 * Intake through the local gateway (HTTP → handler → DynamoDB Local) against the raw PutItem
 * rate of the same DynamoDB Local in the same run: the ratio is what intake costs on top of
 * one write. Run directly with `npx tsx bench/intake.ts`.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { localClient } from '../local/dynamodb';
import { startRuntime } from '../local/runtime';
import type { BenchResult } from './calendar';

const WARM_UP = 400;
const REQUESTS = 1_000;
const IN_FLIGHT = 8;

export async function benchIntake(): Promise<BenchResult> {
  const runtime = await startRuntime({ inMemory: true, port: 0, quiet: true, policy: 'caret', adminKey: 'td_admin_bench' });
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
    // Side by side, twice each in alternation, so neither gets a warmer machine.
    const put1 = await measure(putItem, REQUESTS / 2);
    const intake1 = await measure(intake, REQUESTS / 2);
    const put2 = await measure(putItem, REQUESTS / 2);
    const intake2 = await measure(intake, REQUESTS / 2);
    const puts = combine(put1, put2);
    const intakes = combine(intake1, intake2);
    const p99 = percentile(intakes.latencies, 0.99);
    const ratio = intakes.rate / puts.rate;
    return {
      name: 'intake (POST /tickets through the local gateway, DynamoDB Local)',
      figures: {
        'requests measured (each side)': REQUESTS,
        'requests in flight': IN_FLIGHT,
        'intake tickets/s': Math.round(intakes.rate),
        'intake p50 ms': round(percentile(intakes.latencies, 0.5)),
        'intake p99 ms': round(p99),
        'raw PutItem/s (same DynamoDB Local)': Math.round(puts.rate),
        'raw PutItem p50 ms': round(percentile(puts.latencies, 0.5)),
        'ratio intake / PutItem': Number(ratio.toFixed(2)),
        'target p99 < 50 ms': p99 < 50 ? 'met' : 'TARGET MISSED',
        'target ratio ≥ 0.5': ratio >= 0.5 ? 'met' : 'TARGET MISSED',
      },
    };
  } finally {
    agent.destroy();
    await runtime.stop();
  }
}

interface Measurement {
  rate: number;
  latencies: number[];
  count: number;
  ms: number;
}

async function measure(operation: () => Promise<unknown>, count: number): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next++;
        const began = performance.now();
        await operation();
        latencies.push(performance.now() - began);
      }
    }),
  );
  const ms = performance.now() - start;
  return { rate: (count / ms) * 1000, latencies, count, ms };
}

function combine(a: Measurement, b: Measurement): Measurement {
  const count = a.count + b.count;
  const ms = a.ms + b.ms;
  return { rate: (count / ms) * 1000, latencies: [...a.latencies, ...b.latencies], count, ms };
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchIntake());
}
