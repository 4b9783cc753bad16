/**
 * Parts the request and record schemas share, in zod's mini build with English messages
 * (./zod-english.ts). Each bound comes from core/limits.ts and its message names it.
 */
import * as z from 'zod/mini';
import { atMostChars, atMostItems, LIMITS } from './limits';
import { unique } from './staff/directory';
import './zod-english';

/** Text a person writes: trimmed, not empty, at most `max` characters. */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max, atMostChars(max)));

/** An id or token a caller sends (a customer, an engineer, a cursor): 1 to `max` characters, as sent. */
export const identifier = (max: number = LIMITS.id, message?: string) => z.string().check(z.minLength(1), z.maxLength(max, message));

/** A person's email address, within LIMITS.email, lower-cased. */
export const emailAddress = () =>
  z.pipe(
    z.email('must be an email address').check(z.maxLength(LIMITS.email, atMostChars(LIMITS.email))),
    z.transform((email: string) => email.toLowerCase()),
  );

/** A list of at most `max` items, empty when absent, each item once (the first kept: order matters, e.g. a customer's first designated users count). */
export const uniqueList = <T extends z.core.SomeType>(item: T, max: number) =>
  z.pipe(
    z._default(z.array(item).check(z.maxLength(max, atMostItems(max))), []),
    z.transform((items: z.output<T>[]) => unique(items)),
  );
