/**
 * SES feedback (lib/email/feedback.ts, docs/mail-feedback.md): SES publishes the bounces and
 * complaints of mail sent with the stack's configuration set to EventBridge, whose rule invokes
 * this function asynchronously with one event each. core/mail/feedback.ts validates it and
 * decides; this handler
 *  1. suppresses the addresses of a permanent bounce or a complaint (functions/store/suppressions.ts),
 *  2. records an internal 'mail-bounced' / 'mail-complaint' event on the ticket whose mail it was
 *     (found by the Message-ID link the workflow wrote when it sent the mail).
 * Both writes are idempotent: the suppression is a plain put and the event's id and instant come
 * from SES's feedback id, so a redelivery records nothing twice. A notification that is not a
 * valid bounce or complaint is logged and dropped (returning normally: a retry would not make it
 * valid); a storage error is thrown, so Lambda retries the event and then parks it in the
 * dead-letter queue, which raises an alarm.
 */

import { type FeedbackKind, feedbackEvent, parseFeedback, suppressionReason } from '../../core/mail/feedback';
import { sesMessageId } from '../../core/mail/threading';
import { logger } from '../shared/container';
import { lambdaHandler } from '../shared/lambda-handler';
import { getPlainStore } from '../shared/plain-store';
import { ConditionFailed, TICKET_LINKS } from '../store/dynamo-store';
import { CONFIGURATION_SET_ENV, SuppressionStore } from '../store/suppressions';

export type FeedbackOutcome =
  | { outcome: 'dropped' | 'ignored'; reason: string }
  | {
      outcome: 'recorded' | 'duplicate' | 'no-ticket';
      kind: FeedbackKind;
      ticketId?: string;
      /** Addresses now suppressed (none for a transient bounce). */
      suppressed: string[];
    };

let suppressions: SuppressionStore | undefined;

export async function handleFeedback(event: unknown): Promise<FeedbackOutcome> {
  const parsed = parseFeedback(event);
  if (parsed.outcome === 'malformed') {
    logger.warn('SES feedback dropped: not a valid bounce or complaint', { reason: parsed.reason });
    return { outcome: 'dropped', reason: parsed.reason };
  }
  if (parsed.outcome === 'ignored') {
    logger.info('SES feedback ignored', { reason: parsed.reason });
    return { outcome: 'ignored', reason: parsed.reason };
  }
  const feedback = parsed.feedback;
  // The rule matches the configuration set already; this keeps another sender's mail in the account
  // (e.g. a test wired by hand) from suppressing the desk's addresses.
  const ownSet = process.env[CONFIGURATION_SET_ENV];
  if (ownSet && feedback.configurationSet && feedback.configurationSet !== ownSet) {
    const reason = `mail of configuration set ${feedback.configurationSet}, not the desk's (${ownSet})`;
    logger.info('SES feedback ignored', { reason });
    return { outcome: 'ignored', reason };
  }

  const store = getPlainStore();
  suppressions ??= new SuppressionStore(store.tableName, store.doc);
  // The Message-ID SES gave the mail, as the workflow linked it to its ticket (functions/workflow/step.ts).
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const linked = await store.ticketLinkedTo([TICKET_LINKS.mail(sesMessageId(feedback.sesMessageId, region))]);
  const ticketId = linked && (await store.getTicket(linked)) ? linked : undefined;

  // Suppress first: both writes are idempotent, so a retry after a failure between them completes both.
  const suppressed: string[] = [];
  if (feedback.suppress) {
    for (const recipient of feedback.recipients) {
      await suppressions.suppress({
        address: recipient.address,
        reason: feedback.kind,
        type: feedback.type,
        detail: suppressionReason(feedback, recipient.diagnostic),
        at: feedback.at,
        sesMessageId: feedback.sesMessageId,
        ...(ticketId ? { ticketId } : {}),
      });
      suppressed.push(recipient.address);
    }
  }

  let outcome: 'recorded' | 'duplicate' | 'no-ticket' = 'no-ticket';
  if (ticketId) {
    try {
      await store.addEvents([feedbackEvent(feedback, ticketId)]);
      outcome = 'recorded';
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      outcome = 'duplicate'; // the event of this very feedback is on the timeline already
    }
  }
  logger.info('SES feedback handled', {
    outcome,
    kind: feedback.kind,
    type: feedback.type,
    feedbackId: feedback.feedbackId,
    sesMessageId: feedback.sesMessageId,
    ...(ticketId ? { ticketId } : {}),
    recipients: feedback.recipients.length,
    suppressed: suppressed.length,
  });
  return { outcome, kind: feedback.kind, ...(ticketId ? { ticketId } : {}), suppressed };
}

export const handler = lambdaHandler(handleFeedback);
