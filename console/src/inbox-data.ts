/**
 * Where the inbox's rows and counts come from: the one module that knows which API requests
 * make a view. The inbox asks for `load(view, filters)`; polling sends each request's last
 * ETag as If-None-Match, so an unchanged list costs a 304 and no re-render.
 *
 * For now (until GET /tickets takes view, search and count parameters) the views are made from
 * the desk's active cases (`GET /tickets`, newest first, one page of 100) and the unverified ones
 * (`?unverified=true`), filtered and sorted here; switching to the API's views changes
 * `requestsFor` and `rowsOf` only. The view ids here are the API's coming `view=` values (mine,
 * team, priority, triage, breached, waiting; `tier:<id>` is `view=tier&tier=<id>`), search becomes
 * `q=` and the counts GET /tickets/views.
 */
import type { Api } from './api/client';
import { toApiError } from './api/client';
import type { Ticket, TicketPage } from './api/types';
import type { Me } from './me';

export type ViewId = 'mine' | 'team' | 'priority' | 'triage' | 'breached' | 'waiting' | `tier:${string}`;

export const FIXED_VIEWS: { id: ViewId; label: string }[] = [
  { id: 'mine', label: 'My cases' },
  { id: 'team', label: "My team's queue" },
  { id: 'priority', label: 'Priority queue' },
  { id: 'triage', label: 'Triage' },
  { id: 'breached', label: 'Breached' },
  { id: 'waiting', label: 'Waiting on customer' },
];

export interface Filters {
  search: string;
  severity: string;
  status: string;
}

export const NO_FILTERS: Filters = { search: '', severity: '', status: '' };

export interface InboxData {
  /** Every case the console holds, by id. */
  tickets: Map<string, Ticket>;
  /** Tiers seen among them, for the "by tier" views. */
  tiers: string[];
}

interface Request {
  key: string;
  query: { limit: number; unverified?: 'true'; status?: Ticket['status']; queue?: string };
}

/** The requests that together hold every view's cases. */
function requestsFor(me: Me): Request[] {
  const requests: Request[] = [{ key: 'active', query: { limit: 100 } }];
  if (me.role === 'admin' || me.role === 'agent') requests.push({ key: 'unverified', query: { limit: 100, unverified: 'true' } });
  return requests;
}

export class InboxSource {
  private readonly etags = new Map<string, string>();
  private readonly pages = new Map<string, Ticket[]>();

  constructor(
    private readonly api: Api,
    private readonly me: Me,
  ) {}

  /** Fetches what changed; undefined when every request answered 304 (nothing to redraw). */
  async poll(): Promise<InboxData | undefined> {
    let changed = this.pages.size === 0;
    for (const request of requestsFor(this.me)) {
      const etag = this.etags.get(request.key);
      const { data, error, response } = await this.api.GET('/tickets', {
        params: { query: request.query },
        // Sent explicitly: the browser adds If-None-Match by itself only from its HTTP cache.
        headers: etag ? { 'if-none-match': etag } : {},
        cache: 'no-store',
      });
      if (response.status === 304) continue;
      if (!response.ok) throw toApiError(response.status, error);
      const newEtag = response.headers.get('etag');
      if (newEtag) this.etags.set(request.key, newEtag);
      this.pages.set(request.key, (data as unknown as TicketPage).items);
      changed = true;
    }
    if (!changed) return undefined;
    const tickets = new Map<string, Ticket>();
    for (const items of this.pages.values()) for (const ticket of items) tickets.set(ticket.id, ticket);
    const tiers = [...new Set([...tickets.values()].map((ticket) => ticket.tier))].sort();
    return { tickets, tiers };
  }
}

const OPEN = new Set(['new', 'open', 'pending-customer']);

/** Whether a case belongs in a view. */
export function inView(view: ViewId, ticket: Ticket, me: Me): boolean {
  const mine = me.teams.length === 0 || me.teams.includes(ticket.team);
  switch (view) {
    case 'mine':
      return ticket.assignee !== undefined && me.assigneeIds.includes(ticket.assignee) && OPEN.has(ticket.status);
    case 'team':
      return me.teams.includes(ticket.team) && OPEN.has(ticket.status);
    case 'priority':
      return mine && (ticket.queue?.endsWith(':priority') ?? ticket.entitlement?.queue === 'priority') && OPEN.has(ticket.status);
    case 'triage':
      return (ticket.queue === 'triage' || (ticket.entitlement !== undefined && ticket.entitlement.status !== 'entitled')) && OPEN.has(ticket.status);
    case 'breached':
      return OPEN.has(ticket.status) && (ticket.queue?.endsWith(':breached') === true || isBreached(ticket));
    case 'waiting':
      return ticket.status === 'pending-customer';
    default:
      return ticket.tier === view.slice('tier:'.length) && OPEN.has(ticket.status);
  }
}

function isBreached(ticket: Ticket): boolean {
  const { firstResponse, nextResponse, resolution, statusUpdate } = ticket.sla;
  return [firstResponse, nextResponse, resolution, statusUpdate].some((objective) => objective?.breachedAt && !objective.metAt && !objective.stoppedAt);
}

function matches(ticket: Ticket, filters: Filters): boolean {
  if (filters.severity && ticket.severity !== filters.severity) return false;
  if (filters.status && ticket.status !== filters.status) return false;
  const search = filters.search.trim().toLowerCase();
  if (!search) return true;
  const haystack = [ticket.caseNumber, ticket.subject, ticket.description, ticket.requester.email, ticket.requester.name, ticket.customerId].join('\n').toLowerCase();
  return haystack.includes(search);
}

/** The view's rows, next due first (cases with no running clock last, oldest first). */
export function rowsOf(data: InboxData, view: ViewId, filters: Filters, me: Me): Ticket[] {
  return [...data.tickets.values()].filter((ticket) => inView(view, ticket, me) && matches(ticket, filters)).sort(byNextDue);
}

export function countsOf(data: InboxData, views: ViewId[], me: Me): Map<ViewId, number> {
  const counts = new Map<ViewId, number>();
  for (const view of views) counts.set(view, [...data.tickets.values()].filter((ticket) => inView(view, ticket, me)).length);
  return counts;
}

export function byNextDue(a: Ticket, b: Ticket): number {
  const due = (ticket: Ticket) => (ticket.sla.nextDue ? Date.parse(ticket.sla.nextDue) : Number.POSITIVE_INFINITY);
  return due(a) - due(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt);
}
