/**
 * Act: the instant of an SLA event came, the intake acknowledgement is owed, or a change left
 * mail in the ticket's outbox. Applies every event due now through core (applySlaEvent re-checks
 * each against the ticket, so a stale timer or a retry changes nothing), records the
 * acknowledgement and empties the outbox, in one version-checked write, and returns the mails to
 * send as plain JSON (core/notifications/render.ts's Notification): Step Functions carries them
 * to Notify.
 */
import { z } from 'zod';
import { acknowledge } from '../../core/notifications/acknowledgement';
import { notificationsForEvents } from '../../core/notifications/events';
import { takeOutbox } from '../../core/notifications/outbox';
import type { Notification } from '../../core/notifications/render';
import { pendingSlaEvents } from '../../core/sla/schedule';
import { applySlaEvent } from '../../core/tickets/breaches';
import type { Ticket } from '../../core/tickets/model';
import type { Change } from '../../core/tickets/rules';
import { getRuntime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';

export type { Notification } from '../../core/notifications/render';

const ActEvent = z.object({ ticketId: z.string().min(1) });

export class TicketGoneError extends Error {
  override name = 'TicketGoneError';
}

export async function handler(event: unknown): Promise<{ notifications: Notification[] }> {
  const { ticketId } = ActEvent.parse(event);
  const rt = getRuntime();
  // Set by the attempt that is written last: a version conflict re-reads and re-applies.
  let owed: Notification[] = [];
  try {
    const { change } = await updateTicketWithRetry(
      rt,
      (ticket, ctx) => {
        const queued = takeOutbox(ticket);
        const acked = acknowledge(queued.ticket, ctx.now);
        owed = [...acked.notifications, ...queued.notifications];
        // Nothing due and nothing owed leaves the ticket as read, which skipUnchanged does not write.
        return applyDueEvents(acked.ticket, ctx);
      },
      {
        skipUnchanged: true,
        read: async () => (await rt.store.getTicket(ticketId)) ?? Promise.reject(new TicketGoneError(ticketId)),
      },
    );
    return { notifications: [...owed, ...notificationsForEvents(change.ticket, change.events)] };
  } catch (error) {
    // A ticket that no longer exists has nothing to act on; Plan ends the execution.
    if (error instanceof TicketGoneError) return { notifications: [] };
    throw error;
  }
}

/** Every event due now, applied one after the other (a breach may start the next management step). */
export function applyDueEvents(ticket: Ticket, ctx: Parameters<typeof applySlaEvent>[2]): Change {
  let current: Change = { ticket, events: [] };
  for (const due of pendingSlaEvents(ticket, ctx, ctx.now).filter((event) => event.at <= ctx.now)) {
    const next = applySlaEvent(current.ticket, due, ctx);
    current = { ticket: next.ticket, events: [...current.events, ...next.events] };
  }
  return current;
}
