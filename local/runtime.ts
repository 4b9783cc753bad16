/**
 * The embedded runtime behind `npm start` and the end-to-end tests: DynamoDB Local with the
 * table, the demo data, the Lambda handlers behind the local API gateway, and the local Step
 * Functions endpoint running the ticket lifecycle (statemachines/), all on loopback.
 *
 * Handlers are configured exactly as in AWS, through environment variables, so no handler
 * has a "local" branch. Like a Lambda container, a handler module keeps what it built from
 * the environment on first use (clients, table name), and modules are imported once per
 * process: run one runtime at a time per process, and expect a second runtime in the same
 * process to reach the real handlers only if its environment is the same.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { loadPolicy, policyJsonText } from '../core/policy/files';
import { ATTACHMENT_PREFIX, INBOUND_PREFIX } from '../functions/email/layout';
import { RESTARTED_EXECUTION_STATUSES } from '../functions/shared/execution-status';
import { CONSOLE_PATH, CONSOLE_SCOPES } from '../lib/console/security-headers';
import type { ConsoleSite } from './console';
import { seedDemo } from './demo';
import { createTable, type DynamoDBLocal, isPortFree, type JvmCompilation, LOCAL_AWS, localClient, localClientConfig, StartError, startDynamoDB } from './dynamodb';
import { type Gateway, type GatewayHandler, type GatewayRoute, startGateway } from './gateway';
import { type LocalOidc, type LocalUser, signInLines, startOidcProvider } from './oidc';
import { type LocalS3, startS3 } from './s3';
import { type LocalSes, startSes } from './ses';
import { type IngestHandler, type LocalSmtp, startSmtp } from './smtp';
import { type ExecutionStatusChangeEvent, type LocalStepFunctions, startStepFunctions, stateMachineArn } from './stepfunctions';
import { type StreamConsumer, type StreamPoller, startStreamPoller } from './streams';
import { registerSupportPeriod, registerTicketLifecycle, SUPPORT_PERIOD, TICKET_LIFECYCLE } from './workflows';

export { StartError } from './dynamodb';

/** A handler module (path relative to this file, exporting `handler`) or, in tests, a function. */
export type RuntimeRoute = { prefix: string; module: string } | { prefix: string; handler: GatewayHandler };

/** One function behind the HTTP API's `$default` route; webhooks and email join this list later. */
export const DEFAULT_ROUTES: RuntimeRoute[] = [
  { prefix: '/', module: '../functions/api/handler.ts' },
  // As in AWS: webhooks have a function of their own (lib/webhooks/webhooks.ts).
  { prefix: '/webhooks/', module: '../functions/webhooks/handler.ts' },
];

export const TABLE_NAME = 'tierdesk';
export const DEFAULT_DATA_DIR = '.tierdesk';
export const DEFAULT_POLICY = 'caret';
/** The built console (`npm run console:build`), served at /console/. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../console/dist', import.meta.url));

export interface RuntimeOptions {
  /** Gateway port; 0 or absent picks a free one (`npm start` passes 3000). */
  port?: number;
  host?: string;
  /** Kept across restarts; default `.tierdesk/` under the current directory. */
  dataDir?: string;
  /** Keep nothing: DynamoDB in memory and a fresh admin key per run. */
  inMemory?: boolean;
  /** Preset name or policy file. */
  policy?: string;
  adminKey?: string;
  /** No access log, and handler logs only at ERROR (unless POWERTOOLS_LOG_LEVEL says otherwise). */
  quiet?: boolean;
  routes?: RuntimeRoute[];
  /**
   * The inbound-email handler module the SMTP listener calls (path relative to this file, or
   * absolute, exporting `handler`); default functions/email/ingest.ts. Tests pass the esbuild
   * bundle CDK deploys (`ingest.mjs`), as `routes` serves the API's bundle.
   */
  ingestModule?: string;
  /**
   * Fixed ports for DynamoDB Local and the Step Functions endpoint (0 or absent: free ones).
   * A restart in the same process must reuse them: like a Lambda container, a handler module
   * keeps the clients it built on first use, with the endpoints of the first start.
   */
  dynamodbPort?: number;
  stepFunctionsPort?: number;
  /** How DynamoDB Local's JVM compiles (local/dynamodb.ts); default `steady`, tests ask for `quick-start`. */
  dynamodbCompilation?: JvmCompilation;
  /**
   * Run each ticket's SLA workflow (default true). Off, tickets get no execution: the intake
   * benchmark uses this to measure the API path alone.
   */
  workflows?: boolean;
  /** Fixed port for the SES emulator (0 or absent: a free one); reuse it on a restart, as above. */
  sesPort?: number;
  /** Fixed port for the local S3 (0 or absent: a free one); reuse it on a restart, as above. */
  s3Port?: number;
  /** Port of the SMTP listener for inbound mail (`npm start` passes 2525; 0 or absent: a free one). */
  smtpPort?: number;
  /**
   * Secrets of the policy's webhook integrations (id → current first, then previous). Absent: kept
   * in `webhook-secrets.json` in the data directory, made at first start for each integration.
   */
  webhookSecrets?: Record<string, string[]>;
  /** The one origin a browser may call the API from (CORS); default the gateway's own. */
  consoleOrigin?: string;
  /** People's sign-in: the local OpenID Connect provider (default) or another issuer (docs/sign-in.md). */
  signIn?: SignInOptions;
  /** The built console served at /console/ (default console/dist); tests give a small fake. */
  consoleDir?: string;
}

export interface SignInOptions {
  /** Another OIDC issuer instead of the local provider: the handlers verify its ID tokens (aud = `audience`). */
  issuer?: string;
  audience?: string;
  jwksUri?: string;
  /** The local provider's port (`npm start` passes 3001; 0 or absent: a free one). */
  port?: number;
  /** Default 3600 s, as Cognito's; tests that watch a token expire make it short. */
  idTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** The console's redirect URIs; default `<console origin>/callback`, `<console origin>/` and `<console origin>/console/` (where the gateway serves it). */
  redirectUris?: string[];
  /** Users besides the demo users (a test's user in no group, a second partner's agent, …). */
  users?: LocalUser[];
  /** Other public clients of the local issuer: their tokens have another audience, which the API refuses. */
  extraClientIds?: string[];
}

export interface Runtime {
  url: string;
  dynamodbEndpoint: string;
  /** The JVM's process id, so callers (and tests) can see it is gone after stop(). */
  dynamodbPid: number;
  /** Resolves if DynamoDB Local exits, including on its own. */
  dynamodbExited: DynamoDBLocal['exited'];
  tableName: string;
  /** The local Step Functions endpoint; `GET <url>/executions/<ticket id>` shows a ticket's execution and history. */
  stepFunctionsUrl: string;
  stepFunctionsPort: number;
  ticketStateMachineArn: string;
  /** The SES emulator (AWS_ENDPOINT_URL_SES): the mail the desk sent, readable in a browser at this URL. */
  sesUrl: string;
  sesPort: number;
  /** The SMTP listener for inbound mail (loopback): deliver a mail here and it becomes a ticket. */
  smtpPort: number;
  /** The webhook integrations' secrets (TIERDESK_WEBHOOK_SECRETS_FILE): `{"<id>": ["current", "previous"]}`. */
  webhookSecretsFile: string;
  /** The local S3 (AWS_ENDPOINT_URL_S3) and the mail bucket: raw inbound mail and attachments. */
  s3Url: string;
  s3Port: number;
  mailBucket: string;
  /** Its store and clear(), for tests that read the mail back. */
  ses: Pick<LocalSes, 'store' | 'clear'>;
  adminKey: string;
  /** Absent in memory. */
  dataDir?: string;
  policy: string;
  /** What the demo seeding wants printed. */
  demoLines: string[];
  /** The local OpenID Connect provider and its users (absent with another issuer). */
  oidc?: Pick<LocalOidc, 'issuer' | 'clientId' | 'redirectUris' | 'users'>;
  /** The origin CORS allows. */
  consoleOrigin: string;
  /** The console on this gateway: `<url>/console/`. */
  consoleUrl: string;
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const policy = options.policy ?? DEFAULT_POLICY;
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? DEFAULT_DATA_DIR);

  // Everything that can fail fast does so before the JVM's seconds of start-up.
  // The handlers read the policy as in AWS: the validated policy as JSON (lib/functions.ts, core/policy/json.ts).
  let policyJson: string;
  try {
    policyJson = join(mkdtempSync(join(tmpdir(), 'tierdesk-policy-')), 'policy.json');
    writeFileSync(policyJson, policyJsonText(policy));
  } catch (error) {
    throw new StartError(`policy "${policy}": ${(error as Error).message}`);
  }
  if (port !== 0 && !(await isPortFree(port, host))) throw portInUse(port, host);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const adminKey = options.adminKey || process.env.TIERDESK_ADMIN_KEY || keptAdminKey(dataDir);

  const dynamodb = await startDynamoDB({
    ...(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {}),
    ...(options.dynamodbPort ? { port: options.dynamodbPort } : {}),
    ...(options.dynamodbCompilation ? { compilation: options.dynamodbCompilation } : {}),
  });
  let gateway: Gateway;
  let demoLines: string[];
  let stepFunctions: LocalStepFunctions | undefined;
  let ses: LocalSes | undefined;
  let s3: LocalS3 | undefined;
  let smtp: LocalSmtp | undefined;
  let oidc: LocalOidc | undefined;
  let tableStream: StreamPoller | undefined;
  let demoUsers: LocalUser[] = [];
  const webhookSecretsFile = keptWebhookSecrets(
    dataDir,
    loadPolicy(policy).integrations.map((integration) => integration.id),
    options.webhookSecrets,
  );
  const ticketStateMachineArn = stateMachineArn(TICKET_LIFECYCLE);
  try {
    // Status changes reach the reconciler as EventBridge delivers them in AWS (lib/workflows/ticket-workflow.ts).
    stepFunctions = await startStepFunctions({ port: options.stepFunctionsPort ?? 0, onStatusChange: (event) => void deliverToReconciler(event) });
    // In-process and quick: every mail the workflow sends lands here, never at a real address.
    ses = await startSes({ port: options.sesPort ?? 0 });
    s3 = await startS3({ ...(dataDir ? { directory: join(dataDir, 's3') } : {}), port: options.s3Port ?? 0 });
    const client = localClient(dynamodb.endpoint);
    try {
      await createTable(client, TABLE_NAME);
    } finally {
      client.destroy();
    }

    // What the handlers read, set before any handler module is imported.
    Object.assign(process.env, {
      TIERDESK_TABLE: TABLE_NAME,
      TIERDESK_POLICY: policyJson,
      AWS_REGION: LOCAL_AWS.region,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctions.url,
      AWS_ENDPOINT_URL_SES: ses.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      TIERDESK_WEBHOOK_SECRETS_FILE: webhookSecretsFile,
      // Signs list cursors (functions/api/cursors.ts); kept in the data directory, so cursors survive a restart.
      TIERDESK_CURSOR_KEY: keptCursorKey(dataDir),
      TIERDESK_MAIL_BUCKET: s3.bucket,
      TIERDESK_INBOUND_PREFIX: INBOUND_PREFIX,
      TIERDESK_ATTACHMENT_PREFIX: ATTACHMENT_PREFIX,
      ...(options.workflows === false ? {} : { TIERDESK_TICKET_STATE_MACHINE_ARN: ticketStateMachineArn, TIERDESK_PERIOD_STATE_MACHINE_ARN: stateMachineArn(SUPPORT_PERIOD) }),
      // Dummy credentials: locally nothing may ever reach a real AWS account.
      AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
    });
    delete process.env.AWS_SESSION_TOKEN; // a token from the shell would ride along with the dummy keys
    if (options.quiet) process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
    // EMF lines are for CloudWatch; locally they would only bury the logs (POWERTOOLS_METRICS_DISABLED=false shows them).
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

    ({ lines: demoLines, users: demoUsers } = await seedDemo({ tableName: TABLE_NAME, adminKey, policy }));
    if (options.workflows !== false) {
      await registerTicketLifecycle(stepFunctions);
      await registerSupportPeriod(stepFunctions);
      // New tickets' starts, from the table's stream as Lambda's event source mapping delivers them in AWS.
      tableStream = await startStreamPoller({ endpoint: dynamodb.endpoint, tableName: TABLE_NAME, consumers: [await workflowStarter()] });
      // Executions live in memory: every ticket still being worked gets its execution again,
      // resuming from the stored ticket (the reconciler AWS runs on a schedule).
      await reconcile();
    } else {
      delete process.env.TIERDESK_TICKET_STATE_MACHINE_ARN;
      delete process.env.TIERDESK_PERIOD_STATE_MACHINE_ARN;
    }
    smtp = await startSmtp({
      port: options.smtpPort ?? 0,
      host,
      bucket: s3.bucket,
      inboundPrefix: INBOUND_PREFIX,
      s3: new S3Client({ ...localClientConfig(s3.url), forcePathStyle: true }),
      ingest: await loadHandler<IngestHandler>(options.ingestModule ?? INGEST_MODULE),
      quiet: options.quiet ?? false,
    }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE' ? new StartError(`SMTP port ${options.smtpPort} on ${host} is already in use`) : error;
    });
    const routes = await loadRoutes(options.routes ?? DEFAULT_ROUTES);
    try {
      const site = consoleSite(
        options,
        () => gateway.url,
        () => oidc,
      );
      gateway = await startGateway({ routes, host, port, quiet: options.quiet ?? false, console: site, ...(options.consoleOrigin ? { corsOrigin: options.consoleOrigin } : {}) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(port, host);
      throw error;
    }
    oidc = await startSignIn(options, host, dataDir, options.consoleOrigin ?? gateway.url, gateway.url, demoUsers);
    if (oidc) demoLines.push(...signInLines(oidc));
  } catch (error) {
    await oidc?.stop();
    await smtp?.stop();
    await tableStream?.stop();
    await stepFunctions?.stop();
    await ses?.stop();
    await s3?.stop();
    await dynamodb.stop();
    throw error;
  }
  const sfn = stepFunctions;
  const mail = ses;
  const inbound = smtp;
  const objects = s3;
  const signInServer = oidc;
  const stream = tableStream;

  let stopping: Promise<void> | undefined;
  return {
    url: gateway.url,
    dynamodbEndpoint: dynamodb.endpoint,
    dynamodbPid: dynamodb.pid,
    dynamodbExited: dynamodb.exited,
    tableName: TABLE_NAME,
    stepFunctionsUrl: sfn.url,
    stepFunctionsPort: sfn.port,
    ticketStateMachineArn,
    smtpPort: inbound.port,
    webhookSecretsFile,
    s3Url: objects.url,
    s3Port: objects.port,
    mailBucket: objects.bucket,
    sesUrl: mail.url,
    sesPort: mail.port,
    ses: { store: () => mail.store(), clear: () => mail.clear() },
    adminKey,
    ...(dataDir ? { dataDir } : {}),
    policy,
    demoLines,
    ...(oidc ? { oidc: { issuer: oidc.issuer, clientId: oidc.clientId, redirectUris: oidc.redirectUris, users: oidc.users } } : {}),
    consoleOrigin: options.consoleOrigin ?? gateway.url,
    consoleUrl: `${gateway.url}${CONSOLE_PATH}`,
    // No new mail first; then executions: their tasks still write to DynamoDB (and send mail) while they wind down.
    stop: () =>
      (stopping ??= inbound
        .stop()
        .finally(() => stream?.stop())
        .finally(() => sfn.stop())
        .finally(() => mail.stop())
        .finally(() => gateway.close())
        .finally(() => signInServer?.stop())
        .finally(() => objects.stop())
        .finally(() => dynamodb.stop())),
  };
}

/**
 * Where the handlers verify people's tokens (TIERDESK_OIDC_*): another issuer when given, else the
 * local provider with the demo users, started here (docs/sign-in.md).
 */
async function startSignIn(options: RuntimeOptions, host: string, dataDir: string | undefined, consoleOrigin: string, gatewayUrl: string, demoUsers: LocalUser[]): Promise<LocalOidc | undefined> {
  const signIn = options.signIn ?? {};
  delete process.env.TIERDESK_OIDC_JWKS_URI;
  if (signIn.issuer) {
    if (!signIn.audience) throw new StartError('sign-in: another issuer needs its app client id as the audience (TIERDESK_OIDC_AUDIENCE)');
    Object.assign(process.env, { TIERDESK_OIDC_ISSUER: signIn.issuer, TIERDESK_OIDC_AUDIENCE: signIn.audience, ...(signIn.jwksUri ? { TIERDESK_OIDC_JWKS_URI: signIn.jwksUri } : {}) });
    return undefined;
  }
  const oidc = await startOidcProvider({
    host,
    port: signIn.port ?? 0,
    ...(dataDir ? { dataDir } : {}),
    users: [...demoUsers, ...(signIn.users ?? [])],
    // The console this gateway serves at /console/, and one at TIERDESK_CONSOLE_ORIGIN (a dev server).
    redirectUris: signIn.redirectUris ?? [...new Set([`${consoleOrigin}/callback`, `${consoleOrigin}/`, `${consoleOrigin}${CONSOLE_PATH}`, `${gatewayUrl}${CONSOLE_PATH}`])],
    corsOrigins: [...new Set([consoleOrigin, gatewayUrl])],
    ...(signIn.extraClientIds ? { extraClientIds: signIn.extraClientIds } : {}),
    ...(signIn.idTokenTtlSeconds ? { idTokenTtlSeconds: signIn.idTokenTtlSeconds } : {}),
    ...(signIn.refreshTokenTtlSeconds ? { refreshTokenTtlSeconds: signIn.refreshTokenTtlSeconds } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new StartError(`sign-in port ${signIn.port} on ${host} is already in use`) : error;
  });
  Object.assign(process.env, { TIERDESK_OIDC_ISSUER: oidc.issuer, TIERDESK_OIDC_AUDIENCE: oidc.clientId });
  return oidc;
}

/**
 * The console at /console/: its files, and its config.json from this runtime (the API is the
 * gateway itself; sign-in is the local provider's, or the other issuer's). CSP's connect-src names
 * the issuer's origin, plus for another issuer the origins its discovery document names (Cognito's
 * token endpoint is on its hosted domain), looked up once on first use.
 */
function consoleSite(options: RuntimeOptions, gatewayUrl: () => string, localOidc: () => LocalOidc | undefined): ConsoleSite {
  let sources: Promise<string[]> | undefined;
  const issuer = () => localOidc()?.issuer ?? options.signIn?.issuer ?? '';
  return {
    dir: options.consoleDir ?? DEFAULT_CONSOLE_DIR,
    config: () => ({
      apiUrl: gatewayUrl(),
      oidc: { issuer: issuer(), clientId: localOidc()?.clientId ?? options.signIn?.audience ?? '', scopes: CONSOLE_SCOPES },
      stage: 'local',
    }),
    // Not kept before sign-in has started (the gateway starts first).
    connectSources: () => (issuer() ? (sources ??= localOidc() ? Promise.resolve([new URL(issuer()).origin]) : discoveredOrigins(issuer())) : Promise.resolve([])),
  };
}

async function discoveredOrigins(issuer: string): Promise<string[]> {
  const origins = [new URL(issuer).origin];
  try {
    const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
    const discovery = (await response.json()) as Record<string, unknown>;
    for (const key of ['token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'revocation_endpoint', 'end_session_endpoint']) {
      const value = discovery[key];
      if (typeof value === 'string') origins.push(new URL(value).origin);
    }
  } catch (error) {
    console.error(`tierdesk: the console may only fetch from ${origins[0]}: no discovery document at ${issuer} (${(error as Error).message})`);
  }
  return [...new Set(origins)];
}

function portInUse(port: number, host: string): StartError {
  return new StartError(`port ${port} on ${host} is already in use`);
}

/** The admin key of a data directory: made at its first start and kept, so scripts keep working. */
function keptAdminKey(dataDir: string | undefined): string {
  const fresh = () => `td_admin_${randomBytes(24).toString('base64url')}`;
  if (!dataDir) return fresh();
  const file = join(dataDir, 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = fresh();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The key that signs list cursors: kept in the data directory, fresh in memory. */
function keptCursorKey(dataDir: string | undefined): string {
  const fresh = () => randomBytes(32).toString('base64url');
  if (!dataDir) return fresh();
  const file = join(dataDir, 'cursor-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = fresh();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * The webhook integrations' secrets file: the given secrets, else those kept in the data
 * directory, with a fresh secret for any integration that has none yet (in memory: a temporary file).
 */
function keptWebhookSecrets(dataDir: string | undefined, ids: string[], given: Record<string, string[]> | undefined): string {
  const file = join(dataDir ?? mkdtempSync(join(tmpdir(), 'tierdesk-secrets-')), 'webhook-secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>) : {};
  // Hex: usable in a URL (a CTI token) and valid base64 too (a Standard Webhooks `whsec_` secret).
  const secrets = { ...Object.fromEntries(ids.map((id) => [id, kept[id] ?? [`whsec_${randomBytes(24).toString('hex')}`]])), ...given };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return file;
}

const INGEST_MODULE = '../functions/email/ingest.ts';

async function loadHandler<T>(module: string): Promise<T> {
  const loaded = (await import(new URL(module, import.meta.url).href)) as { handler?: unknown };
  if (typeof loaded.handler !== 'function') throw new StartError(`${module} does not export a handler function`);
  return loaded.handler as T;
}

async function loadRoutes(routes: RuntimeRoute[]): Promise<GatewayRoute[]> {
  return Promise.all(
    routes.map(async (route) => {
      if ('handler' in route) return { prefix: route.prefix, handler: route.handler };
      const module = (await import(new URL(route.module, import.meta.url).href)) as { handler?: unknown };
      if (typeof module.handler !== 'function') throw new StartError(`${route.module} does not export a handler function`);
      const name = route.module.replace(/^.*functions\//, '').replace(/\/handler\.ts$|\.ts$/, '');
      return { prefix: route.prefix, handler: module.handler as GatewayHandler, name: `tierdesk-${name}` };
    }),
  );
}

/** The workflow starter (functions/workflow/start.ts) as the table stream's consumer, configured as in AWS. */
async function workflowStarter(): Promise<StreamConsumer> {
  const starter = (await import(new URL('../functions/workflow/start.ts', import.meta.url).href)) as typeof import('../functions/workflow/start');
  return { name: 'the workflow starter', ...starter.STREAM_SOURCE, handler: starter.handler };
}

/** An execution's status change, to the ticket reconciler (which restarts a ticket's run that ended badly). */
async function deliverToReconciler(event: ExecutionStatusChangeEvent): Promise<void> {
  if (!RESTARTED_EXECUTION_STATUSES.includes(event.detail.status)) return; // as the rule's pattern in AWS
  try {
    const loaded = (await import(new URL('../functions/workflow/reconcile.ts', import.meta.url).href)) as { handler: (event: unknown) => Promise<unknown> };
    await loaded.handler(event);
  } catch (error) {
    console.error(`tierdesk: the reconciler could not handle ${event.detail.name} ending ${event.detail.status}: ${(error as Error).message}`);
  }
}

/**
 * Runs the reconciler's handler once. Its failure does not stop the start: the API works
 * without it, and the tickets it missed still have their deadlines stored. (It does fail when
 * a second runtime in one process got new ports: the handler modules keep the clients of the
 * first, see RuntimeOptions.)
 */
async function reconcile(): Promise<void> {
  for (const module of ['../functions/workflow/reconcile.ts', '../functions/periods/reconcile.ts']) {
    try {
      const loaded = (await import(new URL(module, import.meta.url).href)) as { handler: (event: unknown) => Promise<unknown> };
      await loaded.handler({ redrive: 'all' }); // every open ticket: none has an execution yet
    } catch (error) {
      console.error(`tierdesk: could not re-drive the workflows of ${module}: ${(error as Error).message}`);
    }
  }
}
