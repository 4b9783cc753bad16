/**
 * Dedicated support periods over HTTP: engineers (`/agents`), orders (`/support-orders`), their
 * acceptance (booking an engineer per period) and cancellation. Rules: core/periods; booking and
 * executions: functions/periods/orders.ts.
 */
import * as z from 'zod/mini';
import { type CustomerAction, decide } from '../../core/access/authorize';
import { newOrder, orderProblems, orderStarted, periodsFixed, replannedOrder, type SupportOrder, withOrderMail } from '../../core/periods/orders';
import { AgentSchema, OrderRequestSchema } from '../../core/periods/requests';
import { identifier } from '../../core/schema-parts';
import { formatCaseNumber } from '../../core/tickets/case-number';
import { cancelOrder, replanOrder, sendOrderMail, staffOrder, startPeriodExecutions } from '../periods/orders';
import { HttpError, type HttpResult, json } from '../shared/http';
import type { Runtime } from '../shared/runtime';
import { ConditionFailed } from '../store/dynamo-store';
import { callerScope, openCursor, signCursor, signedPage } from './cursors';
import { PAGE_QUERY } from './schemas';
import { allowOrThrow, type Request } from './tickets';

export const ChangePeriodsSchema = z.pick(OrderRequestSchema, { periods: true });

export const AcceptOrderSchema = z.strictObject({
  engineerId: z.optional(identifier()).check(z.describe('Book this engineer; otherwise any available one.')),
});

export const ListAgentsQuery = z.strictObject(PAGE_QUERY);

export const ListOrdersQuery = z.strictObject({
  customer: z.optional(identifier()).check(z.describe("Staff: one customer's orders. A customer key always lists its own.")),
  ...PAGE_QUERY,
});

export async function putAgent(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'agent:write')); // the id's shape is checked before (routes.ts: PATH_IDS.agent)
  const agent = { ...AgentSchema.parse(request.body), id };
  const existed = await rt.store.getAgent(id);
  await rt.store.putAgent(agent);
  return json(existed ? 200 : 201, agent);
}

export async function getAgent(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'agent:read'));
  const agent = await rt.store.getAgent(id);
  if (!agent) throw new HttpError(404, `no agent ${id}`);
  return json(200, agent);
}

export async function listAgents(rt: Runtime, request: Request): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'agent:read'));
  return signedPage(request.principal, 'agents', ListAgentsQuery.parse(request.query), (page) => rt.store.listAgentsPage(page));
}

/** A customer orders for itself; staff name the customer. The order waits for acceptance. */
export async function createOrder(rt: Runtime, request: Request): Promise<HttpResult> {
  const input = OrderRequestSchema.parse(request.body);
  allowOrThrow(decide(request.principal, 'order:create', input.customerId ? { customerId: input.customerId } : {}));
  // A customer orders for its own customer, named or not.
  const customerId = request.principal.customerId ?? input.customerId;
  if (!customerId) throw new HttpError(400, 'name the customer the order is for', { field: 'customerId' });
  if (!(await rt.store.getCustomer(customerId))) throw new HttpError(400, `unknown customer "${customerId}"`, { field: 'customerId' });
  const problems = orderProblems(rt.policy, input, request.now);
  if (problems.length > 0) throw new HttpError(400, problems.map((p) => `${p.field}: ${p.message}`).join('; '), { field: problems[0]!.field, errors: problems });
  const id = formatCaseNumber('SO', await rt.store.reserveNumbers('support-orders', 1));
  // Staff (supportPeriods.ordersTeam) are told of it.
  const order = withOrderMail(newOrder(rt.policy, id, customerId, input, request.now), 'order-placed', request.now);
  await rt.store.saveOrder(order);
  await sendOrderMail(order);
  return json(201, order, { location: `/support-orders/${id}` });
}

export async function getOrder(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  return json(200, await visibleOrder(rt, request, id, 'order:read'));
}

/** A customer reads only its own orders (through GSI1), never the ORDERS partition. */
export async function listOrders(rt: Runtime, request: Request): Promise<HttpResult> {
  const query = ListOrdersQuery.parse(request.query);
  allowOrThrow(decide(request.principal, 'order:list'));
  const own = request.principal.customerId; // a customer's: always its own
  const customerId = own ?? query.customer;
  // Checked before anything else is answered: no cursor is ever good for a list the caller cannot read.
  const binding = { list: 'support-orders', customer: query.customer ?? customerId, scope: callerScope(request.principal) };
  const cursor = await openCursor(query.cursor, binding);
  if (own && query.customer && query.customer !== own) return json(200, { items: [], cursor: null }); // as if it did not exist
  const result = await rt.store.listOrdersPage({ limit: query.limit, ...(cursor ? { cursor } : {}), ...(customerId ? { customerId } : {}) });
  return json(200, { items: result.items, cursor: await signCursor(result.cursor, binding) });
}

/** Staff: book an engineer for every period (all or none); pending with the reason when nobody is free. */
export async function acceptOrder(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const { engineerId } = AcceptOrderSchema.parse(request.body ?? {});
  const order = await visibleOrder(rt, request, id, 'order:accept');
  if (order.status === 'cancelled') throw new HttpError(409, `order ${id} is cancelled`, { field: 'status' });
  if (order.status === 'accepted') return json(200, order);
  const fixed = periodsFixed(order, request.now);
  if (fixed) throw new HttpError(409, `${fixed}: it can no longer be accepted; place a new order`, { field: 'periods' });
  const named = engineerId ? await rt.store.getAgent(engineerId) : undefined;
  if (engineerId && !named) throw new HttpError(400, `no agent ${engineerId}`, { field: 'engineerId' });
  const staffing = await staffOrder(rt, order, named);
  if (staffing.ok) await startPeriodExecutions(staffing.order);
  await sendOrderMail(staffing.order); // accepted, or pending (subject to availability)
  return json(200, staffing.order);
}

/**
 * New periods before any has started: the engineers are freed and, for an accepted order, booked
 * again; the periods' workflows are re-planned (the old executions end, new ones start).
 */
export async function changePeriods(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const { periods } = ChangePeriodsSchema.parse(request.body);
  return onFreshOrder(rt, request, id, 'order:change', async (order) => {
    if (order.status === 'cancelled') throw new HttpError(409, `order ${id} is cancelled`, { field: 'status' });
    const fixed = orderStarted(order) ? (periodsFixed(order, request.now) ?? `a period of order ${id} has started`) : undefined;
    if (fixed) throw new HttpError(409, `${fixed}; its periods can no longer change`, { field: 'periods' });
    const problems = orderProblems(rt.policy, { purpose: order.purpose, periods, pointOfContact: order.pointOfContact }, request.now);
    if (problems.length > 0) throw new HttpError(400, problems.map((p) => `${p.field}: ${p.message}`).join('; '), { field: problems[0]!.field, errors: problems });
    const replanned = await replanOrder(rt, order, replannedOrder(rt.policy, order, periods, request.now));
    await sendOrderMail(replanned);
    return json(200, replanned);
  });
}

/** Before a period starts: stops its execution and frees its engineer. A running period is not cancelled. */
export async function cancelSupportOrder(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  return onFreshOrder(rt, request, id, 'order:cancel', async (order) => {
    if (order.status === 'cancelled') return json(200, order);
    if (orderStarted(order)) {
      const fixed = periodsFixed(order, request.now) ?? `a period of order ${id} has started`;
      throw new HttpError(409, `${fixed}; an order whose period has started is not cancelled, its periods end on their own`, { field: 'status' });
    }
    return json(200, await cancelOrder(rt, order));
  });
}

const ORDER_ATTEMPTS = 5;

/**
 * A person's change to an order, on a fresh read: when the order changed between the read and the
 * write (its mail execution took out what it sent, a period step recorded its progress), read it
 * again and decide again, rather than answer 409 for a change nobody made to what they asked.
 */
async function onFreshOrder(rt: Runtime, request: Request, id: string, action: CustomerAction, act: (order: SupportOrder) => Promise<HttpResult>): Promise<HttpResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act(await visibleOrder(rt, request, id, action));
    } catch (error) {
      const orderChanged = error instanceof ConditionFailed && error.failedIndexes.includes(0);
      if (!orderChanged || attempt >= ORDER_ATTEMPTS) throw error;
    }
  }
}

/** An order the caller may do `action` to (core/access/authorize.ts); another customer's is "not found". */
async function visibleOrder(rt: Runtime, request: Request, id: string, action: CustomerAction): Promise<SupportOrder> {
  // Who may deal with support orders at all (not partner agents) is decided before any is read: nothing to probe.
  allowOrThrow(decide(request.principal, 'order:list'));
  const order = await rt.store.getOrder(id);
  if (!order) throw new HttpError(404, `no support order ${id}`);
  allowOrThrow(decide(request.principal, action, { customerId: order.customerId }));
  return order;
}
