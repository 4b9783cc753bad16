/**
 * fast-check arbitraries from the JSON Schema the API publishes (GET /openapi.json, made by zod's
 * toJSONSchema from the schemas that validate requests): a valid value of a schema, and that value
 * with one part broken. Only the subset zod emits is read: type (or a list of types), const, enum,
 * anyOf/oneOf, object properties/required, array items/minItems/maxItems, string
 * minLength/maxLength/pattern/format, number minimum/maximum. Anything else generates any JSON.
 */
import fc from 'fast-check';

export type JsonSchema = { [keyword: string]: any };

/** Known-good values by property name (severity ids, customer ids…), so valid bodies get past the rules, not just the schema. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

const LONG_STRING_FALLBACK = 5_000;

/** A value the schema accepts (or nearly: a hint may be refused by a rule, and zod's email is stricter than any generator). */
export function validValue(schema: JsonSchema | undefined, hints: Hints = {}, name = ''): fc.Arbitrary<unknown> {
  const fromSchema = schemaValue(schema ?? {}, hints);
  const hint = hints[name];
  return hint ? fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
}

function schemaValue(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union?.length) return fc.oneof(...union.map((branch) => schemaValue(branch, hints)));
  if (Array.isArray(schema.type)) return fc.oneof(...(schema.type as string[]).map((type) => schemaValue({ ...schema, type }, hints)));
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const record = Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, validValue(child, hints, key)]));
      return fc.record(record, { requiredKeys: ((schema.required ?? []) as string[]).filter((key) => key in properties) });
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(validValue(schema.items, hints), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'string':
      return stringValue(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
    case 'number':
      return fc.oneof(fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 }), fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Whole hours 30 to 330 days ahead: support periods must start after their notice and within a year. */
const futureInstant = fc.integer({ min: 30 * 24, max: 330 * 24 }).map((hours) => new Date((Math.floor(Date.now() / 3_600_000) + hours) * 3_600_000).toISOString());

function stringValue(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'email') return fc.constantFrom('kim@acme.example', 'ana.lima@globex.example', 'Someone@Example.COM');
  if (schema.format === 'date-time') return futureInstant;
  if (schema.format === 'date') return futureInstant.map((instant) => instant.slice(0, 10));
  if (typeof schema.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length <= (schema.maxLength ?? 200) && text.length >= (schema.minLength ?? 0));
    } catch {
      // a pattern JavaScript cannot compile: fall through to plain text
    }
  }
  const max = Math.max(1, Math.min(schema.maxLength ?? 40, 40));
  // Leading letter: zod trims before it counts, so a blank string would be refused as empty.
  return fc.string({ minLength: 0, maxLength: max - 1 }).map((text) => `a${text}`.slice(0, max));
}

// ---- breaking one part of a valid value ----------------------------------------------------------

export const CHAR_CLASSES = {
  ascii: 'a',
  cjk: '漢', // 1 UTF-16 unit, 3 bytes
  emoji: '😀', // 2 units, 4 bytes
  'lone-surrogate': '\uD800',
  nul: '\u0000',
  rtl: '\u202E',
  blank: '\u3000',
  combining: 'e\u0301',
} as const;
export type CharClass = keyof typeof CHAR_CLASSES;

export const SIZES = ['empty', 'one', 'at-max', 'over-max', 'far-over', 'huge'] as const;
export type Size = (typeof SIZES)[number];

/** A string of exactly `units` UTF-16 code units made of `unit` (cut mid-pair only by the caller's odd count). */
export function textOfLength(unit: string, units: number): string {
  if (units <= 0) return '';
  const repeated = unit.repeat(Math.ceil(units / unit.length));
  // Never end on half a pair unless the unit is itself a lone surrogate: pad with ASCII instead.
  const cut = repeated.slice(0, units);
  return /[\uD800-\uDBFF]$/.test(cut) && unit !== CHAR_CLASSES['lone-surrogate'] ? `${cut.slice(0, -1)}a` : cut;
}

/** How many units a size means for a string with this maxLength (none: the limits a document should have). */
export function lengthFor(size: Size, maxLength: number | undefined): number {
  const max = maxLength ?? LONG_STRING_FALLBACK;
  switch (size) {
    case 'empty':
      return 0;
    case 'one':
      return 1;
    case 'at-max':
      return max;
    case 'over-max':
      return max + 1;
    case 'far-over':
      return Math.max(max * 2, max + 4_097);
    case 'huge':
      return 300_000; // under the gateway's 1 MiB even as 3-byte characters
  }
}

export type Mutation =
  | { kind: 'string'; chars: CharClass; size: Size }
  | { kind: 'wrong-type'; value: unknown }
  | { kind: 'number-edge'; value: number | string }
  | { kind: 'drop-key' }
  | { kind: 'add-key'; key: string; value: unknown }
  | { kind: 'deep'; depth: number }
  | { kind: 'huge-array'; length: number };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('string' as const), chars: fc.constantFrom(...(Object.keys(CHAR_CLASSES) as CharClass[])), size: fc.constantFrom(...SIZES) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('wrong-type' as const),
      value: fc.constantFrom<unknown>(0, -1, 1.5, true, false, null, [], {}, 'text', ['a'], { $ne: 1 }, 1e308, '1'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('number-edge' as const),
      value: fc.constantFrom<number | string>(0, -0, -1, 1e-9, 0.5, 4.0000001, 1e21, 2 ** 53 + 2, -(2 ** 53), 1e308, 'NaN', '1e400', '-1e400'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop-key' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add-key' as const),
      key: fc.constantFrom('unknown', '__proto__', 'constructor', 'version', 'id', 'customerId', 'PK', ''),
      value: fc.constantFrom<unknown>('x', 1, null, { polluted: true }, []),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.constantFrom(64, 1_000, 20_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge-array' as const), length: fc.constantFrom(101, 1_001, 60_000) }) },
);

/** Placeholders JSON.stringify cannot make (too deep to build as objects); `serialise` expands them. */
const DEEP = '\u0000deep:';
const NUMBER_TEXT = '\u0000number:';

type Path = (string | number)[];

/** Every place in `value` (the root too), with the schema that describes it. */
function places(value: unknown, schema: JsonSchema | undefined, path: Path = []): { path: Path; schema: JsonSchema | undefined }[] {
  const here = [{ path, schema }];
  const branches = (schema?.anyOf ?? schema?.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(value)) {
    const items = schema?.items ?? branches?.find((b) => b.type === 'array')?.items;
    return [...here, ...value.flatMap((item, index) => places(item, items, [...path, index]))];
  }
  if (value && typeof value === 'object') {
    const properties = schema?.properties ?? branches?.find((b) => b.properties && (b.properties.type?.const === undefined || b.properties.type.const === (value as any).type))?.properties ?? {};
    return [...here, ...Object.entries(value).flatMap(([key, child]) => places(child, properties[key], [...path, key]))];
  }
  return here;
}

/** The longest maxLength the schema (or any branch of it) allows, if it sets one. */
function maxLengthOf(schema: JsonSchema | undefined): number | undefined {
  if (!schema) return undefined;
  if (typeof schema.maxLength === 'number') return schema.maxLength;
  const lengths = ((schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[]).map(maxLengthOf).filter((n): n is number => n !== undefined);
  return lengths.length ? Math.max(...lengths) : undefined;
}

/** `value` with the mutation applied at the `pick`-th place; `note` says what was done. */
export function mutate(value: unknown, schema: JsonSchema | undefined, pick: number, mutation: Mutation): { value: unknown; note: string } {
  const all = places(value, schema);
  const leafFirst = mutation.kind === 'drop-key' || mutation.kind === 'add-key' ? all.filter((p) => p.path.length > 0 || (value && typeof value === 'object')) : all;
  const target = leafFirst[pick % Math.max(1, leafFirst.length)] ?? { path: [], schema };
  const where = target.path.length ? target.path.join('.') : '(root)';
  let replacement: unknown;
  let note: string;
  switch (mutation.kind) {
    case 'string': {
      const max = maxLengthOf(target.schema);
      const units = lengthFor(mutation.size, max);
      replacement = textOfLength(CHAR_CLASSES[mutation.chars], units);
      note = `${where}: ${mutation.chars} × ${units} units (${mutation.size}, maxLength ${max ?? 'none'})`;
      break;
    }
    case 'wrong-type':
      replacement = mutation.value;
      note = `${where}: ${JSON.stringify(mutation.value)}`;
      break;
    case 'number-edge':
      replacement = typeof mutation.value === 'string' ? `${NUMBER_TEXT}${mutation.value}` : mutation.value;
      note = `${where}: number ${String(mutation.value)}`;
      break;
    case 'deep':
      replacement = `${DEEP}${mutation.depth}`;
      note = `${where}: nested ${mutation.depth} deep`;
      break;
    case 'huge-array': {
      const current = getAt(value, target.path);
      const item = Array.isArray(current) && current.length ? current[0] : 'x';
      replacement = Array.from({ length: mutation.length }, () => item);
      note = `${where}: array of ${mutation.length}`;
      break;
    }
    case 'drop-key': {
      if (target.path.length === 0) return { value: undefined, note: '(root): no body' };
      const parent = getAt(value, target.path.slice(0, -1));
      const last = target.path[target.path.length - 1]!;
      const copy = structuredClone(value);
      const parentCopy = getAt(copy, target.path.slice(0, -1)) as any;
      if (Array.isArray(parent)) parentCopy.splice(last as number, 1);
      else delete parentCopy[last];
      return { value: copy, note: `${where}: removed` };
    }
    case 'add-key': {
      const copy = structuredClone(value);
      let holder = getAt(copy, target.path) as any;
      if (!holder || typeof holder !== 'object' || Array.isArray(holder)) holder = getAt(copy, target.path.slice(0, -1));
      if (!holder || typeof holder !== 'object' || Array.isArray(holder)) return { value: copy, note: `${where}: no object to add to` };
      // defineProperty: a plain assignment of "__proto__" would set the prototype, not a key JSON shows.
      Object.defineProperty(holder, mutation.key, { value: mutation.value, enumerable: true, configurable: true, writable: true });
      return { value: copy, note: `${where}: added key ${JSON.stringify(mutation.key)}` };
    }
  }
  return { value: setAt(value, target.path, replacement), note };
}

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<any>((node, key) => (node == null ? undefined : node[key]), value);
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as any;
  const parent = getAt(copy, path.slice(0, -1)) as any;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

/** JSON text of a (mutated) value, with the deep-nesting and number-text placeholders expanded. */
export function serialise(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.replace(/"\\u0000deep:(\d+)"/g, (_, depth: string) => `${'['.repeat(Number(depth))}${']'.repeat(Number(depth))}`).replace(/"\\u0000number:([^"]+)"/g, (_, number: string) => number);
}
