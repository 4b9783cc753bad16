/**
 * What every handler without an HTTP front needs: metrics flushed when it returns (withMetrics)
 * and log lines carrying the invocation (function, request id, cold start: Powertools'
 * injectLambdaContext). A direct call without a Lambda context (a test, the local runtime's
 * start-up) runs the function as is.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './container';
import { withMetrics } from './metrics';

export function lambdaHandler<E, R>(run: (event: E) => Promise<R>): (event?: E, context?: Context) => Promise<R> {
  const withContext = middy<E, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(run);
  return withMetrics<[event?: E, context?: Context], R>((event, context) => (context ? withContext(event as E, context) : run(event as E)));
}
