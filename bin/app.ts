#!/usr/bin/env node
/**
 * The CDK app: `npm run synth` / `npx cdk deploy`. Settings come from CDK context (cdk.json or
 * `-c name=value`, lib/settings.ts); cdk-nag's packs check the result and fail the synth on any
 * unacknowledged finding (lib/nag.ts).
 */
import { App } from 'aws-cdk-lib';
import { addNagChecks } from '../lib/nag';
import { resolveSettings, StackSettingsError } from '../lib/settings';
import { TierdeskStack } from '../lib/tierdesk-stack';

const app = new App();
let settings: ReturnType<typeof resolveSettings>;
try {
  settings = resolveSettings({}, (name) => app.node.tryGetContext(name));
} catch (error) {
  if (!(error instanceof StackSettingsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
new TierdeskStack(app, app.node.tryGetContext('stackName') ?? `tierdesk-${settings.stage}`, {
  ...settings,
  description: `tierdesk support desk (${settings.stage})`,
});
addNagChecks(app);
app.synth();
