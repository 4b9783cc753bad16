/**
 * The reconciler (docs/sla-workflow.md): every ticket whose clock still has work — being worked,
 * or resolved and waiting to close on its own — has a running execution that is awake for its
 * latest change. Its work grows with what happens, not with the open tickets:
 *
 * - An execution that ended badly (failed, timed out, aborted) is reported by Step Functions'
 *   own status-change event (EventBridge); the ticket moves to its next run at once.
 * - A start or a wake that failed is recorded where it failed (the ticket is written owing its
 *   start until the start is made: DynamoStore.createTicket); each run reads that sparse list.
 * - A paced safety sweep reads a fixed number of open tickets a run from where the last one
 *   stopped, for what neither caught (an event is delivered best effort; a handler may die
 *   between its write and its wake): a run costs the same with 1,000 or 100,000 open tickets.
 *
 * Each ticket check starts the ticket's current run (a running execution answers as if started;
 * one whose execution ended moves to its next run: functions/shared/workflow.ts
 * ensureTicketExecution) and wakes an execution parked for an older version of the ticket. Any
 * other running execution is left alone, so running the reconciler again is harmless. Scheduled
 * in AWS; locally it re-drives every open ticket at start-up (executions live in memory) and
 * hears the local Step Functions' status changes as EventBridge would deliver them.
 */

import { viewKey } from '../../core/tickets/inbox';
import { hasWorkflowClock, type Ticket } from '../../core/tickets/model';
import { RESTARTED_EXECUTION_STATUSES } from '../shared/execution-status';
import { executionName, ticketIdOfExecution, wakeTicket } from '../shared/executions';
import { lambdaHandler } from '../shared/lambda-handler';
import { count, countBy, METRIC } from '../shared/metrics';
import { getRuntime, logger } from '../shared/runtime';
import { ensureTicketExecution } from '../shared/workflow';
import { upgradeCustomerList } from '../store/customer-list';
import { viewPartition } from '../store/dynamo-store';

const PAGE = 100;
const STATUSES_WITH_A_CLOCK = ['active', 'resolved'] as const;
/** Recorded failures handled a run (the oldest first): more wait for the next run. */
export const PENDING_PER_RUN = 500;
/** Open tickets the safety sweep checks a run: at 5-minute runs, 100,000 open tickets are all seen every ~8 hours. */
export const SWEEP_PER_RUN = 1_000;
/** An execution that ended sooner than this after its start is restarted by the next run, not at once: a failure loop costs one run per 5 minutes, not a storm. */
const RESTART_AT_ONCE_AFTER_MS = 60_000;

export interface ReconcileOutcome {
  /** Tickets checked. */
  tickets: number;
  started: number;
  failed: number;
  woken: number;
  /** Recorded starts and wakes found owed. */
  pending: number;
  /** The safety sweep reached the end of the open tickets (the next run starts over). */
  sweepDone: boolean;
}

/** Step Functions' status-change event, as EventBridge delivers it (only the fields read). */
interface ExecutionStatusChange {
  source: 'aws.states';
  'detail-type': 'Step Functions Execution Status Change';
  detail: { name: string; status: string; stateMachineArn: string; startDate?: number; stopDate?: number };
}

/** `{ redrive: 'all' }`: every open ticket now (the local runtime's start-up), not a paced stretch. */
type ReconcileEvent = ExecutionStatusChange | { redrive: 'all' } | Record<string, unknown> | undefined;

async function reconcile(event?: ReconcileEvent): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { tickets: 0, started: 0, failed: 0, woken: 0, pending: 0, sweepDone: false };
  if (isStatusChange(event)) {
    if (await restartEnded(event.detail)) outcome.started++;
    return outcome;
  }
  const rt = getRuntime();
  const { store } = rt;
  await store.upgradeIndexKeys(); // one GetItem once the table's keys are current
  await store.upgradeInboxViews(); // tickets from before the inbox enter its views; one GetItem once done
  await upgradeCustomerList(store); // customers from before GET /customers enter its list; one GetItem once done

  // What failed where it happened: starts and wakes owed.
  for (const owed of await store.pendingWorkflows(PENDING_PER_RUN)) {
    outcome.pending++;
    const ticket = await store.getTicket(owed.ticketId);
    const done = !ticket || !hasWorkflowClock(ticket) || (await check(ticket, outcome));
    // Cleared only as read: a failure recorded meanwhile stays for the next run.
    if (done) await store.clearWorkflowPending(owed.ticketId, { since: owed.since });
  }

  // The safety sweep: a paced stretch, or (at local start-up) every open ticket.
  if (event && 'redrive' in event && event.redrive === 'all') {
    for (const status of STATUSES_WITH_A_CLOCK) {
      let cursor: string | undefined;
      do {
        const page = await store.listByStatus(status, { limit: PAGE, ...(cursor ? { cursor } : {}) });
        for (const ticket of page.items) await check(ticket, outcome);
        cursor = page.cursor ?? undefined;
      } while (cursor);
    }
    outcome.sweepDone = true;
  } else {
    const stretch = await store.sweepStretch(STATUSES_WITH_A_CLOCK, SWEEP_PER_RUN);
    for (const ticket of stretch.tickets) await check(ticket, outcome);
    outcome.sweepDone = stretch.done;
  }

  count(METRIC.workflowWorkOwed, outcome.failed); // nothing when all was made: a quiet run sends no point
  // Open tickets per tier from the counters every ticket write keeps (docs/inbox.md): one read, not a count of the listing.
  const tierPartitions = rt.policy.tiers.map((tier) => ({ tier: tier.id, partition: viewPartition({ by: 'desk' }, viewKey('tier', tier.id)) }));
  const open = await store.countViews(tierPartitions.map(({ partition }) => partition));
  for (const { tier, partition } of tierPartitions) countBy(METRIC.openTickets, { name: 'tier', value: tier }, Math.max(0, open.get(partition) ?? 0)); // a tier with none is charted as 0
  return outcome;
}

/** Makes sure the ticket's current run runs and is awake for its latest change; false when that failed (recorded for the next run). */
async function check(ticket: Ticket, outcome: ReconcileOutcome): Promise<boolean> {
  outcome.tickets++;
  const started = await ensureTicketExecution(ticket);
  if (started === 'failed') {
    outcome.failed++;
    return false;
  }
  if (started === 'started') outcome.started++;
  // Parked for an older version: a change whose wake was lost (Step Functions refused it, or the
  // handler died after its write). Woken now, its mail goes and its clock is re-planned.
  const parked = await getRuntime().store.parkedVersion(ticket.id);
  if (parked !== undefined && parked < ticket.version) {
    await wakeTicket(ticket.id);
    outcome.woken++;
  }
  return true;
}

function isStatusChange(event: ReconcileEvent): event is ExecutionStatusChange {
  if (!event || typeof event !== 'object' || !('detail' in event)) return false;
  const detail = (event as { detail?: unknown }).detail;
  return (
    event.source === 'aws.states' &&
    event['detail-type'] === 'Step Functions Execution Status Change' &&
    typeof detail === 'object' &&
    detail !== null &&
    typeof (detail as { name?: unknown }).name === 'string' &&
    typeof (detail as { status?: unknown }).status === 'string'
  );
}

/**
 * An execution of the ticket machine ended. When it failed, timed out or was aborted, and it was
 * the ticket's current run of a ticket with a clock, the ticket moves to its next run — at once,
 * unless it ended within a minute of its start (then the next run of the reconciler does it).
 */
async function restartEnded(detail: ExecutionStatusChange['detail']): Promise<boolean> {
  if (!RESTARTED_EXECUTION_STATUSES.includes(detail.status) || detail.stateMachineArn !== process.env.TIERDESK_TICKET_STATE_MACHINE_ARN) return false;
  const ticketId = ticketIdOfExecution(detail.name);
  if (!ticketId) {
    logger.warn("an execution that is not a ticket's ended; left alone", { execution: detail.name.slice(0, 80), status: detail.status });
    return false;
  }
  const { store } = getRuntime();
  const ticket = await store.getTicket(ticketId);
  if (!ticket || !hasWorkflowClock(ticket) || executionName(ticket) !== detail.name) return false;
  const lived = typeof detail.startDate === 'number' && typeof detail.stopDate === 'number' ? detail.stopDate - detail.startDate : 0;
  if (lived < RESTART_AT_ONCE_AFTER_MS) {
    logger.warn("the ticket workflow ended soon after it started; the reconciler's next run restarts it", { ticketId, status: detail.status });
    await store.markWorkflowPending(ticketId, 'start');
    return false;
  }
  logger.info('the ticket workflow ended; starting its next run', { ticketId, status: detail.status });
  return (await ensureTicketExecution(ticket)) === 'started';
}

export const handler = lambdaHandler(reconcile);
