/**
 * GET /openapi.json: built from the route table (routes.ts), the zod schemas that validate
 * requests (schemas.ts and beside the handlers) and those of the answers (responses.ts), so it
 * cannot drift from the code. The console's typed client is generated from it (`npm run
 * api:types`); test/openapi.test.ts lints it with Redocly and holds real answers to it.
 */
import * as z from 'zod/mini';
import { LIMITS } from '../../core/limits';
import { RESPONSES, type ResponseName } from './responses';
import { ROUTES, type Route } from './routes';

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
  'If-None-Match': {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'The ETag of the answer the client holds: when the answer is still the same, a 304 with no body (poll without re-fetching).',
    schema: { type: 'string', maxLength: LIMITS.header },
  },
} as const;

/** A GET answered 200 with JSON carries an entity tag and answers If-None-Match naming it with a 304 (functions/shared/http.ts withEntityTag). */
const conditional = (route: Pick<Route, 'method' | 'success'>) => route.method === 'GET' && route.success === 200;

/** Statuses every API route may answer besides its own (the authenticated caller may be a signed-in person the directory does not know: 403). */
const EVERY_ROUTE = [400, 401, 403, 429, 503] as const;

/** Each error status: its shared response in components.responses. */
const ERROR_RESPONSES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  422: 'Unprocessable',
  429: 'TooManyRequests',
  503: 'Unavailable',
};

const TAGS = [
  { name: 'tickets', description: 'Cases: intake, reading, the timeline, messages and every agent action' },
  { name: 'policy', description: 'What the support policy promises' },
  { name: 'customers', description: 'Customers: plan, add-ons, contacts, account team' },
  { name: 'engineers', description: 'Engineers bookable for dedicated support periods' },
  { name: 'support-orders', description: 'Dedicated support periods: orders, acceptance, changes' },
  { name: 'staff', description: 'The staff directory: people, teams, partner organisations' },
  { name: 'api-keys', description: 'API keys (admin)' },
  {
    name: 'webhooks',
    description: "Inbound deliveries from portals, form tools, phone systems and chat tools (docs/webhooks.md); each authenticated by its integration's signature, not by an API key",
  },
  { name: 'service', description: 'Liveness and this document' },
] as const;

function tagOf(path: string): string {
  const first = path.split('/')[1] ?? '';
  return (
    ({ tickets: 'tickets', policy: 'policy', customers: 'customers', agents: 'engineers', 'support-orders': 'support-orders', staff: 'staff', 'api-keys': 'api-keys' } as Record<string, string>)[
      first
    ] ?? 'service'
  );
}

const schemaRef = (name: ResponseName) => ({ $ref: `#/components/schemas/${name}` });
const jsonOf = (name: ResponseName) => ({ 'application/json': { schema: schemaRef(name) } });

/** A JSON Schema from zod, without the keywords that only make sense at a document's root. */
function jsonSchema(schema: z.core.$ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/**
 * The answers' schemas, named. Core schemas normalise some values on the way in (an email
 * lower-cased, a list de-duplicated): the value keeps its type, so the answer is documented by
 * the schema before the transform (zod alone would say nothing about it).
 */
export function responseSchemas(): Record<ResponseName, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(RESPONSES)) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ zodSchema, jsonSchema: target }) => {
      const def = (zodSchema as unknown as { _zod: { def: { type: string; in?: z.core.$ZodType; out?: { _zod: { def: { type: string } } } } } })._zod.def;
      if (def.type !== 'pipe' || def.out?._zod.def.type !== 'transform' || !def.in) return;
      for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
      Object.assign(target, jsonSchema(def.in, 'output'));
    },
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [name, rest];
    }),
  ) as Record<ResponseName, Record<string, unknown>>;
}

/** Every status a route answers, in order. */
export function statusesOf(route: Pick<Route, 'method' | 'success' | 'answers'>): number[] {
  return [...new Set([route.success, ...(route.answers ?? []), ...(conditional(route as Route) ? [304] : []), ...EVERY_ROUTE])].sort((a, b) => a - b);
}

function operation(route: Route): Record<string, unknown> {
  const query = route.query ? (z.toJSONSchema(route.query, { io: 'input' }) as { properties?: Record<string, unknown> }) : undefined;
  const responses: Record<string, unknown> = {};
  for (const status of statusesOf(route)) {
    if (status === route.success) {
      const { content: _content, ...described } = route.successResponse ?? {};
      const etag = conditional(route) ? { headers: { ETag: { description: "The answer's entity tag: send it as If-None-Match", schema: { type: 'string' } } } } : {};
      responses[status] = { description: 'success', ...etag, ...described, content: jsonOf(route.response) };
    } else if (status === 304) {
      responses[status] = {
        description: 'Not modified: the answer is still the one If-None-Match names (no body)',
        headers: { ETag: { description: 'The same entity tag', schema: { type: 'string' } } },
      };
    } else if (status === 200) {
      // A route whose success is a redirect that also answers its body as a 200 (the attachment link, asked for JSON).
      responses[status] = { description: "The success's body without the redirect (Accept: application/json)", content: jsonOf(route.response) };
    } else if (status === 201) {
      responses[status] = { description: `Created (an id that named nothing yet); ${route.success} when it replaced one`, content: jsonOf(route.response) };
    } else {
      responses[status] = { $ref: `#/components/responses/${ERROR_RESPONSES[status]}` };
    }
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [tagOf(route.path)],
    security: [{ apiKey: [] }, { signIn: [] }],
    parameters: [
      ...(route.id
        ? [{ name: 'id', in: 'path', required: true, description: `An id of another shape is ${route.method === 'PUT' && route.id.rule ? 'a 400' : 'a 404'}.`, schema: route.id.schema }]
        : []),
      ...(route.params ?? []).map((param) => ({ name: param.name, in: 'path', required: true, description: param.description, schema: param.schema })),
      ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
      ...(route.headers ?? []).map((header) => HEADERS[header]),
      ...(conditional(route) ? [HEADERS['If-None-Match']] : []),
    ],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses,
  };
}

/** The webhook routes (functions/webhooks/, docs/webhooks.md): public, each authenticated by its integration's own secret. */
function webhookPaths(): Record<string, unknown> {
  const integration = {
    name: 'id',
    in: 'path',
    required: true,
    description: "The integration's id in the policy (`integrations:`); an unknown one is a 404.",
    schema: { type: 'string', maxLength: LIMITS.pathSegment },
  };
  const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, { $ref: `#/components/responses/${ERROR_RESPONSES[status]}` }]));
  const refused = errors(400, 401, 404, 409, 413, 422, 429, 503);
  return {
    '/webhooks/{id}': {
      post: {
        operationId: 'receiveWebhook',
        summary: 'A delivery from a portal or form tool (generic integration: its mapping reads the body) or a chat transcript (chat integration)',
        description: 'Applied once per delivery identity (docs/webhooks.md); a replay gets the first answer.',
        tags: ['webhooks'],
        security: [{ tierdeskSignature: [] }, { standardWebhooks: [] }, { zendeskSignature: [] }],
        parameters: [integration],
        requestBody: {
          required: true,
          description: "A JSON object, read by the integration's mapping (generic) or as a transcript (chat); at most the integration's maxBodyBytes (default 256 KB).",
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        responses: {
          200: { description: 'Joined an open ticket (a later message of the same case or conversation), or a replay', content: jsonOf('WebhookReceipt') },
          201: { description: 'Opened a ticket', content: jsonOf('WebhookReceipt') },
          ...refused,
        },
      },
    },
    '/webhooks/twilio/{id}': {
      post: {
        operationId: 'receiveTwilioCallback',
        summary: 'A Twilio Voice callback: incoming call, call status, recording, transcription',
        description: "The first ring opens a phone ticket (or joins the caller's open one); each later step joins the call's ticket.",
        tags: ['webhooks'],
        security: [{ twilioSignature: [] }],
        parameters: [
          integration,
          {
            name: 'bodySHA256',
            in: 'query',
            required: false,
            description: "Twilio's hash of a JSON body (then the body is JSON)",
            schema: { type: 'string', maxLength: 64, pattern: '^[0-9a-f]{64}$' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                additionalProperties: { type: 'string', maxLength: LIMITS.messageBody },
                description: "Twilio's parameters (CallSid, From, To, CallStatus, RecordingUrl, TranscriptionText…), as Twilio signs them",
              },
            },
          },
        },
        responses: {
          200: {
            description: "TwiML: an empty Response (the vendor's call flow goes on), or a Dial to the engineer of the caller's running dedicated support period",
            content: { 'text/xml': { schema: { type: 'string' } } },
          },
          ...refused,
        },
      },
    },
    '/webhooks/cti/{id}/{token}': {
      post: {
        operationId: 'receiveCtiEvent',
        summary: "A call event from a PBX speaking Zammad's generic CTI API: newCall, answer, hangup (JSON or form)",
        description: "Authenticated by the token in the path (one of the integration's secrets), as Zammad does: no header scheme applies.",
        tags: ['webhooks'],
        security: [],
        parameters: [integration, { name: 'token', in: 'path', required: true, description: "The integration's secret; another is a 401.", schema: { type: 'string', maxLength: LIMITS.pathSegment } }],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object', description: "Zammad's CTI event: event, from, to, direction, callId, user, cause, answeringNumber" } },
            'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string', maxLength: LIMITS.messageBody } } },
          },
        },
        responses: { 200: { description: 'Taken (or a blocked caller rejected)', content: jsonOf('CtiAnswer') }, ...refused },
      },
    },
  };
}

/** Shared error answers: each one the JSON error `{message, field}`. */
function errorResponses(): Record<string, unknown> {
  const error = (description: string, extra: Record<string, unknown> = {}) => ({ description, ...extra, content: jsonOf('Error') });
  const retryAfter = { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } };
  return {
    BadRequest: error(
      `A request the API refuses before reading or writing anything, naming the field at fault: the body (not JSON, not an object, a field over its limit), ` +
        `an unknown query parameter (named), a query value over ${LIMITS.queryValue} characters (a cursor over ${LIMITS.cursor}), a cursor that is not the one ` +
        `this API returned for this very query and caller (field "cursor"), a path id that is not valid percent-encoding (field "id"), ` +
        `or a header the route reads over ${LIMITS.header} characters (field: the header)`,
    ),
    Unauthorized: error(`No API key or sign-in token, an unknown, revoked or expired one, or an Authorization header over ${LIMITS.header} characters (WWW-Authenticate says which)`, {
      headers: { 'WWW-Authenticate': { description: 'Bearer, with the error', schema: { type: 'string' } } },
    }),
    Forbidden: error('The caller may not do this (docs/authorization.md), or is a signed-in person the staff directory does not know'),
    NotFound: error('No such item, or one the caller may not see (the same answer, so ids cannot be probed)'),
    Conflict: error("The item's state forbids it, If-Match named another version (the answer carries the current one), or the same request is still being served (Retry-After)"),
    PayloadTooLarge: error("The body is over the integration's maxBodyBytes"),
    Unprocessable: error("A requirement is missing (a tier's entry requirements, an unknown case reason or severity), or an Idempotency-Key was reused with another body"),
    TooManyRequests: error("The request rate was exceeded (API Gateway throttling, or a webhook integration's ratePerMinute); retry later", retryAfter),
    Unavailable: error('A service the desk depends on stayed throttled or failing through its retries; retry after Retry-After seconds (with the same Idempotency-Key)', retryAfter),
  };
}

export interface OpenApiOptions {
  /** The API's base URL; default "/", the origin the document is served from. */
  serverUrl?: string;
}

export function openApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tierdesk API',
      version: '1',
      description: "The support desk's HTTP API: tickets with their SLA clocks, customers, dedicated support periods, the staff directory, API keys, and the inbound webhooks.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.serverUrl ?? '/', description: 'Where this document is served' }],
    tags: TAGS,
    paths: {
      '/health': { get: { operationId: 'getHealth', summary: 'Liveness', tags: ['service'], security: [], responses: { 200: { description: 'ok', content: jsonOf('Health') } } } },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          tags: ['service'],
          security: [],
          responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      ...paths,
      ...webhookPaths(),
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: `An API key (\`td_<role>_…\`, docs/api-keys.md); an Authorization header over ${LIMITS.header} characters is a 401.` },
        signIn: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A signed-in person's OpenID Connect ID token (not the access token) from the desk's issuer: Cognito in AWS, the local provider under `npm start` " +
            '(docs/sign-in.md; discovery at `<issuer>/.well-known/openid-configuration`). Its groups and claims say who the caller is.',
        },
        tierdeskSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Tierdesk-Signature',
          description: '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (the default scheme; docs/webhooks.md)',
        },
        standardWebhooks: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description:
            'Standard Webhooks (integration `signature: standard`): `v1,<base64 HMAC-SHA256>` over `<webhook-id>.<webhook-timestamp>.<raw body>`, with the webhook-id and webhook-timestamp headers',
        },
        zendeskSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Zendesk-Webhook-Signature',
          description: "Zendesk's (integration `signature: zendesk`): base64 HMAC-SHA256 over timestamp + body, the timestamp in X-Zendesk-Webhook-Signature-Timestamp",
        },
        twilioSignature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature', description: "Twilio's request signature with the account's auth token" },
      },
      responses: errorResponses(),
      schemas: responseSchemas(),
    },
  };
}
