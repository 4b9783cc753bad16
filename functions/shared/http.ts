/** HTTP answers and the mapping of every expected error to a 4xx that names the field. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import { RuleError } from '../../core/tickets/rules';
import { TargetError } from '../../core/sla/targets';
import { BadCursorError, UniqueValueError, VersionConflictError } from '../store/dynamo-store';

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

/** The answer for an error, or undefined for a real fault (logged, then 500). */
export function errorResponse(error: unknown): HttpResult | undefined {
  if (error instanceof HttpError) return json(error.statusCode, { message: error.message, ...error.extra }, error.headers);
  if (error instanceof ZodError) {
    const errors = error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
    return json(400, { message: `invalid request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors });
  }
  if (error instanceof RuleError) {
    return json(error.kind === 'unmet' ? 422 : 409, { message: error.message, field: error.field });
  }
  if (error instanceof TargetError) return json(400, { message: error.message, field: error.field });
  if (error instanceof UniqueValueError) return json(409, { message: error.message, field: error.field });
  if (error instanceof VersionConflictError) return json(409, { message: error.message, field: 'version' });
  if (error instanceof BadCursorError) return json(400, { message: error.message, field: 'cursor' });
  return undefined;
}
