/**
 * Reading a policy: YAML or JSON text in, a validated policy or every problem (with its
 * path in the file) out. Pure: callers read the file.
 */
import { parseDocument } from 'yaml';
import { PolicySchema, type Policy } from './schema';

export interface PolicyProblem {
  /** Where in the file, e.g. "plans[1].objectives.2.firstResponse.within"; "" for the whole file. */
  path: string;
  message: string;
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

export function parsePolicy(text: string): PolicyResult {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({
        path: error.linePos ? `line ${error.linePos[0].line}:${error.linePos[0].col}` : '',
        message: error.message.split('\n')[0]!,
      })),
    };
  }
  return validatePolicy(document.toJS());
}

export function validatePolicy(data: unknown): PolicyResult {
  const result = PolicySchema.safeParse(data);
  if (result.success) return { ok: true, policy: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}

/** A parsed policy or an error whose message lists every problem. */
export function policyOrThrow(text: string, source = 'policy'): Policy {
  const result = parsePolicy(text);
  if (result.ok) return result.policy;
  throw new PolicyError(source, result.problems);
}

export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: PolicyProblem[],
  ) {
    super(`${source} is not a valid policy:\n${problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`))
    .join('');
}
