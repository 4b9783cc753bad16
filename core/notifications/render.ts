/**
 * Turns a notification (what happened, to whom, by role) into a mail: addresses from the
 * policy's directory, a subject tagged with the case number, a plain-text part and an HTML part.
 *
 * Pure: the sender (functions/notifications/send.ts) does the I/O. A role that resolves to
 * nobody is reported in `skipped`, never thrown: a missing team lead must not stop the
 * requester's mail, nor a workflow step halfway through its sends.
 */
import type { NotificationsSpec, Policy } from '../policy/schema';
import { EMAIL_ADDRESS } from '../policy/vocabulary';
import { instantWords, readerTimeZone, severityCriteriaText, targetWords } from '../sla/target-words';
import {
  type AccountTeam,
  chainStepRole,
  EMPTY_DIRECTORY,
  isStaffRole,
  type Person,
  peopleForRole,
  personById,
  STAFF_ROLES,
  type StaffDirectory,
  teamById,
  teamFor,
  teamLead,
  teamPeople,
} from '../staff/directory';
import type { Objective, Ticket } from '../tickets/model';
import { DEFAULT_TEMPLATES, fillTemplate, type NotificationKind, type TemplatePlaceholder } from './templates';

export { NOTIFICATION_KINDS, type NotificationKind } from './templates';

/**
 * Who a notification is for, resolved against the ticket, the staff directory (core/staff) and,
 * where the directory has nobody, policy.notifications. `team:<id>`: a team by id (lead and
 * members; an id that is a role, such as "project-manager", also finds the people with that
 * role); `role:<role>`: the people with a role (tam and csm: the customer's own first);
 * `person:<id>`: one person; `period-contact`: the point of contact of the ticket's support period.
 */
export type Role = 'requester' | 'assignee' | 'team-lead' | 'team' | 'period-contact' | `management:${string}` | `team:${string}` | `role:${string}` | `person:${string}`;
/** A role, or an email address as is. (`string & {}` keeps editors suggesting the roles.) */
export type Recipient = Role | (string & {});

export interface Notification {
  kind: NotificationKind;
  ticketId: string;
  caseNumber: string;
  recipients: Recipient[];
  /** What the mail carries: the agent's reply, the escalation reason, a status note. User content. */
  body?: string;
  /** ISO instant the objective or management step is (was) due. */
  due?: string;
  /** The objective a warning or breach is about, as the ticket names it ("firstResponse", "management"…). */
  objective?: string;
  /** The management chain step id that must answer (customer escalations). */
  step?: string;
  /**
   * The tier a breach is about, when it may no longer be the ticket's: a missed resolution target
   * moves the case up in the same write, yet its notice goes to the team of the tier that missed
   * it (its lead) and names that tier and team; the escalation notice tells the new one.
   */
  tier?: string;
  /** The timeline event it is about, so the sender's record can point back to it. */
  eventId?: string;
  /**
   * The event's instant: with eventId, the event's key. A reply or resolution text can be long
   * (100,000 characters), so it does not travel with the notification through the outbox and the
   * state machine; the sender reads it from the event (`body` is filled just before rendering).
   */
  eventAt?: string;
}

export interface SkippedRecipient {
  recipient: string;
  reason: string;
}

export interface RenderedNotification {
  kind: NotificationKind;
  ticketId: string;
  caseNumber: string;
  eventId?: string;
  from: string;
  replyTo?: string;
  /** Unique addresses, in the order the recipients were given. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Recipients that resolved to no address, and why. */
  skipped: SkippedRecipient[];
}

/** Used when a policy has no `notifications` section: enough to try tierdesk locally. */
export const DEFAULT_FROM = 'support@tierdesk.localhost';

export function notificationSettings(policy: Policy): NotificationsSpec {
  return policy.notifications ?? { from: DEFAULT_FROM, teams: {}, agents: {}, management: {}, templates: {} };
}

/** What recipients resolve through besides the policy: a snapshot the caller loaded (the sender caches it briefly). */
export interface RecipientContext {
  /** The staff directory; absent, the policy's notifications section alone. */
  directory?: StaffDirectory;
  /** The account team of the ticket's customer: `role:tam` / `role:csm` (and a CSM chain step) reach them first. */
  accountTeam?: AccountTeam;
}

export function renderNotification(policy: Policy, ticket: Ticket, notification: Notification, context: RecipientContext = {}): RenderedNotification {
  // A mismatch is a bug in the caller, found before anything is sent.
  if (notification.ticketId !== ticket.id || notification.caseNumber !== ticket.caseNumber) {
    throw new Error(`notification for ${notification.caseNumber} (${notification.ticketId}) rendered with ticket ${ticket.caseNumber} (${ticket.id})`);
  }
  const settings = notificationSettings(policy);
  const { to, skipped } = resolveForScope(policy, scopeOf(ticket, policy, notification.tier), notification.recipients, context);
  const override = settings.templates[notification.kind];
  const template = { ...DEFAULT_TEMPLATES[notification.kind], ...override };
  const values = placeholderValues(policy, ticket, notification);
  const subject = caseSubject(fillTemplate(template.subject, values), ticket.caseNumber);
  // A field left empty (no reply body, say) must not leave a gap of blank lines.
  const text = `${fillTemplate(template.text, values)
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
  return {
    kind: notification.kind,
    ticketId: ticket.id,
    caseNumber: ticket.caseNumber,
    ...(notification.eventId ? { eventId: notification.eventId } : {}),
    from: settings.from,
    ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
    to,
    subject,
    text,
    html: htmlFromText(text, subject),
    skipped,
  };
}

export function resolveRecipients(policy: Policy, ticket: Ticket, recipients: readonly Recipient[], context: RecipientContext = {}): { to: string[]; skipped: SkippedRecipient[] } {
  return resolveForScope(policy, scopeOf(ticket), recipients, context);
}

/** What of a ticket its recipients depend on; `tierdesk policy check` asks the same questions of each tier (core/staff/coverage.ts). */
export interface RecipientScope {
  team: string;
  tier?: string;
  requesterEmail?: string;
  assignee?: string;
  periodContact?: string;
}

/** The ticket's scope; at `tier` (another tier the notification is about) with that tier's team. */
function scopeOf(ticket: Ticket, policy?: Policy, tier?: string): RecipientScope {
  const about = tier && tier !== ticket.tier ? policy?.tiers.find((candidate) => candidate.id === tier) : undefined;
  return {
    team: about?.team ?? ticket.team,
    tier: about?.id ?? ticket.tier,
    ...(ticket.requester.email ? { requesterEmail: ticket.requester.email } : {}),
    ...(ticket.assignee ? { assignee: ticket.assignee } : {}),
    ...(ticket.dedicated?.contact ? { periodContact: ticket.dedicated.contact } : {}),
  };
}

export function resolveForScope(policy: Policy, scope: RecipientScope, recipients: readonly Recipient[], context: RecipientContext = {}): { to: string[]; skipped: SkippedRecipient[] } {
  const to: string[] = [];
  const seen = new Set<string>();
  const skipped: SkippedRecipient[] = [];
  for (const recipient of recipients) {
    const found = lookUp(policy, scope, recipient, context);
    if (typeof found === 'string') {
      skipped.push({ recipient, reason: found });
      continue;
    }
    for (const address of found) {
      // Mail systems compare addresses case-insensitively; one person gets one mail.
      const key = address.toLowerCase();
      if (!seen.has(key)) to.push(address);
      seen.add(key);
    }
  }
  return { to, skipped };
}

/**
 * The addresses a recipient stands for, or why there are none. The staff directory answers
 * first; where it has nobody, the policy's notifications section (teams, agents, management)
 * still does, so policies written before the directory keep working.
 */
function lookUp(policy: Policy, scope: RecipientScope, recipient: Recipient, context: RecipientContext): string[] | string {
  const settings = notificationSettings(policy);
  const directory = context.directory ?? EMPTY_DIRECTORY;
  // Without a directory the reason names the policy's section alone, as it did before there was one.
  const nobody = (inDirectory: string, inPolicy: string) => (context.directory ? `${inDirectory} and ${inPolicy}` : inPolicy);
  const team = settings.teams[scope.team];
  switch (recipient) {
    case 'requester':
      return scope.requesterEmail ? checked(scope.requesterEmail, 'the requester') : 'the requester has no email address';
    case 'assignee': {
      if (!scope.assignee) return 'the case has no assignee';
      if (scope.assignee.includes('@')) return checked(scope.assignee, 'the assignee');
      const person = personById(directory, scope.assignee);
      if (person) return [person.email];
      const address = settings.agents[scope.assignee];
      return address ? [address] : nobody(`no person "${scope.assignee}" in the staff directory`, `no address for assignee "${scope.assignee}" in notifications.agents`);
    }
    case 'team-lead': {
      const lead = teamLead(directory, teamFor(directory, scope));
      if (lead) return [lead.email];
      return team?.lead ? [team.lead] : nobody(`no lead for team "${scope.team}" in the staff directory`, `no lead address for team "${scope.team}" in notifications.teams`);
    }
    case 'team': {
      const people = teamPeople(directory, teamFor(directory, scope));
      if (people.length) return addresses(people);
      return team?.members.length ? team.members : nobody(`nobody in team "${scope.team}" in the staff directory`, `no member addresses for team "${scope.team}" in notifications.teams`);
    }
    case 'period-contact':
      return scope.periodContact ? checked(scope.periodContact, "the period's point of contact") : 'the ticket has no support period point of contact';
  }
  if (recipient.startsWith('team:')) {
    const id = recipient.slice('team:'.length);
    const people = teamPeople(directory, teamById(directory, id));
    if (people.length) return addresses(people);
    // A policy may name a role where it names a team (supportPeriods.escalation.configurationIssue: project-manager).
    const withRole = isStaffRole(id) ? peopleForRole(directory, id, context.accountTeam) : [];
    if (withRole.length) return addresses(withRole);
    const named = settings.teams[id];
    const listed = [...(named?.lead ? [named.lead] : []), ...(named?.members ?? [])];
    if (listed.length) return listed;
    return nobody(`nobody in team "${id}"${isStaffRole(id) ? ` or with role "${id}"` : ''} in the staff directory`, `no addresses for team "${id}" in notifications.teams`);
  }
  if (recipient.startsWith('management:')) {
    const stepId = recipient.slice('management:'.length);
    const step = policy.managementChain.find((candidate) => candidate.id === stepId);
    const role = step ? chainStepRole(step) : undefined;
    const people = role ? peopleForRole(directory, role, context.accountTeam) : [];
    if (people.length) return addresses(people);
    const listed = settings.management[stepId];
    if (listed?.length) return listed;
    const who = role ? `nobody with role "${role}" in the staff directory` : `management step "${stepId}" names no staff role`;
    return nobody(who, `no addresses for management step "${stepId}" in notifications.management`);
  }
  if (recipient.startsWith('role:')) {
    const role = recipient.slice('role:'.length);
    if (!isStaffRole(role)) return `unknown staff role "${role}" (roles: ${STAFF_ROLES.join(', ')})`;
    const people = peopleForRole(directory, role, context.accountTeam);
    return people.length ? addresses(people) : `nobody with role "${role}" in the staff directory`;
  }
  if (recipient.startsWith('person:')) {
    const id = recipient.slice('person:'.length);
    const person = personById(directory, id);
    return person ? [person.email] : `no person "${id}" in the staff directory`;
  }
  if (recipient.includes('@')) return checked(recipient, 'the recipient');
  return `unknown recipient role "${recipient}"`;
}

function addresses(people: readonly Person[]): string[] {
  return people.map((person) => person.email);
}

function checked(address: string, who: string): string[] | string {
  return EMAIL_ADDRESS.test(address) ? [address] : `${who}'s address "${address}" is not a valid email address`;
}

const OBJECTIVE_NAMES: Record<string, string> = {
  firstResponse: 'first response',
  nextResponse: 'next response',
  resolution: 'resolution',
  statusUpdate: 'status update',
  management: 'management response',
};

function placeholderValues(policy: Policy, ticket: Ticket, notification: Notification): Record<TemplatePlaceholder, string> {
  const step = policy.managementChain.find((candidate) => candidate.id === notification.step);
  const scope = scopeOf(ticket, policy, notification.tier);
  return {
    caseNumber: ticket.caseNumber,
    subject: withoutCaseTags(ticket.subject),
    status: ticket.status,
    severity: policy.severities.find((severity) => severity.id === ticket.severity)?.name ?? ticket.severity,
    tier: policy.tiers.find((tier) => tier.id === scope.tier)?.name ?? scope.tier ?? ticket.tier,
    team: scope.team,
    requester: ticket.requester.name ?? 'there',
    assignee: ticket.assignee ?? 'unassigned',
    due: notification.due ? formatInstant(notification.due) : '',
    objective: notification.objective ? (OBJECTIVE_NAMES[notification.objective] ?? notification.objective) : '',
    step: step?.title ?? notification.step ?? '',
    body: notification.body ?? '',
    resolution: ticket.resolution ? `Resolution (${ticket.resolution.type}): ${ticket.resolution.text}` : '',
    ...customerFacingValues(policy, ticket),
  };
}

/**
 * What a customer is promised, in words and with every instant in their zone and UTC
 * (core/sla/target-words.ts): the first-response target, the next update owed, when a resolved
 * case closes by itself.
 */
function customerFacingValues(
  policy: Policy,
  ticket: Ticket,
): Pick<Record<TemplatePlaceholder, string>, 'target' | 'respondBy' | 'severityCriteria' | 'nextUpdate' | 'autoClose' | 'escalationTarget'> {
  const severity = policy.severities.find((candidate) => candidate.id === ticket.severity);
  const zone = readerTimeZone(policy, ticket.requester.timeZone, ticket.sla.plan);
  const first = ticket.sla.firstResponse;
  const running = first && isRunning(first) ? first.due! : undefined;
  const respondBy = running ? instantWords(running, zone) : '';
  return {
    target: first?.within ? `${targetWords(policy, first.within, first.calendar)}${respondBy ? `, that is by ${respondBy}` : ''}` : 'as soon as possible',
    respondBy,
    severityCriteria: severity ? severityCriteriaText(severity) : ticket.severity,
    nextUpdate: nextUpdateSentence(policy, ticket, zone),
    autoClose: autoCloseSentence(policy, ticket, zone),
    escalationTarget: escalationTargetWords(policy, ticket, zone),
  };
}

const isRunning = (objective: Objective) => Boolean(objective.due) && !objective.metAt && !objective.stoppedAt;

/**
 * The next public answer the customer is owed, the earliest of the response objectives still
 * counting: "We will respond within 4 business hours (…), that is by …" (a first or next
 * response) or "We will send you our next update within 1 business day (…), that is by …" (the
 * regular status report). While the case waits on the customer the clocks stop, and it says so.
 * Empty when nothing is owed (resolved, closed, or a plan with no such target).
 */
function nextUpdateSentence(policy: Policy, ticket: Ticket, zone: string): string {
  if (ticket.status === 'resolved' || ticket.status === 'closed') return '';
  const owed = (['firstResponse', 'nextResponse', 'statusUpdate'] as const)
    .flatMap((key) => {
      const objective = ticket.sla[key];
      // A missed one is not promised again with a time already past.
      return objective?.within && isRunning(objective) && !objective.breachedAt ? [{ key, objective }] : [];
    })
    .sort((a, b) => Date.parse(a.objective.due!) - Date.parse(b.objective.due!))[0];
  if (!owed) {
    const paused = ticket.status === 'pending-customer' && policy.sla.pauseWhilePendingCustomer;
    return paused ? 'While the case waits on your answer our response times are paused; they run again when you reply.' : '';
  }
  const { key, objective } = owed;
  const when = `${targetWords(policy, objective.within!, objective.calendar)}, that is by ${instantWords(objective.due!, zone)}`;
  return key === 'statusUpdate' ? `We will send you our next update ${when}.` : `We will respond ${when}.`;
}

/** The current management step's target and due instant (a customer escalation's own timer). */
function escalationTargetWords(policy: Policy, ticket: Ticket, zone: string): string {
  const management = ticket.sla.management;
  if (!management) return 'as soon as possible';
  return `${targetWords(policy, management.within, management.calendar)}, that is by ${instantWords(management.due, zone)}`;
}

/** When a resolved case closes unless the customer replies (policy sla.autoCloseResolvedAfterDays, calendar days); empty otherwise. */
function autoCloseSentence(policy: Policy, ticket: Ticket, zone: string): string {
  const days = policy.sla.autoCloseResolvedAfterDays;
  if (ticket.status !== 'resolved' || !ticket.resolution || days === 0) return '';
  const at = new Date(Date.parse(ticket.resolution.at) + days * 24 * 3600 * 1000).toISOString();
  return `Unless you reply before then, the case closes on ${instantWords(at, zone)}, ${days} day${days === 1 ? '' : 's'} after it was resolved.`;
}

/**
 * A customer's subject may quote another case's tag ("same as [CASE-000007]"); a reply would
 * then thread to the wrong case, so tags are taken out of user text before it reaches a subject.
 */
function withoutCaseTags(subject: string): string {
  return subject
    .replace(/\[[A-Z][A-Z0-9]{1,9}-\d+\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One line (a header must not carry a line break), with the case tag replies thread by. */
function caseSubject(subject: string, caseNumber: string): string {
  const line = subject.replace(/\s+/g, ' ').trim();
  return line.includes(`[${caseNumber}]`) ? line : `[${caseNumber}] ${line}`.trim();
}

/** "2026-06-01T10:30:00.000Z" → "2026-06-01 10:30 UTC": the reader may be in any time zone. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

/** The HTML part: the text, escaped as a whole (so neither user content nor a template adds markup), in paragraphs. */
export function htmlFromText(text: string, title: string): string {
  const paragraphs = text
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body style="font-family: sans-serif; line-height: 1.5">\n${paragraphs}\n</body></html>\n`;
}
