/**
 * The HTTP API's edge (issue [8]) on `npm start`'s runtime — real gateway, real handler, AWS's
 * DynamoDB Local: path ids, query parameters, headers and bodies are bounded before any lookup
 * or write (never a 5xx, nothing written on a 4xx); cursors are signed for their query and
 * caller; idempotency is scoped by the key's immutable id, not its name; unverified tickets
 * belong to no customer id; listings read only the caller's items, a page at a time.
 */
import { connect } from 'node:net';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime } from '../functions/shared/runtime';
import { handler as reconcile } from '../functions/workflow/reconcile';
import { type ApiResponse, api, type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let agentKey: string;
/** Customer keys, all named "portal": `alpha` and `alpha2` of customer alpha, `beta` of beta. */
const keys: Record<'alpha' | 'alpha2' | 'beta', string> = { alpha: '', alpha2: '', beta: '' };

const SLOT_MS = 3_600; // test/fixtures/periods-policy.yaml: 0.001-hour blocks

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/periods-policy.yaml', workflows: false });
  request = api(runtime);
  for (const id of ['alpha', 'beta']) {
    const put = await request('PUT', `/customers/${id}`, { body: { name: id, plan: 'standard', emailDomains: [`${id}.example`] } });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
  }
  const newKey = async (body: Record<string, unknown>) => {
    const created = await request('POST', '/api-keys', { body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; key: string };
  };
  keys.alpha = (await newKey({ name: 'portal', role: 'customer', customerId: 'alpha' })).key;
  keys.alpha2 = (await newKey({ name: 'portal', role: 'customer', customerId: 'alpha' })).key;
  keys.beta = (await newKey({ name: 'portal', role: 'customer', customerId: 'beta' })).key;
  // Staff's key has the customers' keys' name too: only the key's id may tell them apart.
  agentKey = (await newKey({ name: 'portal', role: 'agent' })).key;
});

afterAll(async () => {
  await runtime?.stop();
});

const ticketBody = (customer: string, subject = 'Export fails') => ({
  subject,
  description: 'The CSV export times out.',
  severity: '3',
  requester: { email: `pat@${customer}.example`, name: 'Pat' },
});

async function newTicket(customer: string, options: { key?: string; subject?: string; headers?: Record<string, string> } = {}) {
  const created = await request('POST', '/tickets', { body: ticketBody(customer, options.subject), ...options });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created;
}

/** Every ticket the desk holds, in any status and of any requester, as staff can list them. */
async function allTicketIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const query of ['status=new', 'status=open', 'status=pending-customer', 'status=resolved', 'status=closed']) {
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await request('GET', `/tickets?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((ticket: { id: string }) => ticket.id));
      cursor = page.body.cursor;
    } while (cursor);
  }
  return ids.sort();
}

/** Every item of a listing, page by page, with the key given. */
async function everyPage(path: string, key?: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await request('GET', `${path}${path.includes('?') ? '&' : '?'}${cursor ? `cursor=${encodeURIComponent(cursor)}` : ''}`, key ? { key } : {});
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

const expect4xx = (answer: ApiResponse, status: number, field?: string) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  if (field !== undefined) expect(answer.body.field).toBe(field);
};

describe('path ids, query parameters, headers and bodies: a 4xx, never a 5xx, and nothing written', () => {
  it('a path id that is not valid percent-encoding is a 400 naming id', async () => {
    const before = await allTicketIds();
    for (const [method, path] of [
      ['GET', '/tickets/%E0%A4%A'],
      ['GET', '/tickets/%zz'],
      ['POST', '/tickets/%E0%A4%A/messages'],
      ['PUT', '/customers/%zz'],
      ['GET', '/support-orders/%C0'],
    ] as const) {
      const answer = await request(method, path, method === 'GET' ? {} : { body: { body: 'hello' } });
      expect4xx(answer, 400, 'id');
    }
    expect(await allTicketIds()).toEqual(before);
  });

  it('an id longer than a key can hold, or of another shape, is a 404 (a 400 naming id where a PUT would create it)', async () => {
    const before = await allTicketIds();
    const long = 'A'.repeat(5_000);
    for (const path of [`/tickets/${long}`, '/tickets/CASE-1%00', `/customers/${long}`, `/agents/${long}`, `/support-orders/${long}`, '/tickets/SP-1 2']) {
      expect4xx(await request('GET', path.replace(' ', '%20')), 404);
    }
    expect4xx(await request('POST', `/tickets/${long}/messages`, { body: { body: 'hi' } }), 404);
    expect4xx(await request('POST', `/tickets/${long}/actions`, { body: { type: 'pause' } }), 404);
    expect4xx(await request('POST', `/support-orders/${'9'.repeat(300)}/cancel`), 404);
    for (const id of [long, 'x'.repeat(65), 'a%20b', '%C3%A9t%C3%A9', '-dash']) {
      expect4xx(await request('PUT', `/customers/${id}`, { body: { name: 'N', plan: 'standard' } }), 400, 'id');
    }
    expect4xx(await request('PUT', `/agents/${long}`, { body: { name: 'N', email: 'n@vendor.example' } }), 400, 'id');
    // Ids inside bodies are bounded too.
    expect4xx(await request('POST', '/tickets', { body: { ...ticketBody('alpha'), customerId: long } }), 400);
    expect4xx(await request('POST', '/api-keys', { body: { name: 'k', role: 'customer', customerId: long } }), 400, 'customerId');
    expect(await allTicketIds()).toEqual(before);
    expect4xx(await request('GET', `/customers/${'x'.repeat(65)}`), 404);
  });

  it('an unknown query parameter is a 400 naming it; a value over its limit is a 400 naming it', async () => {
    const [ticket] = (await everyPage('/tickets?limit=1', keys.alpha)).items;
    expect4xx(await request('GET', '/tickets?colour=red'), 400, 'colour');
    expect4xx(await request('GET', '/support-orders?foo=1'), 400, 'foo');
    expect4xx(await request('GET', '/agents?customer=alpha'), 400, 'customer');
    expect4xx(await request('GET', `/tickets/${ticket?.id ?? 'SP-000001'}?verbose=1`), 400, 'verbose');
    expect4xx(await request('GET', `/tickets?queue=${'q'.repeat(300)}`), 400, 'queue');
    expect4xx(await request('GET', `/tickets?customer=${'c'.repeat(300)}`), 400, 'customer');
    expect4xx(await request('GET', `/tickets?cursor=${'c'.repeat(2_000)}`), 400, 'cursor');
    expect4xx(await request('GET', '/tickets?limit=1000000000000000000000'), 400, 'limit');
  });

  it('Authorization, Idempotency-Key and If-Match over their limits are refused naming the header; nothing is written', async () => {
    const before = await allTicketIds();
    const huge = 'x'.repeat(5_000);
    expect4xx(await request('GET', '/tickets', { key: huge }), 401, 'Authorization');
    expect4xx(await request('GET', '/tickets', { key: '', headers: { authorization: `Bearer ${'k'.repeat(4_000)}` } }), 401, 'Authorization');
    expect4xx(await request('POST', '/tickets', { body: ticketBody('alpha'), headers: { 'idempotency-key': huge } }), 400, 'Idempotency-Key');
    expect4xx(await request('POST', '/tickets', { body: ticketBody('alpha'), headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'Idempotency-Key');
    const ticket = (await newTicket('alpha')).body;
    const after = await allTicketIds();
    expect(after).toEqual([...before, ticket.id].sort());
    for (const ifMatch of [huge, '9'.repeat(100), 'abc', '"1.5"']) {
      expect4xx(await request('POST', `/tickets/${ticket.id}/messages`, { body: { body: 'hi' }, headers: { 'if-match': ifMatch } }), 400, 'If-Match');
      expect4xx(await request('PUT', '/customers/alpha', { body: { name: 'changed', plan: 'standard' }, headers: { 'if-match': ifMatch } }), 400, 'If-Match');
    }
    expect((await request('GET', `/tickets/${ticket.id}`)).body.version).toBe(ticket.ticket.version);
    expect((await request('GET', '/customers/alpha')).body.name).toBe('alpha');
    expect(await allTicketIds()).toEqual(after);
  });

  it('a body that is JSON but not an object is a 400 naming (body); deeply nested JSON is a 400, not a crash', async () => {
    const before = await allTicketIds();
    for (const rawBody of ['[]', '"text"', 'null', '42', 'true']) {
      expect4xx(await request('POST', '/tickets', { rawBody }), 400, '(body)');
      expect4xx(await request('PUT', '/customers/gamma', { rawBody }), 400, '(body)');
    }
    expect4xx(await request('GET', '/customers/gamma'), 404);
    const depth = 150_000; // within the gateway's 1 MiB
    expect4xx(await request('POST', '/tickets', { rawBody: `${'['.repeat(depth)}${']'.repeat(depth)}` }), 400, '(body)');
    expect((await request('POST', '/tickets', { rawBody: `{"subject":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}` })).status).toBe(400);
    expect((await request('POST', '/tickets/SP-000001/actions', { rawBody: `{"type":"assign","assignee":${'['.repeat(depth)}${']'.repeat(depth)}}` })).status).toBeLessThan(500);
    expect(await allTicketIds()).toEqual(before);
  });

  it('the local gateway answers a request its parser refuses (bad request line, huge headers) with a 4xx, and serves on', async () => {
    const { port } = new URL(runtime.url);
    for (const [raw, status] of [
      ['BROKEN\r\n\r\n', 400],
      ['GET /tickets/\x01x HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ] as const) {
      const answer = await rawRequest(Number(port), raw);
      expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`);
      expect(answer).toContain('"message"');
    }
    expect((await request('GET', '/health', { key: '' })).status).toBe(200);
  });
});

/** Writes `raw` to the gateway and reads the answer until the server closes the connection. */
function rawRequest(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('end', () => resolve(answer));
    socket.once('error', (error) => (answer ? resolve(answer) : reject(error)));
  });
}

describe('cursors are signed for their query and caller', () => {
  let alphaIds: string[];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await newTicket('alpha', { key: keys.alpha, subject: `alpha ${i}` });
    for (let i = 0; i < 3; i++) await newTicket('beta', { key: keys.beta, subject: `beta ${i}` });
    alphaIds = (await everyPage('/tickets?limit=100', keys.alpha)).items.map((ticket) => ticket.id);
  });

  it('pages a customer key through exactly its own tickets', async () => {
    const { items, pages } = await everyPage('/tickets?limit=1', keys.alpha);
    expect(items.map((ticket) => ticket.id)).toEqual(alphaIds);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(items.map((ticket) => ticket.customerId))).toEqual(new Set(['alpha']));
  });

  it("another customer's cursor, or one from another query, is a 400 naming cursor", async () => {
    const alphaCursor = (await request('GET', '/tickets?limit=1', { key: keys.alpha })).body.cursor as string;
    expect(alphaCursor).toEqual(expect.any(String));
    expect4xx(await request('GET', `/tickets?limit=1&cursor=${alphaCursor}`, { key: keys.beta }), 400, 'cursor');
    // The same customer's other key shares the customer's scope: it may page on.
    expect((await request('GET', `/tickets?limit=1&cursor=${alphaCursor}`, { key: keys.alpha2 })).status).toBe(200);
    // Staff asking for alpha's list is another query than alpha's own key asking.
    expect4xx(await request('GET', `/tickets?customer=alpha&limit=1&cursor=${alphaCursor}`), 400, 'cursor');
    // Asking for another customer's list looks empty, but a cursor with it is still checked first.
    expect4xx(await request('GET', `/tickets?customer=alpha&limit=1&cursor=${alphaCursor}`, { key: keys.beta }), 400, 'cursor');
    expect4xx(await request('GET', '/support-orders?customer=alpha&cursor=W10', { key: keys.beta }), 400, 'cursor');

    const openCursor = (await request('GET', '/tickets?status=new&limit=1')).body.cursor as string;
    expect(openCursor).toEqual(expect.any(String));
    expect4xx(await request('GET', `/tickets?queue=frontline&limit=1&cursor=${openCursor}`), 400, 'cursor');
    expect4xx(await request('GET', `/tickets?status=open&limit=1&cursor=${openCursor}`), 400, 'cursor');
    expect((await request('GET', `/tickets?status=new&limit=1&cursor=${openCursor}`)).status).toBe(200);
    expect4xx(await request('GET', `/support-orders?cursor=${openCursor}`), 400, 'cursor');
    // An admin's cursor is the admin role's: an agent starts its own listing.
    expect4xx(await request('GET', `/tickets?status=new&limit=1&cursor=${openCursor}`, { key: agentKey }), 400, 'cursor');
  });

  it('a truncated, bit-flipped, re-encoded or forged cursor is a 400 naming cursor', async () => {
    const cursor = (await request('GET', '/tickets?limit=1', { key: keys.alpha })).body.cursor as string;
    const [position, signature] = cursor.split('.') as [string, string];
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    // beta's partition, written as a cursor by hand
    const betaTicket = (await everyPage('/tickets?limit=100', keys.beta)).items[0];
    const forgedKey = { PK: `TICKET#${betaTicket.id}`, SK: 'A', GSI1PK: 'CUSTOMER#beta', GSI1SK: `${betaTicket.createdAt}#${betaTicket.id}` };
    const forged = Buffer.from(JSON.stringify(forgedKey)).toString('base64url');
    for (const bad of [
      cursor.slice(0, -1),
      cursor.slice(0, 20),
      flip(cursor, 3),
      flip(cursor, cursor.length - 5),
      `${Buffer.from(position, 'base64url').toString('base64')}.${signature}`,
      `${position}.${Buffer.from(signature, 'base64url').toString('base64')}`,
      position,
      forged,
      `${forged}.${signature}`,
      'garbage',
    ]) {
      expect4xx(await request('GET', `/tickets?limit=1&cursor=${encodeURIComponent(bad)}`, { key: keys.alpha }), 400, 'cursor');
    }
  });

  it('a customer key asking for a queue gets a full page of its own tickets only, and a cursor that stays in it', async () => {
    // beta's tickets share alpha's queue; staff see them all there.
    const queue = (await request('GET', `/tickets/${alphaIds[0]}`)).body.queue as string;
    const staffQueue = await everyPage(`/tickets?queue=${encodeURIComponent(queue)}&limit=2`);
    expect(new Set(staffQueue.items.map((ticket) => ticket.customerId))).toEqual(new Set(['alpha', 'beta']));

    const first = await request('GET', `/tickets?queue=${encodeURIComponent(queue)}&limit=2`, { key: keys.alpha });
    expect(first.body.items).toHaveLength(2);
    const own = await everyPage(`/tickets?queue=${encodeURIComponent(queue)}&limit=2`, keys.alpha);
    expect(own.items.map((ticket) => ticket.id).sort()).toEqual([...alphaIds].sort());
    expect4xx(await request('GET', `/tickets?queue=${encodeURIComponent(queue)}&limit=2&cursor=${first.body.cursor}`, { key: keys.beta }), 400, 'cursor');
    expect4xx(await request('GET', `/tickets?queue=${encodeURIComponent(queue)}&limit=2&cursor=${first.body.cursor}`), 400, 'cursor');
  });
});

describe("idempotency is scoped by the key's immutable id, never its name", () => {
  it('a new key has its own id', async () => {
    const created = await request('POST', '/api-keys', { body: { name: 'portal', role: 'customer', customerId: 'beta' } });
    expect(created.body.id).toMatch(/^key_[A-Za-z0-9_-]{16,}$/);
    expect(created.body).toMatchObject({ name: 'portal', role: 'customer', customerId: 'beta' });
  });

  it('customer keys with the same name and the same Idempotency-Key make a ticket each, each seen only by its own customer', async () => {
    const headers = { 'idempotency-key': 'same-name-same-key' };
    const body = (customer: string) => ({ ...ticketBody(customer, 'Same name'), description: 'One description for all.' });
    const alpha = await request('POST', '/tickets', { key: keys.alpha, body: body('alpha'), headers });
    const beta = await request('POST', '/tickets', { key: keys.beta, body: body('beta'), headers });
    const alpha2 = await request('POST', '/tickets', { key: keys.alpha2, body: body('alpha'), headers });
    for (const answer of [alpha, beta, alpha2]) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      expect(answer.headers.get('idempotent-replayed')).toBeNull();
    }
    expect(new Set([alpha.body.id, beta.body.id, alpha2.body.id]).size).toBe(3);
    expect(beta.body.ticket.customerId).toBe('beta');
    expect4xx(await request('GET', `/tickets/${alpha.body.id}`, { key: keys.beta }), 404);
    expect4xx(await request('GET', `/tickets/${beta.body.id}`, { key: keys.alpha }), 404);
    // Each key's own retry is still answered once.
    const retry = await request('POST', '/tickets', { key: keys.beta, body: body('beta'), headers });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(beta.body.id);
  });

  it("a customer key reusing a staff key's Idempotency-Key gets its own ticket, never the staff answer", async () => {
    const headers = { 'idempotency-key': 'staff-first' };
    const body = { ...ticketBody('alpha', 'Staff first'), customerId: 'alpha' };
    const staff = await request('POST', '/tickets', { key: agentKey, body, headers });
    expect(staff.status).toBe(201);
    const customer = await request('POST', '/tickets', { key: keys.alpha, body, headers });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    expect(customer.headers.get('idempotent-replayed')).toBeNull();
    expect(customer.body.id).not.toBe(staff.body.id);
    // The staff answer carries routing a customer never sees; the customer's own does not.
    expect(staff.body.ticket.queue).toEqual(expect.any(String));
    expect(customer.body.ticket.queue).toBeUndefined();
  });
});

describe('reserved ids cannot be owned', () => {
  it("an unverified requester's ticket is listed as unverified, never as a customer's, and no customer can take the reserved ids", async () => {
    const created = await request('POST', '/tickets', { body: { ...ticketBody('nobody'), requester: { email: 'who@nowhere.example', name: 'Who' } } });
    expect(created.status).toBe(201);
    expect(created.body.ticket.customerId).toBeUndefined();

    for (const id of ['unknown', 'Unknown', 'unverified', 'UNVERIFIED']) {
      expect4xx(await request('PUT', `/customers/${id}`, { body: { name: 'Squatter', plan: 'standard' } }), 400, 'id');
    }
    expect4xx(await request('GET', '/customers/unknown'), 404);
    const asCustomer = await everyPage('/tickets?customer=unknown&limit=100');
    expect(asCustomer.items.map((ticket) => ticket.id)).not.toContain(created.body.id);
    const unverified = await everyPage('/tickets?unverified=true&limit=100');
    expect(unverified.items.map((ticket) => ticket.id)).toContain(created.body.id);
    expect(unverified.items.every((ticket) => ticket.customerId === undefined)).toBe(true);
    expect4xx(await request('GET', '/tickets?unverified=true', { key: keys.alpha }), 403, 'unverified');
    expect4xx(await request('GET', '/tickets?unverified=yes'), 400, 'unverified');
    expect(JSON.stringify((await everyPage('/tickets?limit=100', keys.alpha)).items)).not.toContain(created.body.id);
  });
});

describe('lists are paged and scoped by query', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const order = async (customerId: string, key?: string) => {
    const start = Math.ceil((Date.now() + 3_600_000) / SLOT_MS) * SLOT_MS;
    const placed = await request('POST', '/support-orders', {
      body: { ...(key ? {} : { customerId }), purpose: 'customer-support', periods: [{ start: iso(start), hours: 0.002 }], pointOfContact: { name: 'Pat', email: `poc@${customerId}.example` } },
      ...(key ? { key } : {}),
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    return placed.body.id as string;
  };

  it('a customer key lists only its own support orders, a page at a time; its cursor is its own', async () => {
    const alphaOrders = [await order('alpha', keys.alpha), await order('alpha'), await order('alpha', keys.alpha2)];
    const betaOrders = [await order('beta'), await order('beta', keys.beta)];

    const alpha = await everyPage('/support-orders?limit=2', keys.alpha);
    expect(alpha.items.map((o) => o.id)).toEqual(alphaOrders);
    expect(alpha.pages).toBe(2);
    const beta = await everyPage('/support-orders?limit=1', keys.beta);
    expect(beta.items.map((o) => o.id)).toEqual(betaOrders);
    // Asking for another customer's orders looks like an empty list.
    expect((await request('GET', '/support-orders?customer=beta', { key: keys.alpha })).body).toEqual({ items: [], cursor: null });

    const alphaCursor = (await request('GET', '/support-orders?limit=1', { key: keys.alpha })).body.cursor;
    expect4xx(await request('GET', `/support-orders?limit=1&cursor=${alphaCursor}`, { key: keys.beta }), 400, 'cursor');
    expect4xx(await request('GET', `/support-orders?customer=beta&limit=1&cursor=${alphaCursor}`), 400, 'cursor');

    expect((await everyPage('/support-orders?customer=beta&limit=1')).items.map((o) => o.id)).toEqual(betaOrders);
    const everyone = await everyPage('/support-orders?limit=2');
    expect(everyone.items.map((o) => o.id)).toEqual(expect.arrayContaining([...alphaOrders, ...betaOrders]));
    expect(everyone.pages).toBeGreaterThanOrEqual(3);
  });

  it('items written before these keys (unverified tickets under CUSTOMER#unknown, orders without GSI1 keys) are moved by the reconciler, once', async () => {
    // Prepare: as a table written by the previous release has them.
    const { store } = getRuntime();
    const unverified = await request('POST', '/tickets', { body: { ...ticketBody('nobody'), requester: { email: 'old@nowhere.example', name: 'Old' } } });
    const orderId = await order('beta');
    const TableName = store.tableName;
    await store.doc.send(
      new UpdateCommand({ TableName, Key: { PK: `TICKET#${unverified.body.id}`, SK: 'A' }, UpdateExpression: 'SET GSI1PK = :old', ExpressionAttributeValues: { ':old': 'CUSTOMER#unknown' } }),
    );
    await store.doc.send(new UpdateCommand({ TableName, Key: { PK: 'ORDERS', SK: `ORDER#${orderId}` }, UpdateExpression: 'REMOVE GSI1PK, GSI1SK' }));
    await store.doc.send(new DeleteCommand({ TableName, Key: { PK: 'MIGRATION#index-keys-1', SK: 'A' } })); // the start-up reconcile found nothing to move
    expect((await everyPage('/tickets?unverified=true&limit=100')).items.map((t) => t.id)).not.toContain(unverified.body.id);
    expect((await everyPage('/support-orders?limit=100', keys.beta)).items.map((o) => o.id)).not.toContain(orderId);

    // Act
    await reconcile();

    // Assess: both are where the listings read; a second run has nothing to do.
    expect((await everyPage('/tickets?unverified=true&limit=100')).items.map((t) => t.id)).toContain(unverified.body.id);
    expect((await everyPage('/support-orders?limit=100', keys.beta)).items.map((o) => o.id)).toContain(orderId);
    expect(await store.upgradeIndexKeys()).toEqual({ tickets: 0, orders: 0 });
  });

  it('pages the engineers', async () => {
    for (const id of ['eng-a', 'eng-b', 'eng-c']) {
      expect((await request('PUT', `/agents/${id}`, { body: { name: id, email: `${id}@vendor.example` } })).status).toBe(201);
    }
    const agents = await everyPage('/agents?limit=2');
    expect(agents.items.map((agent) => agent.id)).toEqual(['eng-a', 'eng-b', 'eng-c']);
    expect(agents.pages).toBe(2);
    expect4xx(await request('GET', '/agents?limit=2', { key: keys.alpha }), 403);
  });

  it('GET /openapi.json shows the bounds: path id patterns, query limits, headers, the 400', async () => {
    const doc = (await request('GET', '/openapi.json', { key: '' })).body;
    const parameters = (path: string, method: string) => doc.paths[path][method].parameters as { name: string; in: string; schema: any }[];
    expect(parameters('/tickets/{id}', 'get').find((p) => p.in === 'path')!.schema).toMatchObject({ maxLength: expect.any(Number), pattern: expect.any(String) });
    expect(
      parameters('/support-orders', 'get')
        .filter((p) => p.in === 'query')
        .map((p) => p.name),
    ).toEqual(['customer', 'cursor', 'limit']);
    expect(parameters('/tickets', 'get').find((p) => p.name === 'cursor')!.schema.maxLength).toBe(1024);
    expect(parameters('/tickets', 'post').find((p) => p.name === 'Idempotency-Key')!.schema.maxLength).toBe(255);
    expect(parameters('/customers/{id}', 'put').map((p) => p.name)).toContain('If-Match');
    expect(doc.paths['/tickets'].get.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(doc.components.responses.BadRequest.description).toContain('cursor');
  });
});
