/**
 * The HTTP API Lambda (one function behind the `$default` route): authenticates, routes,
 * and maps every expected error to a 4xx that names the field.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { LIMITS } from '../../core/limits';
import { errorResponse, HttpError, type HttpResult, json, withEntityTag } from '../shared/http';
import { withMetrics } from '../shared/metrics';
import { getRuntime, logger } from '../shared/runtime';
import { authenticate } from './auth';
import { openApiDocument } from './openapi';
import { checkPathId, match, type Route } from './routes';

async function route(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const method = event.requestContext.http.method;
  const path = event.rawPath.replace(/\/+$/, '') || '/';
  if (method === 'GET' && path === '/health') return json(200, { status: 'ok' });
  if (method === 'GET' && path === '/openapi.json') return json(200, openApiDocument());
  const found = match(method, path);
  if (!found.route) {
    if (found.allowed.length > 0) throw new HttpError(405, `${method} is not allowed on ${path}`, {}, { allow: found.allowed.join(', ') });
    throw new HttpError(404, `no route ${method} ${path}`);
  }
  const headers = event.headers ?? {};
  checkHeaders(headers);
  const query = checkQuery(found.route, event.queryStringParameters ?? {});
  const rt = getRuntime();
  const principal = await authenticate(event, rt.store);
  const id = checkPathId(found.route, found.id);
  logger.appendKeys({ principal: principal.name, keyId: principal.id, ...(id ? { ticketId: id } : {}) });
  return found.route.run(rt, { principal, body: parseBody(event, found.route), headers, query, ...(found.params ? { params: found.params } : {}), now: Date.now() }, id);
}

/** Every header the API reads, bounded before anything reads it (Authorization is refused with 401). */
const READ_HEADERS = { authorization: 'Authorization', 'idempotency-key': 'Idempotency-Key', 'if-match': 'If-Match', 'if-none-match': 'If-None-Match' } as const;

function checkHeaders(headers: Record<string, string | undefined>): void {
  for (const [name, field] of Object.entries(READ_HEADERS)) {
    const value = headers[name];
    if (value === undefined || value.length <= LIMITS.header) continue;
    const message = `${field} is longer than ${LIMITS.header} characters`;
    if (name === 'authorization') throw new HttpError(401, message, { field }, { 'www-authenticate': 'Bearer error="invalid_request"' });
    throw new HttpError(400, message, { field });
  }
}

/**
 * Only the query parameters the route takes, each bounded (a cursor to LIMITS.cursor, anything
 * else to LIMITS.queryValue); an unknown one is a 400 naming it, not silently ignored.
 */
function checkQuery(route: Route, query: Record<string, string | undefined>): Record<string, string | undefined> {
  const known = new Set(Object.keys((route.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {}));
  for (const [name, value] of Object.entries(query)) {
    if (!known.has(name)) {
      const takes = known.size > 0 ? `it takes ${[...known].join(', ')}` : 'it takes none';
      throw new HttpError(400, `unknown query parameter "${name.slice(0, 64)}" (${takes})`, { field: name.slice(0, LIMITS.queryValue) });
    }
    const max = name === 'cursor' ? LIMITS.cursor : LIMITS.queryValue;
    if ((value ?? '').length > max) throw new HttpError(400, `${name} is longer than ${max} characters`, { field: name });
  }
  return query;
}

/** The JSON body; where the route takes one, it must be an object. */
function parseBody(event: APIGatewayProxyEventV2, route: Route): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON', { field: '(body)' });
  }
  if (route.body && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new HttpError(400, 'the body must be a JSON object', { field: '(body)' });
  }
  return body;
}

export const handler = withMetrics(
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.setCorrelationId(event.requestContext.requestId);
      try {
        const result = await route(event);
        // Every GET answered with JSON carries its entity tag; If-None-Match naming it is a 304 (functions/shared/http.ts).
        return event.requestContext.http.method === 'GET' ? withEntityTag(result, event.headers?.['if-none-match']) : result;
      } catch (error) {
        const response = errorResponse(error);
        if (response) {
          // A 503 is a dependency that stayed throttled or failing through the SDK's retries: worth a warning.
          logger[response.statusCode >= 500 ? 'warn' : 'info']('request refused', { statusCode: response.statusCode, reason: (error as Error).message });
          return response;
        }
        logger.error('request failed', error as Error);
        return json(500, { message: 'internal error', requestId: event.requestContext.requestId });
      }
    }),
);
