/**
 * Park (WaitForChangeOrDeadline): keeps the execution's task token with the ticket, so the
 * next change to the ticket can wake the execution (functions/shared/executions.ts wakeTicket);
 * the wait's timeout is the instant Step planned for.
 *
 * A change written between Step's read and this park found no token to send: the version Step
 * saw says so, and the execution is woken at once rather than at the old deadline.
 *
 * Park also ends the execution when Step answered end or replaced, by failing its own task with
 * Tierdesk.Ended or Tierdesk.HandedOver, which the wait state catches: a Choice state between
 * Step and the wait would be one more billed state transition on every wake-up of every ticket.
 */
import { SendTaskFailureCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { sfn, wakeTicket } from '../shared/executions';
import { lambdaHandler } from '../shared/lambda-handler';
import { getPlainStore } from '../shared/plain-store';

const ParkEvent = z.object({
  ticketId: z.string().check(z.minLength(1)),
  token: z.string().check(z.minLength(1)),
  version: z.number().check(z.int()),
  action: z.enum(['wait', 'end', 'replaced']),
});

/** The errors the wait state catches to end the execution (statemachines/ticket-lifecycle.asl.json). */
export const ENDINGS = { end: 'Tierdesk.Ended', replaced: 'Tierdesk.HandedOver' } as const;

async function park(event: unknown): Promise<void> {
  const { ticketId, token, version, action } = ParkEvent.parse(event);
  if (action !== 'wait') {
    await sfn().send(new SendTaskFailureCommand({ taskToken: token, error: ENDINGS[action], cause: `Step answered ${action} for ${ticketId}` }));
    return;
  }
  const store = getPlainStore();
  await store.parkToken(ticketId, token, version);
  const ticket = await store.getTicket(ticketId);
  if (!ticket || ticket.version !== version) await wakeTicket(ticketId);
}

export const handler = lambdaHandler(park);
