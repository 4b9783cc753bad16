/**
 * The HTTP API Lambda (one function behind the `$default` route): authenticates, routes,
 * and maps every expected error to a 4xx that names the field.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { withMetrics } from '../shared/metrics';
import { getRuntime, logger } from '../shared/runtime';
import { authenticate } from './auth';
import { HttpError, errorResponse, json, type HttpResult } from '../shared/http';
import { openApiDocument } from './openapi';
import { match } from './routes';

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
  const rt = getRuntime();
  const principal = await authenticate(event, rt.store);
  logger.appendKeys({ principal: principal.name, ...(found.id ? { ticketId: found.id } : {}) });
  return found.route.run(rt, { principal, body: parseBody(event), headers: event.headers ?? {}, query: event.queryStringParameters ?? {}, now: Date.now() }, found.id ?? '');
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON', { field: '(body)' });
  }
}

export const handler = withMetrics(
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.setCorrelationId(event.requestContext.requestId);
      try {
        return await route(event);
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
