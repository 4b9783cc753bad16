/**
 * Inbound mail as the desk reads it: the raw bytes SES stored, parsed with postal-mime into a plain
 * object. postal-mime decodes charsets with the runtime's TextDecoder (Node.js's full ICU: the
 * Encoding Standard's encodings), so no charset tables ride in the bundle; a charset outside the
 * standard (UTF-7, DOS code pages) is read as windows-1252, as a browser would, and listed in
 * `problems`. The text of HTML-only mail is converted with html-to-text. Parsing never throws:
 * whatever could not be read is listed in `problems`, so the handler can still open or update a
 * ticket from a broken or hostile message and show the agent why parts are missing.
 *
 * Message-IDs keep their angle brackets (see ./message-id.ts). Attachment bytes ride along in
 * `content`; `mailMetadata()` drops them for storing or logging the rest as JSON.
 */
import PostalMime, { type Address, type Attachment, type Email, type HeaderLine } from 'postal-mime';
import { cutText, LIMITS } from '../limits';
import { messageIdsIn, normaliseMessageId } from './message-id';
import { ensureStandardWindows1252 } from './windows-1252';

export interface MailAddress {
  /** Lower-cased: addresses are compared, and mailbox case is not meaningful in practice. */
  address: string;
  name: string;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Content-ID with brackets, for inline images the HTML refers to as `cid:`. */
  contentId?: string;
  inline: boolean;
  /** Why the content was not kept (over a limit); `content` is then absent. */
  skipped?: string;
  content?: Buffer;
}

/** The raw values of the headers that tell automated mail from a person's (see ./loops.ts). */
export interface AutomationHeaders {
  autoSubmitted?: string;
  precedence?: string;
  xLoop: string[];
  xAutoResponseSuppress?: string;
  xAutoreply?: string;
  xAutorespond?: string;
  returnPath?: string;
  listId?: string;
  listUnsubscribe?: string;
  /** The top-level media type, lower-cased, e.g. `multipart/report`. */
  contentType?: string;
  /** The `report-type` parameter of a multipart/report, e.g. `delivery-status`. */
  reportType?: string;
}

export interface InboundMail {
  messageId?: string;
  inReplyTo?: string;
  /** As the header lists them, oldest first: the newest LIMITS.threadReferences only (what threading looks up). */
  references: string[];
  from?: MailAddress;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** ISO 8601; undefined when the Date header is missing or unreadable. */
  date?: string;
  /** Plain text; derived from the HTML for HTML-only mail. */
  text: string;
  html?: string;
  attachments: MailAttachment[];
  headers: AutomationHeaders;
  problems: string[];
}

/** The mail without attachment bytes: plain JSON. */
export type InboundMailMetadata = Omit<InboundMail, 'attachments'> & { attachments: Omit<MailAttachment, 'content'>[] };

export interface ParseLimits {
  maxTextChars: number;
  /** Longer HTML is neither stored nor converted to text (the conversion is slow on huge input). */
  maxHtmlChars: number;
  maxAttachments: number;
  maxAttachmentBytes: number;
  /** A parse still running after this long is abandoned. */
  timeoutMs: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxTextChars: 100_000,
  maxHtmlChars: 1_000_000,
  maxAttachments: 20,
  maxAttachmentBytes: 10 * 1024 * 1024,
  timeoutMs: 15_000,
};

/** Never throws and never waits past `timeoutMs`: what could not be read is in `problems`. */
export async function parseInboundMail(raw: Buffer | Uint8Array, options: Partial<ParseLimits> = {}): Promise<InboundMail> {
  ensureStandardWindows1252();
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options };
  const problems: string[] = [];
  try {
    const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const outcome = await parseWithFallback(bytes, limits, problems);
    return outcome ? toInboundMail(outcome, bytes, limits, problems) : emptyMail(problems);
  } catch (error) {
    // Only a bug of ours lands here; the contract is still to answer, not to throw.
    problems.push(`mail could not be read: ${describe(error)}`);
    return emptyMail(problems);
  }
}

/** The mail without attachment bytes, to store or log as JSON; the bytes go to S3 on their own. */
export function mailMetadata(mail: InboundMail): InboundMailMetadata {
  return { ...mail, attachments: mail.attachments.map(({ content: _content, ...metadata }) => metadata) };
}

interface ParseOutcome {
  parsed: Email;
  /** Only the header block could be parsed; the body is taken raw. */
  headersOnly: boolean;
}

/** The whole message, else its header block alone, so a broken body still leaves sender and subject. */
async function parseWithFallback(bytes: Buffer, limits: ParseLimits, problems: string[]): Promise<ParseOutcome | undefined> {
  try {
    return { parsed: await parseWithTimeout(bytes, limits), headersOnly: false };
  } catch (error) {
    problems.push(`body could not be parsed (${describe(error)}); the raw body is kept as text`);
  }
  try {
    return { parsed: await parseWithTimeout(headerBlockOf(bytes), limits), headersOnly: true };
  } catch (error) {
    problems.push(`headers could not be parsed: ${describe(error)}`);
    return undefined;
  }
}

/**
 * The MIME structure a message may have: far beyond any mail a person sends, well short of what
 * would hold the parser long (postal-mime's defaults, 10,000 parts and 256 levels, are for a
 * mail scanner). A message beyond them keeps its header block and its raw body.
 */
const MIME_STRUCTURE_LIMITS = { maxPartCount: 1_000, maxNestingDepth: 100 } as const;

/** How deep html-to-text walks an HTML tree; deeper content is left out of the text, not a crash. */
const HTML_TO_TEXT_DEPTH = 1_000;

function parseWithTimeout(bytes: Buffer, limits: ParseLimits): Promise<Email> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${limits.timeoutMs} ms`)), limits.timeoutMs);
    timer.unref();
  });
  const parse = PostalMime.parse(bytes, MIME_STRUCTURE_LIMITS);
  return Promise.race([parse, timeout]).finally(() => clearTimeout(timer));
}

/** Where the body starts: after the first blank line; the whole input when there is none. */
function headerEnd(bytes: Buffer): number {
  const ends = ['\n\n', '\r\n\r\n'].map((blank) => bytes.indexOf(blank)).filter((at) => at >= 0);
  return ends.length > 0 ? Math.min(...ends) : bytes.length;
}

function headerBlockOf(bytes: Buffer): Buffer {
  const head = bytes.subarray(0, Math.min(headerEnd(bytes), 64 * 1024));
  // Without its Content-Type the header block parses as an empty text/plain message.
  const withoutContentType = head.toString('latin1').replace(/^content-type:.*(\r?\n[ \t].*)*\r?\n?/gim, '');
  return Buffer.from(`${withoutContentType}\r\n\r\n`, 'latin1');
}

async function toInboundMail({ parsed, headersOnly }: ParseOutcome, bytes: Buffer, limits: ParseLimits, problems: string[]): Promise<InboundMail> {
  const lines = parsed.headerLines;
  const from = firstAddress(parsed.from);
  noteMissingHeaders(lines, from, problems);
  // In this order, so the problems are listed as the fields are read.
  const subject = subjectOf(parsed, problems);
  const date = dateOf(rawHeader(lines, 'date'), problems);
  await noteUndecodableCharsets(bytes, problems);
  const text = truncateText(headersOnly ? rawBody(bytes) : await textOf(parsed, bytes, limits, problems), limits, problems);
  return dropUndefined({
    messageId: normaliseMessageId(rawHeader(lines, 'message-id')),
    inReplyTo: normaliseMessageId(rawHeader(lines, 'in-reply-to')),
    references: messageIdsIn(rawHeaders(lines, 'references').join(' ')).slice(-LIMITS.threadReferences),
    from,
    replyTo: addressesOf(parsed.replyTo),
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    subject,
    date,
    text,
    html: htmlOf(parsed, limits, problems),
    attachments: attachmentsOf(parsed.attachments, limits, problems),
    headers: automationHeadersOf(lines),
    problems,
  });
}

/** A MIME header naming a content type, with its folded lines: where a part's charset is named. */
const CONTENT_TYPE_HEADER = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim;
const CHARSET_PARAMETER = /;\s*charset\s*=\s*"?([a-z0-9._:+-]{1,40})/i;
/** An encoded word's charset (`=?utf-7?Q?…?=`, RFC 2047; a language after `*`, RFC 2231). */
const ENCODED_WORD_CHARSET = /=\?([a-z0-9._:+-]{1,40})(?:\*[a-z0-9-]{1,20})?\?[bq]\?/gi;
/** Distinct charsets checked per mail: a hostile mail naming thousands gets no more notes than this. */
const MAX_CHARSETS_CHECKED = 10;

/**
 * postal-mime reads a charset it cannot decode (UTF-7, DOS code pages) as windows-1252 without
 * saying so; each one the mail names (in a part's Content-Type or an encoded word of its headers) is
 * listed, so the agent knows the text may be garbled and that the raw mail is kept.
 */
async function noteUndecodableCharsets(bytes: Buffer, problems: string[]): Promise<void> {
  const labels = new Set<string>();
  for (const [header] of bytes.toString('latin1').matchAll(CONTENT_TYPE_HEADER)) {
    if (labels.size >= MAX_CHARSETS_CHECKED) break;
    const label = CHARSET_PARAMETER.exec(header)?.[1];
    if (label) labels.add(label.toLowerCase());
  }
  const headers = bytes.subarray(0, Math.min(headerEnd(bytes), 64 * 1024)).toString('latin1');
  for (const [, label] of headers.matchAll(ENCODED_WORD_CHARSET)) {
    if (labels.size >= MAX_CHARSETS_CHECKED) break;
    labels.add(label!.toLowerCase());
  }
  for (const label of labels) {
    if (!(await postalMimeDecodes(label))) problems.push(`charset "${label}" cannot be decoded here: its text was read as windows-1252 and may be garbled (the original mail is kept)`);
  }
}

/** Every byte a legacy charset gives meaning to, base64: decoded under a label, it shows which decoder read it. */
const HIGH_BYTES = Buffer.from(Array.from({ length: 128 }, (_, index) => 0x80 + index)).toString('base64');
const textUnder = async (label: string): Promise<string> =>
  (await PostalMime.parse(`Content-Type: text/plain; charset="${label}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${HIGH_BYTES}\r\n`)).text ?? '';
let windows1252Text: Promise<string> | undefined;

/**
 * Whether postal-mime reads `label` with a decoder for it rather than its windows-1252 fallback: at
 * once when the runtime knows the label; otherwise (postal-mime also reads aliases the runtime does
 * not, such as `x-euc-jp` or `cp932`) by whether the bytes come out otherwise than the fallback's.
 */
async function postalMimeDecodes(label: string): Promise<boolean> {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    windows1252Text ??= textUnder('windows-1252');
    return (await textUnder(label)) !== (await windows1252Text);
  }
}

function emptyMail(problems: string[]): InboundMail {
  return { references: [], replyTo: [], to: [], cc: [], subject: '', text: '', attachments: [], headers: { xLoop: [] }, problems };
}

function noteMissingHeaders(lines: HeaderLine[], from: MailAddress | undefined, problems: string[]): void {
  if (!from) problems.push(rawHeader(lines, 'from') === undefined ? 'no From header' : 'From header has no readable address');
  if (rawHeader(lines, 'message-id') === undefined) problems.push('no Message-ID header');
  else if (!normaliseMessageId(rawHeader(lines, 'message-id'))) problems.push('Message-ID header unreadable');
}

/** Every value of a header, unfolded, in order. */
function rawHeaders(lines: HeaderLine[], key: string): string[] {
  return lines
    .filter((line) => line.key === key)
    .map((line) =>
      line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

function rawHeader(lines: HeaderLine[], key: string): string | undefined {
  return rawHeaders(lines, key)[0];
}

function addressesOf(header: Address | Address[] | undefined): MailAddress[] {
  const entries = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return entries.flatMap((entry) => (entry.group ? entry.group : [entry])).flatMap(toMailAddress);
}

function toMailAddress(entry: { address?: string; name: string }): MailAddress[] {
  const address = entry.address?.trim().toLowerCase();
  return address ? [{ address, name: entry.name.trim() }] : [];
}

function firstAddress(header: Address | undefined): MailAddress | undefined {
  return addressesOf(header)[0];
}

function subjectOf(parsed: Email, problems: string[]): string {
  const subject = parsed.subject ?? '';
  // A leftover encoded word means its charset or encoding was not understood.
  if (/=\?[^?\s]+\?[a-z]\?[^?\s]*\?=/i.test(subject)) problems.push('Subject has encoded words that could not be decoded');
  return subject;
}

function dateOf(header: string | undefined, problems: string[]): string | undefined {
  if (header === undefined) {
    problems.push('no Date header');
    return undefined;
  }
  // Read from the raw header: a parser's fallback for a date it cannot read (now, or the raw text) would misdate the message silently.
  const time = Date.parse(header.replace(/\([^)]*\)/g, '').trim());
  if (Number.isNaN(time)) {
    problems.push(`Date header unreadable: ${header.slice(0, 100)}`);
    return undefined;
  }
  return new Date(time).toISOString();
}

async function textOf(parsed: Email, bytes: Buffer, limits: ParseLimits, problems: string[]): Promise<string> {
  if (parsed.text !== undefined) return parsed.text;
  if (parsed.html !== undefined) return textFromHtml(parsed.html, limits, problems);
  return salvagedBody(parsed, bytes, problems);
}

/** The text of HTML-only mail; HTML too large or too odd for the converter has its tags stripped instead. */
async function textFromHtml(html: string, limits: ParseLimits, problems: string[]): Promise<string> {
  const stripped = (reason: string) => {
    problems.push(`HTML could not be converted to text (${reason}); tags were stripped instead`);
    return roughTextFromHtml(html, limits.maxTextChars);
  };
  if (html.length > limits.maxHtmlChars) return stripped(`${html.length} characters, over the limit of ${limits.maxHtmlChars}`);
  try {
    // Loaded on the first HTML-only mail: most mail carries its own text, so a cold start need not load the converter.
    const { convert } = await import('html-to-text');
    return convert(html, { limits: { maxDepth: HTML_TO_TEXT_DEPTH } });
  } catch (error) {
    return stripped(describe(error));
  }
}

function truncateText(text: string, limits: ParseLimits, problems: string[]): string {
  if (text.length <= limits.maxTextChars) return text;
  problems.push(`text truncated from ${text.length} to ${limits.maxTextChars} characters`);
  return truncate(text, limits.maxTextChars);
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/**
 * A crude HTML-to-text for HTML too large or too deeply nested for the real converter. Every step
 * is linear (no pattern can rescan the rest of a hostile input), and the input is capped.
 */
function roughTextFromHtml(html: string, maxChars: number): string {
  return withoutHiddenElements(html.slice(0, maxChars * 4))
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b[^<>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, name: string) => HTML_ENTITIES[name] ?? '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n[ \t]*(\n[ \t]*)+/g, '\n\n')
    .trim();
}

/** The HTML without its script, style and head elements; an unclosed one runs to the end. */
function withoutHiddenElements(html: string): string {
  const opening = /<(script|style|head)\b/gi;
  let kept = '';
  let at = 0;
  for (let start = opening.exec(html); start; start = opening.exec(html)) {
    kept += html.slice(at, start.index);
    const closing = new RegExp(`</${start[1]}[^<>]*>`, 'gi');
    closing.lastIndex = opening.lastIndex;
    const end = closing.exec(html);
    at = end ? end.index + end[0].length : html.length;
    opening.lastIndex = at;
  }
  return kept + html.slice(at);
}

/**
 * A multipart message none of whose parts could be found (a boundary that does not match the
 * declared one, a truncated upload) still carries the customer's words: keep the raw body.
 */
function salvagedBody(parsed: Email, bytes: Buffer, problems: string[]): string {
  const multipart = mediaTypeOf(parsed.headerLines)?.startsWith('multipart/') === true;
  if (!multipart || parsed.html !== undefined || parsed.attachments.length > 0) return '';
  const body = rawBody(bytes);
  if (body) problems.push('no MIME part could be read (boundary mismatch or truncated message); the raw body is kept as text');
  return body;
}

function rawBody(bytes: Buffer): string {
  return bytes.subarray(headerEnd(bytes)).toString('utf8').trim();
}

function htmlOf(parsed: Email, limits: ParseLimits, problems: string[]): string | undefined {
  const html = parsed.html;
  if (html === undefined || html.length <= limits.maxHtmlChars) return html;
  // Cut HTML would be broken markup; the text (converted before the cut) stands in for it.
  problems.push(`HTML of ${html.length} characters not kept (limit ${limits.maxHtmlChars})`);
  return undefined;
}

/** Cuts at a code point boundary, so no lone surrogate is left behind. */
function truncate(text: string, length: number): string {
  const lastKept = text.charCodeAt(length - 1);
  const splitsPair = lastKept >= 0xd800 && lastKept <= 0xdbff;
  return text.slice(0, splitsPair ? length - 1 : length);
}

function attachmentsOf(attachments: Attachment[], limits: ParseLimits, problems: string[]): MailAttachment[] {
  const kept = attachments.map((attachment, index) => toMailAttachment(attachment, index, limits));
  for (const attachment of kept) {
    if (attachment.skipped) problems.push(`attachment ${cutText(attachment.filename, LIMITS.filename)} skipped: ${attachment.skipped}`);
  }
  return kept;
}

function toMailAttachment(attachment: Attachment, index: number, limits: ParseLimits): MailAttachment {
  const content = bytesOf(attachment.content);
  const metadata: MailAttachment = {
    filename: attachment.filename?.trim() || `attachment-${index + 1}`,
    contentType: mediaTypeOfAttachment(attachment.mimeType),
    size: content.length,
    inline: attachment.disposition === 'inline' || attachment.related === true,
    ...(attachment.contentId ? { contentId: attachment.contentId } : {}),
  };
  const skipped = skipReason(metadata.size, index, limits);
  return skipped ? { ...metadata, skipped } : { ...metadata, content };
}

/** A media type as RFC 2045 spells one: type/subtype tokens, bounded. */
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/;

/**
 * The part's media type as sent (the parser does not validate it), when it is one; anything else
 * is plain bytes. It becomes the stored object's Content-Type, which S3 serves back to browsers.
 */
function mediaTypeOfAttachment(declared: string): string {
  const type = declared.trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
}

/** The parser answers an ArrayBuffer (a Uint8Array for calendar parts); the rest of the desk handles Buffers. */
function bytesOf(content: Attachment['content']): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof ArrayBuffer ? Buffer.from(content) : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

function skipReason(size: number, index: number, limits: ParseLimits): string | undefined {
  if (index >= limits.maxAttachments) return `more than ${limits.maxAttachments} attachments`;
  if (size > limits.maxAttachmentBytes) return `larger than ${limits.maxAttachmentBytes} bytes`;
  return undefined;
}

/** The top-level media type, lower-cased, without its parameters. */
function mediaTypeOf(lines: HeaderLine[]): string | undefined {
  return rawHeader(lines, 'content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}

const REPORT_TYPE = /;\s*report-type\s*=\s*(?:"([^"]*)"|([^\s;]*))/i;

/** The `report-type` parameter of the top-level Content-Type (a multipart/report), quoted or not. */
function reportTypeOf(lines: HeaderLine[]): string | undefined {
  const value = REPORT_TYPE.exec(rawHeader(lines, 'content-type') ?? '');
  return (value?.[1] ?? value?.[2])?.toLowerCase() || undefined;
}

function automationHeadersOf(lines: HeaderLine[]): AutomationHeaders {
  const optional = (key: string) => rawHeader(lines, key);
  return dropUndefined({
    autoSubmitted: optional('auto-submitted'),
    precedence: optional('precedence'),
    xLoop: rawHeaders(lines, 'x-loop'),
    xAutoResponseSuppress: optional('x-auto-response-suppress'),
    xAutoreply: optional('x-autoreply'),
    xAutorespond: optional('x-autorespond'),
    returnPath: optional('return-path'),
    listId: optional('list-id'),
    listUnsubscribe: optional('list-unsubscribe'),
    contentType: mediaTypeOf(lines),
    reportType: reportTypeOf(lines),
  });
}

/** Absent keys rather than `undefined` values, so the object round-trips through JSON unchanged. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
