/**
 * Moving a ticket's workflow to its next run (a save of the ticket, so it needs the policy:
 * ./runtime.ts); starting and waking an execution are in ./executions.ts, which needs none.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { executionName, owe, sfn, startExecution, startTicketExecution, stateMachineArn, type WorkflowRef } from './executions';
import { getRuntime, logger } from './runtime';
import { updateTicketWithRetry } from './ticket-updates';

/**
 * Makes sure the ticket's current execution runs: starts it, or, when that name belongs to an
 * execution that has ended (failed, aborted, or succeeded because the ticket was closed before
 * it was reopened), moves the ticket to its next run and starts that. For the reconciler, and
 * for a change that brings a closed ticket back.
 */
export async function ensureTicketExecution(ticket: WorkflowRef): Promise<'started' | 'running' | 'failed'> {
  const machine = stateMachineArn(ticket.id);
  if (!machine) return 'failed';
  try {
    await startExecution(machine, ticket);
    return 'started';
  } catch (error) {
    try {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${executionName(ticket)}`;
      const { status } = await sfn().send(new DescribeExecutionCommand({ executionArn }));
      if (status === 'RUNNING') return 'running';
      logger.info('the ticket workflow had ended; starting its next run', { ticketId: ticket.id, executionArn, status });
      return (await replaceTicketExecution(ticket)) ? 'started' : 'failed';
    } catch (failure) {
      logger.error('could not start the ticket workflow; the reconciler will', { ticketId: ticket.id, error: failure as Error });
      await owe(ticket.id, 'start');
      return 'failed';
    }
  }
}

/**
 * Moves the ticket to its next run (only from the run given: a second caller, or a retry after
 * the move, starts the run already recorded) and starts that run's execution.
 */
export async function replaceTicketExecution(ticket: WorkflowRef): Promise<boolean> {
  const rt = getRuntime();
  const fromRun = ticket.workflowRun ?? 1;
  const { change } = await updateTicketWithRetry(
    rt,
    (current) => ((current.workflowRun ?? 1) === fromRun ? { ticket: { ...current, workflowRun: fromRun + 1 }, events: [] } : { ticket: current, events: [] }),
    {
      skipUnchanged: true,
      read: async () => (await rt.store.getTicket(ticket.id)) ?? Promise.reject(new Error(`ticket ${ticket.id} does not exist`)),
    },
  );
  return startTicketExecution(change.ticket);
}
