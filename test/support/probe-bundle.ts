/**
 * A small probe module bundled as lib/functions.ts bundles the functions (minified ESM for Node.js
 * 22, zod aliased as in the Lambda bundles), to run in a process of its own: what a function's
 * bundle would do, without synthesizing the stack.
 */
import { buildSync } from 'esbuild';
import { ZOD_IN_BUNDLES } from '../../lib/functions';

/** Bundles `contents` (TypeScript, imports resolved from the repository) into `outfile`. */
export function bundleProbe(contents: string, outfile: string): void {
  buildSync({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    alias: { zod: ZOD_IN_BUNDLES },
    outfile,
    logLevel: 'error',
  });
}
