/**
 * End-to-end tests run against the same runtime as `npm start`: real gateway, real handlers,
 * AWS's DynamoDB Local. Start one per test file in beforeAll and stop() it in afterAll.
 */
import { type Runtime, type RuntimeOptions, startRuntime } from '../../local/runtime';

export type { Runtime } from '../../local/runtime';

/** Fixed, so a failing test's requests can be replayed by hand. */
export const TEST_ADMIN_KEY = 'td_admin_test-key-not-secret';

/** In memory, on a free port, with quiet logs: test files can run side by side. A test's emulator lives briefly, so its JVM starts quick rather than runs fast. */
export function startTestRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  return startRuntime({ inMemory: true, port: 0, quiet: true, adminKey: TEST_ADMIN_KEY, dynamodbCompilation: 'quick-start', ...options });
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (with a JSON content type), for malformed bodies. */
  rawBody?: string;
  /** API key; default the runtime's admin key, '' for none. */
  key?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed when the answer is JSON, else the text. `any` so tests can reach into it. */
  body: any;
}

/** `request(method, path, options)` against the runtime's gateway. */
export function api(runtime: Runtime) {
  return async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const key = options.key ?? runtime.adminKey;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(new URL(path, runtime.url), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...options.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const isJson = /\bjson\b/.test(response.headers.get('content-type') ?? '') && text !== '';
    return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
  };
}
