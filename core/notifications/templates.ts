/**
 * The mails tierdesk sends, as plain-text templates with `{{placeholder}}` fields. A policy may
 * override the subject and text of any kind (policy.notifications.templates); the HTML part is
 * always derived from the rendered text (see render.ts), so a template cannot inject markup and
 * a vendor writes each mail once.
 *
 * No imports: the policy schema validates templates against these lists.
 */

export const NOTIFICATION_KINDS = [
  'acknowledgement',
  'agent-reply',
  'status-update',
  'sla-warning',
  'sla-breach',
  'escalation',
  'escalation-blocked',
  'resolution',
  'customer-escalation',
  'customer-escalation-received',
  'period-escalation',
  'period-routed',
  'period-handover',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Every field a template may use. Kept small on purpose: a typo in a policy is an error at load, not a blank in a mail. */
export const TEMPLATE_PLACEHOLDERS = [
  'caseNumber',
  'subject',
  'status',
  'severity',
  'tier',
  'team',
  'requester',
  'assignee',
  /** The instant an objective or management step is (was) due, e.g. "2026-06-01 10:30 UTC". */
  'due',
  /** The objective a warning or breach is about, e.g. "first response". */
  'objective',
  /** The management step that must answer, by its title, e.g. "COO". */
  'step',
  /** What the notification carries: the agent's reply, the escalation reason, a status note. */
  'body',
  /** The resolution text of a resolved case. */
  'resolution',
  /**
   * The first-response target in words, with when it is due in the requester's zone and UTC:
   * "within 2 business hours (Mon–Fri 09:00–17:00, Europe/Berlin time), that is by Mon 1 Jun 2026
   * 11:30 Europe/Berlin (09:30 UTC)"; "as soon as possible" when the plan sets none.
   */
  'target',
  /** When the first response is due, in the requester's zone and in UTC; empty when not running. */
  'respondBy',
  /** The ticket's severity: its definition and the policy's criteria, one per line. */
  'severityCriteria',
  /**
   * A sentence: the next public answer owed and by when, in the requester's zone and UTC ("We
   * will respond within 4 business hours (…), that is by …", or "We will send you our next update
   * within …" for a regular status report); that the clocks are paused while the case waits on
   * the customer; empty when nothing is owed.
   */
  'nextUpdate',
  /** A sentence: when a resolved case closes unless the customer replies, in their zone and UTC; empty otherwise. */
  'autoClose',
  /**
   * When the management step a customer escalated to must answer: "within 4 business hours (…),
   * that is by …" in the requester's zone and UTC; "as soon as possible" without an escalation.
   */
  'escalationTarget',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export interface Template {
  subject: string;
  text: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The names a template uses that are not placeholders; empty when the template is valid. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(TEMPLATE_PLACEHOLDERS);
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!).filter((name) => !known.has(name));
}

/** Replaces every `{{name}}`; a field with no value for this ticket renders empty. */
export function fillTemplate(template: string, values: Partial<Record<TemplatePlaceholder, string>>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => values[name as TemplatePlaceholder] ?? '');
}

const REPLY_HINT = 'To add to this case, reply to this email and keep [{{caseNumber}}] in the subject.';

/** The built-in wording. Subjects need not carry the case number tag: the renderer adds it when missing. */
export const DEFAULT_TEMPLATES: Record<NotificationKind, Template> = {
  acknowledgement: {
    subject: '[{{caseNumber}}] We received your request: {{subject}}',
    text:
      'Hello {{requester}},\n\nThank you for contacting support. Your case number is {{caseNumber}} ' +
      '(severity: {{severity}}).\n\nWe will respond {{target}}.\n\n' +
      'The severity you chose means:\n{{severityCriteria}}\n\nIf another severity fits better, reply and say which.\n\n' +
      REPLY_HINT,
  },
  'agent-reply': {
    subject: 'Re: [{{caseNumber}}] {{subject}}',
    text: `{{body}}\n\n{{nextUpdate}}\n\n--\nCase {{caseNumber}} · status: {{status}}\n${REPLY_HINT}`,
  },
  'status-update': {
    subject: '[{{caseNumber}}] Status update: {{subject}}',
    text: `Hello {{requester}},\n\nYour case {{caseNumber}} is now {{status}}.\n\n{{body}}\n\n{{nextUpdate}}\n\n${REPLY_HINT}`,
  },
  'sla-warning': {
    subject: '[{{caseNumber}}] SLA warning: {{objective}} due {{due}}',
    text: 'The {{objective}} objective of case {{caseNumber}} ("{{subject}}") is due {{due}}.\n\n' + 'Severity: {{severity}}\nTier: {{tier}}\nTeam: {{team}}\nAssignee: {{assignee}}',
  },
  'sla-breach': {
    subject: '[{{caseNumber}}] SLA breached: {{objective}} was due {{due}}',
    text: 'The {{objective}} objective of case {{caseNumber}} ("{{subject}}") was due {{due}} and was not met.\n\n' + 'Severity: {{severity}}\nTier: {{tier}}\nTeam: {{team}}\nAssignee: {{assignee}}',
  },
  escalation: {
    subject: '[{{caseNumber}}] Escalated to {{tier}}: {{subject}}',
    text: 'Case {{caseNumber}} ("{{subject}}") is now at {{tier}} (team {{team}}).\n\n{{body}}',
  },
  // The SLA clock could not move the case up: it says what is missing, not that it escalated.
  'escalation-blocked': {
    subject: '[{{caseNumber}}] Not escalated, details missing: {{subject}}',
    text:
      'The target resolution time of case {{caseNumber}} ("{{subject}}") at {{tier}} has passed, but the case could not move up a tier: {{body}}.\n\n' +
      'It stays at {{tier}} (team {{team}}), flagged. Record what is missing, then escalate it.\n\nSeverity: {{severity}}\nAssignee: {{assignee}}',
  },
  resolution: {
    subject: '[{{caseNumber}}] Resolved: {{subject}}',
    text:
      'Hello {{requester}},\n\nYour case {{caseNumber}} has been resolved.\n\n{{resolution}}\n\n' +
      'If the problem is not solved, reply to this email and the case will be reopened. ' +
      'Keep [{{caseNumber}}] in the subject.\n\n{{autoClose}}',
  },
  'customer-escalation': {
    subject: '[{{caseNumber}}] Customer escalation: {{step}} to respond by {{due}}',
    text:
      'The customer escalated case {{caseNumber}} ("{{subject}}"). {{step}} is asked to respond by {{due}}.\n\n' +
      'Reason given: {{body}}\n\nSeverity: {{severity}}\nTier: {{tier}}\nAssignee: {{assignee}}',
  },
  // To the requester who asked to escalate (or for whom staff did): who answers now, and by when.
  'customer-escalation-received': {
    subject: '[{{caseNumber}}] Your escalation is with our {{step}}: {{subject}}',
    text: `Hello {{requester}},\n\nwe have passed your escalation of case {{caseNumber}} to our {{step}}, who will respond {{escalationTarget}}.\n\nYour reason: {{body}}\n\n${REPLY_HINT}`,
  },
  // To the team the issue goes to and to the period's point of contact: worded for both.
  'period-escalation': {
    subject: '[{{caseNumber}}] Escalated during the support period: {{subject}}',
    text:
      'Case {{caseNumber}} ("{{subject}}", severity {{severity}}) was escalated by the dedicated support engineer.\n\n' +
      '{{body}}\n\nThe point of contact gets updates until it is resolved. ' +
      REPLY_HINT,
  },
  // To the period's dedicated engineer, when a new ticket of the customer is routed to them.
  'period-routed': {
    subject: '[{{caseNumber}}] Routed to you during the support period: {{subject}}',
    text:
      'Case {{caseNumber}} ("{{subject}}", severity {{severity}}) was opened during the dedicated support period you cover. ' +
      'It is assigned to you and waits in your queue, most severe first.\n\n{{body}}',
  },
  // To the team whose queue takes an open ticket when its support period ends.
  'period-handover': {
    subject: '[{{caseNumber}}] Handed over after the support period: {{subject}}',
    text: 'The dedicated support period of case {{caseNumber}} ("{{subject}}", severity {{severity}}, status {{status}}) has ended with the case open.\n\n{{body}}',
  },
};
