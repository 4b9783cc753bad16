// Runs before `npm start`, `npm test` and `npm run synth`: on a fresh clone, install the locked
// dependencies first, so the README's two commands are all a new user needs; then build the
// console (console/dist, served at /console/ and deployed by the stack) when it is missing or
// older than its sources.

import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (!existsSync(join(root, 'node_modules/.package-lock.json'))) {
  console.log('tierdesk: installing dependencies (npm ci) — first run only');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit', cwd: root });
}

/** The newest modification time of a file or of any file below a folder (0 if absent). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const consoleDir = join(root, 'console');
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
if (scripts['console:build'] && existsSync(join(consoleDir, 'index.html'))) {
  const built = newest(join(consoleDir, 'dist/index.html'));
  const sources = Math.max(...['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => newest(join(consoleDir, name))));
  if (built < sources) {
    console.log(`tierdesk: building the console (npm run console:build) — console/dist is ${built ? 'older than its sources' : 'missing'}`);
    execSync('npm run -s console:build', { stdio: 'inherit', cwd: root });
  }
}
