/**
 * Park (WaitForChangeOrDeadline): keeps the execution's task token with the ticket, so the
 * next change to the ticket can wake the execution (functions/shared/workflow.ts wakeTicket).
 *
 * A change written between Plan's read and this park found no token to send: the version
 * Plan saw says so, and the execution is woken at once rather than at the old deadline.
 */
import { z } from 'zod';
import { getRuntime } from '../shared/runtime';
import { wakeTicket } from '../shared/workflow';

const ParkEvent = z.object({ ticketId: z.string().min(1), token: z.string().min(1), version: z.number().int() });

export async function handler(event: unknown): Promise<void> {
  const { ticketId, token, version } = ParkEvent.parse(event);
  const { store } = getRuntime();
  await store.parkToken(ticketId, token);
  const ticket = await store.getTicket(ticketId);
  if (!ticket || ticket.version !== version) await wakeTicket(ticketId);
}
