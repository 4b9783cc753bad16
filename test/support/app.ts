/**
 * A CDK App with the context `cdk synth` gets from cdk.json (the feature flags above all), so the
 * stacks the tests and benchmarks synthesize are the ones `npx cdk deploy` deploys.
 */
import { readFileSync } from 'node:fs';
import { App, type AppProps } from 'aws-cdk-lib';

const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

export function appAsDeployed(props: AppProps = {}): App {
  return new App({ ...props, context: { ...CDK_JSON_CONTEXT, ...props.context } });
}
