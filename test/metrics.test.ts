/**
 * The business metrics the alarms and the dashboard read (functions/shared/metrics.ts,
 * lib/monitoring/monitoring.ts), as the real handlers emit them on the local runtime: the
 * embedded-metric-format lines CloudWatch Logs turns into metrics, read back from stdout.
 * The policy (test/fixtures/sla-workflow-policy.yaml) breaches a severity 1 response in 10 seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaHandler } from '../functions/shared/lambda-handler';
import { METRIC, METRICS_NAMESPACE } from '../functions/shared/metrics';
import { logger } from '../functions/shared/runtime';
import { handler as reconcile } from '../functions/workflow/reconcile';
import { lambdaContext } from '../local/gateway';
import { api, type Runtime, startTestRuntime } from './support/runtime';

// Before any handler module builds its Metrics (imports are hoisted above plain statements).
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_SERVICE_NAME = 'tierdesk-test';
});

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const lines: EmfLine[] = [];
/** Everything written to stdout and stderr while the file runs (log lines). */
const output: string[] = [];
let runtime: Runtime;

beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  const writeError = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: any[]) => {
    output.push(String(chunk));
    return writeError(chunk, ...rest);
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: any[]) => {
    output.push(String(chunk));
    for (const line of String(chunk).split('\n')) {
      if (line.includes('"_aws"')) lines.push(JSON.parse(line) as EmfLine);
    }
    return write(chunk, ...rest);
  });
  runtime = await startTestRuntime({ policy: 'test/fixtures/sla-workflow-policy.yaml' });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await runtime?.stop();
});

/** The data points of a metric: its value and its dimensions, from every line that carries it. */
function points(name: string): { value: number; dimensions: Record<string, unknown> }[] {
  return lines.flatMap((line) =>
    line._aws.CloudWatchMetrics.filter((directive) => directive.Metrics.some((metric) => metric.Name === name)).map((directive) => {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const value = line[name];
      return {
        value: Array.isArray(value) ? value.reduce((sum: number, v: number) => sum + v, 0) : (value as number),
        dimensions: Object.fromEntries(directive.Dimensions.flat().map((dimension) => [dimension, line[dimension]])),
      };
    }),
  );
}

async function eventually(name: string, withinMs: number) {
  const deadline = Date.now() + withinMs;
  while (points(name).length === 0) {
    if (Date.now() > deadline) throw new Error(`no ${name} metric within ${withinMs} ms; seen: ${lines.flatMap((l) => l._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).join(', ')}`);
    await sleep(200);
  }
  return points(name);
}

describe("the handlers' log lines", () => {
  it('carry the service the stack names (POWERTOOLS_SERVICE_NAME), as the metrics do', () => {
    logger.error('service name probe');
    const line = output
      .join('')
      .split('\n')
      .find((text) => text.includes('service name probe'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).service).toBe('tierdesk-test');
  });

  it('name the invocation (function, request id, cold start), and a direct call without a Lambda context still runs', async () => {
    const logged = (probe: string) =>
      output
        .join('')
        .split('\n')
        .filter((text) => text.includes(probe))
        .map((text) => JSON.parse(text) as Record<string, unknown>);
    const probe = lambdaHandler(async (event: { probe: string }) => {
      logger.error(event.probe);
      return event.probe.length;
    });

    const invoked = await probe({ probe: 'invocation probe' }, lambdaContext('tierdesk-step', Date.now() + 60_000));
    const direct = await probe({ probe: 'direct call probe' });

    expect([invoked, direct]).toEqual([16, 17]);
    expect(logged('invocation probe')).toEqual([expect.objectContaining({ function_name: 'tierdesk-step', function_request_id: expect.any(String), cold_start: expect.any(Boolean) })]);
    expect(logged('direct call probe')).toHaveLength(1); // locally every handler shares one logger, so it may still name the last invocation
  });
});

describe('metrics emitted by the handlers (EMF)', () => {
  it('counts a ticket opened by its channel, its acknowledgement sent, its breach and the open tickets per tier', async () => {
    const created = await api(runtime)('POST', '/tickets', {
      body: { subject: 'Down', description: 'All of it.', severity: '1', requester: { email: 'ana@example.com', name: 'Ana Lima' } },
    });
    expect(created.status).toBe(201);

    expect(points(METRIC.ticketsOpened)).toEqual([{ value: 1, dimensions: { service: 'tierdesk-test', channel: 'api' } }]);
    const sent = await eventually(METRIC.mailSent, 10_000);
    expect(sent[0]!.dimensions).toEqual({ service: 'tierdesk-test' });
    const breaches = await eventually(METRIC.slaBreaches, 15_000);
    expect(breaches.reduce((sum, point) => sum + point.value, 0)).toBeGreaterThanOrEqual(1);

    const earlier = points(METRIC.openTickets).length; // the runtime reconciles once at start
    await reconcile();
    const open = points(METRIC.openTickets).slice(earlier);
    const tiers = open.map((point) => point.dimensions.tier);
    expect(new Set(tiers).size).toBe(tiers.length); // one point per tier
    expect(open.reduce((sum, point) => sum + point.value, 0)).toBe(1);
    expect(open.find((point) => point.value === 1)!.dimensions).toEqual({ service: 'tierdesk-test', tier: expect.any(String) });
  }, 40_000);

  it('counts the workflow starts a reconciler run could not make, and nothing once Step Functions takes them again', async () => {
    // Prepare: Step Functions refuses every StartExecution, as in an outage.
    const before = points(METRIC.workflowWorkOwed).length;
    const send = SFNClient.prototype.send;
    const refusing = mockClient(SFNClient);
    refusing.send.callsFake(function (this: SFNClient, command: unknown, ...rest: unknown[]) {
      if (command instanceof StartExecutionCommand) return Promise.reject(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $fault: 'server' }));
      return (send as (...args: unknown[]) => Promise<never>).apply(this, [command, ...rest]); // the executions' own calls go through
    } as never);

    // Act: a run during the outage, then one after it.
    const during = await reconcile({ redrive: 'all' }).finally(() => refusing.restore());
    const owed = points(METRIC.workflowWorkOwed).slice(before);
    const after = await reconcile({ redrive: 'all' });

    // Assess
    expect(during.failed).toBeGreaterThanOrEqual(1);
    expect(owed).toEqual([{ value: during.failed, dimensions: { service: 'tierdesk-test' } }]);
    expect(after.failed).toBe(0);
    expect(points(METRIC.workflowWorkOwed).slice(before)).toHaveLength(1); // the run after sent no point
  });

  it('does not count a retried request twice', async () => {
    const before = points(METRIC.ticketsOpened).length;
    const body = { subject: 'Once', description: 'Retried.', severity: '3', requester: { email: 'ana@example.com', name: 'Ana Lima' } };
    const headers = { 'idempotency-key': 'metrics-retry-1' };
    const first = await api(runtime)('POST', '/tickets', { body, headers });
    const again = await api(runtime)('POST', '/tickets', { body, headers });

    expect(again.body.id).toBe(first.body.id);
    expect(points(METRIC.ticketsOpened).length).toBe(before + 1);
  });
});
