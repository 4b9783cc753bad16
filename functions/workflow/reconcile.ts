/**
 * The reconciler (docs/sla-workflow.md): every ticket whose clock still has work — being worked,
 * or resolved and waiting to close on its own — gets a running execution. It starts the ticket's
 * current run; when that run's execution has ended (failed, aborted) it moves the ticket to its
 * next run (functions/shared/workflow.ts ensureTicketExecution). A running one is left alone, so
 * running the reconciler again is harmless. Scheduled in AWS; run at start-up locally, where
 * executions live in memory and a restart re-drives every open ticket this way.
 */
import { getRuntime } from '../shared/runtime';
import { ensureTicketExecution } from '../shared/workflow';

const PAGE = 100;
const STATUSES_WITH_A_CLOCK = ['active', 'resolved'] as const;

export async function handler(): Promise<{ tickets: number; started: number; failed: number }> {
  const { store } = getRuntime();
  const counts = { tickets: 0, started: 0, failed: 0 };
  for (const status of STATUSES_WITH_A_CLOCK) {
    let cursor: string | undefined;
    do {
      const page = await store.listByStatus(status, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const ticket of page.items) {
        counts.tickets++;
        const outcome = await ensureTicketExecution(ticket);
        if (outcome !== 'running') counts[outcome]++;
      }
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
  return counts;
}
