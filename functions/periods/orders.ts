/**
 * Support orders in the store, and their period executions (statemachines/support-period.asl.json):
 * version-checked updates, booking an engineer for every period in one transaction, and starting
 * or stopping the executions. Shared by the API (orders, acceptance, cancellation) and the
 * period's own steps.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { type Agent, availableFor, bookedSlots, type Period, type SupportOrder, withOrderMail } from '../../core/periods/orders';
import { logger, type Runtime } from '../shared/runtime';
import { ConditionFailed, VersionConflictError } from '../store/dynamo-store';

const ATTEMPTS = 10;
let client: SFNClient | undefined;
const sfn = () => (client ??= new SFNClient({}));

/** Reads, changes and writes the order with its version check, again on a concurrent change. */
export async function updateOrder(rt: Runtime, id: string, change: (order: SupportOrder) => SupportOrder | undefined): Promise<SupportOrder | undefined> {
  for (let attempt = 1; ; attempt++) {
    const order = await rt.store.getOrder(id);
    if (!order) return undefined;
    const next = change(order);
    if (!next || next === order) return order;
    const saved = { ...next, version: order.version + 1, updatedAt: new Date().toISOString() };
    try {
      await rt.store.saveOrder(saved);
      return saved;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

export type Staffing = { ok: true; order: SupportOrder } | { ok: false; order: SupportOrder; reason: string };

/**
 * Books an engineer for every period of a pending order — the one named, or any available one
 * not booked elsewhere, preferring those in `prefer` and then the same engineer throughout — all
 * in one transaction. When a
 * period finds nobody, the order stays pending with the reason. A transaction that loses a race
 * for an engineer (another order took an hour meanwhile) chooses again.
 */
export async function staffOrder(rt: Runtime, order: SupportOrder, named?: Agent, prefer: string[] = []): Promise<Staffing> {
  for (let attempt = 1; ; attempt++) {
    const current = (await rt.store.getOrder(order.id)) ?? order;
    // Engineers the customer was already told about come first.
    const rank = (agent: Agent) => (prefer.includes(agent.id) ? 0 : 1);
    const candidates = named ? [named] : (await rt.store.listAgents()).sort((a, b) => rank(a) - rank(b));
    const chosen: { period: Period; engineer: Agent }[] = [];
    for (const period of current.periods) {
      const preferred = chosen.at(-1)?.engineer;
      const ordered = preferred ? [preferred, ...candidates.filter((a) => a.id !== preferred.id)] : candidates;
      let engineer: Agent | undefined;
      for (const candidate of ordered) {
        if (availableFor(candidate, period) && !(await rt.store.slotsTaken(candidate.id, bookedSlots(rt.policy, period), current.id))) {
          engineer = candidate;
          break;
        }
      }
      if (!engineer) {
        const reason = `subject to availability: ${named ? `${named.name} is not` : 'no engineer is'} free for period ${period.index} (${period.start} – ${period.end})`;
        // The point of contact hears that the order waits, once per reason (not on every attempt).
        const pending = await updateOrder(rt, current.id, (o) => (o.pendingReason === reason ? o : withOrderMail({ ...o, pendingReason: reason }, 'order-pending', Date.now())));
        return { ok: false, order: pending ?? current, reason };
      }
      chosen.push({ period, engineer });
    }
    const accepted: SupportOrder = {
      ...withOrderMail(current, 'order-accepted', Date.now()),
      version: current.version + 1,
      status: 'accepted',
      periods: current.periods.map((p) => ({ ...p, status: 'booked', engineerId: chosen[p.index]!.engineer.id })),
      updatedAt: new Date().toISOString(),
    };
    delete accepted.pendingReason;
    const slots = chosen.flatMap(({ period, engineer }) => bookedSlots(rt.policy, period).map((slot) => ({ engineerId: engineer.id, slot })));
    try {
      await rt.store.saveOrder(accepted, slots);
      return { ok: true, order: accepted };
    } catch (error) {
      // Lost the race for an engineer-hour (or the order changed): look again.
      if (!(error instanceof ConditionFailed) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Cancels the order's periods that have not started, freeing their engineers; running periods stay. */
export async function cancelOrder(rt: Runtime, order: SupportOrder): Promise<SupportOrder> {
  const cancelled: SupportOrder = {
    ...order,
    version: order.version + 1,
    status: 'cancelled',
    periods: order.periods.map((p) => (p.status === 'pending' || p.status === 'booked' ? { ...p, status: 'cancelled' } : p)),
    updatedAt: new Date().toISOString(),
  };
  const freed = order.periods.filter((p) => p.status === 'booked' && p.engineerId).flatMap((p) => bookedSlots(rt.policy, p).map((slot) => ({ engineerId: p.engineerId!, slot })));
  await rt.store.saveOrder(cancelled, [], freed);
  for (const period of order.periods) await stopPeriodExecution(order, period.index);
  return cancelled;
}

/**
 * New periods for an order none of whose periods has started: frees the old engineers, stops the
 * old executions, and — if the order was accepted — books anew and starts the new plan's executions.
 */
export async function replanOrder(rt: Runtime, order: SupportOrder, next: SupportOrder): Promise<SupportOrder> {
  const freed = order.periods.filter((p) => p.status === 'booked' && p.engineerId).flatMap((p) => bookedSlots(rt.policy, p).map((slot) => ({ engineerId: p.engineerId!, slot })));
  const saved = { ...next, version: order.version + 1 };
  await rt.store.saveOrder(saved, [], freed);
  for (const period of order.periods) await stopPeriodExecution(order, period.index);
  if (order.status !== 'accepted') return saved;
  const staffing = await staffOrder(
    rt,
    saved,
    undefined,
    order.periods.flatMap((p) => (p.engineerId ? [p.engineerId] : [])),
  );
  if (staffing.ok) await startPeriodExecutions(staffing.order);
  return staffing.order;
}

const PERIOD_MACHINE_ENV = 'TIERDESK_PERIOD_STATE_MACHINE_ARN';

/**
 * Sends the mails the order owes (its outbox) through an execution of the period machine that
 * runs only its mail step (input `mail: true`), named after the order's version so each write
 * that queued mail gets its own. Logs, never throws: the outbox stays until sent (the period
 * reconciler starts it again).
 */
export async function sendOrderMail(order: SupportOrder): Promise<void> {
  const stateMachineArn = process.env[PERIOD_MACHINE_ENV];
  if (!order.outbox?.length || !stateMachineArn) return;
  try {
    const name = `${order.id}-m${order.version}`;
    await sfn().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ orderId: order.id, period: 0, mail: true }) }));
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) logger.error("could not start the support order's mail", { orderId: order.id, error: error as Error });
  }
}

/** `<order>-p<index>`, and `…-v<plan>` once the order's periods were changed (a name stays taken for 90 days). */
export function periodExecutionName(order: Pick<SupportOrder, 'id' | 'plan'>, period: number): string {
  const plan = order.plan ?? 1;
  return plan === 1 ? `${order.id}-p${period}` : `${order.id}-p${period}-v${plan}`;
}

/** Starts the execution of each period still to come or running; a start already made is refused by name. Logs, never throws. */
export async function startPeriodExecutions(order: SupportOrder): Promise<void> {
  const stateMachineArn = process.env[PERIOD_MACHINE_ENV];
  if (!stateMachineArn) return void logger.warn(`${PERIOD_MACHINE_ENV} is not set: support periods get no workflow`, { orderId: order.id });
  for (const period of order.periods.filter((p) => p.status === 'booked' || p.status === 'active')) {
    try {
      const name = periodExecutionName(order, period.index);
      await sfn().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ orderId: order.id, period: period.index }) }));
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) logger.error('could not start a support period workflow', { orderId: order.id, period: period.index, error: error as Error });
    }
  }
}

/** Stops a period's execution if it runs (its next step would see the cancellation anyway). */
async function stopPeriodExecution(order: SupportOrder, period: number): Promise<void> {
  const stateMachineArn = process.env[PERIOD_MACHINE_ENV];
  if (!stateMachineArn) return;
  const orderId = order.id;
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${periodExecutionName(order, period)}`;
  try {
    const { status } = await sfn().send(new DescribeExecutionCommand({ executionArn }));
    if (status === 'RUNNING') await sfn().send(new StopExecutionCommand({ executionArn, error: 'Tierdesk.OrderCancelled', cause: 'the support order was cancelled' }));
  } catch (error) {
    if ((error as Error).name !== 'ExecutionDoesNotExist') logger.warn('could not stop a support period workflow', { orderId, period, error: error as Error });
  }
}
