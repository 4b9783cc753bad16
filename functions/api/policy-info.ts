/**
 * GET /policy/severities: what a requester needs to choose a severity — each one's definition and
 * criteria (e.g. ADvendio's Functions / Data / Back End), and with a customer key (or, for staff,
 * `?customer=<id>`) what that customer is promised at each: the first-response and next-response
 * targets of its plan, measured on the calendar its add-ons put them on, in words.
 */
import * as z from 'zod/mini';
import { decide } from '../../core/access/authorize';
import { type Customer, contractStatus, isCustomerId } from '../../core/customer';
import { intakeSeverity } from '../../core/mail/ticket-mail';
import type { Policy } from '../../core/policy/schema';
import { identifier } from '../../core/schema-parts';
import { targetWords } from '../../core/sla/target-words';
import { type Metric, resolveTarget, TargetError } from '../../core/sla/targets';
import { HttpError, type HttpResult, json } from '../shared/http';
import { customerById } from '../shared/lookups';
import type { Runtime } from '../shared/runtime';
import { allowOrThrow, type Request } from './tickets';

export const SeveritiesQuery = z.strictObject({
  customer: z.optional(identifier()).check(z.describe("Staff: show this customer's targets. A customer key always sees its own.")),
});

export async function listSeverities(rt: Runtime, request: Request): Promise<HttpResult> {
  const query = SeveritiesQuery.parse(request.query);
  const { principal } = request;
  allowOrThrow(decide(principal, 'policy:read'));
  // A customer sees its own targets (asked for or not); staff the customer they name.
  const customerId = query.customer ?? principal.customerId;
  const customer = customerId && isCustomerId(customerId) ? await customerById(rt, customerId) : undefined;
  // After the read (a partner agent's customers are known from their records), with the same answer for no customer at all.
  allowOrThrow(decide(principal, 'policy:customer-targets', customerId ? { customerId, ...(customer?.partner ? { partnerId: customer.partner } : {}) } : {}));
  if (customerId && !customer) throw new HttpError(principal.customerId ? 404 : 400, `unknown customer "${customerId}"`, { field: 'customer' });
  const terms = customer ? customerTerms(rt.policy, customer, request.now) : undefined;
  return json(200, {
    defaultSeverity: intakeSeverity(rt.policy),
    ...(terms ? { plan: terms.plan } : {}),
    severities: rt.policy.severities.map((severity) => ({
      id: severity.id,
      name: severity.name,
      ...(severity.definition ? { definition: severity.definition.trim() } : {}),
      criteria: severity.criteria,
      ...(terms ? { targets: targetsFor(rt.policy, terms, severity.id) } : {}),
    })),
  });
}

interface Terms {
  plan: string;
  addOns: string[];
}

/** The plan whose targets a customer is promised: its own while its contract runs and the plan exists, else the default plan (as entitlement decides). */
function customerTerms(policy: Policy, customer: Customer, now: number): Terms {
  const plan = policy.plans.find((candidate) => candidate.id === customer.plan);
  if (!plan || contractStatus(customer.contract, now) !== 'active') {
    const fallback = policy.plans.find((candidate) => candidate.id === policy.defaultPlan)!;
    return { plan: fallback.id, addOns: [...fallback.includedAddOns] };
  }
  const allowed = new Set([...plan.includedAddOns, ...plan.availableAddOns]);
  return { plan: plan.id, addOns: customer.addOns.filter((addOn) => allowed.has(addOn)) };
}

const METRICS: [Metric, string][] = [
  ['first-response', 'firstResponse'],
  ['next-response', 'nextResponse'],
];

function targetsFor(policy: Policy, terms: Terms, severity: string): Record<string, { within: string; calendar: string; text: string }> {
  const targets: Record<string, { within: string; calendar: string; text: string }> = {};
  for (const [metric, key] of METRICS) {
    try {
      const target = resolveTarget(policy, { plan: terms.plan, severity, metric, addOns: terms.addOns });
      targets[key] = { within: target.within, calendar: target.calendar, text: targetWords(policy, target.within, target.calendar) };
    } catch (error) {
      // The plan sets no such target for this severity: nothing is promised.
      if (!(error instanceof TargetError)) throw error;
    }
  }
  return targets;
}

/** How far back and ahead GET /policy/desk gives each calendar's open hours: overdue badges look back, due ones ahead. */
const OPEN_HOURS_BACK_MS = 7 * 24 * 3_600_000;
const OPEN_HOURS_AHEAD_MS = 21 * 24 * 3_600_000;
const HOUR_MS = 3_600_000;

/**
 * GET /policy/desk: what the console needs to work cases (staff only; it names teams, which are
 * routing): the tiers with their entry requirements (the escalation form), the severities and case reasons, and
 * each calendar's open hours over a window around now (to show time left in business time). The
 * window starts on the hour, so the answer, and its ETag, stay the same for an hour.
 */
export async function deskPolicy(rt: Runtime, request: Request): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'policy:desk'));
  const { policy } = rt;
  const from = Math.floor(request.now / HOUR_MS) * HOUR_MS - OPEN_HOURS_BACK_MS;
  const to = from + OPEN_HOURS_BACK_MS + OPEN_HOURS_AHEAD_MS;
  return json(200, {
    tiers: policy.tiers.map((tier) => ({
      id: tier.id,
      name: tier.name,
      team: tier.team,
      operatedBy: tier.operatedBy,
      entryRequires: tier.entryRequires,
      ...(tier.entryCaseReasons ? { entryCaseReasons: tier.entryCaseReasons } : {}),
      ...(tier.severities ? { severities: tier.severities } : {}),
    })),
    severities: policy.severities.map((severity) => ({ id: severity.id, name: severity.name })),
    caseReasons: policy.caseReasons.map((reason) => ({ id: reason.id, name: reason.name })),
    calendars: policy.calendars.map((calendar) => ({
      id: calendar.id,
      ...(calendar.name ? { name: calendar.name } : {}),
      timeZone: calendar.timeZone,
      alwaysOpen: calendar.alwaysOpen,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      open: rt.planner
        .clock(calendar.id)
        .openIntervals(from, to)
        .map(([start, end]) => ({ from: new Date(start).toISOString(), to: new Date(end).toISOString() })),
    })),
  });
}
