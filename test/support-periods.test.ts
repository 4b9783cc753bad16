/**
 * The rules of dedicated support periods (core/periods): what an order may ask for under the
 * Cadmium preset (4-hour blocks, notice 10 days ahead), which slots a booking takes, when an
 * engineer is available, and the three mails to the point of contact.
 */
import { describe, expect, it } from 'vitest';
import { notificationsForEvents } from '../core/notifications/events';
import { renderNotification } from '../core/notifications/render';
import { noticeMail, orderMails, summaryMail, updateMail } from '../core/periods/mails';
import { type Agent, availableFor, bookedSlots, newOrder, nextUpdateAt, noticeAt, type OrderRequest, orderProblems, periodsFixed, withOrderMail } from '../core/periods/orders';
import { AgentSchema } from '../core/periods/requests';
import { handOverAfterPeriod, routeToDedicatedEngineer } from '../core/periods/routing';
import { loadPolicy } from '../core/policy/files';
import type { Policy } from '../core/policy/schema';
import { SlaPlanner } from '../core/sla/targets';
import type { Ticket } from '../core/tickets/model';
import { applyAction, openTicket, type RuleContext, RuleError } from '../core/tickets/rules';

const CADMIUM = loadPolicy('cadmium');
const NOW = Date.parse('2026-11-23T09:30:00Z');
const request = (periods: OrderRequest['periods']): OrderRequest => ({
  purpose: 'attendee-support',
  periods,
  pointOfContact: { name: 'Pat Poc', email: 'pat@customer.example' },
});
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('an order for dedicated support periods', () => {
  it('sells whole blocks of 4 hours: 3 and 0 hours are refused naming the period, 8 hours is two blocks', () => {
    expect(fields(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 3 }]), NOW))).toEqual(['periods.0.hours']);
    expect(fields(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 0 }]), NOW))).toEqual(['periods.0.hours']);
    // A positive number too small to be a block (DynamoDB cannot even store 2e-323) is not one.
    expect(fields(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 2e-323 }]), NOW))).toEqual(['periods.0.hours']);
    expect(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 8 }]), NOW)).toEqual([]);
    expect(newOrder(CADMIUM, 'SO-000001', 'acme', request([{ start: '2026-12-01T14:00:00Z', hours: 8 }]), NOW).periods[0]).toMatchObject({
      start: '2026-12-01T14:00:00.000Z',
      end: '2026-12-01T22:00:00.000Z',
      blocks: 2,
      status: 'pending',
    });
  });

  it('starts on the hour, in the future, within 360 days, without overlapping itself, for a purpose the policy offers', () => {
    const problems = orderProblems(
      { ...CADMIUM },
      {
        ...request([
          { start: '2026-12-01T14:30:00Z', hours: 4 },
          { start: '2026-11-01T10:00:00Z', hours: 4 },
          { start: '2027-12-01T10:00:00Z', hours: 4 },
          { start: '2026-12-01T16:00:00Z', hours: 4 },
        ]),
        purpose: 'juggling',
      },
      NOW,
    );
    expect(fields(problems)).toEqual(['purpose', 'periods.0.start', 'periods.1.start', 'periods.2.start', 'periods.3.start']);
    expect(problems.at(-1)!.message).toBe('overlaps period 0');
  });

  it('books one slot per hour, so overlapping periods share a slot and adjacent ones do not', () => {
    const morning = { start: '2026-12-01T08:00:00.000Z', end: '2026-12-01T12:00:00.000Z' };
    expect(bookedSlots(CADMIUM, morning)).toEqual(['2026-12-01T08:00:00.000Z', '2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z']);
    const slots = new Set(bookedSlots(CADMIUM, morning));
    expect(bookedSlots(CADMIUM, { start: '2026-12-01T11:00:00.000Z', end: '2026-12-01T15:00:00.000Z' }).some((s) => slots.has(s))).toBe(true);
    expect(bookedSlots(CADMIUM, { start: '2026-12-01T12:00:00.000Z', end: '2026-12-01T16:00:00.000Z' }).some((s) => slots.has(s))).toBe(false);
  });

  it('an engineer is available when one window covers the whole period; the notice goes out 10 days ahead', () => {
    const agent: Agent = { id: 'ana', name: 'Ana', email: 'ana@vendor.example', skills: [], availability: [{ from: '2026-12-01T08:00:00Z', to: '2026-12-01T12:00:00Z' }] };
    expect(availableFor(agent, { start: '2026-12-01T08:00:00Z', end: '2026-12-01T12:00:00Z' })).toBe(true);
    expect(availableFor(agent, { start: '2026-12-01T10:00:00Z', end: '2026-12-01T14:00:00Z' })).toBe(false);
    expect(new Date(noticeAt(CADMIUM, { start: '2026-12-11T08:00:00Z' }, NOW)).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(noticeAt(CADMIUM, { start: '2026-11-25T08:00:00Z' }, NOW)).toBe(NOW); // closer than 10 days: at once
  });
});

describe('the mails of a period', () => {
  const order = newOrder(CADMIUM, 'SO-000007', 'acme', { ...request([{ start: '2026-12-01T14:00:00Z', hours: 4 }]), phone: '+1 800 555 0100' }, NOW);
  const period = { ...order.periods[0]!, engineerId: 'ana' };
  const ana: Agent = { id: 'ana', name: 'Ana <Lead> Engineer', email: 'ana@vendor.example', phone: '+1 202 555 0100', skills: [], availability: [] };

  it('tells the point of contact who the engineer is and the number to call, HTML-escaped', () => {
    const mail = noticeMail(CADMIUM, order, period, ana);
    // CHOSEN: the notice about ten days before is the order's confirmation.
    expect(mail).toMatchObject({ to: 'pat@customer.example', subject: '[SO-000007] Your dedicated support engineer for 2026-12-01 14:00 UTC is confirmed' });
    expect(mail.text).toContain('is confirmed. Your engineer:');
    expect(mail.text).toContain('Ana <Lead> Engineer');
    expect(mail.text).toContain('+1 800 555 0100');
    expect(mail.html).toContain('Ana &lt;Lead&gt; Engineer');
  });

  it('sums up every ticket of the period: case number, subject, severity, status, outcome', () => {
    const ticket = {
      caseNumber: 'CDM-000042',
      subject: 'Stream down',
      severity: 'sev1',
      status: 'resolved',
      resolution: { type: 'fix', text: 'Restarted the encoder.', at: '' },
      details: {},
      tier: 'support',
    };
    const mail = summaryMail(CADMIUM, order, period, [ticket as never]);
    expect(mail.text).toContain('CDM-000042 · Stream down · Severity 1 – Critical · resolved');
    expect(mail.text).toContain('resolved: Restarted the encoder.');
    expect(summaryMail(CADMIUM, order, period, []).text).toContain('No tickets were opened during the period.');
  });
});

describe("a period's dedicated number and its updates", () => {
  const WITH_NUMBER: Policy = { ...CADMIUM, supportPeriods: { ...CADMIUM.supportPeriods!, phoneNumber: '+1 800 555 0000' } };

  it("each period has its own number: the period's, else the order's, else the policy's; the notice names it", () => {
    const periods = [
      { start: '2026-12-01T14:00:00Z', hours: 4, phone: '+1 800 555 0111' },
      { start: '2026-12-02T14:00:00Z', hours: 4 },
    ];
    const ordered = newOrder(WITH_NUMBER, 'SO-000008', 'acme', { ...request(periods), phone: '+1 800 555 0100' }, NOW);
    expect(ordered.periods.map((p) => p.phone)).toEqual(['+1 800 555 0111', '+1 800 555 0100']);
    expect(newOrder(WITH_NUMBER, 'SO-000009', 'acme', request(periods), NOW).periods.map((p) => p.phone)).toEqual(['+1 800 555 0111', '+1 800 555 0000']);
    expect(newOrder(CADMIUM, 'SO-000010', 'acme', request([periods[1]!]), NOW).periods[0]!.phone).toBeUndefined();

    const ana: Agent = { id: 'ana', name: 'Ana', email: 'ana@vendor.example', skills: [], availability: [] };
    expect(noticeMail(CADMIUM, ordered, ordered.periods[0]!, ana).text).toContain('call +1 800 555 0111');
    expect(noticeMail(CADMIUM, ordered, ordered.periods[1]!, ana).text).toContain('call +1 800 555 0100');
  });

  it("an engineer's phone is an international number, since a call of their period is dialled to it", () => {
    const agent = (phone: string) => AgentSchema.safeParse({ name: 'Eve', email: 'eve@vendor.example', phone });
    expect(agent('+1 (202) 555-0166').success).toBe(true);
    const national = agent('(202) 555-0166');
    expect(national.success).toBe(false);
    expect(national.error!.issues[0]).toMatchObject({ path: ['phone'], message: expect.stringContaining('an international number') });
  });

  it('the point of contact hears every updateEvery (1 hour in the preset) from the start, never at or after the end', () => {
    const period = { start: '2026-12-01T14:00:00.000Z', end: '2026-12-01T18:00:00.000Z' };
    expect(nextUpdateAt(CADMIUM, period, Date.parse('2026-12-01T14:00:00Z'))).toBe('2026-12-01T15:00:00.000Z');
    expect(nextUpdateAt(CADMIUM, period, Date.parse('2026-12-01T15:00:00Z'))).toBe('2026-12-01T16:00:00.000Z');
    expect(nextUpdateAt(CADMIUM, period, Date.parse('2026-12-01T16:59:59Z'))).toBe('2026-12-01T17:00:00.000Z');
    expect(nextUpdateAt(CADMIUM, period, Date.parse('2026-12-01T17:00:00Z'))).toBeUndefined(); // 18:00 is the end: the summary
    const noUpdates: Policy = { ...CADMIUM, supportPeriods: { ...CADMIUM.supportPeriods!, updateEvery: undefined } };
    expect(nextUpdateAt(noUpdates, period, Date.parse('2026-12-01T14:00:00Z'))).toBeUndefined();
  });
});

describe('escalating an issue of a support period', () => {
  const POLICY: Policy = {
    ...CADMIUM,
    notifications: {
      from: 'support@cadmium.example',
      teams: { infrastructure: { lead: 'infra-lead@cadmium.example', members: ['oncall@cadmium.example'] }, 'project-manager': { members: ['pm@cadmium.example'] } },
      agents: {},
      management: {},
      templates: {},
    } as unknown as Policy['notifications'],
  };
  let ids = 0;
  const ctx = (now = NOW): RuleContext => ({ policy: POLICY, planner: new SlaPlanner(POLICY), now, newId: () => `id-${++ids}` });
  const AGENT = { kind: 'agent', id: 'ana' } as const;
  const opened = (): Ticket =>
    openTicket(
      {
        id: 'CDM-000050',
        caseNumber: 'CDM-000050',
        customerId: 'acme',
        requester: { email: 'guest@acme.example' },
        channel: 'phone',
        subject: 'Stream down',
        description: 'No video for attendees.',
        severity: 'sev1',
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx(),
      { kind: 'customer', id: 'guest@acme.example' },
    ).ticket;
  const routing = { orderId: 'SO-000011', period: 0, engineerId: 'ana', contact: 'pat@acme.example', until: '2026-12-01T18:00:00Z' };
  const dedicated = () => routeToDedicatedEngineer({ ticket: opened(), events: [] }, routing, ctx()).ticket;

  it('a system issue goes to the infrastructure team and a configuration issue to the project manager, each told with the point of contact', () => {
    const system = applyAction(dedicated(), { type: 'escalate-period-issue', issue: 'system', reason: 'Encoder cluster down.' }, ctx(NOW + 60_000), AGENT);
    expect(system.ticket.dedicated).toMatchObject({ contact: 'pat@acme.example', escalations: [{ issue: 'system', to: 'infrastructure', at: new Date(NOW + 60_000).toISOString() }] });
    const [mail] = notificationsForEvents(system.ticket, system.events);
    expect(mail).toMatchObject({ kind: 'period-escalation', recipients: ['team:infrastructure', 'period-contact'] });
    const rendered = renderNotification(POLICY, system.ticket, { ...mail!, body: system.events[0]!.body! });
    expect(rendered.to).toEqual(['infra-lead@cadmium.example', 'oncall@cadmium.example', 'pat@acme.example']);
    expect(rendered.text).toContain('System issue, escalated to infrastructure: Encoder cluster down.');

    const configuration = applyAction(system.ticket, { type: 'escalate-period-issue', issue: 'configuration', reason: 'Wrong session times.' }, ctx(NOW + 120_000), AGENT);
    expect(configuration.ticket.dedicated!.escalations!.map((e) => e.to)).toEqual(['infrastructure', 'project-manager']);
    expect(renderNotification(POLICY, configuration.ticket, notificationsForEvents(configuration.ticket, configuration.events)[0]!).to).toEqual(['pm@cadmium.example', 'pat@acme.example']);
  });

  it('is refused for a ticket outside a period, from a customer, and on a resolved ticket, naming why', () => {
    const refused = (ticket: Ticket, actor: Parameters<typeof applyAction>[3] = AGENT) => {
      try {
        applyAction(ticket, { type: 'escalate-period-issue', issue: 'system', reason: 'x' }, ctx(), actor);
      } catch (error) {
        return error instanceof RuleError ? `${error.field}: ${error.message}` : String(error);
      }
      return 'allowed';
    };
    expect(refused(opened())).toBe('type: ticket CDM-000050 was not opened during a dedicated support period');
    expect(refused(dedicated(), { kind: 'customer', id: 'guest@acme.example' })).toBe('type: only staff can escalate an issue of a support period');
    const resolved = applyAction(dedicated(), { type: 'resolve', resolutionType: 'fix', text: 'Restarted.' }, ctx(), AGENT);
    expect(refused(resolved.ticket)).toMatch(/^status: a resolved ticket cannot be escalated/);
  });

  it('a resolution during the period reaches the point of contact too; the update and the summary list the escalations', () => {
    const escalated = applyAction(dedicated(), { type: 'escalate-period-issue', issue: 'system', reason: 'Encoder cluster down.' }, ctx(), AGENT).ticket;
    const resolved = applyAction(escalated, { type: 'resolve', resolutionType: 'fix', text: 'Encoders replaced.' }, ctx(NOW + 60_000), AGENT);
    const notice = notificationsForEvents(resolved.ticket, resolved.events).find((n) => n.kind === 'resolution')!;
    expect(renderNotification(POLICY, resolved.ticket, notice).to).toEqual(['guest@acme.example', 'pat@acme.example']);

    const order = newOrder(POLICY, 'SO-000011', 'acme', request([{ start: '2026-12-01T14:00:00Z', hours: 4 }]), NOW);
    const other = dedicated();
    const update = updateMail(POLICY, order, order.periods[0]!, [resolved.ticket, other], Date.parse('2026-12-01T15:00:00Z'));
    expect(update.subject).toBe('[SO-000011] Support period update: 1 open');
    expect(update.text).toContain('2 tickets so far, 1 still being worked.');
    expect(update.text).toContain('resolved: Encoders replaced.; system issue escalated to infrastructure');
    expect(summaryMail(POLICY, order, order.periods[0]!, [resolved.ticket]).text).toContain('system issue escalated to infrastructure');
  });

  it("an escalated issue moves into the escalation team's queue; the engineer stays assigned for the updates", () => {
    const before = dedicated();
    expect(before.queue).toBe('dedicated:ana');
    const escalated = applyAction(before, { type: 'escalate-period-issue', issue: 'configuration', reason: 'Wrong session times.' }, ctx(), AGENT).ticket;
    expect(escalated.queue).toBe('project-manager');
    expect(escalated.assignee).toBe('ana');
    // In a team's queue it sorts by next due like the others there, not by the engineer's order.
    expect(escalated.queueOrder).toBeUndefined();
    // A later change (a reply, a severity) keeps it there.
    expect(applyAction(escalated, { type: 'set-severity', severity: 'sev2' }, ctx(), AGENT).ticket.queue).toBe('project-manager');
  });

  it("an issue the engineer cannot resolve, escalated a tier, moves into that tier team's queue and stays with it after the period", () => {
    const escalated = applyAction(dedicated(), { type: 'escalate', tier: 'expedite', reason: 'Cannot fix the identity provider.' }, ctx(), AGENT).ticket;
    expect(escalated).toMatchObject({ tier: 'expedite', team: 'cadmium-escalation', queue: 'cadmium-escalation', assignee: 'ana' });
    const handed = handOverAfterPeriod(escalated, { orderId: routing.orderId, period: 0 }, ctx(Date.parse(routing.until)))!;
    expect(handed.ticket).toMatchObject({ team: 'cadmium-escalation', queue: 'cadmium-escalation', dedicated: { handedOver: { team: 'cadmium-escalation' } } });
    // One the engineer already handed to the infrastructure team stays in that team's queue.
    const system = applyAction(dedicated(), { type: 'escalate-period-issue', issue: 'system', reason: 'Encoder cluster down.' }, ctx(), AGENT).ticket;
    expect(applyAction(system, { type: 'escalate', tier: 'expedite', reason: 'Needs the vendor.' }, ctx(), AGENT).ticket.queue).toBe('infrastructure');
  });
});

describe("routing a ticket to the period's engineer", () => {
  const POLICY: Policy = {
    ...CADMIUM,
    supportPeriods: { ...CADMIUM.supportPeriods!, afterPeriodQueue: 'aftercare' },
    notifications: {
      from: 'support@cadmium.example',
      teams: { aftercare: { lead: 'aftercare-lead@cadmium.example', members: ['aftercare@cadmium.example'] }, infrastructure: { lead: 'infra-lead@cadmium.example', members: [] } },
      agents: {},
      management: {},
      templates: {},
    } as unknown as Policy['notifications'],
  };
  let ids = 0;
  const ctx = (now = NOW, policy = POLICY): RuleContext => ({ policy, planner: new SlaPlanner(policy), now, newId: () => `r-${++ids}` });
  const opened = (): Ticket =>
    openTicket(
      {
        id: 'CDM-000060',
        caseNumber: 'CDM-000060',
        customerId: 'acme',
        requester: { email: 'guest@acme.example' },
        channel: 'email',
        subject: 'Badges do not print',
        description: 'The badge printer is offline.',
        severity: 'sev2',
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx(),
      { kind: 'customer', id: 'guest@acme.example' },
    ).ticket;
  const routing = { orderId: 'SO-000012', period: 0, engineerId: 'ana', engineerEmail: 'ana@vendor.example', contact: 'pat@acme.example', until: '2026-11-23T13:30:00Z' };

  it("mails the engineer through the ticket's outbox: the routing event names them", () => {
    const routed = routeToDedicatedEngineer({ ticket: opened(), events: [] }, routing, ctx());
    const event = routed.events.find((e) => e.type === 'period-routed')!;
    expect(event.data).toMatchObject({ orderId: 'SO-000012', period: 0, notify: ['ana@vendor.example'] });
    expect(routed.ticket.outbox).toEqual([expect.objectContaining({ kind: 'period-routed', recipients: ['ana@vendor.example'], eventId: event.id })]);
    const mail = renderNotification(POLICY, routed.ticket, { ...routed.ticket.outbox![0]!, body: event.body! });
    expect(mail.to).toEqual(['ana@vendor.example']);
    expect(mail.subject).toBe('[CDM-000060] Routed to you during the support period: Badges do not print');
    expect(mail.text).toContain('It is assigned to you and waits in your queue');
    expect(mail.text).toContain('Support order SO-000012, period 0, until 2026-11-23 13:30 UTC. Point of contact: pat@acme.example.');
    // A routing written before engineers' addresses were kept falls back to the assignee role.
    const { engineerEmail: _e, ...old } = routing;
    expect(routeToDedicatedEngineer({ ticket: opened(), events: [] }, old, ctx()).ticket.outbox![0]!.recipients).toEqual(['assignee']);
  });

  it("at the end, an open ticket goes to the policy's after-period queue, unassigned, with an event and a mail to that team", () => {
    const routed = routeToDedicatedEngineer({ ticket: opened(), events: [] }, routing, ctx()).ticket;
    const end = Date.parse(routing.until);
    const handed = handOverAfterPeriod(routed, { orderId: 'SO-000012', period: 0 }, ctx(end))!;
    expect(handed.ticket).toMatchObject({ team: 'aftercare', queue: 'aftercare', dedicated: { handedOver: { team: 'aftercare', at: routing.until.replace('Z', '.000Z') } } });
    expect(handed.ticket.assignee).toBeUndefined();
    expect(handed.ticket.queueOrder).toBeUndefined();
    const event = handed.events.find((e) => e.type === 'period-ended')!;
    expect(event.body).toBe('The support period (order SO-000012, period 0) ended with the case new: handed over from ana to team aftercare (queue aftercare).');
    const [mail] = notificationsForEvents(handed.ticket, handed.events);
    expect(mail).toMatchObject({ kind: 'period-handover', recipients: ['team:aftercare'] });
    const rendered = renderNotification(POLICY, handed.ticket, { ...mail!, body: event.body! });
    expect(rendered.to).toEqual(['aftercare-lead@cadmium.example', 'aftercare@cadmium.example']);
    expect(rendered.subject).toBe('[CDM-000060] Handed over after the support period: Badges do not print');
    // Done once: a retried end step hands nothing over again; another period's end leaves it alone.
    expect(handOverAfterPeriod(handed.ticket, { orderId: 'SO-000012', period: 0 }, ctx(end))).toBeUndefined();
    expect(handOverAfterPeriod(routed, { orderId: 'SO-000012', period: 1 }, ctx(end))).toBeUndefined();
  });

  it("without afterPeriodQueue, the ticket's own tier team takes it; an escalated one stays with its escalation team; a resolved one moves without a mail", () => {
    const plain: Policy = { ...POLICY, supportPeriods: { ...CADMIUM.supportPeriods! } };
    const routed = routeToDedicatedEngineer({ ticket: opened(), events: [] }, routing, ctx(NOW, plain)).ticket;
    expect(handOverAfterPeriod(routed, { orderId: 'SO-000012', period: 0 }, ctx(NOW, plain))!.ticket).toMatchObject({ team: 'cadmium-support', queue: 'cadmium-support' });

    const escalated = applyAction(routed, { type: 'escalate-period-issue', issue: 'system', reason: 'Printer server down.' }, ctx(), { kind: 'agent', id: 'ana' }).ticket;
    const kept = handOverAfterPeriod(escalated, { orderId: 'SO-000012', period: 0 }, ctx())!;
    expect(kept.ticket).toMatchObject({ team: 'infrastructure', queue: 'infrastructure' });
    expect(notificationsForEvents(kept.ticket, kept.events)).toEqual([expect.objectContaining({ kind: 'period-handover', recipients: ['team:infrastructure'] })]);

    const resolved = applyAction(routed, { type: 'resolve', resolutionType: 'fix', text: 'Printer restarted.' }, ctx(), { kind: 'agent', id: 'ana' }).ticket;
    const quiet = handOverAfterPeriod(resolved, { orderId: 'SO-000012', period: 0 }, ctx())!;
    expect(quiet.ticket).toMatchObject({ team: 'aftercare', assignee: 'ana', dedicated: { handedOver: { team: 'aftercare' } } });
    expect(notificationsForEvents(quiet.ticket, quiet.events)).toEqual([]);
    // Reopened later, it lands in the team's queue, not the engineer's.
    expect(applyAction(quiet.ticket, { type: 'reopen', reason: 'Broken again.' }, ctx(), { kind: 'customer', id: 'guest@acme.example' }).ticket.queue).toBe('aftercare');
  });

  it('the summary says which open tickets went to whom', () => {
    const routed = routeToDedicatedEngineer({ ticket: opened(), events: [] }, routing, ctx()).ticket;
    const handed = handOverAfterPeriod(routed, { orderId: 'SO-000012', period: 0 }, ctx())!.ticket;
    const order = newOrder(POLICY, 'SO-000012', 'acme', request([{ start: '2026-12-01T14:00:00Z', hours: 4 }]), NOW);
    const text = summaryMail(POLICY, order, order.periods[0]!, [handed]).text;
    expect(text).toContain('CDM-000060 · Badges do not print · Severity 2 – High · new');
    expect(text).toContain('handed over to team aftercare');
    expect(text).toContain("The period's engineer has handed the open tickets over: CDM-000060 to team aftercare.");
  });
});

describe('the mails of an order', () => {
  const POLICY: Policy = {
    ...CADMIUM,
    supportPeriods: { ...CADMIUM.supportPeriods!, ordersTeam: 'scheduling' },
    notifications: {
      from: 'support@cadmium.example',
      teams: { scheduling: { lead: 'sched-lead@cadmium.example', members: ['sched@cadmium.example'] } },
      agents: {},
      management: {},
      templates: {},
    } as unknown as Policy['notifications'],
  };
  const order = newOrder(POLICY, 'SO-000020', 'acme', request([{ start: '2026-12-01T14:00:00Z', hours: 4 }]), NOW);

  it('staff (supportPeriods.ordersTeam) hear of a new order, one mail per address; none without the team', () => {
    const mails = orderMails(POLICY, order, 'order-placed');
    expect(mails.map((m) => m.to)).toEqual(['sched-lead@cadmium.example', 'sched@cadmium.example']);
    expect(mails[0]!.subject).toBe('[SO-000020] New support order from acme');
    expect(mails[0]!.text).toContain('Purpose: Dedicated Virtual Attendee Support');
    expect(mails[0]!.text).toContain('2026-12-01 14:00 UTC – 2026-12-01 18:00 UTC (4 hours)');
    expect(orderMails(CADMIUM, order, 'order-placed')).toEqual([]);
  });

  it('the point of contact hears that the order is accepted, or pending subject to availability', () => {
    const [accepted] = orderMails(POLICY, order, 'order-accepted');
    expect(accepted).toMatchObject({ to: 'pat@customer.example', subject: '[SO-000020] Your support order is accepted' });
    expect(accepted!.text).toContain('About 10 days before each period we confirm it');
    const [pending] = orderMails(POLICY, order, 'order-pending');
    expect(pending).toMatchObject({ to: 'pat@customer.example', subject: '[SO-000020] Your support order is pending (subject to availability)' });
    expect(pending!.text).toContain('no engineer is free for every period yet');
  });

  it('queues its mails on the order, the newest ten kept', () => {
    let queued = order;
    for (let i = 0; i < 12; i++) queued = withOrderMail(queued, i % 2 ? 'order-pending' : 'order-accepted', NOW + i);
    expect(queued.outbox).toHaveLength(10);
    expect(queued.outbox!.at(-1)).toEqual({ kind: 'order-pending', at: new Date(NOW + 11).toISOString() });
  });

  it('an order whose period has ended says "has ended"; one that has started says "has started"', () => {
    const start = Date.parse('2026-12-01T14:00:00Z');
    expect(periodsFixed(order, start - 1)).toBeUndefined();
    expect(periodsFixed(order, start)).toBe('period 0 of order SO-000020 has started (2026-12-01T14:00:00.000Z)');
    expect(periodsFixed(order, start + 4 * 3_600_000)).toBe('period 0 of order SO-000020 has ended (2026-12-01T18:00:00.000Z)');
    expect(periodsFixed({ ...order, periods: [{ ...order.periods[0]!, status: 'ended' }] }, NOW)).toMatch(/has ended/);
  });
});
