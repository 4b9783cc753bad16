/**
 * Browser tests: playwright-core driving Debian's chromium (`.ci/run` installs it with apt when
 * missing), headless. One browser per test file, a fresh context (cookies, storage) per test:
 *
 *   const browser = browserPerFile();
 *   it('…', async () => {
 *     const page = browser.page();
 *     await page.goto(url);
 *     await checkAccessibility(page, 'the inbox');
 *     await screenshot(page, 'inbox');
 *   });
 *
 * Select by role and accessible name (getByRole, getByLabel), so a test doubles as a check that
 * a person with a screen reader finds the same controls. Never sleep: wait for what should
 * appear (Playwright's locators wait on their own).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

/** Debian's package (/usr/bin/chromium, else `chromium` on the PATH); `TIERDESK_CHROMIUM` names another build. */
export const CHROMIUM = process.env.TIERDESK_CHROMIUM || findChromium();

function findChromium(): string {
  const debian = '/usr/bin/chromium';
  if (existsSync(debian)) return debian;
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'chromium'))
    .find((candidate) => existsSync(candidate));
  return onPath ?? debian;
}

/** Browser tests wait for a browser and real pages: a generous per-test limit (nothing is timed by it). */
export const BROWSER_TEST_TIMEOUT = 120_000;

/** Screenshots (docs/screenshots/<name>.png) are taken at this size, so they do not change with the machine. */
export const SCREENSHOT_VIEWPORT = { width: 1280, height: 800 } as const;

/** WCAG 2.0 and 2.1, levels A and AA: what axe checks on every page. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

export interface BrowserPerFile {
  /** The current test's page (in its own context). */
  page(): Page;
  /** The current test's context, for a second tab or its cookies. */
  context(): BrowserContext;
  browser(): Browser;
}

/** Launches chromium before the file's tests and closes it after; a new context and page before each test. */
export function browserPerFile(): BrowserPerFile {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser!.newContext({ viewport: SCREENSHOT_VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', reducedMotion: 'reduce' });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });
  const current = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`no ${what}: call it inside a test of a file that called browserPerFile()`);
    return value;
  };
  return { page: () => current(page, 'page'), context: () => current(context, 'context'), browser: () => current(browser, 'browser') };
}

export function launchBrowser(): Promise<Browser> {
  return chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      // Containers (CI, this machine) run as root without user namespaces; /dev/shm is small there.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    })
    .catch((error: Error) => {
      throw new Error(`could not start chromium at ${CHROMIUM} (install Debian's "chromium" or set TIERDESK_CHROMIUM): ${error.message}`);
    });
}

export interface AccessibilityOptions {
  /**
   * Violations of these rules (id → why we cannot fix them) are reported but do not fail the
   * check; each must still occur, so the list cannot outlive the problem silently.
   * Only for pages that are not ours (a third-party emulator's page).
   */
  known?: Record<string, string>;
}

/** A violation as the failure message lists it. */
export interface Finding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now and fails on any serious or
 * critical violation, listing rule, impact and the elements. Returns what it found (all impacts).
 */
export async function checkAccessibility(page: Page, label: string, options: AccessibilityOptions = {}): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const findings: Finding[] = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact ?? 'unknown',
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
  }));
  const known = options.known ?? {};
  const blocking = findings.filter((finding) => (finding.impact === 'serious' || finding.impact === 'critical') && !(finding.rule in known));
  const list = (items: Finding[]) =>
    items.map((f) => `- ${f.rule} (${f.impact}): ${f.help}\n    ${f.targets.slice(0, 5).join('\n    ')}${f.targets.length > 5 ? `\n    … and ${f.targets.length - 5} more` : ''}`).join('\n');
  expect(blocking, `accessibility of ${label} (${page.url()}): serious or critical violations\n${list(blocking)}`).toEqual([]);
  const gone = Object.keys(known).filter((rule) => !findings.some((finding) => finding.rule === rule));
  expect(gone, `accessibility of ${label}: known violations no longer found — take them off the list`).toEqual([]);
  return findings;
}

/** Writes docs/screenshots/<name>.png (for the README): the top of the page at the fixed viewport; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot name "${name}": lowercase letters, digits and dashes`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.setViewportSize(SCREENSHOT_VIEWPORT);
  // The page as a person opens it, wherever the test's clicks scrolled it to.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}

/** Text matched literally inside a RegExp (an accessible name built from data). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
