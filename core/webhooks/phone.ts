/**
 * Caller numbers from telephony webhooks (Twilio's `From`, a CTI event's `from`) as E.164, the
 * form customer records keep them in (core/customer.ts), so a call can be matched to a customer.
 *
 * `normalisePhone` does the formatting clean-up (spaces, dashes, "(0)", "tel:", "00" → "+");
 * libphonenumber-js (Google's numbering-plan data, the small "min" set) then reads national
 * numbers against a default country and checks the length is possible for that country.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { normalisePhone } from '../customer-rules';

/** Longer than any phone number in any notation; beyond it the text is not one. */
const MAX_INPUT_LENGTH = 64;

/**
 * `raw` as E.164 (`+4930123456`), or undefined when it is not a phone number: "anonymous",
 * "client:alice", a SIP URI, too short or too long for its country. A number without a "+" or
 * "00" is national and needs `defaultCountry` (ISO 3166 alpha-2, e.g. "DE"); digits that already
 * start with that country's calling code ("493055571600", as Zammad's CTI sends) are recognised.
 * Validity is checked as "possible" (length per country), not against the number ranges in use,
 * so a newly opened range is not refused by stale data.
 */
export function toE164(raw: string, defaultCountry?: string): string | undefined {
  try {
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_INPUT_LENGTH) return undefined;
    const cleaned = normalisePhone(raw);
    if (!/^\+?\d+$/.test(cleaned)) return undefined;
    const country = defaultCountry?.trim().toUpperCase();
    // An unknown country (a typo in configuration) leaves only international numbers readable.
    const known = country && /^[A-Z]{2}$/.test(country) && isSupportedCountry(country) ? (country as CountryCode) : undefined;
    const parsed = parsePhoneNumberFromString(cleaned, known);
    if (!parsed?.isPossible()) return undefined;
    const e164 = parsed.number;
    return /^\+[1-9]\d{1,14}$/.test(e164) ? e164 : undefined;
  } catch {
    return undefined;
  }
}
