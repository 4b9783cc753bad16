/**
 * The staff directory on `npm start`'s runtime: people and teams written and read over the API
 * (admin writes, staff reads, customer keys refused), bad input refused naming the field, signed
 * cursors, a customer's account team checked against the directory, and mail the workflow sends
 * reaching the people of the directory: a breach notice the team lead, a customer escalation the
 * customer's own CSM. The policy (test/fixtures/staff-policy.yaml) has no notifications section,
 * so only the directory can address those mails. Mail is read back from the SES emulator.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { loadDirectory } from '../core/staff/files';
import { eventually } from './support/eventually';
import { api, type Runtime, startTestRuntime } from './support/runtime';

vi.setConfig({ testTimeout: 90_000 });

let runtime: Runtime;
let request: ReturnType<typeof api>;
let agentKey: string;
let customerKey: string;

const person = (name: string, roles: string[]) => ({ name, email: `${name.toLowerCase().replace(' ', '.')}@vendor.example`, timeZone: 'Europe/Berlin', roles });

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/staff-policy.yaml' });
  request = api(runtime);
  expect((await request('PUT', '/customers/acme', { body: { name: 'Acme', plan: 'standard', emailDomains: ['acme.example'] } })).status).toBe(201);
  agentKey = (await request('POST', '/api-keys', { body: { name: 'agent', role: 'agent' } })).body.key;
  customerKey = (await request('POST', '/api-keys', { body: { name: 'acme portal', role: 'customer', customerId: 'acme' } })).body.key;
});

afterAll(async () => {
  await runtime?.stop();
});

describe('people and teams over the API', () => {
  it('are created and replaced with an admin key, read with any staff key, and refused to customer keys', async () => {
    // Act
    const created = await request('PUT', '/staff/people/lena', { body: person('Lena Hoffmann', ['team-lead', 'agent']) });
    const replaced = await request('PUT', '/staff/people/lena', { body: { ...person('Lena Hoffmann', ['team-lead']), phone: '+49 30 1234567' } });
    const readByAgent = await request('GET', '/staff/people/lena', { key: agentKey });
    const writtenByAgent = await request('PUT', '/staff/people/max', { key: agentKey, body: person('Max Mustermann', []) });
    const asCustomer = await Promise.all([
      request('GET', '/staff/people/lena', { key: customerKey }),
      request('GET', '/staff', { key: customerKey }),
      request('GET', '/staff/teams', { key: customerKey }),
      request('PUT', '/staff/people/lena', { key: customerKey, body: person('Lena Hoffmann', []) }),
    ]);
    const missing = await request('GET', '/staff/people/nobody');

    // Assess
    expect(created.status).toBe(201);
    expect(replaced.status).toBe(200);
    expect(readByAgent.body).toEqual({ id: 'lena', name: 'Lena Hoffmann', email: 'lena.hoffmann@vendor.example', timeZone: 'Europe/Berlin', roles: ['team-lead'], phone: '+49 30 1234567' });
    expect(writtenByAgent.status).toBe(403);
    expect(asCustomer.map((answer) => answer.status)).toEqual([403, 403, 403, 403]);
    expect(missing.status).toBe(404);
  });

  it('refuse bad input with a 400 naming the field', async () => {
    // Act
    const answers = await Promise.all([
      request('PUT', '/staff/people/ann', { body: { ...person('Ann', []), email: 'ann@' } }),
      request('PUT', '/staff/people/ann', { body: { ...person('Ann', []), timeZone: 'Mars/Olympus' } }),
      request('PUT', '/staff/people/ann', { body: person('Ann', ['boss']) }),
      request('PUT', '/staff/people/ann', { body: { ...person('Ann', []), nickname: 'A' } }),
      request('PUT', '/staff/people/Ann%20Smith', { body: person('Ann', []) }),
      request('PUT', '/staff/teams/frontline', { body: { name: 'Frontline', members: ['ghost'] } }),
      request('PUT', '/staff/teams/frontline', { body: { name: 'Frontline', members: Array.from({ length: 101 }, (_, i) => `p${i}`) } }),
      request('GET', '/staff/people?cursor=forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    ]);

    // Assess
    expect(answers.map((answer) => [answer.status, answer.body.field])).toEqual([
      [400, 'email'],
      [400, 'timeZone'],
      [400, 'roles.0'],
      [400, 'nickname'],
      [400, 'id'],
      [400, 'members.0'],
      [400, 'members'],
      [400, 'cursor'],
    ]);
    expect(answers[5]!.body.message).toContain('no person "ghost" in the staff directory');
  });

  it('are listed a page at a time with signed cursors, and exported whole', async () => {
    // Prepare
    for (const [id, name] of [
      ['p1', 'Pia One'],
      ['p2', 'Paul Two'],
    ] as const) {
      expect((await request('PUT', `/staff/people/${id}`, { body: person(name, ['agent']) })).status).toBeLessThan(300);
    }
    expect((await request('PUT', '/staff/teams/helpers', { body: { name: 'Helpers', members: ['p1', 'p2'] } })).status).toBe(201);

    // Act
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; cursor: string | null } } = await request('GET', `/staff/people?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        key: agentKey,
      });
      ids.push(...page.body.items.map((item) => item.id));
      cursor = page.body.cursor;
    } while (cursor);
    const teams = await request('GET', '/staff/teams');
    const whole = await request('GET', '/staff', { key: agentKey });

    // Assess
    expect(ids).toEqual(expect.arrayContaining(['lena', 'p1', 'p2']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(teams.body.items.map((team: { id: string }) => team.id)).toContain('helpers');
    expect(whole.body.people.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(ids));
    expect(whole.body.teams).toEqual(expect.arrayContaining([{ id: 'helpers', name: 'Helpers', members: ['p1', 'p2'], tiers: [] }]));
  });
});

describe('tierdesk staff', () => {
  const tierdesk = (args: string[]) =>
    promisify(execFile)('node', ['bin/tierdesk.js', 'staff', ...args, '--url', runtime.url, '--key', runtime.adminKey]).catch((error: { code: number; stdout: string; stderr: string }) => error);

  it("imports a directory file (a preset's) over the API and exports it back as a file import reads", async () => {
    // Act
    const imported = await tierdesk(['import', 'presets/staff/caret.yaml']);
    const exported = await tierdesk(['export']);

    // Assess
    expect(imported.stdout).toContain('imported 7 people and 2 teams');
    const shipped = loadDirectory('presets/staff/caret.yaml');
    const back = parse(exported.stdout) as { people: unknown[]; teams: unknown[] };
    expect(back.people).toEqual(expect.arrayContaining(shipped.people));
    expect(back.teams).toEqual(expect.arrayContaining(shipped.teams));
  });

  it('stops at the first refusal with one line naming it', async () => {
    // Act
    const refused = await promisify(execFile)('node', ['bin/tierdesk.js', 'staff', 'export', '--url', runtime.url, '--key', customerKey]).catch((error: { code: number; stderr: string }) => error);

    // Assess
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr.trim()).toBe('tierdesk: the directory: 403 this needs an agent or admin key');
  });
});

describe("a customer's account team", () => {
  it('must name people of the directory (400 naming the field)', async () => {
    // Act
    const unknown = await request('PUT', '/customers/acme', { body: { name: 'Acme', plan: 'standard', emailDomains: ['acme.example'], accountTeam: { csm: 'nobody' } } });

    // Assess
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('accountTeam.csm');
  });
});

describe('mail the workflow sends', () => {
  it("reaches the team lead from the directory when a target is breached, and the customer's own CSM on a customer escalation", async () => {
    // Prepare: frontline (tier L1's team) led by Rita; two CSMs, Acme's own is Carla.
    await request('PUT', '/staff/people/rita', { body: person('Rita Lead', ['team-lead']) });
    await request('PUT', '/staff/people/bert', { body: person('Bert Member', ['agent']) });
    await request('PUT', '/staff/people/chris', { body: person('Chris Csm', ['csm']) });
    await request('PUT', '/staff/people/carla', { body: person('Carla Csm', ['csm']) });
    expect((await request('PUT', '/staff/teams/frontline', { body: { name: 'Frontline', lead: 'rita', members: ['bert'], tiers: ['L1'] } })).status).toBe(201);
    const acme = await request('PUT', '/customers/acme', { body: { name: 'Acme', plan: 'standard', emailDomains: ['acme.example'], accountTeam: { csm: 'carla' } } });
    expect(acme.status, JSON.stringify(acme.body)).toBe(200);
    expect(acme.body.accountTeam).toEqual({ csm: 'carla' });

    // Act: a severity 1 case (first response due in 3 s) and another the customer escalates.
    const breached = await request('POST', '/tickets', { key: customerKey, body: { subject: 'Down', description: 'All down.', severity: '1', requester: { email: 'ana@acme.example', name: 'Ana' } } });
    const escalated = await request('POST', '/tickets', {
      key: customerKey,
      body: { subject: 'Slow answers', description: 'Unhappy.', severity: '2', requester: { email: 'ana@acme.example', name: 'Ana' } },
    });
    expect([breached.status, escalated.status]).toEqual([201, 201]);
    const escalation = await request('POST', `/tickets/${escalated.body.id}/actions`, { key: customerKey, body: { type: 'customer-escalate', reason: 'Nobody answers.' } });
    expect(escalation.status, JSON.stringify(escalation.body)).toBe(200);

    // Assess
    const breachCase = breached.body.ticket.caseNumber as string;
    const breachMail = await eventually('the breach notice', async () => (await runtime.ses.store()).find((mail) => mail.subject.includes(`[${breachCase}] SLA breached`)), 60_000);
    expect(breachMail.destination.to).toEqual(['rita.lead@vendor.example']);
    const escalationCase = escalated.body.ticket.caseNumber as string;
    const escalationMails = await eventually(
      'the customer escalation',
      async () => {
        const found = (await runtime.ses.store()).filter((mail) => mail.subject.includes(`[${escalationCase}] Customer escalation`));
        return found.length ? found : undefined;
      },
      60_000,
    );
    expect(escalationMails.flatMap((mail) => mail.destination.to)).toEqual(['carla.csm@vendor.example']);
  });
});
