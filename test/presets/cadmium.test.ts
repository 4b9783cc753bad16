/**
 * Cadmium Dedicated Virtual Support (support document 000), worked examples.
 *
 * The document describes dedicated support periods only. The plan, severities and calendar
 * are the preset's disclosed choices: America/New_York (EST = UTC-5, EDT = UTC-4),
 * Monday–Friday 09:00–17:00, US public holidays closed, 8-hour business day. Due instants
 * are asserted in UTC.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../core/policy/files';
import { SlaPlanner, type TargetQuery } from '../../core/sla/targets';

const policy = loadPolicy('cadmium');
const planner = new SlaPlanner(policy);

/** When the target of `query` falls due for a case opened at `opened`, as a UTC ISO string. */
function dueAt(query: TargetQuery, opened: string): string {
  return new Date(planner.due(query, Date.parse(opened)).due).toISOString();
}

describe('Cadmium dedicated support periods, as the document sets them', () => {
  it('are sold in 4-hour blocks, with the contact details sent 10 days before', () => {
    // Act
    const periods = policy.supportPeriods;

    // Assess
    expect(periods?.blockHours).toBe(4);
    expect(periods?.contactNoticeDays).toBe(10);
  });

  it('are bought for attendee support or customer support', () => {
    // Act
    const purposes = policy.supportPeriods?.purposes.map((p) => [p.id, p.name]);

    // Assess
    expect(purposes).toEqual([
      ['attendee-support', 'Dedicated Virtual Attendee Support'],
      ['customer-support', 'Dedicated Virtual Customer Support'],
    ]);
  });

  it('escalate system issues to the infrastructure team and configuration issues to the project manager', () => {
    // Act
    const escalation = policy.supportPeriods?.escalation;

    // Assess
    expect(escalation).toEqual({ systemIssue: 'infrastructure', configurationIssue: 'project-manager' });
  });

  it('update the point of contact every hour (chosen: the document says "periodic updates")', () => {
    // Assess
    expect(policy.supportPeriods?.updateEvery).toBe('1h');
    expect(policy.notes.some((note) => note.includes('periodic updates'))).toBe(true);
  });
});

describe('Cadmium orders and the end of a period (chosen: the document is silent)', () => {
  it("tell Cadmium Support of every new order, and hand a period's open tickets to their tier's team", () => {
    expect(policy.supportPeriods?.ordersTeam).toBe('cadmium-support');
    expect(policy.supportPeriods?.afterPeriodQueue).toBeUndefined();
    expect(policy.notes.some((note) => note.includes('subject to availability'))).toBe(true);
  });
});

describe('Cadmium standard support (chosen targets)', () => {
  it('Severity 1 opened Thursday 16:30 before Independence Day is due Monday 09:30 (1 business hour)', () => {
    // Prepare: Thursday 2 July 2026, 16:30 EDT; Friday 3 July is the observed Independence Day.
    const opened = '2026-07-02T16:30:00-04:00';

    // Act
    const { due, timeZone } = planner.due({ severity: 'sev1' }, Date.parse(opened));

    // Assess: 30 minutes on Thursday, 30 on Monday.
    expect(new Date(due).toISOString()).toBe('2026-07-06T13:30:00.000Z'); // Monday 09:30 EDT
    expect(timeZone).toBe('America/New_York');
  });

  it('Severity 2 opened on a Saturday is due Monday 13:00 (4 business hours)', () => {
    // Prepare: Saturday 17 October 2026, 10:00 EDT.
    const opened = '2026-10-17T10:00:00-04:00';

    // Act
    const due = dueAt({ severity: 'sev2' }, opened);

    // Assess
    expect(due).toBe('2026-10-19T17:00:00.000Z'); // Monday 13:00 EDT
  });

  it('Severity 3 opened Monday 11:00 is due Tuesday 11:00 (1 business day)', () => {
    // Prepare: Monday 15 March 2027, 11:00 EDT.
    const opened = '2027-03-15T11:00:00-04:00';

    // Act
    const due = dueAt({ severity: 'sev3' }, opened);

    // Assess
    expect(due).toBe('2027-03-16T15:00:00.000Z'); // Tuesday 11:00 EDT
  });
});
