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
      'target p99 < 50 ms': p99 < 50 ? 'met' : 'TARGET MISSED',
      'target ratio ≥ 0.5': ratio >= 0.5 ? 'met' : 'TARGET MISSED',
      // The same intake while every new ticket's SLA workflow (plan, acknowledgement mail, park)
      // runs in the same process and on the same DynamoDB Local: the whole local system's rate.
      'with SLA workflows: tickets/s': Math.round(withWorkflow.intake.rate),
      'with SLA workflows: p50 ms': round(percentile(withWorkflow.intake.latencies, 0.5)),
      'with SLA workflows: p99 ms': round(percentile(withWorkflow.intake.latencies, 0.99)),
    },
  };
}

async function measureIntake(workflows: boolean): Promise<{ intake: Measurement; puts: Measurement }> {
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
    // Side by side, twice each in alternation, so neither gets a warmer machine.
    const put1 = await measure(putItem, REQUESTS / 2);
    const intake1 = await measure(intake, REQUESTS / 2);
    const put2 = await measure(putItem, REQUESTS / 2);
    const intake2 = await measure(intake, REQUESTS / 2);
    return { intake: combine(intake1, intake2), puts: combine(put1, put2) };
  } finally {
    agent.destroy();
    await runtime.stop();
  }
}

function inChildProcess(workflows: boolean): Promise<{ intake: Measurement; puts: Measurement }> {
  return runInChildProcess(import.meta.url, workflows ? 'workflows' : 'api');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const measure = process.argv.find((arg) => arg.startsWith('--measure='))?.slice('--measure='.length);
  if (measure) console.log(JSON.stringify(await measureIntake(measure === 'workflows')));
  else console.log(await benchIntake());
}
