/** Finding a policy by preset name or file path. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyOrThrow } from './load';
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
