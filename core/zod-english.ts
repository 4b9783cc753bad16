/**
 * English messages for zod's mini build, imported for its effect by a module whose checks' messages
 * reach a caller (a webhook's 422). The whole zod registers English itself; mini registers no locale,
 * so its issues would all read "Invalid input". Mini is ~20 KB in a bundle against the whole zod's
 * ~180 KB, and builds its schemas faster at a cold start. zod keeps this setting on globalThis: in a
 * process that also loads the whole zod (the tests) English is there anyway, so test/bundle.e2e and
 * test/zod-alias check it in the bundles and in a process of its own.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
