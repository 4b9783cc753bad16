/**
 * The console's build: `npm run console:build` writes console/dist, served at /console/ (by the
 * local gateway, by CloudFront in AWS). No source maps in the shipped build: the bundle is small
 * and readable, and a public map would only add bytes. JSX is Oxc's (Vite 8) with Preact's runtime.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
});
