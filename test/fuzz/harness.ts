/**
 * The fuzzer's side of the wire: it starts the runtime of `npm start` (DynamoDB Local, the gateway,
 * the handlers, the workflows) with test/fuzz/policy.yaml, makes a small world of keys, customers,
 * tickets, engineers and orders to aim at, sends each request over a raw socket (fetch would refuse
 * or repair the malformed ones) and judges the answer:
 *
 * - no 5xx, and an answer at all (no dropped or hung connection);
 * - a 4xx from the API is JSON with a `message`;
 * - a 4xx changed nothing: what a request could change is read before and after it (as admin:
 *   the resource it names and the list it belongs to), and compared without the parts only the
 *   workflow writes;
 * - a customer key's 2xx names no other customer (`customerId`).
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { z } from 'zod';
import { loadPolicy } from '../../core/policy/files';
import { TranscriptSchema } from '../../core/webhooks/chat';
import { api, type Runtime, startTestRuntime } from '../support/runtime';
import { type FuzzRequest, type Integration, type Operation, operationsOf, type Role, type World } from './generators';

export const FUZZ_POLICY = 'test/fuzz/policy.yaml';

export const WEBHOOK_SECRETS: Record<string, string[]> = {
  portal: ['whsec_fuzz-portal'],
  zendesk: ['zendesk-fuzz-secret'],
  pbx: ['cti-fuzz-token-0123456789'],
  voice: ['twilio-fuzz-token-0123456789abcdef'],
  livechat: ['whsec_fuzz-chat'],
};

/** Far above any answer the runtime gives under load; reaching it means the connection hung. */
const ANSWER_TIMEOUT_MS = 120_000;

export function startFuzzRuntime(): Promise<Runtime> {
  return startTestRuntime({ policy: FUZZ_POLICY, webhookSecrets: WEBHOOK_SECRETS });
}

function portOf(runtime: Runtime): number {
  return Number(new URL(runtime.url).port);
}

/**
 * What the handlers log while one request is served (they run in this process): a 5xx's error
 * (a DynamoDB ValidationException, a TypeError…) names the cause better than its answer does.
 */
let captured: string[] | undefined;
function installLogCapture(): void {
  if ((process.stdout.write as any).fuzzCapture) return;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: any[]) => boolean;
    const patched = (chunk: any, ...rest: any[]) => {
      if (captured) {
        captured.push(String(chunk));
        return true; // kept for the finding, not printed
      }
      return write(chunk, ...rest);
    };
    (patched as any).fuzzCapture = true;
    stream.write = patched as typeof stream.write;
  }
}

/** The error lines of the captured log, shortened: the cause of a 5xx in a few words. */
function errorCause(lines: string[]): string {
  const text = lines.join('');
  const causes = new Set<string>();
  for (const match of text.matchAll(/"(?:name|errorName)":"([^"]+)"[\s\S]*?"message":"([^"]{0,200})/g)) causes.add(`${match[1]}: ${match[2]}`);
  for (const match of text.matchAll(/^(\w*Error|\w*Exception)[:\s]([^\n]{0,200})/gm)) causes.add(`${match[1]}: ${match[2]}`);
  return [...causes].slice(0, 3).join(' / ') || text.slice(0, 300).replace(/\s+/g, ' ');
}

// ---- the wire ----------------------------------------------------------------------------------

export type Answer = { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer } | { kind: 'dropped'; reason: string } | { kind: 'hang' };

/** Sends the request byte for byte on a fresh connection (`Connection: close`) and reads one answer. */
export function sendRaw(port: number, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ kind: 'hang' }), ANSWER_TIMEOUT_MS);
    const done = (reason: string) => {
      const parsed = parseResponse(Buffer.concat(chunks));
      finish(parsed ?? { kind: 'dropped', reason: chunks.length ? `unparsable answer after ${reason}` : reason });
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // Stop as soon as one whole answer is in: the server may keep the socket open.
      if (parseResponse(Buffer.concat(chunks), true)) done('answer');
    });
    socket.on('end', () => done('connection closed without an answer'));
    socket.on('close', () => done('connection closed without an answer'));
    // After an early answer (a 413 before the body was read) the rest of our write may fail: the answer still counts.
    socket.on('error', (error: NodeJS.ErrnoException) => done(`socket error ${error.code ?? error.message}`));
    socket.on('connect', () => {
      const body = request.body;
      const lines = [`${request.method} ${request.target} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close', ...request.headers.map(([name, value]) => `${name}: ${value}`)];
      if (body !== undefined) lines.push(request.chunked ? 'transfer-encoding: chunked' : `content-length: ${body.length}`);
      socket.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'));
      if (body === undefined) return;
      if (!request.chunked) return void socket.write(body);
      for (let at = 0; at < body.length; at += 4_096) {
        const part = body.subarray(at, at + 4_096);
        socket.write(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
      }
      socket.write('0\r\n\r\n');
    });
  });
}

/** One HTTP/1.1 answer (1xx interim answers skipped); undefined while incomplete or unreadable. */
function parseResponse(data: Buffer, needComplete = false): Extract<Answer, { kind: 'response' }> | undefined {
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const head = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
    if (!status) return undefined;
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const code = Number(status[1]);
    rest = rest.subarray(end + 4);
    if (code >= 100 && code < 200) continue;
    let body = rest;
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (rest.length < length) return needComplete ? undefined : { kind: 'response', status: code, headers, body: rest };
      body = rest.subarray(0, length);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const decoded = decodeChunked(rest);
      if (!decoded && needComplete) return undefined;
      body = decoded ?? rest;
    } else if (needComplete) return undefined; // read to the end of the connection
    return { kind: 'response', status: code, headers, body };
  }
}

function decodeChunked(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

// ---- the world -------------------------------------------------------------------------------

/** Days from now, on the hour: periods must start after the contact notice and within a year. */
const FUTURE = (days: number) => new Date(Math.ceil((Date.now() + (60 + days) * 86_400_000) / 3_600_000) * 3_600_000).toISOString();

function expectStatus(what: string, answer: { status: number; body: any }, ...ok: number[]): any {
  if (!ok.includes(answer.status)) throw new Error(`fuzz world: ${what} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body;
}

/** Keys of every role, two customers with their tickets and orders, an engineer, and cursors of every listing. */
export async function buildWorld(runtime: Runtime): Promise<World> {
  const request = api(runtime);
  const document = expectStatus('GET /openapi.json', await request('GET', '/openapi.json'), 200);
  const policy = loadPolicy(FUZZ_POLICY);
  const suffix = Math.random().toString(36).slice(2, 8);
  const customers = { a: `fz-acme-${suffix}`, b: `fz-globex-${suffix}` };
  for (const [id, domain] of [
    [customers.a, 'acme.example'],
    [customers.b, 'globex.example'],
  ] as const) {
    expectStatus(
      `PUT /customers/${id}`,
      await request('PUT', `/customers/${id}`, {
        body: { name: id, plan: policy.defaultPlan ?? policy.plans[0]!.id, contacts: [{ name: 'Kim Park', email: `kim@${domain}` }], emailDomains: [`${suffix}.${domain}`] },
      }),
      200,
      201,
    );
  }
  const agentKey = expectStatus('POST /api-keys (agent)', await request('POST', '/api-keys', { body: { name: 'fuzz agent', role: 'agent' } }), 201).key as string;
  // The same display name for both customers' keys: nothing may be shared through it.
  const customerKey = async (customerId: string) =>
    expectStatus('POST /api-keys (customer)', await request('POST', '/api-keys', { body: { name: 'fuzz customer', role: 'customer', customerId } }), 201).key as string;
  const keys = { admin: runtime.adminKey, agent: agentKey, customerA: await customerKey(customers.a), customerB: await customerKey(customers.b) };

  const world: World = {
    operations: operationsOf(document),
    keys,
    customers,
    ids: {
      tickets: { a: [], b: [], staff: [] },
      customers: { a: [customers.a], b: [customers.b], staff: [] },
      agents: { a: [], b: [], staff: [] },
      'support-orders': { a: [], b: [], staff: [] },
    },
    cursors: [],
    integrations: policy.integrations.map((integration) => ({ ...integration }) as Integration),
    secrets: WEBHOOK_SECRETS,
    hints: {},
    transcriptSchema: z.toJSONSchema(TranscriptSchema, { io: 'input', unrepresentable: 'any' }) as any,
  };
  await addTickets(runtime, world);

  const engineer = `fz-eng-${suffix}`;
  expectStatus(
    'PUT /agents',
    await request('PUT', `/agents/${engineer}`, { body: { name: 'Fuzz Engineer', email: 'eng@vendor.example', phone: '+1 202 555 0100', availability: [{ from: FUTURE(-30), to: FUTURE(400) }] } }),
    200,
    201,
  );
  world.ids.agents!.staff.push(engineer);
  const purpose = policy.supportPeriods?.purposes[0]?.id ?? 'support';
  const block = policy.supportPeriods?.blockHours ?? 4;
  for (const [side, key, days] of [
    ['a', keys.customerA, 1],
    ['b', keys.customerB, 3],
  ] as const) {
    const order = expectStatus(
      'POST /support-orders',
      await request('POST', '/support-orders', { key, body: { purpose, periods: [{ start: FUTURE(days), hours: block }], pointOfContact: { name: 'Kim Park', email: 'kim@acme.example' } } }),
      201,
    );
    world.ids['support-orders']![side].push(order.id);
  }
  expectStatus('accept', await request('POST', `/support-orders/${world.ids['support-orders']!.a[0]}/accept`, { body: { engineerId: engineer } }), 200);

  await collectCursors(runtime, world);
  world.hints = {
    severity: fc.constantFrom(...policy.severities.flatMap((s) => [s.id, s.name])),
    customerId: fc.constantFrom(customers.a, customers.b),
    customer: fc.constantFrom(customers.a, customers.b),
    engineerId: fc.constant(engineer),
    assignee: fc.constantFrom(engineer, 'someone'),
    purpose: fc.constant(purpose),
    hours: fc.constantFrom(block, block * 2),
    plan: fc.constantFrom(...policy.plans.map((p) => p.id)),
    addOns: fc.constant([]),
    caseReason: fc.constantFrom(...policy.caseReasons.map((r) => r.id), 'none'),
    tier: fc.constantFrom(...policy.tiers.map((t) => t.id)),
    queue: fc.constantFrom(...policy.tiers.map((t) => t.team), 'triage', `${policy.tiers[0]!.team}:priority`),
    email: fc.constantFrom(`kim@acme.example`, 'new.person@example.org'),
    phone: fc.constantFrom('+1 202 555 0100', '+4930123456'),
    emailDomains: fc.constant([]),
    designatedUsers: fc.constant([]),
    role: fc.constantFrom('agent', 'customer'),
  };
  return world;
}

/** New tickets to aim at (the newest first): the fuzzer's valid requests grow the old ones' timelines. */
export async function addTickets(runtime: Runtime, world: World): Promise<void> {
  const request = api(runtime);
  const open = async (key: string, subject: string, email: string) =>
    expectStatus('POST /tickets', await request('POST', '/tickets', { key, body: { subject, description: `${subject}: details`, severity: '3', requester: { email, name: 'Kim Park' } } }), 201)
      .id as string;
  const tickets = world.ids.tickets!;
  tickets.a.unshift(await open(world.keys.customerA, 'Export fails', 'kim@acme.example'), await open(world.keys.customerA, 'Login slow', 'kim@acme.example'));
  tickets.b.unshift(await open(world.keys.customerB, 'Printer on fire', 'kim@globex.example'), await open(world.keys.customerB, 'Report empty', 'kim@globex.example'));
  tickets.staff.unshift(await open(world.keys.admin, 'Unknown requester', 'nobody@unknown.example'));
  tickets.a.splice(4);
  tickets.b.splice(4);
  tickets.staff.splice(2);
}

/** Real cursors of every listing that hands one out, for each role that can list. */
async function collectCursors(runtime: Runtime, world: World): Promise<void> {
  const request = api(runtime);
  const listings = world.operations.filter((op) => op.method === 'GET' && !op.path.includes('{') && op.query.some((q) => q.name === 'cursor'));
  for (const op of listings) {
    for (const role of ['admin', 'customerA', 'customerB'] as Role[]) {
      const key = world.keys[role as Exclude<Role, 'none'>];
      const queries = ['limit=1', `limit=1&customer=${world.customers.a}`, 'limit=1&status=new', `limit=1&queue=${encodeURIComponent('frontline')}`];
      for (const query of queries) {
        const answer = await request('GET', `${op.path}?${query}`, { key });
        if (answer.status === 200 && typeof answer.body?.cursor === 'string') world.cursors.push({ query: op.path, role, value: answer.body.cursor });
      }
    }
  }
}

// ---- judging ---------------------------------------------------------------------------------

export type FailureKind = '5xx' | 'dropped' | 'hang' | 'state-change' | 'error-not-json' | 'other-customer' | 'cursor-accepted';

export interface Failure {
  kind: FailureKind;
  status: string;
  request: FuzzRequest;
  detail: string;
  seed: number;
  index: number;
}

/** Keys only the workflow (or the clock) writes on a ticket: a change there is not the request's doing. */
const WORKFLOW_KEYS = new Set(['version', 'updatedAt', 'sla', 'outbox', 'intakeAcknowledgedAt', 'workflowRun', 'queueOrder', 'mailThread', 'requestId']);
/** What an order's mail execution writes (it sends the order's owed mails and takes them out). */
const ORDER_MAIL_KEYS = new Set(['version', 'outbox']);

/** Comparable JSON: keys sorted (DynamoDB returns a map's keys in any order), workflow-only parts left out. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => !(item && typeof item === 'object' && (item as any).actor?.kind === 'system')).map(normalise);
  if (value && typeof value === 'object') {
    const isTicket = 'sla' in value;
    const isOrder = 'periods' in value && 'pointOfContact' in value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !(isTicket && WORKFLOW_KEYS.has(key)) && !(isOrder && ORDER_MAIL_KEYS.has(key)) && key !== 'requestId')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, child]) => [key, normalise(child)]),
    );
  }
  return value;
}

/** The GETs that show what a mutating request could change: its own resource and its collection. */
export function probesFor(world: World, request: FuzzRequest): string[] {
  if (request.method === 'GET' || request.method === 'HEAD') return [];
  const path = request.target.split('?')[0]!;
  if (path.startsWith('/webhooks/')) return ['/tickets?limit=5', '/tickets?limit=5&status=new'];
  const segments = path.split('/');
  const gets = world.operations.filter((op) => op.method === 'GET');
  const probes: string[] = [];
  for (let length = segments.length; length > 1 && probes.length < 2; length--) {
    const candidate = segments.slice(0, length);
    const hit = gets.find((op) => {
      const template = op.path.split('/');
      return template.length === candidate.length && template.every((part, i) => part.startsWith('{') || part === candidate[i]);
    });
    if (hit) probes.push(candidate.join('/'));
  }
  return probes;
}

export interface Snapshot {
  [probe: string]: string;
}

export async function snapshot(runtime: Runtime, world: World, probes: string[]): Promise<Snapshot> {
  const result: Snapshot = {};
  for (const probe of probes) {
    const answer = await sendRaw(portOf(runtime), { op: 'probe', method: 'GET', target: probe, role: 'admin', cleanAuth: true, headers: [['authorization', `Bearer ${world.keys.admin}`]], notes: [] });
    if (answer.kind !== 'response') result[probe] = answer.kind;
    else if (answer.status >= 300) result[probe] = String(answer.status);
    else {
      try {
        result[probe] = `${answer.status} ${JSON.stringify(normalise(JSON.parse(answer.body.toString('utf8'))))}`;
      } catch {
        result[probe] = `${answer.status} ${answer.body.toString('utf8')}`;
      }
    }
  }
  return result;
}

/** The first difference between two snapshots, briefly. */
function difference(before: Snapshot, after: Snapshot): string | undefined {
  for (const probe of Object.keys(before)) {
    const a = before[probe]!;
    const b = after[probe]!;
    if (a === b) continue;
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    return `GET ${probe} changed at char ${at}: …${a.slice(Math.max(0, at - 60), at + 80)}… → …${b.slice(Math.max(0, at - 60), at + 80)}…`;
  }
  return undefined;
}

function customerIdsIn(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) customerIdsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'customerId' && typeof child === 'string') found.add(child);
      else customerIdsIn(child, found);
    }
  }
  return found;
}

/** Every rule an answer breaks (empty: it held). */
export function judge(world: World, request: FuzzRequest, answer: Answer, before: Snapshot | undefined, after: Snapshot | undefined): { kind: FailureKind; status: string; detail: string }[] {
  if (answer.kind === 'dropped') return [{ kind: 'dropped', status: 'dropped', detail: answer.reason }];
  if (answer.kind === 'hang') return [{ kind: 'hang', status: 'hang', detail: `no answer in ${ANSWER_TIMEOUT_MS / 1000} s` }];
  const status = String(answer.status);
  const text = answer.body.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const failures: { kind: FailureKind; status: string; detail: string }[] = [];
  if (answer.status >= 500) failures.push({ kind: '5xx', status, detail: text.slice(0, 300) });
  // Node's own HTTP parser refuses some requests (a NUL in a header, 20 KB of headers) before the
  // gateway sees them; in AWS the edge answers those. Anything from the gateway must be JSON.
  const fromHttpParser = answer.headers['content-type'] === undefined && answer.headers['apigw-requestid'] === undefined && (answer.status === 400 || answer.status === 431 || answer.status === 414);
  if (answer.status >= 400 && answer.status < 500 && !fromHttpParser && !(json && typeof json === 'object' && typeof json.message === 'string')) {
    failures.push({ kind: 'error-not-json', status, detail: `${answer.headers['content-type'] ?? 'no content type'}: ${text.slice(0, 200)}` });
  }
  if (answer.status >= 400 && answer.status < 500 && before && after) {
    const changed = difference(before, after);
    if (changed) failures.push({ kind: 'state-change', status, detail: changed });
  }
  // A cursor is opaque and tamper-evident: one forged, truncated, or handed to someone else or for another query, is refused.
  const badCursor = request.notes.find((note) => note.startsWith('cursor forged') || note.startsWith('cursor foreign'));
  if (answer.status < 300 && badCursor) failures.push({ kind: 'cursor-accepted', status, detail: `${badCursor} was accepted: ${text.slice(0, 200)}` });
  if (answer.status < 300 && request.cleanAuth && (request.role === 'customerA' || request.role === 'customerB') && json !== undefined) {
    const own = request.role === 'customerA' ? world.customers.a : world.customers.b;
    const others = [...customerIdsIn(json)].filter((id) => id !== own);
    if (others.length) failures.push({ kind: 'other-customer', status, detail: `a ${request.role} key read customerId ${others.join(', ')}` });
  }
  return failures;
}

/** Status label for the figures: a parser refusal is told apart from the API's own 400. */
export function statusLabel(answer: Answer): string {
  if (answer.kind !== 'response') return answer.kind;
  const fromHttpParser = answer.headers['content-type'] === undefined && answer.headers['apigw-requestid'] === undefined && answer.status >= 400 && answer.status < 500;
  return fromHttpParser ? `${answer.status} (http parser)` : String(answer.status);
}

// ---- running ---------------------------------------------------------------------------------

export interface Figures {
  requests: number;
  byStatus: Record<string, number>;
  byOp: Record<string, Record<string, number>>;
  failures: Failure[];
  seeds: number[];
}

export function emptyFigures(): Figures {
  return { requests: 0, byStatus: {}, byOp: {}, failures: [], seeds: [] };
}

/** Each request in turn (the oracle's before/after needs nothing else running), judged and counted. */
export async function runBatch(runtime: Runtime, world: World, requests: FuzzRequest[], seed: number, figures: Figures): Promise<void> {
  figures.seeds.push(seed);
  for (const [index, request] of requests.entries()) {
    const probes = probesFor(world, request);
    const before = probes.length ? await snapshot(runtime, world, probes) : undefined;
    installLogCapture();
    const log: string[] = (captured = []);
    const answer = await sendRaw(portOf(runtime), request).finally(() => (captured = undefined));
    const after = before && answer.kind === 'response' && answer.status >= 400 && answer.status < 500 ? await snapshot(runtime, world, probes) : undefined;
    const label = statusLabel(answer);
    figures.requests++;
    figures.byStatus[label] = (figures.byStatus[label] ?? 0) + 1;
    const perOp = (figures.byOp[request.op] ??= {});
    perOp[label] = (perOp[label] ?? 0) + 1;
    for (const failure of judge(world, request, answer, before, after)) {
      figures.failures.push({ ...failure, ...(failure.kind === '5xx' || failure.kind === 'dropped' ? { detail: `${failure.detail} — log: ${errorCause(log)}` } : {}), request, seed, index });
    }
  }
}

// ---- reporting -------------------------------------------------------------------------------

/** Failures grouped by what broke, where: kind, status and operation, with the smallest example first. */
export function failureClasses(failures: Failure[]): { key: string; count: number; examples: Failure[] }[] {
  const classes = new Map<string, Failure[]>();
  for (const failure of failures) {
    const key = `${failure.kind} ${failure.status} ${failure.request.op}${failure.kind === 'state-change' ? '' : ''}`;
    (classes.get(key) ?? classes.set(key, []).get(key)!).push(failure);
  }
  const size = (f: Failure) => f.request.target.length + (f.request.body?.length ?? 0) + f.request.notes.length * 1_000;
  return [...classes.entries()]
    .map(([key, list]) => {
      // Up to five examples with different notes, smallest first: each is a candidate cause.
      const distinct = new Map<string, Failure>();
      for (const failure of [...list].sort((x, y) => size(x) - size(y))) distinct.set(failure.request.notes.join(' | '), distinct.get(failure.request.notes.join(' | ')) ?? failure);
      return { key, count: list.length, examples: [...distinct.values()].slice(0, 5) };
    })
    .sort((x, y) => y.count - x.count);
}

/** A request as a reader can replay it (long values shortened with their length). */
export function showRequest(request: FuzzRequest): string {
  const target = request.target.length > 200 ? `${request.target.slice(0, 160)}… (${request.target.length} chars)` : request.target;
  const headers = request.headers
    .map(([name, value]) => `${name}: ${name === 'authorization' ? value.replace(/(Bearer\s+)(td_\w+?_)\S+/, '$1$2…') : value}`)
    .map((line) => (line.length > 160 ? `${line.slice(0, 120)}… (${line.length} chars)` : line));
  const text = request.body?.toString('utf8') ?? '';
  const body = request.body === undefined ? '' : `\n${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)} (${request.body.length} bytes)`;
  return `${request.method} ${target}  [as ${request.role}]\n${headers.join('\n')}${body}`;
}

export function summaryLine(figures: Figures): string {
  const statuses = Object.entries(figures.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  return `fuzz: ${figures.requests} requests (${statuses}); ${figures.failures.length} failures in ${failureClasses(figures.failures).length} classes`;
}

export function findingsMarkdown(figures: Figures, title: string): string {
  const lines = [`# ${title}`, '', summaryLine(figures), '', `Seeds: ${figures.seeds.slice(0, 20).join(', ')}${figures.seeds.length > 20 ? ' …' : ''}`, '', '## Statuses per operation', ''];
  lines.push('| operation | answers |', '|---|---|');
  for (const [op, statuses] of Object.entries(figures.byOp).sort()) {
    lines.push(
      `| ${op} | ${Object.entries(statuses)
        .sort()
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')} |`,
    );
  }
  lines.push('', '## Failure classes', '');
  const classes = failureClasses(figures.failures);
  if (!classes.length) lines.push('None.');
  for (const { key, count, examples } of classes) {
    lines.push(`### ${key} — ${count}×`, '');
    for (const example of examples) {
      lines.push(
        `- seed ${example.seed}, request #${example.index}: ${example.request.notes.join('; ') || '(nothing broken)'}`,
        `  - ${example.detail.replace(/\n/g, ' ')}`,
        '',
        '```',
        showRequest(example.request),
        '```',
        '',
      );
    }
  }
  return lines.join('\n');
}

export type { Operation };
