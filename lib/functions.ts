/**
 * Every tierdesk Lambda: Node.js 22 on ARM64, an esbuild ESM bundle of only what the handler
 * imports, the validated policy beside it as JSON, structured logs kept for a set time, X-Ray tracing,
 * and a role of its own that may write only its own log group (no AWS managed policy: the basic
 * execution role would let it create any log group and write to all of them).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { policyJsonText } from '../core/policy/files';
import { METRICS_NAMESPACE } from '../functions/shared/metric-names';
import { HOLIDAYS_IN_BUNDLE, holidayTableFile } from './holiday-data';
import { nagRef } from './nag';

/**
 * zod without its ~50 locales (~250 KB in every bundle); see lib/bundling/zod.ts. Named without
 * its extension, so `zod/mini` (the alias takes subpaths along) resolves to lib/bundling/zod/mini.ts.
 */
export const ZOD_IN_BUNDLES = fileURLToPath(new URL('./bundling/zod', import.meta.url));

export interface TierdeskFunctionProps {
  entry: string;
  table: ITableV2;
  policyFile: string;
  timeout?: Duration;
  /** MB; default 512. */
  memorySize?: number;
  description: string;
  /**
   * Name of the bundle file (without `.mjs`) when it should not be `index`: the workflow functions
   * are named after their step, so each bundle says what it is (and only the API's is `index.mjs`).
   */
  handlerFile?: string;
}

/** The policy beside each bundle: JSON, so the handlers read it without a YAML parser (core/policy/json.ts). */
const POLICY_IN_BUNDLE = 'policy.json';

/** Context key the stack sets (lib/settings.ts sourceMapsOn); absent (a function built outside it), source maps stay on. */
export const SOURCE_MAPS_CONTEXT = 'tierdesk:sourceMaps';
const sourceMapsFor = (scope: Construct): boolean => scope.node.tryGetContext(SOURCE_MAPS_CONTEXT) !== false;

const policyJsonFiles = new Map<string, string>();

/** policy.json for a policy file, written once per synth process (every function carries the same). */
function policyJsonFile(policyFile: string): string {
  let file = policyJsonFiles.get(policyFile);
  if (!file) {
    file = join(mkdtempSync(join(tmpdir(), 'tierdesk-policy-')), POLICY_IN_BUNDLE);
    writeFileSync(file, policyJsonText(policyFile));
    policyJsonFiles.set(policyFile, file);
  }
  return file;
}

export class TierdeskFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TierdeskFunctionProps) {
    super(scope, id, {
      entry: props.entry,
      ...(props.handlerFile ? { handler: `${props.handlerFile}.handler` } : {}),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      // Operational logs go with the stack, as the state machines' do; customers' data is what is retained.
      logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY }),
      role: new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `tierdesk ${id}: ${props.description}`.slice(0, 1000) }),
      tracing: Tracing.ACTIVE,
      environment: {
        TIERDESK_TABLE: props.table.tableName,
        TIERDESK_POLICY: `/var/task/${POLICY_IN_BUNDLE}`,
        // Only the policy's holiday regions, generated at synth (lib/holiday-data.ts): date-holidays stays out of the bundle.
        TIERDESK_HOLIDAYS: `/var/task/${HOLIDAYS_IN_BUNDLE}`,
        // The stack's name: the `service` of every log line and metric, so two deployments in one account stay apart.
        POWERTOOLS_SERVICE_NAME: Stack.of(scope).stackName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...(sourceMapsFor(scope) ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: sourceMapsFor(scope),
        // The Node.js 22 runtime provides AWS SDK v3, so it stays out of the bundle (CDK's default
        // for node18+, said here so that it stays so): smaller bundles, and the runtime's SDK.
        externalModules: ['@aws-sdk/*'],
        esbuildArgs: { '--alias:zod': ZOD_IN_BUNDLES },
        // Some dependencies are CommonJS; an ESM bundle needs `require` for them.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [
            `cp "${policyJsonFile(props.policyFile)}" "${output}/${POLICY_IN_BUNDLE}"`,
            `cp "${holidayTableFile(props.policyFile)}" "${output}/${HOLIDAYS_IN_BUNDLE}"`,
            // The source map comment (when maps are on) still names index.mjs.map, which stays beside it.
            ...(props.handlerFile ? [`mv "${output}/index.mjs" "${output}/${props.handlerFile}.mjs"`] : []),
          ],
        },
      },
    });
    this.logGroup.grantWrite(this.role!);
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 on purpose: the bundles are built and tested for it (esbuild target node22); moving to a newer runtime is a deliberate upgrade, not a synth-time default.',
      },
      { id: 'Serverless-LambdaLatestVersion', reason: 'Node.js 22 on purpose, as for AwsSolutions-L1.' },
    );
    // X-Ray's write actions support no resource-level permissions: CDK grants them on "*" for active tracing.
    Validations.of(this.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) support no resource-level permissions.',
    });
    Validations.of(this.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRef(props.table, 'Arn')}/index/*]`,
      reason: "The table's own global secondary indexes (queried by status, customer, mail link…): an index has no ARN but the table's /index/<name>.",
    });
  }
}
