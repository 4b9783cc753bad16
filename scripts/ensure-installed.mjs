// Runs before `npm start` and `npm test`: on a fresh clone, install the locked dependencies
// first, so the README's two commands are all a new user needs.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  console.log('tierdesk: installing dependencies (npm ci) — first run only');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
}
