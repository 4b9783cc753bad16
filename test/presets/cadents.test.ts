/**
 * Cadents support levels (support document 003), worked examples.
 *
 * Time zone: the Cadents calendar in the preset is America/New_York (EST = UTC-5, EDT =
 * UTC-4), Monday–Friday 09:00–17:00, US public holidays closed, 8-hour business day. The
 * document states no targets: the ones tested here are the preset's disclosed choices. Due
 * instants are asserted in UTC.
 */
import { describe, expect, it } from 'vitest';
import { notificationsForEvents } from '../../core/notifications/events';
import { renderNotification } from '../../core/notifications/render';
import { loadPolicy } from '../../core/policy/files';
import { SlaPlanner, TargetError, type TargetQuery } from '../../core/sla/targets';
import { applyDueSlaEvents } from '../../core/tickets/breaches';
import type { Actor } from '../../core/tickets/model';
import { addMessage, applyAction, type MessageKind, openTicket, type RuleContext } from '../../core/tickets/rules';

const policy = loadPolicy('cadents');
const planner = new SlaPlanner(policy);

/** When the target of `query` falls due for a clock started at `start`, as a UTC ISO string. */
function dueAt(query: TargetQuery, start: string): string {
  return new Date(planner.due(query, Date.parse(start)).due).toISOString();
}

describe('Cadents response targets', () => {
  it('Severity 1 opened Friday 16:00 before Memorial Day is due Tuesday 10:00 (2 business hours)', () => {
    // Prepare: Friday 22 May 2026, 16:00 EDT; Monday 25 May is Memorial Day (closed).
    const opened = '2026-05-22T16:00:00-04:00';

    // Act
    const { due, target, timeZone } = planner.due({ severity: 'sev1' }, Date.parse(opened));

    // Assess: 1 hour on Friday, 1 hour on Tuesday.
    expect(new Date(due).toISOString()).toBe('2026-05-26T14:00:00.000Z'); // Tuesday 10:00 EDT
    expect(target).toMatchObject({ plan: 'standard', within: '2h', calendar: 'business-hours' });
    expect(timeZone).toBe('America/New_York');
  });

  it('Severity 1 status report after a reply on Christmas Eve 15:00 is due Monday 28 December 11:00 (every 4 business hours)', () => {
    // Prepare: Thursday 24 December 2026, 15:00 EST; Christmas Eve is not a US public holiday,
    // Christmas Day (Friday) is.
    const lastReply = '2026-12-24T15:00:00-05:00';

    // Act
    const due = dueAt({ severity: 'sev1', metric: 'status-update' }, lastReply);

    // Assess: 2 hours on Thursday, 2 hours on Monday.
    expect(due).toBe('2026-12-28T16:00:00.000Z'); // Monday 11:00 EST
  });
});

describe('Cadents resolution target per support level', () => {
  it('Severity 2 opened Tuesday 13:30 after Labor Day must be resolved at Level 1 (partner) by Wednesday 13:30 (1 business day)', () => {
    // Prepare: Tuesday 8 September 2026, 13:30 EDT.
    const opened = '2026-09-08T13:30:00-04:00';

    // Act
    const due = dueAt({ severity: 'sev2', metric: 'resolution', tier: 'level1' }, opened);

    // Assess: 3.5 hours on Tuesday, 4.5 on Wednesday.
    expect(due).toBe('2026-09-09T17:30:00.000Z'); // Wednesday 13:30 EDT
  });

  it('the same case, moved to Level 2 (partner) on Wednesday 13:30, is due there the next Wednesday 13:30 (5 business days)', () => {
    // Prepare: Wednesday 9 September 2026, 13:30 EDT.
    const movedToLevel2 = '2026-09-09T13:30:00-04:00';

    // Act
    const due = dueAt({ severity: 'sev2', metric: 'resolution', tier: 'level2' }, movedToLevel2);

    // Assess: 40 business hours, one full working week.
    expect(due).toBe('2026-09-16T17:30:00.000Z'); // Wednesday 16 September 13:30 EDT
  });

  it('Level 3 (Cadents) has no resolution timer: it depends on development engineering', () => {
    // Act
    const ask = () => planner.due({ severity: 'sev1', metric: 'resolution', tier: 'level3' }, 0);

    // Assess
    expect(ask).toThrow(TargetError);
  });
});

describe('Cadents support levels', () => {
  it('Levels 1 and 2 are run by a partner, Level 3 by Cadents', () => {
    // Act
    const levels = policy.tiers.map((t) => [t.id, t.name, t.operatedBy]);

    // Assess
    expect(levels).toEqual([
      ['level1', 'Level 1 Procedural/Basic', 'partner'],
      ['level2', 'Level 2 Advanced', 'partner'],
      ['level3', 'Level 3 Expert', 'vendor'],
    ]);
  });

  it('a case needs symptoms to enter Level 2 and complete steps to reproduce to enter Level 3', () => {
    // Act
    const requires = Object.fromEntries(policy.tiers.map((t) => [t.id, t.entryRequires]));

    // Assess
    expect(requires).toEqual({ level1: [], level2: ['symptoms'], level3: ['stepsToReproduce'] });
  });

  it('each level carries the duties listed in the document', () => {
    // Act
    const [level1, level2, level3] = policy.tiers;

    // Assess
    expect(level1?.responsibilities).toHaveLength(15);
    expect(level1?.responsibilities).toContain('Verify support entitlement and service level.');
    expect(level2?.responsibilities).toHaveLength(11);
    expect(level2?.responsibilities).toContain('Define an action plan for troubleshooting/resolution.');
    expect(level3?.responsibilities).toHaveLength(6);
  });
});

describe('Cadents regular problem resolution status reports (Level 1)', () => {
  const AGENT: Actor = { kind: 'agent', id: 'partner-agent' };
  const CUSTOMER: Actor = { kind: 'customer', id: 'end.user@customer.example' };
  let ids = 0;
  const ctx = (at: string): RuleContext => ({ policy, planner, now: Date.parse(at), newId: () => `e${++ids}` });
  const opened = (severity: string, at: string) =>
    openTicket(
      {
        id: 't1',
        caseNumber: 'CDN-000001',
        requester: { email: 'end.user@customer.example' },
        channel: 'email',
        subject: 'Calls drop',
        description: 'Calls drop after 30 s.',
        severity,
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx(at),
      CUSTOMER,
    ).ticket;
  const say = (ticket: ReturnType<typeof opened>, kind: MessageKind, at: string) => addMessage(ticket, kind, 'text', ctx(at), kind === 'customer' ? CUSTOMER : AGENT).ticket;

  it.each([
    ['sev1', '4h'],
    ['sev2', '1bd'],
    ['sev3', '2bd'],
    ['sev4', '5bd'],
  ])('%s owes a status report every %s', (severity, every) => {
    expect(planner.due({ severity, metric: 'status-update' }, Date.parse('2026-06-01T09:00:00-04:00')).target.within).toBe(every);
  });

  it('Severity 2 answered Monday 10:00 owes the next report Tuesday 10:00; an internal note is not one, a reply is', () => {
    // Prepare: Monday 1 June 2026, EDT.
    const answered = say(opened('sev2', '2026-06-01T09:30:00-04:00'), 'agent-reply', '2026-06-01T10:00:00-04:00');

    // Act
    const noted = say(answered, 'internal-note', '2026-06-01T15:00:00-04:00');
    const replied = say(noted, 'agent-reply', '2026-06-01T16:00:00-04:00');

    // Assess
    expect(answered.sla.statusUpdate?.due).toBe('2026-06-02T14:00:00.000Z'); // Tuesday 10:00 EDT
    expect(noted.sla.statusUpdate?.due).toBe('2026-06-02T14:00:00.000Z');
    expect(replied.sla.statusUpdate?.due).toBe('2026-06-02T20:00:00.000Z'); // Tuesday 16:00 EDT
    expect(replied.sla.statusUpdate).toMatchObject({ within: '1bd', calendar: 'business-hours', startedAt: '2026-06-01T20:00:00.000Z' });
  });

  it('waiting on the end user pauses it; resolving stops it', () => {
    // Prepare
    const answered = say(opened('sev1', '2026-06-01T09:00:00-04:00'), 'agent-reply', '2026-06-01T09:30:00-04:00');

    // Act
    const waiting = applyAction(answered, { type: 'pause' }, ctx('2026-06-01T10:30:00-04:00'), AGENT).ticket;
    const resumed = say(waiting, 'customer', '2026-06-02T09:00:00-04:00');
    const resolved = applyAction(resumed, { type: 'resolve', resolutionType: 'workaround', text: 'Use codec G.711.' }, ctx('2026-06-02T10:00:00-04:00'), AGENT).ticket;

    // Assess: 1 of the 4 business hours used before the wait, 3 after it.
    expect(waiting.sla.statusUpdate?.due).toBeNull();
    expect(resumed.sla.statusUpdate?.due).toBe('2026-06-02T16:00:00.000Z'); // Tuesday 12:00 EDT
    expect(resolved.sla.statusUpdate).toMatchObject({ stoppedAt: '2026-06-02T14:00:00.000Z', due: null });
  });

  it('the notes say what the code does', () => {
    const note = policy.notes.find((text) => text.includes('statusUpdate'));
    expect(note).toContain('every 4 business hours, 1, 2 and 5 business days');
    expect(note).toContain('restarts at every agent reply');
    expect(note).toContain('pauses while the case waits on the customer');
  });
});

describe('Cadents initial problem categorization (Level 1)', () => {
  let ids = 0;
  const ctx = (at: string): RuleContext => ({ policy, planner, now: Date.parse(at), newId: () => `c${++ids}` });
  const open = (caseReason: string) =>
    openTicket(
      {
        id: 't1',
        caseNumber: 'CDN-000002',
        requester: { email: 'end.user@customer.example' },
        channel: 'email',
        subject: 'Trunk rejects calls',
        description: 'SIP trunk answers 403.',
        severity: 'Severity 2 - High',
        caseReason,
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx('2026-06-02T10:00:00-04:00'),
      { kind: 'customer', id: 'end.user@customer.example' },
    ).ticket;

  it('has a category for each kind of work the document lists, technical and non-technical', () => {
    // Assess
    expect(policy.caseReasons.map((reason) => reason.id)).toEqual([
      'general-question',
      'product-information',
      'configuration',
      'software-problem',
      'product-defect',
      'interoperability',
      'non-technical',
    ]);
  });

  it('takes a category by its id or its name, and the severity by its name', () => {
    // Act
    const byName = open('Configuration, installation or upgrade');
    const byId = open('interoperability');

    // Assess
    expect(byName.caseReason).toBe('configuration');
    expect(byName.severity).toBe('sev2');
    expect(byId.caseReason).toBe('interoperability');
  });

  it('refuses an unknown category naming caseReason', () => {
    // Act
    const attempt = () => open('billing');

    // Assess
    expect(attempt).toThrow(expect.objectContaining({ field: 'caseReason', kind: 'unmet' }));
  });

  it('keeps its level moves as they were: both levels above the first are entered by timer or by an agent, for any severity', () => {
    // Assess
    expect(policy.tiers.map((tier) => [tier.id, tier.enteredBy, tier.severities, tier.entryCaseReasons, tier.codeFixes])).toEqual([
      ['level1', ['timer', 'manual'], undefined, undefined, false],
      ['level2', ['timer', 'manual'], undefined, undefined, false],
      ['level3', ['timer', 'manual'], undefined, undefined, false],
    ]);
    expect(policy.sla.breachedQueue).toBe('priority');
  });
});

describe('Cadents Level 3 needs complete steps to reproduce (a blocked move says what is missing)', () => {
  let ids = 0;
  const ctx = (at: number): RuleContext => ({ policy, planner, now: at, newId: () => `b${++ids}` });
  const OPENED = Date.parse('2026-06-02T10:00:00-04:00');
  const AGENT: Actor = { kind: 'agent', id: 'partner-agent' };

  it('when the Level 2 target passes without steps, the case stays at Level 2 and the mail says what is missing, not "Escalated to"', () => {
    // Prepare: a Severity 1 case at Level 2 (with symptoms), answered
    let ticket = openTicket(
      {
        id: 't3',
        caseNumber: 'CDN-000003',
        requester: { email: 'end.user@customer.example' },
        channel: 'email',
        subject: 'Calls drop',
        description: 'Calls drop after 30 s.',
        severity: 'sev1',
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx(OPENED),
      { kind: 'customer', id: 'end.user@customer.example' },
    ).ticket;
    ticket = addMessage(ticket, 'agent-reply', 'Looking into it.', ctx(OPENED + 60_000), AGENT).ticket;
    ticket = applyAction(ticket, { type: 'escalate', reason: 'complex', details: { symptoms: 'drops at 30 s' } }, ctx(OPENED + 120_000), AGENT).ticket;
    ticket = addMessage(ticket, 'agent-reply', 'Escalated.', ctx(OPENED + 180_000), AGENT).ticket;

    // Act: everything due when the Level 2 target (2 business days) passes
    const { ticket: after, events } = applyDueSlaEvents(ticket, ctx(Date.parse(ticket.sla.resolution!.due!)));
    const blocked = notificationsForEvents(after, events).find((n) => n.kind === 'escalation-blocked')!;
    const mail = renderNotification(policy, after, { ...blocked, body: events.find((e) => e.type === 'escalation-blocked')!.body! });

    // Assess
    expect(after.tier).toBe('level2');
    expect(after.flags).toContain('needs-reproduction-steps');
    expect(mail.subject).toBe('[CDN-000003] Not escalated, details missing: Calls drop');
    expect(mail.subject).not.toMatch(/Escalated to/);
    expect(mail.text).toContain('at Level 2 Advanced has passed, but the case could not move up a tier: tier level3 needs stepsToReproduce before a ticket may enter it.');
  });
});
