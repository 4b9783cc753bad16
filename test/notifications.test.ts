/**
 * Notification rendering (core/notifications): the case number tag in every subject, HTML
 * escaping of user content, templates overridden by a policy, and recipients resolved from
 * roles to addresses, with a report of the roles that resolve to nobody.
 *
 * The policy is written below: tiers L1/L2 (teams frontline/engineering), a management chain
 * CSM → COO, and a notifications section with a directory for frontline, one agent and the CSM.
 * Tests follow Prepare / Act / Assess.
 */
import { describe, expect, it } from 'vitest';
import { notificationsForEvents } from '../core/notifications/events';
import { DEFAULT_FROM, NOTIFICATION_KINDS, type Notification, renderNotification } from '../core/notifications/render';
import { noticeMail, orderMails, startedMail, summaryMail, updateMail } from '../core/periods/mails';
import { type Agent, newOrder } from '../core/periods/orders';
import { loadPolicy, presetNames } from '../core/policy/files';
import { validatePolicy } from '../core/policy/load';
import type { Policy, PolicyInput } from '../core/policy/schema';
import type { Ticket, TimelineEvent } from '../core/tickets/model';
import { sampleTicket } from './support/sample-ticket';

const BASE: PolicyInput = {
  id: 'notify-test',
  name: 'Notification test policy',
  vendor: 'Test Vendor',
  caseNumberPrefix: 'TEST',
  defaultPlan: 'standard',
  severities: [{ id: '1', name: 'Critical' }],
  calendars: [{ id: 'always', timeZone: 'UTC', alwaysOpen: true }],
  plans: [{ id: 'standard', name: 'Standard', calendar: 'always', objectives: { '1': { firstResponse: { within: '30m' } } } }],
  tiers: [
    { id: 'L1', name: 'Level 1', team: 'frontline' },
    { id: 'L2', name: 'Level 2', team: 'engineering' },
  ],
  managementChain: [
    { id: 'csm', title: 'Customer Success Manager', respondWithin: { within: '4h', calendar: 'always' } },
    { id: 'coo', title: 'COO', respondWithin: { within: '8h', calendar: 'always' } },
  ],
  notifications: {
    from: 'support@vendor.example',
    replyTo: 'cases@vendor.example',
    teams: { frontline: { lead: 'lead@vendor.example', members: ['ann@vendor.example', 'Lead@Vendor.example'] } },
    agents: { ann: 'ann@vendor.example' },
    management: { csm: ['csm@vendor.example'] },
  },
};

function policyOf(input: PolicyInput): Policy {
  const result = validatePolicy(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const POLICY = policyOf(BASE);

const ticketOf = sampleTicket;

function notificationOf(kind: Notification['kind'], extra: Partial<Notification> = {}): Notification {
  return { kind, ticketId: 't-1', caseNumber: 'TEST-000123', recipients: ['requester'], ...extra };
}

describe('subjects', () => {
  it('carry the case number tag for every kind, so replies thread', () => {
    // Prepare
    const ticket = ticketOf();

    // Act
    const subjects = NOTIFICATION_KINDS.map((kind) => renderNotification(POLICY, ticket, notificationOf(kind)).subject);

    // Assess
    for (const subject of subjects) expect(subject).toContain('[TEST-000123]');
  });

  it('are one line, and drop case tags the customer typed so a reply cannot thread to another case', () => {
    // Prepare
    const ticket = ticketOf({ subject: 'Same as [TEST-000007]\r\nBcc: victim@example.com' });

    // Act
    const { subject } = renderNotification(POLICY, ticket, notificationOf('acknowledgement'));

    // Assess
    expect(subject).toBe('[TEST-000123] We received your request: Same as Bcc: victim@example.com');
  });
});

describe('HTML part', () => {
  it('escapes user content: a <script> subject and a reply with markup arrive as text', () => {
    // Prepare
    const ticket = ticketOf({ subject: '<script>alert("x")</script>' });
    const reply = notificationOf('agent-reply', { body: 'Try <b>Save & Close</b>.\n\nThen retry.' });

    // Act
    const mail = renderNotification(POLICY, ticket, reply);

    // Assess
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('<p>Try &lt;b&gt;Save &amp; Close&lt;/b&gt;.</p>');
    // The text part and the subject header are not HTML: they keep the characters as typed.
    expect(mail.text).toContain('Try <b>Save & Close</b>.');
    expect(mail.subject).toBe('Re: [TEST-000123] <script>alert("x")</script>');
  });
});

describe('templates', () => {
  it('are overridden per kind from the policy, with placeholders filled and the tag added when missing', () => {
    // Prepare
    const policy = policyOf({
      ...BASE,
      notifications: {
        ...BASE.notifications!,
        templates: {
          'sla-warning': { subject: '{{objective}} of {{caseNumber}} due {{due}}', text: '{{severity}} case at {{tier}}: {{subject}}' },
          acknowledgement: { subject: 'Thanks, {{requester}}' },
        },
      },
    });
    const ticket = ticketOf();
    const warning = notificationOf('sla-warning', { recipients: ['assignee'], objective: 'firstResponse', due: '2026-06-01T10:30:00.000Z' });

    // Act
    const warned = renderNotification(policy, ticket, warning);
    const acknowledged = renderNotification(policy, ticket, notificationOf('acknowledgement'));
    const resolved = renderNotification(policy, ticket, notificationOf('resolution'));

    // Assess
    expect(warned.subject).toBe('[TEST-000123] first response of TEST-000123 due 2026-06-01 10:30 UTC');
    expect(warned.text).toBe('Critical case at Level 1: Export fails\n');
    // Only the subject was overridden: the built-in text stays.
    expect(acknowledged.subject).toBe('[TEST-000123] Thanks, Pat');
    expect(acknowledged.text).toContain('Your case number is TEST-000123');
    // A kind the policy leaves alone keeps the built-in wording.
    expect(resolved.subject).toBe('[TEST-000123] Resolved: Export fails');
  });

  it('are validated when the policy loads: unknown placeholders, steps and addresses are errors', () => {
    // Prepare
    const input: PolicyInput = {
      ...BASE,
      notifications: {
        ...BASE.notifications!,
        from: 'not an address',
        management: { cfo: ['cfo@vendor.example'] },
        templates: { resolution: { text: 'Dear {{nmae}}' } },
      },
    };

    // Act
    const result = validatePolicy(input);

    // Assess
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'notifications.from', message: 'not an email address' },
        { path: 'notifications.templates.resolution.text', message: 'unknown placeholder {{nmae}}' },
        expect.objectContaining({ path: 'notifications.management.cfo', message: expect.stringContaining('unknown management chain step "cfo"') }),
      ]),
    );
  });

  it('leave every preset valid: the section is optional', () => {
    for (const name of presetNames()) expect(() => loadPolicy(name)).not.toThrow();
  });
});

describe('recipients', () => {
  it('resolve roles through the policy directory, once per address', () => {
    // Prepare
    const ticket = ticketOf();
    const notification = notificationOf('sla-breach', {
      recipients: ['requester', 'assignee', 'team-lead', 'team', 'management:csm', 'Pat@Customer.example', 'auditor@vendor.example'],
    });

    // Act
    const mail = renderNotification(POLICY, ticket, notification);

    // Assess
    expect(mail.to).toEqual(['pat@customer.example', 'ann@vendor.example', 'lead@vendor.example', 'csm@vendor.example', 'auditor@vendor.example']);
    expect(mail.skipped).toEqual([]);
    expect(mail.from).toBe('support@vendor.example');
    expect(mail.replyTo).toBe('cases@vendor.example');
  });

  it('that resolve to nobody are skipped and reported, and the others still get the mail', () => {
    // Prepare
    const ticket = ticketOf({ requester: { name: 'Pat' }, team: 'engineering', assignee: 'bob' });
    const notification = notificationOf('customer-escalation', {
      recipients: ['requester', 'assignee', 'team-lead', 'team', 'management:coo', 'management:csm', 'manager', 'pat@'],
      step: 'coo',
      due: '2026-06-01T18:00:00Z',
    });

    // Act
    const mail = renderNotification(POLICY, ticket, notification);

    // Assess
    expect(mail.to).toEqual(['csm@vendor.example']);
    expect(mail.skipped).toEqual([
      { recipient: 'requester', reason: 'the requester has no email address' },
      { recipient: 'assignee', reason: 'no address for assignee "bob" in notifications.agents' },
      { recipient: 'team-lead', reason: 'no lead address for team "engineering" in notifications.teams' },
      { recipient: 'team', reason: 'no member addresses for team "engineering" in notifications.teams' },
      { recipient: 'management:coo', reason: 'no addresses for management step "coo" in notifications.management' },
      { recipient: 'manager', reason: 'unknown recipient role "manager"' },
      { recipient: 'pat@', reason: 'the recipient\'s address "pat@" is not a valid email address' },
    ]);
    expect(mail.subject).toBe('[TEST-000123] Customer escalation: COO to respond by 2026-06-01 18:00 UTC');
  });

  it('take an assignee recorded as an address as is, and an unassigned case reports it', () => {
    // Prepare
    const byAddress = ticketOf({ assignee: 'Zoe@vendor.example' });
    const unassigned = ticketOf({ assignee: undefined });

    // Act
    const toZoe = renderNotification(POLICY, byAddress, notificationOf('sla-warning', { recipients: ['assignee'] }));
    const toNobody = renderNotification(POLICY, unassigned, notificationOf('sla-warning', { recipients: ['assignee'] }));

    // Assess
    expect(toZoe.to).toEqual(['Zoe@vendor.example']);
    expect(toNobody.to).toEqual([]);
    expect(toNobody.skipped).toEqual([{ recipient: 'assignee', reason: 'the case has no assignee' }]);
  });

  it('work without a notifications section: the requester and plain addresses only, from the default sender', () => {
    // Prepare
    const { notifications: _, ...withoutSection } = BASE;
    const policy = policyOf(withoutSection);

    // Act
    const mail = renderNotification(policy, ticketOf(), notificationOf('acknowledgement', { recipients: ['requester', 'team-lead'] }));

    // Assess
    expect(mail.from).toBe(DEFAULT_FROM);
    expect(mail.to).toEqual(['pat@customer.example']);
    expect(mail.skipped.map((skip) => skip.recipient)).toEqual(['team-lead']);
  });
});

it('refuses a notification rendered with another ticket (a caller bug, caught before sending)', () => {
  expect(() => renderNotification(POLICY, ticketOf({ id: 't-2' }), notificationOf('resolution'))).toThrow(/rendered with ticket/);
});

describe('notifications for timeline events', () => {
  const event = (type: TimelineEvent['type'], extra: Partial<TimelineEvent> = {}): TimelineEvent => ({
    id: `e-${type}`,
    ticketId: 't-1',
    at: '2026-06-01T10:00:00.000Z',
    type,
    actor: { kind: 'system', id: 'sla-clock' },
    public: false,
    ...extra,
  });

  it('send customer-facing events to the requester and clock events to whom their data names, naming the event instead of carrying its text', () => {
    // Prepare: events shaped as core/tickets/rules.ts and breaches.ts record them.
    const events = [
      event('created', { public: true }),
      event('internal-note', { body: 'looks like a config issue' }),
      event('agent-reply', { public: true, body: 'Please try again.' }),
      event('status-changed', { public: true, data: { from: 'open', to: 'pending-customer' } }),
      event('status-changed', { public: true, data: { from: 'pending-customer', to: 'resolved' } }),
      event('resolved', { public: true, body: 'Fixed in 2.1', data: { resolutionType: 'fix' } }),
      event('sla-warning', { data: { objective: 'firstResponse', due: '2026-06-01T10:30:00.000Z', notify: ['assignee', 'team-lead'] } }),
      event('sla-breached', { data: { objective: 'management', step: 'csm', due: '2026-06-01T14:00:00.000Z', notify: ['assignee', 'team-lead'] } }),
      event('escalated', { public: true, body: 'Level 1 target passed', data: { from: 'L1', to: 'L2' } }),
      event('escalation-blocked', { body: 'needs steps to reproduce', data: { notify: ['team'] } }),
      event('customer-escalation', { data: { step: 'coo', due: '2026-06-01T22:00:00.000Z', notify: ['management:coo'], from: 'csm' } }),
      // The customer's own request (public): the management step is told, and the requester too.
      event('customer-escalation', {
        id: 'e-asked',
        public: true,
        actor: { kind: 'customer', id: 'ana@example.com' },
        body: 'No answer in two days',
        data: { step: 'csm', due: '2026-06-01T14:00:00.000Z', notify: ['management:csm'] },
      }),
    ];

    // Act
    const notifications = notificationsForEvents(ticketOf(), events);

    // Assess
    const base = { ticketId: 't-1', caseNumber: 'TEST-000123' };
    expect(notifications.map((notification) => notification.eventId)).toEqual([
      ...['created', 'agent-reply', 'status-changed', 'resolved', 'sla-warning', 'sla-breached', 'escalated', 'escalation-blocked', 'customer-escalation'].map((type) => `e-${type}`),
      'e-asked',
      'e-asked',
    ]);
    // The text (a reply can be 100,000 characters) is read from the event by the sender, by this key.
    expect(notifications.every((notification) => notification.eventAt === '2026-06-01T10:00:00.000Z')).toBe(true);
    expect(notifications.map(({ eventId: _, eventAt: __, ...rest }) => rest)).toEqual([
      { ...base, kind: 'acknowledgement', recipients: ['requester'] },
      { ...base, kind: 'agent-reply', recipients: ['requester'] },
      { ...base, kind: 'status-update', recipients: ['requester'] },
      { ...base, kind: 'resolution', recipients: ['requester'] },
      { ...base, kind: 'sla-warning', recipients: ['assignee', 'team-lead'], objective: 'firstResponse', due: '2026-06-01T10:30:00.000Z' },
      { ...base, kind: 'sla-breach', recipients: ['assignee', 'team-lead'], objective: 'management', step: 'csm', due: '2026-06-01T14:00:00.000Z' },
      { ...base, kind: 'escalation', recipients: ['team', 'team-lead'] },
      { ...base, kind: 'escalation-blocked', recipients: ['team'] },
      { ...base, kind: 'customer-escalation', recipients: ['management:coo'], step: 'coo', due: '2026-06-01T22:00:00.000Z' },
      { ...base, kind: 'customer-escalation', recipients: ['management:csm'], step: 'csm', due: '2026-06-01T14:00:00.000Z' },
      { ...base, kind: 'customer-escalation-received', recipients: ['requester'], step: 'csm' },
    ]);
    // A status change the customer made themselves is not mailed back to them.
    const ownClose = event('status-changed', { public: true, actor: { kind: 'customer', id: 'ana@example.com' }, data: { from: 'resolved', to: 'closed' } });
    expect(notificationsForEvents(ticketOf(), [ownClose])).toEqual([]);
    // Every one renders with the case tag.
    for (const notification of notifications) expect(renderNotification(POLICY, ticketOf(), notification).subject).toContain('[TEST-000123]');
  });
});

describe('what mail to a customer promises (issue [9])', () => {
  const advendio = loadPolicy('advendio');
  // Premium, severity 1: "2h" on the business-hours calendar (Europe/Berlin, 09:00–17:00).
  const promised = (overrides: Partial<Ticket> = {}) =>
    ticketOf({
      severity: 'sev1',
      sla: { plan: 'premium', addOns: [], pauses: [], firstResponse: { within: '2h', calendar: 'business-hours', startedAt: '2026-06-01T07:30:00.000Z', due: '2026-06-01T09:30:00.000Z' } },
      ...overrides,
    });

  it("the acknowledgement gives the severity's criteria and the target in words, due in the requester's zone and UTC", () => {
    // Prepare
    const ticket = promised({ requester: { email: 'pat@customer.example', name: 'Pat', timeZone: 'America/New_York' } });

    // Act
    const { text } = renderNotification(advendio, ticket, notificationOf('acknowledgement'));

    // Assess
    expect(text).toContain('Level 1 - Critical: Critical production issue affecting all users');
    expect(text).toContain('Functions:\n  - Software errors that prevents the functionality of ADvendio');
    expect(text).toContain('Data:\n  - Major discrepancies in the data within ADvendio\n  - Data is unusable, corrupt or no longer available');
    expect(text).toContain('Back End:\n  - Major discrepancies in data or functions within ADvendio');
    expect(text).toContain(
      'We will respond within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays), ' + 'that is by Mon 1 Jun 2026 05:30 America/New_York (09:30 UTC).',
    );
  });

  it("without a zone of the requester, times are in the plan calendar's zone; a UTC date that differs is written out", () => {
    // Prepare
    const berlin = promised();
    const lateInNewYork = promised({
      requester: { email: 'pat@customer.example', timeZone: 'America/New_York' },
      sla: { plan: 'premium', addOns: [], pauses: [], firstResponse: { within: '2h', calendar: 'business-hours', startedAt: '2026-06-01T14:00:00.000Z', due: '2026-06-02T02:00:00.000Z' } },
    });

    // Act
    const inBerlin = renderNotification(advendio, berlin, notificationOf('acknowledgement')).text;
    const inNewYork = renderNotification(advendio, lateInNewYork, notificationOf('acknowledgement')).text;

    // Assess
    expect(inBerlin).toContain('that is by Mon 1 Jun 2026 11:30 Europe/Berlin (09:30 UTC).');
    expect(inNewYork).toContain('that is by Mon 1 Jun 2026 22:00 America/New_York (Tue 2 Jun 2026 02:00 UTC).');
  });

  it('says "as soon as possible" when the plan sets no target, and gives no instant once the first response is met', () => {
    // Prepare
    const noTarget = ticketOf({ severity: '1', sla: { plan: 'standard', addOns: [], pauses: [] } });
    const answered = promised({
      sla: {
        plan: 'premium',
        addOns: [],
        pauses: [],
        firstResponse: { within: '2h', calendar: 'business-hours', startedAt: '2026-06-01T07:30:00.000Z', due: '2026-06-01T09:30:00.000Z', metAt: '2026-06-01T08:00:00.000Z' },
      },
    });

    // Act
    const none = renderNotification(POLICY, noTarget, notificationOf('acknowledgement')).text;
    const met = renderNotification(advendio, answered, notificationOf('acknowledgement')).text;

    // Assess
    expect(none).toContain('We will respond as soon as possible.');
    expect(met).toContain('We will respond within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays).');
  });

  it("an agent reply states the next update owed — the regular status report, or a response to the customer's follow-up if sooner — in the requester's zone and UTC", () => {
    // Prepare: Premium sev1 owes a status report every 4 business hours after the agent's answer.
    const reported = promised({
      requester: { email: 'pat@customer.example', timeZone: 'America/New_York' },
      status: 'open',
      sla: {
        plan: 'premium',
        addOns: [],
        pauses: [],
        firstResponse: { within: '2h', calendar: 'business-hours', startedAt: '2026-06-01T07:30:00.000Z', due: '2026-06-01T09:30:00.000Z', metAt: '2026-06-01T08:00:00.000Z' },
        statusUpdate: { within: '4h', calendar: 'business-hours', startedAt: '2026-06-01T08:00:00.000Z', due: '2026-06-01T12:00:00.000Z' },
      },
    });
    const followedUp = promised({
      status: 'open',
      sla: {
        ...reported.sla,
        nextResponse: { within: '2h', calendar: 'business-hours', startedAt: '2026-06-01T09:00:00.000Z', due: '2026-06-01T11:00:00.000Z' },
      },
    });

    // Act
    const reply = renderNotification(advendio, reported, notificationOf('agent-reply', { body: 'We are looking at the logs.' })).text;
    const sooner = renderNotification(advendio, followedUp, notificationOf('agent-reply', { body: 'More soon.' })).text;

    // Assess
    expect(reply).toContain(
      'We are looking at the logs.\n\nWe will send you our next update within 4 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays), ' +
        'that is by Mon 1 Jun 2026 08:00 America/New_York (12:00 UTC).\n\n--',
    );
    expect(sooner).toContain('We will respond within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays), that is by Mon 1 Jun 2026 13:00 Europe/Berlin (11:00 UTC).');
  });

  it('a case waiting on the customer says its clocks are paused; a resolved one says when it closes by itself; nothing is promised with a time already past', () => {
    // Prepare
    const waiting = promised({
      status: 'pending-customer',
      sla: {
        plan: 'premium',
        addOns: [],
        pauses: [{ from: '2026-06-01T08:00:00.000Z' }],
        statusUpdate: { within: '4h', calendar: 'business-hours', startedAt: '2026-06-01T08:00:00.000Z', due: null },
      },
    });
    const resolved = promised({
      requester: { email: 'pat@customer.example', timeZone: 'Asia/Tokyo' },
      status: 'resolved',
      resolution: { type: 'fix', text: 'Patched.', at: '2026-06-01T20:00:00.000Z' },
    });
    const missed = promised({
      status: 'open',
      sla: {
        plan: 'premium',
        addOns: [],
        pauses: [],
        statusUpdate: { within: '4h', calendar: 'business-hours', startedAt: '2026-06-01T08:00:00.000Z', due: '2026-06-01T12:00:00.000Z', breachedAt: '2026-06-01T12:00:00.000Z' },
      },
    });

    // Act
    const paused = renderNotification(advendio, waiting, notificationOf('status-update')).text;
    const closing = renderNotification(advendio, resolved, notificationOf('resolution')).text;
    const late = renderNotification(advendio, missed, notificationOf('agent-reply', { body: 'Sorry for the wait.' })).text;
    const noAutoClose = renderNotification(
      policyOf({ ...BASE, sla: { autoCloseResolvedAfterDays: 0 } }),
      { ...resolved, severity: '1', sla: { plan: 'standard', addOns: [], pauses: [] } },
      notificationOf('resolution'),
    ).text;

    // Assess
    expect(paused).toContain('is now pending-customer.');
    expect(paused).toContain('While the case waits on your answer our response times are paused; they run again when you reply.');
    // 7 calendar days after 20:00 UTC on 1 June: 05:00 on 9 June in Tokyo.
    expect(closing).toContain('Unless you reply before then, the case closes on Tue 9 Jun 2026 05:00 Asia/Tokyo (Mon 8 Jun 2026 20:00 UTC), 7 days after it was resolved.');
    expect(late).toBe('Sorry for the wait.\n\n--\nCase TEST-000123 · status: open\nTo add to this case, reply to this email and keep [TEST-000123] in the subject.\n');
    expect(noAutoClose).not.toContain('closes on');
    expect(noAutoClose.trim().endsWith('Keep [TEST-000123] in the subject.')).toBe(true);
  });

  it('a customer who escalates is told who answers now and by when, in their zone and UTC', () => {
    // Prepare: ADvendio's chain starts with the Customer Success Manager.
    const csm = advendio.managementChain[0]!;
    const escalated = promised({
      requester: { email: 'pat@customer.example', name: 'Pat', timeZone: 'Australia/Sydney' },
      sla: {
        plan: 'premium',
        addOns: [],
        pauses: [],
        management: { step: 0, stepId: csm.id, reason: 'No answer in two days', startedAt: '2026-06-01T08:00:00.000Z', within: '4h', calendar: 'business-hours', due: '2026-06-01T12:00:00.000Z' },
      },
    });

    // Act
    const mail = renderNotification(advendio, escalated, notificationOf('customer-escalation-received', { step: csm.id, body: 'No answer in two days' }));

    // Assess
    expect(mail.to).toEqual(['pat@customer.example']);
    expect(mail.subject).toBe(`[TEST-000123] Your escalation is with our ${csm.title}: ${escalated.subject}`);
    expect(mail.text).toContain(
      `we have passed your escalation of case TEST-000123 to our ${csm.title}, who will respond within 4 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time, not on public holidays), ` +
        'that is by Mon 1 Jun 2026 22:00 Australia/Sydney (12:00 UTC).',
    );
    expect(mail.text).toContain('Your reason: No answer in two days');
  });

  it('a policy template may use {{target}}, {{respondBy}} and {{severityCriteria}}; a 24-hour weekday calendar reads as such', () => {
    // Prepare
    const policy = policyOf({
      ...BASE,
      calendars: [
        ...BASE.calendars,
        {
          id: 'weekdays',
          timeZone: 'America/New_York',
          hours: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']] },
        },
      ],
      plans: [{ id: 'standard', name: 'Standard', calendar: 'weekdays', objectives: { '1': { firstResponse: { within: '30m' } } } }],
      notifications: { ...BASE.notifications!, templates: { acknowledgement: { text: 'Target: {{target}}\nBy: {{respondBy}}\n{{severityCriteria}}' } } },
    });
    const ticket = ticketOf({
      sla: { plan: 'standard', addOns: [], pauses: [], firstResponse: { within: '30m', calendar: 'weekdays', startedAt: '2026-06-01T14:00:00.000Z', due: '2026-06-01T14:30:00.000Z' } },
    });

    // Act
    const { text } = renderNotification(policy, ticket, notificationOf('acknowledgement'));

    // Assess
    expect(text).toBe(
      'Target: within 30 business minutes (Mon–Fri, 24 hours a day, America/New_York time), that is by Mon 1 Jun 2026 10:30 America/New_York (14:30 UTC)\n' +
        'By: Mon 1 Jun 2026 10:30 America/New_York (14:30 UTC)\nCritical\n',
    );
  });
});

describe("mail to a support period's point of contact (issue [9])", () => {
  const cadmium = loadPolicy('cadmium');
  const order = newOrder(
    cadmium,
    'SO-000007',
    'acme',
    { purpose: 'attendee-support', periods: [{ start: '2026-12-01T14:00:00Z', hours: 4 }], pointOfContact: { name: 'Pat Poc', email: 'pat@customer.example' } },
    Date.parse('2026-11-01T09:00:00Z'),
  );
  const period = { ...order.periods[0]!, engineerId: 'ana' };
  const ana: Agent = { id: 'ana', name: 'Ana', email: 'ana@vendor.example', skills: [], availability: [] };
  const inChicago = 'Tue 1 Dec 2026 08:00 America/Chicago (14:00 UTC) – Tue 1 Dec 2026 12:00 America/Chicago (18:00 UTC) (4 hours)';

  it("shows every instant in the contact's zone and UTC: the notice, the start, updates, the summary, the order's acceptance", () => {
    // Act
    const zone = 'America/Chicago';
    const notice = noticeMail(cadmium, order, period, ana, zone);
    const started = startedMail(cadmium, order, period, ana, zone);
    const update = updateMail(cadmium, order, period, [], Date.parse('2026-12-01T16:00:00Z'), zone);
    const summary = summaryMail(cadmium, order, period, [], zone);
    const [accepted] = orderMails(cadmium, order, 'order-accepted', {}, zone);

    // Assess
    expect(notice.subject).toBe('[SO-000007] Your dedicated support engineer for Tue 1 Dec 2026 08:00 America/Chicago (14:00 UTC) is confirmed');
    expect(notice.text).toContain(`your dedicated support period ${inChicago} is confirmed.`);
    expect(started.text).toContain('runs until Tue 1 Dec 2026 12:00 America/Chicago (18:00 UTC).');
    expect(update.text).toContain('(until Tue 1 Dec 2026 12:00 America/Chicago (18:00 UTC)), as of Tue 1 Dec 2026 10:00 America/Chicago (16:00 UTC):');
    expect(summary.text).toContain(`your dedicated support period ${inChicago} has ended.`);
    expect(accepted!.text).toContain(`  - ${inChicago}`);
  });

  it('staff mail (a new order) and a caller that gives no zone keep UTC', () => {
    const policy = { ...cadmium, supportPeriods: { ...cadmium.supportPeriods!, ordersTeam: 'orders' } };
    const [placed] = orderMails(
      policy,
      order,
      'order-placed',
      { directory: { people: [{ id: 'olga', name: 'Olga', email: 'olga@vendor.example', roles: ['agent'] }], teams: [{ id: 'orders', name: 'Orders', members: ['olga'], tiers: [] }] } as never },
      'America/Chicago',
    );
    expect(placed!.text).toContain('  - 2026-12-01 14:00 UTC – 2026-12-01 18:00 UTC (4 hours)');
    expect(noticeMail(cadmium, order, period, ana).subject).toBe('[SO-000007] Your dedicated support engineer for 2026-12-01 14:00 UTC is confirmed');
  });
});
