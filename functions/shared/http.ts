/**
 * HTTP answers and the mapping of every expected error to a 4xx that names the field, and of an
 * AWS service that stayed throttled or failing through the SDK's own retries to a 503 with
 * Retry-After: the client may retry (with its Idempotency-Key or event id, exactly once).
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { $ZodError } from 'zod/v4/core';
import { TargetError } from '../../core/sla/targets';
import { RuleError } from '../../core/tickets/rules';
import { BadCursorError, UniqueValueError, VersionConflictError } from '../store/dynamo-store';
import { retryableCause } from './retryable';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * The version an `If-Match` header asks for (quotes of an entity tag allowed), undefined without
 * one; anything but a version number is a 400 naming the header.
 */
export function ifMatchVersion(headers: Record<string, string | undefined>): number | undefined {
  const value = headers['if-match'];
  if (value === undefined) return undefined;
  const version = value.trim().replace(/^(?:W\/)?"(.*)"$/, '$1');
  if (!/^[0-9]{1,15}$/.test(version)) throw new HttpError(400, 'If-Match must be a version number (at most 15 digits)', { field: 'If-Match' });
  return Number(version);
}

/**
 * A GET's JSON 200 with its entity tag (a hash of the body: the same answer, the same tag), or a
 * 304 with no body when the client's `If-None-Match` already names it — so a console polling
 * every few seconds re-fetches nothing that did not change. `no-cache`: a browser keeps the
 * answer but asks again (with If-None-Match) each time.
 */
export function withEntityTag(result: HttpResult, ifNoneMatch: string | undefined): HttpResult {
  if (result.statusCode !== 200 || typeof result.body !== 'string' || !/\bjson\b/.test(String(result.headers?.['content-type'] ?? ''))) return result;
  // An answer that must not be kept (a presigned URL) keeps its no-store and gets no tag.
  if (/\bno-store\b/.test(String(result.headers?.['cache-control'] ?? ''))) return result;
  const tag = `"${createHash('sha256').update(result.body).digest('base64url').slice(0, 32)}"`;
  const headers: Record<string, string | number | boolean> = { ...result.headers, etag: tag, 'cache-control': 'private, no-cache' };
  // Weak comparison (RFC 9110 13.1.2): W/ is ignored; `*` matches any current answer.
  const named = (ifNoneMatch ?? '').split(',').map((candidate) => candidate.trim().replace(/^W\//, ''));
  if (named.includes(tag) || named.includes('*')) {
    const { 'content-type': _omitted, ...rest } = headers;
    return { statusCode: 304, headers: rest, body: '' };
  }
  return { ...result, headers };
}

/** Seconds a client is asked to wait after a 503 for a throttled or failing AWS service. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** The answer for an error, or undefined for a real fault (logged, then 500). */
export function errorResponse(error: unknown): HttpResult | undefined {
  if (error instanceof HttpError) return json(error.statusCode, { message: error.message, ...error.extra }, error.headers);
  // The whole zod's ZodError and zod/mini's errors are both zod's core error.
  if (error instanceof $ZodError) {
    const errors = error.issues.flatMap((issue) =>
      // An unknown field is named itself, not the object that holds it.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((name) => ({ field: [...issue.path, name.slice(0, 64)].join('.'), message: 'not a known field' }))
        : [{ field: issue.path.join('.') || '(body)', message: issue.message }],
    );
    return json(400, { message: `invalid request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, field: errors[0]?.field ?? '(body)', errors });
  }
  if (error instanceof RuleError) {
    return json(error.kind === 'unmet' ? 422 : 409, { message: error.message, field: error.field });
  }
  if (error instanceof TargetError) return json(400, { message: error.message, field: error.field });
  if (error instanceof UniqueValueError) return json(409, { message: error.message, field: error.field });
  if (error instanceof VersionConflictError) return json(409, { message: error.message, field: 'version' });
  if (error instanceof BadCursorError) return json(400, { message: error.message, field: 'cursor' });
  const retryable = retryableCause(error);
  if (retryable) {
    const message = `a service the desk depends on is unavailable: ${retryable}; retry after ${UNAVAILABLE_RETRY_AFTER_SECONDS} s`;
    return json(503, { message }, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
  }
  return undefined;
}
