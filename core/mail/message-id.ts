/**
 * Message-IDs as tierdesk stores and compares them: with their angle brackets, no whitespace,
 * e.g. `<abc@example.com>`. Brackets are kept because that is how every header (Message-ID,
 * In-Reply-To, References) writes them, so a stored id can be copied into an outgoing header as is.
 * Case is kept: the left part of a Message-ID is case-sensitive.
 */
import { createHash } from 'node:crypto';
import { LIMITS } from '../limits';

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

/** What a hashed Message-ID starts with: no real one does (real ids keep their brackets). */
export const HASHED_MESSAGE_ID_PREFIX = 'sha256:';

/**
 * A Message-ID as it may become part of a key or be stored: itself up to LIMITS.messageIdKey
 * characters, else `sha256:<hex of the id>`. RFC 5322 sets no length, and a partition key holds
 * at most 2 KB; hashing (never cutting) keeps two long ids that share a beginning apart. Writing
 * links (mail received and sent) and looking them up both go through here, so they agree.
 */
export function messageIdKey(messageId: string): string {
  if (messageId.length <= LIMITS.messageIdKey) return messageId;
  return `${HASHED_MESSAGE_ID_PREFIX}${createHash('sha256').update(messageId, 'utf8').digest('hex')}`;
}
