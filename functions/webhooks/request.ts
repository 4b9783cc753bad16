/**
 * A webhook delivery as the handlers see it: the route, the integration, the exact bytes,
 * lower-cased headers. The route and every header the handlers read are bounded here, before
 * anything is looked up: a public route answers a malformed path or an oversized header with a
 * 400 naming it, never a 5xx.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LIMITS } from '../../core/limits';
import type { Integration } from '../../core/webhooks/integrations';
import {
  STANDARD_ID_HEADER,
  STANDARD_SIGNATURE_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  TIERDESK_SIGNATURE_HEADER,
  TWILIO_SIGNATURE_HEADER,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from '../../core/webhooks/signatures';
import { HttpError } from '../shared/http';

export interface Delivery<I extends Integration = Integration> {
  integration: I;
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
  /** The URL as the sender called it (scheme, host, path, query): Twilio signs it. */
  url: string;
  /** Path and query as received. */
  pathAndQuery: string;
  now: number;
}

export type Route = { kinds: Integration['kind'][]; id: string; token?: string };

/**
 * `/webhooks/{id}`, `/webhooks/twilio/{id}`, `/webhooks/cti/{id}/{token}`; undefined for any other
 * path (404). A segment over LIMITS.pathSegment or with malformed percent-encoding is a 400.
 */
export function routeOf(rawPath: string): Route | undefined {
  const raw = rawPath.replace(/\/+$/, '').split('/').slice(1);
  if (raw.length > 4) return undefined;
  const parts = raw.map((segment) => {
    if (segment.length > LIMITS.pathSegment) throw new HttpError(400, `a path segment is over ${LIMITS.pathSegment} characters`, { field: 'path' });
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new HttpError(400, 'the path has malformed percent-encoding', { field: 'path' });
    }
  });
  if (parts[0] !== 'webhooks') return undefined;
  if (parts[1] === 'twilio' && parts.length === 3) return { kinds: ['twilio'], id: parts[2]! };
  if (parts[1] === 'cti' && parts.length === 4) return { kinds: ['cti'], id: parts[2]!, token: parts[3]! };
  if (parts.length === 2) return { kinds: ['generic', 'chat'], id: parts[1]! };
  return undefined;
}

/** Every header a delivery may be read by (the integration's event id header besides). */
const READ_HEADERS = [
  'content-type',
  'host',
  'x-forwarded-host',
  'x-forwarded-proto',
  TIERDESK_SIGNATURE_HEADER,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
  TWILIO_SIGNATURE_HEADER,
  STANDARD_ID_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  STANDARD_SIGNATURE_HEADER,
];

export function deliveryOf<I extends Integration>(integration: I, event: APIGatewayProxyEventV2, now: number): Delivery<I> {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const eventIdHeader = integration.kind === 'generic' && integration.eventId && 'header' in integration.eventId ? [integration.eventId.header.toLowerCase()] : [];
  for (const name of [...READ_HEADERS, ...eventIdHeader]) {
    if ((headers[name]?.length ?? 0) > LIMITS.header) throw new HttpError(400, `the ${name} header is over ${LIMITS.header} characters`, { field: name });
  }
  // Only Twilio reads the query (it signs the URL, and `bodySHA256` is in it); a vendor configures it, so it is short.
  if ((event.rawQueryString?.length ?? 0) > LIMITS.header) throw new HttpError(400, `the query string is over ${LIMITS.header} characters`, { field: 'query' });
  const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const pathAndQuery = `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const host = headers['x-forwarded-host'] ?? headers.host ?? event.requestContext.domainName;
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
  const scheme = headers['x-forwarded-proto'] ?? (loopback ? 'http' : 'https');
  return { integration, rawBody, headers, url: `${scheme}://${host}${pathAndQuery}`, pathAndQuery, now };
}
