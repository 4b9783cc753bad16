/**
 * Add-on prices charged per block of users, such as CARET's 24/7 support.
 */
import type { BlockPricingSpec } from './policy/schema';

export type BlockPrice = { kind: 'priced'; users: number; blocks: number; monthly: number; currency: string } | { kind: 'custom'; users: number; message: string };

/**
 * The monthly price for `users` users.
 *
 * CARET writes: "MRC for 24/7 Support will increase by $100 each time Client's number of Users
 * increases in multiples of 10 to the next tier (i.e. 10 Users, 20 Users, 30 Users, and so on,
 * until Client reaches 100+ Users which requires custom pricing)". Read here as: every started
 * block of `blockSize` users costs `perBlockMonthly` on top of `baseMonthly`, so 1–10 users are
 * one block ($100), 11–20 two ($200), …, 91–99 ten ($1,000), and from `customPricingFromUsers`
 * (100) the price is negotiated. No users, no block. The text also allows "the price steps up on
 * reaching 10, 20, …" (floor(users / 10) + 1 blocks); started blocks were chosen because "10
 * Users" names the size of the first tier and per-seat tiers are usually sold that way.
 */
export function blockPricing(pricing: BlockPricingSpec, users: number): BlockPrice {
  if (!Number.isSafeInteger(users) || users < 0) {
    throw new RangeError(`users must be a whole number of 0 or more, got ${String(users)}`);
  }
  const from = pricing.customPricingFromUsers;
  if (from !== undefined && users >= from) {
    return { kind: 'custom', users, message: `custom pricing from ${from} users (${users} users): ask for a quote` };
  }
  const blocks = Math.ceil(users / pricing.blockSize);
  // Rounded to cents so that e.g. 3 × 33.3 does not show as 99.89999999999999.
  const monthly = Math.round((pricing.baseMonthly + blocks * pricing.perBlockMonthly) * 100) / 100;
  return { kind: 'priced', users, blocks, monthly, currency: pricing.currency };
}

/** "$1,100" for whole amounts, "$99.50" otherwise; throws RangeError for an unknown currency code. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const whole = Number.isInteger(amount) ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {};
  return new Intl.NumberFormat(locale, { style: 'currency', currency, ...whole }).format(amount);
}
