/**
 * GET /tickets/{id}/attachments/{eventId}/{n}: the n-th attachment of a mail on a ticket's
 * timeline (the mail that opened it: event "created", or a later customer mail or automated
 * mail), for whoever may see that event: staff always; a customer key only on its own
 * customer's ticket and only on a public event. Anything else is "not found", so neither
 * tickets nor internal records can be probed.
 *
 * The answer is a 302 to a presigned S3 GET of the object, valid DOWNLOAD_URL_SECONDS, that makes
 * S3 serve it as a download under the name as mailed: the file never passes through the Lambda
 * answer (6 MB at most), so its size is bounded only by what ingest keeps. The same code runs
 * locally, where the URL points at the s3rver on loopback (AWS_ENDPOINT_URL_S3).
 *
 * Asked with `Accept: application/json`, the route answers the same link as a 200 instead (a
 * browser's fetch cannot follow the redirect to S3, another origin, and a plain link carries no
 * Authorization header): the console fetches the link and then opens the URL.
 *
 * The object key is never taken from the request: it is the one the ingest handler stored on the
 * event, and is checked to lie under the attachment prefix before a URL is signed for it.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LIMITS } from '../../core/limits';
import type { MailRecord } from '../../core/mail/ticket-mail';
import type { TimelineEvent } from '../../core/tickets/model';
import { timelineOf } from '../../core/tickets/rules';
import { ATTACHMENT_PREFIX } from '../email/layout';
import { HttpError, type HttpResult } from '../shared/http';
import { logger, type Runtime } from '../shared/runtime';
import { s3Client } from '../shared/s3';
import { mayReadEvent, type Request, visibleTicket } from './tickets';

/**
 * How long a download URL works. Long enough to follow the redirect on a slow link (S3 checks the
 * expiry when the GET starts, not when it ends); short, because whoever holds the URL may use it.
 */
export const DOWNLOAD_URL_SECONDS = 300;

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

/** The route's success in the OpenAPI document (routes.ts): a redirect, not the file. */
export const ATTACHMENT_REDIRECT = {
  description:
    `A redirect to a presigned S3 GET of the file, valid ${DOWNLOAD_URL_SECONDS / 60} minutes and needing no API key (so never share it): ` +
    'S3 serves the file as a download (Content-Disposition: attachment with the name as mailed, and its content type). The body repeats the URL for clients that do not follow redirects. ' +
    "With `Accept: application/json` the answer is a 200 with this body and no redirect (a browser's fetch cannot follow a redirect to S3).",
  headers: { Location: { description: 'The presigned URL', schema: { type: 'string', format: 'uri' } } },
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['url', 'expiresAt', 'filename', 'size'],
        properties: {
          url: { type: 'string', format: 'uri' },
          expiresAt: { type: 'string', format: 'date-time', description: 'When the URL stops working' },
          filename: { type: 'string', description: 'The name as mailed' },
          size: { type: 'integer', description: 'Bytes' },
        },
      },
    },
  },
} as const;

export async function getAttachment(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const eventId = request.params?.eventId ?? '';
  const n = request.params?.n ?? '';
  const notFound = (why = 'no such attachment') => new HttpError(404, why);
  if (!EVENT_ID.test(eventId) || !POSITION.test(n) || Number(n) > LIMITS.attachments) throw notFound();
  const ticket = await visibleTicket(rt, request.principal, id);
  const wanted = eventId === 'created' ? `${ticket.id}:created` : eventId;
  const event = timelineOf(ticket, await rt.store.timeline(ticket.id)).find((candidate) => candidate.id === wanted);
  // A customer sees public events only: an internal record's attachment does not exist for them.
  if (!event || !mayReadEvent(rt, request.principal, ticket, event)) throw notFound(`no event ${eventId} with attachments on ticket ${ticket.id}`);
  const attachment = mailOf(event)?.attachments[Number(n) - 1];
  if (!attachment) throw notFound(`the mail of event ${eventId} has no attachment ${n}`);
  if (!attachment.key) throw notFound(`attachment ${n} (${attachment.filename}) was not kept: ${attachment.skipped ?? 'not stored'}`);

  const bucket = process.env.TIERDESK_MAIL_BUCKET;
  const prefix = process.env.TIERDESK_ATTACHMENT_PREFIX ?? ATTACHMENT_PREFIX;
  if (!bucket || !safeKey(attachment.key, prefix)) {
    logger.warn('attachment not served: no mail bucket, or a stored key outside the attachment prefix', { ticketId: ticket.id, eventId, hasBucket: Boolean(bucket) });
    throw notFound(`attachment ${n} is not available`);
  }
  // Signing is computed here, without a call to S3. The response-* parameters are part of the
  // signature: S3 serves the file as a download under the name as mailed, with a type checked here.
  const url = await getSignedUrl(
    s3Client(),
    new GetObjectCommand({
      Bucket: bucket,
      Key: attachment.key,
      ResponseContentDisposition: contentDisposition(attachment.filename),
      ResponseContentType: servedType(attachment.contentType),
      ResponseCacheControl: 'private, no-store',
    }),
    { expiresIn: DOWNLOAD_URL_SECONDS },
  );
  const expiresAt = new Date(Date.now() + DOWNLOAD_URL_SECONDS * 1000).toISOString();
  const link = JSON.stringify({ url, expiresAt, filename: attachment.filename, size: attachment.size });
  // A browser's fetch follows a redirect itself and cannot follow one to S3 (another origin, no
  // bucket CORS), so the console asks for JSON and opens the URL: the same answer, without the redirect.
  if (wantsJson(request.headers.accept)) return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'private, no-store' }, body: link };
  return {
    statusCode: 302,
    // The URL is a credential for its lifetime: never cached by a browser or proxy.
    headers: { location: url, 'content-type': 'application/json', 'cache-control': 'private, no-store' },
    // For a client that does not follow redirects: the same URL, and until when it works.
    body: link,
  };
}

/** `Accept: application/json` (alone, or ranked above anything else the client takes): the link as a 200 answer. */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranked = accept
    .slice(0, 1000)
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find(Boolean);
      return { type: type.trim(), q: q === undefined ? 1 : Number(q) };
    });
  const json = ranked.find((entry) => entry.type === 'application/json')?.q ?? 0;
  return json > 0 && ranked.every((entry) => entry.type === 'application/json' || entry.q < json);
}

function mailOf(event: TimelineEvent): MailRecord | undefined {
  const mail = event.data?.mail as MailRecord | undefined;
  return mail && Array.isArray(mail.attachments) ? mail : undefined;
}

/** A key the ingest handler could have written: under the prefix, bounded, no path tricks or control characters. */
export function safeKey(key: string, prefix: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the key must not hold
  return key.length <= LIMITS.objectKey && key.startsWith(prefix) && !key.split('/').some((segment) => segment === '..' || segment === '.') && !/[\u0000-\u001f\u007f\\]/.test(key);
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
