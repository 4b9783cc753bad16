/**
 * API keys on `npm start`'s runtime (docs/api-keys.md): created with their creator, listed
 * without secrets, revoked and rotated with effect on the very next request (no cache window),
 * the last use recorded at most once an hour and never failing a request, admin-only routes,
 * and keys written before ids and creators existed still listed and revocable.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashKey } from '../functions/api/auth';
import { getRuntime } from '../functions/shared/runtime';
import { apiKeyIdFromHash } from '../functions/store/api-keys';
import { api, type Runtime, startTestRuntime, TEST_ADMIN_KEY } from './support/runtime';

vi.setConfig({ testTimeout: 60_000 });

let runtime: Runtime;
let request: ReturnType<typeof api>;
/** The runtime's admin key was seeded without an id: its id is derived from its hash. */
const adminId = apiKeyIdFromHash(hashKey(TEST_ADMIN_KEY));

beforeAll(async () => {
  runtime = await startTestRuntime();
  request = api(runtime);
  expect((await request('PUT', '/customers/acme', { body: { name: 'Acme', plan: 'standard', emailDomains: ['acme.example'] } })).status).toBe(201);
});

afterAll(async () => {
  await runtime?.stop();
});

async function createKey(body: Record<string, unknown>, key?: string): Promise<{ id: string; key: string }> {
  const created = await request('POST', '/api-keys', { body, ...(key ? { key } : {}) });
  expect(created.status).toBe(201);
  return created.body;
}

/** Every key, following the cursors. */
async function allKeys(limit = 100): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await request('GET', `/api-keys?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

async function listed(id: string): Promise<any> {
  return (await allKeys()).find((key) => key.id === id);
}

const table = () => ({ TableName: runtime.tableName, doc: getRuntime().store.doc });

describe('creating and listing keys', () => {
  it('records the creator; the list shows id, name, role, creator and last use, never a secret or hash', async () => {
    // Act
    const created = await request('POST', '/api-keys', { body: { name: 'ci pipeline', role: 'agent' } });
    const used = await request('GET', '/tickets', { key: created.body.key });
    const list = await request('GET', '/api-keys?limit=100');

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^key_/), name: 'ci pipeline', role: 'agent', status: 'active', createdBy: adminId, key: expect.stringMatching(/^td_agent_/) });
    expect(used.status).toBe(200);
    const entry = list.body.items.find((key: { id: string }) => key.id === created.body.id);
    expect(entry).toEqual({
      id: created.body.id,
      name: 'ci pipeline',
      role: 'agent',
      status: 'active',
      createdBy: adminId,
      createdAt: created.body.createdAt,
      lastUsedAt: expect.any(String),
      revokedAt: null,
      revokedBy: null,
      rotatedAt: null,
    });
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.body.key);
    expect(text).not.toContain(hashKey(created.body.key));
    expect(text).not.toContain(hashKey(TEST_ADMIN_KEY));
    expect(text).not.toContain(TEST_ADMIN_KEY);
  });

  it('pages through every key with signed cursors, each once', async () => {
    // Prepare
    const ids: string[] = [];
    for (const name of ['page-a', 'page-b', 'page-c']) ids.push((await createKey({ name, role: 'customer', customerId: 'acme' })).id);

    // Act
    const items = await allKeys(2);
    const forged = await request('GET', '/api-keys?cursor=eyJQSyI6IkFQSUtFWVMifQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');

    // Assess
    const seen = items.map((key) => key.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([...ids, adminId]));
    expect(items.find((key) => key.id === ids[0])).toMatchObject({ role: 'customer', customerId: 'acme' });
    expect(forged.status).toBe(400);
    expect(forged.body.field).toBe('cursor');
  });
});

describe('revoking', () => {
  it('refuses the key on the very next request, keeps it listed as revoked, and a second revocation changes nothing', async () => {
    // Prepare: the key is used first, so any cache of it would be warm.
    const { id, key } = await createKey({ name: 'portal', role: 'customer', customerId: 'acme' });
    expect((await request('GET', '/tickets', { key })).status).toBe(200);

    // Act
    const revoked = await request('DELETE', `/api-keys/${id}`);
    const next = await request('GET', '/tickets', { key });
    const again = await request('DELETE', `/api-keys/${id}`);

    // Assess
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, status: 'revoked', revokedAt: expect.any(String), revokedBy: adminId });
    expect(next.status).toBe(401);
    expect(next.body.message).toBe('this API key was revoked');
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    expect(await listed(id)).toMatchObject({ id, name: 'portal', status: 'revoked', revokedAt: revoked.body.revokedAt });
    expect((await request('POST', `/api-keys/${id}/rotate`)).status).toBe(409);
  });

  it('refuses to revoke the key the request is made with (409), which keeps working', async () => {
    // Act
    const self = await request('DELETE', `/api-keys/${adminId}`);

    // Assess
    expect(self.status).toBe(409);
    expect(self.body.field).toBe('id');
    expect((await request('GET', '/api-keys?limit=1')).status).toBe(200);
  });
});

describe('rotating', () => {
  it('gives the same key a new secret: the old one is refused at once, the new one works, id, name and role stay', async () => {
    // Prepare
    const { id, key: oldSecret } = await createKey({ name: 'scripts', role: 'agent' });
    expect((await request('GET', '/tickets', { key: oldSecret })).status).toBe(200);

    // Act
    const rotated = await request('POST', `/api-keys/${id}/rotate`);
    const withOld = await request('GET', '/tickets', { key: oldSecret });
    const withNew = await request('GET', '/tickets', { key: rotated.body.key });

    // Assess
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id, name: 'scripts', role: 'agent', status: 'active', createdBy: adminId, rotatedAt: expect.any(String), key: expect.stringMatching(/^td_agent_/) });
    expect(rotated.body.key).not.toBe(oldSecret);
    expect(withOld.status).toBe(401);
    expect(withNew.status).toBe(200);
    expect((await allKeys()).filter((key) => key.id === id)).toHaveLength(1);
  });

  it('lets an admin key rotate itself: the answer carries its new secret', async () => {
    // Prepare
    const { id, key } = await createKey({ name: 'second admin', role: 'admin' });

    // Act
    const rotated = await request('POST', `/api-keys/${id}/rotate`, { key });

    // Assess
    expect(rotated.status).toBe(200);
    expect((await request('GET', '/api-keys?limit=1', { key })).status).toBe(401);
    expect((await request('GET', '/api-keys?limit=1', { key: rotated.body.key })).status).toBe(200);
  });
});

describe('who may manage keys', () => {
  it('only admins (403 for agent and customer keys); an unknown or malformed id is a 404; bounds are 400s naming the field', async () => {
    // Prepare
    const agent = await createKey({ name: 'agent', role: 'agent' });
    const customer = await createKey({ name: 'acme portal', role: 'customer', customerId: 'acme' });

    // Act
    const refused = [];
    for (const key of [agent.key, customer.key]) {
      refused.push(
        await request('GET', '/api-keys', { key }),
        await request('POST', '/api-keys', { key, body: { name: 'x', role: 'agent' } }),
        await request('DELETE', `/api-keys/${agent.id}`, { key }),
        await request('POST', `/api-keys/${agent.id}/rotate`, { key }),
      );
    }
    const unknown = await request('DELETE', '/api-keys/key_AAAAAAAAAAAAAAAAAAAAAA');
    const unknownRotate = await request('POST', '/api-keys/key_AAAAAAAAAAAAAAAAAAAAAA/rotate');
    const malformed = await request('DELETE', '/api-keys/not-a-key-id');
    const tooLong = await request('DELETE', `/api-keys/key_${'a'.repeat(61)}`);
    const bigPage = await request('GET', '/api-keys?limit=101');

    // Assess
    expect(refused.map((answer) => answer.status)).toEqual(Array(8).fill(403));
    expect((await request('GET', '/tickets', { key: agent.key })).status).toBe(200); // still active
    expect([unknown.status, unknownRotate.status, malformed.status, tooLong.status]).toEqual([404, 404, 404, 404]);
    expect(bigPage.status).toBe(400);
    expect(bigPage.body.field).toBe('limit');
  });
});

/** Counts the last-use writes the handlers send (they share this process's store), passing them on. */
function countLastUseWrites(): { attempts: () => number; stop: () => void } {
  const { doc } = table();
  const send = doc.send.bind(doc);
  let attempts = 0;
  const spy = vi.spyOn(doc, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    if (command instanceof UpdateCommand && command.input.UpdateExpression?.includes('lastUsedAt')) attempts++;
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as never);
  return { attempts: () => attempts, stop: () => spy.mockRestore() };
}

describe('last use', () => {
  it('is recorded on use, not rewritten within the hour, and recorded again after it', async () => {
    // Prepare
    const { id, key } = await createKey({ name: 'busy', role: 'agent' });
    const { TableName, doc } = table();
    const setLastUsed = (at: string) =>
      doc.send(new UpdateCommand({ TableName, Key: { PK: `APIKEY#${hashKey(key)}`, SK: 'A' }, UpdateExpression: 'SET lastUsedAt = :at', ExpressionAttributeValues: { ':at': at } }));
    expect((await listed(id)).lastUsedAt).toBeNull();

    // Act: the first use records it.
    const before = new Date().toISOString();
    expect((await request('GET', '/tickets', { key })).status).toBe(200);
    const first = (await listed(id)).lastUsedAt;
    // Half an hour ago, as far as the record knows: any write would replace this exact value.
    const halfAnHourAgo = new Date(Date.now() - 30 * 60_000).toISOString();
    await setLastUsed(halfAnHourAgo);
    const writes = countLastUseWrites();
    for (let i = 0; i < 3; i++) expect((await request('GET', '/tickets', { key })).status).toBe(200);
    writes.stop();
    const withinTheHour = (await listed(id)).lastUsedAt;
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000).toISOString();
    await setLastUsed(twoHoursAgo);
    const beforeStale = new Date().toISOString();
    const staleWrites = countLastUseWrites();
    expect((await request('GET', '/tickets', { key })).status).toBe(200);
    staleWrites.stop();
    const afterTheHour = (await listed(id)).lastUsedAt;

    // Assess
    expect(first >= before).toBe(true);
    expect(withinTheHour).toBe(halfAnHourAgo);
    expect(writes.attempts()).toBe(0); // not even a conditional write that fails: those cost capacity too
    expect(afterTheHour >= beforeStale).toBe(true);
    expect(staleWrites.attempts()).toBe(1);
  });

  it('a failure to record it does not fail the request', async () => {
    // Prepare: the store refuses every write of a last use (the request path's own client).
    const { key } = await createKey({ name: 'flaky', role: 'agent' });
    const { doc } = table();
    const send = doc.send.bind(doc);
    let refusedWrites = 0;
    const spy = vi.spyOn(doc, 'send').mockImplementation(((command: { input?: { UpdateExpression?: string } }, ...rest: unknown[]) => {
      if (command instanceof UpdateCommand && command.input.UpdateExpression?.includes('lastUsedAt')) {
        refusedWrites++;
        return Promise.reject(Object.assign(new Error('injected failure'), { name: 'InternalServerError' }));
      }
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as never);

    // Act
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request('GET', '/tickets', { key });
    } finally {
      spy.mockRestore();
    }

    // Assess
    expect(refusedWrites).toBe(1);
    expect(answer.status).toBe(200);
  });
});

describe('keys written before ids and creators', () => {
  it('are listed (with their derived id and no creator), revocable by that id, and refused once revoked', async () => {
    // Prepare: an item as the store wrote it before [10]: no id, no creator, no by-id item.
    const oldSecret = 'td_agent_written-before-key-ids-0000000000';
    const hash = hashKey(oldSecret);
    const { TableName, doc } = table();
    await doc.send(new PutCommand({ TableName, Item: { PK: `APIKEY#${hash}`, SK: 'A', name: 'legacy script', role: 'agent' } }));
    await doc.send(new DeleteCommand({ TableName, Key: { PK: 'MIGRATION#api-key-ids-1', SK: 'A' } })); // earlier tests' listings ran the upgrade
    expect((await request('GET', '/tickets', { key: oldSecret })).status).toBe(200);
    const id = apiKeyIdFromHash(hash);

    // Act
    const entry = await listed(id);
    const revoked = await request('DELETE', `/api-keys/${id}`);
    const next = await request('GET', '/tickets', { key: oldSecret });

    // Assess
    expect(entry).toMatchObject({ id, name: 'legacy script', role: 'agent', status: 'active', createdBy: null, createdAt: null, lastUsedAt: expect.any(String) });
    expect(revoked.status).toBe(200);
    expect(next.status).toBe(401);
    expect(next.body.message).toBe('this API key was revoked');
  });
});

describe('tierdesk keys', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)('node', ['bin/tierdesk.js', 'keys', ...args, '--url', runtime.url, '--key', runtime.adminKey]).catch((error: { code: number; stdout: string; stderr: string }) => error);

  it('lists, rotates and revokes over the API; a refusal is one line and exit code 1', async () => {
    // Prepare
    const { id, key } = await createKey({ name: 'cli target', role: 'agent' });

    // Act
    const list = await cli('list');
    const rotate = await cli('rotate', id);
    const newSecret = rotate.stdout.trim().split('\n').at(-1)!;
    const revoke = await cli('revoke', id);
    const self = await cli('revoke', adminId);

    // Assess
    expect(list.stdout).toMatch(new RegExp(`^${id}  active  agent  "cli target"  by ${adminId}  last used never$`, 'm'));
    expect(newSecret).toMatch(/^td_agent_/);
    expect((await request('GET', '/tickets', { key })).status).toBe(401);
    expect(revoke.stdout).toMatch(new RegExp(`^revoked ${id} at `));
    expect((await request('GET', '/tickets', { key: newSecret })).status).toBe(401);
    expect(self).toMatchObject({ code: 1 });
    expect((self as { stderr: string }).stderr).toMatch(/409 id: this is the key the request is made with/);
  });
});
