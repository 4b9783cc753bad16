/**
 * The part of a reply the customer actually wrote: quoted history and signature trimmed, so the
 * ticket timeline does not repeat the whole conversation under every message.
 *
 * Two passes. First our own line rules, linear on any input: the quote headers of the common
 * clients (Gmail's "On … wrote:", Outlook's "-----Original Message-----" and its "From: … /
 * Sent: …" block, with or without an address, which email-reply-parser misses). Then
 * email-reply-parser on what is left, for `>` quotes, other languages' quote headers and
 * signatures ("-- ", "Sent from my iPhone"…).
 *
 * email-reply-parser's patterns backtrack badly on hostile text without the native re2 module
 * (seconds for 20 000 characters of "Op schreef:" lines), so it only ever sees a bounded head,
 * with long lines and blank runs shortened: the new text is at the top anyway.
 */
import EmailReplyParser from 'email-reply-parser';

const replyParser = new EmailReplyParser();

/** Measured: its worst known inputs take about 0.1 s at this size. */
const PARSED_HEAD_CHARS = 4_000;

/** No quote header or signature line is longer; longer lines go through as placeholders. */
const MAX_PARSED_LINE_CHARS = 500;

const FROM_LINE = /^[ \t]*\*?(From|Von|De|Van|Da|Från|Fra)[ \t]?:\*?[ \t]+\S/i;
const SENT_LINE = /^[ \t]*\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Skickat|Sendt)[ \t]?:\*?[ \t]+\S/i;
const ORIGINAL_MESSAGE_LINE = /^[ \t]*-{2,}[ \t]*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)[ \t]*-{2,}[ \t]*$/i;
const ON_LINE = /^[ \t]*On[ \t]/;
const WROTE_END = /wrote:[ \t]*$/;

/** The new text of a reply; the whole text when nothing but quotes is left. */
export function visibleReply(text: string): string {
  const normalised = normaliseLines(text);
  const ownCut = beforeQuoteHeader(normalised);
  const head = headOf(ownCut);
  const parsed = parseVisible(head);
  const parserFoundNothing = parsed === head.trim();
  const visible = parserFoundNothing ? ownCut.trim() : parsed;
  return visible || normalised.trim();
}

/** LF line ends, blank lines really empty, and at most one blank line in a row. */
function normaliseLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/^[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n');
}

/** The text above the first quote header our own rules recognise; all of it when there is none. */
function beforeQuoteHeader(text: string): string {
  const lines = text.split('\n');
  const headerStart = lines.findIndex((line, index) => isQuoteHeader(line, lines[index + 1] ?? ''));
  return headerStart > 0 ? lines.slice(0, headerStart).join('\n') : text;
}

function isQuoteHeader(line: string, next: string): boolean {
  if (line.length > MAX_PARSED_LINE_CHARS) return false;
  if (ORIGINAL_MESSAGE_LINE.test(line)) return true;
  if (FROM_LINE.test(line) && SENT_LINE.test(next)) return true;
  // Gmail writes "On <date>, <name> <address> wrote:", wrapping it onto a second line when long.
  return ON_LINE.test(line) && (WROTE_END.test(line) || (WROTE_END.test(next) && next.length <= MAX_PARSED_LINE_CHARS));
}

/** The first PARSED_HEAD_CHARS characters, cut at a line end. */
function headOf(text: string): string {
  if (text.length <= PARSED_HEAD_CHARS) return text;
  const lineEnd = text.lastIndexOf('\n', PARSED_HEAD_CHARS);
  return text.slice(0, lineEnd > 0 ? lineEnd : PARSED_HEAD_CHARS);
}

function parseVisible(text: string): string {
  const longLines: string[] = [];
  const shortened = text
    .split('\n')
    .map((line) => (line.length > MAX_PARSED_LINE_CHARS ? `\uE000${longLines.push(line) - 1}\uE001` : line))
    .join('\n');
  const visible = replyParser.read(shortened).getVisibleText().trim();
  return visible.replace(/\uE000(\d+)\uE001/g, (placeholder, index: string) => longLines[Number(index)] ?? placeholder);
}
