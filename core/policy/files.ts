/** Finding a policy by preset name or file path. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { policyFromJson } from './json';
import { PolicyError, policyOrThrow, readPolicyText } from './load';
import type { Policy } from './schema';

export const PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

export function presetNames(): string[] {
  return readdirSync(PRESETS_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => basename(file, extname(file)))
    .sort();
}

/** Where `ref` (a preset name or a path) points, or an error naming the presets. */
export function policyPath(ref: string): string {
  for (const ext of ['.yaml', '.yml']) {
    const preset = resolve(PRESETS_DIR, `${ref}${ext}`);
    if (/^[a-z0-9-]+$/i.test(ref) && existsSync(preset)) return preset;
  }
  const file = resolve(ref);
  if (existsSync(file)) return file;
  throw new Error(`no preset or file "${ref}" (presets: ${presetNames().join(', ')})`);
}

export function loadPolicy(ref: string): Policy {
  const path = policyPath(ref);
  return policyOrThrow(readFileSync(path, 'utf8'), path);
}

/**
 * The policy as the Lambdas read it (policy.json, ./json.ts: no YAML parser in the bundles): the
 * file's data as written, once it is a valid policy. Throws what loadPolicy throws, and also when
 * the data does not read back from JSON as the same policy (YAML can say things JSON cannot, such
 * as `.inf`), so a policy that validates at synth is exactly the policy the functions run with.
 */
export function policyJsonText(ref: string): string {
  const path = policyPath(ref);
  const text = readFileSync(path, 'utf8');
  const policy = policyOrThrow(text, path);
  const read = readPolicyText(text);
  if (!read.ok) throw new PolicyError(path, read.problems); // not reached: policyOrThrow read it
  const json = JSON.stringify(read.data);
  if (!isDeepStrictEqual(policyFromJson(json, `${path} as JSON`), policy)) {
    throw new PolicyError(path, [{ path: '', message: 'the policy does not read back the same from JSON (a value JSON cannot hold, such as .inf or .nan?)' }]);
  }
  return json;
}
