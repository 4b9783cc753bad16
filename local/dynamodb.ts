/**
 * DynamoDB Local (AWS's own engine) as a child process, and the table created from the one
 * definition in lib/data/table-definition.ts.
 *
 * The jar comes from the npm package `amplify-dynamodb-simulator`. Its index.js is not reused:
 * it pulls in the Amplify CLI's path manager, polls a fixed port range and has no clean way to
 * stop the JVM, so launching `java -jar` here is shorter than adapting it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_ATTRIBUTES, TABLE_INDEXES, TABLE_KEYS, TABLE_STREAM_VIEW } from '../lib/data/table-definition';

/** A JVM starting on a busy 2-core machine (a test suite beside other work) can take a minute; a healthy one answers in seconds. */
const START_TIMEOUT_MS = 120_000;

/** An error whose message is meant for the person running `npm start`, not a stack trace. */
export class StartError extends Error {
  override name = 'StartError';
}

export const EMULATOR_DIR = join(dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')), 'emulator');

export const JAVA_MISSING =
  'Java was not found: DynamoDB Local needs a Java 17+ runtime. Install one ' +
  '(e.g. `sudo apt-get install openjdk-17-jre-headless`, or any Java 17+ runtime) and make sure ' +
  '`java` is on your PATH or JAVA_HOME is set.';

/**
 * How the JVM compiles DynamoDB Local. `quick-start` stops at the C1 compiler: its first answer
 * comes ~0.5 s sooner on these 2-core machines, which suits tests that start many short-lived
 * emulators. `steady` (a desk that runs: `npm start`, the benchmarks) lets hot code reach C2:
 * once warm, a transaction of a new ticket's size (32 items) runs 40/s with C1 only and 70-81/s
 * with C2 on an otherwise idle machine; beside the desk's own work (the intake benchmark with
 * workflows) 31-33 against 39 tickets/s. Serial GC either way: a single-user emulator needs no GC threads.
 */
export type JvmCompilation = 'quick-start' | 'steady';

const JVM_OPTIONS: Record<JvmCompilation, string[]> = {
  'quick-start': ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
  steady: ['-XX:+UseSerialGC'],
};

/**
 * The JVM ends with this process, however it ends. Node cannot make a child die with its parent,
 * and a process killed with SIGKILL (an `npm start` or a test worker) runs no exit hook: the JVM
 * would live on as an orphan, holding its memory and the data directory. So on POSIX systems a
 * shell starts it: the shell forks a watcher that reads a pipe whose only writer is this process
 * (fd 3), then `exec`s java, which keeps the shell's pid and does not hold the pipe. The pipe
 * reaches end-of-file when this process is gone, and the watcher sends the JVM SIGTERM. When the
 * JVM exits first, this process writes a line to the pipe and the watcher ends without a signal
 * (so it never signals a pid the system has given to another process since).
 */
const LIFELINE = '(read -r line || kill -TERM "$$") <&3 >/dev/null 2>&1 & exec "$@" 3<&-';

export interface DynamoDBLocalOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Directory for the SQLite file; absent means in memory. */
  dbPath?: string;
  startTimeoutMs?: number;
  /** Default `steady`. */
  compilation?: JvmCompilation;
}

export interface DynamoDBLocal {
  endpoint: string;
  port: number;
  pid: number;
  /** Resolves when the JVM exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * The credentials and region every local client uses: dummies (`-sharedDb` makes them irrelevant
 * to DynamoDB Local), the key pair the local S3 (s3rver) accepts.
 */
export const LOCAL_AWS = { region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** What a client of a local emulator (DynamoDB Local's tables and streams, the local S3) is configured with. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_AWS.region, credentials: { accessKeyId: LOCAL_AWS.accessKeyId, secretAccessKey: LOCAL_AWS.secretAccessKey } };
}

export function localClient(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...localClientConfig(endpoint), ...config });
}

export async function startDynamoDB(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  if (options.port) {
    if (!(await isPortFree(options.port))) throw new StartError(`DynamoDB Local: port ${options.port} is already in use`);
    return launch(options.port, options);
  }
  // A free port can be taken between our check and the JVM's bind; try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

class PortTakenError extends StartError {}

async function launch(port: number, options: DynamoDBLocalOptions): Promise<DynamoDBLocal> {
  const args = [
    ...JVM_OPTIONS[options.compilation ?? 'steady'],
    `-Djava.library.path=${join(EMULATOR_DIR, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(EMULATOR_DIR, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    // One database for every credential and region, so any client sees the same tables.
    '-sharedDb',
    // Nothing leaves the machine.
    '-disableTelemetry',
  ];
  if (options.dbPath) {
    // DynamoDB Local refuses a directory that does not exist ("Invalid directory for database creation").
    mkdirSync(options.dbPath, { recursive: true });
    args.push('-dbPath', options.dbPath);
  } else {
    args.push('-inMemory');
  }

  // Not detached: the JVM stays in our process group, so a Ctrl-C in the terminal reaches it
  // even if this process dies before it can clean up (a killed test worker, for one).
  // Its working directory gets a dynamodb-local-metadata.json: keep that out of the user's checkout.
  const withLifeline = process.platform !== 'win32';
  const child = withLifeline
    ? spawn('/bin/sh', ['-c', LIFELINE, 'tierdesk-dynamodb', javaCommand(), ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], cwd: options.dbPath ?? tmpdir() })
    : spawn(javaCommand(), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.dbPath ?? tmpdir() });
  const spawned = await new Promise<ChildProcess>((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new StartError(JAVA_MISSING) : error));
  });
  const pid = spawned.pid!;

  // Keep the tail of the JVM's output for error messages, and keep reading so a chatty JVM
  // never blocks on a full pipe.
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // The lifeline's watcher (see LIFELINE): told that the JVM is gone, so it signals nothing.
  const lifeline = withLifeline ? (child.stdio[3] as Writable) : undefined;
  lifeline?.on('error', () => {}); // a watcher already gone: nothing to tell
  let hasExited = false;
  let exitCode: number | null = null;
  void exited.then(({ code }) => {
    hasExited = true;
    exitCode = code;
    lifeline?.end('exited\n');
    process.off('exit', killNow);
  });
  // Last resort for process.exit() and uncaught exceptions: never leave a JVM behind.
  const killNow = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.on('exit', killNow);

  const stop = async () => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(killNow, 5_000);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, options.startTimeoutMs ?? START_TIMEOUT_MS, () => {
      // On a failed bind the JVM prints the exception but does not exit.
      if (/Failed to bind/.test(output)) throw new PortTakenError(`DynamoDB Local: port ${port} is already in use`);
      if (/Invalid directory for database creation/.test(output)) throw new StartError(`DynamoDB Local cannot use the directory ${options.dbPath}`);
      // The shell's "command not found" (the lifeline runs java through /bin/sh).
      if (hasExited && exitCode === 127) throw new StartError(JAVA_MISSING);
      if (hasExited) throw new StartError(`DynamoDB Local exited while starting:\n${output.trim()}`);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid, exited, stop };
}

/** JAVA_HOME wins, as it does for every Java tool; otherwise `java` from the PATH. */
function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  const fromHome = home ? join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java') : undefined;
  return fromHome && existsSync(fromHome) ? fromHome : 'java';
}

async function waitUntilReady(endpoint: string, timeoutMs: number, check: () => void): Promise<void> {
  // One attempt per probe: the SDK's own retries would hide the exit/bind checks between them.
  const client = localClient(endpoint, { maxAttempts: 1, requestHandler: { requestTimeout: 1_000, throwOnRequestTimeout: true } });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      check();
      const answered = await client.send(new ListTablesCommand({ Limit: 1 })).then(
        () => true,
        () => false,
      );
      // Checked again after an answer: it may have come from whoever holds the port.
      check();
      if (answered) return;
      if (Date.now() > deadline) throw new StartError(`DynamoDB Local did not answer within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.destroy();
  }
}

/** Listen on port 0 to let the OS pick; DynamoDB Local binds every interface, so we check the same. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound (on `host`, or on every interface when absent). */
export function isPortFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

const STREAM_SPECIFICATION = { StreamEnabled: true, StreamViewType: TABLE_STREAM_VIEW };

/**
 * Create the table from the shared definition (its indexes and stream) and turn on TTL. Idempotent, so a restart on a
 * kept data directory finds its table and goes on; an index added to the definition since that
 * table was made is added to it (one per UpdateTable, as in AWS).
 */
/** How long a table's new indexes may take to build: a deadline, far beyond what a busy machine needs. */
const INDEX_BUILD_DEADLINE_MS = 120_000;

/** Waits until no index of the table is still being built. */
async function untilIndexesActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + INDEX_BUILD_DEADLINE_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const building = (Table?.GlobalSecondaryIndexes ?? []).filter((index) => index.IndexStatus !== 'ACTIVE').map((index) => index.IndexName);
    if (building.length === 0) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName}: indexes ${building.join(', ')} still not active after ${INDEX_BUILD_DEADLINE_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attributeDefinitions = TABLE_ATTRIBUTES.map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
  const indexes = Object.values(TABLE_INDEXES).map((index) => ({
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  }));
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes,
        StreamSpecification: STREAM_SPECIFICATION,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table kept from before the stream gets it (as CloudFormation adds it to a deployed table).
    if (!Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM_SPECIFICATION }));
    }
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of indexes.filter((candidate) => !existing.has(candidate.IndexName))) {
      // DynamoDB (Local too) builds one new index of a table at a time: the next waits for the last.
      await untilIndexesActive(client, tableName);
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    }
    await untilIndexesActive(client, tableName);
  }
  // UpdateTimeToLive fails on a table that already has TTL enabled, so ask first.
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
      }),
    );
  }
}
