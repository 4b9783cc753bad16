/**
 * Business metrics as CloudWatch embedded metric format (Powertools Metrics): one JSON line on
 * stdout per flush, which CloudWatch Logs turns into metrics without an API call. The names and
 * dimensions here are the ones lib/monitoring/monitoring.ts alarms on and charts, so both import
 * them from this one place. Locally (npm start, tests) metrics are off unless
 * POWERTOOLS_METRICS_DISABLED=false.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Channel } from '../../core/tickets/model';

/** Namespace of every tierdesk metric; the `service` dimension is the stack's name (POWERTOOLS_SERVICE_NAME). */
export const METRICS_NAMESPACE = 'tierdesk';

export const METRIC = {
  /** A ticket was opened; dimension `channel`. */
  ticketsOpened: 'TicketsOpened',
  /** An SLA objective or a management-chain step was breached. */
  slaBreaches: 'SlaBreaches',
  /** Open tickets (being worked) per tier, counted by the reconciler every 5 minutes; dimension `tier`. */
  openTickets: 'OpenTickets',
  /** A received mail was taken in (new ticket, reply or auto-reply). */
  mailReceived: 'MailReceived',
  /** A mail SES accepted (tickets' notifications and support periods' mail). */
  mailSent: 'MailSent',
  /** A send SES did not take; it is retried. */
  mailSendFailures: 'MailSendFailures',
} as const;

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE });

/** Adds `value` to a metric of the invocation (published when the handler returns: withMetrics). */
export function count(name: (typeof METRIC)[keyof typeof METRIC], value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

/** A metric with its own dimension, published at once (dimensions apply to a whole flush). */
export function countBy(name: (typeof METRIC)[keyof typeof METRIC], dimension: { name: string; value: string }, value = 1): void {
  const single = metrics.singleMetric();
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
