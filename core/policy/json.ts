/**
 * The policy as a function reads it: policy.json beside the bundle (TIERDESK_POLICY), written at
 * synth (and by the local runtime for its handlers) by policyJsonText in ./files.ts: the policy as
 * validation made it (defaults filled in), checked there to read back from JSON unchanged and to
 * validate again as itself. So it is not validated again here: a cold start neither builds the
 * policy's schema nor runs it (118–164 ms against 11 ms, bench/bundles.ts), and a function that validates nothing else
 * carries no zod. What is checked is that the file is such a policy at all, so a wrong path or a
 * hand-made file is refused with a clear error instead of failing later on a missing field.
 */
import { readFileSync } from 'node:fs';
import { PolicyError } from './problems';
import type { Policy } from './schema';

/** The policy in policy.json text (see policyJsonText in ./files.ts); a PolicyError if it is not one. */
export function policyFromValidatedJson(text: string, source = 'policy.json'): Policy {
  const data = jsonOrPolicyError(text, source);
  if (!isValidatedPolicyShape(data)) {
    throw new PolicyError(source, [{ path: '', message: 'not a policy as synth writes it (policyJsonText in core/policy/files.ts): validate the policy file and synthesize again' }]);
  }
  return data;
}

/** The JSON text as data; a PolicyError naming the syntax error otherwise. */
export function jsonOrPolicyError(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolicyError(source, [{ path: '', message: (error as Error).message }]);
  }
}

/** A policy.json file (see policyJsonText in ./files.ts). */
export function loadPolicyJson(file: string): Policy {
  return policyFromValidatedJson(readFileSync(file, 'utf8'), file);
}

/** What validation always fills in (defaults and required parts): absent, the file did not come from validation. */
function isValidatedPolicyShape(data: unknown): data is Policy {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const policy = data as Record<string, unknown>;
  return (
    policy.version === 1 &&
    typeof policy.id === 'string' &&
    typeof policy.caseNumberPrefix === 'string' &&
    ['severities', 'calendars', 'plans', 'tiers'].every((key) => Array.isArray(policy[key]) && (policy[key] as unknown[]).length > 0)
  );
}
