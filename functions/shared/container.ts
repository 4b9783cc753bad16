/**
 * What every handler of a Lambda container has without the policy: the logger and the
 * environment. Apart from ./runtime.ts, so a handler that needs no policy (./plain-store.ts)
 * loads none.
 */
import { Logger } from '@aws-lambda-powertools/logger';

// The stack names the service (POWERTOOLS_SERVICE_NAME: the stack's name, so two stages' logs tell apart); 'tierdesk' outside it.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'tierdesk' });

/** An environment variable the function cannot run without. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
