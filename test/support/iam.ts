/** Reading a synthesized template's functions and their IAM, shared by the stack tests. */
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

export type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Principal?: unknown; Condition?: unknown };
type Policy = { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } };

/**
 * What every function's role is given (lib/functions.ts): writing its own log group and X-Ray
 * traces. Asserted once, for every function, in test/stack-security.test.ts.
 */
export const isBaseline = (statement: Statement) => actionsOf([statement]).every((action) => /^(logs|xray):/.test(action));

/** Every statement of the inline policies attached to a role (by its logical id). */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Policy>)
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/**
 * CDK's own functions that run only while CloudFormation deploys (BucketDeployment copying the
 * console, AwsCustomResource setting the API's CORS): not tierdesk's functions, and their findings are
 * acknowledged in lib/console/ and lib/api/. test/stack-console.test.ts bounds what they may do.
 */
export const isDeployTimeFunction = (logicalId: string): boolean => /^(CustomCDKBucketDeployment|AWS679f53fac002430cb0da5b7982bd2287)/.test(logicalId);

/** Logical id of the one function whose bundle file is `<file>.mjs` (the API's is index). */
export function functionId(template: Template, file: string): string {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: `${file}.handler` } })).filter((id) => !isDeployTimeFunction(id));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** The logical id of a function's role. */
export const roleOfFunction = (template: Template, fnId: string): string => template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];

/** The statements of a function's role, less the baseline every function has unless `baseline`. */
export function statementsOf(template: Template, fnId: string, options: { baseline?: boolean } = {}): Statement[] {
  const statements = statementsOfRole(template, roleOfFunction(template, fnId));
  return options.baseline ? statements : statements.filter((statement) => !isBaseline(statement));
}

export const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat()).sort();
