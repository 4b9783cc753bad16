/**
 * The embedded runtime behind `npm start` and the end-to-end tests: DynamoDB Local with the
 * table, the demo data, and the Lambda handlers behind the local API gateway, all on loopback.
 *
 * Handlers are configured exactly as in AWS, through environment variables, so no handler
 * has a "local" branch. Like a Lambda container, a handler module keeps what it built from
 * the environment on first use (clients, table name), and modules are imported once per
 * process: run one runtime at a time per process, and expect a second runtime in the same
 * process to reach the real handlers only if its environment is the same.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPolicy } from '../core/policy/files';
import { seedDemo } from './demo';
import { createTable, isPortFree, LOCAL_AWS, localClient, startDynamoDB, StartError, type DynamoDBLocal } from './dynamodb';
import { startGateway, type Gateway, type GatewayHandler, type GatewayRoute } from './gateway';

export { StartError } from './dynamodb';

/** A handler module (path relative to this file, exporting `handler`) or, in tests, a function. */
export type RuntimeRoute = { prefix: string; module: string } | { prefix: string; handler: GatewayHandler };

/** One function behind the HTTP API's `$default` route; webhooks and email join this list later. */
export const DEFAULT_ROUTES: RuntimeRoute[] = [{ prefix: '/', module: '../functions/api/handler.ts' }];

export const TABLE_NAME = 'tierdesk';
export const DEFAULT_DATA_DIR = '.tierdesk';
export const DEFAULT_POLICY = 'caret';

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
}

export interface Runtime {
  url: string;
  dynamodbEndpoint: string;
  /** The JVM's process id, so callers (and tests) can see it is gone after stop(). */
  dynamodbPid: number;
  /** Resolves if DynamoDB Local exits, including on its own. */
  dynamodbExited: DynamoDBLocal['exited'];
  tableName: string;
  adminKey: string;
  /** Absent in memory. */
  dataDir?: string;
  policy: string;
  /** What the demo seeding wants printed. */
  demoLines: string[];
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const policy = options.policy ?? DEFAULT_POLICY;
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? DEFAULT_DATA_DIR);

  // Everything that can fail fast does so before the JVM's seconds of start-up.
  try {
    loadPolicy(policy);
  } catch (error) {
    throw new StartError(`policy "${policy}": ${(error as Error).message}`);
  }
  if (port !== 0 && !(await isPortFree(port, host))) throw portInUse(port, host);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const adminKey = options.adminKey || process.env.TIERDESK_ADMIN_KEY || keptAdminKey(dataDir);

  const dynamodb = await startDynamoDB(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {});
  let gateway: Gateway;
  let demoLines: string[];
  try {
    const client = localClient(dynamodb.endpoint);
    try {
      await createTable(client, TABLE_NAME);
    } finally {
      client.destroy();
    }

    // What the handlers read, set before any handler module is imported.
    Object.assign(process.env, {
      TIERDESK_TABLE: TABLE_NAME,
      TIERDESK_POLICY: policy,
      AWS_REGION: LOCAL_AWS.region,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      // Dummy credentials: locally nothing may ever reach a real AWS account.
      AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
    });
    delete process.env.AWS_SESSION_TOKEN; // a token from the shell would ride along with the dummy keys
    if (options.quiet) process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

    demoLines = (await seedDemo({ tableName: TABLE_NAME, adminKey, policy })).lines;
    const routes = await loadRoutes(options.routes ?? DEFAULT_ROUTES);
    try {
      gateway = await startGateway({ routes, host, port, quiet: options.quiet ?? false });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(port, host);
      throw error;
    }
  } catch (error) {
    await dynamodb.stop();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: gateway.url,
    dynamodbEndpoint: dynamodb.endpoint,
    dynamodbPid: dynamodb.pid,
    dynamodbExited: dynamodb.exited,
    tableName: TABLE_NAME,
    adminKey,
    ...(dataDir ? { dataDir } : {}),
    policy,
    demoLines,
    stop: () => (stopping ??= gateway.close().finally(() => dynamodb.stop())),
  };
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
