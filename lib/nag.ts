/**
 * cdk-nag's AwsSolutions and Serverless packs (policy-validation plugins: a finding fails the
 * synth and is listed in cdk.out/policy-validation-report.json). bin/app.ts adds them to every
 * synth; test/stack-nag.test.ts proves the stack passes them. Each acknowledgement is made next
 * to the construct it is about, with its reason (Validations.of(construct).acknowledge).
 */
import { type App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/**
 * How cdk-nag spells a construct's `Fn::GetAtt` in a finding id: `<LogicalId.Attribute>`, so an
 * acknowledgement names the exact resource (e.g. `AwsSolutions-IAM5[Resource::<TableArn>/index/*]`).
 */
export function nagRef(construct: IConstruct, attribute: string): string {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return `<${Stack.of(construct).resolve(resource.logicalId)}.${attribute}>`;
}
