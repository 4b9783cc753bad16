/**
 * SES feedback in the synthesized stack (lib/email/feedback.ts): the configuration set and its
 * bounce and complaint destination, the rule that hands only this configuration set's events to
 * the feedback function, the function's least privilege and dead-letter queue, and every sender
 * sending through the configuration set. cdk-nag is proven by test/stack-security.test.ts.
 * Bundling is skipped: these stacks are read, not deployed.
 */

import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_SET_ENV } from '../lib/email/feedback';
import { TierdeskStack, type TierdeskStackProps } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { actionsOf, functionId, type Statement, statementsOf } from './support/iam';

type Resource = { Type: string; Properties: Record<string, any> };

function synth(props: TierdeskStackProps, name = 'Prod'): Template {
  return Template.fromStack(new TierdeskStack(appAsDeployed({ context: { 'aws:cdk:bundling-stacks': [] } }), name, props));
}

const template = synth({ policy: 'test/fixtures/webhooks-policy.yaml', senderIdentity: 'support@desk.example', inboundRecipients: ['support@desk.example'] });
const resources = template.toJSON().Resources as Record<string, Resource>;
const only = (type: string): [string, Resource] => {
  const found = Object.entries(resources).filter(([, resource]) => resource.Type === type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const [configurationSetId, configurationSet] = only('AWS::SES::ConfigurationSet');
const feedbackId = functionId(template, 'feedback');
const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('MailFeedback'))!;
const tableId = only('AWS::DynamoDB::GlobalTable')[0];
const configurationSetArn = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: configurationSetId }]],
};

describe('the configuration set', () => {
  it('is named after the stack and publishes bounces and complaints, and nothing else, to the default event bus', () => {
    expect(configurationSet.Properties).toMatchObject({ Name: 'Prod-mail', ReputationOptions: { ReputationMetricsEnabled: true } });
    const [, destination] = only('AWS::SES::ConfigurationSetEventDestination');
    expect(destination.Properties).toEqual({
      ConfigurationSetName: { Ref: configurationSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        EventBridgeDestination: {
          EventBusArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
        },
      },
    });
  });

  it('exists without a sender identity too (mail sent later through a configured identity still comes back)', () => {
    const plain = synth({ policy: 'caret' }, 'Plain');
    plain.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    plain.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
  });
});

describe('every sender', () => {
  const sesStatements = (fnId: string, t = template) => statementsOf(t, fnId).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('ses:')));
  const senders = Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id]) => id)
    .filter((id) => sesStatements(id).length > 0);

  it("is the ticket workflow's Step and the support period's step", () => {
    expect(senders.sort()).toEqual([functionId(template, 'period-step'), functionId(template, 'step')].sort());
  });

  it('knows the configuration set from its environment and may send through it as well as as its identity', () => {
    for (const id of senders) {
      expect(resources[id]!.Properties.Environment.Variables[CONFIGURATION_SET_ENV], id).toEqual({ Ref: configurationSetId });
      const statements = sesStatements(id);
      // Every SES send permission the function has comes with the same actions on the configuration set.
      expect(statements).toContainEqual({ Effect: 'Allow', Action: ['ses:SendEmail', 'ses:SendRawEmail'], Resource: configurationSetArn });
      for (const statement of statements) expect(actionsOf([statement])).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    }
  });

  it('without any sender identity gets the name but no SES permission at all', () => {
    const plain = synth({ policy: 'caret' }, 'Plain');
    const [setId] = Object.keys(plain.findResources('AWS::SES::ConfigurationSet'));
    for (const file of ['step', 'period-step']) {
      const id = functionId(plain, file);
      expect(plain.toJSON().Resources[id].Properties.Environment.Variables[CONFIGURATION_SET_ENV]).toEqual({ Ref: setId });
      expect(sesStatements(id, plain)).toEqual([]);
    }
  });
});

describe('the feedback rule', () => {
  it('passes only SES bounces and complaints of this configuration set to the feedback function, with retries and a dead-letter queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule') as Record<string, Resource>).filter((rule) => rule.Properties.EventPattern?.source?.includes('aws.ses'));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: configurationSetId }] } } },
    });
    expect(rules[0]!.Properties.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [feedbackId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
      },
    ]);
  });

  it('is the only way in: EventBridge may invoke the function for this rule only', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Resource>).filter((permission) =>
      JSON.stringify(permission.Properties.FunctionName).includes(feedbackId),
    );
    expect(permissions.map((permission) => ({ principal: permission.Properties.Principal, source: permission.Properties.SourceArn }))).toEqual([
      { principal: 'events.amazonaws.com', source: { 'Fn::GetAtt': [expect.stringMatching(/^MailFeedbackRule/), 'Arn'] } },
    ]);
  });
});

describe('the feedback function', () => {
  it('runs functions/email/feedback.ts and checks the configuration set of what it is given', () => {
    expect(resources[feedbackId]!.Properties).toMatchObject({ Handler: 'feedback.handler', Runtime: 'nodejs22.x', Timeout: 30 });
    expect(resources[feedbackId]!.Properties.Environment.Variables).toMatchObject({ [CONFIGURATION_SET_ENV]: { Ref: configurationSetId }, TIERDESK_TABLE: { Ref: tableId } });
  });

  it('may only read and put items of the table (no index, no delete) and send to its dead-letter queue', () => {
    const statements: Statement[] = statementsOf(template, feedbackId);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
      { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
  });

  it('is retried twice, then its failures go to the encrypted dead-letter queue, which raises an alarm', () => {
    expect(resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: feedbackId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
  });

  it('has alarms on its errors and throttles like every function', () => {
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { Ref: feedbackId } }] });
    }
  });
});
