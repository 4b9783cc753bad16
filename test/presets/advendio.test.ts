/**
 * ADvendio support process (support document 004), worked examples.
 *
 * Time zone: the ADvendio calendar in the preset is Europe/Berlin (CET = UTC+1 in winter,
 * CEST = UTC+2 in summer): Monday–Friday 09:00–17:00, German nationwide public holidays
 * closed, 8-hour business day. The document gives the initial response targets as a range
 * "2 hours – 2 business days, business hours only, excluding weekends and public holidays";
 * the split per plan and severity is the preset's disclosed choice. Due instants in UTC.
 */
import { describe, expect, it } from 'vitest';
import { durationMs } from '../../core/policy/duration';
import { loadPolicy } from '../../core/policy/files';
import { nextSlaEvent } from '../../core/sla/schedule';
import { resolveTarget, SlaPlanner, type TargetQuery } from '../../core/sla/targets';
import { applySlaEvent } from '../../core/tickets/breaches';
import type { Actor } from '../../core/tickets/model';
import { addMessage, openTicket, type RuleContext } from '../../core/tickets/rules';

const policy = loadPolicy('advendio');
const planner = new SlaPlanner(policy);

/** When the target of `query` falls due for a case opened at `opened`, as a UTC ISO string. */
function dueAt(query: TargetQuery, opened: string): string {
  return new Date(planner.due(query, Date.parse(opened)).due).toISOString();
}

describe('ADvendio target initial response: business hours only, no weekends, no German public holidays', () => {
  it('Premium Severity 4 opened Wednesday 23 December 15:00 is due Monday 28 December 15:00 (2 business days over Christmas)', () => {
    // Prepare: Wednesday 23 December 2026, 15:00 Berlin time. Christmas Eve (Thursday) is not a
    // public holiday; 25 December (Friday) is; 26 December is a Saturday.
    const opened = '2026-12-23T15:00:00+01:00';

    // Act
    const { due, target, timeZone } = planner.due({ plan: 'premium', severity: 'sev4' }, Date.parse(opened));

    // Assess: 16 business hours = Wed 2 + Thu 8 + Mon 6.
    expect(new Date(due).toISOString()).toBe('2026-12-28T14:00:00.000Z'); // Monday 15:00 CET
    expect(target).toMatchObject({ within: '2bd', calendar: 'business-hours' });
    expect(timeZone).toBe('Europe/Berlin');
  });

  it('Basic Severity 1 opened Maundy Thursday 15:30 is due the Tuesday after Easter at 11:30 (4 business hours)', () => {
    // Prepare: Thursday 2 April 2026, 15:30 CEST; Good Friday (3 April) and Easter Monday
    // (6 April) are German public holidays.
    const opened = '2026-04-02T15:30:00+02:00';

    // Act
    const due = dueAt({ plan: 'basic', severity: 'sev1' }, opened);

    // Assess: 1.5 hours on Thursday, 2.5 on Tuesday.
    expect(due).toBe('2026-04-07T09:30:00.000Z'); // Tuesday 11:30 CEST
  });

  it('Premium Severity 1 opened Friday 16:00 is due Monday 10:00 (2 business hours, weekend excluded)', () => {
    // Prepare: Friday 8 January 2027, 16:00 CET.
    const opened = '2027-01-08T16:00:00+01:00';

    // Act
    const due = dueAt({ plan: 'premium', severity: 'sev1' }, opened);

    // Assess
    expect(due).toBe('2027-01-11T09:00:00.000Z'); // Monday 10:00 CET
  });

  it('keeps every target between 2 hours and 2 business days, on both success plans', () => {
    // Prepare
    const businessDay = durationMs('8h', undefined);

    // Act
    const lengths = policy.plans.flatMap((plan) => policy.severities.map((severity) => resolveTarget(policy, { plan: plan.id, severity: severity.id }).durationMs));

    // Assess
    expect(lengths).toHaveLength(8);
    expect(Math.min(...lengths)).toBe(durationMs('2h', undefined));
    expect(Math.max(...lengths)).toBe(durationMs('2bd', businessDay));
  });
});

describe('ADvendio support escalation path: Customer Success Manager → COO → CEO', () => {
  /** The business clock and the target length of one step of the chain, as the preset sets them. */
  const step = (id: string) => {
    const { respondWithin } = policy.managementChain.find((s) => s.id === id)!;
    const calendar = policy.calendars.find((c) => c.id === respondWithin.calendar)!;
    const businessDay = durationMs(calendar.businessDay!, undefined);
    return { clock: planner.clock(calendar.id), length: durationMs(respondWithin.within, businessDay) };
  };

  it('has three levels in the document order', () => {
    // Act
    const titles = policy.managementChain.map((s) => s.title);

    // Assess
    expect(titles).toEqual(['Customer Success Manager', 'COO - Chief Operating Officer', 'CEO - Chief Executive Officer']);
  });

  it('a complaint raised Friday 15:00 before Whit Monday reaches the Customer Success Manager by Tuesday 11:00 (4 business hours)', () => {
    // Prepare: Friday 22 May 2026, 15:00 CEST; Whit Monday (25 May) is a public holiday.
    const { clock, length } = step('customer-success-manager');

    // Act
    const due = clock.due(Date.parse('2026-05-22T15:00:00+02:00'), length);

    // Assess: 2 hours on Friday, 2 on Tuesday.
    expect(new Date(due).toISOString()).toBe('2026-05-26T09:00:00.000Z'); // Tuesday 11:00 CEST
  });

  it('escalated to the COO Wednesday 13:00 before Ascension Day, due Friday 13:00 (1 business day)', () => {
    // Prepare: Wednesday 13 May 2026, 13:00 CEST; Ascension Day (Thursday 14 May) is closed.
    const { clock, length } = step('coo');

    // Act
    const due = clock.due(Date.parse('2026-05-13T13:00:00+02:00'), length);

    // Assess
    expect(new Date(due).toISOString()).toBe('2026-05-15T11:00:00.000Z'); // Friday 13:00 CEST
  });

  it('escalated to the CEO Friday 13:00, due Tuesday 13:00 (2 business days)', () => {
    // Prepare: Friday 15 May 2026, 13:00 CEST.
    const { clock, length } = step('ceo');

    // Act
    const due = clock.due(Date.parse('2026-05-15T13:00:00+02:00'), length);

    // Assess: Fri 4 + Mon 8 + Tue 4.
    expect(new Date(due).toISOString()).toBe('2026-05-19T11:00:00.000Z'); // Tuesday 13:00 CEST
  });
});

describe('ADvendio incident categories and case reasons', () => {
  it('has four severity levels, each with functions, data and back end criteria', () => {
    // Act
    const levels = policy.severities.map((s) => [s.name, s.criteria.map((c) => c.area)]);

    // Assess
    expect(levels).toEqual([
      ['Level 1 - Critical', ['Functions', 'Data', 'Back End']],
      ['Level 2 - Urgent', ['Functions', 'Data', 'Back End']],
      ['Level 3 - High', ['Functions', 'Data', 'Back End']],
      ['Level 4 - Medium', ['Functions', 'Data', 'Back End']],
    ]);
  });

  it('has the four case reasons: bug, question about handling, customization/development request, feature request', () => {
    // Act
    const reasons = policy.caseReasons.map((r) => r.name);

    // Assess
    expect(reasons).toEqual(['Bug', 'Question about handling', 'Customization / development request', 'Feature request']);
  });

  it('a severity can be named as the requester sees it ("Level 2 - Urgent")', () => {
    // Act
    const due = dueAt({ plan: 'premium', severity: 'Level 2 - Urgent' }, '2027-01-08T16:00:00+01:00');

    // Assess: 4 business hours = Fri 1 + Mon 3.
    expect(due).toBe('2027-01-11T11:00:00.000Z'); // Monday 12:00 CET
  });
});

describe('ADvendio keeping clients informed about the progress of their cases', () => {
  const ENGINEER: Actor = { kind: 'agent', id: 'support-engineer' };
  const CLIENT: Actor = { kind: 'customer', id: 'client@customer.example' };
  let ids = 0;
  const ctx = (at: number): RuleContext => ({ policy, planner, now: at, newId: () => `e${++ids}` });
  const answered = (plan: string, severity: string, openedAt: string, answeredAt: string) => {
    const ticket = openTicket(
      {
        id: 't1',
        caseNumber: 'ADV-000001',
        requester: { email: 'client@customer.example' },
        channel: 'web',
        subject: 'Invoices missing',
        description: 'The March invoice run produced no invoices.',
        severity,
        entitlement: { status: 'entitled', reasons: [], plan, queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx(Date.parse(openedAt)),
      CLIENT,
    ).ticket;
    return addMessage(ticket, 'agent-reply', 'Looking into it.', ctx(Date.parse(answeredAt)), ENGINEER).ticket;
  };

  it.each([
    ['premium', ['4h', '1bd', '2bd', '5bd']],
    ['basic', ['1bd', '2bd', '5bd', '5bd']],
  ])('%s owes an update for Levels 1–4 every %j', (plan, intervals) => {
    const every = ['sev1', 'sev2', 'sev3', 'sev4'].map((severity) => resolveTarget(policy, { plan, severity, metric: 'status-update' }).within);
    expect(every).toEqual(intervals);
  });

  it('Premium Level 1 answered Friday 15:00 owes an update by Monday 11:00; nobody writes: warned, then breached to the team lead', () => {
    // Prepare: Friday 5 June 2026, CEST.
    const ticket = answered('premium', 'sev1', '2026-06-05T14:00:00+02:00', '2026-06-05T15:00:00+02:00');

    // Act
    const warning = nextSlaEvent(ticket, ctx(Date.parse('2026-06-05T15:00:00+02:00')), Date.parse('2026-06-05T15:00:00+02:00'))!;
    const warned = applySlaEvent(ticket, warning, ctx(warning.at)).ticket;
    const breach = nextSlaEvent(warned, ctx(warning.at), warning.at)!;
    const breached = applySlaEvent(warned, breach, ctx(breach.at));

    // Assess: 2 business hours on Friday, 2 on Monday; the warning at 80 % (3h12m).
    expect(ticket.sla.statusUpdate?.due).toBe('2026-06-08T09:00:00.000Z'); // Monday 11:00 CEST
    expect(warning).toMatchObject({ kind: 'warning', objective: 'statusUpdate', at: Date.parse('2026-06-08T10:12:00+02:00') });
    expect(breach).toMatchObject({ kind: 'breach', objective: 'statusUpdate', at: Date.parse('2026-06-08T11:00:00+02:00') });
    expect(breached.events).toEqual([expect.objectContaining({ type: 'sla-breached', data: expect.objectContaining({ objective: 'statusUpdate', notify: ['assignee', 'team-lead'] }) })]);
  });

  it('the notes say what the code does', () => {
    const note = policy.notes.find((text) => text.includes('statusUpdate'));
    expect(note).toContain('every 4 business hours, 1, 2 and 5 business days (Premium)');
    expect(note).toContain('restarts at every agent reply');
    expect(note).toContain('stops when the case is resolved or closed');
  });
});
