/**
 * Cadmium Dedicated Virtual Support (support document 000) end to end: one customer's order
 * walked through the document's promises in order on `npm start`'s runtime, with the shipped
 * preset and its staff directory (presets/staff/cadmium.yaml), every mail read back from the SES
 * emulator with its recipients and text.
 *
 * The policy is the preset's short copy (test/support/short-preset.ts: an hour is a second, the
 * calendar always open), so a 4-hour block lasts 4 s and the "periodic updates" (1 h) come every
 * second. Two of the preset's times are not durations the copy shortens and are set here: the
 * block (`blockHours`, in hours) and the notice's ten days (`contactNoticeDays`, 4 s before the
 * start instead of the scaled 240 s). The standard plan's response targets are tierdesk's choice,
 * not the document's: they keep their real length, so that no SLA timer moves a ticket of the
 * period to a priority queue while the scenario runs. A Twilio integration is added, as Cadmium
 * would connect the "dedicated phone number" it gives the customer.
 *
 * Waits are for what the runtime did (a mail in the emulator, a state through the API), with
 * generous limits; what happens "before" or "after" is asserted from recorded instants.
 */
import nodemailer from 'nodemailer';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentMail } from '../local/ses';
import { eventually } from './support/eventually';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { shortPreset, shortPresetPolicy } from './support/short-preset';

/** An hour of the preset lasts a second here. */
const SCALE = 3_600;
const BLOCK_HOURS = 4 / SCALE;
const BLOCK_MS = 4_000;
/** When the contact details go out: this long before the period (the document's "about ten days"). */
const NOTICE_LEAD_MS = 4_000;
/** The period: four blocks ("16 hours", 16 s): room for the period's tickets however busy the machine. */
const BLOCKS = 4;
const VOICE_TOKEN = 'twilio-auth-token-cadmium-e2e-000';
const PUBLIC_URL = 'https://support.cadmium.example';
const DESK = 'support@tierdesk.localhost';
/** Generous: a mail the runtime owes is there long before this on any machine. */
const MAIL_WITHIN_MS = 20_000;

// The staff directory of the preset (presets/staff/cadmium.yaml).
const STAFF = {
  rachel: 'rachel.adams@cadmium.example', // lead of Cadmium Support
  kevin: 'kevin.park@cadmium.example', // engineer; member of Cadmium Support and Cadmium Escalation
  alicia: 'alicia.gomez@cadmium.example', // engineer; member of Cadmium Support
  nathan: 'nathan.cole@cadmium.example', // lead of Cadmium Escalation
  olivia: 'olivia.grant@cadmium.example', // lead of Infrastructure
  ethan: 'ethan.moore@cadmium.example', // member of Infrastructure
  julia: 'julia.stein@cadmium.example', // the project manager
};
const CADMIUM_SUPPORT = [STAFF.rachel, STAFF.kevin, STAFF.alicia];

const CUSTOMER = 'gala-events';
const POC = { name: 'Paula Poc', email: 'paula@gala-events.example', phone: '+1 202 555 0177' };
const DEDICATED_NUMBER = '+1 800 555 0160';
/** An attendee of the customer's event who writes in directly. */
const ATTENDEE = { email: 'sam@gala-events.example', name: 'Sam Attendee' };

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  const policy = shortPreset('cadmium', {
    scale: SCALE,
    adjust: (p) => {
      p.supportPeriods.blockHours = BLOCK_HOURS;
      p.supportPeriods.contactNoticeDays = NOTICE_LEAD_MS / 86_400_000;
      p.plans = shortPresetPolicy('cadmium', { scale: 1 }).plans;
      p.integrations = [{ id: 'voice', kind: 'twilio', publicUrl: PUBLIC_URL }];
    },
  });
  runtime = await startTestRuntime({ policy, webhookSecrets: { voice: [VOICE_TOKEN] } });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
});

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();
/** The first block boundary at least `leadMs` from now (periods start on one). */
const blockAfter = (leadMs: number) => Math.ceil((Date.now() + leadMs) / BLOCK_MS) * BLOCK_MS;
const hours = (blocks: number) => blocks * BLOCK_HOURS;
/** How a mail shows an instant in UTC, whether alone ("2026-12-01 14:00 UTC") or beside the reader's zone ("… (14:00 UTC)"). */
const utcClock = (ms: number) => `${iso(ms).slice(11, 16)} UTC`;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const recipientsOf = (mails: SentMail[]) => [...new Set(mails.flatMap((m) => [...m.destination.to, ...m.destination.cc, ...m.destination.bcc]))].sort();

/**
 * The mails with exactly this subject, once each of `to` has one; asserts nobody else got it.
 * (Sent at least once: a repeat to the same people is allowed, a stranger is not.)
 */
async function delivered(subject: string | RegExp, to: string[], withinMs = MAIL_WITHIN_MS): Promise<SentMail[]> {
  const matches = (mail: SentMail) => (typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject));
  const mails = await eventually(
    `"${subject}" to ${to.join(', ')}`,
    async () => {
      const matching = (await runtime.ses.store()).filter(matches);
      const got = recipientsOf(matching);
      return to.every((address) => got.includes(address)) ? matching : undefined;
    },
    withinMs,
  );
  expect(recipientsOf(mails), String(subject)).toEqual([...to].sort());
  return mails;
}

/** The one text of a mail delivered as above. */
const textOf = (mails: SentMail[]) => mails[0]!.body.text ?? '';

function twilio(params: Record<string, string>) {
  const path = '/webhooks/twilio/voice';
  // Twilio signs the public URL it called, not the loopback one.
  const signature = getExpectedTwilioSignature(VOICE_TOKEN, `${PUBLIC_URL}${path}`, params);
  return fetch(new URL(path, runtime.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

async function openTicket(subject: string, severity: string, requester = { email: POC.email, name: POC.name }) {
  const opened = await request('POST', '/tickets', { body: { subject, description: `${subject}.`, severity, customerId: CUSTOMER, requester } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return opened.body.ticket;
}

async function act(ticketId: string, body: Record<string, unknown>) {
  const answer = await request('POST', `/tickets/${ticketId}/actions`, { body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.ticket;
}

describe('Cadmium dedicated virtual support, as document 000 promises it', () => {
  // What the scenario carries from one promise to the next.
  const s = {} as {
    orderId: string;
    start: number;
    end: number;
    acceptedAt: number;
    tickets: Record<'stream' | 'registration' | 'login' | 'badges' | 'howTo' | 'call', any>;
  };

  it('Staff Assignment: sold in four-hour increments only; Cadmium Support hears of the order; acceptance is subject to availability', async () => {
    // Prepare: the customer with its point of contact's number, and Kevin Park, an engineer of the
    // directory, who cannot be booked yet: his availability ends before the period.
    const customer = await request('PUT', `/customers/${CUSTOMER}`, {
      body: { name: 'Gala Events', plan: 'standard', emailDomains: ['gala-events.example'], phoneNumbers: [POC.phone], contacts: [{ ...POC, role: 'point of contact' }] },
    });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
    const engineer = (id: string, name: string, email: string, phone: string, from: number, to: number) =>
      request('PUT', `/agents/${id}`, { body: { name, email, phone, skills: ['Cadmium Events'], availability: [{ from: iso(from), to: iso(to) }] } });
    expect((await engineer('kevin.park', 'Kevin Park', STAFF.kevin, '+1 410 555 0121', Date.now() - 60_000, Date.now() - 30_000)).status).toBe(201);
    const start = blockAfter(12_000);
    s.start = start;
    s.end = start + BLOCKS * BLOCK_MS;
    const periods = [{ start: iso(start), hours: hours(BLOCKS) }];
    const place = (customerId: string, contact: typeof POC, phone?: string) =>
      request('POST', '/support-orders', { body: { customerId, purpose: 'customer-support', periods, pointOfContact: contact, ...(phone ? { phone } : {}) } });

    // Act: three hours is not a block; four blocks are an order.
    const odd = await request('POST', '/support-orders', {
      body: { customerId: CUSTOMER, purpose: 'customer-support', periods: [{ start: iso(start), hours: 3 / SCALE }], pointOfContact: POC },
    });
    const placed = await place(CUSTOMER, POC, DEDICATED_NUMBER);
    s.orderId = placed.body.id;
    const nobody = await request('POST', `/support-orders/${s.orderId}/accept`);
    expect((await engineer('kevin.park', 'Kevin Park', STAFF.kevin, '+1 410 555 0121', Date.now(), s.end + 60_000)).status).toBe(200);
    const accepted = await request('POST', `/support-orders/${s.orderId}/accept`);
    s.acceptedAt = Date.now();
    // Another customer wants Kevin at the same time: he serves one customer's event at a time.
    expect((await request('PUT', '/customers/rival-co', { body: { name: 'Rival Co', plan: 'standard', emailDomains: ['rival-co.example'] } })).status).toBe(201);
    const rivalContact = { name: 'Ron Rival', email: 'ron@rival-co.example', phone: '+1 202 555 0188' };
    const rival = await place('rival-co', rivalContact);
    const rivalAccept = await request('POST', `/support-orders/${rival.body.id}/accept`, { body: { engineerId: 'kevin.park' } });

    // Assess: the order is refused for its hours, naming them.
    expect(odd.status).toBe(400);
    expect(odd.body.field).toBe('periods.0.hours');
    expect(odd.body.message).toContain('blocks of');
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toMatchObject({ status: 'pending', periods: [{ blocks: BLOCKS, phone: DEDICATED_NUMBER }] });
    expect(nobody.body.status).toBe('pending');
    expect(nobody.body.pendingReason).toMatch(/^subject to availability: no engineer is free for period 0/);
    expect(accepted.body).toMatchObject({ status: 'accepted', periods: [{ engineerId: 'kevin.park', status: 'booked' }] });
    expect(rivalAccept.body.status).toBe('pending');
    expect(rivalAccept.body.pendingReason).toMatch(/^subject to availability: Kevin Park is not free for period 0/);

    // Cadmium Support (supportPeriods.ordersTeam), its lead and members, hears of each new order.
    const news = await delivered(`[${s.orderId}] New support order from ${CUSTOMER}`, CADMIUM_SUPPORT);
    expect(textOf(news)).toContain(`A new dedicated support order ${s.orderId} from customer ${CUSTOMER} waits for acceptance.`);
    expect(textOf(news)).toContain('Purpose: Dedicated Virtual Customer Support');
    expect(textOf(news)).toContain(`Point of contact: ${POC.name} <${POC.email}>, ${POC.phone}`);
    expect(textOf(news)).toContain(`POST /support-orders/${s.orderId}/accept`);
    await delivered(`[${rival.body.id}] New support order from rival-co`, CADMIUM_SUPPORT);
    // The point of contact: pending (subject to availability), then accepted.
    const pending = await delivered(`[${s.orderId}] Your support order is pending (subject to availability)`, [POC.email]);
    expect(textOf(pending)).toContain(`Hello ${POC.name},`);
    expect(textOf(pending)).toContain(`your order ${s.orderId} is received but not yet accepted: it is subject to availability`);
    const acceptance = await delivered(`[${s.orderId}] Your support order is accepted`, [POC.email]);
    expect(textOf(acceptance)).toContain(`your order ${s.orderId} is accepted: an engineer is booked for each period.`);
    expect(textOf(acceptance)).toContain(utcClock(start));
    expect(textOf(acceptance)).toContain(utcClock(s.end));
    const rivalPending = await delivered(`[${rival.body.id}] Your support order is pending (subject to availability)`, [rivalContact.email]);
    expect(textOf(rivalPending)).toContain('subject to availability');
    expect((await request('POST', `/support-orders/${rival.body.id}/cancel`)).body.status).toBe('cancelled');
  }, 60_000);

  it("Exchange Contact Information: before the period the point of contact is sent the engineer's contact details and the dedicated number (the confirmation)", async () => {
    // Act: the notice falls due NOTICE_LEAD_MS before the start.
    const notice = await delivered(
      new RegExp(`^${escapeRegExp(`[${s.orderId}] Your dedicated support engineer for `)}.*${escapeRegExp(utcClock(s.start))}.* is confirmed$`),
      [POC.email],
      s.start - Date.now() + MAIL_WITHIN_MS,
    );

    // Assess: sent when due (not at acceptance, unless that was already late).
    expect(notice[0]!.at * 1_000).toBeGreaterThanOrEqual(Math.min(s.start - NOTICE_LEAD_MS, s.acceptedAt) - 1_000);
    const text = textOf(notice);
    expect(text).toContain('is confirmed. Your engineer:');
    expect(text).toContain('Kevin Park');
    expect(text).toContain(STAFF.kevin);
    expect(text).toContain('+1 410 555 0121');
    expect(text).toContain(`During the period, call ${DEDICATED_NUMBER}: it rings with your engineer.`);
  }, 60_000);

  it("Support during the period: the start mail; every channel's tickets go to the engineer, who is told; calls ring him; system and configuration issues and what he cannot resolve are escalated", async () => {
    // Act: the period starts.
    const started = await delivered(`[${s.orderId}] Your support period has started`, [POC.email], s.start - Date.now() + MAIL_WITHIN_MS);
    // Competing requests by mail (first: its ingestion runs while the others are made), the portal (API) and phone.
    s.tickets = {} as typeof s.tickets;
    await smtp.sendMail({ from: `${POC.name} <${POC.email}>`, to: DESK, subject: 'Speakers cannot log in', text: 'Three speakers get "access denied" since 10:00.' });
    s.tickets.howTo = await openTicket('How do I export the attendee list', 'sev4', ATTENDEE);
    s.tickets.registration = await openTicket('Registration form shows the wrong dates', 'sev3');
    s.tickets.stream = await openTicket('Keynote stream is down', 'sev1');
    s.tickets.badges = await openTicket('Badge printing is slow', 'sev2');
    const call = { CallSid: 'CA-cadmium-1', From: POC.phone.replace(/ /g, ''), To: DEDICATED_NUMBER.replace(/ /g, ''), AccountSid: 'AC-cadmium', CallStatus: 'ringing' };
    const ring = await twilio(call);
    const twiml = await ring.text();
    s.tickets.login = await eventually(
      'the mailed ticket',
      async () => (await request('GET', `/tickets?customer=${CUSTOMER}&limit=100`)).body.items.find((t: any) => t.subject === 'Speakers cannot log in'),
      MAIL_WITHIN_MS,
    );
    s.tickets.call = (await request('GET', `/tickets?customer=${CUSTOMER}&limit=100`)).body.items.find((t: any) => t.channel === 'phone');
    const queue = (await request('GET', '/tickets?queue=dedicated:kevin.park&limit=100')).body.items.map((t: any) => t.caseNumber);
    // The engineer escalates: the outage to infrastructure, the form to the project manager, and
    // the log-in problem he cannot resolve to the Cadmium resources that expedite it.
    const stream = await act(s.tickets.stream.id, { type: 'escalate-period-issue', issue: 'system', reason: 'The streaming cluster is down.' });
    const registration = await act(s.tickets.registration.id, { type: 'escalate-period-issue', issue: 'configuration', reason: 'The event dates in the registration setup are a day off.' });
    const login = await act(s.tickets.login.id, { type: 'escalate', tier: 'expedite', reason: 'The identity provider rejects the speakers; I cannot fix it from here.' });
    const howTo = await act(s.tickets.howTo.id, { type: 'resolve', resolutionType: 'workaround', text: 'Reports > Attendees > Export as CSV.' });
    const inPeriod = Date.now();

    // Assess: the start mail, after the notice.
    expect(started[0]!.at * 1_000).toBeGreaterThanOrEqual(s.start - 1_000);
    const sent = (await runtime.ses.store()).map((m) => m.subject);
    expect(sent.findIndex((subject) => subject.startsWith(`[${s.orderId}] Your dedicated support engineer`))).toBeLessThan(sent.indexOf(`[${s.orderId}] Your support period has started`));
    expect(textOf(started)).toContain('your dedicated support period has started and runs until');
    expect(textOf(started)).toContain(`Kevin Park takes every ticket of yours first; call ${DEDICATED_NUMBER}.`);
    expect(inPeriod, "the period's tickets were opened and worked before it ended").toBeLessThan(s.end);
    // Every ticket of the customer, from every channel, is Kevin's, in his queue, most severe first.
    for (const ticket of [s.tickets.howTo, s.tickets.registration, s.tickets.stream, s.tickets.badges, s.tickets.login, s.tickets.call]) {
      expect(ticket, 'a ticket of the period').toBeDefined();
      expect(ticket).toMatchObject({ assignee: 'kevin.park', dedicated: { orderId: s.orderId, period: 0, engineerId: 'kevin.park', contact: POC.email } });
      expect(ticket.flags).toContain('dedicated-period');
    }
    expect(s.tickets.call.channel).toBe('phone');
    expect(ring.status).toBe(200);
    expect(twiml).toContain('<Response><Dial>+14105550121</Dial></Response>');
    const bySeverity = [s.tickets.stream, s.tickets.badges, s.tickets.registration, s.tickets.howTo].map((t) => t.caseNumber);
    expect(queue.filter((c: string) => bySeverity.includes(c))).toEqual(bySeverity);
    // Kevin is told of each ticket routed to him.
    for (const ticket of Object.values(s.tickets)) {
      const routed = await delivered(`[${ticket.caseNumber}] Routed to you during the support period: ${ticket.subject}`, [STAFF.kevin]);
      expect(textOf(routed)).toContain(`Case ${ticket.caseNumber} ("${ticket.subject}"`);
      expect(textOf(routed)).toContain('It is assigned to you and waits in your queue, most severe first.');
      expect(textOf(routed)).toContain(`Support order ${s.orderId}, period 0`);
    }
    // The mail is received, and the point of contact is told so (a receipt notification).
    const receipt = await delivered(`[${s.tickets.login.caseNumber}] We received your request: Speakers cannot log in`, [POC.email]);
    expect(textOf(receipt)).toContain(`Your case number is ${s.tickets.login.caseNumber}`);
    // System issue: the infrastructure team's queue; its lead and member, and the point of contact, are told.
    expect(stream.queue).toBe('infrastructure');
    expect((await request('GET', '/tickets?queue=infrastructure')).body.items.map((t: any) => t.caseNumber)).toContain(stream.caseNumber);
    const system = await delivered(`[${stream.caseNumber}] Escalated during the support period: Keynote stream is down`, [STAFF.olivia, STAFF.ethan, POC.email]);
    expect(textOf(system)).toContain('System issue, escalated to infrastructure: The streaming cluster is down.');
    expect(textOf(system)).toContain('The point of contact gets updates until it is resolved.');
    // Configuration issue: the project manager.
    expect(registration.queue).toBe('project-manager');
    const configuration = await delivered(`[${registration.caseNumber}] Escalated during the support period: Registration form shows the wrong dates`, [STAFF.julia, POC.email]);
    expect(textOf(configuration)).toContain('Configuration issue, escalated to project-manager: The event dates in the registration setup are a day off.');
    // What the engineer cannot resolve: "appropriate Cadmium resources will be alerted and will expedite the issue".
    expect(login).toMatchObject({ tier: 'expedite', team: 'cadmium-escalation', queue: 'cadmium-escalation', assignee: 'kevin.park' });
    expect((await request('GET', '/tickets?queue=cadmium-escalation')).body.items.map((t: any) => t.caseNumber)).toContain(login.caseNumber);
    const expedite = await delivered(`[${login.caseNumber}] Escalated to Cadmium resources: Speakers cannot log in`, [STAFF.nathan, STAFF.kevin]);
    expect(textOf(expedite)).toContain('is now at Cadmium resources (team cadmium-escalation)');
    expect(textOf(expedite)).toContain('The identity provider rejects the speakers');
    // A resolution reaches the point of contact as well as the attendee who asked.
    expect(howTo.status).toBe('resolved');
    const resolved = await delivered(`[${howTo.caseNumber}] Resolved: How do I export the attendee list`, [ATTENDEE.email, POC.email]);
    expect(textOf(resolved)).toContain('Reports > Attendees > Export as CSV.');
    // Periodic updates (every "hour") to the point of contact while the period runs.
    const update = await eventually(
      'a period update listing the tickets',
      async () =>
        (await runtime.ses.store()).find((m) => m.subject.startsWith(`[${s.orderId}] Support period update:`) && m.body.text?.includes(login.caseNumber) && m.body.text.includes('resolved:')),
      s.end - Date.now() + MAIL_WITHIN_MS,
    );
    expect(update.destination.to).toEqual([POC.email]);
    expect(update.body.text).toContain('system issue escalated to infrastructure');
  }, 120_000);

  it('At the end: a summary of the shift with status and resolution; open tickets handed over with a timeline entry and a mail to their new owners; routing ends', async () => {
    // Act: the period ends.
    const summary = await delivered(`[${s.orderId}] Summary of your support period`, [POC.email], s.end - Date.now() + MAIL_WITHIN_MS);

    // Assess: every ticket of the period, with its status and resolution or next step.
    const text = textOf(summary);
    expect(summary[0]!.at * 1_000).toBeGreaterThanOrEqual(s.end - 1_000);
    expect(text).toContain('has ended.');
    expect(text).toContain(utcClock(s.start));
    expect(text).toContain('The tickets of the period (6):');
    const { stream, registration, login, badges, howTo, call } = s.tickets;
    expect(text).toContain(`- ${stream.caseNumber} · Keynote stream is down · Severity 1 – Critical · new`);
    expect(text).toContain('system issue escalated to infrastructure; handed over to team infrastructure');
    expect(text).toContain('configuration issue escalated to project-manager; handed over to team project-manager');
    expect(text).toContain('escalated to expedite; handed over to team cadmium-escalation');
    expect(text).toContain(`- ${howTo.caseNumber} · How do I export the attendee list · Severity 4 – Low · resolved\n  resolved: Reports > Attendees > Export as CSV.`);
    expect(text).toContain(`- ${badges.caseNumber} · Badge printing is slow · Severity 2 – High`);
    // Who has the open ones now.
    expect(text).toContain("The period's engineer has handed the open tickets over:");
    expect(text).toContain(`${badges.caseNumber}, ${call.caseNumber} to team cadmium-support`);
    expect(text).toContain(`${stream.caseNumber} to team infrastructure`);
    expect(text).toContain(`${registration.caseNumber} to team project-manager`);
    expect(text).toContain(`${login.caseNumber} to team cadmium-escalation`);

    // The unescalated open tickets go to their tier's team, Cadmium Support (CHOSEN: the preset names
    // no afterPeriodQueue), unassigned, with the hand-over on the timeline; the team is mailed.
    for (const ticket of [badges, call]) {
      const handed = (await request('GET', `/tickets/${ticket.id}`)).body;
      expect(handed).toMatchObject({ team: 'cadmium-support', queue: 'cadmium-support', dedicated: { handedOver: { team: 'cadmium-support' } } });
      expect(handed.assignee).toBeUndefined();
      expect(handed.timeline.find((e: any) => e.type === 'period-ended').body).toContain(`handed over from kevin.park to team cadmium-support (queue cadmium-support)`);
      const mail = await delivered(`[${ticket.caseNumber}] Handed over after the support period: ${ticket.subject}`, CADMIUM_SUPPORT);
      expect(textOf(mail)).toContain('has ended with the case open.');
      expect(textOf(mail)).toContain(`ended with the case new: handed over from kevin.park to team cadmium-support`);
    }
    // Escalated ones stay with the team they were escalated to, which is told they are theirs now.
    for (const [ticket, team, people] of [
      [stream, 'infrastructure', [STAFF.olivia, STAFF.ethan]],
      [registration, 'project-manager', [STAFF.julia]],
      [login, 'cadmium-escalation', [STAFF.nathan, STAFF.kevin]],
    ] as const) {
      const handed = (await request('GET', `/tickets/${ticket.id}`)).body;
      expect(handed).toMatchObject({ queue: team, dedicated: { handedOver: { team } } });
      expect(handed.timeline.find((e: any) => e.type === 'period-ended').body).toContain(`to team ${team}`);
      await delivered(`[${ticket.caseNumber}] Handed over after the support period: ${ticket.subject}`, [...people]);
    }
    // The resolved one moves quietly: a reopening lands with Cadmium Support, nobody is mailed.
    expect((await request('GET', `/tickets/${howTo.id}`)).body).toMatchObject({ team: 'cadmium-support', dedicated: { handedOver: { team: 'cadmium-support' } } });
    expect((await runtime.ses.store()).filter((m) => m.subject.startsWith(`[${howTo.caseNumber}] Handed over`))).toEqual([]);
    // Updates only while the period ran: the period's execution sent every one before its summary.
    const sent = await runtime.ses.store();
    const lastUpdate = sent.findLastIndex((m) => m.subject.startsWith(`[${s.orderId}] Support period update:`));
    expect(lastUpdate).toBeGreaterThanOrEqual(0);
    expect(lastUpdate).toBeLessThan(sent.findIndex((m) => m.subject === `[${s.orderId}] Summary of your support period`));
    // After the period: the order says it has ended, and a new ticket is nobody's in particular.
    expect((await request('GET', `/support-orders/${s.orderId}`)).body.periods[0].status).toBe('ended');
    const late = await request('POST', `/support-orders/${s.orderId}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.message).toContain(`period 0 of order ${s.orderId} has ended`);
    const after = await openTicket('After the event', 'sev3');
    expect(after.assignee).toBeUndefined();
    expect(after.dedicated).toBeUndefined();
    expect(after.queue).toBe('cadmium-support');
  }, 60_000);
});
