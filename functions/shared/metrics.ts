/**
 * Business metrics as CloudWatch embedded metric format (Powertools Metrics): one JSON line on
 * stdout per flush, which CloudWatch Logs turns into metrics without an API call. The names
 * (metric-names.ts) are the ones lib/monitoring/monitoring.ts alarms on and charts. Locally
 * (npm start, tests) metrics are off unless POWERTOOLS_METRICS_DISABLED=false.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Channel } from '../../core/tickets/model';
import { METRIC, METRICS_NAMESPACE } from './metric-names';

export { METRIC, METRICS_NAMESPACE };

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE });

/** Adds `value` to a metric of the invocation (published when the handler returns: withMetrics). */
export function count(name: (typeof METRIC)[keyof typeof METRIC], value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

let single: Metrics | undefined;

/**
 * A metric with its own dimension, published at once (dimensions apply to a whole flush). One
 * single-metric instance serves every call: it publishes on addMetric and then clears its
 * dimensions, and building one per call cost ~50 µs on the intake path.
 */
export function countBy(name: (typeof METRIC)[keyof typeof METRIC], dimension: { name: string; value: string }, value = 1): void {
  single ??= metrics.singleMetric();
  single.addDimension(dimension.name, dimension.value);
  single.addMetric(name, MetricUnit.Count, value);
}

export function countTicketOpened(channel: Channel): void {
  countBy(METRIC.ticketsOpened, { name: 'channel', value: channel });
}

/** Wraps a handler so what it counted is published when it returns or throws. */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } finally {
      // publishStoredMetrics warns on an empty flush; most invocations count nothing.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
