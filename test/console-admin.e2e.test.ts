/**
 * The console's desk screens ([11]) in a real browser, signed in as the local provider's admin:
 * Customers (list, search by the API, a customer's page with plan, designated users, contacts,
 * account team and cases), Support orders (periods by week, engineers' availability, accepting an
 * order books the engineer), Staff (the directory; the admin edits a person), API keys (create —
 * the secret shown once works against the API —, rotate, revoke — the key is refused after).
 * An agent does not see the admin's screens. A mail's attachment downloads from the workspace
 * (the API answers the link as JSON, the browser opens the presigned URL: the bytes arrive).
 * axe on every screen; screenshots docs/screenshots/customers.png, orders.png, keys.png.
 *
 * Served as in test/console-ui.e2e.test.ts: console/dist and a config.json at /console/, everything
 * else handed to the runtime's gateway, one origin as under `npm start`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../local/runtime';
import { BROWSER_TEST_TIMEOUT, browserPerFile, checkAccessibility, screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { api, startTestRuntime } from './support/runtime';
import { userWithGroup } from './support/sign-in';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'console', 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
const WAIT = { timeout: 30_000 };

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
  runtime = await startTestRuntime({ policy: 'cadmium', consoleOrigin: origin, signIn: { redirectUris: [`${origin}/console/`] } });
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
  await new Promise((done) => server?.close(done));
});

async function signInAs(page: Page, group: 'admin' | 'agent'): Promise<void> {
  const user = userWithGroup(runtime, group);
  await page.goto(`${origin}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor(WAIT);
}

const main = (page: Page) => page.getByRole('navigation', { name: 'Main' });
/** A whole hour `days` from now, as the API's instants. */
const hoursAhead = (hours: number) => new Date(Math.ceil((Date.now() + hours * 3_600_000) / 3_600_000) * 3_600_000).toISOString();

describe('the console for the desk', () => {
  const browser = browserPerFile();

  it(
    "shows customers from the API with a customer's page, and the staff directory where the admin edits a person",
    async () => {
      const request = api(runtime);
      expect((await request('PUT', '/customers/zephyr', { body: { name: 'Zephyr Airlines', plan: 'standard' } })).status).toBe(201);
      const severities = (await request('GET', '/policy/severities')).body.severities as { id: string }[];
      const opened = await request('POST', '/tickets', {
        body: {
          severity: severities.at(-1)!.id,
          subject: 'Badge printer offline',
          description: 'The badge printer at the venue is offline.',
          customerId: 'demo',
          requester: { email: 'pat@customer.example', name: 'Pat Example' },
        },
      });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const demo = (await request('GET', '/customers/demo')).body;
      const directory = (await request('GET', '/staff')).body as { people: { id: string; name: string; phone?: string }[] };
      const tam = directory.people.find((person) => person.id === demo.accountTeam?.tam);

      const page = browser.page();
      await signInAs(page, 'admin');
      await main(page).getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor(WAIT);
      await page.getByRole('link', { name: 'Zephyr Airlines' }).waitFor(WAIT);
      await page.getByRole('link', { name: demo.name }).waitFor(WAIT);
      await checkAccessibility(page, 'the customer list');
      await screenshot(page, 'customers');

      // Search is the API's: the list narrows to the names that start with the words.
      await page.getByLabel('Customer name starts with').fill('zeph');
      await page.getByRole('link', { name: demo.name }).waitFor({ state: 'detached', ...WAIT });
      await page.getByLabel('Customer name starts with').fill('');
      await page.getByRole('link', { name: demo.name }).click();

      await page.getByRole('heading', { level: 1, name: demo.name }).waitFor(WAIT);
      const designated = page.getByRole('region', { name: 'Designated users' });
      await designated.getByText(demo.designatedUsers[0]).waitFor(WAIT);
      await page.getByRole('region', { name: 'Contacts' }).getByRole('rowheader', { name: demo.contacts[0].name }).waitFor(WAIT);
      if (tam) await page.getByRole('region', { name: 'Account team' }).getByText(tam.name).waitFor(WAIT);
      await page
        .getByRole('region', { name: 'Cases' })
        .getByRole('link', { name: `${opened.body.caseNumber} Badge printer offline` })
        .waitFor(WAIT);
      await checkAccessibility(page, "a customer's page");

      // Staff: the directory, and the admin edits a person's phone.
      await main(page).getByRole('link', { name: 'Staff' }).click();
      await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor(WAIT);
      const person = directory.people[0]!;
      await page.getByRole('region', { name: 'People' }).getByRole('rowheader', { name: person.name }).waitFor(WAIT);
      await checkAccessibility(page, 'the staff directory');
      await page.getByRole('button', { name: `Edit ${person.name}` }).click();
      await page.getByLabel('Time zone (IANA, e.g. Europe/Berlin)').fill('Mars/Olympus');
      await page.getByRole('button', { name: `Save ${person.name}` }).click();
      // The API's error sits next to the field it names.
      await page.getByLabel('Time zone (IANA, e.g. Europe/Berlin)').and(page.locator('[aria-invalid="true"]')).waitFor(WAIT);
      await page.getByLabel('Time zone (IANA, e.g. Europe/Berlin)').fill('Europe/Berlin');
      await page.getByLabel('Phone').fill('+49 30 1234567');
      await page.getByRole('button', { name: `Save ${person.name}` }).click();
      await page.getByRole('cell', { name: 'Europe/Berlin' }).first().waitFor(WAIT);
      const saved = await request('GET', `/staff/people/${person.id}`);
      expect(saved.body).toMatchObject({ timeZone: 'Europe/Berlin', phone: '+49 30 1234567' });
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    'lays out support periods by week with the engineers free for them, and accepting an order books the engineer',
    async () => {
      const request = api(runtime);
      const engineer = { name: 'Eve Engineer', email: 'eve@vendor.example', phone: '+1 202 555 0100', availability: [{ from: hoursAhead(1), to: hoursAhead(24 * 40) }] };
      expect((await request('PUT', '/agents/eve', { body: engineer })).status).toBe(201);
      const placed = await request('POST', '/support-orders', {
        body: { customerId: 'demo', purpose: 'attendee-support', periods: [{ start: hoursAhead(24 * 20), hours: 4 }], pointOfContact: { name: 'Pat Example', email: 'pat@customer.example' } },
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      const orderId = placed.body.id as string;

      const page = browser.page();
      await signInAs(page, 'admin');
      await main(page).getByRole('link', { name: 'Support orders' }).click();
      await page.getByRole('heading', { level: 1, name: 'Support orders' }).waitFor(WAIT);
      const form = page.getByRole('form', { name: new RegExp(`^${orderId}:`) });
      await form.waitFor(WAIT);
      // The calendar lists the period with Eve among the engineers available for it.
      const periods = page.getByRole('region', { name: 'Periods by week' });
      await periods
        .getByRole('row')
        .filter({ hasText: orderId })
        .getByRole('cell', { name: /Eve Engineer/ })
        .waitFor(WAIT);
      await page
        .getByRole('region', { name: "Engineers' availability" })
        .getByRole('rowheader', { name: /Eve Engineer/ })
        .waitFor(WAIT);
      await checkAccessibility(page, 'the support orders');
      await screenshot(page, 'orders');

      await form.getByLabel(`Engineer for ${orderId}`).selectOption({ label: 'Eve Engineer' });
      await form.getByRole('button', { name: `Accept ${orderId}` }).click();
      await form.waitFor({ state: 'detached', ...WAIT });
      await periods.getByRole('row').filter({ hasText: orderId }).getByRole('cell', { name: 'booked' }).waitFor(WAIT);
      const order = await request('GET', `/support-orders/${orderId}`);
      expect(order.body.status).toBe('accepted');
      expect(order.body.periods[0].engineerId).toBe('eve');
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    'creates an API key whose secret is shown once and works, rotates and revokes it; an agent sees no admin screens',
    async () => {
      const page = browser.page();
      await signInAs(page, 'admin');
      await main(page).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor(WAIT);

      // A customer key without its customer: the API's error next to the field.
      await page.getByLabel('Key name').fill('acme portal');
      await page.getByLabel('Role').selectOption('customer');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /customerId/ })
        .waitFor(WAIT);
      await page.getByLabel('Role').selectOption('agent');
      await page.getByLabel('Key name').fill('ci pipeline');
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = await page.getByRole('textbox', { name: 'Secret of ci pipeline' }).inputValue({ timeout: 30_000 });
      expect(secret).toMatch(/^td_/);
      const request = api(runtime);
      expect((await request('GET', '/tickets?limit=1', { key: secret })).status).toBe(200);
      await checkAccessibility(page, 'the API keys with a new secret');

      await page.getByRole('button', { name: 'Rotate ci pipeline' }).click();
      await eventually('the rotated secret', async () => (await page.getByRole('textbox', { name: 'Secret of ci pipeline' }).inputValue()) !== secret || undefined);
      const rotated = await page.getByRole('textbox', { name: 'Secret of ci pipeline' }).inputValue();
      expect((await request('GET', '/tickets?limit=1', { key: secret })).status).toBe(401);
      expect((await request('GET', '/tickets?limit=1', { key: rotated })).status).toBe(200);
      await page.getByRole('button', { name: 'Done, hide it' }).click();

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Revoke ci pipeline' }).click();
      await page
        .getByRole('row')
        .filter({ hasText: 'ci pipeline' })
        .getByRole('cell', { name: /^revoked/ })
        .waitFor(WAIT);
      expect((await request('GET', '/tickets?limit=1', { key: rotated })).status).toBe(401);
      await checkAccessibility(page, 'the API keys');
      await screenshot(page, 'keys');

      // An agent (another browser session): customers, orders and staff, but no key management (the API would refuse it).
      const agentContext = await browser.browser().newContext();
      try {
        const agentPage = await agentContext.newPage();
        await signInAs(agentPage, 'agent');
        await main(agentPage).getByRole('link', { name: 'Staff' }).waitFor(WAIT);
        expect(await main(agentPage).getByRole('link', { name: 'API keys' }).count()).toBe(0);
        await agentPage.goto(`${origin}/console/#/keys`);
        await agentPage.getByRole('alert').filter({ hasText: 'not for your role' }).waitFor(WAIT);
        await agentPage.getByRole('link', { name: 'Staff' }).click();
        await agentPage.getByRole('heading', { level: 1, name: 'Staff' }).waitFor(WAIT);
        expect(await agentPage.getByRole('button', { name: /^Edit / }).count()).toBe(0);
      } finally {
        await agentContext.close();
      }
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    "downloads a mail's attachment from the workspace: the API answers the link as JSON and the browser fetches the file",
    async () => {
      const request = api(runtime);
      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
      const content = 'export started 02:00\nexport stopped at 80 %\n';
      try {
        await smtp.sendMail({
          from: 'Pat Example <pat@customer.example>',
          to: 'support@cadmium.example',
          subject: 'Export log attached',
          text: 'The log is attached.',
          attachments: [{ filename: 'export log.txt', content }],
        });
      } finally {
        smtp.close();
      }
      const ticket = await eventually('the mailed ticket', async () => {
        const listed = await request('GET', '/tickets?q=export+log');
        return listed.body.items?.find((item: { subject: string }) => item.subject === 'Export log attached');
      });

      const page = browser.page();
      await signInAs(page, 'agent');
      await page.goto(`${origin}/console/#/tickets/${ticket.id}`);
      await page.getByRole('heading', { level: 1, name: `${ticket.caseNumber} Export log attached` }).waitFor(WAIT);
      const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByRole('button', { name: 'Download export log.txt' }).click()]);
      expect(download.suggestedFilename()).toBe('export log.txt');
      const path = await download.path();
      expect(readFileSync(path, 'utf8')).toBe(content);
    },
    BROWSER_TEST_TIMEOUT,
  );
});
