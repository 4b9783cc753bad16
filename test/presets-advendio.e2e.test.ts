import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatInstant } from '../core/notifications/render';
import { loadPolicy } from '../core/policy/files';
import { targetWords } from '../core/sla/target-words';
import { resolveTarget } from '../core/sla/targets';
import { loadDirectory } from '../core/staff/files';
import { eventually } from './support/eventually';
import { ticketsWithSubject, timeline } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { caseMails, expectAround, inZoneAndUtc, LATE_MS, recipients, ticketCalls } from './support/scenario';
import { shortPreset } from './support/short-preset';

/** Real time ÷ SCALE = test time: the preset's 4 business hours (the CSM's step) are 15 s. */
const SCALE = 1_000;
vi.setConfig({ testTimeout: 120_000 });

/** A duration of the preset in hours (a business day is 8) as the short copy runs it, in ms: whole seconds, rounded up. */
const short = (hours: number) => Math.ceil((hours * 3_600) / SCALE) * 1_000;

/** The preset's choices in hours (presets/advendio.yaml, CHOSEN within the document's "2 hours – 2 business days"). */
const PREMIUM = {
  sev1: { firstResponse: 2, statusUpdate: 4 },
  sev2: { firstResponse: 4, statusUpdate: 8 },
  sev3: { firstResponse: 8, statusUpdate: 16 },
  sev4: { firstResponse: 16, statusUpdate: 40 },
} as const;
const BASIC_SEV1 = { firstResponse: 4, statusUpdate: 8 };
const CHAIN = { csm: 4, coo: 8, ceo: 16 };

const staff = loadDirectory('presets/staff/advendio.yaml');
/** A person's address, from the preset's staff directory. */
const email = (id: string) => {
  const person = staff.people.find((candidate) => candidate.id === id);
  if (!person) throw new Error(`no ${id} in presets/staff/advendio.yaml`);
  return person.email;
};

const DESK = 'support@advendio.example';
const JANA = 'jana@kanal.example'; // a requester of Kanal Media (premium, Tokyo, its own CSM Ben Fischer)
const TOM = 'tom@radio.example'; // Radio One (basic, no account team)
const OLE = 'ole@oldco.example'; // OldCo, whose contract ended

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;
let kanalKey: string;
let radioKey: string;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: shortPreset('advendio', { scale: SCALE }) });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
  const customers = await Promise.all([
    // Ben is the second CSM of the directory: Kanal's mail reaching him alone shows the customer's own CSM is asked first.
    request('PUT', '/customers/kanal', { body: { name: 'Kanal Media', plan: 'premium', emailDomains: ['kanal.example'], timeZone: 'Asia/Tokyo', accountTeam: { csm: 'ben.fischer' } } }),
    request('PUT', '/customers/radio', { body: { name: 'Radio One', plan: 'basic', emailDomains: ['radio.example'] } }),
    request('PUT', '/customers/oldco', { body: { name: 'OldCo', plan: 'premium', emailDomains: ['oldco.example'], contract: { start: '2020-01-01', end: '2020-12-31' } } }),
  ]);
  for (const created of customers) expect(created.status, JSON.stringify(created.body)).toBe(201);
  kanalKey = (await request('POST', '/api-keys', { body: { name: 'kanal portal', role: 'customer', customerId: 'kanal' } })).body.key;
  radioKey = (await request('POST', '/api-keys', { body: { name: 'radio portal', role: 'customer', customerId: 'radio' } })).body.key;
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
interface Ticket {
  id: string;
  caseNumber: string;
  createdAt: string;
  status: string;
  severity: string;
  caseReason?: string;
  tier: string;
  team: string;
  queue: string;
  flags: string[];
  sla: Record<string, any>;
  timeline: Event[];
}

async function open(subject: string, severity: string, options: { key?: string; requester?: Record<string, string>; caseReason?: string } = {}): Promise<Ticket> {
  const created = await request('POST', '/tickets', {
    ...(options.key ? { key: options.key } : {}),
    body: {
      subject,
      description: 'Campaign line items show wrong impressions.',
      severity,
      requester: options.requester ?? { email: JANA, name: 'Jana Sato' },
      ...(options.caseReason ? { caseReason: options.caseReason } : {}),
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return read(created.body.id);
}

const { read, act, reply } = ticketCalls<Ticket>((...args) => request(...args));
const mails = caseMails(() => runtime).startingWith;

/** Polls the ticket until `found` answers. */
function until<T>(id: string, what: string, found: (ticket: Ticket) => T | undefined, withinMs: number): Promise<T> {
  return eventually(`${id}: ${what}`, async () => found(await read(id)), withinMs);
}

const clockEvent = (type: string, objective: string) => (ticket: Ticket) => ticket.timeline.find((event) => event.type === type && event.data?.objective === objective);

describe.concurrent('Support Engineers keep clients informed about the progress of their cases ("seamless updates")', () => {
  it('after an answer nobody updates the client: the assignee and the team lead are warned at 80 %, then told of the breach; the case moves up its queue', async () => {
    // Prepare: Premium Level 1 (an update every 4 business hours, 15 s here), worked by Jonas.
    const ticket = await open('Bookings vanish from the planner', 'sev1', { key: kanalKey });
    expect((await act(ticket.id, { type: 'assign', assignee: 'jonas.weber' })).status).toBe(200);
    const answered = await reply(ticket.id, 'We reproduced it and are working with the Development Team.');
    const repliedAt = Date.parse(answered.sla.statusUpdate.startedAt);
    const due = repliedAt + short(PREMIUM.sev1.statusUpdate);
    expect(answered.sla.statusUpdate.due).toBe(new Date(due).toISOString());

    // Act: nobody writes again.
    const breach = await until(ticket.id, 'status-update breach', clockEvent('sla-breached', 'statusUpdate'), short(PREMIUM.sev1.statusUpdate) + LATE_MS);

    // Assess
    const after = await read(ticket.id);
    expectAround(clockEvent('sla-warning', 'statusUpdate')(after)!.at, repliedAt + short(PREMIUM.sev1.statusUpdate) * 0.8);
    expect(Date.parse(breach.data!.due)).toBe(due);
    expectAround(breach.at, due);
    expect(after.flags).toContain('sla-breached');
    expect(after.queue).toBe('advendio-support:priority');
    const update = await mails(ticket.caseNumber, 'Re: Bookings vanish from the planner', 1);
    expect(recipients(update)).toEqual([JANA]);
    expect(update[0]!.body.text).toContain('We reproduced it and are working with the Development Team.');
    const staffToTell = [email('jonas.weber'), email('lena.hoffmann')].sort();
    const dueWords = formatInstant(new Date(due).toISOString());
    const warned = await mails(ticket.caseNumber, `SLA warning: status update due ${dueWords}`, 2);
    expect(recipients(warned)).toEqual(staffToTell);
    expect(warned[0]!.body.text).toContain(`The status update objective of case ${ticket.caseNumber} ("Bookings vanish from the planner") is due ${dueWords}.`);
    const breached = await mails(ticket.caseNumber, `SLA breached: status update was due ${dueWords}`, 2);
    expect(recipients(breached)).toEqual(staffToTell);
    expect(breached[0]!.body.text).toContain('Severity: Level 1 - Critical\nTier: Support Engineers\nTeam: advendio-support\nAssignee: jonas.weber');
    const toClient = (await runtime.ses.store()).filter((mail) => mail.subject.includes(`[${ticket.caseNumber}]`) && mail.destination.to.includes(JANA));
    expect(toClient.some((mail) => mail.subject.includes('SLA'))).toBe(false);
  });

  it("each update starts the next interval, at the plan's own rate (Basic: daily for Level 1)", async () => {
    // Prepare
    const ticket = await open('Invoice run stops at 50 %', 'Level 1 - Critical', { key: radioKey, requester: { email: TOM, name: 'Tom Berg' } });
    expect(Date.parse(ticket.sla.firstResponse.due)).toBe(Date.parse(ticket.createdAt) + short(BASIC_SEV1.firstResponse));

    // Act
    const first = await reply(ticket.id, 'We are looking at the invoice run log.');
    const second = await reply(ticket.id, 'The Development Team has a fix in review.');

    // Assess
    expect(Date.parse(first.sla.statusUpdate.due)).toBe(Date.parse(first.sla.statusUpdate.startedAt) + short(BASIC_SEV1.statusUpdate));
    expect(Date.parse(second.sla.statusUpdate.due)).toBe(Date.parse(second.sla.statusUpdate.startedAt) + short(BASIC_SEV1.statusUpdate));
    expect(second.sla.statusUpdate.startedAt > first.sla.statusUpdate.startedAt).toBe(true);
    const updates = await mails(ticket.caseNumber, 'Re: Invoice run stops at 50 %', 2);
    expect(recipients(updates)).toEqual([TOM, TOM]);
    expect(updates.map((mail) => mail.body.text!.split('\n')[0]).sort()).toEqual(['The Development Team has a fix in review.', 'We are looking at the invoice run log.']);
  });
});

describe.concurrent('complex cases go to Product Management and Development', () => {
  it("by the Support Engineer's decision, not on a timer: that team is mailed", async () => {
    // Prepare: the document sets no resolution target, so nothing moves the case by itself.
    const ticket = await open('Forecast differs from the AdServer', 'sev3', { key: kanalKey, caseReason: 'bug' });
    expect([ticket.tier, ticket.team]).toEqual(['support-engineers', 'advendio-support']);
    expect(ticket.sla.resolution.due).toBeNull();

    // Act
    const escalated = await act(ticket.id, { type: 'escalate', reason: 'Needs the Product Manager: the interface maps fields differently.' });

    // Assess
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    const after = await read(ticket.id);
    expect([after.tier, after.team]).toEqual(['product-development', 'advendio-product-development']);
    const sent = await mails(ticket.caseNumber, 'Escalated to Product Management and Development: Forecast differs from the AdServer', 2);
    expect(recipients(sent)).toEqual([email('tomasz.nowak'), email('felix.braun')].sort());
    expect(sent[0]!.body.text).toContain('is now at Product Management and Development (team advendio-product-development).');
    expect(sent[0]!.body.text).toContain('Needs the Product Manager: the interface maps fields differently.');
  });
});

describe.concurrent('the Support Escalation Path: Customer Success Manager, COO, CEO', () => {
  it("the customer's own CSM is asked first; unanswered, the COO; answered, the next escalation goes to the CEO; each by mail", async () => {
    // Prepare
    const ticket = await open('Nobody calls us back', 'sev3', { key: kanalKey });

    // Act: the customer escalates; the CSM does not answer within 4 business hours (15 s here).
    const escalated = await act(ticket.id, { type: 'customer-escalate', reason: 'Three days without a call back.' }, kanalKey);
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    const csmStep = (await read(ticket.id)).sla.management;
    expect([csmStep.stepId, Date.parse(csmStep.due) - Date.parse(csmStep.startedAt)]).toEqual(['customer-success-manager', short(CHAIN.csm)]);
    const toCoo = await until(ticket.id, 'the COO step', (t) => t.timeline.find((e) => e.type === 'customer-escalation' && e.data?.step === 'coo'), short(CHAIN.csm) + LATE_MS);

    // Act: the COO answers at once (29 s to do so, the mails are read after).
    expect((await act(ticket.id, { type: 'acknowledge-escalation' }, kanalKey)).status).toBe(403); // only staff answer
    const answered = await act(ticket.id, { type: 'acknowledge-escalation' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);

    // Assess: Kanal's own CSM (Ben), not every CSM, got the first mail.
    const csmMail = await mails(ticket.caseNumber, `Customer escalation: Customer Success Manager to respond by ${formatInstant(csmStep.due)}`, 1);
    expect(recipients(csmMail)).toEqual([email('ben.fischer')]);
    expect(csmMail[0]!.body.text).toContain(
      `The customer escalated case ${ticket.caseNumber} ("Nobody calls us back"). Customer Success Manager is asked to respond by ${formatInstant(csmStep.due)}.`,
    );
    expect(csmMail[0]!.body.text).toContain('Reason given: Three days without a call back.');
    // The step passed unanswered: on time, the team lead is told, and the COO is asked on a timer of their own.
    expectAround(toCoo.at, Date.parse(csmStep.due));
    expect(Date.parse(toCoo.data!.due)).toBe(Date.parse(toCoo.at) + short(CHAIN.coo));
    const missed = await mails(ticket.caseNumber, `SLA breached: management response was due ${formatInstant(csmStep.due)}`, 1);
    expect(recipients(missed)).toEqual([email('lena.hoffmann')]);
    const cooMail = await mails(ticket.caseNumber, `Customer escalation: COO - Chief Operating Officer to respond by ${formatInstant(toCoo.data!.due)}`, 1);
    expect(recipients(cooMail)).toEqual([email('clara.vogel')]);
    expect(cooMail[0]!.body.text).toContain('Reason given: Three days without a call back.');
    expect((await read(ticket.id)).timeline.find((e) => e.type === 'escalation-acknowledged')?.data).toEqual({ step: 'coo', title: 'COO - Chief Operating Officer' });

    // Act: the customer is still unhappy and escalates again.
    const again = await act(ticket.id, { type: 'customer-escalate', reason: "The COO's plan did not help." }, kanalKey);
    expect(again.status, JSON.stringify(again.body)).toBe(200);

    // Assess: the CEO is asked, by mail, within 2 business days (58 s here).
    const ceoStep = (await read(ticket.id)).sla.management;
    expect([ceoStep.stepId, Date.parse(ceoStep.due) - Date.parse(ceoStep.startedAt)]).toEqual(['ceo', short(CHAIN.ceo)]);
    const ceoMail = await mails(ticket.caseNumber, `Customer escalation: CEO - Chief Executive Officer to respond by ${formatInstant(ceoStep.due)}`, 1);
    expect(recipients(ceoMail)).toEqual([email('martin.keller')]);
    expect(ceoMail[0]!.body.text).toContain("Reason given: The COO's plan did not help.");
    // Answered: the path has no step beyond the CEO.
    expect((await act(ticket.id, { type: 'acknowledge-escalation' })).status).toBe(200);
    const beyond = await act(ticket.id, { type: 'customer-escalate', reason: 'Still unhappy.' }, kanalKey);
    expect(beyond.status).toBe(409);
    expect(beyond.body.message).toContain('already escalated to the last step of the chain (CEO - Chief Executive Officer)');
  });

  it('a customer without its own CSM: every Customer Success Manager of the directory is asked', async () => {
    // Prepare
    const ticket = await open('Reports are late', 'sev4', { key: radioKey, requester: { email: TOM, name: 'Tom Berg' } });

    // Act
    const escalated = await act(ticket.id, { type: 'customer-escalate', reason: 'We need the reports for the board.' }, radioKey);

    // Assess
    expect(escalated.status).toBe(200);
    const sent = await mails(ticket.caseNumber, 'Customer escalation: Customer Success Manager to respond by', 2);
    expect(recipients(sent)).toEqual([email('mia.schulz'), email('ben.fischer')].sort());
  });
});

describe.concurrent('Incident Category Definitions', () => {
  it("GET /policy/severities serves the four levels with their Functions / Data / Back End criteria, and a customer's targets in words", async () => {
    // Act
    const all = await request('GET', '/policy/severities');
    const own = await request('GET', '/policy/severities', { key: kanalKey });

    // Assess
    expect(all.status).toBe(200);
    expect(all.body.defaultSeverity).toBe('sev4');
    expect(all.body.severities.map((s: any) => [s.id, s.name])).toEqual([
      ['sev1', 'Level 1 - Critical'],
      ['sev2', 'Level 2 - Urgent'],
      ['sev3', 'Level 3 - High'],
      ['sev4', 'Level 4 - Medium'],
    ]);
    for (const severity of all.body.severities) expect(severity.criteria.map((group: any) => group.area)).toEqual(['Functions', 'Data', 'Back End']);
    const [critical, , high, medium] = all.body.severities;
    expect(critical.definition).toBe('Critical production issue affecting all users, including system unavailability and data integrity issues with no workaround available.');
    expect(critical.criteria[0].items).toEqual(['Software errors that prevents the functionality of ADvendio']);
    expect(critical.criteria[1].items).toEqual([
      'Major discrepancies in the data within ADvendio',
      'Data is unusable, corrupt or no longer available in the system. The analyses in the system cannot be used as regards content',
    ]);
    expect(high.criteria[2].items[0]).toMatch(/^Some discrepancies in data or functions within ADvendio, .* distorted by the add-ons installed by ADvendio\.$/);
    expect(medium.definition).toContain('Resolution required as soon as reasonably practicable.');
    expect(medium.criteria[2].items).toEqual(['Minor discrepancies, erroneous or unavailable data/functions which do not affect employees or analyses']);
    expect(own.body.plan).toBe('premium');
    expect(own.body.severities.map((s: any) => s.targets.firstResponse.within)).toEqual((['sev1', 'sev2', 'sev3', 'sev4'] as const).map((id) => `${short(PREMIUM[id].firstResponse) / 1_000}s`));
    expect(own.body.severities[0].targets.firstResponse.text).toBe(`within ${short(PREMIUM.sev1.firstResponse) / 1_000} seconds (around the clock)`);
  });

  it('the shipped preset words its targets as business time in Germany (what a real requester reads)', () => {
    const policy = loadPolicy('presets/advendio.yaml');
    const words = (plan: string, severity: string) => {
      const target = resolveTarget(policy, { plan, severity, metric: 'first-response', addOns: [] });
      return targetWords(policy, target.within, target.calendar);
    };
    expect(words('premium', 'sev1')).toBe('within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays)');
    expect(words('basic', 'sev4')).toBe('within 2 business days (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays)');
  });

  it("the acknowledgement quotes the chosen level's criteria and states the target, due in the customer's zone and in UTC", async () => {
    // Prepare: what the portal shows Kanal for Level 2.
    const offered = (await request('GET', '/policy/severities', { key: kanalKey })).body.severities[1].targets.firstResponse.text as string;

    // Act: one requester gives no zone (Kanal's, Tokyo, applies), one their own.
    const [tokyo, losAngeles] = await Promise.all([
      open('Delivery data is partly wrong', 'Level 2 - Urgent', { key: kanalKey }),
      open('Delivery data is wrong in LA', 'sev2', { key: kanalKey, requester: { email: 'kim@kanal.example', name: 'Kim Lee', timeZone: 'America/Los_Angeles' } }),
    ]);

    // Assess
    for (const [ticket, to, zone] of [
      [tokyo, JANA, 'Asia/Tokyo'],
      [losAngeles, 'kim@kanal.example', 'America/Los_Angeles'],
    ] as const) {
      expect(ticket.severity).toBe('sev2');
      expect(Date.parse(ticket.sla.firstResponse.due)).toBe(Date.parse(ticket.createdAt) + short(PREMIUM.sev2.firstResponse));
      const [ack] = await mails(ticket.caseNumber, 'We received your request: ', 1);
      expect(ack!.destination.to).toEqual([to]);
      const text = ack!.body.text!;
      expect(text).toContain(`Your case number is ${ticket.caseNumber} (severity: Level 2 - Urgent).`);
      expect(text).toContain(`We will respond ${offered}, that is by ${inZoneAndUtc(ticket.sla.firstResponse.due, zone)}.`);
      expect(text).toContain('Level 2 - Urgent: Major functionality is impacted or significant performance degradation is experienced.');
      expect(text).toContain('Functions:\n  - Non-critical system functions have failed and are noticeable to the user.');
      expect(text).toContain('Data:\n  - Some discrepancies in the data within ADvendio\n  - Increase in unusable or corrupt data');
      expect(text).toContain('Back End:\n  - Some discrepancies in data and functions within ADvendio, which are transported through interfaces from connected systems (AdServer, ADvendio).');
      expect(text).toContain('If another severity fits better, reply and say which.');
    }
  });

  it("a level named in a mail counts for requesters of an entitled customer; a stranger's or a lapsed customer's mail opens at Level 4, the reason on the timeline", async () => {
    // Act
    await smtp.sendMail({ from: `Jana Sato <${JANA}>`, to: DESK, subject: 'Level 1: all bookings gone after the release', text: 'Nothing can be booked.' });
    await smtp.sendMail({ from: 'Sam <sam@stranger.example>', to: DESK, subject: 'Sev1 - reports broken', text: 'Please call.' });
    await smtp.sendMail({ from: `Ole <${OLE}>`, to: DESK, subject: 'Invoices', text: 'Production down since 9:00!\nPlease help.' });
    await smtp.sendMail({ from: `Jana Sato <${JANA}>`, to: DESK, subject: 'Not critical: how do I copy a media plan?', text: 'Just a question about handling.' });

    // Assess: Jana (Kanal, entitled) gets Level 1 and is told its target.
    const ticket = (subject: string) => eventually(`the ticket "${subject}"`, async () => (await ticketsWithSubject(request, subject))[0], 20_000);
    const note = async (id: string) => (await timeline(request, id)).find((event: Event) => event.data?.severityMarker);
    const fromJana = await ticket('Level 1: all bookings gone after the release');
    expect(fromJana.severity).toBe('sev1');
    const janaNote = await note(fromJana.id);
    expect(janaNote).toMatchObject({ type: 'internal-note', public: false, data: { severityMarker: { severity: 'sev1', phrase: 'Level 1', where: 'subject', honoured: true } } });
    expect(janaNote.body).toContain(`honoured, as ${JANA} is one of the requesters of an entitled customer`);
    const [janaAck] = await mails(fromJana.caseNumber, 'We received your request: ', 1);
    expect(janaAck!.destination.to).toEqual([JANA]);
    expect(janaAck!.body.text).toContain('(severity: Level 1 - Critical)');
    expect(janaAck!.body.text).toContain(`We will respond within ${short(PREMIUM.sev1.firstResponse) / 1_000} seconds (around the clock), that is by `);
    // The customer does not see the desk's note.
    const asCustomer = await request('GET', `/tickets/${fromJana.id}`, { key: kanalKey });
    expect(asCustomer.body.timeline.some((event: Event) => event.data?.severityMarker)).toBe(false);

    // A stranger and a lapsed customer: the default, Level 4, and why.
    const fromSam = await ticket('Sev1 - reports broken');
    expect(fromSam.severity).toBe('sev4');
    const samNote = await note(fromSam.id);
    expect(samNote.data.severityMarker).toMatchObject({ severity: 'sev1', phrase: 'Sev1', honoured: false });
    expect(samNote.body).toContain('no customer matches requester sam@stranger.example');
    expect(samNote.body).toContain('The default severity Level 4 - Medium applies');
    const fromOle = await ticket('Invoices');
    expect(fromOle.severity).toBe('sev4');
    const oleNote = await note(fromOle.id);
    expect(oleNote.data.severityMarker).toMatchObject({ severity: 'sev1', phrase: 'production down', where: 'text', honoured: false });
    expect(oleNote.body).toContain('contract ended 2020-12-31');
    const [oleAck] = await mails(fromOle.caseNumber, 'We received your request: ', 1);
    expect(oleAck!.destination.to).toEqual([OLE]);
    expect(oleAck!.body.text).toContain('(severity: Level 4 - Medium)');

    // "Not critical" is no marker: the preset leaves out the bare words "critical" and "urgent".
    const question = await ticket('Not critical: how do I copy a media plan?');
    expect(question.severity).toBe('sev4');
    expect(await note(question.id)).toBeUndefined();
  });
});

describe.concurrent('Case Reason definitions', () => {
  it('takes the four reasons by id or by name, stores ids, and refuses another naming caseReason', async () => {
    // Act
    const customization = await open('Custom invoice layout', 'sev4', { key: kanalKey, caseReason: 'Customization / development request' });
    const handling = await open('How to split a campaign', 'sev4', { key: kanalKey, caseReason: 'question-about-handling' });
    const toFeature = await act(customization.id, { type: 'set-case-reason', caseReason: 'Feature request' });
    const toBug = await act(handling.id, { type: 'set-case-reason', caseReason: 'Bug' });
    const other = await act(handling.id, { type: 'set-case-reason', caseReason: 'Complaint' });

    // Assess
    expect(customization.caseReason).toBe('customization-request');
    expect(handling.caseReason).toBe('question-about-handling');
    expect([toFeature.status, toBug.status]).toEqual([200, 200]);
    expect((await read(customization.id)).caseReason).toBe('feature-request');
    expect((await read(handling.id)).caseReason).toBe('bug');
    expect(other.status).toBe(422);
    expect(other.body.field).toBe('caseReason');
  });
});
