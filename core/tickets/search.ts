/**
 * Full-text search over tickets (issue [11]): the tokens a ticket is indexed under and the tokens
 * a search asks for, made by the same function so both sides always agree. Case-insensitive,
 * diacritics folded ("Café" finds "cafe"), bounded (core/limits.ts): at most
 * LIMITS.searchTokensPerTicket tokens per ticket, taken in this order — case number, requester
 * email, requester name, subject, then the first LIMITS.searchDescriptionChars characters of the
 * description — so the identifying ones are never crowded out by a long description.
 *
 * A compound like a case number (`CAD-000123`), an email address or a version (`2.4.1`) is
 * indexed whole and by its parts, so either finds it.
 */
import { cutText, LIMITS } from '../limits';
import type { Ticket } from './model';

/** Letters NFKD does not take apart, folded as people type them without the mark. */
const FOLDED: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Too common to narrow anything down: never indexed, dropped from searches. */
const STOP_WORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'with']);

/** Lower case, diacritics removed. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øæœßłđðþı]/g, (letter) => FOLDED[letter] ?? letter);
}

const WORD = /[\p{L}\p{N}]+/gu;
/** Words joined by . _ @ + - (emails, case numbers, versions, file names): also kept whole. */
const COMPOUND = /[\p{L}\p{N}]+(?:[._@+-][\p{L}\p{N}]+)+/gu;

/** The tokens of a text, in order of appearance, without duplicates. */
export function tokensOf(text: string): string[] {
  const folded = foldText(text);
  const tokens: string[] = [];
  for (const compound of folded.match(COMPOUND) ?? []) tokens.push(compound);
  for (const word of folded.match(WORD) ?? []) tokens.push(word);
  // In text order: a compound's whole before its parts is fine, both are kept.
  return unique(tokens.map((token) => cutText(token, LIMITS.searchTokenChars)).filter((token) => token.length > 1 && !STOP_WORDS.has(token)));
}

export type SearchableTicket = Pick<Ticket, 'caseNumber' | 'subject' | 'description'> & { requester: Pick<Ticket['requester'], 'email' | 'name'> };

/** The tokens a ticket is indexed under: at most LIMITS.searchTokensPerTicket, the identifying ones first. */
export function ticketSearchTokens(ticket: SearchableTicket): string[] {
  const sources = [ticket.caseNumber, ticket.requester.email ?? '', ticket.requester.name ?? '', ticket.subject, cutText(ticket.description, LIMITS.searchDescriptionChars)];
  return unique(sources.flatMap(tokensOf)).slice(0, LIMITS.searchTokensPerTicket);
}

export type SearchQuery = { tokens: string[] } | { error: string };

/**
 * The tokens a search needs every match to have: 1–LIMITS.searchWords words (whitespace
 * separated), each folded and split as a ticket's text is. An error names what is wrong.
 */
export function parseSearch(q: string): SearchQuery {
  const words = q.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { error: 'q must hold at least one word' };
  if (words.length > LIMITS.searchWords) return { error: `q may hold at most ${LIMITS.searchWords} words` };
  const tokens = unique(words.flatMap(tokensOf));
  if (tokens.length === 0) return { error: 'q holds no word that can be searched for (only very common words or punctuation)' };
  return { tokens };
}

/**
 * The token whose postings a search reads: the longest (a long token is rare, so fewer postings
 * are read to fill a page). The candidates are then checked for every other token.
 */
export function scanToken(tokens: readonly string[]): string {
  return [...tokens].sort((a, b) => b.length - a.length || a.localeCompare(b))[0]!;
}

/** Whether a ticket has every token of a search. */
export function matchesSearch(ticket: SearchableTicket, tokens: readonly string[]): boolean {
  const own = new Set(ticketSearchTokens(ticket));
  return tokens.every((token) => own.has(token));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
