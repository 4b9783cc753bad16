/**
 * What `zod/mini` is inside the Lambda bundles. The bundles alias `zod` to ../zod (esbuild
 * `--alias:zod=…`, lib/functions.ts), and an alias takes its subpaths along: `zod/mini` becomes
 * this file, which is zod's own mini build, imported by path (not as `zod`, which would loop).
 */
export * from '../../../node_modules/zod/v4/mini/index.js';
