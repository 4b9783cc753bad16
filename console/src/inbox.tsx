/**
 * The inbox: views with counts, filters and search, rows next due first with an SLA badge per
 * running objective. Polls every 2.5 s (ETag / 304, inbox-data.ts); new and changed rows appear
 * without a reload, marked in words, and new cases are announced in the live region.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Api, expectOk } from './api/client';
import type { Ticket } from './api/types';
import { announce, go, typing } from './app';
import { tierName } from './desk';
import { type Filters, type InboxData, InboxSource, NO_FILTERS, PAGE_SIZE, type ViewId } from './inbox-data';
import type { Me } from './me';
import { duration } from './sla';
import { SlaBadges } from './widgets';

// 2.5 s: a new case must show within 5 s of arriving, and the mail path itself takes a second or two; a 304 costs little.
const POLL_MS = 2500;
const SEARCH_PAUSE_MS = 300;

function labelOf(me: Me, view: ViewId): string {
  return view.startsWith('tier:') ? tierName(me.desk, view.slice(5)) : view.startsWith('team:') ? `Team ${view.slice(5)}` : view;
}

export function Inbox({ api, me, view }: { api: Api; me: Me; view: ViewId }) {
  const source = useMemo(() => new InboxSource(api, (id) => tierName(me.desk, id)), [api, me.desk]);
  const [data, setData] = useState<InboxData>();
  const [problem, setProblem] = useState<string>();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The search sent to the API: the typed words once typing pauses, so each key press is not a request.
  const [search, setSearch] = useState('');
  const [fresh, setFresh] = useState<Map<string, 'new' | 'updated'>>(new Map());
  const [selected, setSelected] = useState(0);
  const [now, setNow] = useState(Date.now());
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const previous = useRef<InboxData | undefined>(undefined);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(filters.search.trim()), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [filters.search]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const next = await source.poll(view, search, filters.severity, previous.current?.key);
        if (stopped) return;
        setNow(Date.now());
        if (next) {
          const before = previous.current;
          // New and changed rows are marked only while the same list stays on screen.
          if (before && before.key === next.key) {
            const old = new Map(before.rows.map((ticket) => [ticket.id, ticket]));
            const marks = new Map<string, 'new' | 'updated'>();
            for (const ticket of next.rows) {
              const was = old.get(ticket.id);
              if (!was) marks.set(ticket.id, 'new');
              else if (was.version !== ticket.version) marks.set(ticket.id, 'updated');
            }
            if (marks.size > 0) {
              setFresh(marks);
              const added = [...marks.values()].filter((mark) => mark === 'new').length;
              if (added > 0) announce(`${added} new ${added === 1 ? 'case' : 'cases'} in the list`);
            }
          } else setFresh(new Map());
          previous.current = next;
          setData(next);
        }
        setProblem(undefined);
      } catch (error) {
        if (!stopped) setProblem((error as Error).message);
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [source, view, search, filters.severity]);

  const views = data?.views ?? [];
  const current = views.find((candidate) => candidate.id === view) ?? { id: view, label: labelOf(me, view), count: 0 };
  const searching = data?.key.startsWith('q:') === true;
  const title = searching ? `Search: ${search}` : current.label;
  const rows = data?.rows ?? [];
  const severities: [string, string][] = me.desk ? me.desk.severities.map((severity) => [severity.id, severity.name]) : [];
  const [loadingMore, setLoadingMore] = useState(false);
  const showMore = async () => {
    setLoadingMore(true);
    try {
      const next = await source.more(view, search, filters.severity);
      if (next) {
        previous.current = next;
        setData(next);
        announce(`${next.rows.length} cases shown`);
      }
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setLoadingMore(false);
    }
  };
  const index = Math.min(selected, Math.max(rows.length - 1, 0));

  useEffect(() => {
    // Another view: its own list, from the top (a search in progress ends).
    setSelected(0);
    setFilters((before) => (before.search ? { ...before, search: '' } : before));
    setSearch('');
  }, [view]);

  const focusRow = (i: number) => {
    setSelected(i);
    tableRef.current?.querySelectorAll<HTMLAnchorElement>('a.case')[i]?.focus();
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event)) return;
      const row = rows[index];
      switch (event.key) {
        case 'j':
        case 'ArrowDown':
          event.preventDefault();
          focusRow(Math.min(index + 1, rows.length - 1));
          break;
        case 'k':
        case 'ArrowUp':
          event.preventDefault();
          focusRow(Math.max(index - 1, 0));
          break;
        case 'Enter':
          if (row && !(event.target instanceof HTMLAnchorElement) && !(event.target instanceof HTMLButtonElement)) go(`#/tickets/${row.id}`);
          break;
        case 'r':
          if (row) go(`#/tickets/${row.id}/reply`);
          break;
        case 'e':
          if (row) go(`#/tickets/${row.id}/escalate`);
          break;
        case 'a':
          if (row) void assignToMe(api, me, row);
          break;
        case '/':
          event.preventDefault();
          searchRef.current?.focus();
          break;
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  return (
    <div class="inbox">
      <h1>Inbox</h1>
      <nav aria-label="Views">
        <ul class="views">
          {views.map((candidate) => (
            <li key={candidate.id}>
              <a href={`#/inbox/${encodeURIComponent(candidate.id)}`} aria-current={candidate.id === current.id ? 'page' : undefined}>
                {candidate.label} <span class="count">{candidate.count}</span>
                <span class="sr-only"> cases</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="list-title" class="list">
        <h2 id="list-title">{title}</h2>
        {/* biome-ignore lint/a11y/useSemanticElements: <form role="search"> is the landmark every screen reader knows; <search> is newer */}
        <form role="search" aria-label="Filter cases" class="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Search cases
            <input
              ref={searchRef}
              type="search"
              value={filters.search}
              maxLength={200}
              aria-describedby="search-hint"
              placeholder="Subject, case number, requester…"
              onInput={(event) => setFilters({ ...filters, search: event.currentTarget.value })}
            />
          </label>
          <label>
            Severity
            <select value={filters.severity} onChange={(event) => setFilters({ ...filters, severity: event.currentTarget.value })}>
              <option value="">Any</option>
              {severities.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </form>
        <p id="search-hint" class="muted">
          Search looks through every case (subject, description, case number, requester; up to 3 words, each must match), newest first. Severity narrows the view or the search to one severity.
        </p>
        {problem && (
          <p role="alert" class="error">
            Could not load the cases: {problem}
          </p>
        )}
        {!data ? (
          <p>Loading cases…</p>
        ) : rows.length === 0 ? (
          <p>{searching ? 'No case matches every word.' : `No cases in this view${filters.severity ? ' with this severity' : ''}.`}</p>
        ) : (
          <table class="cases">
            <caption class="sr-only">
              {title}, {searching ? 'newest first' : 'next due first'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">SLA (business hours left)</th>
                <th scope="col">Severity</th>
                <th scope="col">Tier</th>
                <th scope="col">Customer</th>
                <th scope="col">Assignee</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody ref={tableRef}>
              {rows.map((ticket, i) => (
                <tr key={ticket.id} class={i === index ? 'selected' : undefined}>
                  <td>
                    <a class="case" href={`#/tickets/${ticket.id}`} onFocus={() => setSelected(i)}>
                      <span class="case-number">{ticket.caseNumber}</span> {ticket.subject}
                    </a>
                    {fresh.get(ticket.id) && <span class={`mark ${fresh.get(ticket.id)}`}>{fresh.get(ticket.id)}</span>}
                    {ticket.status === 'pending-customer' && <span class="mark">waiting on customer</span>}
                  </td>
                  <td>
                    <SlaBadges ticket={ticket} now={now} desk={me.desk} />
                  </td>
                  <td>{me.desk?.severities.find((severity) => severity.id === ticket.severity)?.name ?? ticket.severity}</td>
                  <td>{tierName(me.desk, ticket.tier)}</td>
                  <td>{ticket.customerId ?? ticket.requester.company ?? <em>unverified</em>}</td>
                  <td>{ticket.assignee ? nameOf(me, ticket.assignee) : <em>unassigned</em>}</td>
                  <td>
                    <time dateTime={ticket.createdAt}>{duration(now - Date.parse(ticket.createdAt))}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data?.cursor && (
          <p class="more">
            <span class="muted">
              {rows.length} shown{searching || filters.severity ? '' : ` of ${current.count}`}.{' '}
            </span>
            <button type="button" onClick={() => void showMore()} disabled={loadingMore} aria-disabled={loadingMore}>
              Show {PAGE_SIZE} more
            </button>
          </p>
        )}
      </section>
    </div>
  );
}

export function nameOf(me: Me, assignee: string): string {
  if (me.assigneeIds.includes(assignee)) return me.name;
  return me.people.find((person) => person.id === assignee)?.name ?? assignee;
}

export async function assignToMe(api: Api, me: Me, ticket: Pick<Ticket, 'id' | 'caseNumber'>): Promise<void> {
  const assignee = me.assigneeIds[0];
  if (!assignee) return announce('You have no person or email to be assigned by.');
  try {
    await expectOk(api.POST('/tickets/{id}/actions', { params: { path: { id: ticket.id } }, body: { type: 'assign', assignee } }));
    announce(`${ticket.caseNumber} assigned to you`);
  } catch (error) {
    announce(`Could not assign ${ticket.caseNumber}: ${(error as Error).message}`);
  }
}
