/**
 * Property-based fuzzing of the whole HTTP surface (issue [8]): every operation of the OpenAPI
 * document the runtime serves and every webhook integration of the policy, as admin, agent, each of
 * two customers and nobody, on the runtime of `npm start`. For every request: no 5xx, an answer
 * (no dropped or hung connection), a JSON error naming the problem on a 4xx, nothing changed by
 * a 4xx, and no other customer's data in a customer key's answer (test/fuzz/harness.ts).
 *
 * Bounded by a request count, not by time: FUZZ_REQUESTS (default 300; `npm run fuzz` for long runs) in batches, each batch from
 * its own seed (FUZZ_SEED, default fixed) so a failure names the seed and index that made it.
 * `npm run fuzz -- --minutes N` runs the same for longer and writes the figures.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../support/runtime';
import { requestArbitrary, type World } from './generators';
import { type Answer, buildWorld, emptyFigures, failureClasses, judge, runBatch, showRequest, startFuzzRuntime, summaryLine } from './harness';
import type { JsonSchema } from './schema-arbitrary';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_808);
const BATCH = 25;

let runtime: Runtime;
let world: World;

beforeAll(async () => {
  runtime = await startFuzzRuntime();
  world = await buildWorld(runtime);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

/** Every string, array and path or query parameter of the document without a maximum, by where it is. */
function unbounded(schema: JsonSchema | undefined, where: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const inside = [
    ...((schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[]).flatMap((branch, i) => unbounded(branch, `${where}|${i}`)),
    ...Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).flatMap(([key, child]) => unbounded(child, `${where}.${key}`)),
    ...unbounded(schema.items, `${where}[]`),
  ];
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  // A fixed-format string (a date, an instant) is bounded by its format.
  const fixed = 'const' in schema || Array.isArray(schema.enum) || ['date', 'date-time', 'time', 'uuid'].includes(schema.format);
  const own = [
    ...(types.includes('string') && !fixed && schema.maxLength === undefined ? [`${where} (string)`] : []),
    ...(types.includes('array') && schema.maxItems === undefined ? [`${where} (array)`] : []),
  ];
  return [...own, ...inside];
}

describe('fuzzing every operation and webhook integration', () => {
  it('documents a maximum for every path id, query parameter, header and body string and array', () => {
    const missing = world.operations.flatMap((op) => [
      ...op.pathParams.flatMap((param) => unbounded(param.schema, `${op.method} ${op.path} {${param.name}}`)),
      ...op.query.flatMap((param) => unbounded(param.schema, `${op.method} ${op.path} ?${param.name}`)),
      ...op.headers.flatMap((param) => unbounded(param.schema, `${op.method} ${op.path} header ${param.name}`)),
      ...unbounded(op.body, `${op.method} ${op.path} body`),
    ]);
    expect(missing).toEqual([]);
  });

  it("the oracle refuses a 5xx, a lost answer, a 4xx that changed something and another customer's data", () => {
    const request = { op: 'POST /tickets/{id}/messages', method: 'POST', target: '/tickets/x/messages', role: 'customerA' as const, cleanAuth: true, headers: [], notes: [] };
    const answer = (status: number, body: unknown): Answer => ({ kind: 'response', status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
    const kinds = (a: Answer, before?: Record<string, string>, after?: Record<string, string>) => judge(world, request, a, before, after).map((f) => f.kind);
    expect(kinds(answer(500, { message: 'internal error' }))).toEqual(['5xx']);
    expect(kinds({ kind: 'dropped', reason: 'reset' })).toEqual(['dropped']);
    expect(kinds(answer(400, 'no'))).toEqual(['error-not-json']);
    expect(kinds(answer(409, { message: 'conflict' }), { '/tickets/x': '200 {"a":1}' }, { '/tickets/x': '200 {"a":2}' })).toEqual(['state-change']);
    expect(kinds(answer(200, { items: [{ customerId: world.customers.b }] }))).toEqual(['other-customer']);
    expect(kinds(answer(200, { items: [{ customerId: world.customers.a }] }))).toEqual([]);
    expect(judge(world, { ...request, notes: ['cursor forged: truncated'] }, answer(200, { items: [] }), undefined, undefined).map((f) => f.kind)).toEqual(['cursor-accepted']);
  });

  it(`answers ${REQUESTS} generated requests with no 5xx, no dropped connection, no change on a 4xx and no other customer's data`, async () => {
    const figures = emptyFigures();
    for (let done = 0, batch = 0; done < REQUESTS; done += BATCH, batch++) {
      const seed = SEED + batch;
      const requests = fc.sample(requestArbitrary(world), { seed, numRuns: Math.min(BATCH, REQUESTS - done) });
      await runBatch(runtime, world, requests, seed, figures);
    }
    console.log(summaryLine(figures));
    // One line per class of failure, with its smallest example: what broke, where, and how to send it again.
    const classes = failureClasses(figures.failures).map(({ key, count, examples }) => {
      const example = examples[0]!;
      return `${key} (${count}×; seed ${example.seed} #${example.index}: ${example.request.notes.join('; ')}) ${example.detail.slice(0, 300)}\n${showRequest(example.request)}`;
    });
    expect(classes).toEqual([]);
  }, 1_800_000);
});
