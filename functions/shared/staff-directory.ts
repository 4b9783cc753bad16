/**
 * The staff directory and a ticket's account team as the senders resolve recipients with
 * (core/notifications/render.ts): the directory is read whole and kept 30 s per container, as
 * customers are (./lookups.ts), so a workflow step sending mail costs no extra read most of the
 * time. A change through the API reaches this container's senders at once (the API forgets its
 * copy) and other containers' within 30 s.
 */
import type { RecipientContext } from '../../core/notifications/render';
import type { StaffDirectory } from '../../core/staff/directory';
import type { Ticket } from '../../core/tickets/model';
import { staffStoreOf } from '../store/staff';
import { customerById } from './lookups';
import type { Runtime } from './runtime';
import { TtlCache } from './ttl-cache';

const DIRECTORY_TTL_MS = 30_000;
const directories = new TtlCache<StaffDirectory>(DIRECTORY_TTL_MS, 1);

export function staffDirectory(rt: Pick<Runtime, 'store'>): Promise<StaffDirectory> {
  return directories.get('directory', () => staffStoreOf(rt.store).directory());
}

/** After a write to the directory: this container's next mail reads it again. */
export function forgetStaffDirectory(): void {
  directories.clear();
}

/** What a ticket's mails resolve through: the directory and its customer's account team. */
export async function recipientContext(rt: Runtime, ticket: Pick<Ticket, 'customerId'>): Promise<RecipientContext> {
  const [directory, customer] = await Promise.all([staffDirectory(rt), ticket.customerId ? customerById(rt, ticket.customerId) : undefined]);
  return { directory, ...(customer?.accountTeam ? { accountTeam: customer.accountTeam } : {}) };
}
