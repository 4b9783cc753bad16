/**
 * What an inbound mail does to the desk (functions/email/ingest.ts does the I/O): the ticket a
 * new mail opens, the message a reply adds, and the record an automated mail leaves. Pure.
 */
import type { Policy } from '../policy/schema';
import type { Actor, Ticket, TimelineEvent } from '../tickets/model';
import { addMessage, type Change, type RuleContext } from '../tickets/rules';
import type { InboundMail } from './parse';
import { visibleReply } from './reply-text';

/** How many of the customer's Message-IDs a ticket keeps for References. */
export const MAIL_THREAD_LIMIT = 10;

/** SES's verdicts on the mail (receipt.spfVerdict … virusVerdict): PASS, FAIL, GRAY, PROCESSING_FAILED. */
export interface MailVerdicts {
  spf?: string;
  dkim?: string;
  dmarc?: string;
  virus?: string;
}

/** What the mail is about, for the timeline: where the full message is kept and what came with it. */
export interface MailRecord {
  messageId?: string;
  from?: string;
  /** Where the raw message is kept (the S3 object key). */
  rawKey: string;
  attachments: { filename: string; contentType: string; size: number; key?: string; skipped?: string }[];
  problems: string[];
}

/**
 * A case number in a subject is easy to type, unlike an In-Reply-To: it joins the ticket only for
 * its requester or someone of its customer; anyone else opens a new ticket.
 */
export function subjectTagMayJoin(ticket: Pick<Ticket, 'requester' | 'customerId'>, sender: string, senderCustomerId: string | undefined): boolean {
  return ticket.requester.email === sender || (!!ticket.customerId && ticket.customerId === senderCustomerId);
}

/** A sender whose mail failed SPF, DKIM or DMARC may be someone else: never a designated user. */
export function authenticationFailed(verdicts: MailVerdicts): boolean {
  return [verdicts.spf, verdicts.dkim, verdicts.dmarc].some((status) => status === 'FAIL');
}

/** Severity of a ticket that arrives without one: the policy's default, else its least urgent. */
export function intakeSeverity(policy: Policy): string {
  return policy.defaultSeverity ?? policy.severities[policy.severities.length - 1]!.id;
}

/** The fields of the ticket a new mail opens. */
export function ticketFieldsFromMail(mail: InboundMail, policy: Policy, followUpOf?: string) {
  const subject = (mail.subject.trim() || '(no subject)').slice(0, 300);
  const text = mail.text.trim() || '(the mail has no readable text; the full message is kept with the ticket)';
  return {
    requester: { email: mail.from!.address, ...(mail.from!.name ? { name: mail.from!.name.slice(0, 200) } : {}) },
    subject,
    description: (followUpOf ? `Follow-up to ${followUpOf}, which is closed.\n\n${text}` : text).slice(0, 100_000),
    severity: intakeSeverity(policy),
  };
}

/** The opened ticket remembers the mail (its "created" event shows it), and answers it in the same thread. */
export function rememberMail(change: Change, mail: InboundMail, record: MailRecord): Change {
  return { ...change, ticket: { ...withMailThread(change.ticket, mail.messageId), intakeMail: record } };
}

/** A reply from the customer: the new part of the mail (quoted history and signature trimmed) as their message. */
export function addMailReply(ticket: Ticket, mail: InboundMail, record: MailRecord, ctx: RuleContext, actor: Actor): Change {
  const body = visibleReply(mail.text).trim() || '(the mail has no readable text; the full message is kept with the ticket)';
  const change = addMessage(ticket, 'customer', body.slice(0, 100_000), ctx, actor);
  return {
    ticket: withMailThread(change.ticket, mail.messageId),
    events: change.events.map((event) => (event.type === 'customer-message' ? { ...event, data: { ...event.data, mail: record } } : event)),
  };
}

/**
 * An automated mail (auto-reply, bounce, list mail, a runaway sender) for the ticket: recorded as
 * an internal event, and nothing else — it never reopens the case, meets or restarts a clock, or
 * gets an answer, so two mail systems cannot keep each other busy.
 */
export function recordAutomatedMail(ticket: Ticket, mail: InboundMail, record: MailRecord, reason: string, ctx: RuleContext): Change {
  const event: TimelineEvent = {
    id: ctx.newId(),
    ticketId: ticket.id,
    at: new Date(ctx.now).toISOString(),
    type: 'automated-mail',
    actor: { kind: 'system', id: 'inbound-mail' },
    public: false,
    body: mail.text.trim().slice(0, 10_000),
    data: { reason, subject: mail.subject, mail: record },
  };
  return { ticket: { ...ticket, updatedAt: event.at }, events: [event] };
}

function withMailThread(ticket: Ticket, messageId: string | undefined): Ticket {
  if (!messageId || ticket.mailThread?.includes(messageId)) return ticket;
  return { ...ticket, mailThread: [...(ticket.mailThread ?? []), messageId].slice(-MAIL_THREAD_LIMIT) };
}
