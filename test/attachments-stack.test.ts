/**
 * Attachment downloads in the CDK stack (issue [9]): the API function signs download URLs with its
 * own role, so that role decides what a URL can fetch. It may read attachments and nothing else in
 * the mail bucket; without inbound mail it has no S3 access at all.
 */

import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TierdeskStack, type TierdeskStackProps } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { actionsOf, functionId, statementsOf } from './support/iam';

/** Synthesized without bundling: only the resources are read. */
const synth = (props: Partial<TierdeskStackProps> = {}) =>
  Template.fromStack(new TierdeskStack(appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Attachments', { policy: 'caret', ...props }));

const s3Statements = (template: Template) => statementsOf(template, functionId(template, 'index')).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('s3:')));

describe('the API function and the mail bucket', () => {
  it('may only s3:GetObject under attachments/ (never the raw mail under inbound/), and knows the bucket and prefix', () => {
    const template = synth({ inboundRecipients: ['support@example.com'] });
    const buckets = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('InboundEmailMailBucket'));
    expect(buckets).toHaveLength(1);
    expect(s3Statements(template)).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [buckets[0], 'Arn'] }, '/attachments/*']] } }]);
    const api = template.toJSON().Resources[functionId(template, 'index')];
    expect(api.Properties.Environment.Variables).toMatchObject({ TIERDESK_MAIL_BUCKET: { Ref: buckets[0] }, TIERDESK_ATTACHMENT_PREFIX: 'attachments/' });
  });

  it('has no S3 access and no bucket without inbound mail (the route then answers 404)', () => {
    const template = synth();
    expect(s3Statements(template)).toEqual([]);
    expect(template.toJSON().Resources[functionId(template, 'index')].Properties.Environment.Variables.TIERDESK_MAIL_BUCKET).toBeUndefined();
  });
});
