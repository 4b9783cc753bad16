/**
 * One inbound mail, from the raw message SES stored in S3 to the desk: a new ticket, a reply
 * on its ticket, or a record of an automated mail (docs/inbound-email.md). Rules live in
 * core/mail; this file reads S3, looks things up and writes.
 *
 * Exactly once: the mail's Message-ID (else SES's id) is an idempotency key claimed before
 * anything is written and completed in the same transaction as the ticket write, so SES
 * redelivering it, Lambda retrying, or the same mail arriving twice makes one ticket or message.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { decideEntitlement } from '../../core/entitlement';
import { cutText, LIMITS } from '../../core/limits';
import { automatedMailReason, hasNullReversePath, type MailEnvelope } from '../../core/mail/loops';
import { messageIdKey } from '../../core/mail/message-id';
import { type InboundMail, parseInboundMail } from '../../core/mail/parse';
import { severityFromMail, withSeverityNote } from '../../core/mail/severity-markers';
import { caseNumbersInSubject, SES_MESSAGE_ID, threadKeys } from '../../core/mail/threading';
import {
  addMailReply,
  authenticationFailed,
  type MailRecord,
  type MailVerdicts,
  mailRecord,
  recordAutomatedMail,
  rememberMail,
  subjectTagMayJoin,
  ticketFieldsFromMail,
  unusableSender,
} from '../../core/mail/ticket-mail';
import { queueNotifications } from '../../core/notifications/outbox';
import { notificationSettings } from '../../core/notifications/render';
import type { Ticket } from '../../core/tickets/model';
import { type Change, RuleError } from '../../core/tickets/rules';
import { wakeTicket } from '../shared/executions';
import { openNewTicket } from '../shared/intake';
import { customerById, customerIdForEmail } from '../shared/lookups';
import { retryableCause } from '../shared/retryable';
import { logger, type Runtime } from '../shared/runtime';
import { s3Client } from '../shared/s3';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { TICKET_LINKS } from '../store/dynamo-store';
import { ATTACHMENT_PREFIX, INBOUND_PREFIX } from './layout';

export interface ReceivedMail {
  /** SES's id of the received mail; the raw message is at `<inbound prefix><sesMessageId>`. */
  sesMessageId: string;
  /**
   * The envelope sender (MAIL FROM, SES's `mail.source`), used when the message has no From;
   * '' (or `<>`) is a null reverse path: automated mail (core/mail/loops.ts). Undefined: not known.
   */
  envelopeFrom?: string;
  verdicts: MailVerdicts;
}

export type IngestOutcome =
  | { outcome: 'created' | 'added' | 'recorded'; ticketId: string; reason?: string }
  | { outcome: 'ignored' | 'quarantined'; reason: string }
  | { outcome: 'duplicate'; previous: unknown };

/** Mail from one sender per hour beyond which it is recorded, not acted on (a loop with another desk). */
const DEFAULT_SENDER_LIMIT_PER_HOUR = 30;
const SCOPE = 'email';

export class MailInProgressError extends Error {
  override name = 'MailInProgressError';
}

function mailSettings() {
  const bucket = process.env.TIERDESK_MAIL_BUCKET;
  if (!bucket) throw new Error('TIERDESK_MAIL_BUCKET is not set');
  return {
    bucket,
    inboundPrefix: process.env.TIERDESK_INBOUND_PREFIX ?? INBOUND_PREFIX,
    attachmentPrefix: process.env.TIERDESK_ATTACHMENT_PREFIX ?? ATTACHMENT_PREFIX,
    addresses: (process.env.TIERDESK_INBOUND_ADDRESSES ?? '')
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean),
    senderLimitPerHour: Number(process.env.TIERDESK_MAIL_SENDER_LIMIT ?? DEFAULT_SENDER_LIMIT_PER_HOUR),
  };
}

export async function ingestMail(rt: Runtime, received: ReceivedMail): Promise<IngestOutcome> {
  if (!SES_MESSAGE_ID.test(received.sesMessageId)) {
    // Not SES's: it would become the raw mail's object name and an idempotency key. Nothing is read or written.
    const reason = `not an SES message id: ${JSON.stringify(cutText(received.sesMessageId, 80))}`;
    logger.error('inbound mail event refused', { reason });
    return { outcome: 'ignored', reason };
  }
  const settings = mailSettings();
  const rawKey = `${settings.inboundPrefix}${received.sesMessageId}`;
  if (received.verdicts.virus === 'FAIL') {
    // Kept in S3 for inspection, never opened as a ticket; the log line is what the alarm counts.
    logQuarantine(rawKey, 'virus verdict FAIL');
    return { outcome: 'quarantined', reason: 'virus verdict FAIL' };
  }
  const raw = await readRawMail(settings.bucket, rawKey);
  if (typeof raw === 'string') return quarantineOnce(rt, `ses:${received.sesMessageId}`, rawKey, raw);
  const mail = await parseInboundMail(raw);
  // A long Message-ID is hashed like a link key: the claim's key must fit a partition key too.
  const key = mail.messageId ? messageIdKey(mail.messageId) : `ses:${received.sesMessageId}`;
  const claim = await rt.store.claimIdempotency(SCOPE, key, 'mail');
  if (claim.state === 'done') return { outcome: 'duplicate', previous: claim.response.body };
  // The same mail is being handled right now (two deliveries at once): fail, and the retry finds it done.
  if (claim.state !== 'claimed') throw new MailInProgressError(`mail ${key} is being processed`);
  try {
    const outcome = await deliver(rt, settings, received, mail, { rawKey, idempotencyKey: key });
    logger.info('inbound mail', { rawKey, messageId: mail.messageId && messageIdKey(mail.messageId), ...outcome });
    return outcome;
  } catch (error) {
    const permanent = permanentFailure(error);
    if (permanent) return quarantineClaimed(rt, key, rawKey, permanent, error);
    await rt.store.releaseIdempotency(SCOPE, key, 'mail');
    throw error;
  }
}

/**
 * Why this error will happen again however often the mail is retried (so retrying it would only
 * block it, Lambda's retries and then the DLQ, or a sender's 451 loop locally), or undefined
 * when a retry may succeed: throttling, a 5xx, the network (functions/shared/http.ts
 * retryableCause), the same mail in progress, or an error nobody classified (a bug: retried,
 * then the DLQ, so the event can be replayed once it is fixed).
 */
export function permanentFailure(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof MailInProgressError || retryableCause(error)) return undefined;
  if (error instanceof RuleError) return `a ticket rule refused the mail: ${error.message}`;
  // An item or key over DynamoDB's limits: the same write is refused every time.
  if (error.name === 'ValidationException') return `the store refused the write (ValidationException): ${error.message}`;
  const reasons = (error as { CancellationReasons?: { Code?: string; Message?: string }[] }).CancellationReasons ?? [];
  const invalid = reasons.find((reason) => reason.Code === 'ValidationError');
  if (error.name === 'TransactionCanceledException' && invalid) return `the store refused the write (ValidationError): ${invalid.Message ?? ''}`.trim();
  return undefined;
}

/** The raw message's bytes, or why they cannot be read for good (missing, refused); throws what a retry may cure. */
async function readRawMail(bucket: string, rawKey: string): Promise<Uint8Array | string> {
  try {
    const object = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: rawKey }));
    if (!object.Body) return 'the raw message is empty';
    return await object.Body.transformToByteArray();
  } catch (error) {
    if (retryableCause(error)) throw error;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    // Only S3's own 4xx answers are permanent; anything else (a stream cut short, a bug) is retried.
    if (status === undefined || status < 400 || status >= 500) throw error;
    return status === 404 ? 'the raw message is missing from the mail bucket' : `the raw message cannot be read: ${(error as Error).name} (${status})`;
  }
}

/** Quarantines a mail no Message-ID is known for yet, under SES's id, so a redelivery is a duplicate. */
async function quarantineOnce(rt: Runtime, key: string, rawKey: string, reason: string): Promise<IngestOutcome> {
  const claim = await rt.store.claimIdempotency(SCOPE, key, 'mail');
  if (claim.state === 'done') return { outcome: 'duplicate', previous: claim.response.body };
  if (claim.state !== 'claimed') throw new MailInProgressError(`mail ${key} is being processed`);
  return quarantineClaimed(rt, key, rawKey, reason);
}

/** Completes the claim with the quarantine (a redelivery is then a duplicate), logs what the alarm counts, and returns normally. */
async function quarantineClaimed(rt: Runtime, key: string, rawKey: string, reason: string, cause?: unknown): Promise<IngestOutcome> {
  const outcome = { outcome: 'quarantined', reason: cutText(reason, LIMITS.reason) } as const;
  try {
    await rt.store.completeIdempotency({ scope: SCOPE, key, requestHash: 'mail', response: { statusCode: 200, body: outcome } });
  } catch (error) {
    await rt.store.releaseIdempotency(SCOPE, key, 'mail');
    throw cause ?? error;
  }
  logQuarantine(rawKey, outcome.reason);
  return outcome;
}

function logQuarantine(rawKey: string, reason: string): void {
  logger.error(`inbound mail quarantined: ${reason}`, { rawKey, reason, metric: 'MailQuarantined' });
}

interface Delivery {
  rawKey: string;
  idempotencyKey: string;
}

async function deliver(rt: Runtime, settings: ReturnType<typeof mailSettings>, received: ReceivedMail, parsed: InboundMail, delivery: Delivery): Promise<IngestOutcome> {
  const envelope: MailEnvelope = received.envelopeFrom === undefined ? {} : { from: received.envelopeFrom };
  // A null reverse path names nobody to answer: only the From header can name the sender then.
  const envelopeSender = hasNullReversePath(envelope) ? undefined : received.envelopeFrom?.trim().toLowerCase() || undefined;
  const sender = parsed.from?.address ?? envelopeSender;
  const idempotency = (body: IngestOutcome) => ({ scope: SCOPE, key: delivery.idempotencyKey, requestHash: 'mail', response: { statusCode: 200, body } });
  const notifications = notificationSettings(rt.policy);
  const ownAddresses = [...settings.addresses, notifications.from, ...(notifications.replyTo ? [notifications.replyTo] : [])];
  if (!sender) {
    // Automated mail without a From (a bare bounce) is dropped as automated mail is; anything else is unusable.
    const automatedReason = automatedMailReason(parsed, ownAddresses, envelope);
    if (!automatedReason) return quarantineClaimed(rt, delivery.idempotencyKey, delivery.rawKey, 'the mail names no sender (no From header, no envelope sender)');
    const outcome = { outcome: 'ignored', reason: `${automatedReason}; the mail names no sender` } as const;
    await rt.store.completeIdempotency(idempotency(outcome));
    return outcome;
  }
  const unusable = unusableSender(sender);
  if (unusable) return quarantineClaimed(rt, delivery.idempotencyKey, delivery.rawKey, unusable);
  const mail: InboundMail = parsed.from ? parsed : { ...parsed, from: { address: sender, name: '' } };
  let automated = automatedMailReason(mail, ownAddresses, envelope);
  if (!automated && (await rt.store.countInWindow(`mail-from#${sender}`, 3600)) > settings.senderLimitPerHour) {
    automated = `more than ${settings.senderLimitPerHour} mails from ${sender} this hour`;
  }
  const record = mailRecord({
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    from: sender,
    rawKey: delivery.rawKey,
    attachments: await storeAttachments(settings, received.sesMessageId, mail),
    problems: mail.problems,
  });
  const ticket = await threadTicket(rt, mail, sender);

  if (ticket && (automated || ticket.status !== 'closed')) {
    const outcome = { outcome: automated ? 'recorded' : 'added', ticketId: ticket.id, ...(automated ? { reason: automated } : {}) } as const;
    await updateTicketWithRetry(
      rt,
      (current, ctx): Change =>
        automated ? recordAutomatedMail(current, mail, record, automated, ctx) : queueNotifications(addMailReply(current, mail, record, ctx, { kind: 'customer', id: sender })),
      {
        read: async () => (await rt.store.getTicket(ticket.id))!,
        idempotency: idempotency(outcome),
        // In the write that completes the claim: a redelivery answered from the claim must not
        // leave later replies to this mail without their thread.
        links: mail.messageId ? [TICKET_LINKS.mail(mail.messageId)] : [],
      },
    );
    if (!automated) await wakeTicket(ticket.id);
    return outcome;
  }
  if (automated) {
    const outcome = { outcome: 'ignored', reason: automated } as const;
    await rt.store.completeIdempotency(idempotency(outcome));
    return outcome;
  }

  const customerId = await customerIdForEmail(rt, sender);
  const customer = customerId ? await customerById(rt, customerId) : undefined;
  const fields = ticketFieldsFromMail(mail, rt.policy, ticket?.caseNumber);
  const now = Date.now();
  const authFailed = authenticationFailed(received.verdicts);
  // A severity marker ("P1") counts only for a sender entitled to it: the same decision intake makes.
  const severity = severityFromMail(rt.policy, mail, sender, decideEntitlement(rt.policy, customer, fields.requester, now, authFailed ? { authFailed } : {}));
  const change = await openNewTicket(
    rt,
    {
      customer,
      ...fields,
      severity: severity.severity,
      channel: 'email',
      actor: { kind: 'customer', id: sender },
      authFailed,
      now,
    },
    {
      adjust: (opened) => withSeverityNote(rememberMail(opened, mail, record), severity, randomUUID()),
      idempotency: { scope: SCOPE, key: delivery.idempotencyKey, requestHash: 'mail', response: (created) => ({ statusCode: 201, body: { outcome: 'created', ticketId: created.id } }) },
      links: mail.messageId ? [TICKET_LINKS.mail(mail.messageId)] : [],
    },
  );
  return { outcome: 'created', ticketId: change.ticket.id };
}

/** The ticket a mail answers: by its In-Reply-To/References (the Message-IDs of mail the desk sent or received for a ticket), else by a case number in its subject (core's subjectTagMayJoin). */
async function threadTicket(rt: Runtime, mail: InboundMail, sender: string): Promise<Ticket | undefined> {
  const byHeader = await rt.store.ticketLinkedTo(threadKeys(mail).map(TICKET_LINKS.mail));
  if (byHeader) {
    const ticket = await rt.store.getTicket(byHeader);
    if (ticket) return ticket;
  }
  for (const caseNumber of caseNumbersInSubject(mail.subject, rt.policy.caseNumberPrefix)) {
    const ticket = await rt.store.getTicket(caseNumber);
    if (ticket && subjectTagMayJoin(ticket, sender, await customerIdForEmail(rt, sender))) return ticket;
  }
  return undefined;
}

/** Attachments beside the raw mail, under a folder named after SES's id, so a retry overwrites rather than adds. */
async function storeAttachments(settings: ReturnType<typeof mailSettings>, sesMessageId: string, mail: InboundMail): Promise<MailRecord['attachments']> {
  return Promise.all(
    mail.attachments.map(async (attachment, index) => {
      const listed = { filename: attachment.filename, contentType: attachment.contentType, size: attachment.size };
      if (!attachment.content) return { ...listed, skipped: attachment.skipped ?? 'not kept' };
      const key = `${settings.attachmentPrefix}${sesMessageId}/${index + 1}-${safeName(attachment.filename)}`;
      await s3Client().send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: attachment.content, ContentType: attachment.contentType }));
      return { ...listed, key };
    }),
  );
}

/** A file name as an S3 key segment: what the sender wrote is not trusted as a path. */
function safeName(filename: string): string {
  const cleaned = filename
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return cleaned || createHash('sha256').update(filename).digest('hex').slice(0, 16);
}
