/**
 * The agents' inbox views (issue [11]): which views an open ticket belongs to, and its place in
 * them (next due first). Pure: the store writes one small index entry per view a ticket is in,
 * and keeps a counter per view, from these (functions/store/dynamo-store.ts; docs/inbox.md).
 *
 * Every view holds open tickets only (new, open, pending-customer): resolved and closed ones
 * leave every view, so the inbox is the work still to do.
 */
import type { Ticket } from './model';

export const INBOX_VIEWS = ['open', 'mine', 'team', 'priority', 'triage', 'breached', 'waiting', 'tier'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];

/**
 * The views a customer may ask for (of its own tickets): the others are made of the desk's
 * working state (assignee, team, queue, flags, tier) that a customer does not see.
 */
export const CUSTOMER_VIEWS: readonly InboxView[] = ['open', 'waiting'];

/** Views that need a value: whose cases, which team, which tier. */
export const VIEW_PARAMETER = { mine: 'assignee', team: 'team', tier: 'tier' } as const satisfies Partial<Record<InboxView, string>>;

const OPEN: ReadonlySet<string> = new Set(['new', 'open', 'pending-customer']);
/** Set by the SLA clock when a target is missed (core/tickets/rules.ts SLA_BREACHED_FLAG; not imported: rules imports much). */
const BREACHED_FLAG = 'sla-breached';

/** A view with its value, as one string: `open`, `mine:<assignee>`, `team:<team>`, `tier:<tier>`. */
export function viewKey(view: InboxView, value?: string): string {
  return view in VIEW_PARAMETER ? `${view}:${value ?? ''}` : view;
}

/**
 * The team whose queue a ticket waits in: `<team>`, `<team>:priority`, `<team>:breached` are the
 * team's; `triage` and a dedicated engineer's queue (`dedicated:<engineer>`) are no team's.
 */
export function teamOfQueue(queue: string): string | undefined {
  if (queue === 'triage' || queue.startsWith('dedicated:') || queue === '') return undefined;
  return queue.split(':')[0];
}

type InboxTicket = Pick<Ticket, 'id' | 'status' | 'queue' | 'tier' | 'assignee' | 'flags' | 'entitlement'> & { sla: Pick<Ticket['sla'], 'nextDue'> };

/** The views (as viewKey strings) an open ticket is in; none for a resolved or closed one. */
export function viewsOf(ticket: InboxTicket): string[] {
  if (!OPEN.has(ticket.status)) return [];
  const views = [viewKey('open'), viewKey('tier', ticket.tier)];
  if (ticket.assignee) views.push(viewKey('mine', ticket.assignee));
  const team = teamOfQueue(ticket.queue);
  if (team) views.push(viewKey('team', team));
  if (ticket.queue.endsWith(':priority')) views.push(viewKey('priority'));
  // Unverified and not-entitled requesters wait in the policy's triage queue until someone moves the case on.
  if (ticket.queue === 'triage') views.push(viewKey('triage'));
  if (ticket.flags.includes(BREACHED_FLAG)) views.push(viewKey('breached'));
  if (ticket.status === 'pending-customer') views.push(viewKey('waiting'));
  return views;
}

/** Of a ticket's views, those its customer may list (CUSTOMER_VIEWS). */
export function customerViewsOf(views: readonly string[]): string[] {
  return views.filter((view) => (CUSTOMER_VIEWS as readonly string[]).includes(view));
}

/**
 * A ticket's place in every view: its next SLA due instant (ISO, so text order is time order),
 * those with no running objective last, then the case number.
 */
export function inboxOrder(ticket: Pick<Ticket, 'id'> & { sla: Pick<Ticket['sla'], 'nextDue'> }): string {
  return `${ticket.sla.nextDue ?? '9999'}#${ticket.id}`;
}
