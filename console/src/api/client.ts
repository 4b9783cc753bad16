/**
 * The console's only way to the API: openapi-fetch over the types generated from GET /openapi.json
 * (`npm run api:types` writes ./schema.d.ts), with the signed-in person's ID token as the bearer.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema';

export type Api = ReturnType<typeof createClient<paths>>;

export function createApi(baseUrl: string, token: () => string | undefined): Api {
  const api = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, '') });
  api.use({
    onRequest({ request }) {
      const bearer = token();
      if (bearer) request.headers.set('authorization', `Bearer ${bearer}`);
      return request;
    },
  });
  return api;
}

/** The API's error body (`{message, field}`), with the status it came with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request field the API names (a form shows the message next to it). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The body of a successful answer, or an ApiError. The generated types do not describe every
 * answer's body yet, so the caller names the shape it reads (./types.ts).
 */
export async function expectOk<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw toApiError(response.status, error);
}

export function toApiError(status: number, body: unknown): ApiError {
  const shaped = (body ?? {}) as { message?: unknown; field?: unknown };
  const message = typeof shaped.message === 'string' ? shaped.message : `the API answered ${status}`;
  return new ApiError(status, message, typeof shaped.field === 'string' ? shaped.field : undefined);
}
