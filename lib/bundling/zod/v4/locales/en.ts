/**
 * What `zod/v4/locales/en.js` is inside the Lambda bundles (the `zod` alias takes subpaths along,
 * see ../../mini.ts): zod's own English messages, imported by path.
 */
export { default } from '../../../../../node_modules/zod/v4/locales/en.js';
