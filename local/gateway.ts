/**
 * The local stand-in for API Gateway (HTTP API, `$default` route, payload format 2.0): a
 * node:http server that turns each request into the event a Lambda handler gets in AWS and
 * writes the handler's result back. Built only from what the handlers read; no authorizers,
 * stage variables or custom domains.
 *
 * CORS as the HTTP API's `corsPreflight` answers it: for the console's origin alone
 * (TIERDESK_CONSOLE_ORIGIN; default the gateway's own origin, which needs none), nothing wider.
 *
 * It also serves the console's files at /console/ (local/console.ts), CloudFront's part in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type ConsoleSite, isConsolePath, serveConsole } from './console';
import { listen } from './listen';

export type GatewayHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface GatewayRoute {
  /** Path prefix; the longest matching prefix wins. */
  prefix: string;
  handler: GatewayHandler;
  /** Shown as the Lambda function name in the context. */
  name?: string;
}

/**
 * 1 MiB. In AWS the HTTP API accepts 10 MB and a synchronous Lambda invocation 6 MB, but no
 * tierdesk request comes near either (tickets and messages are text; attachments will go to
 * S3), so a small limit catches runaway clients and keeps every request in memory cheap.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** API Gateway's integration timeout; the handler sees it through getRemainingTimeInMillis(). */
const TIMEOUT_MS = 30_000;

/** The parts of an HTTP request the event is built from (an IncomingMessage has them all). */
export interface GatewayRequest {
  method: string;
  /** Path and query as sent, e.g. `/tickets?status=open`. */
  url: string;
  /** Every header name lower-case with all its values, as node's `headersDistinct` gives them. */
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  protocol?: string;
  domainName?: string;
}

/**
 * Content types API Gateway passes through as text; anything else (or no content type)
 * arrives base64-encoded with isBase64Encoded, as it does in AWS.
 */
function isText(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || /^application\/(json|xml|javascript|x-www-form-urlencoded)$/.test(type) || /\+(json|xml)$/.test(type);
}

export function buildEvent(request: GatewayRequest, now = new Date()): APIGatewayProxyEventV2 {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);

  // Payload 2.0 joins repeated headers and query keys with commas and moves cookies out of
  // the headers into their own array.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headers)) {
    if (name === 'cookie') {
      cookies = values
        .flatMap((value) => value.split(';'))
        .map((cookie) => cookie.trim())
        .filter(Boolean);
    } else {
      headers[name] = values.join(',');
    }
  }

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      const before = queryStringParameters[key];
      queryStringParameters[key] = before === undefined ? value : `${before},${value}`;
    }
  }

  const hasBody = request.body.length > 0;
  const text = isText(headers['content-type']);
  const host = request.domainName ?? headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: request.body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

/** API Gateway's requestContext.time: `12/Mar/2020:19:03:58 +0000`. */
function clfTime(date: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString())!;
  return `${day}/${month}/${year}:${time} +0000`;
}

export interface GatewayResponse {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * What API Gateway makes of a handler's result. A structured result is taken as is; a string
 * or any other value is, as in AWS, a 200 JSON answer.
 */
export function toResponse(result: APIGatewayProxyResultV2<unknown>): GatewayResponse {
  if (!isStructured(result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body ?? '') };
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { statusCode: result.statusCode ?? 200, headers, body };
}

function isStructured(result: unknown): result is APIGatewayProxyStructuredResultV2 {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

export function lambdaContext(functionName: string, deadline: number): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface GatewayOptions {
  routes: GatewayRoute[];
  host?: string;
  port?: number;
  /** No access log. */
  quiet?: boolean;
  /** The one origin a browser may call from (the console's); default the gateway's own. */
  corsOrigin?: string;
  /** The console's files at /console/ (local/console.ts); absent: those paths go to the routes like any other. */
  console?: ConsoleSite;
}

/** What the console sends and reads (functions/api/handler.ts READ_HEADERS; ETag, Location, …). */
const CORS_PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
  'access-control-allow-headers': 'authorization, content-type, idempotency-key, if-match',
  'access-control-max-age': '600',
};
const CORS_EXPOSED_HEADERS = 'etag, location, retry-after, www-authenticate, apigw-requestid';

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const routes = [...options.routes].sort((a, b) => b.prefix.length - a.prefix.length);
  let corsOrigin = options.corsOrigin ?? '';
  const log = options.quiet ? () => {} : (line: string) => console.log(line);
  const server = createServer((req, res) => {
    const started = performance.now();
    res.once('finish', () => log(`${req.method} ${req.url} → ${res.statusCode} (${Math.round(performance.now() - started)} ms)`));
    serve(routes, req, res, corsOrigin, options.console).catch((error: unknown) => {
      console.error('gateway: request failed', error);
      send(res, json(500, { message: 'internal error' }));
    });
  });
  // A request node's parser refuses (a malformed request line or URL, headers over its 16 KB)
  // never reaches a handler: it is answered, as API Gateway would, with a JSON 4xx before the
  // connection closes (the parser cannot read on from a broken request), never just dropped.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ message: `${STATUS_CODES[status]}: the local gateway could not read the request (${error.code ?? 'malformed'})` });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  const host = options.host ?? '127.0.0.1';
  const { url, port } = await listen(server, host, options.port ?? 0);
  corsOrigin = options.corsOrigin ?? url;
  return {
    url,
    port,
    close: () => closeServer(server),
  };
}

async function serve(routes: GatewayRoute[], req: IncomingMessage, res: ServerResponse, corsOrigin: string, site: ConsoleSite | undefined): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  const origin = req.headers.origin;
  const allowed = origin !== undefined && origin === corsOrigin;
  if (req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined) {
    if (!allowed) return send(res, json(403, { message: `a browser at ${origin.slice(0, 200)} may not call this API: only the console's origin ${corsOrigin} (TIERDESK_CONSOLE_ORIGIN) may` }));
    return send(res, { statusCode: 204, headers: { 'access-control-allow-origin': origin, vary: 'Origin', ...CORS_PREFLIGHT_HEADERS }, body: Buffer.alloc(0) });
  }
  if (allowed) {
    // Set before any answer is written, so 4xx and 5xx answers are readable by the console too.
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS);
    res.setHeader('vary', 'Origin');
  }
  // The console is same-origin static files (CloudFront's part in AWS), never an API request.
  if (site && isConsolePath(path)) return send(res, await serveConsole(site, req.method ?? 'GET', path));
  const route = routes.find((candidate) => path.startsWith(candidate.prefix));
  if (!route) return send(res, json(404, { message: 'Not Found' }));

  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return send(res, tooLarge(), true);
  const body = await readBody(req);
  if (body === 'too-large') return send(res, tooLarge(), true);
  if (body === 'aborted') return;

  const event = buildEvent({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headersDistinct as Record<string, string[]>,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
  });
  const name = route.name ?? 'tierdesk-local';
  let result: APIGatewayProxyResultV2;
  try {
    result = await route.handler(event, lambdaContext(name, Date.now() + TIMEOUT_MS));
  } catch (error) {
    // The handlers map every error to a response themselves; reaching this is a bug.
    console.error(`gateway: handler ${name} threw on ${event.requestContext.http.method} ${event.rawPath}`, error);
    return send(res, json(500, { message: 'internal error' }));
  }
  const response = toResponse(result);
  // API Gateway names the request in every answer, which helps find it in the logs.
  response.headers['apigw-requestid'] ??= event.requestContext.requestId;
  send(res, response);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // Stop keeping the body but let it drain, so the client can still read our 413.
      req.off('data', onData);
      req.resume();
      resolve('too-large');
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    // The client went away mid-body: there is nobody left to answer. (Later calls to
    // resolve() are no-ops, so a normal end followed by 'close' changes nothing.)
    req.once('error', () => resolve('aborted'));
    req.once('close', () => resolve(req.complete ? Buffer.concat(chunks) : 'aborted'));
  });
}

function json(statusCode: number, body: unknown): GatewayResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

function tooLarge(): GatewayResponse {
  return json(413, { message: `Request Entity Too Large (the local gateway accepts up to ${MAX_BODY_BYTES} bytes)` });
}

function send(res: ServerResponse, response: GatewayResponse, closeConnection = false): void {
  if (res.headersSent || res.destroyed) return;
  // After refusing a body we did not read, close the connection rather than drain the rest.
  if (closeConnection) response.headers.connection = 'close';
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': response.body.length });
  res.end(response.body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections from fetch would otherwise hold close() open.
    server.closeAllConnections();
  });
}
