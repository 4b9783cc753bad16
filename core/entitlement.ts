/**
 * Entitlement: is the requester a contact of a customer with a valid plan, and which queue,
 * plan and add-ons apply to the ticket. Nobody is turned away: an unknown requester or a
 * lapsed customer still gets a ticket, in the triage queue, on the policy's default plan, and
 * the reasons tell the agent why.
 */
import type { Customer } from './customer';
import { contractStatus, emailDomain, normaliseEmail, normalisePhone } from './customer-rules';
import type { PlanSpec, Policy } from './policy/schema';
import { findPlan, TargetError } from './sla/targets';

export type EntitlementStatus = 'entitled' | 'unverified' | 'not-entitled';
export type Queue = 'priority' | 'standard' | 'triage';
export type MatchedBy = 'contact-email' | 'designated-user' | 'email-domain' | 'phone';

export interface RequesterIdentity {
  email?: string;
  phone?: string;
  name?: string;
}

/** Plain JSON: stored on the ticket as made, so a later policy or customer change does not rewrite history. */
export interface EntitlementDecision {
  status: EntitlementStatus;
  /** Human-readable, for the agent and the ticket timeline. */
  reasons: string[];
  customerId?: string;
  /** The plan whose targets apply: the customer's when entitled, else the policy's default plan. */
  plan: string;
  /** Included and bought add-ons the plan allows. */
  addOns: string[];
  queue: Queue;
  priority: boolean;
  /** A designated user within the plan's limit, on an entitled customer, not failing email authentication. */
  designatedUser: boolean;
  /** The customer names more designated users than its plan allows. */
  designatedUsersOverLimit: boolean;
  /** Present (true) when an add-on grants early code fixes through accelerated releases (policy addOns[].grants). */
  priorityUpdates?: true;
  matchedBy?: MatchedBy;
}

/**
 * Whether these add-ons give the customer priority updates: fixes of cases at a code-fix tier
 * ship early, through accelerated releases, instead of with the next service pack or patch.
 */
export function grantsPriorityUpdates(policy: Policy, addOns: readonly string[]): boolean {
  return policy.addOns.some((addOn) => addOns.includes(addOn.id) && addOn.grants.includes('priorityUpdates'));
}

export interface CustomerMatch {
  customer: Customer;
  matchedBy: MatchedBy;
}

/** An exact address beats a phone number, which beats a domain (anyone at acme.com). */
const STRENGTH: Record<MatchedBy, number> = { 'designated-user': 0, 'contact-email': 0, phone: 1, 'email-domain': 2 };

/** How the requester belongs to this customer, the strongest way first; undefined if not at all. */
export function matchRequester(customer: Customer, requester: RequesterIdentity): MatchedBy | undefined {
  const email = requester.email ? normaliseEmail(requester.email) : undefined;
  const phone = requester.phone ? normalisePhone(requester.phone) : undefined;
  if (email && customer.designatedUsers.includes(email)) return 'designated-user';
  if (email && customer.contacts.some((contact) => contact.email === email)) return 'contact-email';
  if (phone && (customer.phoneNumbers.includes(phone) || customer.contacts.some((contact) => contact.phone === phone))) {
    return 'phone';
  }
  // A company owns its subdomains: jo@eu.acme.com belongs to acme.com.
  const domain = email ? emailDomain(email) : undefined;
  if (domain && customer.emailDomains.some((known) => domain === known || domain.endsWith(`.${known}`))) {
    return 'email-domain';
  }
  return undefined;
}

/** Every customer the requester matches, strongest match first. */
export function matchCustomers(customers: readonly Customer[], requester: RequesterIdentity): CustomerMatch[] {
  return customers
    .flatMap((customer) => {
      const matchedBy = matchRequester(customer, requester);
      return matchedBy ? [{ customer, matchedBy }] : [];
    })
    .sort((a, b) => STRENGTH[a.matchedBy] - STRENGTH[b.matchedBy]);
}

/**
 * The one customer the requester belongs to. When two customers claim the requester equally
 * (a consultant listed at two accounts) there is none: guessing could give one customer's
 * entitlement to another's case, so the ticket goes to triage; `matchCustomers` lists them.
 */
export function findCustomerForRequester(customers: readonly Customer[], requester: RequesterIdentity): CustomerMatch | undefined {
  const [best, next] = matchCustomers(customers, requester);
  if (!best || (next && STRENGTH[next.matchedBy] === STRENGTH[best.matchedBy])) return undefined;
  return best;
}

export function decideEntitlement(policy: Policy, customer: Customer | undefined, requester: RequesterIdentity, at: number, options: { authFailed?: boolean } = {}): EntitlementDecision {
  const defaultPlan = findPlan(policy);
  if (!customer) {
    return {
      status: 'unverified',
      reasons: [`no customer matches ${describeRequester(requester)}`, `default plan ${defaultPlan.id} applies`],
      plan: defaultPlan.id,
      addOns: [...defaultPlan.includedAddOns],
      queue: 'triage',
      priority: false,
      designatedUser: false,
      designatedUsersOverLimit: false,
      ...(grantsPriorityUpdates(policy, defaultPlan.includedAddOns) ? { priorityUpdates: true as const } : {}),
    };
  }

  const reasons: string[] = [];
  const matchedBy = matchRequester(customer, requester);
  reasons.push(matchedBy ? matchText(customer, requester, matchedBy) : `${describeRequester(requester)} is not a contact of ${customer.id}`);

  const contract = contractStatus(customer.contract, at);
  if (contract === 'not-started') reasons.push(`contract starts ${customer.contract.start}`);
  if (contract === 'ended') reasons.push(`contract ended ${customer.contract.end}`);

  let plan: PlanSpec | undefined;
  try {
    plan = findPlan(policy, customer.plan);
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    reasons.push(`${customer.id} has ${error.message}`);
  }

  // A broken customer record (unknown plan) is the vendor's mistake, not the customer's: triage, not refusal.
  const status: EntitlementStatus = !matchedBy || !plan ? 'unverified' : contract === 'active' ? 'entitled' : 'not-entitled';
  const applied = status === 'entitled' ? plan! : defaultPlan;
  if (status !== 'entitled') reasons.push(`default plan ${defaultPlan.id} applies`);

  // Only the first `limit` designated users count: the order of the list is the customer's choice.
  const limit = plan?.designatedUsersLimit;
  const listed = customer.designatedUsers;
  const overLimit = limit !== undefined && listed.length > limit;
  if (overLimit) {
    reasons.push(`${customer.id} names ${listed.length} designated users but plan ${plan!.id} allows ${limit}; only the first ${limit} count as designated`);
  }
  const email = requester.email ? normaliseEmail(requester.email) : undefined;
  const position = email ? listed.indexOf(email) : -1;
  let designatedUser = false;
  if (position >= 0) {
    if (limit !== undefined && position >= limit) {
      reasons.push(`${email} is designated user ${position + 1} of ${listed.length}, beyond the limit of ${limit}: not treated as designated`);
    } else if (options.authFailed) {
      // The address may be forged: never hand a forged sender a designated user's priority.
      reasons.push(`email authentication failed: ${email} is not treated as a designated user`);
    } else {
      designatedUser = status === 'entitled';
    }
  }

  const addOns = new Set(applied.includedAddOns);
  if (plan) {
    const allowed = new Set([...plan.includedAddOns, ...plan.availableAddOns]);
    for (const id of customer.addOns) {
      if (!policy.addOns.some((addOn) => addOn.id === id)) reasons.push(`add-on "${id}" is not in the policy; ignored`);
      else if (!allowed.has(id)) reasons.push(`add-on "${id}" is not available on plan ${plan.id}; ignored`);
      else if (status === 'entitled') addOns.add(id);
    }
  }

  const priority = status === 'entitled' && applied.priorityQueue && designatedUser;
  if (priority) reasons.push(`designated user on plan ${applied.id}: priority queue`);
  const priorityUpdates = grantsPriorityUpdates(policy, [...addOns]);
  if (priorityUpdates) reasons.push('priority updates: code fixes ship early through accelerated releases');

  return {
    status,
    reasons,
    customerId: customer.id,
    plan: applied.id,
    addOns: [...addOns],
    queue: status !== 'entitled' ? 'triage' : priority ? 'priority' : 'standard',
    priority,
    designatedUser,
    designatedUsersOverLimit: overLimit,
    ...(priorityUpdates ? { priorityUpdates: true as const } : {}),
    ...(matchedBy ? { matchedBy } : {}),
  };
}

function describeRequester(requester: RequesterIdentity): string {
  const who = requester.email?.trim() || requester.phone?.trim() || requester.name?.trim();
  return who ? `requester ${who}` : 'an anonymous requester';
}

function matchText(customer: Customer, requester: RequesterIdentity, matchedBy: MatchedBy): string {
  const email = requester.email ? normaliseEmail(requester.email) : '';
  switch (matchedBy) {
    case 'designated-user':
      return `${email} is a designated user of ${customer.id}`;
    case 'contact-email':
      return `${email} is a contact of ${customer.id}`;
    case 'phone':
      return `${normalisePhone(requester.phone ?? '')} is a phone number of ${customer.id}`;
    case 'email-domain':
      return `${emailDomain(email)} is an email domain of ${customer.id}`;
  }
}
