#!/usr/bin/env node
/** The CDK app: `npm run synth` / `npx cdk deploy`. */
import { App } from 'aws-cdk-lib';
import { TierdeskStack } from '../lib/tierdesk-stack';

const app = new App();
new TierdeskStack(app, app.node.tryGetContext('stackName') ?? 'Tierdesk', {
  policy: app.node.tryGetContext('policy'),
  description: 'tierdesk support desk',
});
app.synth();
