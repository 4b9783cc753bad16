/**
 * VIDIZMO tiered support (support document 002), worked examples.
 *
 * Time zone: the VIDIZMO calendars in the preset are America/New_York (EST = UTC-5, EDT =
 * UTC-4). Business hours are Monday–Friday 09:00–17:00 with US public holidays closed, and a
 * business day is 8 hours. The document states no numbers: the targets tested here are the
 * preset's disclosed choices. Due instants are asserted in UTC.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../core/policy/files';
import { SlaPlanner, TargetError, type TargetQuery } from '../../core/sla/targets';

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
    const { due, target } = planner.due(
      { plan: 'premium', severity: 'sev2', metric: 'resolution', tier: 'tier1' },
      Date.parse(opened),
    );

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
