/**
 * Sends a ticket's notifications through Amazon SES (the real client; locally
 * AWS_ENDPOINT_URL_SES points it at the emulator of local/ses.ts).
 *
 * One SendRawEmail per address: recipients never see each other's addresses (customer and staff
 * mails mix), a rejected address costs only its own mail, and SES bills per recipient either
 * way. Every notification is rendered before the first send, so a bug in a caller fails before
 * anything went out. The message is composed here (nodemailer's MailComposer) rather than by SES,
 * because mail to the requester of a ticket opened by email must answer their mail: In-Reply-To
 * and References name the customer's Message-IDs (Ticket.mailThread), so their mail program
 * keeps one thread. SES's SendEmail cannot set those headers.
 *
 * Errors: an address SES refuses for good (MessageRejected, an invalid address) is reported in
 * `rejected` and the rest go on. Anything else — throttling, an outage, a sending identity or
 * configuration problem — is thrown as a SesSendError naming what was delivered before it; the
 * ticket workflow keeps the rest queued and tries again with back-off (functions/workflow/step.ts).
 * Delivery is at-least-once: a notification that failed part-way is sent again whole.
 *
 * Suppressed addresses (a permanent bounce or a complaint, docs/mail-feedback.md) are not sent to:
 * one BatchGetItem per send finds them, and each is reported in `skipped` with the reason, which
 * the workflow's 'notification-sent' event puts on the ticket's timeline. Every mail carries the
 * stack's SES configuration set (TIERDESK_SES_CONFIGURATION_SET), whose bounce and complaint
 * events come back to functions/email/feedback.ts; locally the variable is absent and none is set.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import MailComposer from 'nodemailer/lib/mail-composer';
import { normaliseEmail } from '../../core/customer-rules';
import { type Notification, type RecipientContext, renderNotification, type SkippedRecipient } from '../../core/notifications/render';
import type { NotificationKind } from '../../core/notifications/templates';
import type { Policy } from '../../core/policy/schema';
import type { Ticket } from '../../core/tickets/model';
import { count, METRIC } from '../shared/metrics';
import { logger } from '../shared/runtime';
import { CONFIGURATION_SET_ENV, type Suppression, SuppressionStore } from '../store/suppressions';

export interface NotificationResult {
  kind: NotificationKind;
  ticketId: string;
  caseNumber: string;
  /** The timeline event the notification is about, when it named one. */
  eventId?: string;
  subject: string;
  /** One entry per delivered address; SES's MessageId is what a reply's In-Reply-To points back to. */
  sent: { to: string; messageId: string }[];
  /** Addresses SES refused for good; retrying would not help. */
  rejected: { to: string; error: string; message: string }[];
  /**
   * Recipients that resolved to no address (see core/notifications/render.ts), and addresses not
   * mailed because they are suppressed (`recipient` is the address, `reason` starts "suppressed:").
   */
  skipped: SkippedRecipient[];
}

/** What the sender needs: the policy, and optionally a client (tests; otherwise one per container). */
export interface NotificationRuntime {
  policy: Policy;
  ses?: SESClient;
  /**
   * The table holding the suppression list (the handler's DynamoStore). Without it the list is read
   * from TIERDESK_TABLE when that is set, else no address is suppressed (a sender used on its own).
   */
  store?: { tableName: string; doc: DynamoDBDocumentClient };
}

/** A send that may succeed later: the ticket workflow keeps what was not delivered queued and tries again. */
export class SesSendError extends Error {
  override name = 'SesSendError';
  constructor(
    message: string,
    override readonly cause: unknown,
    /**
     * The notifications handled to the end before the failure, in order (the first
     * `delivered.length` of those given). The one that failed may have reached some of its
     * addresses; it is sent again whole.
     */
    readonly delivered: NotificationResult[],
  ) {
    super(message);
  }
}

/** Refusals of one message or address; every other error is retried. */
const PERMANENT = new Set(['MessageRejected', 'InvalidParameterValue']);

let client: SESClient | undefined;
const suppressionStores = new WeakMap<object, SuppressionStore>();
let envSuppressions: SuppressionStore | undefined;

function suppressionStore(rt: Pick<NotificationRuntime, 'store'>): SuppressionStore | undefined {
  if (rt.store) {
    let found = suppressionStores.get(rt.store);
    if (!found) suppressionStores.set(rt.store, (found = new SuppressionStore(rt.store.tableName, rt.store.doc)));
    return found;
  }
  const table = process.env.TIERDESK_TABLE;
  if (!table) return undefined;
  return (envSuppressions ??= new SuppressionStore(table, DynamoDBDocumentClient.from(new DynamoDBClient({}))));
}

/** The suppressed ones among the addresses; a failed read is a send that may succeed later (SesSendError). */
async function suppressedAmong(rt: Pick<NotificationRuntime, 'store'>, addresses: string[]): Promise<Map<string, Suppression>> {
  const store = suppressionStore(rt);
  if (!store || addresses.length === 0) return new Map();
  try {
    return await store.suppressedAmong(addresses);
  } catch (error) {
    throw new SesSendError(`the suppression list could not be read: ${(error as Error).name}: ${(error as Error).message}`, error, []);
  }
}

/** The configuration set every mail is sent with (its bounces and complaints come back), when the stack set one. */
function configurationSet(): { ConfigurationSetName?: string } {
  const name = process.env[CONFIGURATION_SET_ENV];
  return name ? { ConfigurationSetName: name } : {};
}

/** `recipients`: the staff directory and the customer's account team (functions/shared/staff-directory.ts); without it, the policy's notifications section alone. */
export async function sendNotifications(rt: NotificationRuntime, ticket: Ticket, notifications: readonly Notification[], recipients: RecipientContext = {}): Promise<NotificationResult[]> {
  const ses = rt.ses ?? (client ??= new SESClient({}));
  const rendered = notifications.map((notification) => renderNotification(rt.policy, ticket, notification, recipients));
  const suppressed = await suppressedAmong(
    rt,
    rendered.flatMap((mail) => mail.to),
  );
  const results: NotificationResult[] = [];
  for (const mail of rendered) {
    const result: NotificationResult = {
      kind: mail.kind,
      ticketId: mail.ticketId,
      caseNumber: mail.caseNumber,
      ...(mail.eventId ? { eventId: mail.eventId } : {}),
      subject: mail.subject,
      sent: [],
      rejected: [],
      skipped: [...mail.skipped],
    };
    for (const to of mail.to) {
      const suppression = suppressed.get(normaliseEmail(to));
      if (suppression) {
        result.skipped.push({ recipient: to, reason: `suppressed: ${suppression.detail}` });
        continue;
      }
      try {
        const raw = await composeMail(mail, to, to === ticket.requester.email ? ticket.mailThread : undefined);
        const output = await ses.send(new SendRawEmailCommand({ Source: mail.from, Destinations: [to], RawMessage: { Data: raw }, ...configurationSet() }));
        result.sent.push({ to, messageId: output.MessageId ?? '' });
        count(METRIC.mailSent);
      } catch (error) {
        const name = (error as Error).name;
        if (!PERMANENT.has(name)) {
          count(METRIC.mailSendFailures);
          throw new SesSendError(`SES did not accept ${mail.kind} mail of ${mail.caseNumber}: ${name}: ${(error as Error).message}`, error, results);
        }
        result.rejected.push({ to, error: name, message: (error as Error).message });
      }
    }
    if (result.skipped.length || result.rejected.length) {
      logger.warn('notification not delivered to every recipient', {
        caseNumber: mail.caseNumber,
        kind: mail.kind,
        skipped: result.skipped,
        rejected: result.rejected,
      });
    }
    results.push(result);
  }
  return results;
}

/** What a composed mail needs: a rendered notification, or a support period's mail (core/periods/mails.ts). */
export interface MailContent {
  from: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
}

/** The MIME message for one address; a reply to the customer's mail thread when `thread` names their Message-IDs. */
export function composeMail(mail: MailContent, to: string, thread: readonly string[] | undefined): Promise<Buffer> {
  return new MailComposer({
    from: mail.from,
    to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    ...(thread?.length ? { inReplyTo: thread[thread.length - 1], references: [...thread] } : {}),
  })
    .compile()
    .build();
}

/**
 * One mail to one address, outside a ticket (a support period's notice, start and summary). A
 * refusal for good is thrown as is; anything else as SesSendError, for the state machine's retry.
 * A suppressed address is not mailed: logged, and '' is returned instead of a message id.
 */
export async function sendMail(rt: Pick<NotificationRuntime, 'ses' | 'store'>, mail: MailContent & { to: string }): Promise<string> {
  const ses = rt.ses ?? (client ??= new SESClient({}));
  const suppression = (await suppressedAmong(rt, [mail.to])).get(normaliseEmail(mail.to));
  if (suppression) {
    logger.warn('mail not sent: the address is suppressed', { subject: mail.subject, reason: suppression.detail });
    return '';
  }
  try {
    const output = await ses.send(new SendRawEmailCommand({ Source: mail.from, Destinations: [mail.to], RawMessage: { Data: await composeMail(mail, mail.to, undefined) }, ...configurationSet() }));
    count(METRIC.mailSent);
    return output.MessageId ?? '';
  } catch (error) {
    if (PERMANENT.has((error as Error).name)) throw error;
    count(METRIC.mailSendFailures);
    throw new SesSendError(`SES did not accept the mail "${mail.subject}": ${(error as Error).name}: ${(error as Error).message}`, error, []);
  }
}
