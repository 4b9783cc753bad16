/**
 * What every handler shares for the life of a Lambda container: configuration from the
 * environment, the policy, the store and the logger. Created once, on first use.
 */
import { loadPolicyJson } from '../../core/policy/json';
import type { Policy } from '../../core/policy/schema';
import { SlaPlanner } from '../../core/sla/targets';
import { DynamoStore } from '../store/dynamo-store';
import { CaseNumberBlocks } from './case-numbers';
import { requiredEnv } from './container';

export { logger } from './container';

export interface Runtime {
  policy: Policy;
  planner: SlaPlanner;
  store: DynamoStore;
  caseNumbers: CaseNumberBlocks;
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (!runtime) {
    const tableName = requiredEnv('TIERDESK_TABLE');
    // policy.json, written from the policy file at synth (and by the local runtime): no YAML parser here.
    const policy = loadPolicyJson(requiredEnv('TIERDESK_POLICY'));
    // The tiers say which tickets a partner's agents may read: only those are in its inbox views (docs/inbox.md).
    const store = new DynamoStore(tableName, undefined, { tiers: policy.tiers });
    const blockSize = Number(process.env.TIERDESK_CASE_NUMBER_BLOCK ?? 10);
    runtime = { policy, planner: new SlaPlanner(policy), store, caseNumbers: new CaseNumberBlocks(store, blockSize) };
  }
  return runtime;
}
