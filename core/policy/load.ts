/**
 * Reading a policy: YAML or JSON text in, a validated policy or every problem (with its
 * path in the file) out. Pure: callers read the file. Validation itself is ./validate.ts,
 * shared with the Lambdas' JSON loader (./json.ts), which does not import the YAML parser.
 */
import { parseDocument } from 'yaml';
import type { Policy } from './schema';
import { PolicyError, type PolicyProblem, type PolicyResult, validatePolicy } from './validate';

export { PolicyError, type PolicyProblem, type PolicyResult, validatePolicy };

/** The text as plain data (YAML, of which JSON is a part), not yet validated; or its syntax errors. */
export function readPolicyText(text: string): { ok: true; data: unknown } | { ok: false; problems: PolicyProblem[] } {
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
  return { ok: true, data: document.toJS() };
}

export function parsePolicy(text: string): PolicyResult {
  const read = readPolicyText(text);
  return read.ok ? validatePolicy(read.data) : read;
}

/** A parsed policy or an error whose message lists every problem. */
export function policyOrThrow(text: string, source = 'policy'): Policy {
  const result = parsePolicy(text);
  if (result.ok) return result.policy;
  throw new PolicyError(source, result.problems);
}
