/**
 * The agent console end to end, in a real browser (issue [11]'s proof), on the vidizmo preset:
 * three tiers, and its 3rd tier is entered only with the case reason "Code change needed" and
 * steps to reproduce (presets/vidizmo.yaml, `entryRequires: [stepsToReproduce]`).
 *
 * An agent of the 1st tier team signs in through the local provider's page; a customer's mail
 * sent over SMTP appears in the open inbox without a reload (the console polls); the agent
 * replies, escalates to 3rd tier (refused, the error next to "Steps to reproduce", until the
 * steps are given), resolves; the customer's resolution mail is on the SES emulator's mail page.
 * axe checks every page on the way; the inbox and the workspace are photographed for the README.
 *
 * One runtime and one browser for the file; the console is the built one the runtime serves at
 * /console/ (built here when console/dist is missing or older than its sources).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, browserPerFile, checkAccessibility, escapeRegExp, screenshot } from './support/browser';
import { type Runtime, startTestRuntime } from './support/runtime';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONSOLE_DIR = join(ROOT, 'console');

/** A 1st tier agent of the vidizmo directory (presets/staff/vidizmo.yaml): the directory finds him by this email. */
const AGENT = { username: 'tier1.agent', password: 'console-e2e-password', email: 'daniel.brooks@vidizmo.example', name: 'Daniel Brooks', groups: ['agent'] };
/** The demo customer's designated user (local/demo.ts): the mail is hers, so the case is entitled. */
const CUSTOMER = 'pat@customer.example';
const DESK = 'support@vidizmo.example';

/**
 * The SES emulator's page is aws-ses-v2-local's viewer, a third-party developer tool, not part of
 * tierdesk: it is checked, and what we cannot fix there is listed here.
 */
const MAIL_PAGE_KNOWN = {
  'color-contrast': "its links (#0ea5e9 on white, 2.8:1) and the code in them; the page is aws-ses-v2-local's own",
};

/** Generous: the console polls every few seconds; the 5 s is measured and reported, never asserted on a clock. */
const APPEARS_WITHIN_MS = 30_000;

const browser = browserPerFile();
let runtime: Runtime;
let smtp: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  await ensureConsoleBuilt();
  runtime = await startTestRuntime({ policy: 'vidizmo', signIn: { users: [AGENT] } });
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
});

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
});

describe('the agent console', { timeout: BROWSER_TEST_TIMEOUT * 3 }, () => {
  it('sign in, a mailed case appears live, reply, escalate to 3rd tier only with steps to reproduce, resolve, the customer is mailed', async () => {
    const page = browser.page();
    const consoleUrl = runtime.consoleUrl;

    // Sign in: the console's own screen, then the provider's page, then back.
    await page.goto(consoleUrl);
    const start = page.getByRole('button', { name: 'Sign in' });
    await start.waitFor();
    await checkAccessibility(page, 'the console before sign-in');
    await start.click();
    await page.getByRole('heading', { name: 'Sign in to tierdesk' }).waitFor();
    await checkAccessibility(page, "the provider's sign-in page");
    await page.getByLabel('Username').fill(AGENT.username);
    await page.getByLabel('Password').fill(AGENT.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${AGENT.name}`).waitFor({ timeout: APPEARS_WITHIN_MS });
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    // The placeholder index.html shows while the console loads is gone once it runs.
    expect(await page.getByText('Loading the tierdesk console').count()).toBe(0);

    // The team's queue is open; a customer mails the desk.
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: /My team's queue/ })
      .click();
    await page.getByRole('heading', { level: 2, name: "My team's queue" }).waitFor();
    // Fixed (the runtime is this file's alone), so the README's screenshots read naturally.
    const subject = 'Captions drift after ten minutes';
    const sentAt = Date.now();
    await smtp.sendMail({ from: `Pat Example <${CUSTOMER}>`, to: DESK, subject, text: 'Captions drift by a second every ten minutes in every video.' });
    const row = page.getByRole('link', { name: new RegExp(escapeRegExp(subject)) });
    await row.waitFor({ timeout: APPEARS_WITHIN_MS });
    const appearedMs = Date.now() - sentAt;
    // Announced to screen-reader users too (the live region), not only drawn.
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: APPEARS_WITHIN_MS }).toMatch(/\b1 new case\b/);
    // Reported, not asserted: the issue asks for 5 s; a loaded CI machine must not fail the build on it.
    console.info(`console e2e: the mailed case appeared in the open inbox ${appearedMs} ms after the SMTP answer (target 5000 ms)`);
    // The row reads "<case number> <subject>" (the preset numbers cases VIDZ-…).
    const caseNumber = ((await row.textContent()) ?? '').replace(subject, '').trim();
    expect(caseNumber).toMatch(/^VIDZ-\d+$/);
    await checkAccessibility(page, 'the inbox');
    await screenshot(page, 'inbox');

    // The workspace.
    await row.click();
    await page.getByRole('heading', { level: 1, name: new RegExp(escapeRegExp(subject)) }).waitFor();
    await checkAccessibility(page, 'the case workspace');

    // Reply: a public timeline entry, mailed to the customer.
    const reply = 'Thank you, we can see the drift and are looking into it.';
    await page.getByLabel('Message').fill(reply);
    await page.getByRole('button', { name: 'Send reply' }).click();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText(reply).waitFor({ timeout: APPEARS_WITHIN_MS });
    // For the README: a case at 1st tier with its clock running.
    await screenshot(page, 'workspace');

    // Escalate to 3rd tier as a code change, without steps to reproduce: refused, the error on the field.
    const escalate = page.getByRole('form', { name: 'Escalate', exact: true });
    await escalate.getByLabel('Reason for escalating').fill('No workaround: the caption timer must change.');
    // The form offers the tiers above this one by name and the policy's case reasons.
    await escalate.getByLabel('To tier').selectOption({ label: '3rd Tier Support' });
    // What 3rd tier requires is said on the fields before anything is sent.
    await escalate.getByLabel('Steps to reproduce (required by 3rd Tier Support)').waitFor();
    await escalate.getByLabel(/^Case reason/).selectOption('code-change');
    // The symptoms are known, the steps not yet: what 3rd tier requires is missing.
    await escalate.getByLabel('Symptoms').fill('Captions a second late after ten minutes.');
    await escalate.getByRole('button', { name: 'Escalate', exact: true }).click();
    const steps = escalate.getByLabel('Steps to reproduce');
    await expectInvalid(page, steps, /steps ?to ?reproduce/i);
    await checkAccessibility(page, 'the workspace with the escalation refused');
    await expect.poll(() => factOf(page, 'Tier / team')).toMatch(/^1st Tier Support \//);

    // With the steps: accepted, the case is at 3rd tier with its team.
    await steps.fill('1. Play any video of 15 minutes with captions.\n2. Watch minute 10: the captions are a second late.');
    await escalate.getByRole('button', { name: 'Escalate', exact: true }).click();
    await expect.poll(() => factOf(page, 'Tier / team'), { timeout: APPEARS_WITHIN_MS }).toBe('3rd Tier Support / vidizmo-tier3');
    expect(await steps.getAttribute('aria-invalid')).toBeNull();

    // Resolve.
    const resolve = page.getByRole('form', { name: 'Resolve', exact: true });
    await resolve.getByLabel('Resolution type').selectOption('fix');
    const resolution = 'Fixed in the next service pack: the caption timer no longer drifts.';
    await resolve.getByLabel('Resolution', { exact: true }).fill(resolution);
    await resolve.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect.poll(() => factOf(page, 'Status'), { timeout: APPEARS_WITHIN_MS }).toBe('resolved');
    await checkAccessibility(page, 'the resolved case');

    // The customer's mail lands on the mail page (the SES emulator), as a person would read it.
    const mailPage = await browser.context().newPage();
    await mailPage.goto(runtime.sesUrl);
    const resolvedMail = mailPage.locator('.email').filter({ hasText: `[${caseNumber}] Resolved: ${subject}` });
    await resolvedMail.waitFor({ timeout: APPEARS_WITHIN_MS });
    await expect.poll(() => resolvedMail.textContent()).toContain(`To: ${CUSTOMER}`);
    await resolvedMail.getByRole('button', { name: 'Toggle text view' }).click();
    await resolvedMail.getByText(resolution).filter({ visible: true }).waitFor();
    await mailPage
      .locator('.email')
      .filter({ hasText: `Re: [${caseNumber}] ${subject}` })
      .filter({ hasText: `To: ${CUSTOMER}` })
      .waitFor({ timeout: APPEARS_WITHIN_MS });
    await checkAccessibility(mailPage, 'the mail page (SES emulator)', { known: MAIL_PAGE_KNOWN });
  });
});

/** A field the API's error names: marked invalid, the message as its description, read by a screen reader with it. */
async function expectInvalid(page: Page, field: ReturnType<Page['getByLabel']>, message: RegExp): Promise<void> {
  await expect.poll(() => field.getAttribute('aria-invalid'), { timeout: APPEARS_WITHIN_MS }).toBe('true');
  const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
  expect(describedBy, "the error is the field's description").not.toBe('');
  const description = await Promise.all(describedBy.split(/\s+/).map((id) => page.locator(`[id="${id}"]`).textContent()));
  expect(description.join(' ')).toMatch(message);
}

/** A fact of the workspace's header (a dt/dd pair), as text. */
async function factOf(page: Page, term: string): Promise<string> {
  const facts = page.getByRole('region', { name: 'Case', exact: true });
  const value = facts.locator('dt', { hasText: new RegExp(`^${escapeRegExp(term)}$`) }).locator('xpath=following-sibling::dd[1]');
  return ((await value.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** `console/dist` as `npm start` serves it: built when missing or older than the console's sources. */
async function ensureConsoleBuilt(): Promise<void> {
  const built = join(CONSOLE_DIR, 'dist', 'index.html');
  const newestSource = Math.max(...['index.html', 'vite.config.ts', 'src'].map((entry) => newestMtime(join(CONSOLE_DIR, entry))));
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}
