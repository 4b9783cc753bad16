/**
 * What `zod` is inside the Lambda bundles (esbuild `--alias:zod=…` in lib/functions.ts): zod's own
 * module, the same `z` the sources import, without `z.locales`. The sources use `z` as a
 * namespace (`z.object(…)`), which esbuild keeps whole, so zod's error messages in ~50 languages
 * (~260 KB minified) were in every bundle though only English (registered by zod's schemas.js,
 * not through `locales`) is ever used. Locally and in tests, `zod` is zod itself.
 */
import * as z from './zod-classic';

export * from './zod-classic';
export { z, z as default };
