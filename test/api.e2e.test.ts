/**
 * Tickets end to end through `npm start`'s runtime: the real HTTP gateway, the real handler and
 * AWS's DynamoDB Local. Nothing is mocked.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { api, type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let acmeKey: string;
let globexKey: string;

const requester = { email: 'ana@acme.example', name: 'Ana Lima' };

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/policy.yaml' });
  request = api(runtime);
  const acme = await request('PUT', '/customers/acme', {
    body: {
      name: 'Acme Corp',
      plan: 'premium',
      designatedUsers: ['ana@acme.example'],
      contacts: [{ name: 'Ana Lima', email: 'ana@acme.example' }],
      emailDomains: ['acme.example'],
    },
  });
  expect(acme.status).toBe(201);
  const globex = await request('PUT', '/customers/globex', { body: { name: 'Globex', plan: 'standard', emailDomains: ['globex.example'] } });
  expect(globex.status).toBe(201);
  acmeKey = (await request('POST', '/api-keys', { body: { name: 'acme-portal', role: 'customer', customerId: 'acme' } })).body.key;
  globexKey = (await request('POST', '/api-keys', { body: { name: 'globex-portal', role: 'customer', customerId: 'globex' } })).body.key;
});

afterAll(async () => {
  await runtime?.stop();
});

async function newTicket(overrides: Record<string, unknown> = {}, key?: string) {
  const created = await request('POST', '/tickets', {
    body: { subject: 'Export fails', description: 'The CSV export times out after 30 s.', severity: '2', requester, ...overrides },
    ...(key ? { key } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; caseNumber: string; ticket: Record<string, any> };
}

describe('a ticket from intake to close', () => {
  it('is created with a case number, entitled by the requester, and read back with its timeline', async () => {
    const created = await newTicket({ severity: '1' });

    expect(created.caseNumber).toMatch(/^ACME-\d{6}$/);
    expect(created.ticket).toMatchObject({ customerId: 'acme', status: 'new', tier: 'L1', queue: 'frontline:priority' });
    expect(created.ticket.entitlement).toMatchObject({ status: 'entitled', designatedUser: true, queue: 'priority' });
    expect(created.ticket.sla.firstResponse.within).toBe('15m');
    const read = await request('GET', `/tickets/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body.caseNumber).toBe(created.caseNumber);
    expect(read.body.timeline.map((event: { type: string }) => event.type)).toEqual(['created']);
  });

  it('an agent reply meets the first response; actions escalate, pause, resolve and close it', async () => {
    const { id } = await newTicket();

    const reply = await request('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body: 'Looking into it.' } });
    expect(reply.status).toBe(201);
    expect(reply.body.ticket.status).toBe('open');
    expect(reply.body.ticket.sla.firstResponse.metAt).toBeDefined();
    expect(reply.body.ticket.sla.resolution?.metAt).toBeUndefined();

    const toL2 = await request('POST', `/tickets/${id}/actions`, { body: { type: 'escalate', reason: 'needs engineering' } });
    expect(toL2.status).toBe(200);
    expect(toL2.body.ticket).toMatchObject({ tier: 'L2', team: 'engineering' });

    const toL3 = await request('POST', `/tickets/${id}/actions`, { body: { type: 'escalate', reason: 'defect' } });
    expect(toL3.status).toBe(422);
    expect(toL3.body.field).toBe('details.stepsToReproduce');

    const withSteps = await request('POST', `/tickets/${id}/actions`, {
      body: { type: 'escalate', reason: 'defect', details: { stepsToReproduce: '1. Export 10k rows 2. wait' } },
    });
    expect(withSteps.status).toBe(200);
    expect(withSteps.body.ticket.tier).toBe('L3');

    const paused = await request('POST', `/tickets/${id}/actions`, { body: { type: 'pause' } });
    expect(paused.body.ticket.status).toBe('pending-customer');
    const resumedByCustomer = await request('POST', `/tickets/${id}/messages`, { body: { body: 'Here is the log.' }, key: acmeKey });
    expect(resumedByCustomer.body.ticket.status).toBe('open');

    const resolved = await request('POST', `/tickets/${id}/actions`, { body: { type: 'resolve', resolutionType: 'workaround', text: 'Export in pages.' } });
    expect(resolved.body.ticket).toMatchObject({ status: 'resolved', resolution: { type: 'workaround' } });
    const closed = await request('POST', `/tickets/${id}/actions`, { body: { type: 'close' } });
    expect(closed.body.ticket.status).toBe('closed');
    const afterClose = await request('POST', `/tickets/${id}/messages`, { body: { body: 'one more thing' } });
    expect(afterClose.status).toBe(409);

    const timeline = (await request('GET', `/tickets/${id}`)).body.timeline.map((event: { type: string }) => event.type);
    expect(timeline).toEqual(expect.arrayContaining(['created', 'agent-reply', 'escalated', 'customer-message', 'resolved', 'closed']));
  });

  it('lists a queue with the next due first and leaves resolved tickets out', async () => {
    const later = await newTicket({ severity: '2', requester: { email: 'bo@globex.example', name: 'Bo' } }); // 4 business hours
    const sooner = await newTicket({ severity: '1', requester: { email: 'cy@globex.example', name: 'Cy' } }); // 30 minutes
    const gone = await newTicket({ severity: '1', requester: { email: 'di@globex.example', name: 'Di' } });
    await request('POST', `/tickets/${gone.id}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'fixed' } });

    const queue = await request('GET', '/tickets?queue=frontline&customer=globex');

    const ids = queue.body.items.map((ticket: { id: string }) => ticket.id);
    expect(ids).toEqual([sooner.id, later.id]);
    const dues = queue.body.items.map((ticket: any) => ticket.sla.nextDue);
    expect([...dues].sort()).toEqual(dues);
  });

  it('lists every ticket still being worked by default (new, open, pending), and resolved ones on request', async () => {
    const fresh = await newTicket();
    const pending = await newTicket();
    await request('POST', `/tickets/${pending.id}/actions`, { body: { type: 'pause' } });
    const done = await newTicket();
    await request('POST', `/tickets/${done.id}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'fixed' } });

    const active = (await request('GET', '/tickets?limit=100')).body.items.map((ticket: { id: string }) => ticket.id);
    const pendingOnly = (await request('GET', '/tickets?status=pending-customer&limit=100')).body.items.map((ticket: { id: string }) => ticket.id);
    const resolved = (await request('GET', '/tickets?status=resolved&limit=100')).body.items.map((ticket: { id: string }) => ticket.id);

    expect(active).toEqual(expect.arrayContaining([fresh.id, pending.id]));
    expect(active).not.toContain(done.id);
    expect(pendingOnly).toContain(pending.id);
    expect(pendingOnly).not.toContain(fresh.id);
    expect(resolved).toContain(done.id);
  });

  it("pages a customer's tickets newest first with a cursor", async () => {
    const first = await request('GET', '/tickets?customer=globex&limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await request('GET', `/tickets?customer=globex&limit=2&cursor=${first.body.cursor}`);
    expect(second.body.items.length).toBeGreaterThan(0);
    const all = [...first.body.items, ...second.body.items].map((ticket: { createdAt: string }) => ticket.createdAt);
    expect([...all].sort().reverse()).toEqual(all);
  });
});

describe('access with customer keys', () => {
  it("a customer key files for its own customer and cannot see or change another customer's ticket (404)", async () => {
    const ownTicket = await newTicket({}, acmeKey);
    expect(ownTicket.ticket.customerId).toBe('acme');
    expect(ownTicket.ticket.entitlement).toBeUndefined(); // routing details stay internal

    expect((await request('GET', `/tickets/${ownTicket.id}`, { key: globexKey })).status).toBe(404);
    expect((await request('POST', `/tickets/${ownTicket.id}/messages`, { key: globexKey, body: { body: 'hi' } })).status).toBe(404);
    const list = await request('GET', '/tickets?customer=acme', { key: globexKey });
    expect(list.body.items).toEqual([]);
  });

  it('a customer never sees internal notes', async () => {
    const { id } = await newTicket({}, acmeKey);
    await request('POST', `/tickets/${id}/messages`, { body: { kind: 'internal-note', body: 'customer is on an old build' } });

    const asCustomer = await request('GET', `/tickets/${id}`, { key: acmeKey });
    const asAgent = await request('GET', `/tickets/${id}`);

    expect(asAgent.body.timeline.some((event: { type: string }) => event.type === 'internal-note')).toBe(true);
    expect(asCustomer.body.timeline.some((event: { type: string }) => event.type === 'internal-note')).toBe(false);
  });

  it('a customer may ask to escalate to management, and is told who answers by when; an agent acknowledges it', async () => {
    const { id, caseNumber } = await newTicket({ requester: { ...requester, timeZone: 'Asia/Tokyo' } }, acmeKey);

    const asked = await request('POST', `/tickets/${id}/actions`, { key: acmeKey, body: { type: 'customer-escalate', reason: 'No progress for a week' } });
    const resolvedByCustomer = await request('POST', `/tickets/${id}/actions`, { key: acmeKey, body: { type: 'resolve', resolutionType: 'fix', text: 'x' } });
    const acknowledged = await request('POST', `/tickets/${id}/actions`, { body: { type: 'acknowledge-escalation' } });

    expect(asked.status).toBe(200);
    expect(asked.body.ticket.sla.management).toMatchObject({ stepId: 'csm', within: '4h' });
    // The requester's confirmation: the step, its target in words, the due instant in their zone and UTC.
    const due = DateTime.fromISO(asked.body.ticket.sla.management.due, { zone: 'UTC' });
    const local = due.setZone('Asia/Tokyo');
    const confirmation = await eventually(
      'the escalation confirmation',
      async () => (await runtime.ses.store()).find((mail) => mail.subject.includes(`[${caseNumber}] Your escalation is with our Customer Success Manager`)),
      20_000,
    );
    expect(confirmation.destination.to).toEqual([requester.email]);
    expect(confirmation.body.text).toContain(
      `to our Customer Success Manager, who will respond within 4 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays), ` +
        `that is by ${local.toFormat('ccc d LLL yyyy HH:mm')} Asia/Tokyo (${due.toFormat(local.toISODate() === due.toISODate() ? 'HH:mm' : 'ccc d LLL yyyy HH:mm')} UTC).`,
    );
    expect(resolvedByCustomer.status).toBe(403);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.ticket.sla.management.acknowledgedAt).toEqual(expect.any(String));
  });

  it('refuses a missing or unknown key with 401', async () => {
    expect((await request('GET', '/tickets', { key: '' })).status).toBe(401);
    expect((await request('GET', '/tickets', { key: 'td_admin_forged' })).status).toBe(401);
  });
});

describe('nothing lost, nothing doubled', () => {
  it('50 parallel POST /tickets with one Idempotency-Key make exactly one ticket', async () => {
    const body = { subject: 'Portal down', description: 'All users see 502', severity: '1', requester: { email: 'ops@globex.example', name: 'Ops' } };

    const answers = await Promise.all(Array.from({ length: 50 }, () => request('POST', '/tickets', { body, headers: { 'idempotency-key': 'retry-me-50' } })));

    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    const listed = await request('GET', '/tickets?customer=globex&limit=100');
    expect(listed.body.items.filter((ticket: { subject: string }) => ticket.subject === 'Portal down')).toHaveLength(1);
  });

  it('the same Idempotency-Key with another body is refused with 422 naming the header', async () => {
    const body = { subject: 'A', description: 'a', severity: '2', requester };
    await request('POST', '/tickets', { body, headers: { 'idempotency-key': 'k-mismatch' } });

    const reused = await request('POST', '/tickets', { body: { ...body, subject: 'B' }, headers: { 'idempotency-key': 'k-mismatch' } });

    expect(reused.status).toBe(422);
    expect(reused.body.field).toBe('Idempotency-Key');
  });

  it('20 parallel updates of one ticket lose none', async () => {
    const { id } = await newTicket();

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => request('POST', `/tickets/${id}/messages`, { body: { kind: 'internal-note', body: `note ${i}` } })));

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    const read = await request('GET', `/tickets/${id}`);
    const notes = read.body.timeline.filter((event: { type: string }) => event.type === 'internal-note').map((event: { body: string }) => event.body);
    expect(notes.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `note ${i}`).sort());
    // Intake, 20 notes, and the workflow's writes once it ran: the acknowledgement recorded and
    // queued, then taken out of the outbox with its 'notification-sent' event.
    const workflowWrites = (read.body.intakeAcknowledgedAt ? 1 : 0) + (read.body.timeline.some((event: { type: string }) => event.type === 'notification-sent') ? 1 : 0);
    expect(read.body.version).toBe(21 + workflowWrites);
  });

  it('If-Match with a stale version answers 409 instead of overwriting', async () => {
    const { id } = await newTicket();
    await request('POST', `/tickets/${id}/actions`, { body: { type: 'assign', assignee: 'sam' } });

    const stale = await request('POST', `/tickets/${id}/actions`, { body: { type: 'assign', assignee: 'kim' }, headers: { 'if-match': '1' } });

    expect(stale.status).toBe(409);
    expect((await request('GET', `/tickets/${id}`)).body.assignee).toBe('sam');
  });
});

describe('bad input gets a 4xx naming the field', () => {
  it.each([
    ['a missing subject', { description: 'd', severity: '1', requester }, 'subject'],
    ['an invalid email', { subject: 's', description: 'd', severity: '1', requester: { email: 'nope', name: 'N' } }, 'requester.email'],
    ['an unknown field', { subject: 's', description: 'd', severity: '1', requester, colour: 'red' }, 'colour'],
  ])('%s → 400', async (_name, body, field) => {
    const answer = await request('POST', '/tickets', { body });

    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('an unknown severity → 400 naming severity', async () => {
    const answer = await request('POST', '/tickets', { body: { subject: 's', description: 'd', severity: '7', requester } });

    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe('severity');
  });

  it('a severity by its name is stored by id, on intake and on set-severity; an unknown case reason → 422 naming caseReason (issue [9])', async () => {
    const created = await newTicket({ severity: ' HIGH ' });
    const raised = await request('POST', `/tickets/${created.id}/actions`, { body: { type: 'set-severity', severity: 'Critical' } });
    const badReason = await request('POST', '/tickets', { body: { subject: 's', description: 'd', severity: 'critical', caseReason: 'Billing', requester } });

    expect(created.ticket.severity).toBe('2');
    expect(raised.status).toBe(200);
    expect(raised.body.ticket.severity).toBe('1');
    expect(badReason.status).toBe(422);
    expect(badReason.body).toMatchObject({ field: 'caseReason', message: 'unknown case reason "Billing" (known: none)' });
  });

  it('a body that is not JSON → 400; an unknown ticket → 404; a bad cursor → 400', async () => {
    expect((await request('POST', '/tickets', { rawBody: '{"subject":' })).status).toBe(400);
    expect((await request('GET', '/tickets/ACME-999999')).status).toBe(404);
    const cursor = await request('GET', '/tickets?customer=acme&cursor=garbage');
    expect(cursor.status).toBe(400);
    expect(cursor.body.field).toBe('cursor');
  });

  it('an address already used by another customer → 409 naming the field', async () => {
    const answer = await request('PUT', '/customers/initech', { body: { name: 'Initech', plan: 'standard', emailDomains: ['acme.example'] } });

    expect(answer.status).toBe(409);
    expect(answer.body.field).toBe('emailDomains');
  });
});

describe('service documents', () => {
  it('GET /health and GET /openapi.json answer without a key', async () => {
    expect((await request('GET', '/health', { key: '' })).body).toEqual({ status: 'ok' });
    const openapi = await request('GET', '/openapi.json', { key: '' });
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/tickets', '/tickets/{id}', '/tickets/{id}/actions', '/customers/{id}']));
    expect(openapi.body.paths['/tickets'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['subject', 'description', 'severity', 'requester']));
    // The retryable answers a client must handle (test/faults.e2e.test.ts produces the 503).
    expect(openapi.body.paths['/tickets'].post.responses['503']).toEqual({ $ref: '#/components/responses/Unavailable' });
    expect(openapi.body.components.responses.Unavailable.headers['Retry-After']).toBeDefined();
    // An attachment is a redirect to a short-lived download URL, not the file; asked for JSON
    // (a browser cannot follow a redirect to S3's origin), the same link as a body.
    const attachment = openapi.body.paths['/tickets/{id}/attachments/{eventId}/{n}'].get.responses;
    expect(attachment['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AttachmentLink' });
    expect(attachment['302'].headers.Location.schema).toEqual({ type: 'string', format: 'uri' });
  });
});
