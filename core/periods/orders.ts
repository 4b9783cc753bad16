/**
 * Dedicated support periods (issue [6]): a customer buys a named engineer for an event in blocks
 * of hours (the policy's `supportPeriods.blockHours`, 4 in the presets). The order, its periods,
 * the engineers who can be booked, and the rules of booking: an engineer is available for the
 * whole period and never booked for another customer's overlapping period. Pure.
 */
import { durationMs } from '../policy/duration';
import type { Policy } from '../policy/schema';
// Types only: the schemas (and the phone-number library they use) stay out of what does not validate requests.
import type { Agent, OrderRequest } from './requests';

export type { Agent, OrderRequest };

const HOUR_MS = 3_600_000;
/** Step Functions runs an execution for at most a year; a period's must end before that. */
export const MAX_DAYS_AHEAD = 360;
/** An order is booked in one transaction: one item per engineer per slot (an hour), at most 100 items. */
export const MAX_SLOTS_PER_ORDER = 96;

/** The booking grain: an hour, or a block when blocks are shorter (test policies). Periods start on it. */
export function slotMs(policy: Policy): number {
  return Math.min(HOUR_MS, Math.round(policy.supportPeriods!.blockHours * HOUR_MS));
}

/** Staff hear of a new order; the point of contact of its acceptance or that it waits (subject to availability). */
export type OrderMailKind = 'order-placed' | 'order-accepted' | 'order-pending';

/** The order with a mail queued (the newest few kept: an order retried for weeks must not grow). */
export function withOrderMail(order: SupportOrder, kind: OrderMailKind, now: number): SupportOrder {
  return { ...order, outbox: [...(order.outbox ?? []), { kind, at: new Date(now).toISOString() }].slice(-10) };
}

/**
 * Why the order's periods can no longer change (or be cancelled, or staffed), or undefined:
 * a period has ended, runs, or its start has passed.
 */
export function periodsFixed(order: SupportOrder, now: number): string | undefined {
  const ended = order.periods.find((p) => p.status === 'ended' || (p.status !== 'cancelled' && Date.parse(p.end) <= now));
  if (ended) return `period ${ended.index} of order ${order.id} has ended (${ended.end})`;
  const started = order.periods.find((p) => p.status === 'active' || (p.status !== 'cancelled' && Date.parse(p.start) <= now));
  if (started) return `period ${started.index} of order ${order.id} has started (${started.start})`;
  return undefined;
}

export type PeriodStatus = 'pending' | 'booked' | 'active' | 'ended' | 'cancelled';

export interface Period {
  index: number;
  start: string;
  end: string;
  hours: number;
  /** Blocks bought: hours / blockHours. */
  blocks: number;
  engineerId?: string;
  /** The dedicated number the customer calls during this period (the period's, else the order's, else the policy's). */
  phone?: string;
  status: PeriodStatus;
}

export interface SupportOrder {
  id: string;
  version: number;
  customerId: string;
  purpose: string;
  periods: Period[];
  pointOfContact: OrderRequest['pointOfContact'];
  phone?: string;
  notes?: string;
  status: 'pending' | 'accepted' | 'cancelled';
  /** Which plan of the periods is current (absent = 1): a change before the start makes a new plan, with new executions. */
  plan?: number;
  /** Why a pending order could not be staffed ("subject to availability"). */
  pendingReason?: string;
  /** Mails the order owes (core/periods/mails.ts orderMails), sent by the period machine's mail step and then taken out. */
  outbox?: { kind: OrderMailKind; at: string }[];
  createdAt: string;
  updatedAt: string;
}

/** Every problem of a request against the policy, each naming its field; empty when it can be taken. */
export function orderProblems(policy: Policy, request: OrderRequest, now: number): { field: string; message: string }[] {
  const settings = policy.supportPeriods;
  if (!settings) return [{ field: 'periods', message: `policy "${policy.id}" offers no dedicated support periods` }];
  const problems: { field: string; message: string }[] = [];
  if (!settings.purposes.some((p) => p.id === request.purpose)) {
    problems.push({ field: 'purpose', message: `unknown purpose "${request.purpose}" (offered: ${settings.purposes.map((p) => p.id).join(', ')})` });
  }
  const block = settings.blockHours;
  const slot = slotMs(policy);
  request.periods.forEach((period, i) => {
    const field = `periods.${i}`;
    const start = Date.parse(period.start);
    const blocks = period.hours / block;
    if (!(Math.round(blocks) >= 1) || Math.abs(blocks - Math.round(blocks)) > 1e-9) {
      problems.push({ field: `${field}.hours`, message: `periods are sold in blocks of ${block} hours: ${period.hours} is not a positive multiple of ${block}` });
    }
    if (start % slot !== 0) problems.push({ field: `${field}.start`, message: slot === HOUR_MS ? 'a period starts on the hour' : `a period starts on a ${slot / 1000}-second boundary` });
    if (start <= now) problems.push({ field: `${field}.start`, message: 'a period starts in the future' });
    if (start + Math.round(period.hours * HOUR_MS) > now + MAX_DAYS_AHEAD * 24 * HOUR_MS) {
      problems.push({ field: `${field}.start`, message: `a period ends within ${MAX_DAYS_AHEAD} days of the order` });
    }
  });
  const slots = request.periods.reduce((sum, p) => sum + Math.max(0, (p.hours * HOUR_MS) / slot), 0);
  if (slots > MAX_SLOTS_PER_ORDER) {
    problems.push({ field: 'periods', message: `at most ${(MAX_SLOTS_PER_ORDER * slot) / HOUR_MS} hours per order; place another order for more` });
  }
  const spans = request.periods.map((p, i) => ({ i, from: Date.parse(p.start), to: Date.parse(p.start) + Math.round(p.hours * HOUR_MS) }));
  for (const a of spans) for (const b of spans) if (a.i < b.i && a.from < b.to && b.from < a.to) problems.push({ field: `periods.${b.i}.start`, message: `overlaps period ${a.i}` });
  return problems;
}

/**
 * The order with new periods, before any has started: a new plan, pending until staffed again
 * (the caller frees the old engineers' slots and books anew).
 */
export function replannedOrder(policy: Policy, order: SupportOrder, periods: OrderRequest['periods'], now: number): SupportOrder {
  const fresh = newOrder(policy, order.id, order.customerId, { purpose: order.purpose, periods, pointOfContact: order.pointOfContact, ...(order.phone ? { phone: order.phone } : {}) }, now);
  const { pendingReason: _pendingReason, ...rest } = order;
  return { ...rest, periods: fresh.periods, status: 'pending', plan: (order.plan ?? 1) + 1, updatedAt: fresh.updatedAt };
}

/** A period has started (or ended): the order can no longer change. */
export function orderStarted(order: SupportOrder): boolean {
  return order.periods.some((p) => p.status === 'active' || p.status === 'ended');
}

export function newOrder(policy: Policy, id: string, customerId: string, request: OrderRequest, now: number): SupportOrder {
  const at = new Date(now).toISOString();
  const block = policy.supportPeriods!.blockHours;
  const phone = request.phone ?? policy.supportPeriods!.phoneNumber;
  return {
    id,
    version: 1,
    customerId,
    purpose: request.purpose,
    periods: request.periods.map((p, index) => {
      const periodPhone = p.phone ?? phone;
      return {
        index,
        start: new Date(Date.parse(p.start)).toISOString(),
        end: new Date(Date.parse(p.start) + Math.round(p.hours * HOUR_MS)).toISOString(),
        hours: p.hours,
        blocks: Math.round(p.hours / block),
        ...(periodPhone ? { phone: periodPhone } : {}),
        status: 'pending' as const,
      };
    }),
    pointOfContact: request.pointOfContact,
    ...(phone ? { phone } : {}),
    ...(request.notes ? { notes: request.notes } : {}),
    status: 'pending',
    createdAt: at,
    updatedAt: at,
  };
}

/** The slots a period covers, as keys: two periods overlap exactly when they share one. */
export function bookedSlots(policy: Policy, period: Pick<Period, 'start' | 'end'>): string[] {
  const slot = slotMs(policy);
  const slots: string[] = [];
  for (let t = Date.parse(period.start); t < Date.parse(period.end); t += slot) slots.push(new Date(t).toISOString());
  return slots;
}

/** The engineer is available for the whole period (inside one availability window). */
export function availableFor(agent: Agent, period: Pick<Period, 'start' | 'end'>): boolean {
  const from = Date.parse(period.start);
  const to = Date.parse(period.end);
  return agent.availability.some((window) => Date.parse(window.from) <= from && Date.parse(window.to) >= to);
}

/** When the point of contact hears who the engineer is: `contactNoticeDays` before the start (at once if that has passed). */
export function noticeAt(policy: Policy, period: Pick<Period, 'start'>, now: number): number {
  return Math.max(now, Date.parse(period.start) - policy.supportPeriods!.contactNoticeDays * 24 * HOUR_MS);
}

/**
 * When the point of contact next hears how the period's tickets stand: every `updateEvery` from
 * the start, the first after `now`; none at or after the end (the summary says it all), none
 * without `updateEvery`. A business day counts as 24 hours here: a period has no business hours.
 */
export function nextUpdateAt(policy: Policy, period: Pick<Period, 'start' | 'end'>, now: number): string | undefined {
  const every = policy.supportPeriods?.updateEvery;
  if (!every) return undefined;
  const step = durationMs(every, 24 * HOUR_MS);
  const start = Date.parse(period.start);
  const at = start + Math.max(1, Math.floor((now - start) / step) + 1) * step;
  return at < Date.parse(period.end) ? new Date(at).toISOString() : undefined;
}
