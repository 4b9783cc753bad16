/**
 * The Lambda bundles alias `zod` to lib/bundling/zod.ts (and so `zod/mini` to
 * lib/bundling/zod/mini.ts): zod's own modules by deep path, with its export list copied from zod
 * 4.6.7 minus `locales` (see e680baf). A zod upgrade that adds, drops
 * or renames an export must fail here, not in a Lambda at run time.
 */
import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import * as zodMini from 'zod/mini';
import * as bundled from '../lib/bundling/zod';
import * as bundledMini from '../lib/bundling/zod/mini';

const keys = (namespace: object): string[] => Object.keys(namespace).sort();

describe("the bundles' zod (lib/bundling/zod.ts)", () => {
  it('exports exactly what zod exports, but `locales`', () => {
    expect(keys(bundled)).toEqual(keys(zod).filter((key) => key !== 'locales'));
    expect(keys(bundled.z)).toEqual(keys(zod.z).filter((key) => key !== 'locales'));
  });

  it('has exactly z.core of zod, but `locales`', () => {
    expect(keys(bundled.z.core)).toEqual(keys(zod.z.core).filter((key) => key !== 'locales'));
  });

  it('is zod itself, not a copy: the same schema classes and English messages', () => {
    expect(bundled.z.object).toBe(zod.z.object);
    expect(bundled.z.core.$ZodType).toBe(zod.z.core.$ZodType);
    expect(bundled.z.string().safeParse(1).error?.issues[0]?.message).toBe('Invalid input: expected string, received number');
  });
});

describe("the bundles' zod/mini (lib/bundling/zod/mini.ts: the alias takes `zod/mini` along)", () => {
  it('is zod/mini itself, every export of it', () => {
    expect(keys(bundledMini)).toEqual(keys(zodMini));
    expect(bundledMini.object).toBe(zodMini.object);
  });
});
