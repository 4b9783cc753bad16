/**
 * Which AWS failures are worth trying again later. Its own module (no zod, no HTTP) so the mail
 * intake, which decides redelivery by it, does not load the API's request validation.
 */

// What the SDK's standard retry strategy itself treats as throttling or transient
// (@smithy/core's service-error-classification): when one of these escapes `send`, the SDK has
// already retried it, and the request may succeed a moment later.
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'TransactionInProgressException',
]);
const TRANSIENT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Why an AWS call failed in a way worth retrying later (throttled, a 5xx, unreachable), or undefined. */
export function retryableCause(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { $metadata, $fault, code, CancellationReasons } = error as Error & {
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
    code?: string;
    CancellationReasons?: { Code?: string }[];
  };
  const status = $metadata?.httpStatusCode;
  if (THROTTLING_ERRORS.has(error.name) || status === 429) return `${error.name} (throttled)`;
  if ($fault === 'server' || (status !== undefined && status >= 500)) return `${error.name} (a server error)`;
  if (TRANSIENT_ERRORS.has(error.name)) return `${error.name} (timed out)`;
  if (code && NETWORK_ERROR_CODES.has(code)) return `${code} (unreachable)`;
  // A transaction DynamoDB cancelled for throttling or a concurrent transaction: the SDK does not retry these.
  const reason = CancellationReasons?.find((candidate) => candidate.Code === 'ThrottlingError' || candidate.Code === 'TransactionConflict');
  if (error.name === 'TransactionCanceledException' && reason) return `${error.name} (${reason.Code})`;
  return undefined;
}
