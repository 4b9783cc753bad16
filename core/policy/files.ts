/** Finding a policy by preset name or file path. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { PolicyError, policyOrThrow } from './load';
import type { Policy } from './schema';
import { policyFromJson } from './validate';

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
 * policy.json, the policy as the functions read it (./json.ts: neither a YAML parser nor the
 * schema in the bundles): the policy as validation made it, defaults filled in. The functions
 * trust it, so it is checked here: it must read back from JSON as exactly this policy (YAML can
 * say things JSON cannot, such as `.inf`), and validate again as itself. Throws what loadPolicy
 * throws otherwise, so a policy that validates at synth is exactly the policy the functions run with.
 */
export function policyJsonText(ref: string): string {
  const path = policyPath(ref);
  const policy = policyOrThrow(readFileSync(path, 'utf8'), path);
  const json = JSON.stringify(policy);
  if (!isDeepStrictEqual(JSON.parse(json), policy)) {
    throw new PolicyError(path, [{ path: '', message: 'the policy does not read back the same from JSON (a value JSON cannot hold, such as .inf or .nan?)' }]);
  }
  if (!isDeepStrictEqual(policyFromJson(json, `${path} as JSON`), policy)) {
    throw new PolicyError(path, [{ path: '', message: 'the validated policy does not validate again as itself (a schema default or transform that is not idempotent)' }]);
  }
  return json;
}
