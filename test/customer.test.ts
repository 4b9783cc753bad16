/**
 * The customer model (core/customer.ts): validation, normalisation of addresses, domains and
 * phone numbers, and the contract window.
 */
import { describe, expect, it } from 'vitest';
import { CustomerSchema, contractStatus, customerPolicyProblem, emailDomain, normalisePhone } from '../core/customer';
import { loadPolicy } from '../core/policy/files';

const minimal = { id: 'acme', name: 'Acme Corp', plan: 'standard' };

describe('CustomerSchema', () => {
  it('fills defaults for a minimal customer', () => {
    // Act
    const customer = CustomerSchema.parse(minimal);

    // Assess
    expect(customer).toEqual({
      id: 'acme',
      name: 'Acme Corp',
      plan: 'standard',
      addOns: [],
      contract: {},
      designatedUsers: [],
      contacts: [],
      emailDomains: [],
      phoneNumbers: [],
    });
  });

  it('normalises emails, domains and phone numbers and drops duplicates, keeping the order', () => {
    // Prepare
    const input = {
      ...minimal,
      designatedUsers: [' Dana@ACME.com', 'bo@acme.com', 'dana@acme.com'],
      contacts: [{ name: 'Carl', email: 'CARL@Acme.Com ', phone: '+49 (0)30 1234-5678', role: 'primary' }],
      emailDomains: ['@ACME.com', 'acme.co.uk.'],
      phoneNumbers: ['+1 (555) 010-0001', '0044 20 7946 0000', 'tel:+1.555.010.0001'],
    };

    // Act
    const customer = CustomerSchema.parse(input);

    // Assess
    expect(customer.designatedUsers).toEqual(['dana@acme.com', 'bo@acme.com']);
    expect(customer.contacts).toEqual([{ name: 'Carl', email: 'carl@acme.com', phone: '+493012345678', role: 'primary' }]);
    expect(customer.emailDomains).toEqual(['acme.com', 'acme.co.uk']);
    expect(customer.phoneNumbers).toEqual(['+15550100001', '+442079460000']);
  });

  it('rejects bad addresses, domains, phone numbers, ids and contracts, naming the field', () => {
    // Prepare
    const bad = {
      id: 'acme corp',
      name: '',
      plan: 'gold plan',
      designatedUsers: ['not-an-email'],
      emailDomains: ['gmail.com', 'acme'],
      phoneNumbers: ['call reception'],
      contract: { start: '2026-07-01', end: '2026-06-30' },
      extra: true,
    };

    // Act
    const result = CustomerSchema.safeParse(bad);

    // Assess
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'name', 'plan', 'designatedUsers.0', 'emailDomains.0', 'emailDomains.1', 'phoneNumbers.0', 'contract.end', '']));
  });

  it('accepts contract dates and instants with an offset, but not instants without one', () => {
    // Act
    const dates = CustomerSchema.safeParse({ ...minimal, contract: { start: '2026-01-01', end: '2026-12-31T23:59:59+01:00' } });
    const local = CustomerSchema.safeParse({ ...minimal, contract: { end: '2026-12-31T23:59:59' } });

    // Assess
    expect(dates.success).toBe(true);
    expect(local.success).toBe(false);
  });
});

describe('normalisePhone and emailDomain', () => {
  it.each([
    ['+1 (555) 010-0001', '+15550100001'],
    ['0049 30 123456', '+4930123456'],
    ['+49 (0) 30 123456', '+4930123456'],
    ['030 / 123 456', '030123456'],
    [' tel:+44-20-7946-0000 ', '+442079460000'],
  ])('normalises %j to %j', (raw, expected) => {
    // Act
    const normalised = normalisePhone(raw);

    // Assess
    expect(normalised).toBe(expected);
  });

  it('reads the domain of an address, and nothing from a non-address', () => {
    // Act
    const domain = emailDomain('Jo@EU.Acme.com');
    const none = emailDomain('jo');

    // Assess
    expect(domain).toBe('eu.acme.com');
    expect(none).toBeUndefined();
  });
});

describe('contractStatus', () => {
  const contract = { start: '2026-01-01', end: '2026-06-30' };

  it.each([
    ['2025-12-31T09:00:00Z', 'not-started'],
    // Already 1 January at UTC+14 (Kiribati): the start date has begun somewhere.
    ['2025-12-31T10:00:00Z', 'active'],
    ['2026-03-15T12:00:00Z', 'active'],
    // Still 30 June at UTC−12: the end date lasts until then.
    ['2026-07-01T11:59:59Z', 'active'],
    ['2026-07-01T12:00:00Z', 'ended'],
  ] as const)('at %s the contract is %s', (at, expected) => {
    // Act
    const status = contractStatus(contract, Date.parse(at));

    // Assess
    expect(status).toBe(expected);
  });

  it('treats an instant as exact and an open-ended contract as active', () => {
    // Prepare
    const end = '2026-06-30T17:00:00+02:00';

    // Act
    const before = contractStatus({ end }, Date.parse('2026-06-30T14:59:59Z'));
    const after = contractStatus({ end }, Date.parse('2026-06-30T15:00:00Z'));
    const open = contractStatus({}, 0);

    // Assess
    expect([before, after, open]).toEqual(['active', 'ended', 'active']);
  });
});

describe('customerPolicyProblem', () => {
  const caret = loadPolicy('caret');

  it('accepts a plan and add-ons the policy offers', () => {
    expect(customerPolicyProblem(caret, { plan: 'standard', addOns: ['support-24x7'] })).toBeUndefined();
  });

  it('names the field of an unknown plan or an add-on the plan does not offer', () => {
    expect(customerPolicyProblem(caret, { plan: 'gold', addOns: [] })).toMatchObject({ field: 'plan', message: expect.stringContaining('unknown plan "gold"') });
    expect(customerPolicyProblem(caret, { plan: 'standard', addOns: ['support-24x7', 'nope'] })).toEqual({
      field: 'addOns.1',
      message: 'plan "standard" does not offer add-on "nope"',
    });
  });
});
