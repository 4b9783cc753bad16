/**
 * The reconciler (docs/sla-workflow.md): every ticket whose clock still has work — being worked,
 * or resolved and waiting to close on its own — gets a running execution. It starts the ticket's
 * current run; when that run's execution has ended (failed, aborted) it moves the ticket to its
 * next run (functions/shared/workflow.ts ensureTicketExecution). A running one parked for an
 * older version of the ticket missed a wake and is woken; any other is left alone, so running the
 * reconciler again is harmless. Scheduled in AWS; run at start-up locally, where
 * executions live in memory and a restart re-drives every open ticket this way.
 */
import { countBy, METRIC, withMetrics } from '../shared/metrics';
import { getRuntime } from '../shared/runtime';
import { ensureTicketExecution, wakeTicket } from '../shared/workflow';
import { upgradeCustomerList } from '../store/customer-list';
import { viewPartition } from '../store/dynamo-store';
import { viewKey } from '../../core/tickets/inbox';

const PAGE = 100;
const STATUSES_WITH_A_CLOCK = ['active', 'resolved'] as const;

async function reconcile(): Promise<{ tickets: number; started: number; failed: number; woken: number }> {
  const rt = getRuntime();
  const { store } = rt;
  const counts = { tickets: 0, started: 0, failed: 0, woken: 0 };
  await store.upgradeIndexKeys(); // one GetItem once the table's keys are current
  await store.upgradeInboxViews(); // tickets from before the inbox enter its views; one GetItem once done
  await upgradeCustomerList(store); // customers from before GET /customers enter its list; one GetItem once done
  for (const status of STATUSES_WITH_A_CLOCK) {
    let cursor: string | undefined;
    do {
      const page = await store.listByStatus(status, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const ticket of page.items) {
        counts.tickets++;
        const outcome = await ensureTicketExecution(ticket);
        if (outcome !== 'running') counts[outcome]++;
        // Parked for an older version: a change whose wake was lost (Step Functions refused it, or
        // the handler died after its write). Woken now, its mail goes and its clock is re-planned.
        // (StartExecution answers a running execution with the same name and input as if it had
        // started it, so 'started' may be a running one too.)
        const parked = outcome !== 'failed' ? await store.parkedVersion(ticket.id) : undefined;
        if (parked !== undefined && parked < ticket.version) {
          await wakeTicket(ticket.id);
          counts.woken++;
        }
      }
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
  // Open tickets per tier from the counters every ticket write keeps (docs/inbox.md): one read, not a count of the listing.
  const tierPartitions = rt.policy.tiers.map((tier) => ({ tier: tier.id, partition: viewPartition({ by: 'desk' }, viewKey('tier', tier.id)) }));
  const open = await store.countViews(tierPartitions.map(({ partition }) => partition));
  for (const { tier, partition } of tierPartitions) countBy(METRIC.openTickets, { name: 'tier', value: tier }, Math.max(0, open.get(partition) ?? 0)); // a tier with none is charted as 0
  return counts;
}

export const handler = withMetrics(reconcile);
