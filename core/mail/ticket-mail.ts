/**
 * What an inbound mail does to the desk (functions/email/ingest.ts does the I/O): the ticket a
 * new mail opens, the message a reply adds, and the record an automated mail leaves. Pure.
 */
import { cutText, LIMITS } from '../limits';
import type { Policy } from '../policy/schema';
import type { Actor, Ticket, TimelineEvent } from '../tickets/model';
import { addMessage, type Change, type RuleContext } from '../tickets/rules';
import { messageIdKey } from './message-id';
import type { InboundMail } from './parse';
import { visibleReply } from './reply-text';

/** How many of the customer's Message-IDs a ticket keeps for References. */
export const MAIL_THREAD_LIMIT = 10;

/** An automated mail's text kept on its record (it is seldom read; the raw message is kept). */
const AUTOMATED_MAIL_BODY = 10_000;

/** SES's verdicts on the mail (receipt.spfVerdict … virusVerdict): PASS, FAIL, GRAY, PROCESSING_FAILED. */
export interface MailVerdicts {
  spf?: string;
  dkim?: string;
  dmarc?: string;
  virus?: string;
}

/** What the mail is about, for the timeline: where the full message is kept and what came with it (mailRecord bounds it). */
export interface MailRecord {
  /** The Message-ID, or its hash when longer than LIMITS.messageIdKey (core/mail/message-id.ts messageIdKey). */
  messageId?: string;
  from?: string;
  /** Where the raw message is kept (the S3 object key). */
  rawKey: string;
  attachments: { filename: string; contentType: string; size: number; key?: string; skipped?: string }[];
  problems: string[];
}

/** What a MailRecord is made from: anything a sender wrote, of any length or count. */
export interface MailRecordInput {
  messageId?: string;
  from?: string;
  rawKey: string;
  attachments: MailRecord['attachments'];
  problems: string[];
}

/** The record as stored on the ticket and its timeline: every part bounded (core/limits.ts). */
export function mailRecord(input: MailRecordInput): MailRecord {
  const attachments = input.attachments.slice(0, LIMITS.attachments).map((attachment) => ({
    ...attachment,
    filename: cutText(attachment.filename, LIMITS.filename),
    contentType: cutText(attachment.contentType, LIMITS.contentType),
    ...(attachment.skipped !== undefined ? { skipped: cutText(attachment.skipped, LIMITS.mailProblem) } : {}),
  }));
  const unlisted = input.attachments.length - attachments.length;
  const problems = [...input.problems, ...(unlisted > 0 ? [`${unlisted} more attachments not listed`] : [])];
  const kept = problems.slice(0, LIMITS.mailProblems).map((problem) => cutText(problem, LIMITS.mailProblem));
  if (problems.length > LIMITS.mailProblems) kept[kept.length - 1] = `${problems.length - LIMITS.mailProblems + 1} more problems not listed`;
  return {
    ...(input.messageId ? { messageId: messageIdKey(input.messageId) } : {}),
    ...(input.from ? { from: cutText(input.from, LIMITS.email) } : {}),
    rawKey: input.rawKey,
    attachments,
    problems: kept,
  };
}

/** Why a sender's address cannot be a requester (nor part of a key); undefined when it can. */
export function unusableSender(address: string): string | undefined {
  return address.length > LIMITS.email ? `the sender's address is longer than ${LIMITS.email} characters (RFC 5321)` : undefined;
}

/**
 * Text cut to `max` characters, saying so: the mail's full text stays in the raw message kept
 * beside the ticket (MailRecord.rawKey).
 */
export function cutMailText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `\n\n[cut at ${max} characters: the full mail is kept with the ticket]`;
  return cutText(text, max - note.length) + note;
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
  const subject = cutText(mail.subject.trim() || '(no subject)', LIMITS.subject);
  const text = mail.text.trim() || '(the mail has no readable text; the full message is kept with the ticket)';
  const name = mail.from!.name.trim();
  return {
    requester: { email: mail.from!.address, ...(name ? { name: cutText(name, LIMITS.name) } : {}) },
    subject,
    description: cutMailText(followUpOf ? `Follow-up to ${followUpOf}, which is closed.\n\n${text}` : text, LIMITS.description),
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
  const change = addMessage(ticket, 'customer', cutMailText(body, LIMITS.messageBody), ctx, actor);
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
    body: cutMailText(mail.text.trim(), AUTOMATED_MAIL_BODY),
    data: { reason: cutText(reason, LIMITS.reason), subject: cutText(mail.subject, LIMITS.subject), mail: record },
  };
  return { ticket: { ...ticket, updatedAt: event.at }, events: [event] };
}

/**
 * The customer's Message-IDs go into the References of the desk's answers as they are, so one
 * too long for a key (and for a header line) is not kept: their reply still threads by the
 * desk's own Message-ID, which they answer.
 */
function withMailThread(ticket: Ticket, messageId: string | undefined): Ticket {
  if (!messageId || messageId.length > LIMITS.messageIdKey || ticket.mailThread?.includes(messageId)) return ticket;
  return { ...ticket, mailThread: [...(ticket.mailThread ?? []), messageId].slice(-MAIL_THREAD_LIMIT) };
}
