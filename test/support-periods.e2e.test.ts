/**
 * Dedicated support periods end to end on `npm start`'s runtime (test/fixtures/periods-policy.yaml:
 * 3.6-second blocks, the contact notice 4.32 s before the start), so a whole period runs in
 * seconds: booking an engineer (also when two acceptances race for her), the period's own state
 * machine with its three mails read back from the SES emulator, tickets routed to the engineer
 * during the window, and cancellation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime } from '../functions/shared/runtime';
import { eventually } from './support/eventually';
import { api, type Runtime, startTestRuntime } from './support/runtime';

const SLOT_MS = 3_600;
let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/periods-policy.yaml' });
  request = api(runtime);
});

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
  it('a cancellation whose order changed in the meantime (its mail execution took out what it sent) is read again and done, not refused', async () => {
    // Prepare: a placed order, and a change to it landing between the cancellation's read and its write.
    await customer('busy-co');
    const id = await order('busy-co', slotAfter(120_000), 1);
    const { store } = getRuntime();
    let interposed = 0;
    const interpose = 'interpose-order-change';
    store.doc.middlewareStack.add(
      (next) => async (args) => {
        // The cancellation's write: a transaction, or one conditional write when it is the order alone.
        const write = args.input as { TransactItems?: unknown; ConditionExpression?: unknown } | undefined;
        if (write && (write.TransactItems || write.ConditionExpression) && JSON.stringify(write).includes(`ORDER#${id}`) && interposed === 0) {
          interposed++;
          await store.doc.send(
            new UpdateCommand({
              TableName: store.tableName,
              Key: { PK: 'ORDERS', SK: `ORDER#${id}` },
              UpdateExpression: 'SET version = version + :one, #order.version = #order.version + :one',
              ExpressionAttributeNames: { '#order': 'order' },
              ExpressionAttributeValues: { ':one': 1 },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: interpose },
    );
    try {
      // Act
      const cancelled = await request('POST', `/support-orders/${id}/cancel`);

      // Assess
      expect(interposed).toBe(1);
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await request('GET', `/support-orders/${id}`)).body.status).toBe('cancelled');
    } finally {
      store.doc.middlewareStack.remove(interpose);
    }
  });

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

  it("runs a period: order mails, contact mail, start mail, the customer's tickets routed to the engineer (who is mailed), escalations into the team's queue, updates, the hand-over at the end, summary mail", async () => {
    await customer('event-co');
    // Ana cannot be booked yet: her availability ends before the period.
    await engineer('ana', 'Ana Engineer', Date.now() - 60_000, Date.now() - 30_000);
    // Far enough out for the order's three mails and two acceptances however slow the machine is.
    const start = slotAfter(30_000);
    const id = await order('event-co', start, 2); // 7.2 s

    // Staff (supportPeriods.ordersTeam: period-desk) hear of the new order.
    const placed = await eventually('the new-order mail to staff', async () => (await mailsTo('orders@wf-test.example')).find((m) => m.subject.includes(`[${id}]`)), 8_000);
    expect(placed.subject).toBe(`[${id}] New support order from event-co`);
    expect(placed.body.text).toContain('Pat Poc <poc@event-co.example>');
    expect(placed.body.text).toContain(`POST /support-orders/${id}/accept`);

    // Nobody named is free: the order waits, and the point of contact is told it is subject to availability.
    const waiting = await request('POST', `/support-orders/${id}/accept`, { body: { engineerId: 'ana' } });
    expect(waiting.body.status).toBe('pending');
    expect(waiting.body.pendingReason).toMatch(/^subject to availability: Ana Engineer is not free for period 0/);
    const pendingMail = await eventually('the pending mail', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('pending')), 8_000);
    expect(pendingMail.subject).toBe(`[${id}] Your support order is pending (subject to availability)`);
    expect(pendingMail.body.text).toContain('subject to availability');

    expect(
      (
        await request('PUT', '/agents/ana', {
          body: { name: 'Ana Engineer', email: 'ana@vendor.example', phone: '+1 202 555 0100', availability: [{ from: iso(Date.now()), to: iso(Date.now() + 3_600_000) }] },
        })
      ).status,
    ).toBe(200);
    const accepted = await request('POST', `/support-orders/${id}/accept`);
    expect(accepted.body).toMatchObject({ status: 'accepted', periods: [{ engineerId: 'ana', status: 'booked' }] });
    const acceptedMail = await eventually('the accepted mail', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('accepted')), 8_000);
    expect(acceptedMail.subject).toBe(`[${id}] Your support order is accepted`);
    expect(acceptedMail.body.text).toContain(`your order ${id} is accepted`);

    // The notice is the confirmation (CHOSEN: the document's "about ten days prior" mail).
    const notice = await eventually('the contact notice', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('engineer')), start - Date.now() + 4_000);
    expect(notice.subject).toContain(`[${id}]`);
    expect(notice.subject).toContain('is confirmed');
    expect(notice.body.text).toContain('Ana Engineer');
    expect(notice.body.text).toContain('ana@vendor.example');
    expect(notice.body.text).toContain('+1 800 555 0199');

    await eventually('the start mail', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('has started')), start - Date.now() + 4_000);
    const open = (severity: string, subject: string) =>
      request('POST', '/tickets', { body: { subject, description: 'During the event.', severity, customerId: 'event-co', requester: { email: 'guest@event-co.example', name: 'Guest' } } });
    const low = (await open('3', 'Slides do not load')).body.ticket;
    const high = (await open('1', 'Stream is down')).body.ticket;
    const mid = (await open('2', 'Badge printer offline')).body.ticket;
    expect([low.assignee, high.assignee, mid.assignee]).toEqual(['ana', 'ana', 'ana']);
    expect(low.queue).toBe('dedicated:ana');
    const queue = (await request('GET', '/tickets?queue=dedicated:ana')).body.items.map((t: any) => t.caseNumber);
    expect(queue).toEqual([high.caseNumber, mid.caseNumber, low.caseNumber]);
    // The engineer is told of each ticket routed to them.
    const routed = await eventually(
      'the routing mail to the engineer',
      async () => (await mailsTo('ana@vendor.example')).find((m) => m.subject.includes(`[${high.caseNumber}] Routed to you during the support period`)),
      8_000,
    );
    expect(routed.body.text).toContain('Stream is down');
    expect(routed.body.text).toContain(`Support order ${id}, period 0`);

    // The engineer hands the outage to the infrastructure team (the policy's systemIssue): it moves to that team's queue; they and the point of contact are told.
    const escalated = await request('POST', `/tickets/${high.id}/actions`, { body: { type: 'escalate-period-issue', issue: 'system', reason: 'The encoder cluster is down.' } });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    expect(escalated.body.ticket.queue).toBe('infrastructure');
    expect((await request('GET', '/tickets?queue=infrastructure')).body.items.map((t: any) => t.caseNumber)).toContain(high.caseNumber);
    for (const address of ['lead-infra@wf-test.example', 'oncall-infra@wf-test.example', 'poc@event-co.example']) {
      const mail = await eventually(
        `the escalation mail to ${address}`,
        async () => (await mailsTo(address)).find((m) => m.subject.includes(`[${high.caseNumber}] Escalated during the support period`)),
        4_000,
      );
      expect(mail.body.text).toContain('System issue, escalated to infrastructure: The encoder cluster is down.');
    }
    // A resolution reaches the point of contact as well as the requester.
    expect((await request('POST', `/tickets/${low.id}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'Slides re-uploaded.' } })).status).toBe(200);
    await eventually('the resolution to the point of contact', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes(`[${low.caseNumber}] Resolved`)), 4_000);
    // Every 2 s (updateEvery) the point of contact hears how the period's tickets stand.
    const update = await eventually(
      'a period update',
      async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('Support period update') && m.body.text?.includes(high.caseNumber)),
      4_000,
    );
    expect(update.subject).toContain(`[${id}]`);

    const summary = await eventually('the summary', async () => (await mailsTo('poc@event-co.example')).find((m) => m.subject.includes('Summary')), start + 7_200 - Date.now() + 8_000);
    expect(summary.body.text).toContain(low.caseNumber);
    expect(summary.body.text).toContain(high.caseNumber);
    expect(summary.body.text).toContain('Stream is down');
    expect(summary.body.text).toContain('system issue escalated to infrastructure');
    expect(summary.body.text).toContain('resolved: Slides re-uploaded.');
    // The open tickets were handed over, and the summary says to whom.
    expect(summary.body.text).toContain(`${mid.caseNumber} to team aftercare`);
    expect(summary.body.text).toContain(`${high.caseNumber} to team infrastructure`);
    // The open, unescalated ticket is in the policy's after-period queue, unassigned, with the hand-over on its timeline; its new owners are mailed.
    const handed = (await request('GET', `/tickets/${mid.id}`)).body;
    expect(handed).toMatchObject({ queue: 'aftercare', team: 'aftercare', dedicated: { handedOver: { team: 'aftercare' } } });
    expect(handed.assignee).toBeUndefined();
    expect(handed.timeline.find((e: any) => e.type === 'period-ended').body).toContain('handed over from ana to team aftercare');
    for (const address of ['lead-aftercare@wf-test.example', 'agent-aftercare@wf-test.example']) {
      const mail = await eventually(
        `the hand-over mail to ${address}`,
        async () => (await mailsTo(address)).find((m) => m.subject === `[${mid.caseNumber}] Handed over after the support period: Badge printer offline`),
        8_000,
      );
      expect(mail.body.text).toContain('has ended with the case');
    }
    // The escalated one stays with the infrastructure team, who hear it is theirs now; the resolved one is not handed to anyone.
    // (Handed over, it follows the tiers again: the fixture's 6-s L1 target may already have moved it on.)
    expect((await request('GET', `/tickets/${high.id}`)).body).toMatchObject({ dedicated: { handedOver: { team: 'infrastructure' } } });
    await eventually('the hand-over mail to infrastructure', async () => (await mailsTo('lead-infra@wf-test.example')).find((m) => m.subject.startsWith(`[${high.caseNumber}] Handed over`)), 8_000);
    expect((await mailsTo('lead-aftercare@wf-test.example')).filter((m) => m.subject.includes(low.caseNumber))).toEqual([]);
    // Updates only while the period runs: none after the summary.
    const updates = (await mailsTo('poc@event-co.example')).filter((m) => m.subject.includes('Support period update'));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(3);
    // Routing is off after the end.
    const after = (await open('3', 'After the event')).body.ticket;
    expect(after.assignee).toBeUndefined();
    expect((await request('GET', `/support-orders/${id}`)).body.periods[0].status).toBe('ended');
    // An order whose period has ended says so.
    const late = await request('PUT', `/support-orders/${id}/periods`, { body: { periods: [{ start: iso(slotAfter(60_000)), hours: 0.001 }] } });
    expect(late.status).toBe(409);
    expect(late.body.message).toContain(`period 0 of order ${id} has ended`);
  }, 90_000);

  it('a cancellation while the period waits sends nothing further and frees the engineer', async () => {
    await customer('calm-co');
    await engineer('ben', 'Ben Engineer');
    const start = slotAfter(9_000);
    const id = await order('calm-co', start, 1);
    expect((await request('POST', `/support-orders/${id}/accept`, { body: { engineerId: 'ben' } })).body.status).toBe('accepted');

    expect((await request('POST', `/support-orders/${id}/cancel`)).body).toMatchObject({ status: 'cancelled', periods: [{ status: 'cancelled' }] });

    await sleep(start + 3_600 - Date.now() + 1_500);
    // Only the order's acceptance went out: no notice, start or summary.
    expect((await mailsTo('poc@calm-co.example')).map((m) => m.subject)).toEqual([`[${id}] Your support order is accepted`]);
    const execution = (await (await fetch(`${runtime.stepFunctionsUrl}/executions/${id}-p0`)).json()) as { status: string };
    expect(execution.status).not.toBe('RUNNING');
  }, 30_000);

  it("an order changed before the start re-plans: the old plan's workflow sends nothing, the new one runs at the new time", async () => {
    await customer('move-co');
    await engineer('cy', 'Cy Engineer');
    const first = slotAfter(40_000);
    const id = await order('move-co', first, 1);
    expect((await request('POST', `/support-orders/${id}/accept`, { body: { engineerId: 'cy' } })).body.status).toBe('accepted');

    const moved = slotAfter(6_000);
    const changed = await request('PUT', `/support-orders/${id}/periods`, { body: { periods: [{ start: iso(moved), hours: 0.001 }] } });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ status: 'accepted', plan: 2, periods: [{ start: iso(moved), engineerId: 'cy', status: 'booked' }] });
    const notice = await eventually("the new plan's notice", async () => (await mailsTo('poc@move-co.example')).find((m) => m.subject.includes('engineer')), 8_000);
    expect(notice.subject).toContain(iso(moved).slice(11, 16));
    expect(((await (await fetch(`${runtime.stepFunctionsUrl}/executions/${id}-p0`)).json()) as { status: string }).status).not.toBe('RUNNING');
    await eventually('the summary', async () => (await mailsTo('poc@move-co.example')).find((m) => m.subject.includes('Summary')), moved + 3_600 - Date.now() + 4_000);
    const subjects = (await mailsTo('poc@move-co.example')).map((m) => m.subject.replace(/ for .*/, ''));
    // Accepted, and accepted again with the new periods (sent by their own execution: in any order with the period's mails).
    expect(subjects.filter((subject) => subject.includes('order is accepted'))).toEqual([`[${id}] Your support order is accepted`, `[${id}] Your support order is accepted`]);
    expect(subjects.filter((subject) => !subject.includes('order is accepted'))).toEqual([
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
