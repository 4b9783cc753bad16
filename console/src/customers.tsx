/**
 * Customers: the list by name with search by the start of the name (GET /customers, the API's
 * index), a page at a time; and one customer's page: plan, add-ons, designated users, contacts,
 * account team and their cases (GET /tickets?customer=).
 */
import { useEffect, useState } from 'preact/hooks';
import { type Api, expectOk } from './api/client';
import type { Customer, TicketPage } from './api/types';
import { personName, useLoad } from './load';
import type { Me } from './me';
import { when } from './sla';

type CustomerPage = { items: Customer[]; cursor: string | null };

export function Customers({ api }: { api: Api }) {
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  // The cursors of the pages before this one (Previous), and this page's own.
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const cursor = trail[trail.length - 1];
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed.trim());
      setTrail([undefined]);
    }, 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const page = useLoad(() => expectOk<CustomerPage>(api.GET('/customers', { params: { query: { limit: 25, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } } })), [q, cursor]);
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">Customers</h1>
      {/* biome-ignore lint/a11y/useSemanticElements: <form role="search"> is the landmark every screen reader knows; <search> is newer */}
      <form role="search" aria-label="Find customers" class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Customer name starts with
          <input type="search" value={typed} maxLength={64} onInput={(event) => setTyped(event.currentTarget.value)} />
        </label>
      </form>
      {page.error && (
        <p role="alert" class="error">
          Could not load the customers: {page.error}
        </p>
      )}
      {!page.data ? (
        <p>Loading customers…</p>
      ) : page.data.items.length === 0 ? (
        <p>No customer{q ? ` whose name starts with “${q}”` : ''}.</p>
      ) : (
        <table class="cases">
          <caption class="sr-only">Customers by name</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Id</th>
              <th scope="col">Plan</th>
              <th scope="col">Add-ons</th>
              <th scope="col">Partner</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((customer) => (
              <tr key={customer.id}>
                <td>
                  <a href={`#/customers/${encodeURIComponent(customer.id)}`}>{customer.name}</a>
                </td>
                <td>{customer.id}</td>
                <td>{customer.plan}</td>
                <td>{customer.addOns.join(', ') || '—'}</td>
                <td>{customer.partner ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Customer pages" class="buttons">
        <button type="button" disabled={trail.length < 2} onClick={() => setTrail(trail.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!page.data?.cursor} onClick={() => page.data?.cursor && setTrail([...trail, page.data.cursor])}>
          Next page
        </button>
      </nav>
    </section>
  );
}

export function CustomerDetail({ api, me, id }: { api: Api; me: Me; id: string }) {
  const customer = useLoad(() => expectOk<Customer>(api.GET('/customers/{id}', { params: { path: { id } } })), [id]);
  const cases = useLoad(() => expectOk<TicketPage>(api.GET('/tickets', { params: { query: { customer: id, limit: 50 } } })), [id]);
  if (customer.error)
    return (
      <p role="alert" class="error">
        Could not open the customer: {customer.error}
      </p>
    );
  const c = customer.data;
  if (!c) return <p>Loading the customer…</p>;
  return (
    <article aria-labelledby="customer-title" class="workspace">
      <p>
        <a href="#/customers">Back to the customers</a>
      </p>
      <h1 id="customer-title">{c.name}</h1>
      <section aria-labelledby="plan-title" class="facts">
        <h2 id="plan-title">Plan</h2>
        <dl>
          <div>
            <dt>Id</dt>
            <dd>{c.id}</dd>
          </div>
          <div>
            <dt>Plan</dt>
            <dd>{c.plan}</dd>
          </div>
          <div>
            <dt>Add-ons</dt>
            <dd>{c.addOns.join(', ') || 'none'}</dd>
          </div>
          <div>
            <dt>Contract</dt>
            <dd>{c.contract.start || c.contract.end ? `${c.contract.start ?? '…'} to ${c.contract.end ?? '…'}` : 'no dates'}</dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>{c.timeZone ?? "the plan calendar's"}</dd>
          </div>
          <div>
            <dt>Partner</dt>
            <dd>{c.partner ?? 'direct customer'}</dd>
          </div>
          <div>
            <dt>Email domains</dt>
            <dd>{c.emailDomains.join(', ') || 'none'}</dd>
          </div>
        </dl>
      </section>
      <section aria-labelledby="team-title">
        <h2 id="team-title">Account team</h2>
        <dl class="facts">
          <div>
            <dt>Technical Account Manager</dt>
            <dd>{personName(me.people, c.accountTeam?.tam)}</dd>
          </div>
          <div>
            <dt>Customer Success Manager</dt>
            <dd>{personName(me.people, c.accountTeam?.csm)}</dd>
          </div>
        </dl>
      </section>
      <section aria-labelledby="designated-title">
        <h2 id="designated-title">Designated users</h2>
        {c.designatedUsers.length ? (
          <ul>
            {c.designatedUsers.map((email) => (
              <li key={email}>{email}</li>
            ))}
          </ul>
        ) : (
          <p>None.</p>
        )}
      </section>
      <section aria-labelledby="contacts-title">
        <h2 id="contacts-title">Contacts</h2>
        {c.contacts.length ? (
          <table class="objectives">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Email</th>
                <th scope="col">Phone</th>
              </tr>
            </thead>
            <tbody>
              {c.contacts.map((contact, i) => (
                <tr key={i}>
                  <th scope="row">{contact.name}</th>
                  <td>{contact.role ?? '—'}</td>
                  <td>{contact.email ?? '—'}</td>
                  <td>{contact.phone ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>None.</p>
        )}
      </section>
      <section aria-labelledby="cases-title">
        <h2 id="cases-title">Cases</h2>
        {cases.error && (
          <p role="alert" class="error">
            Could not load the cases: {cases.error}
          </p>
        )}
        {!cases.data ? (
          <p>Loading cases…</p>
        ) : cases.data.items.length === 0 ? (
          <p>No cases.</p>
        ) : (
          <table class="cases">
            <caption class="sr-only">Cases of {c.name}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Status</th>
                <th scope="col">Severity</th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {cases.data.items.map((ticket) => (
                <tr key={ticket.id}>
                  <td>
                    <a class="case" href={`#/tickets/${ticket.id}`}>
                      <span class="case-number">{ticket.caseNumber}</span> {ticket.subject}
                    </a>
                  </td>
                  <td>{ticket.status}</td>
                  <td>{ticket.severity}</td>
                  <td>
                    <time dateTime={ticket.createdAt}>{when(ticket.createdAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}
