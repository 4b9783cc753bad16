/**
 * Where the inbox's rows and counts come from: the API's inbox views (docs/inbox.md). The counts
 * are `GET /tickets/views` (one per view the caller has: a team view per team, a tier view per
 * tier); a view's rows are `GET /tickets?view=…` (open cases, next due first, kept by the API in
 * an index); a search is `GET /tickets?q=…` (the API's full-text index, newest first). Nothing
 * is filtered or searched here over everything.
 *
 * Polling sends each request's last ETag as If-None-Match: an unchanged answer is a 304 with no
 * body, and the rows already held are kept (no re-render).
 */
import type { Api } from './api/client';
import { toApiError } from './api/client';
import type { InboxViewCounts, Ticket, TicketPage } from './api/types';

/** `mine`, `priority`, …; `team:<id>` and `tier:<id>` name one team's or tier's view. */
export type ViewId = 'open' | 'mine' | 'team' | 'priority' | 'triage' | 'breached' | 'waiting' | `tier:${string}` | `team:${string}`;

const LABELS: Record<string, string> = {
  mine: 'My cases',
  team: "My team's queue",
  priority: 'Priority queue',
  triage: 'Triage',
  breached: 'Breached',
  waiting: 'Waiting on customer',
  open: 'All open cases',
};
/** The order views are listed in (the API's counts come in its own order). */
const ORDER = ['mine', 'team', 'priority', 'triage', 'breached', 'waiting', 'open', 'tier'];

export interface ViewEntry {
  id: ViewId;
  label: string;
  count: number;
}

/**
 * Rows per page: more than a screen holds, and half what the API allows, so the first page (the
 * one every poll asks again) stays cheap; "Show more" follows the cursor.
 */
export const PAGE_SIZE = 50;

export interface Filters {
  /** Full-text search: when set, the list is the API's search answer instead of the view. */
  search: string;
  /** One severity's cases only: the API filters (GET /tickets?severity=). */
  severity: string;
}

export const NO_FILTERS: Filters = { search: '', severity: '' };

export interface InboxData {
  views: ViewEntry[];
  /** The rows of the view (or the search), in the API's order. */
  rows: Ticket[];
  /** The request these rows answer (a view id or `q:<words>`), so a marker of "new" compares like with like. */
  key: string;
  /** The cursor of the next page, when more rows exist than the pages held. */
  cursor: string | null;
}

type ListQuery = {
  limit: number;
  view?: 'open' | 'mine' | 'team' | 'priority' | 'triage' | 'breached' | 'waiting' | 'tier';
  team?: string;
  tier?: string;
  q?: string;
  severity?: string;
  cursor?: string;
};

/** The GET /tickets query of a view, or of a search, with a severity when one is chosen. */
export function queryOf(view: ViewId, search: string, severity = ''): { key: string; query: ListQuery } {
  const words = search.trim();
  const only = severity ? { severity } : {};
  const key = (base: string) => (severity ? `${base}|severity:${severity}` : base);
  if (words) return { key: key(`q:${words.toLowerCase()}`), query: { limit: PAGE_SIZE, q: words, ...only } };
  if (view.startsWith('tier:')) return { key: key(view), query: { limit: PAGE_SIZE, view: 'tier', tier: view.slice('tier:'.length), ...only } };
  if (view.startsWith('team:')) return { key: key(view), query: { limit: PAGE_SIZE, view: 'team', team: view.slice('team:'.length), ...only } };
  return { key: key(view), query: { limit: PAGE_SIZE, view: view as ListQuery['view'], ...only } };
}

/** The caller's views from GET /tickets/views, labelled and ordered (one team: "My team's queue"; several: one per team). */
export function viewsOf(counts: InboxViewCounts, tierName: (id: string) => string = (id) => id): ViewEntry[] {
  const teams = counts.views.filter((entry) => entry.view === 'team').length;
  return [...counts.views]
    .sort((a, b) => ORDER.indexOf(a.view) - ORDER.indexOf(b.view))
    .map((entry): ViewEntry => {
      if (entry.view === 'tier') return { id: `tier:${entry.tier ?? ''}`, label: tierName(entry.tier ?? ''), count: entry.count };
      if (entry.view === 'team' && teams > 1) return { id: `team:${entry.team ?? ''}`, label: `Team ${entry.team ?? ''}`, count: entry.count };
      return { id: entry.view, label: LABELS[entry.view] ?? entry.view, count: entry.count };
    });
}

interface Held<T> {
  etag?: string;
  body: T;
}

export class InboxSource {
  private counts: Held<InboxViewCounts> | undefined;
  private readonly lists = new Map<string, Held<TicketPage>>();
  /** How many requests answered 304 (the browser test reads it to see polling re-fetch nothing). */
  notModified = 0;

  constructor(
    private readonly api: Api,
    private readonly tierName?: (id: string) => string,
  ) {}

  /**
   * Fetches the counts and the list of the view (or search) on screen, each with If-None-Match.
   * Undefined when both answered 304 and the list was already on screen (nothing to redraw).
   */
  async poll(view: ViewId, search: string, severity: string, shown: string | undefined): Promise<InboxData | undefined> {
    const { key, query } = queryOf(view, search, severity);
    const countsChanged = await this.fetchCounts();
    const listChanged = await this.fetchList(key, query);
    if (!countsChanged && !listChanged && shown === key) return undefined;
    // Something moved (the first page, or a count: a case left or entered a view): the rows shown
    // after the first page are read again from its cursor, as many as were shown, so none stays
    // that has left the view.
    if ((listChanged || countsChanged) && this.extra.has(key)) await this.refetchExtra(key, query);
    return this.current(key);
  }

  private async refetchExtra(key: string, query: ListQuery): Promise<void> {
    const wanted = this.extra.get(key)!.items.length;
    const items: TicketPage['items'] = [];
    let cursor = this.lists.get(key)!.body.cursor;
    while (cursor && items.length < wanted) {
      const { data, error, response } = await this.api.GET('/tickets', { params: { query: { ...query, limit: Math.min(100, wanted - items.length), cursor } }, cache: 'no-store' });
      if (!response.ok || !data) throw toApiError(response.status, error);
      items.push(...data.items);
      cursor = data.cursor;
    }
    this.extra.set(key, { items, cursor });
  }

  /**
   * The next page of the list on screen, kept after the first: later polls re-fetch the first page
   * (its ETag), and the pages after it only when it or a count changed.
   */
  async more(view: ViewId, search: string, severity: string): Promise<InboxData | undefined> {
    const { key, query } = queryOf(view, search, severity);
    const held = this.lists.get(key);
    const cursor = this.extra.get(key)?.cursor ?? held?.body.cursor;
    if (!held || !cursor) return undefined;
    const { data, error, response } = await this.api.GET('/tickets', { params: { query: { ...query, cursor } }, cache: 'no-store' });
    if (!response.ok || !data) throw toApiError(response.status, error);
    const before = this.extra.get(key);
    this.extra.set(key, { items: [...(before?.items ?? []), ...data.items], cursor: data.cursor });
    return this.current(key);
  }

  /** Pages after the first, per list: rows and the cursor after them. */
  private readonly extra = new Map<string, { items: TicketPage['items']; cursor: string | null }>();

  private current(key: string): InboxData {
    const first = this.lists.get(key)!.body;
    const extra = this.extra.get(key);
    // A row that moved into the first page since is shown once, where the first page has it.
    const seen = new Set(first.items.map((ticket) => ticket.id));
    const rows = [...first.items, ...(extra?.items ?? []).filter((ticket) => !seen.has(ticket.id))];
    return { views: viewsOf(this.counts!.body, this.tierName), rows, key, cursor: extra ? extra.cursor : first.cursor };
  }

  private async fetchCounts(): Promise<boolean> {
    const { data, error, response } = await this.api.GET('/tickets/views', { headers: ifNoneMatch(this.counts?.etag), cache: 'no-store' });
    if (response.status === 304 && this.counts) return this.kept();
    if (!response.ok || !data) throw toApiError(response.status, error);
    this.counts = { body: data, ...etagOf(response) };
    return true;
  }

  private async fetchList(key: string, query: ListQuery): Promise<boolean> {
    const held = this.lists.get(key);
    const { data, error, response } = await this.api.GET('/tickets', { params: { query }, headers: ifNoneMatch(held?.etag), cache: 'no-store' });
    if (response.status === 304 && held) return this.kept();
    if (!response.ok || !data) throw toApiError(response.status, error);
    this.lists.set(key, { body: data, ...etagOf(response) });
    return true;
  }

  private kept(): false {
    this.notModified += 1;
    return false;
  }
}

// Sent explicitly: the browser adds If-None-Match by itself only from its HTTP cache (and 'no-store' bypasses that).
const ifNoneMatch = (etag: string | undefined): Record<string, string> => (etag ? { 'if-none-match': etag } : {});
const etagOf = (response: Response): { etag?: string } => {
  const etag = response.headers.get('etag');
  return etag ? { etag } : {};
};
