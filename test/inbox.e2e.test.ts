/**
 * The inbox API the agent console reads (issue [11], docs/inbox.md) on DynamoDB Local with the
 * Cadents preset (a partner runs Levels 1–2, Cadents Level 3): every view lists exactly its open
 * tickets next due first, a partner agent's and a customer's views stay in their scope, the
 * counts of GET /tickets/views equal what the views list (after creates, assignments,
 * escalations, pauses, resolves, and changes made at once), full-text search, and ETag / 304.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../core/policy/files';
import type { Ticket } from '../core/tickets/model';
import { DynamoStore } from '../functions/store/dynamo-store';
import { type ApiResponse, api, type Runtime, startTestRuntime } from './support/runtime';
import { signIn, userWithGroup } from './support/sign-in';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let store: DynamoStore;
let agent: string;
let partnerAgent: string;
let acmeKey: string;
let agentAssignee: string;

const PARTNER = 'partner-helpdesk';

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'cadents', workflows: false });
  request = api(runtime);
  store = new DynamoStore(runtime.tableName, new DynamoDBClient({ endpoint: runtime.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    tiers: loadPolicy('cadents').tiers,
  });
  expectStatus(await request('PUT', `/staff/partners/${PARTNER}`, { body: { name: 'Partner Helpdesk' } }), 200, 201);
  for (const [id, partner] of [
    ['globex', PARTNER],
    ['acme', undefined],
  ] as const) {
    expectStatus(await request('PUT', `/customers/${id}`, { body: { name: `${id} Inc.`, plan: 'standard', emailDomains: [`${id}.example`], ...(partner ? { partner } : {}) } }), 201);
  }
  const key = await request('POST', '/api-keys', { body: { name: 'acme portal', role: 'customer', customerId: 'acme' } });
  expectStatus(key, 201);
  acmeKey = key.body.key;
  const vendorUser = userWithGroup(runtime, 'agent');
  const partnerUser = userWithGroup(runtime, 'partner-agent', (user) => user.partner === PARTNER);
  agent = (await signIn(runtime, vendorUser.username, vendorUser.password)).idToken;
  partnerAgent = (await signIn(runtime, partnerUser.username, partnerUser.password)).idToken;
  const views = await request('GET', '/tickets/views', { key: agent });
  expectStatus(views, 200);
  agentAssignee = views.body.views.find((view: { view: string }) => view.view === 'mine').assignee;
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

/**
 * The assertions, once they hold: the view indexes (GSIs) are eventually consistent, so a write
 * may show a moment later; the last failure is thrown after a generous while.
 */
async function settled<T>(assertions: () => Promise<T>, withinMs = 20_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await assertions();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

function expectStatus(response: ApiResponse, ...statuses: number[]): void {
  expect(statuses, `${response.status} ${JSON.stringify(response.body)}`).toContain(response.status);
}

async function open(customer: string | undefined, subject: string, options: { severity?: string; email?: string; name?: string; description?: string } = {}): Promise<string> {
  const email = options.email ?? `it@${customer ?? 'nobody'}.example`;
  const body = {
    subject,
    description: options.description ?? 'Nothing more to say.',
    severity: options.severity ?? 'sev3',
    requester: { email, name: options.name ?? 'IT desk' },
    ...(customer ? { customerId: customer } : {}),
  };
  const created = await request('POST', '/tickets', { body });
  expectStatus(created, 201);
  return created.body.id;
}

const act = async (id: string, body: unknown, key?: string) => {
  const answer = await request('POST', `/tickets/${id}/actions`, { body, ...(key ? { key } : {}) });
  expectStatus(answer, 200);
  return answer.body.ticket as Ticket;
};

/** Every page of a listing (small pages, so the signed cursors are walked too). */
async function listAll(query: string, key = agent): Promise<Ticket[]> {
  const items: Ticket[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await request('GET', `/tickets?${query}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
    expectStatus(page, 200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

/** The query that lists a counted view. */
function viewQuery(view: { view: string; team?: string; tier?: string }): string {
  return `view=${view.view}${view.team ? `&team=${view.team}` : ''}${view.tier ? `&tier=${view.tier}` : ''}`;
}

/** Every count of GET /tickets/views equals the number of tickets its view lists (GSIs are eventually consistent: polled). */
async function expectCountsMatchListings(key: string): Promise<Record<string, number>> {
  return settled(async () => {
    const counted = await request('GET', '/tickets/views', { key });
    expectStatus(counted, 200);
    const totals: Record<string, number> = {};
    for (const view of counted.body.views) {
      const listed = await listAll(viewQuery(view), key);
      expect(listed.length, `${viewQuery(view)}`).toBe(view.count);
      totals[viewQuery(view)] = view.count;
    }
    return totals;
  });
}

/** Next due first (ISO instants), those without one last, then by case number. */
function expectNextDueOrder(tickets: Ticket[]): void {
  const keys = tickets.map((ticket) => `${ticket.sla.nextDue ?? '9999'}#${ticket.id}`);
  expect(keys).toEqual([...keys].sort());
}

describe('inbox views', () => {
  it('list exactly their open tickets next due first, with counts equal to the listings through every kind of change', async () => {
    // Prepare: cases of a partner's customer, a direct customer, and an unknown requester (triage).
    const g1 = await open('globex', 'Printer queue stalls', { severity: 'sev1' });
    const g2 = await open('globex', 'Login page slow', { severity: 'sev4' });
    const a1 = await open('acme', 'Invoice export fails', { severity: 'sev2' });
    const a2 = await open('acme', 'Report totals wrong', { severity: 'sev3' });
    const unknown = await open(undefined, 'Who can help me?', { email: 'someone@nowhere.example' });

    // Act: assign two to the agent, pause one (waiting on the customer), escalate one, resolve one.
    await act(g2, { type: 'assign', assignee: agentAssignee });
    await act(a1, { type: 'assign', assignee: agentAssignee });
    await act(a2, { type: 'pause' });
    await act(g1, { type: 'escalate', reason: 'needs Level 2', tier: 'level2', details: { symptoms: 'Queue stalls after 10 jobs', actionPlan: 'Reproduce on a lab printer' } });
    const resolved = await open('acme', 'Already fixed itself', { severity: 'sev4' });
    await act(resolved, { type: 'resolve', resolutionType: 'other', text: 'It works now.' });
    // The SLA clock's breach and a priority queue, written through the store's one write path as the workflow writes them.
    const stored = (await store.getTicket(a2))!;
    await store.saveTicket({ ...stored, flags: [...stored.flags, 'sla-breached'], version: stored.version + 1 }, []);
    const g2stored = (await store.getTicket(g2))!;
    await store.saveTicket({ ...g2stored, queue: `${g2stored.team}:priority`, version: g2stored.version + 1 }, []);

    // Assess: each view holds exactly its tickets, next due first.
    const ids = async (query: string) => (await listAll(query)).map((ticket) => ticket.id).sort();
    await settled(async () => {
      const openTickets = await listAll('view=open');
      expectNextDueOrder(openTickets);
      const all = openTickets.map((ticket) => ticket.id);
      expect(all.filter((id) => [g1, g2, a1, a2, unknown].includes(id)).sort()).toEqual([g1, g2, a1, a2, unknown].sort());
      expect(all).not.toContain(resolved);
      expect(await ids('view=mine')).toEqual([g2, a1].sort());
      expect(await ids('view=waiting')).toEqual([a2]);
      expect(await ids('view=breached')).toEqual([a2]);
      expect(await ids('view=priority')).toEqual([g2]);
      expect(await ids('view=triage')).toEqual([unknown]);
      expect(await ids('view=tier&tier=level2')).toEqual([g1]);
      expect(await ids('view=tier&tier=level1')).toEqual([g2, a1, a2, unknown].sort());
      expect(await ids('view=team&team=partner-level2')).toEqual([g1]);
      expectNextDueOrder(await listAll('view=tier&tier=level1'));
    });
    await expectCountsMatchListings(agent);

    // Act again: many changes at once, on the same tickets and new ones (counters are ADDs in each ticket's own transaction).
    const more = await Promise.all(Array.from({ length: 8 }, (_, i) => open(i % 2 ? 'globex' : 'acme', `Burst case ${i}`)));
    await Promise.all([
      ...more.map((id, i) => act(id, i % 3 === 0 ? { type: 'assign', assignee: agentAssignee } : i % 3 === 1 ? { type: 'pause' } : { type: 'resolve', resolutionType: 'fix', text: 'Patched.' })),
      act(g2, { type: 'assign', assignee: null }),
      act(a1, { type: 'resume' }).catch(() => undefined),
      act(a2, { type: 'resume' }),
      act(unknown, { type: 'close', reason: 'spam' }),
    ]);

    // Assess
    const totals = await expectCountsMatchListings(agent);
    expect(totals['view=waiting']).toBe(more.filter((_, i) => i % 3 === 1).length);
    expect(totals['view=triage']).toBe(0);
  });

  it("stay in a partner agent's and a customer's scope", async () => {
    // Prepare
    const globex = await open('globex', 'Partner scope case');
    const acme = await open('acme', 'Direct customer case');
    const handed = await open('globex', 'Goes to Level 3');
    await act(handed, { type: 'escalate', reason: 'defect', tier: 'level3', details: { symptoms: 's', actionPlan: 'a', stepsToReproduce: '1. open 2. crash' } });
    const vendorOnly = await open('globex', 'Vendor-tier case never worked by the partner');
    const stored = (await store.getTicket(vendorOnly))!;
    await store.saveTicket({ ...stored, tier: 'level3', version: stored.version + 1 }, []);

    // Act
    const partnerOpen = await settled(async () => {
      const listed = (await listAll('view=open', partnerAgent)).map((ticket) => ticket.id);
      expect(listed).toContain(globex);
      return listed;
    });
    const customerOpen = await listAll('view=open', acmeKey);

    // Assess: the partner sees its customers' cases it may read (the handed-over one too), never a direct customer's.
    expect(partnerOpen).toContain(handed);
    expect(partnerOpen).not.toContain(acme);
    expect(partnerOpen).not.toContain(vendorOnly);
    for (const ticket of await listAll('view=open', partnerAgent)) expect(ticket.customerId).toBe('globex');
    for (const ticket of customerOpen) expect(ticket.customerId).toBe('acme');
    expect(customerOpen.map((ticket) => ticket.id)).toContain(acme);
    await expectCountsMatchListings(partnerAgent);
    await expectCountsMatchListings(acmeKey);
    // A customer's views are only those made of what it sees.
    const refused = await request('GET', '/tickets?view=breached', { key: acmeKey });
    expectStatus(refused, 403);
    expect(refused.body.field).toBe('view');
    expect((await request('GET', '/tickets/views', { key: acmeKey })).body.views.map((view: { view: string }) => view.view)).toEqual(['open', 'waiting']);
  });

  it('narrow to one severity in the API (by id or name), also a search; a severity change moves the case between them', async () => {
    // Prepare
    const critical = await open('acme', 'Severity filter: checkout down', { severity: 'sev1' });
    const medium = await open('acme', 'Severity filter: report slow', { severity: 'sev3' });

    // Act / Assess: the filtered view is exactly the view's tickets of that severity, in its order.
    await settled(async () => {
      const all = await listAll('view=open');
      const sev1 = await listAll('view=open&severity=sev1');
      expect(sev1.map((t) => t.id)).toEqual(all.filter((t) => t.severity === 'sev1').map((t) => t.id));
      expect(sev1.map((t) => t.id)).toContain(critical);
      expect(sev1.map((t) => t.id)).not.toContain(medium);
      expectNextDueOrder(sev1);
      const byName = await listAll(`view=open&severity=${encodeURIComponent('Severity 1 – Critical')}`);
      expect(byName.map((t) => t.id)).toEqual(sev1.map((t) => t.id));
      expect((await listAll('q=severity+filter&severity=sev3')).map((t) => t.id)).toEqual([medium]);
    });

    await act(medium, { type: 'set-severity', severity: 'sev1' });
    await settled(async () => {
      const sev1 = (await listAll('view=open&severity=sev1')).map((t) => t.id);
      expect(sev1).toEqual(expect.arrayContaining([critical, medium]));
      expect((await listAll('view=open&severity=sev3')).map((t) => t.id)).not.toContain(medium);
    });

    for (const [query, field] of [
      ['view=open&severity=sev9', 'severity'],
      ['severity=sev1', 'severity'],
      [`view=open&severity=${'x'.repeat(65)}`, 'severity'],
    ] as const) {
      const answer = await request('GET', `/tickets?${query}`, { key: agent });
      expectStatus(answer, 400);
      expect(answer.body.field, query).toBe(field);
    }
    // A cursor of the unfiltered view is no cursor for the filtered one.
    const page = await request('GET', '/tickets?view=open&limit=1', { key: agent });
    const other = await request('GET', `/tickets?view=open&severity=sev1&limit=1&cursor=${encodeURIComponent(page.body.cursor)}`, { key: agent });
    expectStatus(other, 400);
    expect(other.body.field).toBe('cursor');
  });

  it('refuse what does not fit a view, naming the field', async () => {
    for (const [query, field] of [
      ['view=tier', 'tier'],
      ['view=tier&tier=nope', 'tier'],
      ['view=open&status=open', 'status'],
      ['view=open&team=x', 'team'],
      ['view=nope', 'view'],
      ['team=x', 'team'],
      [`view=team&team=${'x'.repeat(65)}`, 'team'],
    ] as const) {
      const answer = await request('GET', `/tickets?${query}`, { key: agent });
      expectStatus(answer, 400);
      expect(answer.body.field, query).toBe(field);
    }
    // A cursor of one view is no cursor for another.
    for (let i = 0; i < 2; i++) await open('acme', `Cursor case ${i}`);
    const first = await request('GET', '/tickets?view=open&limit=1', { key: agent });
    expect(first.body.cursor).toBeTruthy();
    const moved = await request('GET', `/tickets?view=tier&tier=level1&limit=1&cursor=${encodeURIComponent(first.body.cursor)}`, { key: agent });
    expectStatus(moved, 400);
    expect(moved.body.field).toBe('cursor');
  });
});

describe('full-text search', () => {
  it('finds by subject word, case number, requester email, description word, with diacritics folded; a customer only its own', async () => {
    // Prepare
    const crepe = await open('acme', 'Crêpe menu missing in Café app', {
      email: 'zoe.mueller@acme.example',
      name: 'Zoë Müller',
      description: 'After the upgrade the dessert section shows fondue only.',
    });
    const other = await open('globex', 'Café app crashes', { description: 'The fondue page is blank.' });

    // Act / Assess
    const found = async (q: string, key = agent, extra = '') => (await listAll(`q=${encodeURIComponent(q)}${extra}`, key)).map((ticket) => ticket.id);
    expect(await found('crepe')).toEqual([crepe]);
    expect(await found('CAFÉ')).toEqual(expect.arrayContaining([crepe, other]));
    expect(await found('cafe crêpe')).toEqual([crepe]);
    expect(await found(crepe)).toEqual([crepe]);
    expect(await found(crepe.toLowerCase())).toEqual([crepe]);
    expect(await found('Zoe.Mueller@acme.example')).toEqual([crepe]);
    expect(await found('muller zoe')).toEqual([crepe]);
    expect(await found('dessert')).toEqual([crepe]);
    expect(await found('fondue')).toEqual(expect.arrayContaining([crepe, other]));
    expect(await found('fondue blank')).toEqual([other]);
    expect(await found('nothingmatchesthis')).toEqual([]);
    // A customer never finds another customer's ticket, even by its case number.
    expect(await found('fondue', acmeKey)).toEqual([crepe]);
    expect(await found(other, acmeKey)).toEqual([]);
    // Staff narrowed to one customer; a partner agent within its partner's customers.
    expect(await found('fondue', agent, '&customer=globex')).toEqual([other]);
    expect(await found('fondue', partnerAgent)).toEqual([other]);
    // Bounded input, named.
    for (const q of ['one two three four', 'the', '!!!', ' ', 'x'.repeat(257)]) {
      const answer = await request('GET', `/tickets?q=${encodeURIComponent(q)}`, { key: agent });
      expectStatus(answer, 400);
      expect(answer.body.field, q).toBe('q');
    }
    expectStatus(await request('GET', '/tickets?q=fondue&view=open', { key: agent }), 400);
  });
});

describe('ETag', () => {
  it('tags every JSON GET and answers 304 with no body while nothing changed', async () => {
    // Prepare
    const id = await open('acme', 'Tagged case');
    for (const path of ['/tickets?view=open', '/tickets/views', `/tickets/${id}`, '/health']) {
      // Act
      const first = await request('GET', path, { key: agent });
      const tag = first.headers.get('etag');
      const again = await request('GET', path, { key: agent, headers: { 'if-none-match': tag! } });
      const weak = await request('GET', path, { key: agent, headers: { 'if-none-match': `"other", W/${tag}` } });
      const stale = await request('GET', path, { key: agent, headers: { 'if-none-match': '"not-this-one"' } });

      // Assess
      expectStatus(first, 200);
      expect(tag, path).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      expect(again.status, path).toBe(304);
      expect(again.body, path).toBe('');
      expect(again.headers.get('etag')).toBe(tag);
      expect(weak.status, path).toBe(304);
      expect(stale.status, path).toBe(200);
    }
    // A change is a new tag.
    const before = await request('GET', `/tickets/${id}`, { key: agent });
    await act(id, { type: 'assign', assignee: agentAssignee });
    const after = await request('GET', `/tickets/${id}`, { key: agent, headers: { 'if-none-match': before.headers.get('etag')! } });
    expectStatus(after, 200);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.body.assignee).toBe(agentAssignee);
  });
});

describe('tickets written before the inbox', () => {
  it('enter their views, counts and search when the reconciler upgrades the table, once, resuming where a short run stopped', async () => {
    // Prepare: a ticket item as the previous release wrote it — no index state, no view entries,
    // no postings, not counted — copied from a real one under a new case number.
    const model = await open('acme', 'Template for an old ticket');
    const { Item } = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: { PK: `TICKET#${model}`, SK: 'A' } }));
    const oldId = `${model.split('-')[0]}-9${Date.now() % 1_000_000}`;
    const { inboxKeys: _keys, inboxOrder: _order, searchTokens: _tokens, ...rest } = Item!;
    const ticket = { ...(rest.ticket as Ticket), id: oldId, caseNumber: oldId, subject: 'Quarterly ledger mismatch' };
    await store.doc.send(
      new PutCommand({ TableName: store.tableName, Item: { ...rest, PK: `TICKET#${oldId}`, GSI1SK: `${ticket.createdAt}#${oldId}`, GSI3SK: `${ticket.createdAt}#${oldId}`, ticket } }),
    );
    await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: { PK: 'MIGRATION#inbox-views-2', SK: 'A' } }));
    // A change is made from a read taken before the upgrade and saved after it.
    const readBeforeUpgrade = (await store.getTicket(oldId))!;
    // And an open ticket indexed before view entries carried their severity: no inboxSeverity, entries without severity.
    const unfiltered = await open('acme', 'Indexed before the severity filter', { severity: 'sev2' });
    await store.doc.send(new UpdateCommand({ TableName: store.tableName, Key: { PK: `TICKET#${unfiltered}`, SK: 'A' }, UpdateExpression: 'REMOVE inboxSeverity' }));
    const entries = await store.doc.send(
      new QueryCommand({ TableName: store.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :view)', ExpressionAttributeValues: { ':pk': `TICKET#${unfiltered}`, ':view': 'VIEW#' } }),
    );
    expect(entries.Items!.length).toBeGreaterThan(0);
    for (const entry of entries.Items!) await store.doc.send(new UpdateCommand({ TableName: store.tableName, Key: { PK: entry.PK, SK: entry.SK }, UpdateExpression: 'REMOVE severity' }));
    const before = await expectCountsMatchListings(agent);
    expect((await listAll('q=ledger')).map((t) => t.id)).toEqual([]);
    expect((await listAll('view=open&severity=sev2')).map((t) => t.id)).not.toContain(unfiltered);

    // Act: a run out of time before it starts keeps its place; the next one finishes.
    expect(await store.upgradeInboxViews(0)).toEqual({ tickets: 0, done: false });
    const finished = await store.upgradeInboxViews();
    await store.saveTicket({ ...readBeforeUpgrade, version: readBeforeUpgrade.version + 1 }, []);

    // Assess: listed, counted (once, though the change's read predates the upgrade) and found like any ticket; a further run is one read and does nothing.
    expect(finished).toEqual({ tickets: 2, done: true });
    expect((await listAll('q=ledger')).map((t) => t.id)).toEqual([oldId]);
    await settled(async () => expect((await listAll('view=open&severity=sev2')).map((t) => t.id)).toContain(unfiltered));
    const after = await expectCountsMatchListings(agent);
    expect(after['view=open']).toBe(before['view=open']! + 1);
    expect(await store.upgradeInboxViews()).toEqual({ tickets: 0, done: true });
  });
});
