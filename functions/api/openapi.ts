/** GET /openapi.json: built from the same zod schemas that validate requests. */
import { z } from 'zod';
import { LIMITS } from '../../core/limits';
import { ROUTES } from './routes';

const HEADERS = {
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Run the request once: a retry with the same key (and body) gets the first answer, marked Idempotent-Replayed. Scoped to the API key that sends it.',
    schema: { type: 'string', minLength: 1, maxLength: LIMITS.idempotencyKey, pattern: '^[\\x21-\\x7e]+$' },
  },
  'If-Match': {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The version the change is meant for; another version is a 409 instead of a retry.',
    schema: { type: 'string', maxLength: 20, pattern: '^(W/)?"?[0-9]{1,15}"?$' },
  },
} as const;

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const query = route.query ? (z.toJSONSchema(route.query, { io: 'input' }) as { properties?: Record<string, unknown> }) : undefined;
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: route.summary,
      security: [{ apiKey: [] }],
      parameters: [
        ...(route.id
          ? [{ name: 'id', in: 'path', required: true, description: `An id of another shape is ${route.method === 'PUT' && route.id.rule ? 'a 400' : 'a 404'}.`, schema: route.id.schema }]
          : []),
        ...(route.params ?? []).map((param) => ({ name: param.name, in: 'path', required: true, description: param.description, schema: param.schema })),
        ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
        ...(route.headers ?? []).map((header) => HEADERS[header]),
      ],
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } } }
        : {}),
      responses: {
        [route.success]: route.successResponse ?? { description: 'success' },
        400: { $ref: '#/components/responses/BadRequest' },
        401: { $ref: '#/components/responses/Error' },
        403: { $ref: '#/components/responses/Error' },
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
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: `An API key; an Authorization header over ${LIMITS.header} characters is a 401.` } },
      responses: {
        BadRequest: {
          description:
            `A request the API refuses before reading or writing anything, naming the field at fault: the body (not JSON, not an object, a field over its limit), ` +
            `an unknown query parameter (named), a query value over ${LIMITS.queryValue} characters (a cursor over ${LIMITS.cursor}), a cursor that is not the one ` +
            `this API returned for this very query and caller (field "cursor"), a path id that is not valid percent-encoding (field "id"), ` +
            `or a header the route reads over ${LIMITS.header} characters (field: the header)`,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        Unavailable: {
          description: 'A service the desk depends on stayed throttled or failing through its retries; retry after Retry-After seconds (with the same Idempotency-Key)',
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: { 'application/json': { schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } } },
        },
        Error: {
          description: 'An error naming the field at fault',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      schemas: {
        Error: {
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
  };
}
