/**
 * Dedicated support periods end to end on `npm start`'s runtime (test/fixtures/periods-policy.yaml:
 * 3.6-second blocks, the contact notice 4.32 s before the start), so a whole period runs in
 * seconds: booking an engineer (also when two acceptances race for her), the period's own state
 * machine with its three mails read back from the SES emulator, tickets routed to the engineer
 * during the window, and cancellation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestRuntime, type Runtime } from './support/runtime';
import { eventually } from './support/eventually';

const SLOT_MS = 3_600;
let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/periods-policy.yaml' });
  request = api(runtime);
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

/** The first slot boundary at least `leadMs` from now. */
const slotAfter = (leadMs: number) => Math.ceil((Date.now() + leadMs) / SLOT_MS) * SLOT_MS;
const iso = (ms: number) => new Date(ms).toISOString();


async function customer(id: string) {
  expect((await request('PUT', `/customers/${id}`, { body: { name: id, plan: 'standard', emailDomains: [`${id}.example`] } })).status).toBe(201);
}

async function engineer(id: string, name: string, from = Date.now(), to = Date.now() + 3_600_000) {
  const answer = await request('PUT', `/agents/${id}`, { body: { name, email: `${id}@vendor.example`, phone: '+1 202 555 0100', availability: [{ from: iso(from), to: iso(to) }] } });
  expect(answer.status).toBe(201);
}

async function order(customerId: string, start: number, blocks: number) {
  const placed = await request('POST', '/support-orders', {
    body: { customerId, purpose: 'customer-support', periods: [{ start: iso(start), hours: blocks * 0.001 }], pointOfContact: { name: 'Pat Poc', email: `poc@${customerId}.example` } },
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return placed.body.id as string;
}

const mailsTo = async (address: string) => (await runtime.ses.store()).filter((mail) => mail.destination.to.includes(address));

describe('dedicated support periods', () => {
  it('two acceptances racing for the only free engineer: exactly one gets her, the other stays pending', async () => {
    await customer('race-a');
    await customer('race-b');
    await engineer('solo', 'Solo Engineer');
    const start = slotAfter(60_000);
    // Other engineers exist, but only Solo is available then.
    const [first, second] = [await order('race-a', start, 2), await order('race-b', start + SLOT_MS, 2)];

    const answers = await Promise.all([first, second].map((id) => request('POST', `/support-orders/${id}/accept`, { body: { engineerId: 'solo' } })));

    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const statuses = answers.map((a) => a.body.status).sort();
    expect(statuses).toEqual(['accepted', 'pending']);
    const pending = answers.find((a) => a.body.status === 'pending')!.body;
    expect(pending.pendingReason).toMatch(/^subject to availability/);
    expect(answers.find((a) => a.body.status === 'accepted')!.body.periods[0].engineerId).toBe('solo');
    // Cancelling the accepted one frees her: the other can then be accepted.
    const accepted = answers.find((a) => a.body.status === 'accepted')!.body;
    expect((await request('POST', `/support-orders/${accepted.id}/cancel`)).body.status).toBe('cancelled');
    expect((await request('POST', `/support-orders/${pending.id}/accept`, { body: { engineerId: 'solo' } })).body.status).toBe('accepted');
    await request('POST', `/support-orders/${pending.id}/cancel`);
  });

  it('runs a period: contact mail, start mail, the customer\'s tickets routed to the engineer (most severe first), escalations, updates, summary mail', async () => {
    await customer('event-co');
    await engineer('ana', 'Ana Engineer');
    const start = slotAfter(6_000);
    const id = await order('event-co', start, 2); // 7.2 s
    const accepted = await request('POST', `/support-orders/${id}/accept`);
    expect(accepted.body).toMatchObject({ status: 'accepted', periods: [{ engineerId: 'ana', status: 'booked' }] });

    const notice = await eventually('the contact notice', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('engineer')), 8_000);
    expect(notice.subject).toContain(`[${id}]`);
    expect(notice.body.text).toContain('Ana Engineer');
    expect(notice.body.text).toContain('ana@vendor.example');
    expect(notice.body.text).toContain('+1 800 555 0199');
    expect(Date.now()).toBeLessThan(start); // before the start

    await eventually('the start mail', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('has started')), start - Date.now() + 4_000);
    const open = (severity: string, subject: string) =>
      request('POST', '/tickets', { body: { subject, description: 'During the event.', severity, customerId: 'event-co', requester: { email: 'guest@event-co.example', name: 'Guest' } } });
    const low = (await open('3', 'Slides do not load')).body.ticket;
    const high = (await open('1', 'Stream is down')).body.ticket;
    expect([low.assignee, high.assignee]).toEqual(['ana', 'ana']);
    expect(low.queue).toBe('dedicated:ana');
    const queue = (await request('GET', '/tickets?queue=dedicated:ana')).body.items.map((t: any) => t.caseNumber);
    expect(queue).toEqual([high.caseNumber, low.caseNumber]);

    // The engineer hands the outage to the infrastructure team (the policy's systemIssue); it and the point of contact are told.
    const escalated = await request('POST', `/tickets/${high.id}/actions`, { body: { type: 'escalate-period-issue', issue: 'system', reason: 'The encoder cluster is down.' } });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    for (const address of ['lead-infra@wf-test.example', 'oncall-infra@wf-test.example', 'poc@event-co.example']) {
      const mail = await eventually(`the escalation mail to ${address}`, async () => (await mailsTo(address)).find((m) => m.subject.includes(`[${high.caseNumber}] Escalated during the support period`)), 4_000);
      expect(mail.body.text).toContain('System issue, escalated to infrastructure: The encoder cluster is down.');
    }
    // A resolution reaches the point of contact as well as the requester.
    expect((await request('POST', `/tickets/${low.id}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'Slides re-uploaded.' } })).status).toBe(200);
    await eventually('the resolution to the point of contact', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes(`[${low.caseNumber}] Resolved`)), 4_000);
    // Every 2 s (updateEvery) the point of contact hears how the period's tickets stand.
    const update = await eventually('a period update', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('Support period update') && m.body.text?.includes(high.caseNumber)), 4_000);
    expect(update.subject).toContain(`[${id}]`);

    const summary = await eventually('the summary', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('Summary')), start + 7_200 - Date.now() + 4_000);
    expect(summary.body.text).toContain(low.caseNumber);
    expect(summary.body.text).toContain(high.caseNumber);
    expect(summary.body.text).toContain('Stream is down');
    expect(summary.body.text).toContain('system issue escalated to infrastructure');
    expect(summary.body.text).toContain('resolved: Slides re-uploaded.');
    // Updates only while the period runs: none after the summary.
    const updates = (await mailsTo('poc@event-co.example')).filter((m) => m.subject.includes('Support period update'));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(3);
    // Routing is off after the end.
    const after = (await open('3', 'After the event')).body.ticket;
    expect(after.assignee).toBeUndefined();
    expect((await request('GET', `/support-orders/${id}`)).body.periods[0].status).toBe('ended');
  }, 40_000);

  it('a cancellation while the period waits sends nothing further and frees the engineer', async () => {
    await customer('calm-co');
    await engineer('ben', 'Ben Engineer');
    const start = slotAfter(9_000);
    const id = await order('calm-co', start, 1);
    expect((await request('POST', `/support-orders/${id}/accept`, { body: { engineerId: 'ben' } })).body.status).toBe('accepted');

    expect((await request('POST', `/support-orders/${id}/cancel`)).body).toMatchObject({ status: 'cancelled', periods: [{ status: 'cancelled' }] });

    await sleep(start + 3_600 - Date.now() + 1_500);
    expect(await mailsTo('poc@calm-co.example')).toEqual([]);
    const execution = (await (await fetch(`${runtime.stepFunctionsUrl}/executions/${id}-p0`)).json()) as { status: string };
    expect(execution.status).not.toBe('RUNNING');
  }, 30_000);

  it('an order changed before the start re-plans: the old plan\'s workflow sends nothing, the new one runs at the new time', async () => {
    await customer('move-co');
    await engineer('cy', 'Cy Engineer');
    const first = slotAfter(40_000);
    const id = await order('move-co', first, 1);
    expect((await request('POST', `/support-orders/${id}/accept`, { body: { engineerId: 'cy' } })).body.status).toBe('accepted');

    const moved = slotAfter(6_000);
    const changed = await request('PUT', `/support-orders/${id}/periods`, { body: { periods: [{ start: iso(moved), hours: 0.001 }] } });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ status: 'accepted', plan: 2, periods: [{ start: iso(moved), engineerId: 'cy', status: 'booked' }] });
    const notice = await eventually('the new plan\'s notice', async () => (await mailsTo('poc@move-co.example')).find((m) => m.subject.includes('engineer')), 8_000);
    expect(notice.subject).toContain(iso(moved).slice(11, 16));
    expect(((await (await fetch(`${runtime.stepFunctionsUrl}/executions/${id}-p0`)).json()) as { status: string }).status).not.toBe('RUNNING');
    await eventually('the summary', async () => (await mailsTo('poc@move-co.example')).find((m) => m.subject.includes('Summary')), moved + 3_600 - Date.now() + 4_000);
    expect((await mailsTo('poc@move-co.example')).map((m) => m.subject.replace(/ for .*/, ''))).toEqual([
      `[${id}] Your dedicated support engineer`,
      `[${id}] Your support period has started`,
      `[${id}] Summary of your support period`,
    ]);
    // Started (here: ended): the periods can no longer change.
    expect((await request('PUT', `/support-orders/${id}/periods`, { body: { periods: [{ start: iso(slotAfter(60_000)), hours: 0.001 }] } })).status).toBe(409);
  }, 30_000);

  it('refuses a period that is not a whole number of blocks, naming it', async () => {
    await customer('odd-co');
    const placed = await request('POST', '/support-orders', {
      body: { customerId: 'odd-co', purpose: 'customer-support', periods: [{ start: iso(slotAfter(60_000)), hours: 0.0015 }], pointOfContact: { name: 'P', email: 'p@odd-co.example' } },
    });
    expect(placed.status).toBe(400);
    expect(placed.body.field).toBe('periods.0.hours');
  });
});
