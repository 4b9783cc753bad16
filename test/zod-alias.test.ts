/**
 * The Lambda bundles alias `zod` to lib/bundling/zod.ts (and so `zod/mini` to
 * lib/bundling/zod/mini.ts, `zod/v4/core` to lib/bundling/zod/v4/core.ts, zod's English to
 * lib/bundling/zod/v4/locales/en.ts): zod's own modules by deep path, with its export list copied
 * from zod 4.6.7 minus `locales` (see e680baf). A zod upgrade that adds, drops or renames an export
 * must fail here, not in a Lambda at run time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import * as zodMini from 'zod/mini';
import * as zodCore from 'zod/v4/core';
import zodEnglish from 'zod/v4/locales/en.js';
import * as bundled from '../lib/bundling/zod';
import * as bundledMini from '../lib/bundling/zod/mini';
import * as bundledCore from '../lib/bundling/zod/v4/core';
import bundledEnglish from '../lib/bundling/zod/v4/locales/en';
import { bundleProbe } from './support/probe-bundle';

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

describe("the bundles' zod/v4/core and English (lib/bundling/zod/v4/)", () => {
  it("core is z.core of zod, but `locales`; English is zod's own", () => {
    expect(keys(bundledCore)).toEqual(keys(zodCore).filter((key) => key !== 'locales'));
    expect(bundledCore.$ZodError).toBe(zodCore.$ZodError);
    expect(bundledEnglish).toBe(zodEnglish);
  });

  it("a bundle with only zod's mini words a webhook's refusal in English (core/zod-english.ts), carrying no other language", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierdesk-zod-mini-'));
    try {
      const outfile = join(dir, 'probe.mjs');
      // The chat transcript's check as a webhook delivery meets it: a subject that is not text.
      const contents = `import { TranscriptSchema } from ${JSON.stringify(resolve('core/webhooks/chat.ts'))};
        const at = '2026-12-01T10:00:00Z';
        const result = TranscriptSchema.safeParse({ conversationId: 'c', participants: [{ id: 'u', role: 'customer' }], messages: [{ from: 'u', text: 'hi', at }], subject: 5 });
        console.log(JSON.stringify(result.error.issues.map((issue) => issue.message)));`;
      bundleProbe(contents, outfile);
      const bundle = readFileSync(outfile, 'utf8');

      expect(bundle).not.toContain('"ZodString"'); // the whole zod's string schema, by its constructor name
      expect(bundle).not.toContain('Ungültige Eingabe'); // German: no locale but English
      expect(JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }))).toEqual(['Invalid input: expected string, received number']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
