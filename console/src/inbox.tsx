/**
 * The inbox: views with counts, filters and search, rows next due first with an SLA badge per
 * running objective. Polls every 4 s (ETag / 304, inbox-data.ts); new and changed rows appear
 * without a reload, marked in words, and new cases are announced in the live region.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { expectOk, type Api } from './api/client';
import type { Ticket } from './api/types';
import { announce, go, typing } from './app';
import { FIXED_VIEWS, InboxSource, NO_FILTERS, countsOf, rowsOf, type Filters, type InboxData, type ViewId } from './inbox-data';
import type { Me } from './me';
import { SlaBadges } from './widgets';
import { duration } from './sla';

const POLL_MS = 4000;

export function Inbox({ api, me, view }: { api: Api; me: Me; view: ViewId }) {
  const source = useMemo(() => new InboxSource(api, me), [api, me]);
  const [data, setData] = useState<InboxData>();
  const [problem, setProblem] = useState<string>();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [fresh, setFresh] = useState<Map<string, 'new' | 'updated'>>(new Map());
  const [selected, setSelected] = useState(0);
  const [now, setNow] = useState(Date.now());
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const previous = useRef<InboxData | undefined>(undefined);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const next = await source.poll();
        setNow(Date.now());
        if (next && !stopped) {
          const before = previous.current;
          if (before) {
            const marks = new Map<string, 'new' | 'updated'>();
            for (const ticket of next.tickets.values()) {
              const old = before.tickets.get(ticket.id);
              if (!old) marks.set(ticket.id, 'new');
              else if (old.version !== ticket.version) marks.set(ticket.id, 'updated');
            }
            if (marks.size > 0) {
              setFresh(marks);
              const added = [...marks.values()].filter((mark) => mark === 'new').length;
              if (added > 0) announce(`${added} new ${added === 1 ? 'case' : 'cases'} in the inbox`);
            }
          }
          previous.current = next;
          setData(next);
        }
        setProblem(undefined);
      } catch (error) {
        setProblem((error as Error).message);
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [source]);

  const views: { id: ViewId; label: string }[] = [...FIXED_VIEWS, ...(data?.tiers ?? []).map((tier) => ({ id: `tier:${tier}` as ViewId, label: `Tier ${tier}` }))];
  const current = views.find((candidate) => candidate.id === view) ?? FIXED_VIEWS[0]!;
  const counts = data ? countsOf(data, views.map((candidate) => candidate.id), me) : new Map<ViewId, number>();
  const rows = data ? rowsOf(data, current.id, filters, me) : [];
  const severities = data ? [...new Set([...data.tickets.values()].map((ticket) => ticket.severity))].sort() : [];
  const index = Math.min(selected, Math.max(rows.length - 1, 0));

  useEffect(() => setSelected(0), [view]);

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
                {candidate.label} <span class="count">{counts.get(candidate.id) ?? '…'}</span>
                <span class="sr-only"> cases</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="list-title" class="list">
        <h2 id="list-title">{current.label}</h2>
        <form role="search" aria-label="Filter cases" class="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Search cases
            <input ref={searchRef} type="search" value={filters.search} maxLength={200} placeholder="Subject, case number, requester…" onInput={(event) => setFilters({ ...filters, search: event.currentTarget.value })} />
          </label>
          <label>
            Severity
            <select value={filters.severity} onChange={(event) => setFilters({ ...filters, severity: event.currentTarget.value })}>
              <option value="">Any</option>
              {severities.map((severity) => (
                <option key={severity} value={severity}>{severity}</option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select value={filters.status} onChange={(event) => setFilters({ ...filters, status: event.currentTarget.value })}>
              <option value="">Any</option>
              <option value="new">New</option>
              <option value="open">Open</option>
              <option value="pending-customer">Waiting on customer</option>
            </select>
          </label>
        </form>
        {problem && <p role="alert" class="error">Could not load the cases: {problem}</p>}
        {!data ? (
          <p>Loading cases…</p>
        ) : rows.length === 0 ? (
          <p>No cases in this view{filters.search || filters.severity || filters.status ? ' with these filters' : ''}.</p>
        ) : (
          <table class="cases">
            <caption class="sr-only">{current.label}, next due first</caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">SLA</th>
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
                    <SlaBadges ticket={ticket} now={now} />
                  </td>
                  <td>{ticket.severity}</td>
                  <td>{ticket.tier}</td>
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
      </section>
    </div>
  );
}

export function nameOf(me: Me, assignee: string): string {
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
