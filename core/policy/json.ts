/**
 * The policy as a Lambda reads it: policy.json beside the bundle (TIERDESK_POLICY), written at
 * synth (and by the local runtime for its handlers) by policyJsonText in ./files.ts from the
 * YAML file once it validated. It is validated again here with the same schema (./validate.ts),
 * but parsed with JSON.parse: this module and what it imports must not import `yaml` (~110 KB
 * of every bundle, and its load time).
 */
import { readFileSync } from 'node:fs';
import type { Policy } from './schema';
import { PolicyError, validatePolicy } from './validate';

/** The policy in JSON text, validated; a PolicyError listing every problem otherwise. */
export function policyFromJson(text: string, source = 'policy'): Policy {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(source, [{ path: '', message: (error as Error).message }]);
  }
  const result = validatePolicy(data);
  if (result.ok) return result.policy;
  throw new PolicyError(source, result.problems);
}

/** A policy.json file (see policyJsonText in ./files.ts). */
export function loadPolicyJson(file: string): Policy {
  return policyFromJson(readFileSync(file, 'utf8'), file);
}
