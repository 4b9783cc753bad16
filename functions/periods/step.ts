/**
 * The steps of a support period's execution (statemachines/support-period.asl.json): plan (its
 * instants), notice (the engineer's details to the point of contact), start (routing on, "your
 * period has started"), update (how the period's tickets stand, every `updateEvery`), end
 * (routing off, the summary). Each re-reads the order: a cancelled
 * period answers `cancelled` and sends nothing. Mail errors are thrown for the state machine's
 * back-off (at-least-once, like the ticket workflow's mail).
 */
import * as z from 'zod/mini';
import { queueNotifications } from '../../core/notifications/outbox';
import { noticeMail, orderMails, startedMail, summaryMail, updateMail } from '../../core/periods/mails';
import { nextUpdateAt, noticeAt, type Period, type SupportOrder } from '../../core/periods/orders';
import { handOverAfterPeriod } from '../../core/periods/routing';
import { readerTimeZone } from '../../core/sla/target-words';
import type { Ticket } from '../../core/tickets/model';
import { sendMail } from '../notifications/send';
import { wakeTicket } from '../shared/executions';
import { lambdaHandler } from '../shared/lambda-handler';
import { getRuntime, type Runtime } from '../shared/runtime';
import { staffDirectory } from '../shared/staff-directory';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { periodExecutionName, updateOrder } from './orders';

// zod's mini build (~20 KB where the whole is ~180): this function validates nothing else with zod.
const StepEvent = z.object({
  orderId: z.string().check(z.minLength(1)),
  period: z.number().check(z.int(), z.minimum(0)),
  step: z.enum(['plan', 'notice', 'start', 'update', 'end', 'mail']),
  /** $$.Execution.Name: an execution of an order's earlier plan (its periods changed) acts no more. */
  execution: z.string().check(z.minLength(1)),
});

/**
 * Every field the step's state selects is always present (null when it does not apply): a
 * ResultSelector path that finds nothing fails the execution (States.Runtime).
 */
export interface StepResult {
  cancelled: boolean;
  noticeAt?: string | null;
  startAt?: string | null;
  endAt?: string | null;
  /** After start and update: when the next update to the point of contact is due; null when none is before the end. */
  updateAt?: string | null;
}

async function periodStep(event: unknown): Promise<StepResult> {
  const { orderId, period: index, step, execution } = StepEvent.parse(event);
  const rt = getRuntime();
  if (step === 'mail') return sendOrderOutbox(rt, orderId);
  const order = await rt.store.getOrder(orderId);
  const period = order?.periods[index];
  if (!order || !period || period.status === 'cancelled' || !period.engineerId || periodExecutionName(order, index) !== execution)
    return { cancelled: true, noticeAt: null, startAt: null, endAt: null, updateAt: null };
  switch (step) {
    case 'plan':
      return { cancelled: false, noticeAt: new Date(noticeAt(rt.policy, period, Date.now())).toISOString(), startAt: period.start, endAt: period.end };
    case 'notice':
      await sendMail({}, noticeMail(rt.policy, order, period, await engineer(rt, period), await contactZone(rt, order)));
      return { cancelled: false };
    case 'start': {
      const dedicated = await engineer(rt, period);
      await rt.store.setRouting(order.customerId, { orderId, period: index, engineerId: period.engineerId, engineerEmail: dedicated.email, contact: order.pointOfContact.email, until: period.end });
      await setPeriodStatus(rt, order, index, 'active');
      await sendMail({}, startedMail(rt.policy, order, period, dedicated, await contactZone(rt, order)));
      return { cancelled: false, updateAt: nextUpdateAt(rt.policy, period, Date.now()) ?? null };
    }
    case 'update': {
      const tickets = await ticketsOfPeriod(rt, order, index);
      // Nothing to tell before the first ticket; the start mail said who takes them.
      if (tickets.length) await sendMail({}, updateMail(rt.policy, order, period, tickets, Date.now(), await contactZone(rt, order)));
      return { cancelled: false, updateAt: nextUpdateAt(rt.policy, period, Date.now()) ?? null };
    }
    case 'end': {
      await rt.store.setRouting(order.customerId, undefined, { orderId, period: index });
      await setPeriodStatus(rt, order, index, 'ended');
      // Its tickets leave the engineer (a retried step hands over none twice); the summary says to whom.
      for (const ticket of await ticketsOfPeriod(rt, order, index)) await handOver(rt, ticket.id, orderId, index);
      await sendMail({}, summaryMail(rt.policy, order, period, await ticketsOfPeriod(rt, order, index), await contactZone(rt, order)));
      return { cancelled: false };
    }
  }
}

/** The zone the point of contact reads times in: their customer's, else its plan calendar's (as mail to a ticket's requester). */
async function contactZone(rt: Runtime, order: SupportOrder): Promise<string> {
  const customer = await rt.store.getCustomer(order.customerId);
  return readerTimeZone(rt.policy, customer?.timeZone, customer?.plan ?? rt.policy.defaultPlan);
}

async function engineer(rt: Runtime, period: Period) {
  const found = await rt.store.getAgent(period.engineerId!);
  if (!found) throw new Error(`engineer ${period.engineerId} of the period is not in the directory`);
  return found;
}

function setPeriodStatus(rt: Runtime, order: SupportOrder, index: number, status: Period['status']) {
  return updateOrder(rt, order.id, (o) =>
    o.periods[index]!.status === status || o.periods[index]!.status === 'cancelled' ? o : { ...o, periods: o.periods.map((p) => (p.index === index ? { ...p, status } : p)) },
  );
}

/** The customer's tickets routed to this period, oldest first. */
async function ticketsOfPeriod(rt: Runtime, order: SupportOrder, index: number): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  let cursor: string | undefined;
  do {
    const page = await rt.store.listByCustomer(order.customerId, { limit: 100, ...(cursor ? { cursor } : {}) });
    tickets.push(...page.items.filter((t) => t.dedicated?.orderId === order.id && t.dedicated.period === index));
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return tickets.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Hands the ticket over (core/periods/routing.ts), its new owner's mail in its outbox, and wakes its workflow to send it. */
async function handOver(rt: Runtime, ticketId: string, orderId: string, period: number): Promise<void> {
  const { written } = await updateTicketWithRetry(
    rt,
    (ticket, ctx) => {
      const change = handOverAfterPeriod(ticket, { orderId, period }, ctx);
      return change ? queueNotifications(change) : { ticket, events: [] };
    },
    { read: async () => (await rt.store.getTicket(ticketId))!, skipUnchanged: true },
  );
  if (written) await wakeTicket(ticketId);
}

/**
 * The mail step: takes what the order owes (orderMails) out of its outbox in a version-checked
 * write, then sends it. Two mail executions of one order can run at once (each write that queues
 * mail starts one): only the one whose write took an entry sends it, so no mail goes twice. What
 * SES refuses is put back, and the step fails so the state machine retries it.
 */
async function sendOrderOutbox(rt: Runtime, orderId: string): Promise<StepResult> {
  type Owed = NonNullable<SupportOrder['outbox']>;
  let taken: Owed = [];
  const order = await updateOrder(rt, orderId, (o) => {
    taken = o.outbox ?? [];
    if (!taken.length) return o;
    const { outbox: _outbox, ...without } = o;
    return without;
  });
  const context = { directory: await staffDirectory(rt) };
  const zone = taken.length ? await contactZone(rt, order!) : undefined;
  for (const [index, entry] of taken.entries()) {
    try {
      for (const mail of orderMails(rt.policy, order!, entry.kind, context, zone)) await sendMail({}, mail);
    } catch (error) {
      const unsent = taken.slice(index);
      await updateOrder(rt, orderId, (o) => ({ ...o, outbox: [...unsent, ...(o.outbox ?? [])] }));
      throw error;
    }
  }
  return { cancelled: false, noticeAt: null, startAt: null, endAt: null, updateAt: null };
}

export const handler = lambdaHandler(periodStep);
