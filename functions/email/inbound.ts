/**
 * One inbound mail, from the raw message SES stored in S3 to the desk: a new ticket, a reply
 * on its ticket, or a record of an automated mail (docs/inbound-email.md). Rules live in
 * core/mail; this file reads S3, looks things up and writes.
 *
 * Exactly once: the mail's Message-ID (else SES's id) is an idempotency key claimed before
 * anything is written and completed in the same transaction as the ticket write, so SES
 * redelivering it, Lambda retrying, or the same mail arriving twice makes one ticket or message.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { automatedMailReason } from '../../core/mail/loops';
import { parseInboundMail, type InboundMail } from '../../core/mail/parse';
import { caseNumbersInSubject, threadKeys } from '../../core/mail/threading';
import { addMailReply, authenticationFailed, subjectTagMayJoin, recordAutomatedMail, rememberMail, ticketFieldsFromMail, type MailRecord, type MailVerdicts } from '../../core/mail/ticket-mail';
import { queueNotifications } from '../../core/notifications/outbox';
import { notificationSettings } from '../../core/notifications/render';
import type { Ticket } from '../../core/tickets/model';
import type { Change } from '../../core/tickets/rules';
import { openNewTicket } from '../shared/intake';
import { customerById, customerIdForEmail } from '../shared/lookups';
import { logger, type Runtime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { TICKET_LINKS } from '../store/dynamo-store';
import { wakeTicket } from '../shared/workflow';
import { ATTACHMENT_PREFIX, INBOUND_PREFIX } from './layout';

export interface ReceivedMail {
  /** SES's id of the received mail; the raw message is at `<inbound prefix><sesMessageId>`. */
  sesMessageId: string;
  /** The envelope sender (MAIL FROM), used when the message has no From. */
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

let s3: S3Client | undefined;
/** Path-style when an endpoint is configured (the local S3 emulator on loopback). */
function s3Client(): S3Client {
  return (s3 ??= new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));
}

function mailSettings() {
  const bucket = process.env.TIERDESK_MAIL_BUCKET;
  if (!bucket) throw new Error('TIERDESK_MAIL_BUCKET is not set');
  return {
    bucket,
    inboundPrefix: process.env.TIERDESK_INBOUND_PREFIX ?? INBOUND_PREFIX,
    attachmentPrefix: process.env.TIERDESK_ATTACHMENT_PREFIX ?? ATTACHMENT_PREFIX,
    addresses: (process.env.TIERDESK_INBOUND_ADDRESSES ?? '').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean),
    senderLimitPerHour: Number(process.env.TIERDESK_MAIL_SENDER_LIMIT ?? DEFAULT_SENDER_LIMIT_PER_HOUR),
  };
}

export async function ingestMail(rt: Runtime, received: ReceivedMail): Promise<IngestOutcome> {
  const settings = mailSettings();
  const rawKey = `${settings.inboundPrefix}${received.sesMessageId}`;
  if (received.verdicts.virus === 'FAIL') {
    // Kept in S3 for inspection, never opened as a ticket; the log line is what the alarm counts.
    logger.error('inbound mail quarantined: virus verdict FAIL', { rawKey, metric: 'MailQuarantined' });
    return { outcome: 'quarantined', reason: 'virus verdict FAIL' };
  }
  const object = await s3Client().send(new GetObjectCommand({ Bucket: settings.bucket, Key: rawKey }));
  const mail = await parseInboundMail(await object.Body!.transformToByteArray());
  const key = mail.messageId ?? `ses:${received.sesMessageId}`;
  const claim = await rt.store.claimIdempotency(SCOPE, key, 'mail');
  if (claim.state === 'done') return { outcome: 'duplicate', previous: claim.response.body };
  // The same mail is being handled right now (two deliveries at once): fail, and the retry finds it done.
  if (claim.state !== 'claimed') throw new MailInProgressError(`mail ${key} is being processed`);
  try {
    const outcome = await deliver(rt, settings, received, mail, { rawKey, idempotencyKey: key });
    logger.info('inbound mail', { rawKey, messageId: mail.messageId, ...outcome });
    return outcome;
  } catch (error) {
    await rt.store.releaseIdempotency(SCOPE, key, 'mail');
    throw error;
  }
}

interface Delivery {
  rawKey: string;
  idempotencyKey: string;
}

async function deliver(rt: Runtime, settings: ReturnType<typeof mailSettings>, received: ReceivedMail, parsed: InboundMail, delivery: Delivery): Promise<IngestOutcome> {
  const sender = parsed.from?.address ?? received.envelopeFrom?.toLowerCase();
  const idempotency = (body: IngestOutcome) => ({ scope: SCOPE, key: delivery.idempotencyKey, requestHash: 'mail', response: { statusCode: 200, body } });
  if (!sender) {
    const outcome = { outcome: 'ignored', reason: 'the mail names no sender' } as const;
    await rt.store.completeIdempotency(idempotency(outcome));
    return outcome;
  }
  const mail: InboundMail = parsed.from ? parsed : { ...parsed, from: { address: sender, name: '' } };
  const notifications = notificationSettings(rt.policy);
  const ownAddresses = [...settings.addresses, notifications.from, ...(notifications.replyTo ? [notifications.replyTo] : [])];
  let automated = automatedMailReason(mail, ownAddresses);
  if (!automated && (await rt.store.countInWindow(`mail-from#${sender}`, 3600)) > settings.senderLimitPerHour) {
    automated = `more than ${settings.senderLimitPerHour} mails from ${sender} this hour`;
  }
  const record: MailRecord = {
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    from: sender,
    rawKey: delivery.rawKey,
    attachments: await storeAttachments(settings, received.sesMessageId, mail),
    problems: mail.problems,
  };
  const ticket = await threadTicket(rt, mail, sender);

  if (ticket && (automated || ticket.status !== 'closed')) {
    const outcome = { outcome: automated ? 'recorded' : 'added', ticketId: ticket.id, ...(automated ? { reason: automated } : {}) } as const;
    await updateTicketWithRetry(
      rt,
      (current, ctx): Change =>
        automated
          ? recordAutomatedMail(current, mail, record, automated, ctx)
          : queueNotifications(addMailReply(current, mail, record, ctx, { kind: 'customer', id: sender })),
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
  const change = await openNewTicket(
    rt,
    {
      customer,
      ...ticketFieldsFromMail(mail, rt.policy, ticket?.caseNumber),
      channel: 'email',
      actor: { kind: 'customer', id: sender },
      authFailed: authenticationFailed(received.verdicts),
      now: Date.now(),
    },
    {
      adjust: (opened) => rememberMail(opened, mail, record),
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
  const cleaned = filename.normalize('NFKC').replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '').slice(0, 100);
  return cleaned || createHash('sha256').update(filename).digest('hex').slice(0, 16);
}
