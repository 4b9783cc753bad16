/**
 * The OpenAPI document (GET /openapi.json) the console's typed client is generated from ([11]):
 * - it lints clean with Redocly (redocly.yaml: recommended rules), no error and no warning;
 * - every operation has a stable operationId, a success and its 4xx, and a named answer schema;
 * - the committed console types (console/src/api/schema.d.ts) are what `npm run api:types` writes;
 * - the real proof: a scenario of requests against the local runtime, every answer held to the
 *   document — its status must be one the document lists for the operation, and its body must
 *   parse with the schema the document names for that status (strict: no undocumented field).
 *   Every operation must have answered its success at least once.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { signTierdeskPayload, signTwilioRequest } from '../core/webhooks/signatures';
import { openApiDocument } from '../functions/api/openapi';
import { RESPONSES, type ResponseName } from '../functions/api/responses';
import { ROUTES } from '../functions/api/routes';
import { API_TYPES_FILE, apiTypes } from '../scripts/api-types';
import { eventually } from './support/eventually';
import { type Runtime, startTestRuntime } from './support/runtime';

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any>; responses: Record<string, any> } };
const doc = openApiDocument() as unknown as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

describe('the OpenAPI document', () => {
  it('lints clean with Redocly (recommended rules, redocly.yaml): no error, no warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierdesk-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const run = await promisify(execFile)('node_modules/.bin/redocly', ['lint', file, '--config', 'redocly.yaml', '--format', 'json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
      const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
      };
      const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("gives every operation a unique camelCase operationId, tags, security, a success and (the API's) 4xx answers", () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.every((id) => /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations) {
      const statuses = Object.keys(op.responses).map(Number);
      expect(
        statuses.some((status) => status >= 200 && status < 400),
        `${method} ${path}`,
      ).toBe(true);
      expect(op.tags?.length, `${method} ${path}`).toBe(1);
      expect(op.security, `${method} ${path}`).toBeDefined();
      // /health and /openapi.json answer 200 to every GET (redocly.yaml says why the rule is off).
      if (path !== '/health' && path !== '/openapi.json') expect(statuses.filter((s) => s >= 400 && s < 500).length, `${method} ${path}`).toBeGreaterThan(0);
    }
    expect(ROUTES.map((route) => route.operationId)).toEqual(expect.arrayContaining(['createTicket', 'listTickets', 'getTicket', 'postAction', 'createApiKey']));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/webhooks/{id}', '/webhooks/twilio/{id}', '/webhooks/cti/{id}/{token}']));
  });

  it('names a schema for every answer and loses no shape in the translation from zod (no empty schema but the free-form ones)', () => {
    const empty: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (!node || typeof node !== 'object') return;
      if (!Array.isArray(node) && Object.keys(node).length === 0) empty.push(where);
      // A default is a value, not a schema.
      for (const [key, child] of Object.entries(node)) if (key !== 'default') walk(child, `${where}/${key}`);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema, name);
    // The free-form ones, on purpose: an event's data (by type), the extra facts an error may carry.
    expect(empty.sort()).toEqual(['Error/additionalProperties', 'TimelineEvent/properties/data/additionalProperties']);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(RESPONSES).sort());
  });

  it("the console's committed API types are what `npm run api:types` writes from it", async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8'), 'console/src/api/schema.d.ts is stale: run `npm run api:types` and commit it').toBe(await apiTypes());
  });
});

// ---- real answers, held to the document ------------------------------------------------------------

const SECRETS = {
  portal: ['whsec_openapi-portal'],
  zendesk: ['zendesk-openapi'],
  pbx: ['cti-openapi-token-0123456789'],
  voice: ['twilio-openapi-token-0123456789abcdef'],
  livechat: ['whsec_openapi-chat'],
};

let runtime: Runtime;
/** operationId -> the statuses it answered. */
const seen = new Map<string, Set<number>>();

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fuzz/policy.yaml', webhookSecrets: SECRETS });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

/** The document's operation for a request path (templates matched segment by segment, literal segments first). */
function operationFor(method: string, url: string) {
  const segments = new URL(url, 'http://x').pathname.split('/');
  const candidates = operations.filter((o) => o.method === method && o.path.split('/').length === segments.length);
  const matches = candidates.filter((o) => o.path.split('/').every((part, i) => part.startsWith('{') || part === segments[i]));
  matches.sort((a, b) => a.path.split('/').filter((p) => p.startsWith('{')).length - b.path.split('/').filter((p) => p.startsWith('{')).length);
  return matches[0];
}

function schemaOfAnswer(answer: any): z.ZodMiniType | undefined {
  const resolved = answer.$ref ? doc.components.responses[answer.$ref.split('/').pop()] : answer;
  const ref: string | undefined = resolved.content?.['application/json']?.schema?.$ref;
  return ref ? RESPONSES[ref.split('/').pop() as ResponseName] : undefined;
}

interface Sent {
  key?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** A request whose answer must be one the document lists, with the body it documents. */
async function call(method: string, path: string, sent: Sent = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const key = sent.key ?? runtime.adminKey;
  const body = sent.raw ?? (sent.body === undefined ? undefined : JSON.stringify(sent.body));
  const response = await fetch(new URL(path, runtime.url), {
    method,
    redirect: 'manual',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key && !path.startsWith('/webhooks/') ? { authorization: `Bearer ${key}` } : {}), ...sent.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  const found = operationFor(method, path);
  expect(found, `${method} ${path} is no operation of the document`).toBeDefined();
  const { op } = found!;
  const where = `${method} ${path} answered ${response.status} ${text.slice(0, 300)}`;
  const answer = op.responses[String(response.status)];
  expect(answer, `${where}: a status the document does not list for ${op.operationId}`).toBeDefined();
  const schema = schemaOfAnswer(answer);
  if (schema) {
    const parsed = schema.safeParse(json);
    expect(parsed.success, `${where}: not the documented schema: ${parsed.error?.message}`).toBe(true);
  } else {
    const type = Object.keys((answer.$ref ? doc.components.responses[answer.$ref.split('/').pop()] : answer).content ?? {})[0];
    if (type) expect(response.headers.get('content-type') ?? '', where).toContain(type === 'text/xml' ? 'xml' : 'json');
  }
  if (!seen.has(op.operationId)) seen.set(op.operationId, new Set());
  seen.get(op.operationId)!.add(response.status);
  // A GET's JSON answer carries its entity tag, and the same GET naming it is a 304 the document lists.
  if (method === 'GET' && response.status === 200 && op.responses['304'] && !sent.headers?.['if-none-match']) {
    let etag = response.headers.get('etag');
    expect(etag, `${where}: no ETag`).toBeTruthy();
    // The workflow may change a ticket between two reads (then a 200 with a new tag): asked again with that one.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5 && statuses.at(-1) !== 304; attempt++) {
      const again = await call(method, path, { ...sent, headers: { ...sent.headers, 'if-none-match': etag! } });
      statuses.push(again.status);
      etag = again.headers.get('etag') ?? etag;
    }
    expect(statuses.at(-1), `${method} ${path} with If-None-Match: ${statuses.join(', ')}`).toBe(304);
  }
  return { status: response.status, body: json, headers: response.headers };
}

const hourFromNow = (days: number) => new Date(Math.ceil((Date.now() + days * 86_400_000) / 3_600_000) * 3_600_000).toISOString();

describe('every answer of the local runtime is the one the document gives', () => {
  it('holds a scenario over every operation to the document', async () => {
    expect((await call('GET', '/health', { key: '' })).status).toBe(200);
    expect((await call('GET', '/openapi.json', { key: '' })).status).toBe(200);

    // The staff directory, customers, keys.
    expect((await call('PUT', '/staff/partners/helpdesk', { body: { name: 'Helpdesk Partners' } })).status).toBe(201);
    expect((await call('PUT', '/staff/people/ana', { body: { name: 'Ana Agent', email: 'ana@vendor.example', timeZone: 'Europe/Berlin', roles: ['agent', 'tam'] } })).status).toBe(201);
    expect((await call('PUT', '/staff/people/ana', { body: { name: 'Ana Agent', email: 'Ana@Vendor.example', timeZone: 'Europe/Berlin', roles: ['agent'] } })).status).toBe(200);
    expect((await call('PUT', '/staff/teams/frontline', { body: { name: 'Frontline', lead: 'ana', members: ['ana'], tiers: ['L1'] } })).status).toBe(201);
    expect((await call('GET', '/staff/people/ana')).status).toBe(200);
    expect((await call('GET', '/staff/teams/frontline')).status).toBe(200);
    expect((await call('GET', '/staff/partners/helpdesk')).status).toBe(200);
    expect((await call('GET', '/staff/partners/nobody')).status).toBe(404);
    expect((await call('GET', '/staff/people?limit=1')).status).toBe(200);
    expect((await call('GET', '/staff/teams')).status).toBe(200);
    expect((await call('GET', '/staff')).status).toBe(200);

    const customer = {
      name: 'Acme',
      plan: 'standard',
      addOns: [],
      designatedUsers: ['KIM@acme.example', 'kim@acme.example'],
      contacts: [{ name: 'Kim Park', email: 'kim@acme.example' }],
      emailDomains: ['acme.example'],
      accountTeam: { tam: 'ana' },
    };
    expect((await call('PUT', '/customers/acme', { body: customer })).status).toBe(201);
    const replaced = await call('PUT', '/customers/acme', { body: customer, headers: { 'if-match': '1' } });
    expect(replaced.status).toBe(200);
    expect((await call('PUT', '/customers/acme', { body: customer, headers: { 'if-match': '1' } })).status).toBe(409);
    expect((await call('GET', '/customers/acme')).status).toBe(200);
    expect((await call('GET', '/customers/initech')).status).toBe(404);
    expect((await call('GET', '/customers?q=acme')).status).toBe(200);

    const agentKey = await call('POST', '/api-keys', { body: { name: 'agent', role: 'agent' } });
    expect(agentKey.status).toBe(201);
    const acmeKey = (await call('POST', '/api-keys', { body: { name: 'acme portal', role: 'customer', customerId: 'acme' } })).body.key as string;
    expect((await call('GET', '/api-keys?limit=2')).status).toBe(200);
    expect((await call('POST', `/api-keys/${agentKey.body.id}/rotate`)).status).toBe(200);
    expect((await call('DELETE', `/api-keys/${agentKey.body.id}`)).status).toBe(200);
    expect((await call('POST', `/api-keys/${agentKey.body.id}/rotate`)).status).toBe(409);
    expect((await call('DELETE', '/api-keys/key_nosuchkey')).status).toBe(404);
    expect((await call('GET', '/api-keys', { key: acmeKey })).status).toBe(403);
    expect((await call('GET', '/api-keys', { key: 'td_admin_unknown' })).status).toBe(401);

    // Tickets, as staff and as the customer.
    expect((await call('GET', '/policy/severities')).status).toBe(200);
    expect((await call('GET', '/policy/severities', { key: acmeKey })).status).toBe(200);
    expect((await call('GET', '/policy/desk')).status).toBe(200);
    expect((await call('GET', '/policy/desk', { key: acmeKey })).status).toBe(403);
    const requester = { email: 'kim@acme.example', name: 'Kim Park' };
    const created = await call('POST', '/tickets', { body: { subject: 'Export fails', description: 'It times out.', severity: '1', requester }, headers: { 'idempotency-key': 'openapi-1' } });
    expect(created.status).toBe(201);
    expect((await call('POST', '/tickets', { body: { subject: 'Other', description: 'x', severity: '1', requester }, headers: { 'idempotency-key': 'openapi-1' } })).status).toBe(422);
    const id = created.body.id as string;
    const own = await call('POST', '/tickets', { body: { subject: 'Mine', description: 'From the portal.', severity: '3', requester }, key: acmeKey });
    expect(own.status).toBe(201);
    expect((await call('POST', `/tickets/${own.body.id}/actions`, { body: { type: 'assign', assignee: 'ana' }, key: acmeKey })).status).toBe(403);
    expect((await call('GET', '/tickets?limit=5')).status).toBe(200);
    expect((await call('GET', '/tickets/views')).status).toBe(200);
    expect((await call('GET', '/tickets', { key: acmeKey })).status).toBe(200);
    expect((await call('GET', `/tickets/${id}`)).status).toBe(200);
    expect((await call('GET', `/tickets/${id}`, { key: acmeKey })).status).toBe(200);
    expect((await call('GET', '/tickets/FZ-999999')).status).toBe(404);
    expect((await call('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body: 'Looking into it.' } })).status).toBe(201);
    expect((await call('POST', `/tickets/${id}/messages`, { body: { body: 'Thanks' }, key: acmeKey })).status).toBe(201);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'assign', assignee: 'ana' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'pause' }, headers: { 'if-match': '1' } })).status).toBe(409);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'escalate', reason: 'engineering' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'escalate', reason: 'a defect' } })).status).toBe(422);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'escalate', reason: 'a defect', details: { stepsToReproduce: '1. export' } } })).status).toBe(200);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'customer-escalate', reason: 'too slow' }, key: acmeKey })).status).toBe(200);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'resolve', resolutionType: 'workaround', text: 'Export in pages.' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${id}/actions`, { body: { type: 'close' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${id}/messages`, { body: { body: 'one more thing' }, key: acmeKey })).status).toBe(409);
    expect((await call('GET', '/tickets?colour=red')).status).toBe(400);

    // A mail with an attachment: the attachment is a 302 to its download.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
    try {
      await smtp.sendMail({
        from: 'kim@acme.example',
        to: 'support@fuzz-test.example',
        subject: 'Log attached (openapi)',
        text: 'See the log.',
        attachments: [{ filename: 'log.txt', content: 'line 1\n' }],
      });
    } finally {
      smtp.close();
    }
    const mailed = await eventually('the mailed ticket', async () => {
      const listed = await call('GET', '/tickets?limit=100');
      return listed.body.items.find((ticket: { subject: string }) => ticket.subject === 'Log attached (openapi)');
    });
    expect((await call('GET', `/tickets/${mailed.id}/attachments/created/1`)).status).toBe(302);
    // Asked for JSON (the console): the same link as a 200, no redirect.
    expect((await call('GET', `/tickets/${mailed.id}/attachments/created/1`, { headers: { accept: 'application/json' } })).status).toBe(200);
    expect((await call('GET', `/tickets/${mailed.id}/attachments/created/2`)).status).toBe(404);

    // Engineers and support orders.
    const engineer = { name: 'Eve Engineer', email: 'eve@vendor.example', phone: '+1 202 555 0100', availability: [{ from: hourFromNow(1), to: hourFromNow(400) }] };
    expect((await call('PUT', '/agents/eve', { body: engineer })).status).toBe(201);
    expect((await call('PUT', '/agents/eve', { body: engineer })).status).toBe(200);
    expect((await call('GET', '/agents/eve')).status).toBe(200);
    expect((await call('GET', '/agents/nobody')).status).toBe(404);
    expect((await call('GET', '/agents')).status).toBe(200);
    const order = { customerId: 'acme', purpose: 'attendee-support', periods: [{ start: hourFromNow(60), hours: 4 }], pointOfContact: { name: 'Kim Park', email: 'kim@acme.example' } };
    const placed = await call('POST', '/support-orders', { body: order });
    expect(placed.status).toBe(201);
    const orderId = placed.body.id as string;
    expect((await call('GET', `/support-orders/${orderId}`)).status).toBe(200);
    expect((await call('GET', '/support-orders', { key: acmeKey })).status).toBe(200);
    expect((await call('POST', `/support-orders/${orderId}/accept`, { body: { engineerId: 'eve' } })).status).toBe(200);
    expect((await call('PUT', `/support-orders/${orderId}/periods`, { body: { periods: [{ start: hourFromNow(61), hours: 8 }] } })).status).toBe(200);
    expect((await call('POST', `/support-orders/${orderId}/cancel`)).status).toBe(200);
    expect((await call('POST', `/support-orders/${orderId}/accept`, { body: {} })).status).toBe(409);
    expect((await call('GET', '/support-orders/SO-999999')).status).toBe(404);

    // Webhooks: a portal's signed delivery, its replay, an unsigned one; a PBX's call; a Twilio callback.
    const delivery = JSON.stringify({ ticket: { title: 'From the portal', body: 'Broken', priority: '2', id: 'P-1' }, user: { email: 'kim@acme.example', name: 'Kim' } });
    const signed = (body: string) => ({ 'x-tierdesk-signature': signTierdeskPayload(SECRETS.portal[0]!, body, Date.now() / 1000), 'x-event-id': 'evt-1' });
    expect((await call('POST', '/webhooks/portal', { raw: delivery, headers: signed(delivery) })).status).toBe(201);
    expect((await call('POST', '/webhooks/portal', { raw: delivery, headers: signed(delivery) })).status).toBe(201);
    expect((await call('POST', '/webhooks/portal', { raw: delivery })).status).toBe(401);
    expect((await call('POST', '/webhooks/nothing', { raw: delivery })).status).toBe(404);
    const cti = { event: 'newCall', from: '+12025550123', to: '+18005550199', direction: 'in', callId: 'openapi-call-1' };
    expect((await call('POST', `/webhooks/cti/pbx/${SECRETS.pbx[0]}`, { body: cti })).status).toBe(200);
    expect((await call('POST', '/webhooks/cti/pbx/wrong-token', { body: cti })).status).toBe(401);
    const form = { CallSid: 'CAopenapi1', From: '+12025550123', To: '+18005550199', CallStatus: 'ringing' };
    const twilioSignature = signTwilioRequest(SECRETS.voice[0]!, 'https://support.example.com/webhooks/twilio/voice', form);
    expect(
      (
        await call('POST', '/webhooks/twilio/voice', {
          raw: new URLSearchParams(form).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature },
        })
      ).status,
    ).toBe(200);

    // Every operation answered its success at least once.
    const unanswered = operations.filter(({ op }) => !Object.keys(op.responses).some((status) => Number(status) < 400 && seen.get(op.operationId)?.has(Number(status))));
    expect(unanswered.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  }, 240_000);
});
