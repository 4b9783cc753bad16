/**
 * Webhook authentication, pure: each verifier takes what the request carried (headers, the raw
 * body bytes, the URL) plus the configured secrets and the current time, and answers with a
 * result object. None throws, whatever the input: a hostile header, a truncated body or a URL
 * that does not parse is a failed verification, never an exception.
 *
 * Comparisons are constant-time: signatures are decoded to bytes and compared with
 * `crypto.timingSafeEqual` against digests of the same, algorithm-fixed length; tokens of
 * unknown length are hashed first so that neither their content nor their length leaks.
 *
 * Schemes:
 * - tierdesk's own (`X-Tierdesk-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`), HMAC-SHA256
 *   over `${t}.${rawBody}`, several secrets while rotating;
 * - Zendesk's (`X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256 over timestamp + body, the
 *   timestamp from `X-Zendesk-Webhook-Signature-Timestamp`);
 * - Twilio's (`X-Twilio-Signature` = base64 HMAC-SHA1 over the URL and the sorted form
 *   parameters, or over the URL alone with a `bodySHA256` query parameter for JSON bodies),
 *   accepting what the `twilio` library's `validateRequest` accepts;
 * - Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature: v1,<base64>`, HMAC-SHA256
 *   over `${webhook-id}.${webhook-timestamp}.${rawBody}` with a `whsec_<base64>` secret, so the event
 *   id is signed too (checked against the `standardwebhooks` package in the tests);
 * - a secret token in the URL path (Zammad's generic CTI API, `/api/v1/cti/<token>`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type VerifyFailure = 'missing' | 'malformed' | 'expired' | 'mismatch';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

/** The raw request body: the exact bytes received. A string is read as UTF-8. */
export type RawBody = string | Uint8Array;

export const TIERDESK_SIGNATURE_HEADER = 'x-tierdesk-signature';
export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** Five minutes either way, as Stripe and Slack use for the same kind of replay window. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** More signatures than this in one header is not rotation but an attempt to multiply work. */
const MAX_SIGNATURES_PER_HEADER = 8;
/** Header values beyond this are refused before any parsing (real ones are ~100 characters). */
const MAX_HEADER_LENGTH = 4096;

const OK: VerifyResult = { ok: true };
const fail = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------
// shared helpers

function bodyBytes(rawBody: RawBody | undefined | null): Buffer | undefined {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  return undefined;
}

/** Secrets worth trying: non-empty strings (an empty HMAC key is a key everyone knows). */
function usableSecrets(secrets: readonly unknown[] | undefined | null): string[] {
  return Array.isArray(secrets) ? secrets.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

/** Equal-length buffers compared in constant time; different lengths are unequal (lengths are public here). */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Constant-time equality of two strings of any length: compares SHA-256 digests, so the time
 * depends on neither where they first differ nor (beyond hashing) how long the secret one is.
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  if (typeof given !== 'string' || typeof expected !== 'string') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  // The digest comparison decides; the length check only rules out SHA-256 collisions.
  return timingSafeEqual(a, b) && given.length === expected.length;
}

const HEX_64 = /^[0-9a-fA-F]{64}$/;
/** Standard base64 of `bytes` bytes, padded, nothing else (Buffer.from(…, 'base64') is lenient). */
function strictBase64(value: string, bytes: number): Buffer | undefined {
  const chars = Math.ceil(bytes / 3) * 4;
  const padding = (3 - (bytes % 3)) % 3;
  const pattern = new RegExp(`^[A-Za-z0-9+/]{${chars - padding}}${'='.repeat(padding)}$`);
  if (!pattern.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === bytes ? decoded : undefined;
}

/** Is `nowSeconds` within `toleranceSeconds` of `thenSeconds`, either way? Fails closed on NaN. */
function withinTolerance(thenSeconds: number, nowSeconds: number, toleranceSeconds: number): boolean {
  return Math.abs(nowSeconds - thenSeconds) <= toleranceSeconds;
}

// ---------------------------------------------------------------------------------------------
// tierdesk: X-Tierdesk-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]

function tierdeskDigest(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}

/**
 * The `X-Tierdesk-Signature` value for a delivery of `rawBody` at `nowSeconds` (floored to whole
 * seconds). Senders put it in the header; receivers check it with `verifyTierdeskSignature`.
 */
export function signTierdeskPayload(secret: string, rawBody: RawBody, nowSeconds: number): string {
  const t = String(Math.floor(nowSeconds));
  const body = bodyBytes(rawBody) ?? Buffer.alloc(0);
  return `t=${t},v1=${tierdeskDigest(secret, t, body).toString('hex')}`;
}

export interface ParsedTierdeskHeader {
  timestamp: string;
  seconds: number;
  signatures: Buffer[];
}

/**
 * Parses `t=<digits>,v1=<64 hex>[,v1=…]`. Elements are comma-separated `key=value` pairs with
 * optional whitespace around them; unknown keys (a future `v2=`) are ignored, so that a sender
 * can add a scheme before receivers know it. Exactly one `t` and at least one `v1` are required.
 */
export function parseTierdeskHeader(header: string): ParsedTierdeskHeader | undefined {
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return undefined;
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const element of header.split(',')) {
    const eq = element.indexOf('=');
    if (eq <= 0) return undefined;
    const key = element.slice(0, eq).trim();
    const value = element.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = value;
    } else if (key === 'v1') {
      if (!HEX_64.test(value)) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    } else if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      return undefined;
    }
  }
  if (timestamp === undefined || signatures.length === 0 || signatures.length > MAX_SIGNATURES_PER_HEADER) return undefined;
  return { timestamp, seconds: Number(timestamp), signatures };
}

export interface TierdeskVerifyInput {
  /** The `X-Tierdesk-Signature` header value (undefined when absent). */
  header: string | undefined | null;
  /** The body exactly as received: bytes, before any JSON parsing. */
  rawBody: RawBody;
  /** The integration's secrets; several while rotating (any one may have signed). */
  secrets: readonly string[];
  nowSeconds: number;
  /** How far the signed time may be from now, either way. Default 300. */
  toleranceSeconds?: number;
}

/**
 * Checks a tierdesk-signed delivery. In order: no header → 'missing'; unparsable header →
 * 'malformed'; signed time more than the tolerance before or after now → 'expired'; no `v1`
 * matching any secret → 'mismatch'.
 */
export function verifyTierdeskSignature(input: TierdeskVerifyInput): VerifyResult {
  try {
    const { header, rawBody, secrets, nowSeconds, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
    if (header === undefined || header === null || (typeof header === 'string' && header.trim() === '')) return fail('missing');
    const parsed = parseTierdeskHeader(header);
    const body = bodyBytes(rawBody);
    if (!parsed || !body) return fail('malformed');
    if (!withinTolerance(parsed.seconds, nowSeconds, toleranceSeconds)) return fail('expired');
    let matched = false;
    for (const secret of usableSecrets(secrets)) {
      const expected = tierdeskDigest(secret, parsed.timestamp, body);
      // No early exit: every candidate is compared, and `||` would skip comparisons.
      for (const given of parsed.signatures) matched = bytesEqual(given, expected) || matched;
    }
    return matched ? OK : fail('mismatch');
  } catch {
    return fail('malformed');
  }
}

// ---------------------------------------------------------------------------------------------
// Zendesk: base64(HMAC-SHA256(secret, timestamp + body))

/**
 * An ISO-8601 instant as Zendesk writes it (`2026-11-23T14:44:16Z`; fractions and numeric
 * offsets accepted). Dates alone, week dates and times without a zone are refused: a signed
 * time must be unambiguous.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

function parseIsoSeconds(timestamp: string): number | undefined {
  if (!ISO_INSTANT.test(timestamp)) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

function zendeskDigest(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(timestamp, 'utf8').update(body).digest();
}

/** The `X-Zendesk-Webhook-Signature` value Zendesk would send (for tests and replaying fixtures). */
export function signZendeskPayload(secret: string, rawBody: RawBody, timestamp: string): string {
  return zendeskDigest(secret, timestamp, bodyBytes(rawBody) ?? Buffer.alloc(0)).toString('base64');
}

export interface ZendeskVerifyInput {
  /** `X-Zendesk-Webhook-Signature`. */
  signature: string | undefined | null;
  /** `X-Zendesk-Webhook-Signature-Timestamp`, signed exactly as received. */
  timestamp: string | undefined | null;
  rawBody: RawBody;
  /** The webhook's signing secrets (several while rotating). */
  secrets: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}

/**
 * Checks a Zendesk webhook: the signature over the timestamp header followed directly by the raw
 * body (no separator), and the timestamp within the tolerance of now. A body-less request
 * (GET, DELETE) is signed over the timestamp alone; pass an empty body.
 */
export function verifyZendeskSignature(input: ZendeskVerifyInput): VerifyResult {
  try {
    const { signature, timestamp, rawBody, secrets, nowSeconds, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
    if (!signature || !timestamp) return fail('missing');
    if (typeof signature !== 'string' || typeof timestamp !== 'string') return fail('malformed');
    const given = strictBase64(signature.trim(), 32);
    const seconds = parseIsoSeconds(timestamp);
    const body = bodyBytes(rawBody);
    if (!given || seconds === undefined || !body) return fail('malformed');
    if (!withinTolerance(seconds, nowSeconds, toleranceSeconds)) return fail('expired');
    let matched = false;
    for (const secret of usableSecrets(secrets)) matched = bytesEqual(given, zendeskDigest(secret, timestamp, body)) || matched;
    return matched ? OK : fail('mismatch');
  } catch {
    return fail('malformed');
  }
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks: webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>[ v1,…]

export const STANDARD_ID_HEADER = 'webhook-id';
export const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp';
export const STANDARD_SIGNATURE_HEADER = 'webhook-signature';

const STANDARD_SECRET_PREFIX = 'whsec_';
/** Standard, padded base64 — what the spec's libraries decode (they refuse anything else). */
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})+$|^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_` (optional) and standard base64, as the
 * spec's libraries read it; undefined for anything else (such a secret verifies nothing).
 */
export function standardWebhookKey(secret: string): Buffer | undefined {
  if (typeof secret !== 'string') return undefined;
  const encoded = secret.startsWith(STANDARD_SECRET_PREFIX) ? secret.slice(STANDARD_SECRET_PREFIX.length) : secret;
  if (!PADDED_BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : undefined;
}

export interface StandardVerifyInput {
  /** `webhook-id`: the event's id, signed (a retry carries the same one). */
  id: string | undefined | null;
  /** `webhook-timestamp`: unix seconds, signed exactly as received. */
  timestamp: string | undefined | null;
  /** `webhook-signature`: space-separated `v1,<base64>` entries (other versions are skipped). */
  signature: string | undefined | null;
  rawBody: RawBody;
  /** `whsec_<base64>` secrets (several while rotating). */
  secrets: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}

/**
 * Checks a Standard Webhooks delivery: all three headers present ('missing'), a numeric
 * timestamp and well-formed `v1` signatures ('malformed'), the timestamp within the tolerance
 * ('expired'), and a `v1` signature by one of the secrets over `id.timestamp.body` ('mismatch').
 */
export function verifyStandardWebhook(input: StandardVerifyInput): VerifyResult {
  try {
    const { id, timestamp, signature, rawBody, secrets, nowSeconds, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
    if (!id || !timestamp || !signature) return fail('missing');
    if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return fail('malformed');
    if (id.length > MAX_HEADER_LENGTH || signature.length > MAX_HEADER_LENGTH || !/^\d{1,12}$/.test(timestamp)) return fail('malformed');
    const body = bodyBytes(rawBody);
    const entries = signature.split(' ').filter((entry) => entry !== '');
    if (!body || entries.length === 0 || entries.length > MAX_SIGNATURES_PER_HEADER) return fail('malformed');
    const given: Buffer[] = [];
    for (const entry of entries) {
      const comma = entry.indexOf(',');
      if (comma <= 0) return fail('malformed');
      if (entry.slice(0, comma) !== 'v1') continue; // e.g. v1a (asymmetric): not a scheme we verify
      const decoded = strictBase64(entry.slice(comma + 1), 32);
      if (!decoded) return fail('malformed');
      given.push(decoded);
    }
    if (given.length === 0) return fail('malformed');
    if (!withinTolerance(Number(timestamp), nowSeconds, toleranceSeconds)) return fail('expired');
    let matched = false;
    for (const secret of usableSecrets(secrets)) {
      const key = standardWebhookKey(secret);
      if (!key) continue;
      const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
      for (const candidate of given) matched = bytesEqual(candidate, expected) || matched;
    }
    return matched ? OK : fail('mismatch');
  } catch {
    return fail('malformed');
  }
}

// ---------------------------------------------------------------------------------------------
// Twilio: base64(HMAC-SHA1(authToken, url + sorted params as key+value))

export type TwilioParams = Record<string, string | readonly string[]>;

/** scheme://[userinfo@]host[:port] and the rest, split without normalising a character. */
function splitUrl(url: string): { scheme: string; userInfo: string; host: string; port: string; rest: string } | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme = '', authority = ''] = match;
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // After an IPv6 literal's closing bracket, a colon starts the port.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

/** The URL with the scheme's standard port written out (:443 for https, :80 otherwise) unless it has a port. */
function withStandardPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

/** The URL without any port. (Twilio's library strips any port here, not only the standard one.) */
function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

/** Node's legacy `querystring.unescape`: decodeURIComponent, or byte-wise for malformed escapes. */
function legacyUnescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const hex = text.slice(i + 1, i + 3);
      if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/**
 * The query re-encoded the way `querystring.stringify(querystring.parse(q))` does, which the
 * twilio library tries for back ends that signed an escaped form: `+` read as a space, repeated
 * keys grouped at their first position (integer-like keys first, as object keys go), values
 * percent-encoded as encodeURIComponent does. (querystring.parse's 1000-key limit is not copied.)
 */
function withLegacyQuerystring(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  // A plain object, as querystring.parse returns: its key order (integer-like keys first, then
  // first occurrence) is the order stringify writes them in.
  const grouped: Record<string, string[]> = Object.create(null);
  for (const pair of url.slice(queryStart + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = legacyUnescape(rawKey.replace(/\+/g, ' '));
    const value = legacyUnescape(rawValue.replace(/\+/g, ' '));
    (grouped[key] ??= []).push(value);
  }
  const query = Object.entries(grouped)
    .flatMap(([key, values]) => values.map((value) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`))
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

/**
 * The URLs Twilio may have signed for a request to `url`, in the order the twilio library tries
 * them: as received with and without the port, then as `new URL()` normalises it (with and
 * without the port, each also with the legacy querystring encoding). Duplicates dropped.
 */
export function twilioUrlCandidates(url: string): string[] {
  const candidates = [withoutPort(url), withStandardPort(url)];
  let normalised: string | undefined;
  try {
    normalised = new URL(url).toString();
  } catch {
    normalised = undefined;
  }
  if (normalised !== undefined) {
    const bare = withoutPort(normalised);
    const ported = withStandardPort(normalised);
    candidates.push(bare, ported);
    try {
      candidates.push(withLegacyQuerystring(bare), withLegacyQuerystring(ported));
    } catch {
      // A value that cannot be re-encoded (a lone surrogate) has no legacy form.
    }
  }
  return [...new Set(candidates)];
}

/**
 * The string Twilio signs: the URL, then each parameter sorted by name as name + value; a
 * repeated parameter's distinct values sorted, each as name + value (twilio library ≥ 4.x).
 */
export function twilioSigningString(url: string, params: TwilioParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (Array.isArray(value)) {
      for (const item of [...new Set(value.map(String))].sort()) data += key + item;
    } else {
      data += key + String(value);
    }
  }
  return data;
}

/** The `X-Twilio-Signature` Twilio would send for `url` and form `params` (empty for JSON bodies). */
export function signTwilioRequest(authToken: string, url: string, params: TwilioParams = {}): string {
  return createHmac('sha1', authToken).update(twilioSigningString(url, params), 'utf8').digest('base64');
}

/** The hex SHA-256 of a body, as Twilio puts it in the `bodySHA256` query parameter. */
export function twilioBodyHash(rawBody: RawBody): string {
  return createHash('sha256')
    .update(bodyBytes(rawBody) ?? Buffer.alloc(0))
    .digest('hex');
}

/** The `bodySHA256` query parameter of `url`, if it has one (undefined when the URL does not parse). */
function bodySha256Param(url: string): string | null | undefined {
  try {
    return new URL(url).searchParams.get('bodySHA256');
  } catch {
    return undefined;
  }
}

export interface TwilioVerifyInput {
  /** `X-Twilio-Signature`. */
  signature: string | undefined | null;
  /**
   * The full URL Twilio requested, query string included, exactly as configured at Twilio.
   * Behind a proxy that rewrites host or scheme, rebuild it with `publicUrl`.
   */
  url: string;
  /** The form-decoded POST body (application/x-www-form-urlencoded); ignored for JSON bodies. */
  params?: TwilioParams;
  /** The raw body; required when the URL carries `bodySHA256` (JSON bodies). */
  rawBody?: RawBody;
  /** The account's auth tokens: primary and, while rotating, secondary. */
  authTokens: readonly string[];
}

/**
 * Checks a Twilio webhook. A URL with a `bodySHA256` query parameter is a JSON delivery: the
 * signature covers the URL alone and the raw body's SHA-256 must equal the parameter. Otherwise
 * the signature covers the URL and the form parameters. The URL forms tried are the twilio
 * library's (`twilioUrlCandidates`). There is no timestamp in Twilio's scheme, so no 'expired':
 * replays must be caught by the handler (CallSid/MessageSid plus status are idempotency keys).
 */
export function verifyTwilioSignature(input: TwilioVerifyInput): VerifyResult {
  try {
    const { signature, url, params, rawBody, authTokens } = input;
    if (!signature) return fail('missing');
    if (typeof signature !== 'string' || typeof url !== 'string' || !splitUrl(url)) return fail('malformed');
    const given = strictBase64(signature.trim(), 20);
    if (!given) return fail('malformed');

    const bodyHash = bodySha256Param(url);
    const isJson = typeof bodyHash === 'string';
    let signedParams: TwilioParams;
    let bodyMatches = true;
    if (isJson) {
      const body = bodyBytes(rawBody);
      if (!body) return fail('malformed');
      signedParams = {};
      const expectedHash = createHash('sha256').update(body).digest();
      bodyMatches = HEX_64.test(bodyHash) && bytesEqual(Buffer.from(bodyHash, 'hex'), expectedHash);
    } else {
      if (params !== undefined && (params === null || typeof params !== 'object')) return fail('malformed');
      signedParams = params ?? {};
    }

    const candidates = twilioUrlCandidates(url);
    let matched = false;
    for (const token of usableSecrets(authTokens)) {
      for (const candidate of candidates) {
        const expected = createHmac('sha1', token).update(twilioSigningString(candidate, signedParams), 'utf8').digest();
        matched = bytesEqual(given, expected) || matched;
      }
    }
    return matched && bodyMatches ? OK : fail('mismatch');
  } catch {
    return fail('malformed');
  }
}

/**
 * The URL Twilio requested, rebuilt from the configured public base (what Twilio was given,
 * e.g. `https://desk.example.com` or `https://desk.example.com/hooks`) and the path and query the
 * handler received, for when a proxy or gateway changed the host, scheme or port. The path and
 * query are kept byte for byte (re-encoding them would change what was signed); slashes at the
 * join are collapsed to one. A full URL given as the path contributes only its path and query.
 */
export function publicUrl(publicBase: string, pathAndQuery: string): string {
  const base = String(publicBase ?? '')
    .trim()
    .replace(/\/+$/, '');
  let rest = String(pathAndQuery ?? '');
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length);
  if (rest === '') return base;
  if (rest.startsWith('?')) return base + rest;
  return `${base}/${rest.replace(/^\/+/, '')}`;
}

// ---------------------------------------------------------------------------------------------
// secret tokens in the URL (Zammad's generic CTI API: /api/v1/cti/<token>)

/**
 * Is `given` one of the expected tokens? Constant-time (hashed comparison, every token compared).
 * Empty expected tokens are ignored, so an unconfigured integration accepts nothing.
 */
export function verifyUrlToken(given: string | undefined | null, expectedTokens: readonly string[]): VerifyResult {
  try {
    if (typeof given !== 'string' || given === '') return fail('missing');
    if (given.length > MAX_HEADER_LENGTH) return fail('malformed');
    let matched = false;
    for (const token of usableSecrets(expectedTokens)) matched = constantTimeEqual(given, token) || matched;
    return matched ? OK : fail('mismatch');
  } catch {
    return fail('malformed');
  }
}

export interface CtiVerifyInput {
  /** The token from the URL path. */
  token: string | undefined | null;
  expectedTokens: readonly string[];
  /**
   * Optional second factor: when `secrets` has any, the request must also carry a valid
   * `X-Tierdesk-Signature` (a PBX that can sign requests should; the path token leaks into logs).
   */
  signatureHeader?: string | undefined | null;
  rawBody?: RawBody;
  secrets?: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** A CTI (phone system) event: the path token, then the tierdesk signature if secrets are configured. */
export function verifyCtiRequest(input: CtiVerifyInput): VerifyResult {
  try {
    const tokenResult = verifyUrlToken(input.token, input.expectedTokens);
    if (!tokenResult.ok) return tokenResult;
    if (usableSecrets(input.secrets).length === 0) return OK;
    return verifyTierdeskSignature({
      header: input.signatureHeader,
      rawBody: input.rawBody ?? '',
      secrets: input.secrets ?? [],
      nowSeconds: input.nowSeconds,
      toleranceSeconds: input.toleranceSeconds,
    });
  } catch {
    return fail('malformed');
  }
}
