/**
 * The local runtime itself (local/): AWS's DynamoDB Local started and stopped for real, the
 * table made from the shared definition, data kept (or not) across restarts, and the gateway's
 * API Gateway v2 events and responses. The handler is a fake here; the real one is proven
 * end to end in api.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPolicy } from '../core/policy/files';
import { loadPolicyJson } from '../core/policy/json';
import { TABLE_INDEXES, TABLE_KEYS } from '../lib/data/table-definition';
import { createTable, localClient, startDynamoDB } from '../local/dynamodb';
import { buildEvent, type GatewayHandler, MAX_BODY_BYTES, toResponse } from '../local/gateway';
import { type Runtime, type RuntimeRoute, startRuntime } from '../local/runtime';
import { api, startTestRuntime, TEST_ADMIN_KEY } from './support/runtime';

const START = 60_000; // a JVM start takes 2–5 s on these machines; leave room on a busy one

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fake handler that answers with what it was given, and counts its calls. */
function echoRoutes() {
  const calls: APIGatewayProxyEventV2[] = [];
  const echo: GatewayHandler = async (event: APIGatewayProxyEventV2, context: Context) => {
    calls.push(event);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() }),
    };
  };
  const routes: RuntimeRoute[] = [
    { prefix: '/', handler: echo },
    { prefix: '/binary', handler: async () => ({ statusCode: 201, headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0, 1, 254, 255]).toString('base64'), isBase64Encoded: true }) },
    {
      prefix: '/boom',
      handler: async () => {
        throw new Error('the fake handler failed');
      },
    },
  ];
  return { calls, routes };
}

const item = (id: string) => ({ [TABLE_KEYS.partitionKey]: { S: `TEST#${id}` }, [TABLE_KEYS.sortKey]: { S: 'A' }, note: { S: 'kept?' } });
const key = (id: string) => ({ [TABLE_KEYS.partitionKey]: { S: `TEST#${id}` }, [TABLE_KEYS.sortKey]: { S: 'A' } });

describe('the gateway event builder', () => {
  it('builds a payload 2.0 event: method, path, query, headers, cookies and a base64 body', () => {
    // Prepare
    const now = new Date('2026-03-12T19:03:58.390Z');

    // Act
    const event = buildEvent(
      {
        method: 'POST',
        url: '/tickets/t-1/messages?status=open&tag=a&tag=b&q=hello%20world&empty=',
        headers: {
          host: ['127.0.0.1:3000'],
          'user-agent': ['vitest'],
          'content-type': ['application/octet-stream'],
          'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
          cookie: ['session=abc; theme=dark'],
        },
        body: Buffer.from([0, 1, 2, 255]),
        sourceIp: '127.0.0.1',
      },
      now,
    );

    // Assess
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/tickets/t-1/messages',
      rawQueryString: 'status=open&tag=a&tag=b&q=hello%20world&empty=',
      queryStringParameters: { status: 'open', tag: 'a,b', q: 'hello world', empty: '' },
      headers: { host: '127.0.0.1:3000', 'user-agent': 'vitest', 'content-type': 'application/octet-stream', 'x-forwarded-for': '10.0.0.1,10.0.0.2' },
      cookies: ['session=abc', 'theme=dark'],
      body: 'AAEC/w==',
      isBase64Encoded: true,
      requestContext: {
        apiId: 'local',
        domainName: '127.0.0.1:3000',
        stage: '$default',
        routeKey: '$default',
        http: { method: 'POST', path: '/tickets/t-1/messages', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: now.getTime(),
      },
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes JSON and text bodies as text, and leaves out what the request does not have', () => {
    // Act
    const withJson = buildEvent({ method: 'POST', url: '/tickets', headers: { 'content-type': ['application/json; charset=utf-8'] }, body: Buffer.from('{"subject":"é"}'), sourceIp: '::1' });
    const bare = buildEvent({ method: 'GET', url: '/health', headers: {}, body: Buffer.alloc(0), sourceIp: '::1' });

    // Assess
    expect(withJson).toMatchObject({ body: '{"subject":"é"}', isBase64Encoded: false });
    expect(bare).toMatchObject({ rawPath: '/health', rawQueryString: '', isBase64Encoded: false });
    expect(bare).not.toHaveProperty('body');
    expect(bare).not.toHaveProperty('queryStringParameters');
    expect(bare).not.toHaveProperty('cookies');
  });

  it('maps results: status, lower-cased headers, cookies and base64 bodies; a bare value is 200 JSON', () => {
    // Act
    const binary = toResponse({ statusCode: 201, headers: { 'X-Case': 'CASE-1', 'Content-Type': 'image/png' }, cookies: ['a=1', 'b=2'], body: 'AAEC/w==', isBase64Encoded: true });
    const bare = toResponse({ ok: true });

    // Assess
    expect(binary).toEqual({ statusCode: 201, headers: { 'x-case': 'CASE-1', 'content-type': 'image/png', 'set-cookie': ['a=1', 'b=2'] }, body: Buffer.from([0, 1, 2, 255]) });
    expect(bare).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"ok":true}') });
  });
});

describe('an in-memory runtime', () => {
  const { calls, routes } = echoRoutes();
  let runtime: Runtime;

  beforeAll(async () => {
    runtime = await startTestRuntime({ routes });
  }, START);

  afterAll(async () => {
    await runtime?.stop();
  });

  it('creates the table from the shared definition, with every GSI and TTL on expiresAt', async () => {
    // Prepare
    const client = localClient(runtime.dynamodbEndpoint);

    // Act
    const { Table } = await client.send(new DescribeTableCommand({ TableName: runtime.tableName }));
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: runtime.tableName }));
    client.destroy();

    // Assess
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const indexes = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
    for (const definition of Object.values(TABLE_INDEXES)) {
      expect(indexes[definition.indexName]).toMatchObject({
        IndexStatus: 'ACTIVE',
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: definition.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
    expect(Object.keys(indexes)).toHaveLength(Object.keys(TABLE_INDEXES).length);
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('finds an existing table on restart and adds an index the definition gained since', async () => {
    // Prepare: a table as an older definition made it, with only the first index.
    const client = localClient(runtime.dynamodbEndpoint);
    const [first] = Object.values(TABLE_INDEXES);
    await client.send(
      new CreateTableCommand({
        TableName: 'older',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['PK', 'SK', first!.partitionKey, first!.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: first!.indexName,
            KeySchema: [
              { AttributeName: first!.partitionKey, KeyType: 'HASH' },
              { AttributeName: first!.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );

    // Act
    await createTable(client, 'older');
    await createTable(client, 'older');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'older' }));
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: 'older' }));
    client.destroy();

    // Assess
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      Object.values(TABLE_INDEXES)
        .map((index) => index.indexName)
        .sort(),
    );
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('configures the handlers through the environment, as in AWS', () => {
    expect(process.env).toMatchObject({
      TIERDESK_TABLE: runtime.tableName,
      // As beside a Lambda bundle: the validated policy (here the caret preset) as JSON.
      TIERDESK_POLICY: expect.stringMatching(/policy\.json$/),
      AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamodbEndpoint,
      AWS_REGION: expect.any(String),
      AWS_ACCESS_KEY_ID: expect.any(String),
    });
    expect(loadPolicyJson(process.env.TIERDESK_POLICY!)).toEqual(loadPolicy('caret'));
    expect(runtime.adminKey).toBe(TEST_ADMIN_KEY);
    expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('hands real HTTP requests to the handler as v2 events and writes its answers back', async () => {
    // Prepare
    const request = api(runtime);

    // Act
    const echoed = await request('POST', '/tickets?status=open', { body: { subject: 'hi' }, headers: { 'X-Trace': 'abc' } });
    const binary = await fetch(`${runtime.url}/binary`);

    // Assess
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get('apigw-requestid')).toBe(echoed.body.event.requestContext.requestId);
    expect(echoed.body.event).toMatchObject({
      rawPath: '/tickets',
      queryStringParameters: { status: 'open' },
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'x-trace': 'abc', 'content-type': 'application/json' },
      body: '{"subject":"hi"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/tickets', sourceIp: '127.0.0.1' } },
    });
    expect(echoed.body.remaining).toBeGreaterThan(25_000);
    expect(binary.status).toBe(201);
    expect(binary.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 254, 255]));
  });

  it('refuses a body over 1 MiB with 413 without calling the handler, and takes one of exactly 1 MiB', async () => {
    // Prepare
    const before = calls.length;

    // Act
    const tooBig = await fetch(`${runtime.url}/tickets`, { method: 'POST', body: Buffer.alloc(MAX_BODY_BYTES + 1, 'a') });
    const limit = await fetch(`${runtime.url}/tickets`, { method: 'POST', body: Buffer.alloc(MAX_BODY_BYTES, 'a'), headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(tooBig.status).toBe(413);
    expect(limit.status).toBe(200);
    expect(calls.length).toBe(before + 1);
  });

  it('answers 500 {"message":"internal error"} when a handler throws, and logs it', async () => {
    // Prepare
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});

    // Act
    const answer = await api(runtime)('GET', '/boom');

    // Assess
    expect(answer).toMatchObject({ status: 500, body: { message: 'internal error' } });
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/threw on GET \/boom/);
    logged.mockRestore();
  });

  it('survives a client that goes away halfway through its body', async () => {
    // Prepare
    const before = calls.length;
    const { port } = new URL(runtime.url);

    // Act
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"subj');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    const after = await api(runtime)('GET', '/health');

    // Assess
    expect(after.status).toBe(200);
    expect(calls.length).toBe(before + 1); // only the health check reached the handler
  });

  it(
    'keeps nothing across restarts, and stop() leaves no JVM behind',
    async () => {
      // Prepare
      const client = localClient(runtime.dynamodbEndpoint);
      await client.send(new PutItemCommand({ TableName: runtime.tableName, Item: item('memory') }));
      client.destroy();
      const firstPid = runtime.dynamodbPid;

      // Act
      await runtime.stop();
      const firstGone = !isAlive(firstPid);
      runtime = await startTestRuntime({ routes });
      const again = localClient(runtime.dynamodbEndpoint);
      const read = await again.send(new GetItemCommand({ TableName: runtime.tableName, Key: key('memory') }));
      again.destroy();

      // Assess
      expect(firstGone).toBe(true);
      expect(read.Item).toBeUndefined();
    },
    START,
  );
});

describe('a runtime with a data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tierdesk-runtime-'));
  let runtime: Runtime | undefined;

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'keeps items and the generated admin key across a restart, and the real handler answers',
    async () => {
      // Prepare: a first run writes an item, as a handler would.
      const saved = process.env.TIERDESK_ADMIN_KEY;
      delete process.env.TIERDESK_ADMIN_KEY; // the key must come from the data directory
      try {
        runtime = await startRuntime({ port: 0, dataDir, quiet: true, dynamodbCompilation: 'quick-start', routes: echoRoutes().routes });
        const client = localClient(runtime.dynamodbEndpoint);
        await client.send(new PutItemCommand({ TableName: runtime.tableName, Item: item('kept') }));
        client.destroy();
        const first = { pid: runtime.dynamodbPid, adminKey: runtime.adminKey };

        // Act: stop, then start on the same directory with the default routes (the real handler).
        await runtime.stop();
        const firstGone = !isAlive(first.pid);
        runtime = await startRuntime({ port: 0, dataDir, quiet: true, dynamodbCompilation: 'quick-start' });
        const again = localClient(runtime.dynamodbEndpoint);
        const read = await again.send(new GetItemCommand({ TableName: runtime.tableName, Key: key('kept') }));
        again.destroy();
        const health = await api(runtime)('GET', '/health', { key: '' });
        const secondPid = runtime.dynamodbPid;
        await runtime.stop();

        // Assess
        expect(firstGone).toBe(true);
        expect(read.Item?.note).toEqual({ S: 'kept?' });
        expect(runtime.adminKey).toBe(first.adminKey);
        expect(first.adminKey).toMatch(/^td_admin_/);
        expect(existsSync(join(dataDir, 'admin-key'))).toBe(true);
        expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
        expect(isAlive(secondPid)).toBe(false);
      } finally {
        if (saved !== undefined) process.env.TIERDESK_ADMIN_KEY = saved;
      }
    },
    2 * START,
  );
});

describe('failures at start-up', () => {
  it('says Java is missing and how to install it, instead of a stack trace', async () => {
    // Prepare
    const saved = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME };
    process.env.PATH = '/nonexistent';
    delete process.env.JAVA_HOME;

    // Act
    const started = startDynamoDB();

    // Assess
    try {
      await expect(started).rejects.toThrow(/Java was not found.*apt-get install openjdk-17-jre-headless/);
    } finally {
      Object.assign(process.env, saved);
    }
  });
});

describe('npm start (local/start.ts)', () => {
  /** Runs start.ts as `npm start` does (tsx), collecting its output. */
  function start(args: string[], env: NodeJS.ProcessEnv = process.env) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, output: () => output };
  }

  it(
    'fails with one clear line and status 1 when Java is missing',
    async () => {
      // Act
      const run = start(['--in-memory', '--port', '0'], { ...process.env, PATH: '/nonexistent', JAVA_HOME: '' });

      // Assess
      expect(await run.exited).toBe(1);
      expect(run.output().trim()).toMatch(/^tierdesk: Java was not found: .*openjdk-17-jre-headless[^\n]*$/);
    },
    START,
  );

  it(
    'prints what runs where, and on SIGTERM stops DynamoDB Local and exits 0',
    async () => {
      // Prepare
      const run = start(['--in-memory', '--port', '0']);
      await vi.waitFor(() => expect(run.output()).toContain('Ctrl-C stops everything'), { timeout: START, interval: 100 });
      const pid = Number(/pid (\d+)/.exec(run.output())?.[1]);

      // Act
      const wasAlive = isAlive(pid);
      run.child.kill('SIGTERM');
      const code = await run.exited;

      // Assess
      expect(run.output()).toMatch(/API +http:\/\/127\.0\.0\.1:\d+/);
      expect(run.output()).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/health/);
      expect(run.output()).toMatch(/admin key +td_admin_/);
      expect(wasAlive).toBe(true);
      expect(code).toBe(0);
      expect(isAlive(pid)).toBe(false);
    },
    START,
  );
});
