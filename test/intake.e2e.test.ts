/**
 * What a requester gives and gets at intake, on `npm start`'s runtime (issue [9]): the company
 * name and contact details a web/API case carries, the severities with their criteria and the
 * customer's targets (GET /policy/severities), the acknowledgement that states the target in
 * words with times in the customer's zone and UTC, severity markers in mail honoured only for
 * designated users, and attachments downloaded by whoever may see the mail they came with.
 */
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../core/limits';
import { eventually } from './support/eventually';
import { ticketsWithSubject, timeline } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let smtp: ReturnType<typeof nodemailer.createTransport>;
let acmeKey: string;
let globexKey: string;

const DESK = 'support@intake-test.example';
const DANA = 'dana@acme.example'; // a designated user of acme
const ERIK = 'erik@acme.example'; // acme, by its domain, not designated

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'test/fixtures/intake-policy.yaml' });
  request = api(runtime);
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
  const acme = await request('PUT', '/customers/acme', {
    body: { name: 'ACME GmbH', plan: 'premium', designatedUsers: [DANA], emailDomains: ['acme.example'], timeZone: 'America/New_York' },
  });
  expect(acme.status).toBe(201);
  expect((await request('PUT', '/customers/globex', { body: { name: 'Globex', plan: 'premium', emailDomains: ['globex.example'] } })).status).toBe(201);
  acmeKey = (await request('POST', '/api-keys', { body: { name: 'acme-portal', role: 'customer', customerId: 'acme' } })).body.key;
  globexKey = (await request('POST', '/api-keys', { body: { name: 'globex-portal', role: 'customer', customerId: 'globex' } })).body.key;
});

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

const mailsTo = async (to: string, caseNumber: string) => (await runtime.ses.store()).filter((mail) => mail.destination.to.includes(to) && mail.subject.includes(`[${caseNumber}]`));

async function ticketWithSubject(subject: string) {
  return eventually(`the ticket "${subject}"`, async () => (await ticketsWithSubject(request, subject))[0], 20_000);
}

/** The raw bytes of a GET; a redirect is not followed, so the API's own answer is seen. */
async function download(path: string, key: string) {
  const response = await fetch(new URL(path, runtime.url), { headers: { authorization: `Bearer ${key}` }, redirect: 'manual' });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

/** An attachment as a user gets it: the API's 302, then the presigned URL fetched with no key at all. */
async function fetchAttachment(path: string, key: string) {
  const redirect = await download(path, key);
  expect(redirect.status, path).toBe(302);
  const location = redirect.headers.get('location')!;
  expect(redirect.json().url).toBe(location);
  const file = await fetch(location);
  return { redirect, location: new URL(location), status: file.status, headers: file.headers, bytes: Buffer.from(await file.arrayBuffer()) };
}

describe('company name and contact details at intake', () => {
  it('keeps the company name of a requester whose domain matches no customer, and shows it to triage', async () => {
    const created = await request('POST', '/tickets', {
      body: {
        subject: 'Reports are empty since Monday',
        description: 'All reports show no rows.',
        severity: 'sev2',
        requester: { email: 'kim@newco.example', name: 'Kim Park', phone: '+49 30 1234567', company: 'NewCo Media GmbH', timeZone: 'Europe/Vienna' },
      },
    });
    expect(created.status).toBe(201);
    const shown = await request('GET', `/tickets/${created.body.id}`);
    expect(shown.body.requester).toEqual({ email: 'kim@newco.example', name: 'Kim Park', phone: '+49 30 1234567', company: 'NewCo Media GmbH', timeZone: 'Europe/Vienna' });
    expect(shown.body.entitlement.status).toBe('unverified');
    const triage = await request('GET', '/tickets?unverified=true&limit=100');
    expect(triage.body.items.find((ticket: any) => ticket.id === created.body.id)?.requester.company).toBe('NewCo Media GmbH');
  });

  it("a customer key's case keeps the company too, and takes the customer's time zone when the requester gives none", async () => {
    const created = await request('POST', '/tickets', {
      key: acmeKey,
      body: { subject: 'Export button missing', description: 'Gone.', severity: 'sev4', requester: { email: ERIK, name: 'Erik', company: 'ACME GmbH (Hamburg office)' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.ticket.requester).toEqual({ email: ERIK, name: 'Erik', company: 'ACME GmbH (Hamburg office)', timeZone: 'America/New_York' });
  });

  it('refuses an over-long company name or an unknown time zone, naming the field; writes nothing', async () => {
    const before = (await request('GET', '/tickets?unverified=true&limit=100')).body.items.length;
    const body = (requester: object) => ({ subject: 'x', description: 'y', severity: 'sev4', requester: { email: 'lee@nowhere.example', name: 'Lee', ...requester } });
    const long = await request('POST', '/tickets', { body: body({ company: 'C'.repeat(LIMITS.name + 1) }) });
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('requester.company');
    expect(long.body.message).toContain(`at most ${LIMITS.name} characters`);
    const zone = await request('POST', '/tickets', { body: body({ timeZone: 'Mars/Olympus_Mons' }) });
    expect(zone.status).toBe(400);
    expect(zone.body.field).toBe('requester.timeZone');
    const customerZone = await request('PUT', '/customers/initech', { body: { name: 'Initech', plan: 'premium', timeZone: 'Europe/Nowhere' } });
    expect(customerZone.status).toBe(400);
    expect(customerZone.body.field).toBe('timeZone');
    expect((await request('GET', '/tickets?unverified=true&limit=100')).body.items.length).toBe(before);
  });
});

describe('GET /policy/severities', () => {
  it('serves every severity with its definition and criteria; a customer key also gets its targets in words', async () => {
    const all = await request('GET', '/policy/severities');
    expect(all.status).toBe(200);
    expect(all.body.defaultSeverity).toBe('sev4');
    expect(all.body.severities.map((severity: any) => severity.id)).toEqual(['sev1', 'sev2', 'sev4']);
    expect(all.body.severities[0]).toEqual({
      id: 'sev1',
      name: 'Level 1 - Critical',
      definition: 'Critical production issue affecting all users.',
      criteria: [
        { area: 'Functions', items: ['Software errors that prevent the functionality of the product'] },
        { area: 'Data', items: ['Major discrepancies in the data', 'Data is unusable or corrupt'] },
        { area: 'Back End', items: ['Major discrepancies transported through interfaces from connected systems'] },
      ],
    });

    const own = await request('GET', '/policy/severities', { key: acmeKey });
    expect(own.status).toBe(200);
    expect(own.body.plan).toBe('premium');
    expect(own.body.severities[0].targets).toEqual({
      firstResponse: { within: '2h', calendar: 'business', text: 'within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time)' },
      nextResponse: { within: '4h', calendar: 'business', text: 'within 4 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time)' },
    });
    expect(own.body.severities[2].targets.firstResponse.text).toBe('within 2 business days (Mon–Fri 09:00–17:00, Europe/Berlin time)');
    // Staff ask for one customer's; a customer key cannot ask for another's.
    expect((await request('GET', '/policy/severities?customer=acme')).body.severities[0].targets.firstResponse.within).toBe('2h');
    expect((await request('GET', '/policy/severities?customer=globex', { key: acmeKey })).status).toBe(403);
    const unknown = await request('GET', '/policy/severities?customer=nobody');
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('customer');
  });

  it('reports an unknown query parameter under its own name, never "(body)"', async () => {
    for (const path of ['/policy/severities?verbose=1', '/tickets?colour=red', '/tickets/IN-000001/attachments/created/1?inline=1']) {
      const refused = await request('GET', path);
      expect(refused.status, path).toBe(400);
      expect(refused.body.field, path).toBe(new URL(path, 'http://x').searchParams.keys().next().value);
      expect(refused.body.message, path).not.toContain('(body)');
    }
    const post = await request('POST', '/tickets?dryRun=true', { body: { subject: 's', description: 'd', severity: 'sev4', requester: { email: 'a@b.example', name: 'A' } } });
    expect(post.status).toBe(400);
    expect(post.body.field).toBe('dryRun');
  });
});

describe('GET /policy/desk', () => {
  it("gives staff the tiers and each calendar's open hours around now (the console counts business time left from them); customers get a 403", async () => {
    const desk = await request('GET', '/policy/desk');
    expect(desk.status).toBe(200);
    expect(desk.body.tiers).toEqual([{ id: 'L1', name: 'Support Engineers', team: 'support', operatedBy: 'vendor', entryRequires: [] }]);
    expect(desk.body.severities.map((severity: { id: string }) => severity.id)).toEqual(['sev1', 'sev2', 'sev4']);
    expect(desk.body.severities[0]).toEqual({ id: 'sev1', name: 'Level 1 - Critical' });
    const [business] = desk.body.calendars;
    expect(business).toMatchObject({ id: 'business', name: 'Business hours', timeZone: 'Europe/Berlin', alwaysOpen: false });
    const from = Date.parse(business.from);
    const to = Date.parse(business.to);
    expect(from % 3_600_000).toBe(0);
    expect(to - from).toBe(28 * 24 * 3_600_000);
    expect(Date.now() - from).toBeGreaterThanOrEqual(7 * 24 * 3_600_000);
    // Four whole weeks of Mon–Fri 09:00–17:00 Berlin: 20 spans of 8 hours, each on a weekday's office hours (the window's ends may cut one short, and add a 21st).
    const spans = business.open.map((span: { from: string; to: string }) => ({
      start: DateTime.fromISO(span.from, { zone: 'Europe/Berlin' }),
      end: DateTime.fromISO(span.to, { zone: 'Europe/Berlin' }),
    }));
    expect(spans.length).toBeGreaterThanOrEqual(20);
    expect(spans.length).toBeLessThanOrEqual(21);
    for (const { start, end } of spans) {
      expect(start.weekday).toBeLessThanOrEqual(5);
      expect(start.hasSame(end, 'day')).toBe(true);
      expect(start.hour).toBeGreaterThanOrEqual(9);
      expect(end.toFormat('HH:mm') <= '17:00').toBe(true);
    }
    const whole = spans.filter(({ start, end }: { start: DateTime; end: DateTime }) => start.toFormat('HH:mm') === '09:00' && end.toFormat('HH:mm') === '17:00');
    expect(whole.length).toBeGreaterThanOrEqual(19);

    const customer = await request('GET', '/policy/desk', { key: acmeKey });
    expect(customer.status).toBe(403);
  });
});

describe('the acknowledgement', () => {
  it("states the chosen severity's criteria and the target in words, due in the customer's time zone and in UTC", async () => {
    const created = await request('POST', '/tickets', {
      key: acmeKey,
      body: { subject: 'Bookings lost overnight', description: "Yesterday's bookings are gone.", severity: 'Level 1 - Critical', requester: { email: DANA, name: 'Dana' } },
    });
    expect(created.status).toBe(201);
    const ticket = (await request('GET', `/tickets/${created.body.id}`)).body;
    const due = ticket.sla.firstResponse.due as string;
    const [ack] = await eventually(
      'the acknowledgement',
      async () => {
        const found = (await mailsTo(DANA, ticket.caseNumber)).filter((mail) => /We received/.test(mail.subject));
        return found.length ? found : undefined;
      },
      20_000,
    );
    const text = ack!.body.text!;
    expect(text).toContain('severity: Level 1 - Critical');
    expect(text).toContain('Level 1 - Critical: Critical production issue affecting all users.');
    expect(text).toContain('Functions:\n  - Software errors that prevent the functionality of the product');
    expect(text).toContain('Back End:\n  - Major discrepancies transported through interfaces from connected systems');
    expect(text).toContain('We will respond within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time), that is by ');
    // Computed here from the recorded due instant: the customer's zone (acme: America/New_York), then UTC.
    const local = DateTime.fromISO(due, { zone: 'America/New_York' });
    const utc = DateTime.fromISO(due, { zone: 'UTC' });
    expect(text).toContain(`${local.toFormat('ccc d LLL yyyy HH:mm')} America/New_York (`);
    expect(text).toContain(`${utc.toFormat(local.toISODate() === utc.toISODate() ? 'HH:mm' : 'ccc d LLL yyyy HH:mm')} UTC)`);
  });

  it("the resolution notice says when the case closes by itself, in the customer's time zone and in UTC", async () => {
    const created = await request('POST', '/tickets', { key: acmeKey, body: { subject: 'Totals off by one', description: 'Rounding.', severity: 'sev2', requester: { email: DANA, name: 'Dana' } } });
    expect(created.status).toBe(201);
    expect((await request('POST', `/tickets/${created.body.id}/actions`, { body: { type: 'resolve', resolutionType: 'fix', text: 'Rounding fixed.' } })).status).toBe(200);
    const ticket = (await request('GET', `/tickets/${created.body.id}`)).body;
    const [notice] = await eventually(
      'the resolution notice',
      async () => {
        const found = (await mailsTo(DANA, ticket.caseNumber)).filter((mail) => /Resolved/.test(mail.subject));
        return found.length ? found : undefined;
      },
      20_000,
    );
    // The policy's default: closed 7 calendar days after the resolution recorded on the ticket.
    const closes = DateTime.fromISO(ticket.resolution.at, { zone: 'UTC' }).plus({ days: 7 });
    const local = closes.setZone('America/New_York');
    const utcPart = closes.toFormat(local.toISODate() === closes.toISODate() ? 'HH:mm' : 'ccc d LLL yyyy HH:mm');
    expect(notice!.body.text).toContain(`Unless you reply before then, the case closes on ${local.toFormat('ccc d LLL yyyy HH:mm')} America/New_York (${utcPart} UTC), 7 days after it was resolved.`);
  });
});

describe('severity markers in mail', () => {
  it('"P1" from a designated user opens at severity 1, noted internally; from anyone else at the default, with the reason', async () => {
    await smtp.sendMail({ from: `Dana <${DANA}>`, to: DESK, subject: 'P1: invoicing is down', text: 'Nothing can be invoiced.' });
    await smtp.sendMail({ from: `Erik <${ERIK}>`, to: DESK, subject: 'P1 - login broken', text: 'I cannot log in.' });
    await smtp.sendMail({ from: 'Sam <sam@stranger.example>', to: DESK, subject: 'Question', text: 'Production down since 9:00!\nPlease help.' });

    const fromDana = await ticketWithSubject('P1: invoicing is down');
    expect(fromDana.severity).toBe('sev1');
    const danaNote = (await timeline(request, fromDana.id)).find((event) => event.data?.severityMarker);
    expect(danaNote).toMatchObject({ type: 'internal-note', public: false, data: { severityMarker: { severity: 'sev1', phrase: 'P1', where: 'subject', honoured: true } } });
    expect(danaNote.body).toContain(`honoured, as ${DANA} is one of the designated users`);

    const fromErik = await ticketWithSubject('P1 - login broken');
    expect(fromErik.severity).toBe('sev4');
    const erikNote = (await timeline(request, fromErik.id)).find((event) => event.data?.severityMarker);
    expect(erikNote).toMatchObject({ type: 'internal-note', public: false, data: { severityMarker: { severity: 'sev1', honoured: false } } });
    expect(erikNote.body).toContain('honoured only for designated users');
    expect(erikNote.body).toContain(`${ERIK} is not`);
    expect(erikNote.body).toContain('The default severity Level 4 - Medium applies');

    const fromSam = await ticketWithSubject('Question');
    expect(fromSam.severity).toBe('sev4');
    const samNote = (await timeline(request, fromSam.id)).find((event) => event.data?.severityMarker);
    expect(samNote.data.severityMarker).toMatchObject({ phrase: 'production down', where: 'text', honoured: false });
    expect(samNote.body).toContain('no customer matches requester sam@stranger.example');

    // The note is the desk's: the customer's own view of the ticket does not show it.
    const asCustomer = await request('GET', `/tickets/${fromErik.id}`, { key: acmeKey });
    expect(asCustomer.body.timeline.some((event: any) => event.data?.severityMarker)).toBe(false);
  });
});

describe('attachments', () => {
  const trace = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));

  it('the requester and staff download what was mailed; another customer, bad ids and internal records get 404', async () => {
    const subject = 'Crash on export, trace attached';
    await smtp.sendMail({ from: DANA, to: DESK, subject, text: 'See the trace.', attachments: [{ filename: 'trace ü.bin', content: trace, contentType: 'application/octet-stream' }] });
    const ticket = await ticketWithSubject(subject);
    const base = `/tickets/${ticket.id}/attachments`;

    for (const key of [runtime.adminKey, acmeKey]) {
      const got = await fetchAttachment(`${base}/created/1`, key);
      // The redirect is to the local S3 (one code path with AWS), short-lived and never cached.
      expect(`${got.location.protocol}//${got.location.host}`).toBe(runtime.s3Url);
      expect(got.location.searchParams.get('X-Amz-Expires')).toBe('300');
      expect(got.redirect.headers.get('cache-control')).toBe('private, no-store');
      expect(got.status).toBe(200);
      expect(got.bytes.equals(trace)).toBe(true);
      // S3 serves it as a download under the name as mailed, as the signed URL asks.
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename="trace _.bin"; filename*=UTF-8''trace%20%C3%BC.bin`);
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
    }
    // The created event's own id works as well as "created".
    expect((await fetchAttachment(`${base}/${encodeURIComponent(`${ticket.id}:created`)}/1`, acmeKey)).bytes.equals(trace)).toBe(true);

    // Another customer gets no URL: a 404, with nothing to follow.
    const foreign = await download(`${base}/created/1`, globexKey);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('location')).toBeNull();
    for (const bad of ['created/2', 'created/0', 'created/21', 'created/x', 'nope/1', `${'a'.repeat(300)}/1`, '..%2F..%2Finbound/1', 'created/1%00', '00000000-0000-0000-0000-000000000000/1']) {
      const refused = await download(`${base}/${bad}`, runtime.adminKey);
      expect(refused.status, bad).toBe(404);
      expect(refused.json().message, bad).toBeTruthy();
    }
    expect((await download(`/tickets/IN-999999/attachments/created/1`, runtime.adminKey)).status).toBe(404);

    // A reply with an attachment: a public customer message, downloadable by its event id.
    const reply = Buffer.from('second file');
    await smtp.sendMail({ from: DANA, to: DESK, subject: `Re: [${ticket.caseNumber}] ${subject}`, text: 'One more.', attachments: [{ filename: 'more.txt', content: reply }] });
    const message = await eventually('the reply', async () => (await timeline(request, ticket.id)).find((event) => event.type === 'customer-message'), 20_000);
    expect((await fetchAttachment(`${base}/${message.id}/1`, acmeKey)).bytes.equals(reply)).toBe(true);

    // An auto-reply with an attachment is an internal record: staff may read it, the customer may not.
    const bounce = Buffer.from('auto reply attachment');
    await smtp.sendMail({
      from: DANA,
      to: DESK,
      subject: `Automatic reply: [${ticket.caseNumber}]`,
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am away.',
      attachments: [{ filename: 'away.txt', content: bounce }],
    });
    const recorded = await eventually('the automated mail', async () => (await timeline(request, ticket.id)).find((event) => event.type === 'automated-mail'), 20_000);
    expect(recorded.public).toBe(false);
    expect((await fetchAttachment(`${base}/${recorded.id}/1`, runtime.adminKey)).bytes.equals(bounce)).toBe(true);
    const internal = await download(`${base}/${recorded.id}/1`, acmeKey);
    expect(internal.status).toBe(404);
    expect(internal.headers.get('location')).toBeNull();
  });
});
