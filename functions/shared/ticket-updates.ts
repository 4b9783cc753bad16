/**
 * Read, apply a core rule, write conditionally on the version read; on a concurrent change,
 * read and apply again. Shared by the API (a person's change) and the workflow's Act (the SLA
 * clock's change), so both race each other safely on the same ticket.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ticket } from '../../core/tickets/model';
import type { Change, RuleContext } from '../../core/tickets/rules';
import { type IdempotencyCompletion, VersionConflictError } from '../store/dynamo-store';
import type { Runtime } from './runtime';

const UPDATE_ATTEMPTS = 40;

export interface UpdateOptions {
  /** Reads the ticket (and checks the caller may change it); throws if it may not. */
  read: () => Promise<Ticket>;
  /** No retry on a conflict: the VersionConflictError reaches the caller (If-Match). */
  noRetry?: boolean;
  /** A change with no events that returns the ticket it was given is not written (the clock's stale events). */
  skipUnchanged?: boolean;
  /** A claimed idempotency key completed in the same write (functions/store/dynamo-store.ts saveTicket). */
  idempotency?: IdempotencyCompletion;
  /** Links to the ticket written in the same write (TICKET_LINKS keys). */
  links?: readonly string[];
}

export async function updateTicketWithRetry(rt: Runtime, apply: (ticket: Ticket, ctx: RuleContext) => Change, options: UpdateOptions): Promise<{ change: Change; written: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const ticket = await options.read();
    const change = apply(ticket, ruleContext(rt, Date.now()));
    if (options.skipUnchanged && change.ticket === ticket && change.events.length === 0) return { change, written: false };
    change.ticket.version = ticket.version + 1;
    try {
      await rt.store.saveTicket(change.ticket, change.events, options.idempotency, options.links);
      return { change, written: true };
    } catch (error) {
      if (!(error instanceof VersionConflictError) || options.noRetry || attempt >= UPDATE_ATTEMPTS) throw error;
      // Jittered, growing: two writers that collided should not collide again.
      await sleep(Math.random() * Math.min(200, 10 * attempt));
    }
  }
}

export function ruleContext(rt: Runtime, now: number): RuleContext {
  return { policy: rt.policy, planner: rt.planner, now, newId: randomUUID };
}
