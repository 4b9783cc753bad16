/**
 * What `zod/v4/core` is inside the Lambda bundles (the `zod` alias takes subpaths along, see
 * ../mini.ts): zod's core without `locales`, as `z.core` of the whole zod is (../../zod-core.ts).
 */
export * from '../../zod-core';
