/**
 * The reconciler's safety sweep is paced ([12], docs/sla-workflow.md): a run reads at most a
 * fixed number of open tickets, from where the last run stopped, so a run costs the same however
 * many tickets are open, and every open ticket is still seen once a cycle. On the local runtime
 * (DynamoDB Local, the local Step Functions).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime } from '../functions/shared/runtime';
import { SWEEP_PER_RUN } from '../functions/workflow/reconcile';
import { api, type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
let request: ReturnType<typeof api>;
const created: string[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  request = api(runtime);
  for (let i = 0; i < 7; i++) {
    const answer = await request('POST', '/tickets', {
      body: { subject: `Sweep ${i} ${randomUUID()}`, description: 'The export stopped.', severity: 'sev3', requester: { email: 'ana@example.com', name: 'Ana Lima' } },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    created.push(answer.body.id as string);
  }
  // One resolved: a resolved ticket still has a clock (it closes on its own), so the sweep covers it too.
  expect((await request('POST', `/tickets/${created[6]}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'Fixed by the patch.' } })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('the paced safety sweep', () => {
  it('reads a stretch of at most its budget a run, resumes where it stopped, and sees every ticket with a clock once a cycle', async () => {
    const { store } = getRuntime();
    const stretches: string[][] = [];
    let done = false;
    // Finish whatever cycle earlier runs left open, then one whole cycle from the start.
    while (!(await store.sweepStretch(['active', 'resolved'], 3)).done);
    while (!done && stretches.length < 20) {
      const stretch = await store.sweepStretch(['active', 'resolved'], 3);
      stretches.push(stretch.tickets.map((ticket) => ticket.id));
      done = stretch.done;
    }

    expect(done).toBe(true);
    for (const stretch of stretches) expect(stretch.length).toBeLessThanOrEqual(3);
    const seen = stretches.flat();
    expect(new Set(seen).size).toBe(seen.length); // no ticket twice in one cycle
    expect(seen).toEqual(expect.arrayContaining(created)); // the resolved one included
    expect(stretches.length).toBeGreaterThanOrEqual(Math.ceil(seen.length / 3));
  });

  it('a run of the handler, with fewer open tickets than its budget, checks them all in one stretch; the tickets the API opened owe no start or wake', async () => {
    const { handler: reconcile } = await import('../functions/workflow/reconcile');
    const outcome = await reconcile();
    expect(created.length).toBeLessThan(SWEEP_PER_RUN);
    expect(outcome.sweepDone).toBe(true);
    expect(outcome.tickets).toBeGreaterThanOrEqual(created.length);
    expect(outcome.failed).toBe(0);
    expect(await getRuntime().store.pendingWorkflows(500)).toEqual([]);
  });
});
