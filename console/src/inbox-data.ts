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

/** One page of rows per view (or search): the API caps a page at 100. */
export const PAGE_SIZE = 100;

export interface Filters {
  /** Full-text search: when set, the list is the API's search answer instead of the view. */
  search: string;
  /** Narrows the rows shown (of the page the API answered) to one severity. */
  severity: string;
}

export const NO_FILTERS: Filters = { search: '', severity: '' };

export interface InboxData {
  views: ViewEntry[];
  /** The rows of the view (or the search), in the API's order. */
  rows: Ticket[];
  /** The request these rows answer (a view id or `q:<words>`), so a marker of "new" compares like with like. */
  key: string;
  /** More rows exist than one page holds. */
  more: boolean;
}

type ListQuery = { limit: number; view?: 'open' | 'mine' | 'team' | 'priority' | 'triage' | 'breached' | 'waiting' | 'tier'; team?: string; tier?: string; q?: string };

/** The GET /tickets query of a view, or of a search. */
export function queryOf(view: ViewId, search: string): { key: string; query: ListQuery } {
  const words = search.trim();
  if (words) return { key: `q:${words.toLowerCase()}`, query: { limit: PAGE_SIZE, q: words } };
  if (view.startsWith('tier:')) return { key: view, query: { limit: PAGE_SIZE, view: 'tier', tier: view.slice('tier:'.length) } };
  if (view.startsWith('team:')) return { key: view, query: { limit: PAGE_SIZE, view: 'team', team: view.slice('team:'.length) } };
  return { key: view, query: { limit: PAGE_SIZE, view: view as ListQuery['view'] } };
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
  async poll(view: ViewId, search: string, shown: string | undefined): Promise<InboxData | undefined> {
    const { key, query } = queryOf(view, search);
    const countsChanged = await this.fetchCounts();
    const listChanged = await this.fetchList(key, query);
    if (!countsChanged && !listChanged && shown === key) return undefined;
    const page = this.lists.get(key)!.body;
    return { views: viewsOf(this.counts!.body, this.tierName), rows: page.items, key, more: page.cursor !== null };
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
