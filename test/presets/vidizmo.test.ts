/**
 * VIDIZMO tiered support (support document 002), worked examples.
 *
 * Time zone: the VIDIZMO calendars in the preset are America/New_York (EST = UTC-5, EDT =
 * UTC-4). Business hours are Monday–Friday 09:00–17:00 with US public holidays closed, and a
 * business day is 8 hours. The document states no numbers: the targets tested here are the
 * preset's disclosed choices. Due instants are asserted in UTC.
 */
import { describe, expect, it } from 'vitest';
import { CustomerSchema } from '../../core/customer';
import { decideEntitlement } from '../../core/entitlement';
import { loadPolicy } from '../../core/policy/files';
import { SlaPlanner, TargetError, type TargetQuery } from '../../core/sla/targets';
import { applyDueSlaEvents } from '../../core/tickets/breaches';
import type { Actor, Ticket } from '../../core/tickets/model';
import { type Action, addMessage, applyAction, type Change, openTicket, type RuleContext, RuleError } from '../../core/tickets/rules';

const policy = loadPolicy('vidizmo');
const planner = new SlaPlanner(policy);

/** When the target of `query` falls due for a clock started at `start`, as a UTC ISO string. */
function dueAt(query: TargetQuery, start: string): string {
  return new Date(planner.due(query, Date.parse(start)).due).toISOString();
}

describe('VIDIZMO first response', () => {
  it('Standard Severity 4 (how-to) opened the day before Thanksgiving at 15:00 is due the next Tuesday 15:00 (3 business days)', () => {
    // Prepare: Wednesday 25 November 2026, 15:00 EST; Thursday 26 is Thanksgiving (closed),
    // Friday 27 is not a public holiday (open).
    const opened = '2026-11-25T15:00:00-05:00';

    // Act
    const { due, target, timeZone } = planner.due({ plan: 'standard', severity: 'sev4' }, Date.parse(opened));

    // Assess: 24 business hours = Wed 2 + Fri 8 + Mon 8 + Tue 6.
    expect(new Date(due).toISOString()).toBe('2026-12-01T20:00:00.000Z'); // Tuesday 1 Dec 15:00 EST
    expect(target).toMatchObject({ within: '3bd', calendar: 'business-hours' });
    expect(timeZone).toBe('America/New_York');
  });

  it('Premium Plus Severity 1 opened Saturday 22:30 is due Saturday 23:30 (1 hour, around the clock)', () => {
    // Prepare: Saturday 10 October 2026, 22:30 EDT.
    const opened = '2026-10-10T22:30:00-04:00';

    // Act
    const { due, target } = planner.due({ plan: 'premium-plus', severity: 'sev1' }, Date.parse(opened));

    // Assess
    expect(new Date(due).toISOString()).toBe('2026-10-11T03:30:00.000Z'); // Saturday 23:30 EDT
    expect(target.calendar).toBe('always');
  });

  it('Premium Plus Severity 2 opened Saturday 22:30 waits for business hours: due Tuesday 11:00 (2 hours, Columbus Day closed)', () => {
    // Prepare: Saturday 10 October 2026, 22:30 EDT; Monday 12 October (Columbus Day) is a US
    // public holiday, so the clock starts on Tuesday.
    const opened = '2026-10-10T22:30:00-04:00';

    // Act
    const due = dueAt({ plan: 'premium-plus', severity: 'sev2' }, opened);

    // Assess
    expect(due).toBe('2026-10-13T15:00:00.000Z'); // Tuesday 13 Oct 11:00 EDT
  });
});

describe('VIDIZMO target resolution time per tier', () => {
  it('Premium Severity 2 opened Wednesday 10:00 must be solved by 1st tier by Thursday 10:00 (1 business day)', () => {
    // Prepare: Wednesday 17 June 2026, 10:00 EDT.
    const opened = '2026-06-17T10:00:00-04:00';

    // Act
    const { due, target } = planner.due({ plan: 'premium', severity: 'sev2', metric: 'resolution', tier: 'tier1' }, Date.parse(opened));

    // Assess: 7 hours on Wednesday, 1 on Thursday.
    expect(new Date(due).toISOString()).toBe('2026-06-18T14:00:00.000Z'); // Thursday 10:00 EDT
    expect(target).toMatchObject({ tier: 'tier1', within: '1bd' });
  });

  it('the same case, engaged at 2nd tier on Thursday 10:00, is due at 2nd tier the next Wednesday 10:00 (3 business days, Juneteenth closed)', () => {
    // Prepare: Thursday 18 June 2026, 10:00 EDT; Friday 19 June (Juneteenth) is closed.
    const engaged = '2026-06-18T10:00:00-04:00';

    // Act
    const due = dueAt({ plan: 'premium', severity: 'sev2', metric: 'resolution', tier: 'tier2' }, engaged);

    // Assess: 24 business hours = Thu 7 + Mon 8 + Tue 8 + Wed 1.
    expect(due).toBe('2026-06-24T14:00:00.000Z'); // Wednesday 24 June 10:00 EDT
  });

  it('3rd tier has no resolution timer: code fixes ship with releases', () => {
    // Act
    const ask = () => planner.due({ plan: 'premium-plus', severity: 'sev1', metric: 'resolution', tier: 'tier3' }, 0);

    // Assess
    expect(ask).toThrow(TargetError);
    expect(ask).toThrow(/no resolution target for severity "sev1" at tier "tier3"/);
  });

  it('Severity 4 has no 2nd tier target (2nd tier cases are critical, high or medium)', () => {
    // Act
    const ask = () => planner.due({ plan: 'standard', severity: 'sev4', metric: 'resolution', tier: 'tier2' }, 0);

    // Assess
    expect(ask).toThrow(TargetError);
  });
});

describe('VIDIZMO plans, tiers and add-on', () => {
  it('has Standard (included, the default), Premium and Premium Plus, each offering 3rd tier priority updates', () => {
    // Act
    const plans = policy.plans.map((p) => ({ id: p.id, availableAddOns: p.availableAddOns }));

    // Assess
    expect(policy.defaultPlan).toBe('standard');
    expect(plans).toEqual([
      { id: 'standard', availableAddOns: ['priority-updates'] },
      { id: 'premium', availableAddOns: ['priority-updates'] },
      { id: 'premium-plus', availableAddOns: ['priority-updates'] },
    ]);
    expect(policy.addOns[0]).toMatchObject({ id: 'priority-updates', name: '3rd tier priority updates' });
    expect(policy.addOns[0]?.calendar).toBeUndefined();
  });

  it('works cases through 1st, 2nd and 3rd tier, all run by VIDIZMO', () => {
    // Act
    const tiers = policy.tiers.map((t) => [t.id, t.name, t.operatedBy]);

    // Assess
    expect(tiers).toEqual([
      ['tier1', '1st Tier Support', 'vendor'],
      ['tier2', '2nd Tier Support', 'vendor'],
      ['tier3', '3rd Tier Support', 'vendor'],
    ]);
  });
});

describe('VIDIZMO tiers as the document runs them (Standard plan, real preset)', () => {
  const AGENT: Actor = { kind: 'agent', id: 'vidizmo-agent' };
  const USER: Actor = { kind: 'customer', id: 'ana@customer.example' };
  let ids = 0;
  const ctx = (at: string | number): RuleContext => ({ policy, planner, now: typeof at === 'number' ? at : Date.parse(at), newId: () => `e${++ids}` });
  /** Wednesday 17 June 2026, 10:00 EDT. */
  const OPENED = '2026-06-17T10:00:00-04:00';
  const open = (severity: string, addOns: string[] = [], caseReason?: string): Ticket =>
    openTicket(
      {
        id: 't1',
        caseNumber: 'VIDZ-000001',
        requester: { email: 'ana@customer.example' },
        channel: 'web',
        subject: 'Upload fails',
        description: 'Uploads stop at 99%.',
        severity,
        ...(caseReason ? { caseReason } : {}),
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns },
      },
      ctx(OPENED),
      USER,
    ).ticket;
  const act = (ticket: Ticket, action: Action, at: string | number): Change => applyAction(ticket, action, ctx(at), AGENT);
  /** Everything the SLA clock does when the current resolution target passes. */
  const resolutionPasses = (ticket: Ticket): Change => applyDueSlaEvents(ticket, ctx(Date.parse(ticket.sla.resolution!.due!)));
  const STEPS = '1. Upload a 2 GB file. 2. Wait. 3. Upload stops at 99%.';

  it('a Severity 4 how-to question stays in 1st tier when its 1st tier target passes (the breach is recorded)', () => {
    // Prepare: answered at once, so only the 1st tier resolution target (5 business days) runs
    const replied = addMessage(open('sev4'), 'agent-reply', 'See the knowledge base article on embedding.', ctx(OPENED), AGENT).ticket;

    // Act
    const { ticket, events } = resolutionPasses(replied);

    // Assess
    expect(ticket.tier).toBe('tier1');
    expect(ticket.flags).toEqual(['sla-breached']);
    expect(ticket.queue).toBe('vidizmo-tier1:breached');
    expect(events.map((e) => [e.type, e.data?.objective])).toEqual([['sla-breached', 'resolution']]);
  });

  it.each(['sev1', 'sev2', 'sev3'])('a %s case moves to 2nd tier when its 1st tier target passes', (severity) => {
    // Act
    const { ticket } = resolutionPasses(open(severity));

    // Assess
    expect(ticket.tier).toBe('tier2');
    expect(ticket.team).toBe('vidizmo-tier2');
  });

  it('an agent cannot send a Severity 4 case to 2nd tier: the refusal names the severity', () => {
    // Act
    const attempt = () => act(open('sev4'), { type: 'escalate', reason: 'needs the product team' }, '2026-06-17T11:00:00-04:00');

    // Assess
    expect(attempt).toThrow(RuleError);
    expect(attempt).toThrow(/works severities sev1, sev2, sev3, not sev4/);
  });

  it('2nd tier target passing leaves the case in 2nd tier: 3rd tier is entered only by an agent', () => {
    // Prepare: a code change with steps, already at 2nd tier
    let ticket = resolutionPasses(open('sev2', [], 'code-change')).ticket;
    ticket = act(ticket, { type: 'record-details', details: { stepsToReproduce: STEPS } }, ticket.sla.resolution!.startedAt).ticket;

    // Act
    const { ticket: after, events } = resolutionPasses(ticket);

    // Assess
    expect(after.tier).toBe('tier2');
    expect(events.map((e) => e.type)).toEqual(['sla-breached']);
  });

  it('an agent escalates to 3rd tier with the case reason "Code change needed" (by name) and steps to reproduce', () => {
    // Prepare
    const tier2 = resolutionPasses(open('sev2')).ticket;
    const later = '2026-06-22T10:00:00-04:00';

    // Act
    const noReason = () => act(tier2, { type: 'escalate', reason: 'needs a code change', details: { stepsToReproduce: STEPS } }, later);
    const reasoned = act(tier2, { type: 'set-case-reason', caseReason: 'Code change needed' }, later).ticket;
    const { ticket: tier3 } = act(reasoned, { type: 'escalate', reason: 'needs a code change', details: { stepsToReproduce: STEPS } }, later);

    // Assess
    expect(noReason).toThrow(expect.objectContaining({ field: 'caseReason', kind: 'unmet' }));
    expect(reasoned.caseReason).toBe('code-change');
    expect(tier3.tier).toBe('tier3');
    expect(tier3.queue).toBe('vidizmo-tier3:breached'); // it missed its 1st tier target; no priority updates
    expect(tier3.sla.resolution?.due).toBeNull(); // 3rd tier has no timer: fixes ship with releases
  });

  it('3rd tier priority updates: recorded in the entitlement, and at 3rd tier the case is flagged, queued first and noted', () => {
    // Prepare: a Premium customer who bought the add-on
    const customer = CustomerSchema.parse({
      id: 'globex',
      name: 'Globex',
      plan: 'premium',
      addOns: ['priority-updates'],
      contract: { start: '2026-01-01', end: '2026-12-31' },
      designatedUsers: [],
      contacts: [{ name: 'Ana', email: 'ana@globex.example' }],
      emailDomains: [],
      phoneNumbers: [],
    });
    const decision = decideEntitlement(policy, customer, { email: 'ana@globex.example' }, Date.parse(OPENED));
    let ticket = openTicket(
      {
        id: 't2',
        caseNumber: 'VIDZ-000002',
        requester: { email: 'ana@globex.example' },
        channel: 'web',
        subject: 'Player crashes',
        description: 'The player crashes on Safari.',
        severity: 'Severity 1 - Critical', // by name, typed with a plain hyphen
        caseReason: 'code-change',
        entitlement: { status: decision.status, reasons: decision.reasons, plan: decision.plan, queue: decision.queue, designatedUser: decision.designatedUser, addOns: decision.addOns },
      },
      ctx(OPENED),
      USER,
    ).ticket;
    ticket = act(ticket, { type: 'escalate', reason: 'product team', details: { stepsToReproduce: STEPS } }, '2026-06-17T10:30:00-04:00').ticket;

    // Act
    const { ticket: tier3, events } = act(ticket, { type: 'escalate', reason: 'needs a code change', tier: 'tier3' }, '2026-06-17T11:00:00-04:00');

    // Assess
    expect(decision.priorityUpdates).toBe(true);
    expect(ticket.severity).toBe('sev1');
    expect(ticket.entitlement.priorityUpdates).toBe(true);
    expect(ticket.flags).toEqual([]); // 2nd tier: nothing to ship yet
    expect(tier3.flags).toEqual(['priority-update']);
    expect(tier3.queue).toBe('vidizmo-tier3:priority');
    const note = events.find((e) => e.type === 'internal-note');
    expect(note?.body).toBe(
      'Priority update: the customer has 3rd tier priority updates. The fix for this case ships early through an accelerated release, not with the next service pack, patch or hotfix.',
    );
  });

  it("the document's kinds of case are case reasons: how-to, advanced feature, product bug, feature failure, code change", () => {
    // Assess
    expect(policy.caseReasons.map((r) => r.id)).toEqual(['how-to', 'advanced-feature', 'product-bug', 'feature-failure', 'code-change']);
    expect(policy.tiers.map((t) => [t.id, t.enteredBy, t.severities ?? 'all', t.entryCaseReasons ?? [], t.codeFixes])).toEqual([
      ['tier1', ['timer', 'manual'], 'all', [], false],
      ['tier2', ['timer', 'manual'], ['sev1', 'sev2', 'sev3'], [], false],
      ['tier3', ['manual'], 'all', ['code-change'], true],
    ]);
  });
});
