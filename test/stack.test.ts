/** The CDK stack, proven by synthesizing it and asserting the template (no AWS account needed). */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_INDEXES } from '../lib/data/table-definition';
import { TierdeskStack } from '../lib/tierdesk-stack';

let template: Template;

beforeAll(() => {
  const app = new App({ outdir: `${process.env.TMPDIR ?? '/tmp'}/tierdesk-cdk-test-${process.pid}` });
  template = Template.fromStack(new TierdeskStack(app, 'Test', { policy: 'caret' }));
}, 120_000);

describe('the ticket table', () => {
  it('keeps customers\' cases safe: PITR, deletion protection, retained on stack removal, encrypted', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true },
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('is the one table definition the local runtime uses: keys, every index, TTL on expiresAt', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!.Properties;
    expect(table.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName).sort()).toEqual(
      Object.values(TABLE_INDEXES).map((index) => index.indexName).sort(),
    );
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
  });
});

describe('the HTTP API', () => {
  it('runs its handler on Node.js 22, ARM64, with the table and the bundled policy in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          TIERDESK_TABLE: Match.anyValue(),
          TIERDESK_POLICY: '/var/task/policy.yaml',
        }),
      },
    });
  });

  it('sends every route to the handler through the $default route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('lets the handler read and write only the ticket table (no wildcard resources)', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
      expect([statement.Action].flat().every((action: string) => action.startsWith('dynamodb:'))).toBe(true);
    }
  });

  it('keeps its logs for a set time', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('synth-time policy validation', () => {
  it('refuses to build a stack from an invalid policy, naming the problem', () => {
    const app = new App();
    expect(() => new TierdeskStack(app, 'Broken', { policy: 'test/fixtures/no-such-policy.yaml' })).toThrow(/no preset or file/);
  });
});
