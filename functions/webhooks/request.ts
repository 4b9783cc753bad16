/** A webhook delivery as the handlers see it: the integration, the exact bytes, lower-cased headers. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Integration } from '../../core/webhooks/integrations';

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

export function deliveryOf<I extends Integration>(integration: I, event: APIGatewayProxyEventV2, now: number): Delivery<I> {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const pathAndQuery = `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const host = headers['x-forwarded-host'] ?? headers.host ?? event.requestContext.domainName;
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
  const scheme = headers['x-forwarded-proto'] ?? (loopback ? 'http' : 'https');
  return { integration, rawBody, headers, url: `${scheme}://${host}${pathAndQuery}`, pathAndQuery, now };
}
