/**
 * GET /tickets/{id}/attachments/{eventId}/{n}: the n-th attachment of a mail on a ticket's
 * timeline (the mail that opened it: event "created", or a later customer mail or automated
 * mail), for whoever may see that event: staff always; a customer key only on its own
 * customer's ticket and only on a public event. Anything else is "not found", so neither
 * tickets nor internal records can be probed.
 *
 * The file is streamed through the API (base64 in the Lambda answer, up to
 * MAX_DOWNLOAD_BYTES): @aws-sdk/s3-request-presigner, which would let a 302 point at a short-lived
 * S3 URL instead, is not a dependency (docs/intake.md). Locally the object comes from s3rver.
 *
 * The object key is never taken from the request: it is the one the ingest handler stored on the
 * event, and is checked to lie under the attachment prefix before it is read.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../shared/s3';
import { LIMITS } from '../../core/limits';
import type { MailRecord } from '../../core/mail/ticket-mail';
import { timelineOf } from '../../core/tickets/rules';
import type { TimelineEvent } from '../../core/tickets/model';
import { ATTACHMENT_PREFIX } from '../email/layout';
import { HttpError, retryableCause, type HttpResult } from '../shared/http';
import { logger, type Runtime } from '../shared/runtime';
import { visibleTicket, type Request } from './tickets';

/**
 * The largest attachment the API returns: a synchronous Lambda answer is at most 6 MB and base64
 * adds a third, so 4 MiB (5.6 MB encoded) leaves room for the headers.
 */
export const MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const EVENT_ID = new RegExp(`^(?:${UUID}|created|[A-Z][A-Z0-9]{1,9}-[0-9]{1,15}:created)$`);
const POSITION = /^[1-9][0-9]?$/;

/** The path parameters of the route beyond `{id}`, for the router and the OpenAPI document (routes.ts). */
export const ATTACHMENT_PARAMS = [
  {
    name: 'eventId',
    description: 'The timeline event the mail is on: its id, or "created" for the mail that opened the ticket. Another shape is a 404.',
    schema: { type: 'string', maxLength: 40, pattern: EVENT_ID.source },
  },
  {
    name: 'n',
    description: `Which attachment of the mail, from 1 (at most ${LIMITS.attachments} are listed). Another shape is a 404.`,
    schema: { type: 'string', maxLength: 2, pattern: POSITION.source },
  },
] as const;


export async function getAttachment(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const eventId = request.params?.eventId ?? '';
  const n = request.params?.n ?? '';
  const notFound = (why = 'no such attachment') => new HttpError(404, why);
  if (!EVENT_ID.test(eventId) || !POSITION.test(n) || Number(n) > LIMITS.attachments) throw notFound();
  const ticket = await visibleTicket(rt, request.principal, id);
  const wanted = eventId === 'created' ? `${ticket.id}:created` : eventId;
  const event = timelineOf(ticket, await rt.store.timeline(ticket.id)).find((candidate) => candidate.id === wanted);
  // A customer sees public events only: an internal record's attachment does not exist for them.
  if (!event || (request.principal.role === 'customer' && !event.public)) throw notFound(`no event ${eventId} with attachments on ticket ${ticket.id}`);
  const attachment = mailOf(event)?.attachments[Number(n) - 1];
  if (!attachment) throw notFound(`the mail of event ${eventId} has no attachment ${n}`);
  if (!attachment.key) throw notFound(`attachment ${n} (${attachment.filename}) was not kept: ${attachment.skipped ?? 'not stored'}`);
  if (attachment.size > MAX_DOWNLOAD_BYTES) throw tooLarge(attachment.size);

  const bucket = process.env.TIERDESK_MAIL_BUCKET;
  const prefix = process.env.TIERDESK_ATTACHMENT_PREFIX ?? ATTACHMENT_PREFIX;
  if (!bucket || !safeKey(attachment.key, prefix)) {
    logger.warn('attachment not served: no mail bucket, or a stored key outside the attachment prefix', { ticketId: ticket.id, eventId, hasBucket: Boolean(bucket) });
    throw notFound(`attachment ${n} is not available`);
  }
  const content = await readObject(bucket, attachment.key);
  if (!content) throw notFound(`attachment ${n} (${attachment.filename}) is no longer kept`);
  if (content.length > MAX_DOWNLOAD_BYTES) throw tooLarge(content.length);
  return {
    statusCode: 200,
    headers: {
      'content-type': servedType(attachment.contentType),
      'content-disposition': contentDisposition(attachment.filename),
      'content-length': String(content.length),
      // The file is the sender's: never rendered or sniffed as a page of the API's origin.
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    },
    body: content.toString('base64'),
    isBase64Encoded: true,
  };
}

function mailOf(event: TimelineEvent): MailRecord | undefined {
  const mail = event.data?.mail as MailRecord | undefined;
  return mail && Array.isArray(mail.attachments) ? mail : undefined;
}

function tooLarge(size: number): HttpError {
  return new HttpError(413, `the attachment is ${size} bytes; the API returns attachments of at most ${MAX_DOWNLOAD_BYTES} bytes (the raw mail is kept in the mail bucket)`);
}

/** A key the ingest handler could have written: under the prefix, bounded, no path tricks or control characters. */
export function safeKey(key: string, prefix: string): boolean {
  return (
    key.length <= LIMITS.objectKey &&
    key.startsWith(prefix) &&
    !key.split('/').some((segment) => segment === '..' || segment === '.') &&
    !/[\u0000-\u001f\u007f\\]/.test(key)
  );
}

/** The object's bytes, or undefined when S3 has no such object; a throttled or failing S3 is thrown (a 503). */
async function readObject(bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const object = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (object.ContentLength !== undefined && object.ContentLength > MAX_DOWNLOAD_BYTES) {
      await object.Body?.transformToByteArray().catch(() => undefined);
      throw tooLarge(object.ContentLength);
    }
    return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0);
  } catch (error) {
    if (error instanceof HttpError || retryableCause(error)) throw error;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === 'NoSuchKey' || status === 404) return undefined;
    throw error;
  }
}

/** The stored type when it is a plain `type/subtype`; anything else as bytes. */
function servedType(contentType: string): string {
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/i.test(contentType) ? contentType.toLowerCase() : 'application/octet-stream';
}

/** Always a download, never shown inline; the name as the sender wrote it (RFC 6266 / 8187), with a plain ASCII fallback. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_').trim() || 'attachment';
  const wellFormed = filename.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const encoded = encodeURIComponent(wellFormed).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
