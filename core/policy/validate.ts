/**
 * Validating a policy's data, however it was read: the one place the schema is applied and its
 * issues become problems with their path in the file. No parser here, so the Lambdas (which read
 * policy.json through ./json.ts) do not carry the YAML parser that ./load.ts needs.
 */
import { type Policy, PolicySchema } from './schema';

export interface PolicyProblem {
  /** Where in the file, e.g. "plans[1].objectives.2.firstResponse.within"; "" for the whole file. */
  path: string;
  message: string;
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

export function validatePolicy(data: unknown): PolicyResult {
  const result = PolicySchema.safeParse(data);
  if (result.success) return { ok: true, policy: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
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
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('');
}
