/**
 * A smoke test of the agent console ([11]) in a real browser: the built console (console/dist)
 * signs an agent in with code + PKCE at the local provider, lists a case in the inbox, shows a
 * case created afterwards without a reload (polling), opens it, assigns it and sends a reply.
 *
 * The console is served here by a tiny server that answers /console/* from console/dist (with a
 * config.json pointing at itself) and hands everything else to the runtime's gateway, so the
 * console and the API share one origin, as under `npm start`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalUser } from '../local/oidc';
import type { Runtime } from '../local/runtime';
import { BROWSER_TEST_TIMEOUT, browserPerFile, checkAccessibility, escapeRegExp } from './support/browser';
import { api, startTestRuntime } from './support/runtime';
import { userWithGroup } from './support/sign-in';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'console', 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** The newest modification time under a directory. */
function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

let runtime: Runtime;
let server: Server;
let origin: string;

beforeAll(async () => {
  // Built when missing or older than its sources: the console under test is the sources'.
  if (!existsSync(join(DIST, 'index.html')) || newestSource(join(ROOT, 'console', 'src')) > statSync(join(DIST, 'index.html')).mtimeMs) {
    execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  }
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/console/')) {
      if (path === '/console/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiUrl: origin, oidc: { issuer: runtime.oidc!.issuer, clientId: runtime.oidc!.clientId }, stage: 'test' }));
        return;
      }
      const relative = normalize(decodeURIComponent(path.slice('/console/'.length))).replace(/^(\.\.[/\\])+/, '');
      const candidate = join(DIST, relative);
      const file = existsSync(candidate) && statSync(candidate).isFile() ? candidate : join(DIST, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
      return;
    }
    const target = new URL(req.url ?? '/', runtime.url);
    const forward = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await startTestRuntime({ consoleOrigin: origin, signIn: { redirectUris: [`${origin}/console/`] } });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await new Promise((done) => server?.close(done));
});

/** A case of the demo customer; of the least severe severity unless one is given. */
async function openTicket(subject: string, severity?: string): Promise<{ id: string; caseNumber: string; tier: string }> {
  const severities = await api(runtime)('GET', '/policy/severities');
  const answer = await api(runtime)('POST', '/tickets', {
    body: {
      subject,
      description: 'The nightly export stops at 80 %.',
      severity: severity ?? severities.body.severities.at(-1).id,
      customerId: 'demo',
      requester: { email: 'pat@customer.example', name: 'Pat Example' },
    },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { id: answer.body.id, caseNumber: answer.body.caseNumber, tier: answer.body.ticket.tier };
}

/** Signs the demo agent in at the local provider's page; the console then shows its inbox. */
async function signInAgent(page: Page): Promise<LocalUser> {
  const agent = userWithGroup(runtime, 'agent');
  await page.goto(`${origin}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(agent.username);
  await page.getByLabel('Password').fill(agent.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor({ timeout: 30_000 });
  return agent;
}

describe('the agent console', () => {
  const browser = browserPerFile();

  it(
    'signs an agent in, lists cases live, opens one, assigns it and replies',
    async () => {
      const first = await openTicket('Export stops halfway');
      const page = browser.page();
      const agent = await signInAgent(page);

      // Views and rows name tiers as the policy does (GET /policy/desk).
      const tierName = (await api(runtime)('GET', '/policy/desk')).body.tiers.find((tier: { id: string }) => tier.id === first.tier).name as string;
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: new RegExp(`^${escapeRegExp(tierName)} \\d`) })
        .click();
      const firstRow = page.getByRole('link', { name: `${first.caseNumber} Export stops halfway` });
      await firstRow.waitFor({ timeout: 30_000 });
      await checkAccessibility(page, 'the inbox');

      // Polling asks again with the list's ETag: an unchanged list is a 304, and its rows stay.
      const unchanged = await page.waitForResponse((response) => response.url().includes('/tickets?') && response.url().includes('view=tier') && response.status() === 304, { timeout: 30_000 });
      expect(unchanged.request().headers()['if-none-match']).toBeTruthy();
      await firstRow.waitFor({ timeout: 30_000 });

      // A case opened while the list is open appears without a reload.
      const second = await openTicket('Login page is blank');
      await page.getByRole('link', { name: `${second.caseNumber} Login page is blank` }).waitFor({ timeout: 30_000 });

      // Keyboard: j moves to a row, Enter opens it.
      await page.locator('body').press('j');
      await page.keyboard.press('Enter');
      await page
        .getByRole('heading', { level: 1 })
        .filter({ hasText: /Export stops halfway|Login page is blank/ })
        .waitFor({ timeout: 30_000 });
      await page.goto(`${origin}/console/#/tickets/${first.id}`);
      await page.getByRole('heading', { level: 1, name: `${first.caseNumber} Export stops halfway` }).waitFor({ timeout: 30_000 });

      await page.getByRole('button', { name: 'Assign to me' }).click();
      await page
        .getByRole('definition')
        .filter({ hasText: agent.name ?? agent.username })
        .waitFor({ timeout: 30_000 });

      // The API's "my cases" view holds what "assign to me" wrote.
      await page.goto(`${origin}/console/#/inbox/mine`);
      await page.getByRole('link', { name: `${first.caseNumber} Export stops halfway` }).waitFor({ timeout: 30_000 });
      await page.goto(`${origin}/console/#/tickets/${first.id}`);
      await page.getByRole('heading', { level: 1, name: `${first.caseNumber} Export stops halfway` }).waitFor({ timeout: 30_000 });

      await page.getByLabel('Message').fill('We are looking at the export now.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByText('We are looking at the export now.').waitFor({ timeout: 30_000 });
      await checkAccessibility(page, 'the case workspace');

      const stored = await api(runtime)('GET', `/tickets/${first.id}`);
      expect(stored.body.assignee).toBeTruthy();
      expect(stored.body.timeline.some((event: { type: string; body?: string }) => event.type === 'agent-reply' && event.body === 'We are looking at the export now.')).toBe(true);
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    'narrows a view to one severity through the API, and shows more than a page on request',
    async () => {
      const desk = (await api(runtime)('GET', '/policy/desk')).body as { severities: { id: string; name: string }[] };
      const [most, least] = [desk.severities[0]!, desk.severities.at(-1)!];
      await openTicket('Checkout is down for everyone', most.id);
      // More open cases than a page (50) holds.
      for (let i = 0; i < 52; i++) await openTicket(`Question ${i + 1} about reports`, least.id);
      const page = browser.page();
      await signInAgent(page);
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: /^All open cases/ })
        .click();
      const rows = page.locator('tbody tr');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(50);

      // The severity filter is a request to the API, named by the policy's severity names.
      const filtered = page.waitForResponse((response) => response.url().includes('view=open') && response.url().includes(`severity=${encodeURIComponent(most.id)}`) && response.status() === 200, {
        timeout: 30_000,
      });
      await page.getByLabel('Severity').selectOption({ label: most.name });
      await filtered;
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
      const severities = await rows.locator('td:nth-child(3)').allTextContents();
      expect(new Set(severities)).toEqual(new Set([most.name]));
      await page.getByRole('link', { name: /Checkout is down for everyone/ }).waitFor();
      await checkAccessibility(page, 'the inbox filtered by severity');

      // Back to every severity: the first page, then the next on request.
      await page.getByLabel('Severity').selectOption({ label: 'Any' });
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(50);
      await page.getByRole('button', { name: 'Show 50 more' }).click();
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(54);
      const cases = await page.locator('a.case .case-number').allTextContents();
      expect(new Set(cases).size).toBe(cases.length);

      // A case beyond the first page that is resolved leaves the list at the next poll, without a reload.
      const last = cases.at(-1)!;
      const listed = (await api(runtime)('GET', `/tickets?q=${encodeURIComponent(last)}`)).body.items[0] as { id: string };
      expect((await api(runtime)('POST', `/tickets/${listed.id}/actions`, { body: { type: 'resolve', resolutionType: 'other', text: 'Answered by phone.' } })).status).toBe(200);
      await expect.poll(() => page.locator('a.case .case-number').allTextContents(), { timeout: 30_000 }).not.toContain(last);
    },
    BROWSER_TEST_TIMEOUT,
  );
});
