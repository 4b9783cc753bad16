/**
 * A ticket's Step Functions execution, started and woken (statemachines/ticket-lifecycle.asl.json,
 * docs/sla-workflow.md); moving a ticket to its next run, which saves the ticket, is in
 * ./workflow.ts. Apart from it, this needs no policy (./plain-store.ts): the starter and park
 * load neither the policy's schema nor the calendars.
 *
 * Starting and waking may not fail the request that made the change: the change is already
 * written, and a missed start or wake only delays the clock — a parked execution still wakes at
 * its old deadline and steps. So they log, record the ticket as owed a start or a wake (the
 * reconciler's next run makes it: functions/workflow/reconcile.ts), and return instead of throwing.
 *
 * Executions are named after the ticket and its run (`CASE-000123`, then `CASE-000123-run2`…):
 * Step Functions keeps a name taken for 90 days after its execution ended, so a ticket whose
 * execution ended (replaced near the limits, failed, or closed and then reopened) moves to its
 * next run, recorded on the ticket (Ticket.workflowRun), and older runs end themselves.
 */
import { ExecutionAlreadyExists, InvalidToken, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { CASE_NUMBER_PATTERN } from '../../core/tickets/case-number';
import type { Ticket } from '../../core/tickets/model';
import type { ParkedToken, WorkflowPendingReason } from '../store/dynamo-store';
import { logger } from './container';
import { getPlainStore } from './plain-store';

/** Step Functions' longest execution name. */
const MAX_EXECUTION_NAME = 80;

let client: SFNClient | undefined;
let warnedUnconfigured = false;

/** Created on first use, like every client of a Lambda container (endpoint and region from the environment). */
export function sfn(): SFNClient {
  return (client ??= new SFNClient({}));
}

export type WorkflowRef = Pick<Ticket, 'id' | 'workflowRun'>;

/** The name of the ticket's current execution. */
export function executionName(ticket: WorkflowRef): string {
  const run = ticket.workflowRun ?? 1;
  return run === 1 ? ticket.id : `${ticket.id}-run${run}`;
}

/** The ticket an execution name belongs to (executionName's inverse), or undefined for a name no ticket's run has. */
export function ticketIdOfExecution(name: string): string | undefined {
  if (name.length > MAX_EXECUTION_NAME) return undefined;
  const ticketId = name.replace(/-run[0-9]{1,9}$/, '');
  return CASE_NUMBER_PATTERN.test(ticketId) ? ticketId : undefined;
}

/** What an execution starts with: the state machine counts its steps from `cycle`, and mail failures in a row from `mailFailures`. */
export function executionInput(ticketId: string): string {
  return JSON.stringify({ ticketId, cycle: 0, mailFailures: 0 });
}

export function stateMachineArn(ticketId: string): string | undefined {
  const arn = process.env.TIERDESK_TICKET_STATE_MACHINE_ARN;
  // A deployment without the workflow: say so once per container, not on every ticket.
  if (!arn && !warnedUnconfigured) logger.warn('TIERDESK_TICKET_STATE_MACHINE_ARN is not set: tickets get no SLA workflow', { ticketId });
  if (!arn) warnedUnconfigured = true;
  return arn;
}

/** Starts the ticket's current execution; true if one runs now (just started, or already running). */
export async function startTicketExecution(ticket: WorkflowRef): Promise<boolean> {
  const machine = stateMachineArn(ticket.id);
  if (!machine) return false;
  try {
    await startExecution(machine, ticket);
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) {
      logger.error('could not start the ticket workflow; the reconciler will', { ticketId: ticket.id, error: error as Error });
      await owe(ticket.id, 'start');
      return false;
    }
  }
  // A new ticket was written owing its start (DynamoStore.createTicket): it is made.
  await getPlainStore()
    .clearWorkflowPending(ticket.id, { reason: 'start' })
    .catch((error: unknown) => logger.warn('could not clear the start owed; the reconciler will find the execution running', { ticketId: ticket.id, error: error as Error }));
  return true;
}

/** Records work the reconciler owes the ticket; if even that fails, the safety sweep still finds it (docs/sla-workflow.md). */
export async function owe(ticketId: string, reason: WorkflowPendingReason): Promise<void> {
  await getPlainStore()
    .markWorkflowPending(ticketId, reason)
    .catch((error: unknown) => logger.error('could not record the workflow work owed; the safety sweep will find it', { ticketId, reason, error: error as Error }));
}

export async function startExecution(stateMachineArn: string, ticket: WorkflowRef): Promise<void> {
  await sfn().send(new StartExecutionCommand({ stateMachineArn, name: executionName(ticket), input: executionInput(ticket.id) }));
}

/** Wakes the ticket's parked execution so it steps now; nothing parked is fine (it is busy, or it will re-read the ticket). */
export async function wakeTicket(ticketId: string): Promise<void> {
  const store = getPlainStore();
  let parked: ParkedToken | undefined;
  try {
    parked = await store.takeToken(ticketId);
    if (!parked) return;
    await sfn().send(new SendTaskSuccessCommand({ taskToken: parked.token, output: '{}' }));
  } catch (error) {
    // The wait already ended (timed out, or woken by another change): that run re-reads the ticket anyway.
    if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken) return;
    // Put back, the token lets the reconciler send this wake (its version is older than the ticket's).
    if (parked) await store.restoreToken(ticketId, parked).catch(() => undefined);
    logger.error('could not wake the ticket workflow; the reconciler will, or it steps at its deadline', { ticketId, error: error as Error });
    await owe(ticketId, 'wake');
  }
}
