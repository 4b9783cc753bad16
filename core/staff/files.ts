/**
 * Staff directory files (YAML or JSON: `people:` and `teams:`), as `tierdesk staff import` and
 * `tierdesk policy check --staff` read them and each preset ships one (presets/staff/<preset>.yaml).
 * Apart from ./directory.ts so the Lambdas do not carry the YAML parser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { PRESETS_DIR } from '../policy/files';
import { type PolicyProblem, readPolicyText } from '../policy/load';
import type { StaffDirectory } from './directory';
import { DirectorySchema } from './schema';

export type DirectoryResult = { ok: true; directory: StaffDirectory } | { ok: false; problems: PolicyProblem[] };

export function parseDirectory(text: string): DirectoryResult {
  const read = readPolicyText(text);
  if (!read.ok) return read;
  const result = DirectorySchema.safeParse(read.data ?? {});
  if (result.success) return { ok: true, directory: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) };
}

/** The directory in a file, or an error listing every problem with its place. */
export function loadDirectory(path: string): StaffDirectory {
  const result = parseDirectory(readFileSync(path, 'utf8'));
  if (result.ok) return result.directory;
  throw new Error(`${path} is not a valid staff directory:\n${result.problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
}

/**
 * The directory a preset ships (presets/staff/<name>.yaml) when `ref` is a preset name that has
 * one; for a policy file, a `staff/<same file name>` beside it, laid out as the presets are.
 */
export function presetDirectoryPath(ref: string): string | undefined {
  const path = /^[a-z0-9-]+$/i.test(ref) ? resolve(PRESETS_DIR, 'staff', `${ref}.yaml`) : resolve(dirname(ref), 'staff', basename(ref));
  return existsSync(path) ? path : undefined;
}
