/**
 * The local provider's sign-in page (local/oidc.ts, docs/sign-in.md) in a real browser: the page
 * a person sees when the console sends them to sign in with `npm start`. A wrong password is
 * announced next to the form, the right one sends the browser back to the app with a code that
 * yields real tokens, and every state of the page passes axe (WCAG 2.1 AA, no serious or
 * critical violations). The provider runs alone (no runtime): it is the component under test.
 */
import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../local/listen';
import { type LocalOidc, startOidcProvider } from '../local/oidc';
import { BROWSER_TEST_TIMEOUT, browserPerFile, checkAccessibility, screenshot } from './support/browser';

const USER = { username: 'marcus.ortiz', password: 'correct horse battery', email: 'marcus.ortiz@vendor.example', name: 'Marcus Ortiz', groups: ['agent'] };

const browser = browserPerFile();
let oidc: LocalOidc;
let app: Server;
let redirectUri: string;

beforeAll(async () => {
  // Where the provider sends the browser back: a stand-in for the console, answering a small page.
  app = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html lang="en"><title>app</title><main><h1>Back in the app</h1></main></html>'),
  );
  const { url } = await listen(app, '127.0.0.1', 0);
  redirectUri = `${url}/callback`;
  oidc = await startOidcProvider({ users: [USER], redirectUris: [redirectUri], corsOrigins: [url] });
});

afterAll(async () => {
  await oidc?.stop();
  await new Promise((resolve) => app?.close(resolve));
});

/** An authorization request as the console makes it (code + PKCE S256), and what is needed to redeem its code. */
async function authorizationRequest() {
  const config = await client.discovery(new URL(oidc.issuer), oidc.clientId, { token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { config, url: url.href, codeVerifier, state, nonce };
}

describe('the local sign-in page', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('shows a labelled form that passes axe', async () => {
    const page = browser.page();
    await page.goto((await authorizationRequest()).url);
    expect(await page.title()).toBe('Sign in · tierdesk');
    await page.getByRole('heading', { level: 1, name: 'Sign in to tierdesk' }).waitFor();
    await page.getByLabel('Username').waitFor();
    await page.getByLabel('Password').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await checkAccessibility(page, 'the sign-in page');
    await screenshot(page, 'sign-in');
  });

  it('announces a wrong password as an alert, keeps the username and puts the cursor back in the password field', async () => {
    const page = browser.page();
    await page.goto((await authorizationRequest()).url);
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Wrong password.');
    expect(await page.getByLabel('Username').inputValue()).toBe(USER.username);
    const password = page.getByLabel('Password');
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    // The error is the field's description, so a screen reader reads it on the field.
    const describedBy = await password.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('Wrong password.');
    expect(await password.evaluate((input: any) => input === input.ownerDocument.activeElement)).toBe(true);
    expect(page.url()).not.toContain(redirectUri);
    await checkAccessibility(page, 'the sign-in page after a wrong password');
  });

  it('says so for a user who does not exist', async () => {
    const page = browser.page();
    await page.goto((await authorizationRequest()).url);
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Password').fill('whatever');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('There is no user "nobody".');
    await checkAccessibility(page, 'the sign-in page after an unknown user');
  });

  it("sends the browser back to the app with a code that the app exchanges for the user's tokens", async () => {
    const page = browser.page();
    const request = await authorizationRequest();
    await page.goto(request.url);
    // A wrong attempt first: the form must still work after an error.
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL((url) => url.href.startsWith(redirectUri), { timeout: 30_000 });
    await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe(request.state);
    expect(back.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(request.config, back, {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ 'cognito:username': USER.username, email: USER.email, 'cognito:groups': ['agent'] });
  });
});

describe('the accessibility check itself', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('fails on serious or critical violations and names rule, impact and element', async () => {
    const page = browser.page();
    await page.setContent('<!DOCTYPE html><html lang="en"><title>bad</title><main><h1>Bad</h1><input id="nameless"><button id="empty"></button></main></html>');
    const failure = await checkAccessibility(page, 'a bad page').then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/- label \(critical\)[^\n]*\n\s+#nameless/);
    expect(failure).toMatch(/- button-name \(critical\)[^\n]*\n\s+#empty/);
  });

  it('lets a known violation of a page that is not ours pass, but only while it still occurs', async () => {
    const page = browser.page();
    await page.setContent('<!DOCTYPE html><html lang="en"><title>theirs</title><main><h1>Theirs</h1><input id="nameless"></main></html>');
    const findings = await checkAccessibility(page, 'a third-party page', { known: { label: 'their field has no label' } });
    expect(findings.map((finding) => finding.rule)).toContain('label');
    await page.setContent('<!DOCTYPE html><html lang="en"><title>fixed</title><main><h1>Fixed</h1><label>Name <input></label></main></html>');
    const failure = await checkAccessibility(page, 'the fixed page', { known: { label: 'their field has no label' } }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/known violations no longer found/);
  });
});
