/**
 * The ticket workflow port: starts a ticket's Step Functions execution and wakes it when the
 * ticket changes (statemachines/ticket-lifecycle.asl.json, docs/sla-workflow.md).
 *
 * Neither call may fail the request that made the change: the change is already written, and
 * a missed start or wake only delays the clock — a parked execution still wakes at its old
 * deadline and re-plans, and the reconciler starts any open ticket's missing execution. So
 * both log and return instead of throwing.
 */
import {
  SFNClient,
  StartExecutionCommand,
  SendTaskSuccessCommand,
  ExecutionAlreadyExists,
  TaskDoesNotExist,
  TaskTimedOut,
  InvalidToken,
} from '@aws-sdk/client-sfn';
import { getRuntime, logger } from './runtime';

let client: SFNClient | undefined;
let warnedUnconfigured = false;

/** Created on first use, like every client of a Lambda container (endpoint and region from the environment). */
function sfn(): SFNClient {
  return (client ??= new SFNClient({}));
}

/** Starts the ticket's execution; true if one runs now (just started, or already running). */
export async function startTicketExecution(ticketId: string): Promise<boolean> {
  const stateMachineArn = process.env.TIERDESK_TICKET_STATE_MACHINE_ARN;
  if (!stateMachineArn) {
    // A deployment without the workflow: say so once per container, not on every ticket.
    if (!warnedUnconfigured) logger.warn('TIERDESK_TICKET_STATE_MACHINE_ARN is not set: tickets get no SLA workflow', { ticketId });
    warnedUnconfigured = true;
    return false;
  }
  try {
    // Named after the ticket, so a second start (a retried intake, the reconciler) is refused, not doubled.
    await sfn().send(new StartExecutionCommand({ stateMachineArn, name: ticketId, input: JSON.stringify({ ticketId }) }));
    return true;
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return true;
    logger.error('could not start the ticket workflow; the reconciler will', { ticketId, error: error as Error });
    return false;
  }
}

/** Wakes the ticket's parked execution so it re-plans now; nothing parked is fine (it is busy, or it will re-read the ticket). */
export async function wakeTicket(ticketId: string): Promise<void> {
  try {
    const token = await getRuntime().store.takeToken(ticketId);
    if (!token) return;
    await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
  } catch (error) {
    // The wait already ended (timed out, or woken by another change): that run re-reads the ticket anyway.
    if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken) return;
    logger.error('could not wake the ticket workflow; it re-plans at its deadline', { ticketId, error: error as Error });
  }
}
