import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from './support/eventually';
import { ticketsWithSubject } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { caseMails, expectAround, inZoneAndUtc, LATE_MS, recipients, ticketCalls } from './support/scenario';
import { shortPreset } from './support/short-preset';

/** Real time ÷ SCALE = test time: 30 minutes → 5 s, 2 hours → 20 s, 4 hours → 40 s. */
const SCALE = 360;
vi.setConfig({ testTimeout: 120_000 });

// The staff directory (presets/staff/caret.yaml).
const TEAM_LEAD = 'dana.whitfield@caret.example'; // lead of caret-support
const AGENT = { id: 'marcus.ortiz', email: 'marcus.ortiz@caret.example' };
const TAM_TEAM = ['helen.cho@caret.example', 'samuel.reyes@caret.example', 'grace.lin@caret.example']; // caret-technical-account-management

// Customers of the walk.
const ADA = 'ada@northwind.example'; // a designated User of Northwind (Premium)
const BOB = 'bob@northwind.example'; // Northwind by its domain: Premium, not designated

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: shortPreset('caret', { scale: SCALE }) });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
  const customers: Record<string, unknown> = {
    // Premium, its TAM named (Samuel Reyes), read in Berlin.
    northwind: { name: 'Northwind Traders', plan: 'premium', designatedUsers: [ADA], emailDomains: ['northwind.example'], accountTeam: { tam: 'samuel.reyes' }, timeZone: 'Europe/Berlin' },
    // Premium with the 24/7 Support add-on.
    contoso: { name: 'Contoso', plan: 'premium', addOns: ['support-24x7'], emailDomains: ['contoso.example'] },
    // The support included in a subscription: no advanced offering.
    fabrikam: { name: 'Fabrikam', plan: 'standard', emailDomains: ['fabrikam.example'] },
    // Premium naming eleven designated Users: the document allows ten.
    adatum: { name: 'Adatum', plan: 'premium', designatedUsers: Array.from({ length: 11 }, (_, i) => `user${i + 1}@adatum.example`) },
  };
  for (const [id, body] of Object.entries(customers)) {
    const put = await request('PUT', `/customers/${id}`, { body });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
  }
});

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

interface Event {
  id: string;
  type: string;
  at: string;
  public: boolean;
  body?: string;
  data?: Record<string, any>;
}
type Ticket = {
  id: string;
  caseNumber: string;
  severity: string;
  tier: string;
  team: string;
  queue: string;
  flags: string[];
  createdAt: string;
  entitlement: Record<string, any>;
  sla: Record<string, any>;
  timeline: Event[];
};

async function newTicket(requester: { email: string; name?: string }, severity: string, subject: string) {
  const name = requester.name ?? requester.email.split('@')[0]!;
  const created = await request('POST', '/tickets', { body: { subject, description: 'Details inside.', severity, requester: { ...requester, name } } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.ticket as Ticket;
}

const { read: ticket, act } = ticketCalls<Ticket>((...args) => request(...args));
const mails = caseMails(() => runtime).containing;

/** The clock's event of this type on the first response objective, once there. */
function clockEvent(id: string, type: 'sla-warning' | 'sla-breached', withinMs: number): Promise<Event> {
  return eventually(`${id} ${type}`, async () => (await ticket(id)).timeline.find((e) => e.type === type && e.data?.objective === 'firstResponse'), withinMs);
}

async function queue(name: string): Promise<string[]> {
  const listed = await request('GET', `/tickets?queue=${encodeURIComponent(name)}&limit=100`);
  expect(listed.status).toBe(200);
  return listed.body.items.map((t: { id: string }) => t.id);
}

describe.concurrent('Premium Support: the priority level support queue of up to ten designated Users', () => {
  it('a designated User: priority queue, the objective in the acknowledgement, warning and breach to the assignee and team lead, the TAM on escalation', async () => {
    // Severity Level 2: "2 Hours Response Time, M-F, 24 hours per day" → 20 s.
    const opened = await newTicket({ email: ADA, name: 'Ada Park' }, 'Severity Level 2', 'Reports fail to export');
    const { id, caseNumber } = opened;
    // The agent takes it at once: 16 s before the warning.
    const assigned = await act(id, { type: 'assign', assignee: AGENT.id });
    expect(assigned.status).toBe(200);

    // Priority queue, as the document gives it to designated Users.
    expect(opened.severity).toBe('sev2');
    expect(opened.entitlement).toMatchObject({ status: 'entitled', plan: 'premium', designatedUser: true, queue: 'priority' });
    expect(opened.queue).toBe('caret-support:priority');
    expect(await queue('caret-support:priority')).toContain(id);
    const createdAt = Date.parse(opened.createdAt);
    expect(opened.sla.firstResponse).toMatchObject({ within: '20s', calendar: 'weekdays-24h', due: new Date(createdAt + 20_000).toISOString() });

    // The acknowledgement: to Ada alone, the case number, the severity and its definition, the
    // target in words and when it is due in Northwind's zone and in UTC.
    const [ack] = await mails(caseNumber, 'We received your request', 1);
    expect(ack!.destination.to).toEqual([ADA]);
    const text = ack!.body.text!;
    expect(text).toContain(`Your case number is ${caseNumber} (severity: Severity Level 2).`);
    expect(text).toContain(`We will respond within 20 seconds (around the clock), that is by ${inZoneAndUtc(opened.sla.firstResponse.due, 'Europe/Berlin')}.`);
    expect(text).toContain('Severity Level 2: Mission critical CARET software application(s) available, but critical function of application is unavailable, business operations disrupted.');
    expect(caseNumber).toMatch(/^CARET-\d+$/);

    // Nobody answers: at 80 % a warning, at 100 % the breach, each to the assignee and the team lead.
    const warning = await clockEvent(id, 'sla-warning', 16_000 + LATE_MS);
    const breach = await clockEvent(id, 'sla-breached', 20_000 + LATE_MS);
    expectAround(warning.at, createdAt + 16_000);
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 20_000);
    expectAround(breach.at, createdAt + 20_000);
    const warnings = await mails(caseNumber, 'SLA warning: first response due', 2);
    expect(recipients(warnings)).toEqual([TEAM_LEAD, AGENT.email].sort());
    const breaches = await mails(caseNumber, 'SLA breached: first response was due', 2);
    expect(recipients(breaches)).toEqual([TEAM_LEAD, AGENT.email].sort());
    const due = `${new Date(createdAt + 20_000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    expect(breaches[0]!.subject).toBe(`[${caseNumber}] SLA breached: first response was due ${due}`);
    expect(breaches[0]!.body.text).toContain(
      `The first response objective of case ${caseNumber} ("Reports fail to export") was due ${due} and was not met.\n\nSeverity: Severity Level 2\nTier: CARET Support\nTeam: caret-support\nAssignee: ${AGENT.id}`,
    );
    // A designated User's breached case stays in the priority queue, flagged.
    const breached = await ticket(id);
    expect(breached.flags).toContain('sla-breached');
    expect(breached.queue).toBe('caret-support:priority');
    expect(await queue('caret-support:breached')).not.toContain(id);
    // The customer hears nothing of the clock.
    const toAda = (await runtime.ses.store()).filter((m) => m.subject.includes(`[${caseNumber}]`) && m.destination.to.includes(ADA));
    expect(toAda.map((m) => m.subject)).toEqual([ack!.subject]);

    // Technical support escalation: the TAM's tier, its team told (Samuel Reyes, Northwind's TAM, among them).
    const escalated = await act(id, { type: 'escalate', reason: 'Export fails for every report since the upgrade.' });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    expect(escalated.body.ticket).toMatchObject({ tier: 'escalation', team: 'caret-technical-account-management', queue: 'caret-technical-account-management:priority' });
    const escalations = await mails(caseNumber, 'Escalated to Technical support escalation', 3);
    expect(recipients(escalations)).toEqual([...TAM_TEAM].sort());
    expect(escalations[0]!.body.text).toContain(
      `Case ${caseNumber} ("Reports fail to export") is now at Technical support escalation (team caret-technical-account-management).\n\nExport fails for every report since the upgrade.`,
    );

    // The document names no management escalation chain: a customer escalation is refused, saying so.
    const asked = await act(id, { type: 'customer-escalate', reason: 'Still broken.' });
    expect(asked.status).toBe(422);
    expect(asked.body.message).toBe('policy caret has no management escalation chain');

    // Resolved: Ada is told, nobody on staff.
    expect((await act(id, { type: 'resolve', resolutionType: 'fix', text: 'Fixed by the 7.2.1 update.' })).status).toBe(200);
    const [resolution] = await mails(caseNumber, 'Resolved: Reports fail to export', 1);
    expect(resolution!.destination.to).toEqual([ADA]);
    expect(resolution!.body.text).toContain('Resolution (fix): Fixed by the 7.2.1 update.');
  });

  it('anyone else: a breached case is flagged and waits in caret-support:breached, most severe first, then longest overdue — never in the priority queue', async () => {
    // Opened in the reverse of the order the breached queue must show (a queue sorted by
    // opening or by id would show them as opened): Severity 2 (20 s), then two Severity 1 (5 s).
    const sev2 = await newTicket({ email: BOB }, 'sev2', 'Bob: search is slow');
    const sev1a = await newTicket({ email: BOB }, 'sev1', 'Bob: the application is down');
    const sev1b = await newTicket({ email: BOB }, 'sev1', 'Bob: data looks corrupted');
    for (const opened of [sev2, sev1a, sev1b]) {
      expect(opened.entitlement).toMatchObject({ status: 'entitled', plan: 'premium', designatedUser: false, queue: 'standard' });
      expect(opened.queue).toBe('caret-support');
    }

    const breachedAt = new Map<string, string>();
    for (const opened of [sev2, sev1a, sev1b]) {
      const breach = await clockEvent(opened.id, 'sla-breached', 20_000 + LATE_MS);
      expect(Date.parse(breach.data!.due)).toBe(Date.parse(opened.createdAt) + (opened.severity === 'sev1' ? 5_000 : 20_000));
      breachedAt.set(opened.id, breach.at);
    }

    const after = await Promise.all([sev2, sev1a, sev1b].map((t) => ticket(t.id)));
    for (const t of after) {
      expect(t.flags).toContain('sla-breached');
      expect(t.queue).toBe('caret-support:breached');
    }
    // Severity first, then the earliest breach; the priority queue holds none of them.
    const mine = new Set([sev2.id, sev1a.id, sev1b.id]);
    const expected = [sev1a, sev1b].sort((a, b) => breachedAt.get(a.id)!.localeCompare(breachedAt.get(b.id)!)).map((t) => t.id);
    expect((await queue('caret-support:breached')).filter((id) => mine.has(id))).toEqual([...expected, sev2.id]);
    expect((await queue('caret-support:priority')).filter((id) => mine.has(id))).toEqual([]);

    // Each breach reaches the team lead (no assignee yet: nobody else), and Bob hears nothing of it.
    for (const t of [sev2, sev1a, sev1b]) {
      const [breach] = await mails(t.caseNumber, 'SLA breached: first response', 1);
      expect(breach!.destination.to).toEqual([TEAM_LEAD]);
      const toBob = (await runtime.ses.store()).filter((m) => m.subject.includes(`[${t.caseNumber}]`) && m.destination.to.includes(BOB));
      expect(toBob.every((m) => m.subject.includes('We received your request'))).toBe(true);
    }
    const sent = (await ticket(sev1a.id)).timeline.find((e) => e.type === 'notification-sent' && e.data?.kind === 'sla-breach');
    expect(sent!.data!.skipped).toEqual([{ recipient: 'assignee', reason: 'the case has no assignee' }]);
  });

  it('only the first ten designated Users count: the eleventh waits in the standard queue, with the reason', async () => {
    const tenth = await newTicket({ email: 'user10@adatum.example' }, 'sev3', 'Adatum: tenth designated User');
    const eleventh = await newTicket({ email: 'user11@adatum.example' }, 'sev3', 'Adatum: eleventh designated User');
    expect(tenth.queue).toBe('caret-support:priority');
    expect(eleventh.queue).toBe('caret-support');
    expect(eleventh.entitlement).toMatchObject({ status: 'entitled', designatedUser: false, queue: 'standard' });
    expect(eleventh.entitlement.reasons).toContain('user11@adatum.example is designated user 11 of 11, beyond the limit of 10: not treated as designated');
  });

  it('by mail: a designated User\'s "P1" opens at Severity Level 1 in the priority queue; anyone else\'s at the default, with the reason on the timeline', async () => {
    await smtp.sendMail({ from: `Ada Park <${ADA}>`, to: 'support@caret.example', subject: 'P1: production down for all users', text: 'Nobody can log in.' });
    await smtp.sendMail({ from: `Bob Lee <${BOB}>`, to: 'support@caret.example', subject: 'P1 - my report looks odd', text: 'One figure is off.' });

    const fromAda = await eventually("Ada's mail", async () => (await ticketsWithSubject(request, 'P1: production down for all users'))[0], 20_000);
    const fromBob = await eventually("Bob's mail", async () => (await ticketsWithSubject(request, 'P1 - my report looks odd'))[0], 20_000);
    expect(fromAda).toMatchObject({ severity: 'sev1', queue: 'caret-support:priority', channel: 'email' });
    expect(fromBob).toMatchObject({ severity: 'sev3', queue: 'caret-support', channel: 'email' });
    const bobNote = (await ticket(fromBob.id)).timeline.find((e) => e.data?.severityMarker);
    expect(bobNote).toMatchObject({ type: 'internal-note', public: false, data: { severityMarker: { severity: 'sev1', phrase: 'P1', honoured: false } } });
    expect(bobNote!.body).toContain('honoured only for designated users');

    // Each is acknowledged by mail to its sender at the severity it opened with.
    const [ackAda] = await mails(fromAda.caseNumber, 'We received your request', 1);
    const [ackBob] = await mails(fromBob.caseNumber, 'We received your request', 1);
    expect(ackAda!.destination.to).toEqual([ADA]);
    expect(ackAda!.body.text).toContain('(severity: Severity Level 1)');
    expect(ackBob!.destination.to).toEqual([BOB]);
    expect(ackBob!.body.text).toContain('(severity: Severity Level 3)');
    expect(ackBob!.body.text).toContain('We will respond within 40 seconds (around the clock)');
  });
});

describe('initial response objectives per plan and severity', () => {
  it("Premium: the document's table (30 minutes, 2 hours M-F around the clock; 4 regular business hours); Standard: tierdesk's chosen targets", async () => {
    const targets = async (customer: string) => {
      const served = await request('GET', `/policy/severities?customer=${customer}`);
      expect(served.status).toBe(200);
      return Object.fromEntries(served.body.severities.map((s: any) => [s.id, { within: s.targets.firstResponse.within, calendar: s.targets.firstResponse.calendar }]));
    };
    // 30 m, 2 h, 4 h ÷ 360.
    expect(await targets('northwind')).toEqual({
      sev1: { within: '5s', calendar: 'weekdays-24h' },
      sev2: { within: '20s', calendar: 'weekdays-24h' },
      sev3: { within: '40s', calendar: 'business-hours' },
    });
    // 4 h, 1 and 2 business days of 8 h, ÷ 360.
    expect(await targets('fabrikam')).toEqual({
      sev1: { within: '40s', calendar: 'business-hours' },
      sev2: { within: '80s', calendar: 'business-hours' },
      sev3: { within: '160s', calendar: 'business-hours' },
    });
    // A ticket is held to its plan's target from the instant it opened.
    const standard = await newTicket({ email: 'carol@fabrikam.example' }, 'sev1', 'Fabrikam: app unavailable');
    expect(standard.entitlement).toMatchObject({ plan: 'standard', queue: 'standard' });
    expect(standard.sla.firstResponse).toMatchObject({ within: '40s', due: new Date(Date.parse(standard.createdAt) + 40_000).toISOString() });
    const [ack] = await mails(standard.caseNumber, 'We received your request', 1);
    expect(ack!.destination.to).toEqual(['carol@fabrikam.example']);
    // Fabrikam names no zone: times in the plan calendar's (US Eastern) and UTC.
    expect(ack!.body.text).toContain(`We will respond within 40 seconds (around the clock), that is by ${inZoneAndUtc(standard.sla.firstResponse.due, 'America/New_York')}.`);
  });
});

describe('24/7 Support', () => {
  it('every objective of the plan runs on the always-open calendar while the add-on is bought', async () => {
    const served = await request('GET', '/policy/severities?customer=contoso');
    expect(served.body.severities.map((s: any) => s.targets.firstResponse.calendar)).toEqual(['always', 'always', 'always']);
    const withAddOn = await newTicket({ email: 'dan@contoso.example' }, 'sev3', 'Contoso: a filter is broken');
    const without = await newTicket({ email: BOB }, 'sev3', 'Northwind: a filter is broken');
    expect(withAddOn.sla.addOns).toEqual(expect.arrayContaining(['tam', 'support-24x7']));
    expect(without.sla.addOns).toEqual(['tam']);
    expect(withAddOn.sla.firstResponse).toMatchObject({ within: '40s', calendar: 'always' });
    expect(without.sla.firstResponse).toMatchObject({ within: '40s', calendar: 'business-hours' });
    const [ack] = await mails(withAddOn.caseNumber, 'We received your request', 1);
    expect(ack!.destination.to).toEqual(['dan@contoso.example']);
    expect(ack!.body.text).toContain('We will respond within 40 seconds (around the clock), that is by ');
  });
});
