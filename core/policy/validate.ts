/**
 * Validating a policy's data, however it was read: the one place the schema is applied and its
 * issues become problems with their path in the file. No YAML parser here (that is ./load.ts).
 * The functions do not validate: they read policy.json, the policy validated at synth (./json.ts).
 */
import { jsonOrPolicyError } from './json';
import { PolicyError, type PolicyProblem } from './problems';
import { type Policy, PolicySchema } from './schema';

export { PolicyError, type PolicyProblem };

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

export function validatePolicy(data: unknown): PolicyResult {
  const result = PolicySchema.safeParse(data);
  if (result.success) return { ok: true, policy: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('');
}

/** A policy in JSON text, validated; a PolicyError listing every problem otherwise. */
export function policyFromJson(text: string, source = 'policy'): Policy {
  const result = validatePolicy(jsonOrPolicyError(text, source));
  if (result.ok) return result.policy;
  throw new PolicyError(source, result.problems);
}
