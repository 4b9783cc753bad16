/**
 * Entitlement (core/entitlement.ts): who the requester is, whether the customer's contract and
 * plan hold, and which queue, plan and add-ons the ticket gets. The policy is a small inline
 * one, independent of the shipped presets.
 */
import { describe, expect, it } from 'vitest';
import { type Customer, type CustomerInput, CustomerSchema } from '../core/customer';
import { decideEntitlement, type EntitlementDecision, findCustomerForRequester, matchCustomers } from '../core/entitlement';
import { validatePolicy } from '../core/policy/load';
import type { Policy } from '../core/policy/schema';
import type { NewTicket } from '../core/tickets/rules';

function testPolicy(): Policy {
  const result = validatePolicy({
    id: 'test',
    name: 'Test Support',
    vendor: 'Test Software',
    defaultPlan: 'standard',
    severities: [{ id: '1', name: 'Critical' }],
    calendars: [
      { id: 'office', timeZone: 'UTC', businessDay: '8h', hours: { mon: [['09:00', '17:00']], fri: [['09:00', '17:00']] } },
      { id: 'always', timeZone: 'UTC', alwaysOpen: true },
    ],
    plans: [
      {
        id: 'standard',
        name: 'Standard',
        calendar: 'office',
        availableAddOns: ['24x7'],
        objectives: { '1': { firstResponse: { within: '4h' } } },
      },
      {
        id: 'premium',
        name: 'Premium',
        calendar: 'office',
        priorityQueue: true,
        designatedUsersLimit: 10,
        includedAddOns: ['tam'],
        availableAddOns: ['24x7'],
        objectives: { '1': { firstResponse: { within: '30m' } } },
      },
    ],
    addOns: [
      { id: 'tam', name: 'Technical Account Manager' },
      {
        id: '24x7',
        name: '24/7 Support',
        calendar: 'always',
        pricing: { blockSize: 10, perBlockMonthly: 100, customPricingFromUsers: 100 },
      },
    ],
    tiers: [{ id: 'L1', name: 'Level 1', team: 'frontline' }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const policy = testPolicy();
const AT = Date.parse('2026-03-15T12:00:00Z');

function customer(overrides: Partial<CustomerInput> = {}): Customer {
  return CustomerSchema.parse({
    id: 'acme',
    name: 'Acme Corp',
    plan: 'premium',
    addOns: ['24x7'],
    contract: { start: '2026-01-01', end: '2026-06-30' },
    designatedUsers: ['dana@acme.com'],
    contacts: [{ name: 'Carl Contact', email: 'carl@acme.com', phone: '+1 (555) 010-0001' }],
    emailDomains: ['acme.com'],
    phoneNumbers: ['+1 555 010 0099'],
    ...overrides,
  });
}

const elevenUsers = Array.from({ length: 11 }, (_, i) => `user${i + 1}@acme.com`);

describe('decideEntitlement: who the requester is', () => {
  it('entitles a contact matched by email on the standard queue', () => {
    // Prepare
    const acme = customer();

    // Act
    const decision = decideEntitlement(policy, acme, { email: ' Carl@ACME.com ' }, AT);

    // Assess
    expect(decision).toEqual({
      status: 'entitled',
      reasons: ['carl@acme.com is a contact of acme'],
      customerId: 'acme',
      plan: 'premium',
      addOns: ['tam', '24x7'],
      queue: 'standard',
      priority: false,
      designatedUser: false,
      designatedUsersOverLimit: false,
      matchedBy: 'contact-email',
    });
  });

  it('entitles a requester known only by the email domain, but not as a designated user', () => {
    // Prepare
    const acme = customer();

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'newhire@eu.acme.com' }, AT);

    // Assess
    expect(decision).toMatchObject({ status: 'entitled', matchedBy: 'email-domain', designatedUser: false, queue: 'standard' });
  });

  it('matches a caller by phone number however it is formatted', () => {
    // Prepare
    const acme = customer();

    // Act
    const contact = decideEntitlement(policy, acme, { phone: '+1-555-010-0001' }, AT);
    const switchboard = decideEntitlement(policy, acme, { phone: '001 555 0100099' }, AT);

    // Assess
    expect(contact).toMatchObject({ status: 'entitled', matchedBy: 'phone' });
    expect(switchboard).toMatchObject({ status: 'entitled', matchedBy: 'phone' });
  });

  it('puts a designated user of a priority plan on the priority queue', () => {
    // Prepare
    const acme = customer();

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'dana@acme.com' }, AT);

    // Assess
    expect(decision).toMatchObject({
      status: 'entitled',
      matchedBy: 'designated-user',
      designatedUser: true,
      priority: true,
      queue: 'priority',
    });
  });

  it('gives a designated user of a plan without a priority queue the standard queue', () => {
    // Prepare
    const acme = customer({ plan: 'standard', addOns: [] });

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'dana@acme.com' }, AT);

    // Assess
    expect(decision).toMatchObject({ status: 'entitled', plan: 'standard', designatedUser: true, priority: false, queue: 'standard' });
  });

  it('does not treat the 11th designated user of a 10-user plan as designated, and says so', () => {
    // Prepare
    const acme = customer({ designatedUsers: elevenUsers });

    // Act
    const tenth = decideEntitlement(policy, acme, { email: 'user10@acme.com' }, AT);
    const eleventh = decideEntitlement(policy, acme, { email: 'user11@acme.com' }, AT);

    // Assess
    expect(tenth).toMatchObject({ designatedUser: true, designatedUsersOverLimit: true, queue: 'priority' });
    expect(eleventh).toMatchObject({
      status: 'entitled',
      matchedBy: 'designated-user',
      designatedUser: false,
      designatedUsersOverLimit: true,
      priority: false,
      queue: 'standard',
    });
    expect(eleventh.reasons).toContain('acme names 11 designated users but plan premium allows 10; only the first 10 count as designated');
    expect(eleventh.reasons.some((reason) => reason.startsWith('user11@acme.com is designated user 11 of 11'))).toBe(true);
  });

  it('never treats a requester whose email failed authentication as a designated user', () => {
    // Prepare
    const acme = customer();

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'dana@acme.com' }, AT, { authFailed: true });

    // Assess
    expect(decision).toMatchObject({ status: 'entitled', designatedUser: false, priority: false, queue: 'standard' });
    expect(decision.reasons).toContain('email authentication failed: dana@acme.com is not treated as a designated user');
  });

  it('sends an unknown requester to triage as unverified, on the default plan', () => {
    // Prepare
    const requester = { email: 'stranger@example.org', name: 'Stranger' };

    // Act
    const decision = decideEntitlement(policy, undefined, requester, AT);

    // Assess
    expect(decision).toEqual({
      status: 'unverified',
      reasons: ['no customer matches requester stranger@example.org', 'default plan standard applies'],
      plan: 'standard',
      addOns: [],
      queue: 'triage',
      priority: false,
      designatedUser: false,
      designatedUsersOverLimit: false,
    });
  });

  it('leaves a requester who is not a contact of the given customer unverified', () => {
    // Prepare
    const acme = customer();

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'someone@other.com' }, AT);

    // Assess
    expect(decision).toMatchObject({ status: 'unverified', customerId: 'acme', plan: 'standard', queue: 'triage' });
    expect(decision.matchedBy).toBeUndefined();
    expect(decision.reasons[0]).toBe('requester someone@other.com is not a contact of acme');
  });
});

describe('decideEntitlement: contract, plan and add-ons', () => {
  it('does not entitle a customer whose contract has ended, without throwing', () => {
    // Prepare
    const acme = customer();
    const afterEnd = Date.parse('2026-07-02T12:00:00Z');

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'dana@acme.com' }, afterEnd);

    // Assess
    expect(decision).toMatchObject({
      status: 'not-entitled',
      plan: 'standard',
      addOns: [],
      queue: 'triage',
      priority: false,
      designatedUser: false,
    });
    expect(decision.reasons).toContain('contract ended 2026-06-30');
  });

  it('counts the last day of the contract as covered, and a contract that has not started as not entitled', () => {
    // Prepare
    const acme = customer();

    // Act
    const lastDay = decideEntitlement(policy, acme, { email: 'carl@acme.com' }, Date.parse('2026-06-30T23:00:00Z'));
    const early = decideEntitlement(policy, acme, { email: 'carl@acme.com' }, Date.parse('2025-12-30T12:00:00Z'));

    // Assess
    expect(lastDay.status).toBe('entitled');
    expect(early.status).toBe('not-entitled');
    expect(early.reasons).toContain('contract starts 2026-01-01');
  });

  it('reports add-ons that are unknown or not available on the plan and leaves them out', () => {
    // Prepare
    const acme = customer({ plan: 'standard', addOns: ['24x7', 'tam', 'gold-star'] });

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'carl@acme.com' }, AT);

    // Assess
    expect(decision.addOns).toEqual(['24x7']);
    expect(decision.reasons).toContain('add-on "tam" is not available on plan standard; ignored');
    expect(decision.reasons).toContain('add-on "gold-star" is not in the policy; ignored');
  });

  it('sends a customer whose plan the policy does not know to triage instead of failing', () => {
    // Prepare
    const acme = customer({ plan: 'gold' });

    // Act
    const decision = decideEntitlement(policy, acme, { email: 'dana@acme.com' }, AT);

    // Assess
    expect(decision).toMatchObject({ status: 'unverified', plan: 'standard', queue: 'triage', priority: false });
    expect(decision.reasons.some((reason) => reason.includes('unknown plan "gold"'))).toBe(true);
  });

  it('returns plain JSON that a ticket can store', () => {
    // Prepare
    const acme = customer();

    // Act
    const decision: EntitlementDecision = decideEntitlement(policy, acme, { email: 'dana@acme.com' }, AT);
    const forTicket: NewTicket['entitlement'] = decision;

    // Assess
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
    expect(forTicket.queue).toBe('priority');
  });
});

describe('findCustomerForRequester', () => {
  const acme = customer();
  const globex = customer({
    id: 'globex',
    name: 'Globex',
    designatedUsers: [],
    contacts: [{ name: 'Carl Contact', email: 'carl@acme.com' }],
    emailDomains: ['globex.com'],
    phoneNumbers: [],
  });
  const initech = customer({ id: 'initech', name: 'Initech', designatedUsers: [], contacts: [], emailDomains: ['initech.com'], phoneNumbers: [] });

  it('prefers an exact address over an email domain', () => {
    // Prepare
    const consultant = customer({ id: 'initech', contacts: [{ name: 'Ann', email: 'ann@globex.com' }], designatedUsers: [], emailDomains: [] });

    // Act
    const match = findCustomerForRequester([globex, consultant], { email: 'ann@globex.com' });

    // Assess
    expect(match?.customer.id).toBe('initech');
    expect(match?.matchedBy).toBe('contact-email');
  });

  it('finds a customer by domain or phone', () => {
    // Act
    const byDomain = findCustomerForRequester([acme, initech], { email: 'pat@initech.com' });
    const byPhone = findCustomerForRequester([acme, initech], { phone: '+15550100099' });

    // Assess
    expect(byDomain).toMatchObject({ customer: { id: 'initech' }, matchedBy: 'email-domain' });
    expect(byPhone).toMatchObject({ customer: { id: 'acme' }, matchedBy: 'phone' });
  });

  it('finds nobody when two customers claim the requester equally, and nobody for a stranger', () => {
    // Act
    const shared = findCustomerForRequester([acme, globex], { email: 'carl@acme.com' });
    const candidates = matchCustomers([acme, globex], { email: 'carl@acme.com' });
    const stranger = findCustomerForRequester([acme, globex, initech], { email: 'x@example.org' });

    // Assess
    expect(shared).toBeUndefined();
    expect(candidates.map((candidate) => candidate.customer.id)).toEqual(['acme', 'globex']);
    expect(stranger).toBeUndefined();
  });
});
