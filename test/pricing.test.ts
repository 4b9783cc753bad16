/**
 * Block pricing (core/pricing.ts), worked through CARET's 24/7 support: +$100 a month per
 * started block of 10 users, custom pricing from 100 users.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockPricingSpec } from '../core/policy/schema';
import { blockPricing, formatMoney } from '../core/pricing';

const caret247: BlockPricingSpec = {
  currency: 'USD',
  baseMonthly: 0,
  blockSize: 10,
  perBlockMonthly: 100,
  customPricingFromUsers: 100,
};

describe('blockPricing', () => {
  it.each([
    [0, 0, 0],
    [1, 1, 100],
    [10, 1, 100],
    [11, 2, 200],
    [99, 10, 1000],
  ])('prices %i users as %i blocks, %i a month', (users, blocks, monthly) => {
    // Act
    const price = blockPricing(caret247, users);

    // Assess
    expect(price).toEqual({ kind: 'priced', users, blocks, monthly, currency: 'USD' });
  });

  it.each([100, 250])('asks for custom pricing at %i users', (users) => {
    // Act
    const price = blockPricing(caret247, users);

    // Assess
    expect(price).toEqual({ kind: 'custom', users, message: `custom pricing from 100 users (${users} users): ask for a quote` });
  });

  it('adds the base price and rounds to cents', () => {
    // Prepare
    const pricing = { ...caret247, baseMonthly: 49.9, perBlockMonthly: 33.3 };

    // Act
    const price = blockPricing(pricing, 21);

    // Assess
    expect(price).toMatchObject({ kind: 'priced', blocks: 3, monthly: 149.8 });
  });

  it('prices any number of users when there is no custom threshold', () => {
    // Prepare
    const { customPricingFromUsers: _, ...uncapped } = caret247;

    // Act
    const price = blockPricing(uncapped, 250);

    // Assess
    expect(price).toMatchObject({ kind: 'priced', blocks: 25, monthly: 2500 });
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number])('rejects %s users with a RangeError', (users) => {
    // Act
    const act = () => blockPricing(caret247, users);

    // Assess
    expect(act).toThrow(RangeError);
    expect(act).toThrow(/users must be a whole number of 0 or more/);
  });

  it('never gets cheaper as users are added, and every started block is paid for', () => {
    // Prepare
    const pricing = fc.record({
      baseMonthly: fc.integer({ min: 0, max: 1000 }),
      blockSize: fc.integer({ min: 1, max: 50 }),
      perBlockMonthly: fc.integer({ min: 0, max: 1000 }),
    });

    // Act / Assess
    fc.assert(
      fc.property(pricing, fc.nat(10_000), fc.nat(10_000), (spec, a, b) => {
        const full: BlockPricingSpec = { currency: 'EUR', ...spec };
        const [fewer, more] = [Math.min(a, b), Math.max(a, b)];
        const low = blockPricing(full, fewer);
        const high = blockPricing(full, more);
        if (low.kind !== 'priced' || high.kind !== 'priced') return false;
        return low.monthly <= high.monthly && high.blocks * spec.blockSize >= more && (high.blocks - 1) * spec.blockSize < Math.max(more, 1);
      }),
    );
  });
});

describe('formatMoney', () => {
  it('shows whole amounts without cents and others with them', () => {
    // Act
    const whole = formatMoney(1100, 'USD');
    const cents = formatMoney(99.5, 'USD');
    const euro = formatMoney(1000, 'EUR', 'de-DE');

    // Assess
    expect([whole, cents, euro]).toEqual(['$1,100', '$99.50', '1.000\u00a0€']);
  });
});
