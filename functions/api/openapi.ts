/** GET /openapi.json: built from the same zod schemas that validate requests. */
import { z } from 'zod';
import { ROUTES } from './routes';

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const query = route.query ? (z.toJSONSchema(route.query, { io: 'input' }) as { properties?: Record<string, unknown> }) : undefined;
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: route.summary,
      security: [{ apiKey: [] }],
      parameters: [
        ...(route.path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : []),
        ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
        ...(route.path === '/tickets' && route.method === 'POST'
          ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
          : []),
      ],
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } } }
        : {}),
      responses: {
        [route.success]: { description: 'success' },
        400: { $ref: '#/components/responses/Error' },
        401: { $ref: '#/components/responses/Error' },
        404: { $ref: '#/components/responses/Error' },
        409: { $ref: '#/components/responses/Error' },
        429: { description: 'The stage\'s request rate was exceeded (API Gateway throttling); retry later' },
        503: { $ref: '#/components/responses/Unavailable' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'tierdesk API', version: '1' },
    paths: {
      '/health': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'ok' } } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'ok' } } } },
      ...paths,
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      responses: {
        Unavailable: {
          description: 'A service the desk depends on stayed throttled or failing through its retries; retry after Retry-After seconds (with the same Idempotency-Key)',
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: { 'application/json': { schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } } },
        },
        Error: {
          description: 'An error naming the field at fault',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['message'],
                properties: {
                  message: { type: 'string' },
                  field: { type: 'string' },
                  errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    },
  };
}
