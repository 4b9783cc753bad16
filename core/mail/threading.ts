/**
 * Which ticket an inbound mail belongs to. Two kinds of evidence: the Message-IDs it answers
 * (exact, when the customer's client keeps In-Reply-To/References) and case numbers in the subject
 * (what survives forwarding, a new mail "about CASE-000123", or a client that drops the headers).
 */
import { LIMITS } from '../limits';
import { formatCaseNumber } from '../tickets/case-number';
import type { InboundMail } from './parse';

/** Longer runs of digits are some other number (an order, a phone number), not a case. */
const MAX_CASE_DIGITS = 12;

/**
 * Case numbers in a subject, canonical (`CASE-000123`), first seen first, without duplicates.
 * Accepts what people type: any brackets or none, any letter case, and a space, `-`, `_`, `#` or
 * `:` (or nothing) between prefix and digits, with or without leading zeros. A prefix or number
 * inside a longer word or number (`SHOWCASE-1`, `CASE-12a`, `CASE-1.5`) is not a case number.
 */
export function caseNumbersInSubject(subject: string, prefix: string): string[] {
  if (!prefix.trim()) return [];
  const found = new Set<string>();
  // NFKC turns full-width letters and digits (common in Japanese subjects) into ASCII.
  for (const match of subject.normalize('NFKC').matchAll(caseNumberPattern(prefix.trim()))) {
    const sequence = Number(match[1]);
    if (sequence > 0) found.add(formatCaseNumber(prefix.trim(), sequence));
  }
  return [...found];
}

function caseNumberPattern(prefix: string): RegExp {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}[ \\t]*[-_#:\\u2013]?[ \\t]*([0-9]{1,${MAX_CASE_DIGITS}})(?![\\p{L}\\p{N}_]|[.,]\\p{N})`, 'giu');
}

/**
 * The Message-IDs to look up, most telling first: In-Reply-To, then the newest
 * LIMITS.threadReferences References newest first. Bounded, so a mail listing thousands of
 * references costs at most that many reads; a client that keeps the thread keeps the newest.
 */
export function threadKeys(mail: Pick<InboundMail, 'inReplyTo' | 'references'>): string[] {
  const keys = [mail.inReplyTo, ...mail.references.slice(-LIMITS.threadReferences).reverse()];
  return [...new Set(keys.filter((key): key is string => key !== undefined))];
}

/**
 * What an id SES gives a mail (received or sent) looks like: short and URL-safe. Anything else
 * did not come from SES, and reaches no key or object name.
 */
export const SES_MESSAGE_ID = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * The Message-ID header SES puts on a mail it sends, from the MessageId its SendEmail call
 * answered: SES replaces any Message-ID the sender set. Mail sent through us-east-1 carries
 * `@email.amazonses.com`; every other region its own name (`@eu-west-1.amazonses.com`).
 */
export function sesMessageId(sesMessageId: string, region: string): string {
  const domain = region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`;
  return `<${sesMessageId.trim()}@${domain}>`;
}
