/** The HTTP API and the function behind it (one function, routed inside; see functions/api). */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TierdeskFunction } from '../functions';
import type { ApiAccessMode } from '../settings';

/**
 * Requests per second (and burst) the stage takes before answering 429: far above a support
 * desk's traffic, low enough that a runaway client cannot run up the bill or starve the others.
 */
export const API_THROTTLE = { rateLimit: 500, burstLimit: 1000 } as const;

export interface TicketApiProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with the function. */
  policyFile: string;
  /**
   * "api-key" (default): every request carries a tierdesk API key, checked by the function.
   * "iam": API Gateway also requires an AWS SigV4 signature (IAM authorizer) on every route but
   * the webhooks', whose senders cannot sign and are authenticated by their signatures instead.
   */
  access?: ApiAccessMode;
}

export class TicketApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly handler: TierdeskFunction;

  constructor(scope: Construct, id: string, props: TicketApiProps) {
    super(scope, id);
    this.handler = new TierdeskFunction(this, 'Handler', {
      entry: 'functions/api/handler.ts',
      table: props.table,
      policyFile: props.policyFile,
      timeout: Duration.seconds(15),
      description: 'tierdesk HTTP API: tickets, customers, API keys',
    });
    props.table.grantReadWriteData(this.handler);
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by API Gateway: a failure is answered to the caller, who retries with the same Idempotency-Key; there is no event to park.',
    });

    const iam = props.access === 'iam';
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'tierdesk API',
      defaultIntegration: new HttpLambdaIntegration('HandlerIntegration', this.handler),
      ...(iam ? { defaultAuthorizer: new HttpIamAuthorizer() } : {}),
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY })),
        // JSON, one line per request. The route key, never the path: a CTI webhook's path carries its token.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            bytes: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    if (!iam) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'apiAccess "api-key": every route but the webhooks\' requires a tierdesk API key, checked by the function (functions/api/auth.ts); set apiAccess "iam" to require SigV4 as well.',
      });
    }
    new CfnOutput(this, 'Url', { value: this.stage.url, description: 'tierdesk API base URL' });
  }
}
