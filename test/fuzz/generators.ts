/**
 * Requests for the fuzzer, generated from the OpenAPI document the runtime serves (every path,
 * method, query parameter and request body in it) and from the policy's webhook integrations, so
 * a new route or integration is fuzzed without editing the suite. Each request is a valid one
 * from the schema with some parts broken: ids (other customers', malformed percent-encoding,
 * `..`, sizes past every key limit), bodies (strings at and beyond each maxLength in several
 * encodings, wrong types, deep nesting, huge arrays, invalid JSON), query parameters (unknown,
 * repeated, bad limits, forged, truncated and foreign cursors) and headers (Authorization,
 * Idempotency-Key, If-Match, content types).
 */
import fc from 'fast-check';
import { signTierdeskPayload, signTwilioRequest, signZendeskPayload } from '../../core/webhooks/signatures';
import type { Hints, JsonSchema } from './schema-arbitrary';
import { CHAR_CLASSES, mutate, mutationArbitrary, serialise, textOfLength, validValue } from './schema-arbitrary';

export type Role = 'admin' | 'agent' | 'customerA' | 'customerB' | 'none';

export interface FuzzRequest {
  /** The operation, e.g. `POST /tickets/{id}/messages`: failures are classed by it. */
  op: string;
  method: string;
  /** Path and query exactly as sent (any non-ASCII goes out as UTF-8 bytes). */
  target: string;
  /** Whose key the request carries (when its Authorization header is the plain key). */
  role: Role;
  /** False when the Authorization header was tampered with. */
  cleanAuth: boolean;
  headers: [string, string][];
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked. */
  chunked?: boolean;
  /** What was broken, for the findings. */
  notes: string[];
}

export interface Operation {
  method: string;
  path: string;
  query: { name: string; schema: JsonSchema }[];
  pathParams: { name: string; schema: JsonSchema }[];
  headers: { name: string; schema: JsonSchema }[];
  body?: JsonSchema;
}

export interface Integration {
  id: string;
  kind: 'generic' | 'twilio' | 'cti' | 'chat';
  signature?: 'tierdesk' | 'zendesk';
  fields?: Record<string, string>;
  publicUrl?: string;
}

/** What exists in the runtime the fuzzer runs against: keys, ids and cursors to mutate. */
export interface World {
  operations: Operation[];
  keys: Record<Exclude<Role, 'none'>, string>;
  customers: { a: string; b: string };
  /** Ids by the first path segment they belong under (tickets, customers, agents, support-orders), own customer first. */
  ids: Record<string, { a: string[]; b: string[]; staff: string[] }>;
  /** Real cursors, each with the query it came from and whose it is. */
  cursors: { query: string; role: Role; value: string }[];
  integrations: Integration[];
  secrets: Record<string, string[]>;
  hints: Hints;
  /** The schema of a chat transcript (core/webhooks/chat.ts), for chat integrations' bodies. */
  transcriptSchema: JsonSchema;
}

/** The operations of an OpenAPI document (GET /openapi.json). */
export function operationsOf(document: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const [method, operation] of Object.entries<any>(methods)) {
      const parameters: any[] = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headers: parameters.filter((p) => p.in === 'header').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        ...(operation.requestBody ? { body: operation.requestBody.content?.['application/json']?.schema ?? {} } : {}),
      });
    }
  }
  return operations;
}

/** `arbitrary` one time in `n`, else null. */
function oneIn<T>(arbitrary: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 1, arbitrary }, { weight: n - 1, arbitrary: fc.constant(null) });
}

// ---- path segments ---------------------------------------------------------------------------

/** Segments as they go on the wire (already encoded, or deliberately not). */
const MALFORMED_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%FF%FE',
  '%F0%9F%98',
  '%ED%A0%80', // an encoded lone surrogate
  '..',
  '.',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%23',
  'CUSTOMER%23x',
  'TICKET%23..%23y',
  '%20',
  'a%20b',
  '😀',
  'ע‮x',
  encodeURIComponent('😀'.repeat(40)),
  encodeURIComponent('\u202E漢字'),
  'x'.repeat(65),
  'x'.repeat(257),
  'x'.repeat(1_025),
  'x'.repeat(2_049),
  'x'.repeat(5_000),
  encodeURIComponent('漢'.repeat(700)),
  'does-not-exist',
  'unknown',
  '_unknown',
  'null',
  '__proto__',
  'constructor',
];

function segmentArbitrary(world: World, resource: string, role: Role): fc.Arbitrary<{ text: string; note: string }> {
  const pool = world.ids[resource] ?? { a: [], b: [], staff: Object.values(world.ids).flatMap((ids) => [...ids.a, ...ids.b, ...ids.staff]) };
  const own = role === 'customerB' ? pool.b : pool.a;
  const other = role === 'customerB' ? pool.a : pool.b;
  const existing = [...own.map((id) => ({ id, note: 'own' })), ...other.map((id) => ({ id, note: "other customer's" })), ...pool.staff.map((id) => ({ id, note: 'existing' }))];
  const foreign = Object.entries(world.ids)
    .filter(([name]) => name !== resource)
    .flatMap(([, ids]) => [...ids.a, ...ids.staff]);
  const arbitraries: fc.WeightedArbitrary<{ text: string; note: string }>[] = [
    { weight: 3, arbitrary: fc.constantFrom(...MALFORMED_SEGMENTS).map((text) => ({ text, note: `id ${describeText(text)}` })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((text) => ({ text: encodeURIComponent(text), note: `id ${describeText(text)} (encoded)` })) },
  ];
  if (existing.length) {
    arbitraries.push({ weight: 10, arbitrary: fc.constantFrom(...existing).map(({ id, note }) => ({ text: encodeURIComponent(id), note: `id ${note}` })) });
    arbitraries.push({
      weight: 1,
      arbitrary: fc
        .constantFrom(...existing)
        .chain(({ id }) =>
          fc.constantFrom(
            { text: `${encodeURIComponent(id)}%20`, note: 'id existing + space' },
            { text: encodeURIComponent(id.toLowerCase()), note: 'id existing lower-cased' },
            { text: encodeURIComponent(id).slice(0, -1), note: 'id existing truncated' },
            { text: `${encodeURIComponent(id)}/`, note: 'id existing + trailing slash' },
            { text: `${encodeURIComponent(id)}%00`, note: 'id existing + NUL' },
          ),
        ),
    });
  }
  if (foreign.length) arbitraries.push({ weight: 1, arbitrary: fc.constantFrom(...foreign).map((id) => ({ text: encodeURIComponent(id), note: 'id of another kind' })) });
  return fc.oneof(...arbitraries);
}

/** A short, printable description of a possibly huge or binary text. */
export function describeText(text: string): string {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 24)}…` : text);
  return text.length > 40 ? `${shown} (${text.length} units)` : shown;
}

// ---- query strings ----------------------------------------------------------------------------

function cursorArbitrary(world: World, role: Role, query: string): fc.Arbitrary<{ text: string; note: string }> {
  const cursors = world.cursors;
  const mine = cursors.filter((c) => c.role === role && c.query === query);
  const choices: fc.Arbitrary<{ text: string; note: string }>[] = [
    fc.constantFrom('x', 'e30', 'bnVsbA', 'W10', '%zz', '====', 'eyJQSyI6MX0', textOfLength('A', 1_025), textOfLength('A', 6_000)).map((text) => ({
      text: encodeURIComponent(text).replace('%25zz', '%zz'),
      note: `cursor forged: garbage ${describeText(text)}`,
    })),
  ];
  if (mine.length) choices.push(fc.constantFrom(...mine).map((c) => ({ text: encodeURIComponent(c.value), note: 'cursor own' })));
  if (cursors.length) {
    choices.push(
      fc
        .constantFrom(...cursors)
        .chain((c) =>
          fc.constantFrom(
            { text: encodeURIComponent(c.value), note: c.role === role && c.query === query ? 'cursor own' : `cursor foreign: from ${c.role} on ${c.query}` },
            { text: encodeURIComponent(c.value.slice(0, Math.ceil(c.value.length / 2))), note: `cursor forged: truncated (from ${c.role} on ${c.query})` },
            { text: encodeURIComponent(flipFirstChar(c.value)), note: `cursor forged: a changed character (from ${c.role} on ${c.query})` },
            { text: encodeURIComponent(forgeCursor(c.value, world)), note: `cursor forged: ${c.role}'s on ${c.query} with the other customer's key` },
          ),
        ),
    );
  }
  return fc.oneof(...choices);
}

/** One character changed where it counts (a base64 string's last character may carry only padding bits). */
function flipFirstChar(text: string): string {
  return `${text.startsWith('A') ? 'B' : 'A'}${text.slice(1)}`;
}

/**
 * A cursor as an attacker would forge it: if a real one decodes (base64url JSON, as it did when
 * the suite was written), swap one customer's id for the other's inside it and encode it again;
 * otherwise a plausible key of the other customer.
 */
function forgeCursor(cursor: string, world: World): string {
  const { a, b } = world.customers;
  try {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    if (decoded.startsWith('{')) {
      const swapped = decoded.includes(a) ? decoded.split(a).join(b) : decoded.split(b).join(a);
      return Buffer.from(swapped === decoded ? decoded.replace(/"[^"]*#/, '"CUSTOMER#') : swapped).toString('base64url');
    }
  } catch {
    // not base64url JSON: forge one
  }
  return Buffer.from(JSON.stringify({ PK: `CUSTOMER#${b}`, SK: 'TICKET#', GSI1PK: `CUSTOMER#${b}` })).toString('base64url');
}

function queryArbitrary(world: World, op: Operation, role: Role): fc.Arbitrary<{ text: string; notes: string[] }> {
  const params = op.query.map((param) => {
    const valid = validValue(param.schema, world.hints, param.name).map((value) => ({ text: encodeURIComponent(String(value)), note: '' }));
    const broken = fc.constantFrom(
      { text: '', note: `${param.name} empty` },
      { text: '0', note: `${param.name}=0` },
      { text: '-1', note: `${param.name}=-1` },
      { text: '101', note: `${param.name}=101` },
      { text: '1e2', note: `${param.name}=1e2` },
      { text: '99999999999999999999999', note: `${param.name} huge number` },
      { text: 'NaN', note: `${param.name}=NaN` },
      { text: '%zz', note: `${param.name} malformed percent-encoding` },
      { text: '%E0%A4%A', note: `${param.name} truncated UTF-8` },
      { text: encodeURIComponent('😀'.repeat(200)), note: `${param.name} 400 units of emoji` },
      { text: 'x'.repeat(257), note: `${param.name} 257 chars` },
      { text: 'x'.repeat(5_000), note: `${param.name} 5000 chars` },
      { text: encodeURIComponent('CUSTOMER#x'), note: `${param.name} key-like value` },
    );
    const value = param.name === 'cursor' ? fc.oneof(cursorArbitrary(world, role, op.path), broken) : fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: broken });
    return oneIn(
      value.map(({ text, note }) => ({ pair: `${param.name}=${text}`, note })),
      2,
    );
  });
  const extras = fc.array(
    fc.constantFrom(
      { pair: 'foo=bar', note: 'unknown parameter' },
      { pair: '__proto__=x', note: '__proto__ parameter' },
      { pair: 'limit=1&limit=2', note: 'repeated limit' },
      { pair: 'customer=a&customer=b', note: 'repeated customer' },
      { pair: 'cursor=a&cursor=b', note: 'repeated cursor' },
      { pair: '&&=&', note: 'empty pairs' },
      { pair: 'a=%zz', note: 'malformed percent-encoding in an unknown parameter' },
      { pair: `${'k'.repeat(3_000)}=v`, note: 'a 3000-char parameter name' },
    ),
    { maxLength: 2 },
  );
  return fc.tuple(fc.tuple(...params), extras).map(([chosen, extra]) => {
    const pairs = [...chosen.filter((p): p is { pair: string; note: string } => p !== null), ...extra];
    return { text: pairs.map((p) => p.pair).join('&'), notes: pairs.map((p) => p.note).filter(Boolean) };
  });
}

// ---- headers ---------------------------------------------------------------------------------

const bearer = (key: string) => `Bearer ${key}`;

function authArbitrary(world: World, role: Role): fc.Arbitrary<{ headers: [string, string][]; clean: boolean; note?: string }> {
  const key = role === 'none' ? undefined : world.keys[role];
  const plain = { headers: key ? ([['authorization', bearer(key)]] as [string, string][]) : [], clean: true };
  const k = key ?? 'td_admin_not-a-key';
  const odd = fc.constantFrom<[string, [string, string][]]>(
    ['no scheme', [['authorization', k]]],
    ['Basic scheme', [['authorization', `Basic ${Buffer.from(`${k}:`).toString('base64')}`]]],
    ['Bearer without a key', [['authorization', 'Bearer']]],
    ['two keys in one header', [['authorization', `Bearer ${k} ${world.keys.admin}`]]],
    [
      'two Authorization headers',
      [
        ['authorization', bearer(k)],
        ['authorization', bearer(world.keys.customerB)],
      ],
    ],
    ['lower-case scheme', [['authorization', `bearer ${k}`]]],
    ['padded with spaces and a tab', [['authorization', `Bearer   ${k}  \t`]]],
    ['a 10 KB key', [['authorization', bearer('x'.repeat(10_000))]]],
    ['a 20 KB key', [['authorization', bearer('x'.repeat(20_000))]]],
    ['non-ASCII key', [['authorization', bearer('ключ-🔑')]]],
    ['unknown key', [['authorization', bearer('td_admin_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')]]],
    ['key with a NUL', [['authorization', bearer(`${k}\u0000`)]]],
    ['key + comma', [['authorization', `${bearer(k)},`]]],
  );
  return fc.oneof({ weight: 6, arbitrary: fc.constant(plain) }, { weight: 1, arbitrary: odd.map(([note, headers]) => ({ headers, clean: false, note: `Authorization: ${note}` })) });
}

const IDEMPOTENCY_KEYS = fc.constantFrom(
  { value: 'fuzz-idem-fixed', note: 'Idempotency-Key reused' },
  { value: 'k'.repeat(255), note: 'Idempotency-Key 255 chars' },
  { value: 'k'.repeat(256), note: 'Idempotency-Key 256 chars' },
  { value: 'k'.repeat(5_000), note: 'Idempotency-Key 5000 chars' },
  { value: '', note: 'Idempotency-Key empty' },
  { value: ' ', note: 'Idempotency-Key blank' },
  { value: 'a b', note: 'Idempotency-Key with a space' },
  { value: 'ключ😀', note: 'Idempotency-Key non-ASCII' },
  { value: '%zz', note: 'Idempotency-Key %zz' },
  { value: '#', note: 'Idempotency-Key #' },
);

const IF_MATCH = fc.constantFrom('1', '"1"', '*', 'W/"1"', '-1', '0', '1e400', 'abc', '', '9'.repeat(400), '0x10', '"', '1,2');

const CONTENT_TYPES = fc.constantFrom(
  'text/plain',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'ä/ö',
  '',
);

const ODD_HEADERS = fc.constantFrom<[string, string][]>(
  [['x-forwarded-for', 'junk, ::1, 999.1.1.1']],
  [['x-forwarded-host', 'evil"host:99999']],
  [['x-forwarded-proto', 'gopher']],
  [['cookie', 'a=b; ;; =c; d']],
  [['accept', 'application/xml']],
  [['content-encoding', 'gzip']],
  [['expect', '100-continue']],
  [['x-amzn-trace-id', 'Root=1-'.padEnd(3_000, 'f')]],
  [['user-agent', '😀'.repeat(100)]],
  [['x-custom', 'v'.repeat(8_000)]],
);

// ---- bodies ----------------------------------------------------------------------------------

const INVALID_JSON_BODIES = fc.constantFrom<[string, Buffer]>(
  ['empty body', Buffer.alloc(0)],
  ['"{"', Buffer.from('{')],
  ['truncated object', Buffer.from('{"subject":')],
  ['JSON null', Buffer.from('null')],
  ['JSON array', Buffer.from('[]')],
  ['JSON string', Buffer.from('"text"')],
  ['JSON number', Buffer.from('1e400')],
  ['trailing comma', Buffer.from('{"a":1,}')],
  ['trailing garbage', Buffer.from('{"a":1}garbage')],
  ['byte-order mark', Buffer.from('\uFEFF{}')],
  ['UTF-16LE JSON', Buffer.from('{"a":"b"}', 'utf16le')],
  ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"body":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')])],
  ['duplicate keys', Buffer.from('{"type":"pause","type":"resume"}')],
  ['100,000 open brackets', Buffer.from('['.repeat(100_000))],
  ['50,000 nested objects', Buffer.from(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`)],
  ['1.1 MB JSON', Buffer.from(`{"body":"${'x'.repeat(1_100_000)}"}`)],
);

function bodyArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<{ body?: Buffer; notes: string[] }> {
  const valid = validValue(schema, hints);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((value) => ({ body: Buffer.from(serialise(value)), notes: ['valid body'] })) },
    {
      weight: 5,
      arbitrary: fc.tuple(valid, fc.nat(), mutationArbitrary).map(([value, pick, mutation]) => {
        const { value: broken, note } = mutate(value, schema, pick, mutation);
        return broken === undefined ? { notes: [note] } : { body: Buffer.from(serialise(broken)), notes: [`body ${note}`] };
      }),
    },
    { weight: 1, arbitrary: INVALID_JSON_BODIES.map(([note, body]) => ({ body, notes: [`body: ${note}`] })) },
  );
}

// ---- API requests ----------------------------------------------------------------------------

function resourceOf(path: string): string {
  return path.split('/')[1] ?? '';
}

export function apiRequestArbitrary(world: World, op: Operation): fc.Arbitrary<FuzzRequest> {
  const opName = `${op.method} ${op.path}`;
  const role = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Role>('admin') },
    { weight: 2, arbitrary: fc.constant<Role>('agent') },
    { weight: 3, arbitrary: fc.constant<Role>('customerA') },
    { weight: 2, arbitrary: fc.constant<Role>('customerB') },
    { weight: 1, arbitrary: fc.constant<Role>('none') },
  );
  return role.chain((role) =>
    fc
      .record({
        segment: op.path.includes('{') ? segmentArbitrary(world, resourceOf(op.path), role) : fc.constant(undefined),
        query: fc.oneof({ weight: 1, arbitrary: queryArbitrary(world, op, role) }, { weight: op.query.length ? 1 : 4, arbitrary: fc.constant({ text: '', notes: [] as string[] }) }),
        auth: authArbitrary(world, role),
        body: op.body
          ? bodyArbitrary(op.body, world.hints)
          : oneIn(
              INVALID_JSON_BODIES.map(([note, body]) => ({ body, notes: [`body on ${op.method}: ${note}`] })),
              20,
            ),
        contentType: oneIn(CONTENT_TYPES, 12),
        idempotency: oneIn(IDEMPOTENCY_KEYS, op.headers.some((h) => h.name.toLowerCase() === 'idempotency-key') ? 3 : 12),
        validIdempotency: oneIn(fc.uuid(), 3),
        ifMatch: oneIn(IF_MATCH, op.method === 'PUT' ? 3 : 12),
        odd: oneIn(ODD_HEADERS, 12),
        chunkedPick: fc.nat(19),
      })
      .map(({ segment, query, auth, body, contentType, idempotency, validIdempotency, ifMatch, odd, chunkedPick }) => {
        const notes: string[] = [];
        let path = op.path;
        if (segment) {
          path = path.replace(/\{[^}]+\}/, segment.text);
          notes.push(segment.note);
        }
        notes.push(...query.notes);
        if (auth.note) notes.push(auth.note);
        const headers: [string, string][] = [...auth.headers];
        const payload = body?.body;
        if (body) notes.push(...body.notes);
        if (payload !== undefined) {
          if (contentType === null) headers.push(['content-type', 'application/json']);
          else {
            headers.push(['content-type', contentType]);
            notes.push(`Content-Type: ${JSON.stringify(contentType)}`);
          }
        }
        if (idempotency) {
          headers.push(['idempotency-key', idempotency.value]);
          notes.push(idempotency.note);
        } else if (validIdempotency) headers.push(['idempotency-key', validIdempotency]);
        if (ifMatch !== null) {
          headers.push(['if-match', ifMatch]);
          notes.push(`If-Match: ${JSON.stringify(ifMatch)}`);
        }
        if (odd) {
          headers.push(...odd);
          notes.push(`header ${odd[0]![0]}`);
        }
        const chunked = payload !== undefined && chunkedPick === 0;
        if (chunked) notes.push('Transfer-Encoding: chunked');
        return {
          op: opName,
          method: op.method,
          target: query.text ? `${path}?${query.text}` : path,
          role,
          cleanAuth: auth.clean,
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
          ...(chunked ? { chunked } : {}),
          notes,
        };
      }),
  );
}

// ---- webhooks --------------------------------------------------------------------------------

/** A value at a JSONPath like `$.ticket.title` inside `target`. */
function putAtPath(target: Record<string, any>, jsonPath: string, value: unknown): void {
  const keys = jsonPath
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean);
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  if (keys.length) node[keys[keys.length - 1]!] = value;
}

const WEBHOOK_TEXT = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Printer on fire', 'kim@acme.example', '2', 'evt-1', '+4930123456', 'ringing', 'newCall', 'completed') },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...(Object.keys(CHAR_CLASSES) as (keyof typeof CHAR_CLASSES)[]))
      .chain((chars) => fc.constantFrom(1, 300, 5_001, 100_001).map((n) => textOfLength(CHAR_CLASSES[chars], n))),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 1, true, [], {}, ['a']) },
);

const CTI_FIELDS = ['event', 'callId', 'from', 'to', 'direction', 'user', 'cause', 'answeringNumber'];
const TWILIO_FIELDS = ['CallSid', 'AccountSid', 'From', 'To', 'CallStatus', 'Direction', 'RecordingUrl', 'RecordingSid', 'TranscriptionText', 'TranscriptionSid', 'CallerName'];

export function webhookRequestArbitrary(world: World, integration: Integration): fc.Arbitrary<FuzzRequest> {
  const secret = world.secrets[integration.id]?.[0] ?? 'no-secret';
  const base = integration.kind === 'twilio' ? `/webhooks/twilio/${integration.id}` : integration.kind === 'cti' ? `/webhooks/cti/${integration.id}` : `/webhooks/${integration.id}`;
  const op = `POST ${integration.kind === 'twilio' ? '/webhooks/twilio/{id}' : integration.kind === 'cti' ? '/webhooks/cti/{id}/{token}' : '/webhooks/{id}'}`;

  const payload: fc.Arbitrary<{ text: string; form: Record<string, string> | undefined; note: string }> =
    integration.kind === 'chat'
      ? fc.tuple(validValue(world.transcriptSchema, world.hints), fc.nat(), mutationArbitrary, fc.boolean()).map(([value, pick, mutation, breakIt]) => {
          const { value: broken, note } = breakIt ? mutate(value, world.transcriptSchema, pick, mutation) : { value, note: 'valid transcript' };
          return { text: serialise(broken ?? {}), form: undefined, note };
        })
      : integration.kind === 'generic'
        ? fc.dictionary(fc.constantFrom(...Object.keys(integration.fields ?? { subject: '$.subject' })), WEBHOOK_TEXT, { maxKeys: 8 }).map((values) => {
            const body: Record<string, any> = {};
            for (const [field, value] of Object.entries(values)) putAtPath(body, integration.fields?.[field] ?? `$.${field}`, value);
            if (integration.signature === 'zendesk') body.id ??= `evt-${Object.keys(values).length}`;
            return { text: JSON.stringify(body), form: undefined, note: `fields ${Object.keys(values).join(',') || '(none)'}` };
          })
        : fc.tuple(fc.dictionary(fc.constantFrom(...(integration.kind === 'cti' ? CTI_FIELDS : TWILIO_FIELDS)), WEBHOOK_TEXT.map(String), { maxKeys: 8 }), fc.boolean()).map(([values, asJson]) => ({
            text: asJson && integration.kind === 'cti' ? JSON.stringify(values) : new URLSearchParams(values).toString(),
            form: asJson && integration.kind === 'cti' ? undefined : values,
            note: `${asJson && integration.kind === 'cti' ? 'JSON' : 'form'} fields ${Object.keys(values).join(',') || '(none)'}`,
          }));

  return fc
    .record({
      payload,
      raw: oneIn(INVALID_JSON_BODIES, 6),
      signing: fc.constantFrom('valid', 'valid', 'none', 'junk', 'stale', 'other-secret'),
      token: fc.constantFrom('valid', 'valid', 'junk', 'malformed'),
      eventId: oneIn(fc.constantFrom('evt-1', '', 'e'.repeat(256), 'e'.repeat(5_000), 'ключ', '%zz'), 3),
      segment: oneIn(fc.constantFrom(...MALFORMED_SEGMENTS), 10),
      odd: oneIn(ODD_HEADERS, 12),
    })
    .map(({ payload, raw, signing, token, eventId, segment, odd }) => {
      const notes = [`webhook ${integration.id} (${integration.kind})`, raw ? `body: ${raw[0]}` : payload.note];
      const body = raw ? raw[1] : Buffer.from(payload.text);
      let path = base;
      if (integration.kind === 'cti') {
        const tokenText = token === 'valid' ? encodeURIComponent(secret) : token === 'junk' ? 'wrong-token' : '%E0%A4%A';
        path = `${base}/${tokenText}`;
        notes.push(`token ${token}`);
      }
      if (segment) {
        path = path.replace(`/${integration.id}`, `/${segment}`);
        notes.push(`integration id ${describeText(segment)}`);
      }
      const headers: [string, string][] = [['content-type', integration.kind === 'twilio' || (integration.kind === 'cti' && payload.form) ? 'application/x-www-form-urlencoded' : 'application/json']];
      const now = Math.floor(Date.now() / 1000);
      const at = signing === 'stale' ? now - 3_600 : now;
      const key = signing === 'other-secret' ? 'whsec_someone-else' : secret;
      if (signing !== 'none' && integration.kind !== 'cti') {
        if (signing === 'junk')
          headers.push([
            integration.kind === 'twilio' ? 'x-twilio-signature' : integration.signature === 'zendesk' ? 'x-zendesk-webhook-signature' : 'x-tierdesk-signature',
            `t=abc,v1=%%%,${'v1=x,'.repeat(50)}`,
          ]);
        else if (integration.kind === 'twilio') {
          headers.push(['x-twilio-signature', signTwilioRequest(key, `${integration.publicUrl ?? ''}${path}`, payload.form ?? {})]);
        } else if (integration.signature === 'zendesk') {
          headers.push(['x-zendesk-webhook-signature', signZendeskPayload(key, body, String(at))], ['x-zendesk-webhook-signature-timestamp', String(at)]);
        } else headers.push(['x-tierdesk-signature', signTierdeskPayload(key, body, at)]);
      }
      if (integration.kind !== 'cti') notes.push(`signature ${signing}`);
      if (eventId !== null) {
        headers.push(['x-event-id', eventId]);
        notes.push(`X-Event-Id ${describeText(eventId)}`);
      }
      if (odd) {
        headers.push(...odd);
        notes.push(`header ${odd[0]![0]}`);
      }
      return { op, method: 'POST', target: path, role: 'none' as Role, cleanAuth: true, headers, body, notes };
    });
}

/** One request to any operation of the document or any webhook integration. */
export function requestArbitrary(world: World): fc.Arbitrary<FuzzRequest> {
  const api = world.operations.filter((op) => op.path !== '/openapi.json' && op.path !== '/health').map((op) => apiRequestArbitrary(world, op));
  const hooks = world.integrations.map((integration) => webhookRequestArbitrary(world, integration));
  return fc.oneof({ weight: 5, arbitrary: fc.oneof(...api) }, { weight: 1, arbitrary: fc.oneof(...hooks) });
}
