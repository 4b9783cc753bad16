/** The HTTP API and the function behind it (one function, routed inside; see functions/api). */
import { CfnOutput, Duration } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TierdeskFunction } from '../functions';

export interface TicketApiProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with the function. */
  policyFile: string;
}

export class TicketApi extends Construct {
  readonly api: HttpApi;
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
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'tierdesk API',
      defaultIntegration: new HttpLambdaIntegration('HandlerIntegration', this.handler),
    });
    new CfnOutput(this, 'Url', { value: this.api.apiEndpoint, description: 'tierdesk API base URL' });
  }
}
