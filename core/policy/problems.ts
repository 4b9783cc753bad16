/**
 * What is wrong with a policy, each problem with its place in the file. No zod here: the
 * functions' reader of policy.json (./json.ts) reports with these without loading the schema.
 */

export interface PolicyProblem {
  /** Where in the file, e.g. "plans[1].objectives.2.firstResponse.within"; "" for the whole file. */
  path: string;
  message: string;
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
