/**
 * GET /customers ([11], the console's customer list): the staff list customers by name a page at
 * a time with a signed cursor, find them by the start of their name (case and accents ignored), a
 * renamed customer moves in the list, customers stored before the list enter it by the reconciler's
 * upgrade, and customers and bad parameters are refused naming the field.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../core/limits';
import { upgradeCustomerList } from '../functions/store/customer-list';
import { api, type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime();
  request = api(runtime);
  for (const [id, name] of [
    ['zeta', 'Zeta Systems'],
    ['emea-1', 'Émile & Co'],
    ['acme', 'Acme Corp'],
    ['acme-labs', 'ACME Labs'],
    ['bolt', 'Bolt Industries'],
  ] as const) {
    const answer = await request('PUT', `/customers/${id}`, { body: { name, plan: 'standard' } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

const names = (body: { items: { name: string }[] }) => body.items.map((customer) => customer.name);

describe('GET /customers', () => {
  it('lists the customers by name, a page at a time, with a cursor bound to the query', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await request('GET', `/customers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...names(answer.body));
      cursor = answer.body.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    // The demo customer is there too (npm start's seed); the list is ordered by name, accents ignored.
    const ours = seen.filter((name) => ['Zeta Systems', 'Émile & Co', 'Acme Corp', 'ACME Labs', 'Bolt Industries'].includes(name));
    expect(ours).toEqual(['Acme Corp', 'ACME Labs', 'Bolt Industries', 'Émile & Co', 'Zeta Systems']);
    expect(pages).toBeGreaterThanOrEqual(3);

    const first = await request('GET', '/customers?limit=2');
    const other = await request('GET', `/customers?limit=2&q=acme&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(other.status).toBe(400);
    expect(other.body.field).toBe('cursor');
  });

  it('finds customers by the start of their name, case and accents ignored', async () => {
    expect(names((await request('GET', '/customers?q=ACME')).body)).toEqual(['Acme Corp', 'ACME Labs']);
    expect(names((await request('GET', '/customers?q=emile')).body)).toEqual(['Émile & Co']);
    expect(names((await request('GET', '/customers?q=corp')).body)).toEqual([]);
  });

  it('keeps the list true when a customer is renamed', async () => {
    const current = await request('GET', '/customers/bolt');
    const { version, ...customer } = current.body;
    expect((await request('PUT', '/customers/bolt', { body: { ...customer, id: undefined, name: 'Aardvark Bolt' }, headers: { 'if-match': String(version) } })).status).toBe(200);
    expect(names((await request('GET', '/customers?q=aardvark')).body)).toEqual(['Aardvark Bolt']);
    expect(names((await request('GET', '/customers?q=bolt')).body)).toEqual([]);
  });

  it('lists customers stored before the list existed once the upgrade has run (once)', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const store = { tableName: runtime.tableName, doc };
    // The item as putCustomer wrote it before [11]: no list keys.
    const old = { id: 'oldco', name: 'Oldco Holdings', plan: 'standard', addOns: [], contract: {}, designatedUsers: [], contacts: [], emailDomains: [], phoneNumbers: [] };
    await doc.send(new PutCommand({ TableName: runtime.tableName, Item: { PK: 'CUSTOMER#oldco', SK: 'A', version: 1, customer: old } }));
    expect(names((await request('GET', '/customers?q=oldco')).body)).toEqual([]);
    // The runtime's reconciler ran the upgrade at start-up; a new pass is one GetItem of the marker.
    expect(await upgradeCustomerList(store)).toEqual({ customers: 0, done: true });
    await doc.send(new PutCommand({ TableName: runtime.tableName, Item: { PK: 'MIGRATION#customer-list-1', SK: 'A', done: false } }));
    // A pass out of time stops before reading and keeps its place.
    expect(await upgradeCustomerList(store, 0)).toEqual({ customers: 0, done: false });
    expect(await upgradeCustomerList(store)).toEqual({ customers: 1, done: true });
    expect(names((await request('GET', '/customers?q=oldco')).body)).toEqual(['Oldco Holdings']);
    expect((await doc.send(new GetCommand({ TableName: runtime.tableName, Key: { PK: 'CUSTOMER#oldco', SK: 'A' } }))).Item?.version).toBe(1);
  });

  it("is for the vendor's staff, and refuses bad parameters naming them", async () => {
    const key = await request('POST', '/api-keys', { body: { name: 'acme portal', role: 'customer', customerId: 'acme' } });
    expect(key.status).toBe(201);
    expect((await request('GET', '/customers', { key: key.body.key })).status).toBe(403);
    const agent = await request('POST', '/api-keys', { body: { name: 'agent', role: 'agent' } });
    expect((await request('GET', '/customers?q=acme', { key: agent.body.key })).status).toBe(200);

    for (const [query, field] of [
      [`q=${'a'.repeat(LIMITS.id + 1)}`, 'q'],
      ['q=%20', 'q'],
      ['limit=101', 'limit'],
      ['cursor=forged.cursor', 'cursor'],
      ['colour=red', 'colour'],
    ]) {
      const answer = await request('GET', `/customers?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.field, query).toBe(field);
    }
  });
});
