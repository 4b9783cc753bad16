/**
 * Webhook ingestion (issue [5]): one function behind `POST /webhooks/{proxy+}` on the HTTP API
 * (functions/webhooks/handler.ts serves `/webhooks/{id}`, `/webhooks/twilio/{id}` and
 * `/webhooks/cti/{id}/{token}`), and one Secrets Manager secret per integration of the policy,
 * named `<secretPrefix><integration id>` and holding `{"current": "…", "previous": "…"}`
 * (functions/webhooks/secrets.ts).
 *
 * Least privilege: the function may read (secretsmanager:GetSecretValue, plus the DescribeSecret
 * that grantRead adds) only these secrets, by their full ARNs; with no integrations it gets no
 * Secrets Manager permission at all. The one "*" resource (states:SendTaskSuccess, from
 * connectTicketHandler) is explained in ticket-workflow.ts.
 *
 * The function and route exist even when the policy names no integration, so adding one later is
 * a policy change and a deploy, nothing else; meanwhile every delivery is answered 404.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, HttpNoneAuthorizer, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Integration } from '../../core/webhooks/integrations';
import { TierdeskFunction } from '../functions';
import type { TicketWorkflow } from '../workflows/ticket-workflow';

/** Environment variable through which the handler finds its secrets (functions/webhooks/secrets.ts). */
export const WEBHOOK_SECRET_PREFIX_ENV = 'TIERDESK_WEBHOOK_SECRET_PREFIX';

/** The one route: the handler tells the three URL shapes apart itself. */
export const WEBHOOK_ROUTE_PATH = '/webhooks/{proxy+}';

/** Characters and length Secrets Manager allows in a secret name. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** `<stack name>/integrations/`: secrets of different stacks in one account never collide. */
export function defaultSecretPrefix(stackName: string): string {
  return `${stackName}/integrations/`;
}

export interface WebhooksProps {
  table: ITableV2;
  /** Absolute path of the validated policy file bundled with the function. */
  policyFile: string;
  /** The policy's integrations (`policy.integrations`); only their ids and kinds are used here. */
  integrations: ReadonlyArray<Pick<Integration, 'id' | 'kind'>>;
  /** The API the webhook route is added to (its `$default` route stays with the API function). */
  api: HttpApi;
  /** The API's base URL (its stage's), ending in "/". */
  apiUrl: string;
  /** The workflow the function opens and wakes ticket executions of. */
  workflow: TicketWorkflow;
  /** Prefix of every integration's secret name. Default `<stack name>/integrations/`. */
  secretPrefix?: string;
}

export class Webhooks extends Construct {
  readonly handler: TierdeskFunction;
  /** Each integration's secret, by integration id. */
  readonly secrets: ReadonlyMap<string, Secret>;
  /** Prefix of every secret name; the handler's TIERDESK_WEBHOOK_SECRET_PREFIX. */
  readonly secretPrefix: string;
  /** `https://…/webhooks/`: an integration's URL is this plus `<id>`, `twilio/<id>` or `cti/<id>/<token>`. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const { table, policyFile, integrations, api, workflow } = props;
    this.secretPrefix = props.secretPrefix ?? defaultSecretPrefix(Stack.of(this).stackName);
    const names = integrations.map((integration) => `${this.secretPrefix}${integration.id}`);
    for (const name of names) {
      if (!Token.isUnresolved(name) && !SECRET_NAME.test(name)) {
        throw new Error(`Webhooks: secret name ${JSON.stringify(name)} is not a valid Secrets Manager name (1-512 of A-Z a-z 0-9 / _ + = . @ -)`);
      }
    }
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw new Error(`Webhooks: two integrations would share the secret ${JSON.stringify(duplicate)}`);

    this.handler = new TierdeskFunction(this, 'Handler', {
      entry: 'functions/webhooks/handler.ts',
      handlerFile: 'webhooks',
      table,
      policyFile,
      // Senders time out early (Twilio waits 15 s) and the HTTP API at most 30 s.
      timeout: Duration.seconds(15),
      description: 'tierdesk webhooks: portals, forms, phone systems and chat tools open and update tickets',
    });
    this.handler.addEnvironment(WEBHOOK_SECRET_PREFIX_ENV, this.secretPrefix);
    table.grantReadWriteData(this.handler); // customers, tickets, timelines, delivery ids and rate counters
    workflow.connectTicketHandler(this.handler); // starts a new ticket's execution, wakes an updated one

    const secrets = new Map<string, Secret>();
    for (const integration of integrations) {
      const secretName = `${this.secretPrefix}${integration.id}`;
      const secret = new Secret(this, `Secret-${integration.id}`, {
        secretName,
        description:
          integration.kind === 'twilio'
            ? `tierdesk webhooks: Twilio auth token of integration "${integration.id}" (replace "current" with it)`
            : `tierdesk webhooks: ${integration.kind === 'cti' ? 'URL token' : 'signing secret'} of integration "${integration.id}" ({"current","previous"})`,
        // A random start value in the shape the handler reads. For a Twilio integration the vendor
        // replaces `current` with the Twilio account's auth token (Twilio signs with it and cannot
        // be given ours); for a Zendesk-signed one, with the Zendesk webhook's signing secret.
        generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', excludePunctuation: true, passwordLength: 48 },
        // Senders are configured with these values (or the secret holds a vendor's own token): a
        // stack deletion or replacement must not lose them and break every integration at once.
        // The cost: re-creating the stack, or re-adding a removed integration, needs the retained
        // secret deleted (or its value saved and restored) first, since the name is taken.
        removalPolicy: RemovalPolicy.RETAIN,
        // The AWS-managed key (aws/secretsmanager): encrypted at rest, no key to pay for or manage,
        // and no kms:Decrypt grant needed (the key is usable only through Secrets Manager in this
        // account). A customer-managed key would add nothing here: nobody outside the account reads them.
      });
      secret.grantRead(this.handler); // GetSecretValue and DescribeSecret on this secret's ARN only
      secrets.set(integration.id, secret);
      new CfnOutput(this, `SecretName-${integration.id}`, {
        value: secretName,
        description: `tierdesk webhooks: the secret of integration "${integration.id}" (${integration.kind})`,
      });
    }
    this.secrets = secrets;

    // No API-key authorizer, stated explicitly so a default authorizer added to the API later is
    // not inherited: senders cannot present tierdesk API keys; each delivery is authenticated
    // inside the handler by its signature (or Twilio signature, or CTI URL token) before anything is read.
    const routes = api.addRoutes({
      path: WEBHOOK_ROUTE_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('WebhooksIntegration', this.handler, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 }),
      authorizer: new HttpNoneAuthorizer(),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Webhook senders (portals, Twilio, phone systems) cannot sign AWS requests or carry tierdesk API keys: every delivery is authenticated by its HMAC signature, Twilio signature or CTI URL token before anything is read.',
      });
    }
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by API Gateway: a failure is answered 5xx and the sender retries the delivery (exactly once by event id); there is no event to park.',
    });
    if (secrets.size > 0) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Each secret is a value shared with an outside sender (or its own token, e.g. Twilio\'s auth token): rotating it without the sender would break deliveries. Rotation is manual and safe: "current" takes the new value while "previous" keeps the old one valid (README, "Webhooks").',
      });
    }

    this.baseUrl = `${props.apiUrl}webhooks/`;
    new CfnOutput(this, 'BaseUrl', {
      value: this.baseUrl,
      description: 'tierdesk webhooks: append <id>, twilio/<id> or cti/<id>/<token> for an integration',
    });
  }
}
