/**
 * The Cadents preset (support document 003, "Support Level") walked end to end on `npm start`'s
 * runtime, promise by promise in the document's order, with the preset's own staff directory: a
 * short-target copy of presets/cadents.yaml (test/support/short-preset.ts: always open, an hour of
 * the preset is 3.6 s here) so its timers fire within the test. Every mail is read back from the
 * SES emulator and checked for who gets it (the directory's people) and what it says.
 *
 * - Level 1 "simple email processing", "verify support entitlement": a mail is logged at Level 1
 *   (the partner's team) and acknowledged; a sender of no customer waits in triage.
 * - Level 1 "provide initial problem categorization": case reasons (and severities) by id or name.
 * - Levels 1 and 2 are the partner's, Level 3 Cadents': a case enters Level 2 "with symptoms" and
 *   Level 3 with "complete steps to reproduce", by an agent or when a level's target passes; until
 *   then the move is refused (or, by the clock, blocked with a mail saying what is missing).
 * - "Provide regular problem resolution status reports to the end user": a public update owed
 *   every interval (statusUpdate), warned and breached to the assignee and the team lead.
 * - The severity targets the preset chooses, as recorded due instants and as told to the requester.
 *
 * As in test/sla-workflow.e2e.test.ts nothing depends on the machine's speed: recorded due
 * instants are exact, the clock acts within LATE_MS of them, and a step that must come before a
 * deadline has at least 15 s to do so (which is why the scale is 1,000 and not 3,600).
 */
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatInstant } from '../core/notifications/render';
import { loadDirectory } from '../core/staff/files';
import { eventually } from './support/eventually';
import { ticketsWithSubject } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { caseMails, expectAround, LATE_MS, recipients, ticketCalls } from './support/scenario';
import { shortPreset } from './support/short-preset';

/** Real time ÷ SCALE = test time: the preset's 4 business hours (Severity 1's Level 1 target) are 15 s. */
const SCALE = 1_000;
vi.setConfig({ testTimeout: 120_000 });

/** A duration of the preset in hours (a business day is 8) as the short copy runs it, in ms: whole seconds, rounded up. */
const short = (hours: number) => Math.ceil((hours * 3_600) / SCALE) * 1_000;
/** The same in the words the mail uses ("15 seconds"). */
const shortWords = (hours: number) => `${short(hours) / 1_000} seconds`;

/** The preset's targets in hours (presets/cadents.yaml, all CHOSEN: the document states none). */
const TARGETS = {
  sev1: { firstResponse: 2, levelOne: 4, levelTwo: 16, statusUpdate: 4 },
  sev2: { firstResponse: 4, levelOne: 8, levelTwo: 40, statusUpdate: 8 },
  sev3: { firstResponse: 8, levelOne: 16, levelTwo: 80, statusUpdate: 16 },
  sev4: { firstResponse: 16, levelOne: 40, levelTwo: 120, statusUpdate: 40 },
} as const;

const staff = loadDirectory('presets/staff/cadents.yaml');
/** A person's address, from the preset's staff directory. */
const email = (id: string) => {
  const person = staff.people.find((candidate) => candidate.id === id);
  if (!person) throw new Error(`no ${id} in presets/staff/cadents.yaml`);
  return person.email;
};
const PARTNER_LEVEL1 = ['karen.doyle', 'luis.herrera', 'nina.patel'].map(email); // lead first
const PARTNER_LEVEL2 = ['robert.hayes', 'anna.kowalski'].map(email);
const CADENTS_EXPERT = ['victor.lam', 'sarah.quinn'].map(email);
const REQUESTER = { email: 'ana@endco.example', name: 'Ana Lima' };

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: shortPreset('cadents', { scale: SCALE }) });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
  // The end customer the partner serves, on the preset's one plan: its requesters are entitled (not in triage).
  const customer = await request('PUT', '/customers/endco', { body: { name: 'EndCo Networks', plan: 'standard', emailDomains: ['endco.example'] } });
  expect(customer.status, JSON.stringify(customer.body)).toBe(201);
});

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

interface Event {
  id: string;
  type: string;
  at: string;
  body?: string;
  data?: Record<string, any>;
}
interface Ticket {
  id: string;
  entitlement: { status: string };
  caseNumber: string;
  createdAt: string;
  severity: string;
  caseReason?: string;
  status: string;
  tier: string;
  team: string;
  queue: string;
  flags: string[];
  sla: Record<string, any>;
  timeline: Event[];
}

async function open(subject: string, severity: string, extra: Record<string, unknown> = {}): Promise<Ticket> {
  const created = await request('POST', '/tickets', { body: { subject, description: 'The media server drops streams.', severity, requester: REQUESTER, ...extra } });
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

describe.concurrent('Level 1: simple email processing, support entitlement verified', () => {
  it("an end customer's mail is logged at Level 1 with the partner's team and acknowledged; a sender of no customer waits in triage", async () => {
    // Act
    await smtp.sendMail({ from: `Ana Lima <${REQUESTER.email}>`, to: 'support@cadents.example', subject: 'Stream keys rejected', text: 'Since this morning every stream key is rejected.' });
    await smtp.sendMail({ from: 'Sam <sam@unknown.example>', to: 'support@cadents.example', subject: 'Is there a trial licence?', text: 'We would like to try the encoder.' });

    // Assess
    const logged = (subject: string) => eventually(`the ticket "${subject}"`, async () => (await ticketsWithSubject(request, subject))[0] as Ticket | undefined, 20_000);
    const [fromEndCo, fromStranger] = await Promise.all([logged('Stream keys rejected'), logged('Is there a trial licence?')]);
    expect([fromEndCo.tier, fromEndCo.team, fromEndCo.queue, fromEndCo.entitlement.status]).toEqual(['level1', 'partner-level1', 'partner-level1', 'entitled']);
    expect([fromStranger.tier, fromStranger.queue, fromStranger.entitlement.status]).toEqual(['level1', 'triage', 'unverified']);
    // No severity markers in this preset: a mail opens at the default, Severity 4.
    expect([fromEndCo.severity, fromStranger.severity]).toEqual(['sev4', 'sev4']);
    for (const [ticket, to] of [
      [fromEndCo, REQUESTER.email],
      [fromStranger, 'sam@unknown.example'],
    ] as const) {
      const [ack] = await mails(ticket.caseNumber, 'We received your request: ', 1);
      expect(ack!.destination.to).toEqual([to]);
      expect(ack!.body.text).toContain(`Your case number is ${ticket.caseNumber} (severity: Severity 4 – Low).`);
      expect(ack!.body.text).toContain('Severity 4 – Low: A general question, information request, how-to or cosmetic problem.');
    }
  });
});

describe.concurrent('Level 1: initial problem categorization', () => {
  it('takes the category and the severity by name or by id, stores ids, and refuses an unknown category naming caseReason', async () => {
    // Act
    const byName = await open('Streams drop after the upgrade', 'Severity 3 – Medium', { caseReason: 'Product defect' });
    const recategorised = await act(byName.id, { type: 'set-case-reason', caseReason: 'interoperability' });
    const nonTechnical = await act(byName.id, { type: 'set-case-reason', caseReason: 'Non-technical problem' });
    const unknown = await act(byName.id, { type: 'set-case-reason', caseReason: 'Billing' });
    const unknownAtIntake = await request('POST', '/tickets', {
      body: { subject: 'x', description: 'y', severity: 'sev4', requester: REQUESTER, caseReason: 'Hardware' },
    });

    // Assess
    expect(byName.severity).toBe('sev3');
    expect(byName.caseReason).toBe('product-defect');
    expect(recategorised.status).toBe(200);
    expect(nonTechnical.status).toBe(200);
    const after = await read(byName.id);
    expect(after.caseReason).toBe('non-technical');
    expect(after.timeline.filter((event) => event.type === 'case-reason-changed').map((event) => event.data)).toEqual([
      { from: 'product-defect', to: 'interoperability' },
      { from: 'interoperability', to: 'non-technical' },
    ]);
    for (const refused of [unknown, unknownAtIntake]) {
      expect(refused.status).toBe(422);
      expect(refused.body.field).toBe('caseReason');
    }
  });
});

describe.concurrent('Levels 1 and 2 by the partner, Level 3 by Cadents', () => {
  it("an agent escalates: Level 2 is refused until the symptoms are given, Level 3 until the steps to reproduce; each level's team is mailed", async () => {
    // Prepare: Severity 4, so no target passes during the test (first response 58 s away, Level 1 144 s).
    const ticket = await open('Cannot configure multicast', 'sev4', { caseReason: 'configuration' });
    expect([ticket.tier, ticket.team, ticket.queue]).toEqual(['level1', 'partner-level1', 'partner-level1']);

    // Act + Assess: to Level 2 without symptoms.
    const noSymptoms = await act(ticket.id, { type: 'escalate', reason: 'Beyond a simple script.' });
    expect(noSymptoms.status).toBe(422);
    expect(noSymptoms.body).toMatchObject({ field: 'details.symptoms', message: 'tier level2 needs symptoms before a ticket may enter it' });
    expect((await read(ticket.id)).tier).toBe('level1');

    // With them: the partner's Level 2 team (lead and member) is told.
    const toLevelTwo = await act(ticket.id, { type: 'escalate', reason: 'Complex configuration, needs a recreate.', details: { symptoms: 'IGMP joins time out on VLAN 20.' } });
    expect(toLevelTwo.status, JSON.stringify(toLevelTwo.body)).toBe(200);
    const atTwo = await read(ticket.id);
    expect([atTwo.tier, atTwo.team]).toEqual(['level2', 'partner-level2']);
    expect(Date.parse(atTwo.sla.resolution.due) - Date.parse(atTwo.sla.resolution.startedAt)).toBe(short(TARGETS.sev4.levelTwo));
    const levelTwoMails = await mails(ticket.caseNumber, 'Escalated to Level 2 Advanced: Cannot configure multicast', 2);
    expect(recipients(levelTwoMails)).toEqual([...PARTNER_LEVEL2].sort());
    expect(PARTNER_LEVEL2.every((address) => address.endsWith('@partner-helpdesk.example'))).toBe(true);
    for (const mail of levelTwoMails) {
      expect(mail.body.text).toContain(`Case ${ticket.caseNumber} ("Cannot configure multicast") is now at Level 2 Advanced (team partner-level2).`);
      expect(mail.body.text).toContain('Complex configuration, needs a recreate.');
    }

    // To Level 3 without steps to reproduce, then with them.
    const noSteps = await act(ticket.id, { type: 'escalate', reason: 'Looks like a product defect.' });
    expect(noSteps.status).toBe(422);
    expect(noSteps.body).toMatchObject({ field: 'details.stepsToReproduce', message: 'tier level3 needs stepsToReproduce before a ticket may enter it' });
    expect((await read(ticket.id)).tier).toBe('level2');
    const recorded = await act(ticket.id, { type: 'record-details', details: { stepsToReproduce: '1. Join group 239.1.1.1 on VLAN 20. 2. Wait 260 s. 3. The stream stops.' } });
    expect(recorded.status).toBe(200);
    const toLevelThree = await act(ticket.id, { type: 'escalate', reason: 'Reproduced in the lab: a defect.' });
    expect(toLevelThree.status, JSON.stringify(toLevelThree.body)).toBe(200);
    const atThree = await read(ticket.id);
    expect([atThree.tier, atThree.team]).toEqual(['level3', 'cadents-expert']);
    // Level 3 depends on development engineering: no resolution timer runs there.
    expect(atThree.sla.resolution.due).toBeNull();
    const levelThreeMails = await mails(ticket.caseNumber, 'Escalated to Level 3 Expert: Cannot configure multicast', 2);
    expect(recipients(levelThreeMails)).toEqual([...CADENTS_EXPERT].sort());
    expect(CADENTS_EXPERT.every((address) => address.endsWith('@cadents.example'))).toBe(true);
    expect(levelThreeMails[0]!.body.text).toContain('is now at Level 3 Expert (team cadents-expert).');
    expect(levelThreeMails[0]!.body.text).toContain('Reproduced in the lab: a defect.');
  });

  it('the Level 1 target passes: a case with symptoms moves to Level 2 by itself; one without stays, and Level 1 is mailed what is missing', async () => {
    // Prepare: Severity 1, Level 1 target 4 h (15 s here); the symptoms are recorded at once, well before it.
    const [withSymptoms, without] = await Promise.all([open('Encoder reboots under load', 'sev1'), open('Encoder reboots at night', 'sev1')]);
    const recorded = await act(withSymptoms.id, { type: 'record-details', details: { symptoms: 'Watchdog reset every 10 minutes at 90 % CPU.' } });
    expect(recorded.status).toBe(200);
    expect(Date.parse((await read(withSymptoms.id)).sla.resolution.due)).toBe(Date.parse(withSymptoms.createdAt) + short(TARGETS.sev1.levelOne));

    // Act: nobody resolves either in time.
    const moved = await until(withSymptoms.id, 'moved by the clock', (t) => t.timeline.find((e) => e.type === 'escalated'), short(TARGETS.sev1.levelOne) + LATE_MS);
    const blocked = await until(without.id, 'escalation blocked', (t) => t.timeline.find((e) => e.type === 'escalation-blocked'), short(TARGETS.sev1.levelOne) + LATE_MS);

    // Assess: the first case is at the partner's Level 2, on time, and Level 2's team is told why.
    expectAround(moved.at, Date.parse(withSymptoms.createdAt) + short(TARGETS.sev1.levelOne));
    expect(moved.data).toEqual({ from: 'level1', to: 'level2' });
    const movedTicket = await read(withSymptoms.id);
    expect([movedTicket.tier, movedTicket.team]).toEqual(['level2', 'partner-level2']);
    const escalation = await mails(withSymptoms.caseNumber, 'Escalated to Level 2 Advanced: Encoder reboots under load', 2);
    expect(recipients(escalation)).toEqual([...PARTNER_LEVEL2].sort());
    expect(escalation[0]!.body.text).toContain(`Level 1 Procedural/Basic target resolution time (${short(TARGETS.sev1.levelOne) / 1_000}s) passed`);

    // The second stays at Level 1, flagged, and the whole Level 1 team reads what is missing.
    expectAround(blocked.at, Date.parse(without.createdAt) + short(TARGETS.sev1.levelOne));
    const stayed = await read(without.id);
    expect([stayed.tier, stayed.team]).toEqual(['level1', 'partner-level1']);
    expect(stayed.flags).toEqual(expect.arrayContaining(['needs-symptoms', 'sla-breached']));
    const blockedMails = await mails(without.caseNumber, 'Not escalated, details missing: Encoder reboots at night', 3);
    expect(recipients(blockedMails)).toEqual([...PARTNER_LEVEL1].sort());
    for (const mail of blockedMails) {
      expect(mail.body.text).toContain('at Level 1 Procedural/Basic has passed, but the case could not move up a tier: tier level2 needs symptoms before a ticket may enter it.');
      expect(mail.body.text).toContain('It stays at Level 1 Procedural/Basic (team partner-level1), flagged. Record what is missing, then escalate it.');
      expect(mail.body.text).not.toContain('Escalated to');
    }
    // The missed Level 1 target itself goes to the Level 1 team lead (the case has no assignee).
    const missed = await mails(without.caseNumber, 'SLA breached: resolution was due', 1);
    expect(recipients(missed)).toEqual([email('karen.doyle')]);
  });
});

describe.concurrent('Level 1: regular problem resolution status reports to the end user', () => {
  it('after an answer nobody reports again: the assignee and the team lead are warned at 80 %, then told of the breach; the case moves to the priority queue', async () => {
    // Prepare: Severity 1 (a report every 4 business hours, 15 s here), worked by Luis of the partner's Level 1.
    const ticket = await open('Playout stalls every hour', 'sev1');
    expect((await act(ticket.id, { type: 'assign', assignee: 'luis.herrera' })).status).toBe(200);
    const answered = await reply(ticket.id, 'We are collecting the network traces now.');
    const repliedAt = Date.parse(answered.sla.statusUpdate.startedAt);
    const due = repliedAt + short(TARGETS.sev1.statusUpdate);
    expect(answered.sla.statusUpdate.due).toBe(new Date(due).toISOString());

    // Act: nobody writes again.
    const breach = await until(ticket.id, 'status-update breach', clockEvent('sla-breached', 'statusUpdate'), short(TARGETS.sev1.statusUpdate) + LATE_MS);

    // Assess: on time, recorded, queued first.
    const after = await read(ticket.id);
    const warning = clockEvent('sla-warning', 'statusUpdate')(after)!;
    expect(warning).toBeDefined();
    expectAround(warning.at, repliedAt + short(TARGETS.sev1.statusUpdate) * 0.8);
    expect(Date.parse(breach.data!.due)).toBe(due);
    expectAround(breach.at, due);
    expect(after.flags).toContain('sla-breached');
    expect(after.queue).toBe('partner-level1:priority');
    // The end user got the report that was made…
    const report = await mails(ticket.caseNumber, 'Re: Playout stalls every hour', 1);
    expect(recipients(report)).toEqual([REQUESTER.email]);
    expect(report[0]!.body.text).toContain('We are collecting the network traces now.');
    // …and the staff the warning and the breach, by the directory's addresses.
    const expected = [email('luis.herrera'), email('karen.doyle')].sort();
    const warned = await mails(ticket.caseNumber, `SLA warning: status update due ${formatInstant(new Date(due).toISOString())}`, 2);
    expect(recipients(warned)).toEqual(expected);
    expect(warned[0]!.body.text).toContain(`The status update objective of case ${ticket.caseNumber} ("Playout stalls every hour") is due ${formatInstant(new Date(due).toISOString())}.`);
    const breached = await mails(ticket.caseNumber, `SLA breached: status update was due ${formatInstant(new Date(due).toISOString())}`, 2);
    expect(recipients(breached)).toEqual(expected);
    expect(breached[0]!.body.text).toContain('was not met.');
    expect(breached[0]!.body.text).toContain('Assignee: luis.herrera');
    // The end user hears of no clock, only of the reports.
    const toRequester = (await runtime.ses.store()).filter((mail) => mail.subject.includes(`[${ticket.caseNumber}]`) && mail.destination.to.includes(REQUESTER.email));
    expect(toRequester.some((mail) => mail.subject.includes('SLA'))).toBe(false);
  });

  it('every report starts the next interval; waiting on the end user pauses it; resolving stops it', async () => {
    // Prepare: Severity 2, a report every business day (29 s here): each step below is far inside it.
    const ticket = await open('Guide data missing for two channels', 'sev2');
    const first = await reply(ticket.id, 'Please send the guide import log.');
    expect(Date.parse(first.sla.statusUpdate.due)).toBe(Date.parse(first.sla.statusUpdate.startedAt) + short(TARGETS.sev2.statusUpdate));

    // Act: an internal note is no report; a second reply is.
    const noted = await request('POST', `/tickets/${ticket.id}/messages`, { body: { kind: 'internal-note', body: 'Asked L2 informally.' } });
    expect(noted.status).toBe(201);
    expect((await read(ticket.id)).sla.statusUpdate.due).toBe(first.sla.statusUpdate.due);
    const second = await reply(ticket.id, 'We found the cause; a fix is being tested.');
    const secondAt = Date.parse(second.sla.statusUpdate.startedAt);
    expect(Date.parse(second.sla.statusUpdate.due)).toBe(secondAt + short(TARGETS.sev2.statusUpdate));

    // Waiting on the end user: nothing is due; back from the wait, the waited time is added.
    expect((await act(ticket.id, { type: 'pause' })).status).toBe(200);
    const paused = await read(ticket.id);
    expect([paused.status, paused.sla.statusUpdate.due]).toEqual(['pending-customer', null]);
    const pendingMail = await mails(ticket.caseNumber, 'Status update: Guide data missing for two channels', 1);
    expect(recipients(pendingMail)).toEqual([REQUESTER.email]);
    expect(pendingMail[0]!.body.text).toContain(`Your case ${ticket.caseNumber} is now pending-customer.`);
    expect((await act(ticket.id, { type: 'resume' })).status).toBe(200);
    const resumed = await read(ticket.id);
    const [pause] = resumed.sla.pauses as { from: string; to: string }[];
    expect(Date.parse(resumed.sla.statusUpdate.due)).toBe(secondAt + short(TARGETS.sev2.statusUpdate) + (Date.parse(pause!.to) - Date.parse(pause!.from)));

    // Resolved: no more reports are owed.
    expect((await act(ticket.id, { type: 'resolve', resolutionType: 'fix', text: 'Guide import fixed in 7.3.1.' })).status).toBe(200);
    const resolved = await read(ticket.id);
    expect(resolved.sla.statusUpdate.due).toBeNull();
    expect(resolved.sla.statusUpdate.stoppedAt).toEqual(expect.any(String));
    const resolution = await mails(ticket.caseNumber, 'Resolved: Guide data missing for two channels', 1);
    expect(recipients(resolution)).toEqual([REQUESTER.email]);
    expect(resolution[0]!.body.text).toContain('Resolution (fix): Guide import fixed in 7.3.1.');
  });
});

describe.concurrent('severity targets (chosen by the preset)', () => {
  it("each severity's first response and Level 1 resolution are due exactly its target after opening, and the end user is told the first", async () => {
    // Act
    const opened = await Promise.all((['sev1', 'sev2', 'sev3', 'sev4'] as const).map(async (severity) => [severity, await open(`Targets of ${severity}`, severity)] as const));

    // Assess
    for (const [severity, ticket] of opened) {
      const createdAt = Date.parse(ticket.createdAt);
      expect(Date.parse(ticket.sla.firstResponse.due), `${severity} first response`).toBe(createdAt + short(TARGETS[severity].firstResponse));
      expect(Date.parse(ticket.sla.resolution.due), `${severity} Level 1 resolution`).toBe(createdAt + short(TARGETS[severity].levelOne));
      // The acknowledgement: the target in words and when, in the end user's zone (the plan calendar's, US Eastern) and UTC.
      const [ack] = await mails(ticket.caseNumber, `We received your request: Targets of ${severity}`, 1);
      expect(ack!.destination.to).toEqual([REQUESTER.email]);
      const due = DateTime.fromISO(ticket.sla.firstResponse.due, { zone: 'America/New_York' });
      const utc = due.setZone('UTC');
      const utcWords = utc.toFormat(due.toISODate() === utc.toISODate() ? 'HH:mm' : 'ccc d LLL yyyy HH:mm');
      expect(ack!.body.text).toContain(
        `Your case number is ${ticket.caseNumber} (severity: ${['Severity 1 – Critical', 'Severity 2 – High', 'Severity 3 – Medium', 'Severity 4 – Low'][Number(severity.slice(3)) - 1]}).`,
      );
      expect(ack!.body.text).toContain(
        `We will respond within ${shortWords(TARGETS[severity].firstResponse)} (around the clock), that is by ${due.toFormat('ccc d LLL yyyy HH:mm')} America/New_York (${utcWords} UTC).`,
      );
    }

    // Answered, the others owe their status reports at their severity's interval.
    for (const [severity, ticket] of opened.slice(1)) {
      const answered = await reply(ticket.id, 'We are on it.');
      expect(Date.parse(answered.sla.statusUpdate.due) - Date.parse(answered.sla.statusUpdate.startedAt), `${severity} status report`).toBe(short(TARGETS[severity].statusUpdate));
    }

    // The most urgent one is not answered in time: the Level 1 team lead hears of it.
    const [, sev1] = opened[0]!;
    const due = new Date(Date.parse(sev1.createdAt) + short(TARGETS.sev1.firstResponse)).toISOString();
    const breach = await mails(sev1.caseNumber, `SLA breached: first response was due ${formatInstant(due)}`, 1, short(TARGETS.sev1.firstResponse) + LATE_MS);
    expect(recipients(breach)).toEqual([email('karen.doyle')]);
    expect(breach[0]!.body.text).toContain('Severity: Severity 1 – Critical\nTier: Level 1 Procedural/Basic\nTeam: partner-level1\nAssignee: unassigned');
  });
});
