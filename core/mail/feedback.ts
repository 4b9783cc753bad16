/**
 * SES feedback on the desk's own mail (docs/mail-feedback.md): bounces and complaints, as SES
 * publishes them through the stack's configuration set. What is recorded on a ticket and which
 * addresses the desk stops mailing is decided here; functions/email/feedback.ts only stores it.
 *
 * The rules:
 *  - a permanent bounce (the receiving server refused the address for good) suppresses the address;
 *  - a complaint (the recipient marked the mail as spam) suppresses it too, unless the recipient's
 *    feedback says "not-spam";
 *  - a transient or undetermined bounce (mailbox full, a server down) is recorded only: SES has
 *    already retried it, and the next mail may well arrive.
 *
 * The notification is treated as hostile input: structural fields (addresses, ids, instants) are
 * validated and a notification that fails is reported as malformed (logged and dropped by the
 * handler, never retried); free text (SMTP diagnostics, feedback types) is cut to a bound instead,
 * so an unusually long diagnostic never costs a suppression. Unknown fields are ignored.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { normaliseEmail } from '../customer-rules';
import { cutText, LIMITS } from '../limits';
import type { TimelineEvent } from '../tickets/model';
import '../zod-english';
import { SES_MESSAGE_ID } from './threading';

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

/** A bare address (SES lists recipients without display names). */
const Address = z.pipe(z.string().check(z.trim(), z.maxLength(LIMITS.email), z.regex(ADDRESS, 'not an email address')), z.transform(normaliseEmail));

/** Free text from a remote mail server: any string, cut to `max` characters. */
const Text = (max: number) =>
  z.pipe(
    z.string(),
    z.transform((text: string) => cutText(text.replace(/[\r\n]+/g, ' ').trim(), max)),
  );

/** SES's own message id (`0100018f…-000000`), which it also puts in the Message-ID of the mail it sent. */
const SesMessageId = z.string().check(z.regex(SES_MESSAGE_ID, 'not an SES message id'));
const Instant = z.iso.datetime({ offset: true });
const FeedbackId = z.string().check(z.minLength(1), z.maxLength(256));

const BouncedRecipient = z.object({
  emailAddress: Address,
  action: z.optional(Text(40)),
  status: z.optional(Text(40)),
  diagnosticCode: z.optional(Text(LIMITS.feedbackDiagnostic)),
});

const Bounce = z.object({
  /** Permanent, Transient or Undetermined; anything else is treated as not permanent. */
  bounceType: Text(40),
  bounceSubType: z.optional(Text(60)),
  bouncedRecipients: z.array(BouncedRecipient).check(z.minLength(1), z.maxLength(LIMITS.feedbackRecipients)),
  timestamp: Instant,
  feedbackId: FeedbackId,
});

const Complaint = z.object({
  complainedRecipients: z.array(z.object({ emailAddress: Address })).check(z.minLength(1), z.maxLength(LIMITS.feedbackRecipients)),
  /** abuse, auth-failure, fraud, not-spam, other, virus (absent when the mailbox provider gave none). */
  complaintFeedbackType: z.optional(Text(40)),
  complaintSubType: z.nullish(Text(60)),
  timestamp: Instant,
  feedbackId: FeedbackId,
});

const Mail = z.object({
  messageId: SesMessageId,
  /** Present when the mail was sent through a configuration set (event publishing). */
  tags: z.optional(z.object({ 'ses:configuration-set': z.optional(z.array(z.string().check(z.maxLength(256))).check(z.maxLength(10))) })),
});

/** eventType with event publishing (a configuration set), notificationType with an identity's own notifications. */
const Kind = z.object({ eventType: z.optional(z.string().check(z.maxLength(40))), notificationType: z.optional(z.string().check(z.maxLength(40))) });

const BounceNotification = z.object({ bounce: Bounce, mail: Mail });
const ComplaintNotification = z.object({ complaint: Complaint, mail: Mail });

export type FeedbackKind = 'bounce' | 'complaint';

/** One bounce or complaint, validated. */
export interface MailFeedback {
  kind: FeedbackKind;
  /** SES's id of this feedback: the same notification delivered twice carries the same one. */
  feedbackId: string;
  /** When the bounce or complaint happened (ISO 8601). */
  at: string;
  /** SES's message id of the mail the feedback is about (the Message-ID the desk linked to its ticket). */
  sesMessageId: string;
  /** The configuration set the mail was sent with, when SES says. */
  configurationSet?: string;
  /** `Permanent/General`, `Transient/MailboxFull`, or the complaint's feedback type (`abuse`). */
  type: string;
  recipients: { address: string; status?: string; diagnostic?: string }[];
  /** Whether the desk stops mailing these addresses. */
  suppress: boolean;
}

export type ParsedFeedback =
  | { outcome: 'feedback'; feedback: MailFeedback }
  /** A well-formed notification of another kind (a delivery, an open): nothing to do. */
  | { outcome: 'ignored'; reason: string }
  /** Not an SES bounce or complaint the desk can trust: logged and dropped. */
  | { outcome: 'malformed'; reason: string };

/** The largest SNS message or EventBridge event is 256 KB; a longer JSON text is not SES's. */
const MAX_JSON_CHARS = 256 * 1024;

/**
 * The SES notification inside what the handler was given: an EventBridge event (the stack's
 * path: `detail`), an SNS message envelope (`Message`, JSON text), or the notification itself.
 */
export function unwrapNotification(input: unknown): unknown {
  if (!isObject(input)) return input;
  if ('detail' in input && 'detail-type' in input) return input.detail;
  if (input.Type === 'Notification' && typeof input.Message === 'string') {
    if (input.Message.length > MAX_JSON_CHARS) return undefined;
    try {
      return JSON.parse(input.Message) as unknown;
    } catch {
      return undefined;
    }
  }
  return input;
}

/** Validates an SES bounce or complaint notification (or an event carrying one) and decides what it means. */
export function parseFeedback(input: unknown): ParsedFeedback {
  const notification = unwrapNotification(input);
  const kind = Kind.safeParse(notification);
  if (!isObject(notification) || !kind.success) return { outcome: 'malformed', reason: 'not an SES notification (no eventType or notificationType)' };
  const type = kind.data.eventType ?? kind.data.notificationType;
  if (type === undefined) return { outcome: 'malformed', reason: 'not an SES notification (no eventType or notificationType)' };
  if (type === 'Bounce') {
    const parsed = BounceNotification.safeParse(notification);
    if (!parsed.success) return { outcome: 'malformed', reason: describe(parsed.error) };
    const { bounce, mail } = parsed.data;
    return {
      outcome: 'feedback',
      feedback: {
        kind: 'bounce',
        feedbackId: bounce.feedbackId,
        at: new Date(bounce.timestamp).toISOString(),
        sesMessageId: mail.messageId,
        ...configurationSetOf(mail),
        type: bounce.bounceSubType ? `${bounce.bounceType}/${bounce.bounceSubType}` : bounce.bounceType,
        recipients: uniqueRecipients(
          bounce.bouncedRecipients.map((recipient) => ({
            address: recipient.emailAddress,
            ...(recipient.status ? { status: recipient.status } : {}),
            ...(recipient.diagnosticCode ? { diagnostic: recipient.diagnosticCode } : {}),
          })),
        ),
        suppress: bounce.bounceType === 'Permanent',
      },
    };
  }
  if (type === 'Complaint') {
    const parsed = ComplaintNotification.safeParse(notification);
    if (!parsed.success) return { outcome: 'malformed', reason: describe(parsed.error) };
    const { complaint, mail } = parsed.data;
    const feedbackType = complaint.complaintFeedbackType ?? 'unspecified';
    return {
      outcome: 'feedback',
      feedback: {
        kind: 'complaint',
        feedbackId: complaint.feedbackId,
        at: new Date(complaint.timestamp).toISOString(),
        sesMessageId: mail.messageId,
        ...configurationSetOf(mail),
        type: feedbackType,
        recipients: uniqueRecipients(complaint.complainedRecipients.map((recipient) => ({ address: recipient.emailAddress }))),
        suppress: feedbackType !== 'not-spam',
      },
    };
  }
  return { outcome: 'ignored', reason: `an SES ${cutText(type, 40)} notification, not a bounce or complaint` };
}

/** The reason a suppressed address is not mailed, as the timeline and the logs say it. */
export function suppressionReason(feedback: Pick<MailFeedback, 'kind' | 'type' | 'at'>, diagnostic?: string): string {
  const what = feedback.kind === 'bounce' ? `permanent bounce (${feedback.type})` : `spam complaint (${feedback.type})`;
  return cutText(`${what} on ${feedback.at}${diagnostic ? `: ${diagnostic}` : ''}`, LIMITS.reason);
}

/**
 * The internal timeline event recording the feedback on the ticket of the mail it is about. Its
 * id is derived from SES's feedback id and its instant is the feedback's, so the same
 * notification delivered twice makes the same event, which the store writes only once.
 */
export function feedbackEvent(feedback: MailFeedback, ticketId: string): TimelineEvent {
  const addresses = feedback.recipients.map((recipient) => recipient.address);
  const verb = feedback.kind === 'bounce' ? `bounced (${feedback.type})` : `was reported as spam (${feedback.type})`;
  const diagnostics = feedback.recipients.flatMap((recipient) => (recipient.diagnostic ? [recipient.diagnostic] : []));
  const body = [
    `Mail to ${addresses.join(', ')} ${verb}.`,
    ...(diagnostics.length ? [`Diagnostic: ${diagnostics.join(' | ')}`] : []),
    feedback.suppress ? "The desk's mail to this address is suppressed." : 'The address is not suppressed (a later mail may arrive).',
  ].join('\n');
  return {
    id: feedbackEventId(feedback),
    ticketId,
    at: feedback.at,
    type: feedback.kind === 'bounce' ? 'mail-bounced' : 'mail-complaint',
    actor: { kind: 'system', id: 'ses-feedback' },
    public: false,
    body: cutText(body, LIMITS.reason),
    data: {
      sesMessageId: feedback.sesMessageId,
      feedbackId: feedback.feedbackId,
      type: feedback.type,
      recipients: feedback.recipients,
      suppressed: feedback.suppress,
    },
  };
}

/** The same notification always gives the same id (a UUID-shaped digest of its kind and SES's feedback id). */
export function feedbackEventId(feedback: Pick<MailFeedback, 'kind' | 'feedbackId'>): string {
  const hex = createHash('sha256').update(`${feedback.kind}\n${feedback.feedbackId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function configurationSetOf(mail: z.output<typeof Mail>): { configurationSet?: string } {
  const name = mail.tags?.['ses:configuration-set']?.[0];
  return name ? { configurationSet: name } : {};
}

function uniqueRecipients<T extends { address: string }>(recipients: T[]): T[] {
  const seen = new Set<string>();
  return recipients.filter((recipient) => !seen.has(recipient.address) && seen.add(recipient.address));
}

function describe(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
