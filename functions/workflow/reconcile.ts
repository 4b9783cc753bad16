/**
 * The reconciler (docs/sla-workflow.md): every ticket still being worked gets its execution.
 * A start for a ticket whose execution runs is refused by name (ExecutionAlreadyExists), so
 * running it again is harmless. Scheduled in AWS; run at start-up locally, where executions
 * live in memory and a restart re-drives every open ticket this way.
 *
 * Not yet here (issue [7]): restarting a ticket whose execution ended abnormally under the
 * same name, and replacing executions near Step Functions' limits.
 */
import { getRuntime } from '../shared/runtime';
import { startTicketExecution } from '../shared/workflow';

const PAGE = 100;

export async function handler(): Promise<{ tickets: number; started: number }> {
  const { store } = getRuntime();
  let tickets = 0;
  let started = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listByStatus('active', { limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const ticket of page.items) {
      tickets++;
      if (await startTicketExecution(ticket.id)) started++;
    }
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return { tickets, started };
}
