/**
 * The SLA clock of a ticket: what must happen next and when (core/sla/schedule.ts), and what
 * happens when that instant comes (core/tickets/breaches.ts), including customer escalations
 * through the management chain (core/tickets/rules.ts) and seconds in target lengths
 * (core/policy/duration.ts).
 *
 * The policy is test/fixtures/sla-policy.yaml. Its "standard" plan measures on an always-open
 * UTC calendar, so every instant is plain arithmetic; warnings come at 80% of a target:
 *
 *   severity 1 Critical: first response 10s, next response 20s, resolution L1 30s / L2 1m / L3 2m
 *   severity 2 High:     first response 1m,  next response 2m,  resolution L1 5m / L2 10m / L3 20m
 *   severity 3 Normal:   first response 1m30s only
 *   severity 4 How-to:   no objective
 *   office plan, High, Mon–Fri 09:00–17:00 UTC: first response 4h, resolution L1 2bd (16 open hours)
 *   management chain:    Customer Success Manager 30s → COO 1m → CEO 2m
 *   resolved cases close after 3 calendar days; L3 needs steps to reproduce
 *
 * Every case is opened on Monday 1 June 2026 at 10:00:00 UTC unless a test says otherwise.
 * Tests follow Prepare / Act / Assess.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { notificationsForEvents } from '../core/notifications/events';
import { OUTBOX_LIMIT, queueNotifications, removeFromOutbox } from '../core/notifications/outbox';
import { renderNotification } from '../core/notifications/render';
import { durationMs, formatDuration, parseDuration } from '../core/policy/duration';
import { policyOrThrow } from '../core/policy/load';
import type { Policy } from '../core/policy/schema';
import { nextSlaEvent, type SlaEvent } from '../core/sla/schedule';
import { SlaPlanner } from '../core/sla/targets';
import { advanceClock, applySlaEvent, SLA_CLOCK } from '../core/tickets/breaches';
import type { Actor, Ticket, TimelineEvent } from '../core/tickets/model';
import { type Action, addMessage, applyAction, type Change, type MessageKind, type NewTicket, openTicket, type RuleContext, RuleError } from '../core/tickets/rules';
import { decide, mailRetrySeconds, REPLACE_AFTER_CYCLES, REPLACE_AFTER_MS } from '../functions/workflow/step';

// ---------------------------------------------------------------------------------------------
// Test desk: policy, clock, ids, people
// ---------------------------------------------------------------------------------------------

const POLICY = policyOrThrow(readFileSync(new URL('./fixtures/sla-policy.yaml', import.meta.url), 'utf8'), 'sla-policy.yaml');
const PLANNER = new SlaPlanner(POLICY);
const NO_CHAIN: Policy = { ...POLICY, managementChain: [] };
/**
 * The test policy with regular status reports (statusUpdate): Critical every 30s, High and Normal
 * every 2m on the standard plan, High every 4 business hours on the office plan.
 */
const UPDATES: Policy = withStatusUpdates(POLICY, { standard: { '1': '30s', '2': '2m', '3': '2m' }, office: { '2': '4h' } });
const PLANNERS = new Map<Policy, SlaPlanner>([[POLICY, PLANNER]]);

function withStatusUpdates(policy: Policy, every: Record<string, Record<string, string>>): Policy {
  const copy = structuredClone(policy);
  for (const plan of copy.plans) {
    for (const [severity, interval] of Object.entries(every[plan.id] ?? {})) {
      plan.objectives[severity] = { ...plan.objectives[severity], statusUpdate: { every: interval } };
    }
  }
  return copy;
}

const SECOND = 1_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** An instant on Monday 1 June 2026 (UTC) as epoch ms: t('10:00:48'). */
function t(hhmmss: string): number {
  return Date.parse(`2026-06-01T${hhmmss}.000Z`);
}
/** An instant on another day of June 2026, to the minute: on(5, '15:00') is Friday 5 June. */
function on(day: number, hhmm: string): number {
  return Date.parse(`2026-06-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`);
}
const iso = (ms: number) => new Date(ms).toISOString();

const OPENED = t('10:00:00');

const AGENT: Actor = { kind: 'agent', id: 'alice' };
const CUSTOMER: Actor = { kind: 'customer', id: 'dana@customer.example' };

let nextId = 0;
beforeEach(() => {
  nextId = 0;
});

function ctx(now: number, policy: Policy = POLICY): RuleContext {
  let planner = PLANNERS.get(policy);
  if (!planner) PLANNERS.set(policy, (planner = new SlaPlanner(policy)));
  return { policy, planner, now, newId: () => `evt-${++nextId}` };
}

function open(overrides: Partial<NewTicket> = {}, now = OPENED, policy: Policy = POLICY): Ticket {
  const input: NewTicket = {
    id: 'tkt-1',
    caseNumber: 'SLA-000001',
    customerId: 'cust-acme',
    requester: { email: 'dana@customer.example' },
    channel: 'web',
    subject: 'Export fails',
    description: 'The monthly export stops with an error.',
    severity: '2',
    entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
    ...overrides,
  };
  return openTicket(input, ctx(now, policy), CUSTOMER).ticket;
}

const OFFICE: Partial<NewTicket> = {
  entitlement: { status: 'entitled', reasons: [], plan: 'office', queue: 'standard', designatedUser: false, addOns: [] },
};

const ACTOR_OF: Record<MessageKind, Actor> = { customer: CUSTOMER, 'agent-reply': AGENT, 'internal-note': AGENT };

function say(ticket: Ticket, kind: MessageKind, now: number): Ticket {
  return addMessage(ticket, kind, `${kind} at ${iso(now)}`, ctx(now), ACTOR_OF[kind]).ticket;
}

function act(ticket: Ticket, action: Action, now: number, actor: Actor = AGENT, policy: Policy = POLICY): Ticket {
  return applyAction(ticket, action, ctx(now, policy), actor).ticket;
}

function next(ticket: Ticket, now: number): SlaEvent | undefined {
  return nextSlaEvent(ticket, { policy: POLICY, planner: PLANNER }, now);
}

/** What the workflow does when an instant comes: apply the event at its `at`. */
function fire(ticket: Ticket, event: SlaEvent, now = event.at): Change {
  return applySlaEvent(ticket, event, ctx(now));
}

/** Asks for the next event and applies it at its instant; fails when there is none. */
function tick(ticket: Ticket, now: number): Change & { event: SlaEvent } {
  const event = next(ticket, now);
  if (!event) throw new Error('expected a pending SLA event, found none');
  return { ...fire(ticket, event), event };
}

function refusal(request: () => unknown): RuleError {
  try {
    request();
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error('expected the rules to refuse this, but they allowed it');
}

const types = (events: TimelineEvent[]) => events.map((e) => e.type);

// ---------------------------------------------------------------------------------------------
// Target lengths in seconds
// ---------------------------------------------------------------------------------------------

describe('target lengths with seconds', () => {
  it.each([
    ['30s', 30 * SECOND],
    ['1m30s', 90 * SECOND],
    ['1.5s', 1_500],
    ['1h30m', 90 * MINUTE],
    ['2bd', 16 * 60 * MINUTE],
  ])('"%s" is %i ms (a business day of 8h)', (text, ms) => {
    // Act
    const length = durationMs(text, 8 * 60 * MINUTE);

    // Assess
    expect(length).toBe(ms);
  });

  it('refuses "0s" as no length and "30 sec" with the usual message', () => {
    // Act
    const zero = parseDuration('0s');
    const word = parseDuration('30 sec');

    // Assess
    expect(zero).toEqual({ ok: false, message: '"0s" must be longer than zero' });
    expect(word).toEqual({ ok: false, message: '"30 sec" is not a duration: use e.g. "30m", "4h", "1h30m" or "2bd"' });
  });

  it('formats seconds only when a length has some', () => {
    // Act
    const texts = [90 * SECOND, 30 * SECOND, 4 * 60 * MINUTE, 90 * MINUTE, 0].map(formatDuration);

    // Assess
    expect(texts).toEqual(['1m30s', '30s', '4h', '1h30m', '0m']);
  });

  it('a policy with seconds-long targets loads and the rules use them', () => {
    // Act
    const ticket = open({ severity: '3' });

    // Assess
    expect(ticket.sla.firstResponse).toMatchObject({ within: '1m30s', due: iso(t('10:01:30')) });
  });
});

// ---------------------------------------------------------------------------------------------
// nextSlaEvent: what must happen next, and when
// ---------------------------------------------------------------------------------------------

describe('the next SLA event', () => {
  it('of a fresh High case is the first-response warning at 80% of 1m, 48s after opening', () => {
    // Act
    const event = next(open(), OPENED);

    // Assess
    expect(event).toEqual({ kind: 'warning', objective: 'firstResponse', at: t('10:00:48'), due: t('10:01:00') });
  });

  it('after the warning is the first-response breach at the due instant', () => {
    // Prepare
    const { ticket: warned } = tick(open(), OPENED);

    // Act
    const event = next(warned, t('10:00:48'));

    // Assess
    expect(event).toEqual({ kind: 'breach', objective: 'firstResponse', at: t('10:01:00'), due: t('10:01:00') });
  });

  it('after an agent reply is the resolution warning at 80% of 5m', () => {
    // Prepare
    const replied = say(open(), 'agent-reply', t('10:00:20'));

    // Act
    const event = next(replied, t('10:00:20'));

    // Assess
    expect(event).toEqual({ kind: 'warning', objective: 'resolution', at: t('10:04:00'), due: t('10:05:00') });
  });

  it('raising the severity mid-wait brings the earlier deadline', () => {
    // Prepare: High, first response due 10:01:00; raised to Critical at 10:00:05
    const raised = act(open(), { type: 'set-severity', severity: '1' }, t('10:00:05'));

    // Act
    const event = next(raised, t('10:00:05'));

    // Assess: Critical's 10s first response counts from the opening, its warning at 8s
    expect(event).toEqual({ kind: 'warning', objective: 'firstResponse', at: t('10:00:08'), due: t('10:00:10') });
  });

  it('an instant already past is due at once: `at` is now, `due` the real deadline', () => {
    // Act: nobody asked until 10:03, long after the first response was due
    const event = next(open(), t('10:03:00'));

    // Assess: no warning after the deadline, only the breach
    expect(event).toEqual({ kind: 'breach', objective: 'firstResponse', at: t('10:03:00'), due: t('10:01:00') });
  });

  it('a warning whose instant passed before the deadline is due at once', () => {
    // Act
    const event = next(open(), t('10:00:50'));

    // Assess
    expect(event).toEqual({ kind: 'warning', objective: 'firstResponse', at: t('10:00:50'), due: t('10:01:00') });
  });

  it('is nothing while the case waits on the customer: every objective is paused', () => {
    // Prepare
    const paused = act(open(), { type: 'pause' }, t('10:00:10'));

    // Act
    const event = next(paused, t('10:00:10'));

    // Assess
    expect(event).toBeUndefined();
  });

  it('after a wait of 30 seconds, every instant has moved by 30 seconds', () => {
    // Prepare
    const paused = act(open(), { type: 'pause' }, t('10:00:10'));
    const resumed = act(paused, { type: 'resume' }, t('10:00:40'));

    // Act
    const event = next(resumed, t('10:00:40'));

    // Assess
    expect(event).toEqual({ kind: 'warning', objective: 'firstResponse', at: t('10:01:18'), due: t('10:01:30') });
  });

  it('is nothing for an objective the policy sets no target for (How-to)', () => {
    // Act
    const event = next(open({ severity: '4' }), OPENED);

    // Assess
    expect(event).toBeUndefined();
  });

  it('is nothing for a closed case', () => {
    // Prepare
    const closed = act(open(), { type: 'close' }, t('10:00:30'));

    // Act
    const event = next(closed, t('10:00:30'));

    // Assess
    expect(event).toBeUndefined();
  });

  it('of a resolved case is the auto-close, 3 calendar days after the resolution', () => {
    // Prepare
    const resolved = act(open(), { type: 'resolve', resolutionType: 'fix', text: 'Patched.' }, t('10:00:30'));

    // Act
    const event = next(resolved, t('10:00:30'));

    // Assess
    expect(event).toEqual({ kind: 'auto-close', at: t('10:00:30') + 3 * DAY, due: t('10:00:30') + 3 * DAY });
  });

  it('of a case escalated by the customer includes the management step timer', () => {
    // Prepare: first response met, so the next deadline would be the resolution warning at 10:04
    const replied = say(open(), 'agent-reply', t('10:00:20'));
    const escalated = act(replied, { type: 'customer-escalate', reason: 'Nobody fixes this' }, t('10:00:30'), CUSTOMER);

    // Act
    const event = next(escalated, t('10:00:30'));

    // Assess: the Customer Success Manager must answer within 30s
    expect(event).toEqual({ kind: 'breach', objective: 'management', step: 0, at: t('10:01:00'), due: t('10:01:00') });
  });

  describe('on a business-hours calendar (Mon–Fri 09:00–17:00 UTC)', () => {
    it('warns at 80% of the target in open hours, across the weekend', () => {
      // Prepare: opened Friday 15:00; 4 open hours = 2h Friday + 2h Monday → due Monday 11:00
      const ticket = open(OFFICE, on(5, '15:00'));

      // Act
      const event = next(ticket, on(5, '15:00'));

      // Assess: 80% of 4h is 3h12m = 2h Friday + 1h12m Monday
      expect(ticket.sla.firstResponse?.due).toBe(iso(on(8, '11:00')));
      expect(event).toEqual({ kind: 'warning', objective: 'firstResponse', at: on(8, '10:12'), due: on(8, '11:00') });
    });

    it('leaves the time the case waited on the customer out of the warning share', () => {
      // Prepare: waits from Friday 16:00 to Monday 09:30, so 1h Friday + 3h from 09:30 → due 12:30
      const paused = act(open(OFFICE, on(5, '15:00')), { type: 'pause' }, on(5, '16:00'));
      const resumed = act(paused, { type: 'resume' }, on(8, '09:30'));

      // Act
      const event = next(resumed, on(8, '09:30'));

      // Assess: 3h12m = 1h Friday + 2h12m from 09:30
      expect(event).toEqual({ kind: 'warning', objective: 'firstResponse', at: on(8, '11:42'), due: on(8, '12:30') });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// applySlaEvent: warnings and breaches
// ---------------------------------------------------------------------------------------------

describe('a warning', () => {
  it('marks the objective warned and records an internal sla-warning naming it and its due', () => {
    // Prepare
    const ticket = open();

    // Act
    const { ticket: warned, events } = tick(ticket, OPENED);

    // Assess
    expect(warned.sla.firstResponse?.warnedAt).toBe(iso(t('10:00:48')));
    expect(warned.sla.resolution).toEqual(ticket.sla.resolution);
    expect(warned.updatedAt).toBe(iso(t('10:00:48')));
    expect(events).toEqual([
      {
        id: 'evt-1',
        ticketId: 'tkt-1',
        at: iso(t('10:00:48')),
        type: 'sla-warning',
        actor: SLA_CLOCK,
        public: false,
        data: { objective: 'firstResponse', due: iso(t('10:01:00')), within: '1m', notify: ['assignee', 'team-lead'] },
      },
    ]);
  });
});

describe('a breach', () => {
  /** A High case whose first-response warning went out and whose first response is now due. */
  const dueNow = () => tick(open(), OPENED).ticket;

  it('of the first response records it on that objective alone, raises the queue and asks to notify assignee and team lead', () => {
    // Prepare
    const warned = dueNow();

    // Act
    const { ticket: breached, events } = tick(warned, t('10:00:48'));

    // Assess
    expect(breached.sla.firstResponse).toMatchObject({ breachedAt: iso(t('10:01:00')), due: iso(t('10:01:00')) });
    expect(breached.sla.firstResponse?.metAt).toBeUndefined();
    expect(breached.sla.resolution).toEqual(warned.sla.resolution);
    expect(breached.flags).toEqual(['sla-breached']);
    expect(breached.queue).toBe('frontline:priority');
    expect(breached.sla.nextDue).toBe(iso(t('10:05:00')));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'sla-breached',
        actor: SLA_CLOCK,
        public: false,
        data: { objective: 'firstResponse', due: iso(t('10:01:00')), within: '1m', notify: ['assignee', 'team-lead'] },
      }),
    ]);
  });

  it('stays recorded when the late first response comes', () => {
    // Prepare
    const breached = tick(dueNow(), t('10:00:48')).ticket;

    // Act
    const replied = say(breached, 'agent-reply', t('10:02:00'));

    // Assess
    expect(replied.sla.firstResponse).toMatchObject({ breachedAt: iso(t('10:01:00')), metAt: iso(t('10:02:00')) });
    expect(replied.queue).toBe('frontline:priority');
  });

  it('of a next response is not wiped by a customer follow-up before anyone answered', () => {
    // Prepare: next response started 10:00:30, due 10:02:30, breached
    let ticket = say(say(open(), 'agent-reply', t('10:00:20')), 'customer', t('10:00:30'));
    ticket = fire(ticket, { kind: 'breach', objective: 'nextResponse', at: t('10:02:30'), due: t('10:02:30') }).ticket;

    // Act
    const followedUp = say(ticket, 'customer', t('10:03:00'));

    // Assess
    expect(followedUp.sla.nextResponse).toMatchObject({ startedAt: iso(t('10:00:30')), breachedAt: iso(t('10:02:30')) });
  });

  describe('of the resolution target', () => {
    const STEPS = '1. Open Reports. 2. Export June. 3. See error E42.';
    const resolutionBreach = (ticket: Ticket): SlaEvent => {
      const due = Date.parse(ticket.sla.resolution!.due!);
      return { kind: 'breach', objective: 'resolution', at: due, due };
    };

    it('at Level 1 moves the case to Level 2, as an escalation by the SLA clock with a fresh Level 2 clock', () => {
      // Prepare: answered, so only the resolution clock runs (due 10:05)
      const ticket = say(open(), 'agent-reply', t('10:00:20'));

      // Act
      const { ticket: l2, events } = fire(ticket, resolutionBreach(ticket));

      // Assess
      expect(l2.tier).toBe('L2');
      expect(l2.queue).toBe('engineering:priority');
      expect(l2.sla.resolution).toEqual({ within: '10m', calendar: 'always', startedAt: iso(t('10:05:00')), due: iso(t('10:15:00')), tier: 'L2' });
      expect(l2.sla.firstResponse).toEqual(ticket.sla.firstResponse);
      expect(types(events)).toEqual(['sla-breached', 'escalated', 'tier-changed']);
      expect(events[0]?.data).toMatchObject({ objective: 'resolution', tier: 'L1', due: iso(t('10:05:00')) });
      expect(events[1]).toMatchObject({ actor: SLA_CLOCK, body: 'Level 1 target resolution time (5m) passed', data: { from: 'L1', to: 'L2' } });
    });

    it('at Level 2 without steps to reproduce keeps the case at Level 2, flags it and tells the Level 2 team', () => {
      // Prepare
      const l2 = act(say(open(), 'agent-reply', t('10:00:20')), { type: 'escalate', reason: 'to L2' }, t('10:01:00'));

      // Act
      const { ticket: after, events } = fire(l2, resolutionBreach(l2));

      // Assess
      expect(after.tier).toBe('L2');
      expect(after.flags).toEqual(['sla-breached', 'needs-reproduction-steps']);
      expect(after.sla.resolution?.breachedAt).toBe(iso(t('10:11:00')));
      expect(types(events)).toEqual(['sla-breached', 'escalation-blocked']);
      expect(events[1]).toMatchObject({
        public: false,
        body: 'tier L3 needs stepsToReproduce before a ticket may enter it',
        data: { from: 'L2', to: 'L3', missing: ['stepsToReproduce'], team: 'engineering', notify: ['team'] },
      });
      expect(next(after, t('10:11:00'))).toBeUndefined();
    });

    it('at Level 2 with steps to reproduce moves the case to Level 3', () => {
      // Prepare
      let l2 = act(say(open(), 'agent-reply', t('10:00:20')), { type: 'escalate', reason: 'to L2' }, t('10:01:00'));
      l2 = act(l2, { type: 'record-details', details: { stepsToReproduce: STEPS } }, t('10:02:00'));

      // Act
      const { ticket: l3 } = fire(l2, resolutionBreach(l2));

      // Assess
      expect(l3.tier).toBe('L3');
      expect(l3.queue).toBe('development:priority');
      expect(l3.sla.resolution).toMatchObject({ tier: 'L3', due: iso(t('10:31:00')) });
    });

    it('recording the steps later clears the flag; the agent then escalates', () => {
      // Prepare
      const l2 = act(say(open(), 'agent-reply', t('10:00:20')), { type: 'escalate', reason: 'to L2' }, t('10:01:00'));
      const flagged = fire(l2, resolutionBreach(l2)).ticket;

      // Act
      const detailed = act(flagged, { type: 'record-details', details: { stepsToReproduce: STEPS } }, t('10:12:00'));
      const l3 = act(detailed, { type: 'escalate', reason: 'Code defect' }, t('10:13:00'));

      // Assess
      expect(detailed.flags).toEqual(['sla-breached']);
      expect(l3.tier).toBe('L3');
    });

    it('at the top tier is recorded and the case stays there', () => {
      // Prepare
      let ticket = act(say(open(), 'agent-reply', t('10:00:20')), { type: 'escalate', reason: 'to L2' }, t('10:01:00'));
      ticket = act(ticket, { type: 'escalate', reason: 'to L3', details: { stepsToReproduce: STEPS } }, t('10:02:00'));

      // Act
      const { ticket: after, events } = fire(ticket, resolutionBreach(ticket));

      // Assess
      expect(after.tier).toBe('L3');
      expect(after.sla.resolution?.breachedAt).toBe(iso(t('10:22:00')));
      expect(types(events)).toEqual(['sla-breached']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Stale timers and repeated events change nothing
// ---------------------------------------------------------------------------------------------

describe('an event that no longer applies', () => {
  const FIRST_RESPONSE_BREACH: SlaEvent = { kind: 'breach', objective: 'firstResponse', at: t('10:01:00'), due: t('10:01:00') };

  it.each<[string, () => Ticket]>([
    ['the objective was met meanwhile', () => say(open(), 'agent-reply', t('10:00:59'))],
    ['a wait moved the deadline later', () => act(act(open(), { type: 'pause' }, t('10:00:10')), { type: 'resume' }, t('10:00:50'))],
    ['the case waits on the customer', () => act(open(), { type: 'pause' }, t('10:00:10'))],
    ['the case is closed', () => act(open(), { type: 'close' }, t('10:00:30'))],
    ['the breach was already recorded', () => fire(open(), FIRST_RESPONSE_BREACH).ticket],
  ])('changes nothing when %s', (_name, prepare) => {
    // Prepare
    const ticket = prepare();

    // Act
    const change = fire(ticket, FIRST_RESPONSE_BREACH, t('10:01:00'));

    // Assess
    expect(change.ticket).toEqual(ticket);
    expect(change.events).toEqual([]);
  });

  it('changes nothing when it comes before its instant', () => {
    // Act
    const change = fire(open(), FIRST_RESPONSE_BREACH, t('10:00:59'));

    // Assess
    expect(change.events).toEqual([]);
  });

  it('a warning timer of an answered next response does not warn the new one early', () => {
    // Prepare: next response 10:00:30 → due 10:02:30 (warning 10:02:06); answered; a new one from 10:02:10
    let ticket = say(say(open(), 'agent-reply', t('10:00:20')), 'customer', t('10:00:30'));
    const stale = next(ticket, t('10:00:30'));
    ticket = say(say(ticket, 'agent-reply', t('10:02:00')), 'customer', t('10:02:10'));

    // Act
    const change = fire(ticket, stale!, t('10:02:06'));

    // Assess
    expect(stale).toMatchObject({ kind: 'warning', objective: 'nextResponse', at: t('10:02:06') });
    expect(change.events).toEqual([]);
  });

  it('a management timer of a step already passed does not move the chain twice', () => {
    // Prepare: CSM missed at 10:00:30, the COO now owes an answer until 10:01:30
    const escalated = act(open(), { type: 'customer-escalate', reason: 'Unhappy' }, OPENED, CUSTOMER);
    const { ticket: atCoo, event } = tick(escalated, OPENED);

    // Act: the CSM timer fires again (a retry), even after the COO's own deadline
    const change = fire(atCoo, event, t('10:02:00'));

    // Assess
    expect(atCoo.sla.management?.stepId).toBe('coo');
    expect(change.events).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Auto-close
// ---------------------------------------------------------------------------------------------

describe('auto-close', () => {
  const RESOLVE: Action = { type: 'resolve', resolutionType: 'workaround', text: 'Export as CSV.' };

  it('closes a resolved case after 3 days as the close action does, by the SLA clock', () => {
    // Prepare
    const resolved = act(open(), RESOLVE, t('10:00:30'));

    // Act
    const { ticket: closed, events } = tick(resolved, t('10:00:30'));

    // Assess
    expect(closed.status).toBe('closed');
    expect(closed.updatedAt).toBe(iso(t('10:00:30') + 3 * DAY));
    expect(types(events)).toEqual(['status-changed', 'closed']);
    expect(events[1]).toMatchObject({ actor: SLA_CLOCK, public: true, body: 'Closed automatically 3 days after it was resolved' });
    expect(next(closed, closed.updatedAt ? Date.parse(closed.updatedAt) : 0)).toBeUndefined();
  });

  it('does not close a case the customer reopened by replying', () => {
    // Prepare
    const resolved = act(open(), RESOLVE, t('10:00:30'));
    const event = next(resolved, t('10:00:30'))!;
    const reopened = say(resolved, 'customer', t('10:00:30') + DAY);

    // Act
    const change = fire(reopened, event);

    // Assess
    expect(change.ticket).toEqual(reopened);
    expect(change.events).toEqual([]);
    expect(next(reopened, t('10:00:30') + DAY)?.kind).not.toBe('auto-close');
  });
});

// ---------------------------------------------------------------------------------------------
// Customer escalation through the management chain
// ---------------------------------------------------------------------------------------------

describe('customer escalation', () => {
  const ESCALATE: Action = { type: 'customer-escalate', reason: 'Three days and still no fix' };

  it('starts step 1 of the management chain with its own timer, publicly', () => {
    // Act
    const { ticket, events } = applyAction(open(), ESCALATE, ctx(t('10:00:10')), CUSTOMER);

    // Assess
    expect(ticket.sla.management).toEqual({
      step: 0,
      stepId: 'csm',
      reason: 'Three days and still no fix',
      startedAt: iso(t('10:00:10')),
      within: '30s',
      calendar: 'always',
      due: iso(t('10:00:40')),
    });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'customer-escalation',
        actor: CUSTOMER,
        public: true,
        body: 'Three days and still no fix',
        data: { step: 'csm', title: 'Customer Success Manager', due: iso(t('10:00:40')), notify: ['management:csm'] },
      }),
    ]);
  });

  it('walks CSM → COO → CEO when nobody answers, then stays at the CEO, flagged', () => {
    // Prepare: answered, so the resolution clock (warning 10:04, due 10:05) is the only other one
    let ticket = act(say(open(), 'agent-reply', t('10:00:05')), ESCALATE, t('10:00:10'), CUSTOMER);
    const timeline: TimelineEvent[] = [];

    // Act: follow the clock through the chain
    const seen: string[] = [];
    let now = t('10:00:10');
    for (let i = 0; i < 3; i++) {
      const change = tick(ticket, now);
      now = change.event.at;
      ticket = change.ticket;
      timeline.push(...change.events);
      seen.push(`${iso(now).slice(11, 19)} ${ticket.sla.management!.stepId}`);
    }

    // Assess: CSM due 10:00:40, COO 1m later, CEO 2m after that
    expect(seen).toEqual(['10:00:40 coo', '10:01:40 ceo', '10:03:40 ceo']);
    expect(timeline.filter((e) => e.type === 'customer-escalation').map((e) => e.data?.step)).toEqual(['coo', 'ceo']);
    expect(ticket.sla.management).toMatchObject({ stepId: 'ceo', step: 2, breachedAt: iso(t('10:03:40')) });
    expect(ticket.flags).toEqual(['sla-breached', 'escalation-unanswered']);
    // The chain has nothing left to time: only the resolution clock remains.
    expect(next(ticket, now)).toEqual({ kind: 'warning', objective: 'resolution', at: t('10:04:00'), due: t('10:05:00') });
  });

  it('acknowledging stops the step timer and the chain goes no further', () => {
    // Prepare
    const escalated = act(say(open(), 'agent-reply', t('10:00:05')), ESCALATE, t('10:00:10'), CUSTOMER);

    // Act
    const { ticket: acknowledged, events } = applyAction(escalated, { type: 'acknowledge-escalation' }, ctx(t('10:00:30')), AGENT);

    // Assess
    expect(acknowledged.sla.management?.acknowledgedAt).toBe(iso(t('10:00:30')));
    expect(types(events)).toEqual(['escalation-acknowledged']);
    expect(events[0]?.data).toEqual({ step: 'csm', title: 'Customer Success Manager' });
    expect(next(acknowledged, t('10:00:30'))).toMatchObject({ kind: 'warning', objective: 'resolution' });
  });

  it('escalating again after an answer goes to the next step; after the last step it is refused', () => {
    // Prepare
    let ticket = open();
    for (const [i, now] of [t('10:00:10'), t('10:00:20'), t('10:00:30')].entries()) {
      ticket = act(ticket, ESCALATE, now, CUSTOMER);
      ticket = act(ticket, { type: 'acknowledge-escalation' }, now + i, AGENT);
    }

    // Act
    const error = refusal(() => act(ticket, ESCALATE, t('10:00:40'), CUSTOMER));

    // Assess
    expect(ticket.sla.management?.stepId).toBe('ceo');
    expect(error).toMatchObject({ field: 'type', kind: 'conflict' });
    expect(error.message).toMatch(/last step of the chain \(Chief Executive Officer\)/);
  });

  it('a late answer after the chain ran out ends the escalation and clears the flag', () => {
    // Prepare
    let ticket = act(open({ severity: '4' }), ESCALATE, OPENED, CUSTOMER);
    let now = OPENED;
    for (let i = 0; i < 3; i++) {
      const change = tick(ticket, now);
      ticket = change.ticket;
      now = change.event.at;
    }

    // Act
    const acknowledged = act(ticket, { type: 'acknowledge-escalation' }, now + MINUTE);

    // Assess
    expect(ticket.flags).toContain('escalation-unanswered');
    expect(acknowledged.flags).not.toContain('escalation-unanswered');
    expect(acknowledged.sla.management?.acknowledgedAt).toBe(iso(now + MINUTE));
  });

  it('refuses a second escalation while a step still owes an answer', () => {
    // Prepare
    const escalated = act(open(), ESCALATE, t('10:00:10'), CUSTOMER);

    // Act
    const error = refusal(() => act(escalated, ESCALATE, t('10:00:20'), CUSTOMER));

    // Assess
    expect(error).toMatchObject({ field: 'type', kind: 'conflict' });
    expect(error.message).toMatch(/already escalated to Customer Success Manager/);
  });

  it('refuses when the policy has no management chain (422 unmet)', () => {
    // Prepare
    const ticket = open({}, OPENED, NO_CHAIN);

    // Act
    const error = refusal(() => act(ticket, ESCALATE, t('10:00:10'), CUSTOMER, NO_CHAIN));

    // Assess
    expect(error).toMatchObject({ field: 'type', kind: 'unmet' });
    expect(error.message).toMatch(/no management escalation chain/);
  });

  it('refuses an acknowledgement from the customer, or when nothing waits for one', () => {
    // Prepare
    const escalated = act(open(), ESCALATE, t('10:00:10'), CUSTOMER);

    // Act
    const byCustomer = refusal(() => act(escalated, { type: 'acknowledge-escalation' }, t('10:00:20'), CUSTOMER));
    const nothing = refusal(() => act(open(), { type: 'acknowledge-escalation' }, t('10:00:20')));

    // Assess
    expect(byCustomer.message).toMatch(/only staff/);
    expect(nothing.message).toMatch(/no customer escalation waits/);
  });

  it('keeps counting while the case waits on the customer', () => {
    // Prepare
    const escalated = act(open(), ESCALATE, t('10:00:10'), CUSTOMER);
    const paused = act(escalated, { type: 'pause' }, t('10:00:20'));

    // Act
    const event = next(paused, t('10:00:20'));

    // Assess
    expect(event).toMatchObject({ kind: 'breach', objective: 'management', at: t('10:00:40') });
  });

  it('closing the case stops the step timer', () => {
    // Prepare
    const escalated = act(open(), ESCALATE, t('10:00:10'), CUSTOMER);

    // Act
    const closed = act(escalated, { type: 'close' }, t('10:00:20'));

    // Assess
    expect(closed.sla.management?.stoppedAt).toBe(iso(t('10:00:20')));
    expect(next(closed, t('10:00:20'))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Regular status reports (statusUpdate): an agent's public update owed every interval
// ---------------------------------------------------------------------------------------------

describe('regular status reports', () => {
  const NORMAL: Partial<NewTicket> = { severity: '3' }; // first response 1m30s, no resolution target, an update every 2m
  const openNormal = (overrides: Partial<NewTicket> = NORMAL) => open(overrides, OPENED, UPDATES);
  const tell = (ticket: Ticket, kind: MessageKind, now: number) => addMessage(ticket, kind, `${kind} at ${iso(now)}`, ctx(now, UPDATES), ACTOR_OF[kind]).ticket;
  const doing = (ticket: Ticket, action: Action, now: number) => applyAction(ticket, action, ctx(now, UPDATES), AGENT).ticket;
  const upcoming = (ticket: Ticket, now: number) => nextSlaEvent(ticket, ctx(now, UPDATES), now);
  const clockAt = (ticket: Ticket, now: number) => {
    const event = upcoming(ticket, now);
    if (!event) throw new Error('expected a pending SLA event, found none');
    return { ...applySlaEvent(ticket, event, ctx(event.at, UPDATES)), event };
  };

  it('owes nothing before the first response; the first agent reply starts the interval', () => {
    // Act
    const opened = openNormal();
    const answered = tell(opened, 'agent-reply', t('10:00:20'));

    // Assess
    expect(opened.sla.statusUpdate).toBeUndefined();
    expect(answered.sla.statusUpdate).toEqual({ startedAt: iso(t('10:00:20')), within: '2m', calendar: 'always', due: iso(t('10:02:20')) });
    expect(answered.sla.nextDue).toBe(iso(t('10:02:20')));
    expect(upcoming(answered, t('10:00:20'))).toEqual({ kind: 'warning', objective: 'statusUpdate', at: t('10:01:56'), due: t('10:02:20') });
  });

  it('restarts on every public agent reply, never on an internal note or a customer message', () => {
    // Prepare
    const answered = tell(openNormal(), 'agent-reply', t('10:00:20'));

    // Act
    const noted = tell(answered, 'internal-note', t('10:01:00'));
    const written = tell(noted, 'customer', t('10:01:10'));
    const updated = tell(written, 'agent-reply', t('10:01:30'));

    // Assess
    expect(noted.sla.statusUpdate?.due).toBe(iso(t('10:02:20')));
    expect(written.sla.statusUpdate?.due).toBe(iso(t('10:02:20')));
    expect(updated.sla.statusUpdate).toMatchObject({ startedAt: iso(t('10:01:30')), due: iso(t('10:03:30')) });
    expect(updated.sla.statusUpdate?.warnedAt).toBeUndefined();
  });

  it('a warning at 80 % of the interval, then the breach: recorded, queue raised, assignee and team lead told, once', () => {
    // Prepare
    const answered = tell(openNormal(), 'agent-reply', t('10:00:20'));

    // Act
    const warned = clockAt(answered, t('10:00:20'));
    const breached = clockAt(warned.ticket, t('10:01:56'));

    // Assess
    expect(warned.events.map((e) => [e.type, e.at, e.data])).toEqual([
      ['sla-warning', iso(t('10:01:56')), { objective: 'statusUpdate', due: iso(t('10:02:20')), within: '2m', notify: ['assignee', 'team-lead'] }],
    ]);
    expect(breached.events.map((e) => [e.type, e.at, e.public, e.data])).toEqual([
      ['sla-breached', iso(t('10:02:20')), false, { objective: 'statusUpdate', due: iso(t('10:02:20')), within: '2m', notify: ['assignee', 'team-lead'] }],
    ]);
    expect(breached.ticket.sla.statusUpdate?.breachedAt).toBe(iso(t('10:02:20')));
    expect(breached.ticket.flags).toContain('sla-breached');
    expect(breached.ticket.queue).toBe('frontline:priority');
    expect(notificationsForEvents(breached.ticket, breached.events)).toEqual([
      expect.objectContaining({ kind: 'sla-breach', recipients: ['assignee', 'team-lead'], objective: 'statusUpdate', due: iso(t('10:02:20')) }),
    ]);
    const mail = renderNotification(UPDATES, breached.ticket, notificationsForEvents(breached.ticket, breached.events)[0]!);
    expect(mail.subject).toContain('SLA breached: status update was due');
    // One notice per missed report: nothing more is timed until an agent updates the customer.
    expect(upcoming(breached.ticket, t('10:02:20'))).toBeUndefined();
    const updated = tell(breached.ticket, 'agent-reply', t('10:10:00'));
    expect(upcoming(updated, t('10:10:00'))).toEqual({ kind: 'warning', objective: 'statusUpdate', at: t('10:11:36'), due: t('10:12:00') });
  });

  it('pauses while the case waits on the customer and goes on from where it stopped', () => {
    // Prepare
    const answered = tell(openNormal(), 'agent-reply', t('10:00:20'));

    // Act: 40 s of the 2 m used, then 4 minutes waiting on the customer.
    const waiting = doing(answered, { type: 'pause' }, t('10:01:00'));
    const resumed = doing(waiting, { type: 'resume' }, t('10:05:00'));

    // Assess
    expect(waiting.sla.statusUpdate?.due).toBeNull();
    expect(waiting.sla.nextDue).toBeUndefined();
    expect(upcoming(waiting, t('10:01:00'))).toBeUndefined();
    expect(resumed.sla.statusUpdate?.due).toBe(iso(t('10:06:20')));
  });

  it('stops when the case is resolved (an agent reply then starts nothing) and runs again when it is reopened', () => {
    // Prepare
    const answered = tell(openNormal(), 'agent-reply', t('10:00:20'));

    // Act
    const resolved = doing(answered, { type: 'resolve', resolutionType: 'fix', text: 'Fixed in 4.2.' }, t('10:01:00'));
    const thanked = tell(resolved, 'agent-reply', t('10:01:10'));
    const reopened = tell(thanked, 'customer', t('10:03:00'));

    // Assess
    expect(resolved.sla.statusUpdate).toMatchObject({ stoppedAt: iso(t('10:01:00')), due: null });
    expect(thanked.sla.statusUpdate).toEqual(resolved.sla.statusUpdate);
    expect(upcoming(thanked, t('10:01:10'))?.kind).toBe('auto-close');
    expect(reopened.status).toBe('open');
    expect(reopened.sla.statusUpdate).toEqual({ startedAt: iso(t('10:03:00')), within: '2m', calendar: 'always', due: iso(t('10:05:00')) });
  });

  it('stops when the case is closed', () => {
    // Act
    const closed = doing(tell(openNormal(), 'agent-reply', t('10:00:20')), { type: 'close' }, t('10:01:00'));

    // Assess
    expect(closed.sla.statusUpdate).toMatchObject({ stoppedAt: iso(t('10:01:00')), due: null });
    expect(upcoming(closed, t('10:01:00'))).toBeUndefined();
  });

  it('orders the queue by whichever is due first: the status update before the resolution target', () => {
    // Prepare: High, resolution at L1 due 10:05, status update every 2m.
    const opened = open({}, OPENED, UPDATES);

    // Act
    const answered = tell(opened, 'agent-reply', t('10:00:30'));
    const late = tell(answered, 'agent-reply', t('10:04:00'));

    // Assess
    expect(answered.sla.nextDue).toBe(iso(t('10:02:30')));
    expect(late.sla.nextDue).toBe(iso(t('10:05:00')));
  });

  it('counts business hours: every 4h from Friday 15:00 on Mon–Fri 09:00–17:00 is Monday 11:00', () => {
    // Prepare
    const opened = open(OFFICE, on(5, '14:00'), UPDATES);

    // Act
    const answered = tell(opened, 'agent-reply', on(5, '15:00'));

    // Assess
    expect(answered.sla.statusUpdate).toMatchObject({ within: '4h', calendar: 'office', due: iso(on(8, '11:00')) });
    // 80 % of 4 business hours: 1h12m into Monday.
    expect(upcoming(answered, on(5, '15:00'))).toMatchObject({ kind: 'warning', objective: 'statusUpdate', at: on(8, '10:12') });
  });

  it("follows a severity change: the new severity's interval counted from the last update", () => {
    // Prepare
    const answered = tell(openNormal(), 'agent-reply', t('10:00:20'));

    // Act: raised to Critical (every 30s).
    const raised = doing(answered, { type: 'set-severity', severity: '1' }, t('10:00:30'));

    // Assess
    expect(raised.sla.statusUpdate).toMatchObject({ within: '30s', due: iso(t('10:00:50')) });
  });

  it('is not owed where the policy sets no interval (How-to), nor by a policy without status updates', () => {
    // Act
    const howTo = tell(openNormal({ severity: '4' }), 'agent-reply', t('10:00:20'));
    const without = say(open(NORMAL), 'agent-reply', t('10:00:20'));

    // Assess
    expect(howTo.sla.statusUpdate).toEqual({ startedAt: iso(t('10:00:20')), due: null });
    expect(without.sla.statusUpdate).toEqual({ startedAt: iso(t('10:00:20')), due: null });
    expect(without.sla.nextDue).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the schedule moves forward and events are idempotent
// ---------------------------------------------------------------------------------------------

// Run on the test policy and on it with status updates, whose clock every agent reply restarts.
describe.each([
  ['the test policy', POLICY],
  ['the test policy with status updates', UPDATES],
])('for any sequence of actions, messages and clock events (%s)', (_name, policy) => {
  type Step = { kind: 'message'; message: MessageKind; waitMs: number } | { kind: 'action'; action: Action; actor: Actor; waitMs: number } | { kind: 'clock'; lateMs: number };

  const action: fc.Arbitrary<{ action: Action; actor: Actor }> = fc.oneof(
    fc.constantFrom('1', '2', '3', '4').map((severity) => ({ action: { type: 'set-severity', severity } as Action, actor: AGENT })),
    fc.constant({ action: { type: 'record-details', details: { stepsToReproduce: 'steps' } } as Action, actor: AGENT }),
    fc.constantFrom<string | undefined>(undefined, 'L3').map((tier) => ({ action: { type: 'escalate', reason: 'up', ...(tier ? { tier } : {}) } as Action, actor: AGENT })),
    fc.constantFrom<Action>({ type: 'pause' }, { type: 'resume' }, { type: 'reopen' }, { type: 'close' }).map((a) => ({ action: a, actor: AGENT })),
    fc.constant({ action: { type: 'resolve', resolutionType: 'fix', text: 'done' } as Action, actor: AGENT }),
    fc.constant({ action: { type: 'customer-escalate', reason: 'unhappy' } as Action, actor: CUSTOMER }),
    fc.constant({ action: { type: 'acknowledge-escalation' } as Action, actor: AGENT }),
  );
  const waitMs = fc.integer({ min: 0, max: 90 * SECOND });

  const step: fc.Arbitrary<Step> = fc.oneof(
    // Messages weigh more: a next-response clock needs a reply and then a customer message.
    {
      arbitrary: fc.record({ message: fc.constantFrom<MessageKind>('customer', 'agent-reply', 'internal-note'), waitMs }).map((s): Step => ({ kind: 'message', ...s })),
      weight: 2,
    },
    { arbitrary: fc.record({ chosen: action, waitMs }).map(({ chosen, waitMs }): Step => ({ kind: 'action', ...chosen, waitMs })), weight: 1 },
    // The clock acts on time most often, sometimes late (a restarted runtime, a slow Lambda).
    { arbitrary: fc.constant<Step>({ kind: 'clock', lateMs: 0 }), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 3 * MINUTE }).map((lateMs): Step => ({ kind: 'clock', lateMs })), weight: 1 },
  );

  const scenario = fc.record({
    severity: fc.constantFrom('1', '2', '3', '4'),
    // Half start answered with the customer writing back, so a next-response clock runs from the start.
    writtenBack: fc.boolean(),
    steps: fc.array(step, { maxLength: 40 }),
  });

  it('nextSlaEvent never returns an event before the last one applied, and applying it twice equals once', () => {
    fc.assert(
      fc.property(scenario, ({ severity, writtenBack, steps }) => {
        // Prepare
        nextId = 0;
        let now = OPENED;
        let ticket = open({ severity }, OPENED, policy);
        if (writtenBack) {
          for (const kind of ['agent-reply', 'customer'] as const) ticket = addMessage(ticket, kind, 'text', ctx(now, policy), ACTOR_OF[kind]).ticket;
        }
        let lastApplied = -Infinity;

        for (const s of steps) {
          if (s.kind !== 'clock') {
            now += s.waitMs;
            try {
              ticket = s.kind === 'message' ? addMessage(ticket, s.message, 'text', ctx(now, policy), ACTOR_OF[s.message]).ticket : applyAction(ticket, s.action, ctx(now, policy), s.actor).ticket;
            } catch (error) {
              if (!(error instanceof RuleError)) throw error;
            }
            continue;
          }

          // Act
          const event = nextSlaEvent(ticket, ctx(now, policy), now);
          if (!event) {
            // Nothing left to do only when no deadline runs and no resolved case waits to close.
            expect(ticket.sla.nextDue).toBeUndefined();
            expect(ticket.status).not.toBe('resolved');
            continue;
          }
          expect(event.at).toBeGreaterThanOrEqual(now);
          expect(event.at).toBeGreaterThanOrEqual(lastApplied);
          now = event.at + s.lateMs;
          const once = applySlaEvent(ticket, event, ctx(now, policy));
          const twice = applySlaEvent(once.ticket, event, ctx(now, policy));

          // Assess
          expect(twice.ticket).toEqual(once.ticket);
          expect(twice.events).toEqual([]);
          // On time, the event always does something: the workflow never loops on a no-op.
          if (s.lateMs === 0) expect(once.events.length).toBeGreaterThan(0);
          lastApplied = now;
          ticket = once.ticket;
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// What the ticket's execution does next (functions/workflow/step.ts), and the mail a change owes
// ---------------------------------------------------------------------------------------------

describe("what a ticket's execution does after a step", () => {
  const RT = { policy: POLICY, planner: PLANNER };
  const acknowledged = (ticket: Ticket): Ticket => ({ ...ticket, intakeAcknowledgedAt: iso(OPENED) });
  const asked = (overrides: Partial<{ execution: string; startedAt: number; cycle: number; mailFailures: number }> = {}) => ({
    ticketId: 'tkt-1',
    execution: overrides.execution ?? 'tkt-1',
    startedAt: iso(overrides.startedAt ?? OPENED),
    cycle: overrides.cycle ?? 0,
    mailFailures: overrides.mailFailures ?? 0,
  });

  it('waits until the next SLA event; one that came due while the step ran is acted on a second later', () => {
    const ticket = acknowledged(open({ severity: '1' }));

    expect(decide(RT, ticket, asked(), OPENED)).toEqual({ action: 'wait', waitSeconds: 8 }); // warning at 80 % of 10 s
    expect(decide(RT, ticket, asked(), OPENED + 7_500)).toEqual({ action: 'wait', waitSeconds: 1 }); // rounded up, never early
    expect(decide(RT, ticket, asked(), OPENED + 8 * SECOND)).toEqual({ action: 'wait', waitSeconds: 1 });
  });

  it('never waits past the hand-over, 300 days after its execution started, and hands over then or after 300 steps', () => {
    const quiet = acknowledged(open({ severity: '4' })); // no objective: waits for the next change
    const started = OPENED - 10 * DAY;

    expect(decide(RT, quiet, asked({ startedAt: started }), OPENED)).toEqual({ action: 'wait', waitSeconds: (REPLACE_AFTER_MS - 10 * DAY) / SECOND });
    expect(decide(RT, quiet, asked({ startedAt: OPENED - REPLACE_AFTER_MS }), OPENED)).toEqual({ action: 'replaced', waitSeconds: 1 });
    expect(decide(RT, quiet, asked({ cycle: REPLACE_AFTER_CYCLES - 1 }), OPENED).action).toBe('wait');
    expect(decide(RT, quiet, asked({ cycle: REPLACE_AFTER_CYCLES }), OPENED).action).toBe('replaced');
  });

  it('ends when the ticket is closed or gone, or when a newer run of its workflow took over', () => {
    const ticket = acknowledged(open({ severity: '1' }));

    expect(decide(RT, undefined, asked(), OPENED)).toEqual({ action: 'end', waitSeconds: 1 });
    expect(decide(RT, act(ticket, { type: 'close' }, OPENED + SECOND), asked(), OPENED + SECOND).action).toBe('end');
    expect(decide(RT, { ...ticket, workflowRun: 2 }, asked(), OPENED).action).toBe('end');
    expect(decide(RT, { ...ticket, workflowRun: 2 }, asked({ execution: 'tkt-1-run2' }), OPENED).action).toBe('wait');
  });

  it("keeps a closed ticket's execution while mail SES did not take is owed, trying again with back-off", () => {
    const closing = queueNotifications(applyAction(acknowledged(open()), { type: 'close', reason: 'Done here.' }, ctx(OPENED + SECOND), AGENT));

    expect(closing.ticket.outbox?.map((n) => n.kind)).toEqual(['status-update']);
    expect(decide(RT, closing.ticket, asked({ mailFailures: 1 }), OPENED + SECOND)).toEqual({ action: 'wait', waitSeconds: 10 });
    expect(decide(RT, closing.ticket, asked({ mailFailures: 3 }), OPENED + SECOND)).toEqual({ action: 'wait', waitSeconds: 40 });
    expect(decide(RT, removeFromOutbox(closing.ticket, closing.ticket.outbox!), asked(), OPENED + SECOND).action).toBe('end');
  });

  it('retries mail after 10 s, doubling, then every 15 minutes for as long as SES does not take it; mail queued meanwhile goes at once', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(mailRetrySeconds)).toEqual([10, 20, 40, 80, 160, 320, 640, 900]);
    expect(mailRetrySeconds(0)).toBe(1);
  });

  it('an open ticket with mail owed waits for the retry or the next SLA event, whichever is first', () => {
    const ticket = acknowledged(open({ severity: '1' }));
    const owing = queueNotifications(addMessage(ticket, 'agent-reply', 'On it.', ctx(OPENED), AGENT)).ticket;

    expect(decide(RT, owing, asked({ mailFailures: 2 }), OPENED)).toEqual({ action: 'wait', waitSeconds: 20 });
    expect(decide(RT, owing, asked({ mailFailures: 1 }), OPENED).waitSeconds).toBeLessThanOrEqual(10);
  });
});

describe("advancing a ticket's clock (what a wake-up of its workflow writes)", () => {
  it('acknowledges a new ticket once, applies what is due with its mail queued, and changes nothing when nothing is due', () => {
    const ticket = open({ severity: '1' });

    const first = advanceClock(ticket, ctx(OPENED));
    expect(first.ticket.intakeAcknowledgedAt).toBe(iso(OPENED));
    expect(first.ticket.outbox?.map((n) => n.kind)).toEqual(['acknowledgement']);
    expect(first.events).toEqual([]);

    const quiet = advanceClock(first.ticket, ctx(OPENED + SECOND));
    expect(quiet.ticket).toBe(first.ticket); // nothing due, nothing owed: not written

    const warned = advanceClock(first.ticket, ctx(OPENED + 8 * SECOND)); // 80 % of 10 s
    expect(warned.events.map((e) => e.type)).toEqual(['sla-warning']);
    expect(warned.ticket.outbox?.map((n) => n.kind)).toEqual(['acknowledgement', 'sla-warning']);
    expect(advanceClock(warned.ticket, ctx(OPENED + 8 * SECOND)).ticket).toBe(warned.ticket); // applying again changes nothing
  });
});

describe('the outbox of a ticket', () => {
  it('queues what the requester must hear (a reply, the resolution), nothing for internal notes, and keeps the newest 50', () => {
    let ticket = open();
    ticket = queueNotifications(addMessage(ticket, 'internal-note', 'looks like the cron job', ctx(OPENED), AGENT)).ticket;
    expect(ticket.outbox).toBeUndefined();

    const replied = queueNotifications(addMessage(ticket, 'agent-reply', 'Please restart the indexer.', ctx(OPENED + SECOND), AGENT));
    expect(replied.ticket.outbox).toEqual([
      { kind: 'agent-reply', ticketId: 'tkt-1', caseNumber: 'SLA-000001', recipients: ['requester'], eventId: replied.events.find((e) => e.type === 'agent-reply')!.id, eventAt: iso(OPENED + SECOND) },
    ]);

    let busy = replied.ticket;
    for (let i = 0; i < 60; i++) busy = queueNotifications(addMessage(busy, 'agent-reply', `reply ${i}`, ctx(OPENED + (i + 2) * SECOND), AGENT)).ticket;
    expect(busy.outbox).toHaveLength(OUTBOX_LIMIT);
    expect(busy.outbox!.at(-1)!.eventAt).toBe(iso(OPENED + 61 * SECOND));
  });

  it('takes out only what went out: one queued entry per sent mail, however its keys are ordered, and keeps what was queued meanwhile', () => {
    const first = queueNotifications(addMessage(open(), 'agent-reply', 'one', ctx(OPENED), AGENT));
    const second = queueNotifications(addMessage(first.ticket, 'agent-reply', 'two', ctx(OPENED + SECOND), AGENT));
    const sent = second.ticket.outbox!.slice(0, 1).map((n) => Object.fromEntries(Object.entries({ ...n, body: 'one' }).reverse()) as unknown as typeof n);
    const meanwhile = queueNotifications(addMessage(second.ticket, 'agent-reply', 'three', ctx(OPENED + 2 * SECOND), AGENT)).ticket;

    const after = removeFromOutbox(meanwhile, sent);

    expect(after.outbox!.map((n) => n.eventAt)).toEqual([iso(OPENED + SECOND), iso(OPENED + 2 * SECOND)]);
    expect(removeFromOutbox(after, after.outbox!).outbox).toBeUndefined();
    expect(removeFromOutbox(after, [])).toBe(after);
  });
});
