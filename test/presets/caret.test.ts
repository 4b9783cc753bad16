/**
 * CARET Premium Support, TAM and 24/7 Support (support document 001), worked examples.
 *
 * Time zone: every CARET calendar in the preset is America/New_York (US Eastern: EST = UTC-5
 * in winter, EDT = UTC-4 from 8 March 2026). Opening times are written with their local
 * offset; due instants are asserted in UTC.
 *   - Severity 1 and 2: Monday–Friday, 24 hours a day (no holidays).
 *   - Severity 3: regular business hours, Monday–Friday 09:00–17:00, US public holidays closed.
 *   - 24/7 Support add-on: every objective on an always-open calendar.
 */
import { describe, expect, it } from 'vitest';
import { type Customer, CustomerSchema } from '../../core/customer';
import { decideEntitlement } from '../../core/entitlement';
import { loadPolicy } from '../../core/policy/files';
import { SlaPlanner, type TargetQuery } from '../../core/sla/targets';
import { applyDueSlaEvents } from '../../core/tickets/breaches';
import type { Ticket } from '../../core/tickets/model';
import { openTicket, type RuleContext } from '../../core/tickets/rules';

const policy = loadPolicy('caret');
const planner = new SlaPlanner(policy);

/** When the target of `query` falls due for a case opened at `opened`, as a UTC ISO string. */
function dueAt(query: TargetQuery, opened: string): string {
  return new Date(planner.due(query, Date.parse(opened)).due).toISOString();
}

describe('CARET Premium Support: initial response objectives from the document table', () => {
  it('Severity 1 opened Friday 23:50 is due Monday 00:20 (30 minutes, M–F 24 hours a day)', () => {
    // Prepare: Friday 6 February 2026, 23:50 New York time.
    const opened = '2026-02-06T23:50:00-05:00';

    // Act
    const { due, target, timeZone } = planner.due({ plan: 'premium', severity: 'sev1' }, Date.parse(opened));

    // Assess: 10 minutes on Friday, the weekend does not count, 20 minutes on Monday.
    expect(new Date(due).toISOString()).toBe('2026-02-09T05:20:00.000Z'); // Monday 00:20 EST
    expect(target).toMatchObject({ within: '30m', calendar: 'weekdays-24h' });
    expect(timeZone).toBe('America/New_York');
  });

  it('Severity 2 opened Friday 23:00 is due Monday 01:00, across the switch to summer time (2 hours, M–F 24 h/day)', () => {
    // Prepare: Friday 6 March 2026, 23:00 EST; clocks go forward on Sunday 8 March.
    const opened = '2026-03-06T23:00:00-05:00';

    // Act
    const due = dueAt({ plan: 'premium', severity: 'sev2' }, opened);

    // Assess: 1 hour on Friday, 1 hour on Monday, now on EDT (UTC-4).
    expect(due).toBe('2026-03-09T05:00:00.000Z'); // Monday 01:00 EDT
  });

  it('Severity 3 opened Friday 16:00 is due Monday 12:00 (4 regular business hours)', () => {
    // Prepare: Friday 6 February 2026, 16:00 EST.
    const opened = '2026-02-06T16:00:00-05:00';

    // Act
    const { due, target } = planner.due({ plan: 'premium', severity: 'sev3' }, Date.parse(opened));

    // Assess: 1 business hour on Friday (16–17), 3 on Monday (09–12).
    expect(new Date(due).toISOString()).toBe('2026-02-09T17:00:00.000Z'); // Monday 12:00 EST
    expect(target).toMatchObject({ within: '4h', calendar: 'business-hours' });
  });

  it('Severity 3 opened the Friday before Martin Luther King Jr. Day is due Tuesday 11:00 (the holiday is not a business day)', () => {
    // Prepare: Friday 16 January 2026, 15:00 EST; Monday 19 January is a US public holiday.
    const opened = '2026-01-16T15:00:00-05:00';

    // Act
    const due = dueAt({ plan: 'premium', severity: 'sev3' }, opened);

    // Assess: 2 business hours on Friday, none on Monday, 2 on Tuesday.
    expect(due).toBe('2026-01-20T16:00:00.000Z'); // Tuesday 11:00 EST
  });

  it('Severity 1 on Martin Luther King Jr. Day is still due 30 minutes later (the M–F 24-hour clock names no holidays)', () => {
    // Prepare: Monday 19 January 2026, 03:00 EST.
    const opened = '2026-01-19T03:00:00-05:00';

    // Act
    const due = dueAt({ plan: 'premium', severity: 'sev1' }, opened);

    // Assess
    expect(due).toBe('2026-01-19T08:30:00.000Z'); // Monday 03:30 EST
  });
});

describe('CARET 24/7 Support add-on: every objective on the always-open calendar', () => {
  it('Premium Severity 1 opened Saturday 10:00 with 24/7 Support is due Saturday 10:30; without it, Monday 00:30', () => {
    // Prepare: Saturday 7 February 2026, 10:00 EST.
    const opened = '2026-02-07T10:00:00-05:00';

    // Act
    const with247 = planner.due({ plan: 'premium', severity: 'sev1', addOns: ['support-24x7'] }, Date.parse(opened));
    const without = dueAt({ plan: 'premium', severity: 'sev1' }, opened);

    // Assess
    expect(new Date(with247.due).toISOString()).toBe('2026-02-07T15:30:00.000Z'); // Saturday 10:30 EST
    expect(with247.target.calendar).toBe('always');
    expect(without).toBe('2026-02-09T05:30:00.000Z'); // Monday 00:30 EST
  });

  it('Premium Severity 3 opened Friday 16:00 with 24/7 Support is due Friday 20:00 (4 clock hours)', () => {
    // Prepare: Friday 6 February 2026, 16:00 EST.
    const opened = '2026-02-06T16:00:00-05:00';

    // Act
    const due = dueAt({ plan: 'premium', severity: 'sev3', addOns: ['support-24x7'] }, opened);

    // Assess
    expect(due).toBe('2026-02-07T01:00:00.000Z'); // Friday 20:00 EST
  });

  it('is priced at $100 a month per started block of 10 users, custom from 100 users, with no base price', () => {
    // Act
    const addOn = policy.addOns.find((a) => a.id === 'support-24x7');

    // Assess
    expect(addOn?.calendar).toBe('always');
    expect(addOn?.pricing).toEqual({
      currency: 'USD',
      baseMonthly: 0,
      blockSize: 10,
      perBlockMonthly: 100,
      customPricingFromUsers: 100,
    });
    expect(policy.calendars.find((c) => c.id === 'always')?.alwaysOpen).toBe(true);
  });
});

describe('CARET plans and entitlement', () => {
  it('Premium allows up to 10 designated users on the priority queue, with a TAM included and a weekly case review', () => {
    // Act
    const premium = policy.plans.find((p) => p.id === 'premium');

    // Assess
    expect(premium).toMatchObject({
      priorityQueue: true,
      designatedUsersLimit: 10,
      includedAddOns: ['tam'],
      availableAddOns: ['support-24x7'],
      caseReview: 'weekly',
    });
  });

  it('Standard (chosen by tierdesk) Severity 1 opened Friday 16:00 is due Monday 12:00 (4 business hours)', () => {
    // Prepare: Friday 6 February 2026, 16:00 EST; Standard is the default plan.
    const opened = '2026-02-06T16:00:00-05:00';

    // Act
    const { due, target } = planner.due({ severity: 'sev1' }, Date.parse(opened));

    // Assess
    expect(target.plan).toBe('standard');
    expect(new Date(due).toISOString()).toBe('2026-02-09T17:00:00.000Z'); // Monday 12:00 EST
  });
});

describe("CARET priority queue: the designated Users' cases only (real preset)", () => {
  const acme: Customer = CustomerSchema.parse({
    id: 'acme',
    name: 'Acme Law',
    plan: 'premium',
    contract: { start: '2026-01-01', end: '2026-12-31' },
    designatedUsers: ['dana@acme.example'],
    contacts: [{ name: 'Carl', email: 'carl@acme.example' }],
    emailDomains: ['acme.example'],
    phoneNumbers: [],
  });
  let ids = 0;
  const ctx = (at: number): RuleContext => ({ policy, planner, now: at, newId: () => `e${++ids}` });
  /** Tuesday 3 February 2026, 10:00 EST. */
  const OPENED = Date.parse('2026-02-03T10:00:00-05:00');
  const open = (email: string, severity: string, opened = OPENED): Ticket => {
    const decision = decideEntitlement(policy, acme, { email }, opened);
    const { customerId: _c, matchedBy: _m, priority: _p, designatedUsersOverLimit: _o, ...entitlement } = decision;
    return openTicket(
      { id: `t-${++ids}`, caseNumber: `CARET-00000${ids}`, customerId: 'acme', requester: { email }, channel: 'email', subject: 'Word add-in fails', description: 'x', severity, entitlement },
      ctx(opened),
      { kind: 'customer', id: email },
    ).ticket;
  };
  /** The case once its first response was missed. */
  const missed = (ticket: Ticket): Ticket => applyDueSlaEvents(ticket, ctx(Date.parse(ticket.sla.firstResponse!.due!))).ticket;

  it("a designated User's case waits in the priority queue, before and after a missed response", () => {
    // Act
    const opened = open('dana@acme.example', 'sev2');
    const breached = missed(opened);

    // Assess
    expect(opened.queue).toBe('caret-support:priority');
    expect(breached.flags).toContain('sla-breached');
    expect(breached.queue).toBe('caret-support:priority');
  });

  it("another User's case that misses its response is flagged and waits in caret-support:breached, not the priority queue", () => {
    // Act
    const opened = open('carl@acme.example', 'sev2');
    const breached = missed(opened);

    // Assess
    expect(opened.queue).toBe('caret-support');
    expect(breached.flags).toContain('sla-breached');
    expect(breached.queue).toBe('caret-support:breached');
  });

  it('orders the breached queue by urgency: Severity 1 first, then the case overdue longest', () => {
    // Prepare: a Severity 2 due 12:00, a Severity 1 due 10:30 opened the same minute, a Severity 2 opened an hour later
    const sev2 = missed(open('carl@acme.example', 'sev2'));
    const sev1 = missed(open('carl@acme.example', 'Severity Level 1'));
    const laterSev2 = missed(open('carl@acme.example', 'sev2', OPENED + 3_600_000));

    // Act
    const order = [laterSev2, sev2, sev1].sort((a, b) => (a.queueOrder! < b.queueOrder! ? -1 : 1)).map((t) => `${t.severity}@${t.queueOrder!.split('#')[1]}`);

    // Assess
    expect(order).toEqual(['sev1@2026-02-03T15:30:00.000Z', 'sev2@2026-02-03T17:00:00.000Z', 'sev2@2026-02-03T18:00:00.000Z']);
  });

  it('the preset says so', () => {
    // Assess
    expect(policy.sla.breachedQueue).toBe('breached');
    expect(policy.notes.some((note) => note.includes('caret-support:breached'))).toBe(true);
  });
});
