/**
 * A tiny stand-in for `console/dist` (what `npm run console:build` writes), so the console's
 * serving and deployment are tested without building the real console: an index.html that loads
 * a content-hashed script and stylesheet from assets/, as Vite's output does.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FAKE_INDEX =
  '<!doctype html><html lang="en"><head><title>fake console</title><script type="module" src="/console/assets/index-AbC123.js"></script><link rel="stylesheet" href="/console/assets/index-DeF456.css"></head><body><div id="app"></div></body></html>';
export const FAKE_SCRIPT = 'document.getElementById("app").textContent = "fake console";';
export const FAKE_STYLE = 'body { margin: 0 }';

/** A fresh directory laid out like console/dist; the caller removes it. */
export function fakeConsoleDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tierdesk-console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), FAKE_INDEX);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), FAKE_SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-DeF456.css'), FAKE_STYLE);
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  return dir;
}
