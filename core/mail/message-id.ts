/**
 * Message-IDs as tierdesk stores and compares them: with their angle brackets, no whitespace,
 * e.g. `<abc@example.com>`. Brackets are kept because that is how every header (Message-ID,
 * In-Reply-To, References) writes them, so a stored id can be copied into an outgoing header as is.
 * Case is kept: the left part of a Message-ID is case-sensitive.
 */

const BRACKETED_ID = /<([^<>\s]+)>/g;

/** The first Message-ID in a header value, normalised; undefined when the value holds none. */
export function normaliseMessageId(headerValue: string | undefined): string | undefined {
  return messageIdsIn(headerValue)[0];
}

/**
 * Every Message-ID in a header value, in header order. Ids without brackets (written by broken
 * mailers) are accepted when the value has no bracketed id at all.
 */
export function messageIdsIn(headerValue: string | undefined): string[] {
  if (!headerValue) return [];
  const bracketed = [...headerValue.matchAll(BRACKETED_ID)].map((match) => `<${match[1]}>`);
  if (bracketed.length > 0) return bracketed;
  return headerValue
    .split(/[\s,]+/)
    .map((token) => token.replace(/[<>]/g, ''))
    .filter((token) => token.includes('@'))
    .map((token) => `<${token}>`);
}
