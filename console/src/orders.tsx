/**
 * Support orders: the dedicated support periods week by week with who is booked, the engineers
 * free for each period (their availability, GET /agents), and the orders waiting for acceptance
 * with a form to book an engineer (POST /support-orders/{id}/accept: a chosen one, or any free
 * one). The API decides whether an engineer is free (never two customers at once).
 */
import { useState } from 'preact/hooks';
import { type Api, ApiError, expectOk } from './api/client';
import type { Agent, SupportOrder } from './api/types';
import { announce } from './app';
import { useLoad } from './load';
import { when } from './sla';
import { FieldError } from './widgets';

type Page<T> = { items: T[]; cursor: string | null };
type Period = SupportOrder['periods'][number];

/** Engineers whose availability covers the whole period. */
export function freeFor(agents: Agent[], period: Pick<Period, 'start' | 'end'>): Agent[] {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  return agents.filter((agent) => agent.availability.some((window) => Date.parse(window.from) <= start && Date.parse(window.to) >= end));
}

/** The Monday (local) starting the week of an instant, as YYYY-MM-DD. */
export function weekOf(iso: string): string {
  const day = new Date(iso);
  const monday = new Date(day.getFullYear(), day.getMonth(), day.getDate() - ((day.getDay() + 6) % 7));
  return `${monday.getFullYear()}-${String(monday.getMonth() + 1).padStart(2, '0')}-${String(monday.getDate()).padStart(2, '0')}`;
}

export function Orders({ api, mayAccept }: { api: Api; mayAccept: boolean }) {
  const orders = useLoad(() => expectOk<Page<SupportOrder>>(api.GET('/support-orders', { params: { query: { limit: 100 } }, cache: 'no-store' })), []);
  const agents = useLoad(() => expectOk<Page<Agent>>(api.GET('/agents', { params: { query: { limit: 100 } } })), []);
  const all = orders.data?.items ?? [];
  const engineers = agents.data?.items ?? [];
  const name = (id: string | undefined) => (id ? (engineers.find((agent) => agent.id === id)?.name ?? id) : 'not booked');
  const pending = all.filter((order) => order.status === 'pending');
  const periods = all
    .filter((order) => order.status !== 'cancelled')
    .flatMap((order) => order.periods.filter((period) => period.status !== 'cancelled').map((period) => ({ order, period })))
    .sort((a, b) => Date.parse(a.period.start) - Date.parse(b.period.start));
  const weeks = [...new Set(periods.map(({ period }) => weekOf(period.start)))];

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Support orders</h1>
      {(orders.error || agents.error) && (
        <p role="alert" class="error">
          Could not load the orders: {orders.error ?? agents.error}
        </p>
      )}
      {!orders.data ? (
        <p>Loading orders…</p>
      ) : (
        <>
          <section aria-labelledby="pending-title">
            <h2 id="pending-title">Waiting for acceptance</h2>
            {pending.length === 0 ? (
              <p>No order is waiting.</p>
            ) : (
              pending.map((order) => (
                <AcceptForm
                  key={order.id}
                  api={api}
                  order={order}
                  mayAccept={mayAccept}
                  engineers={engineers.filter((agent) => order.periods.every((period) => freeFor([agent], period).length > 0))}
                  done={() => {
                    orders.reload();
                    agents.reload();
                  }}
                />
              ))
            )}
          </section>
          <section aria-labelledby="calendar-title">
            <h2 id="calendar-title">Periods by week</h2>
            {weeks.length === 0 && <p>No periods booked or asked for.</p>}
            {weeks.map((week) => (
              <section key={week} aria-labelledby={`week-${week}`}>
                <h3 id={`week-${week}`}>Week of {new Date(`${week}T12:00:00`).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })}</h3>
                <table class="objectives">
                  <thead>
                    <tr>
                      <th scope="col">Period</th>
                      <th scope="col">Order</th>
                      <th scope="col">Status</th>
                      <th scope="col">Engineer</th>
                      <th scope="col">Engineers available</th>
                    </tr>
                  </thead>
                  <tbody>
                    {periods
                      .filter(({ period }) => weekOf(period.start) === week)
                      .map(({ order, period }) => (
                        <tr key={`${order.id}-${period.index}`}>
                          <th scope="row">
                            <time dateTime={period.start}>{when(period.start)}</time> – <time dateTime={period.end}>{when(period.end)}</time> ({period.hours} h)
                          </th>
                          <td>
                            {order.id}, {order.customerId} ({order.purpose})
                          </td>
                          <td>{period.status}</td>
                          <td>{name(period.engineerId)}</td>
                          <td>
                            {freeFor(engineers, period)
                              .map((agent) => agent.name)
                              .join(', ') || 'none'}
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </section>
            ))}
          </section>
          <section aria-labelledby="engineers-title">
            <h2 id="engineers-title">Engineers' availability</h2>
            {engineers.length === 0 ? (
              <p>No engineers (PUT /agents/{'{id}'}).</p>
            ) : (
              <table class="objectives">
                <thead>
                  <tr>
                    <th scope="col">Engineer</th>
                    <th scope="col">Skills</th>
                    <th scope="col">Available</th>
                  </tr>
                </thead>
                <tbody>
                  {engineers.map((agent) => (
                    <tr key={agent.id}>
                      <th scope="row">
                        {agent.name} <span class="muted">{agent.email}</span>
                      </th>
                      <td>{agent.skills.join(', ') || '—'}</td>
                      <td>
                        {agent.availability.length === 0 ? (
                          'no windows'
                        ) : (
                          <ul>
                            {agent.availability.map((window) => (
                              <li key={window.from}>
                                {when(window.from)} – {when(window.to)}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function AcceptForm({ api, order, engineers, mayAccept, done }: { api: Api; order: SupportOrder; engineers: Agent[]; mayAccept: boolean; done: () => void }) {
  const [engineerId, setEngineerId] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const id = `accept-${order.id}`;
  const onEngineer = error instanceof ApiError && error.field === 'engineerId';
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await expectOk<SupportOrder>(api.POST('/support-orders/{id}/accept', { params: { path: { id: order.id } }, body: engineerId ? { engineerId } : {} }));
      announce(answer.status === 'accepted' ? `${order.id} accepted` : `${order.id} is still pending: ${answer.pendingReason ?? 'no engineer free'}`);
      if (answer.status !== 'accepted') setError(new Error(`Still pending: ${answer.pendingReason ?? 'no engineer is free for every period'}`));
      done();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="action" aria-labelledby={`${id}-title`} onSubmit={submit} noValidate>
      <h3 id={`${id}-title`}>
        {order.id}: {order.customerId}, {order.purpose}
      </h3>
      <p class="muted">
        {order.periods.length} {order.periods.length === 1 ? 'period' : 'periods'} from {when(order.periods[0]?.start ?? order.createdAt)}; point of contact {order.pointOfContact.name} &lt;
        {order.pointOfContact.email}&gt;
        {order.pendingReason ? ` · pending: ${order.pendingReason}` : ''}
      </p>
      {mayAccept ? (
        <>
          <div class="field">
            <label for={`${id}-engineer`}>Engineer for {order.id}</label>
            <select
              id={`${id}-engineer`}
              value={engineerId}
              aria-invalid={onEngineer || undefined}
              aria-describedby={onEngineer ? `${id}-error` : undefined}
              onChange={(event) => setEngineerId(event.currentTarget.value)}
            >
              <option value="">Any engineer free for every period</option>
              {engineers.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </select>
            <FieldError id={`${id}-error`} message={onEngineer ? error?.message : undefined} />
          </div>
          <button type="submit" disabled={busy}>
            Accept {order.id}
          </button>
          {error && !onEngineer && (
            <p class="field-error" role="alert">
              {error.message}
            </p>
          )}
        </>
      ) : (
        <p>Accepting an order needs an agent or admin.</p>
      )}
    </form>
  );
}
