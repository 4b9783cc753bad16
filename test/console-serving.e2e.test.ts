/**
 * The console on the local runtime (issue [11], local/console.ts): served by the same gateway as
 * the API at /console/, as CloudFront serves it in AWS — index.html for the console's routes, the
 * security headers, hashed assets cached for good, no way out of the dist folder, and config.json
 * from the runtime that a browser signs in with. A small fake console/dist (test/support/fake-console.ts)
 * stands in for the build; the banner line is checked on `npm start`'s own printBanner output.
 */

import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID } from '../local/oidc';
import { FAKE_INDEX, FAKE_SCRIPT, fakeConsoleDist } from './support/fake-console';
import { type Runtime, startTestRuntime } from './support/runtime';

let runtime: Runtime;
const dist = fakeConsoleDist();
// A secret beside the dist folder that no request may reach, through ../ or a symbolic link.
const outside = join(dist, '..', `outside-${process.pid}.txt`);

beforeAll(async () => {
  writeFileSync(outside, 'SECRET');
  mkdirSync(join(dist, 'nested'));
  symlinkSync(outside, join(dist, 'nested', 'leak.txt'));
  runtime = await startTestRuntime({ consoleDir: dist });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  rmSync(dist, { recursive: true, force: true });
  rmSync(outside, { force: true });
});

/** A raw request: the path exactly as written (fetch would normalise ../ away). */
function raw(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(runtime.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console at /console/', () => {
  it('serves index.html with the strict CSP and the other security headers, never cached stale', async () => {
    const response = await fetch(`${runtime.url}/console/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(FAKE_INDEX);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const issuerOrigin = new URL(runtime.oidc!.issuer).origin;
    expect(response.headers.get('content-security-policy')).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ${issuerOrigin}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'`,
    );
    expect(response.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it("answers the console's own routes (no file extension) with index.html, so a reload or a shared link works", async () => {
    for (const path of ['/console/tickets/T-42', '/console/inbox?view=breached', '/console/customers/acme/cases']) {
      const response = await fetch(`${runtime.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toBe(FAKE_INDEX);
    }
    const bare = await fetch(`${runtime.url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/console/']);
  });

  it('serves hashed assets with their content type, cached for good; other files revalidated', async () => {
    const script = await fetch(`${runtime.url}/console/assets/index-AbC123.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toBe(FAKE_SCRIPT);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    const style = await fetch(`${runtime.url}/console/assets/index-DeF456.css`);
    expect([style.headers.get('content-type'), style.headers.get('cache-control')]).toEqual(['text/css; charset=utf-8', 'public, max-age=31536000, immutable']);
    const robots = await fetch(`${runtime.url}/console/robots.txt`);
    expect([robots.status, robots.headers.get('content-type'), robots.headers.get('cache-control')]).toEqual([200, 'text/plain; charset=utf-8', 'no-cache']);
  });

  it('answers 404 for a missing file (with an extension) rather than index.html', async () => {
    const response = await fetch(`${runtime.url}/console/assets/index-gone.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('never serves a file outside the dist folder: ../, encoded ../ and separators, a symbolic link out', async () => {
    const attempts = [
      `/console/../outside-${process.pid}.txt`,
      `/console/%2e%2e/outside-${process.pid}.txt`,
      `/console/..%2Foutside-${process.pid}.txt`,
      `/console/assets/..%2F..%2Foutside-${process.pid}.txt`,
      `/console/..%5Coutside-${process.pid}.txt`,
      `/console/%2Fetc%2Fpasswd`,
      `/console/nested/leak.txt`,
      `/console/%00.txt`,
      `/console/%E0%A4%A.txt`,
    ];
    for (const path of attempts) {
      const response = await raw(path);
      expect(response.body, path).not.toContain('SECRET');
      expect(response.body, path).not.toContain('root:');
      expect(response.status, path).toBe(404);
    }
  });

  it('is read-only: other methods are refused with 405', async () => {
    const response = await raw('/console/', 'POST');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it("gives config.json from the runtime: the API is the gateway itself, sign-in the local provider's console client", async () => {
    const response = await fetch(`${runtime.url}/console/config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      apiUrl: runtime.url,
      oidc: { issuer: runtime.oidc!.issuer, clientId: CONSOLE_CLIENT_ID, scopes: 'openid email profile' },
      stage: 'local',
    });
  });

  it('is a redirect URI of the local sign-in client, so the console can sign in where it is served', async () => {
    expect(runtime.consoleUrl).toBe(`${runtime.url}/console/`);
    expect(runtime.oidc!.redirectUris).toContain(runtime.consoleUrl);
    const discovery = (await (await fetch(`${runtime.oidc!.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
    const authorize = new URL(discovery.authorization_endpoint);
    for (const [name, value] of Object.entries({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: runtime.consoleUrl,
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
      state: 's',
    }))
      authorize.searchParams.set(name, value);
    const accepted = await fetch(authorize, { redirect: 'manual' });
    expect(accepted.status).toBe(303); // on to the login page, not an error page
    authorize.searchParams.set('redirect_uri', `${runtime.url}/elsewhere/`);
    const refused = await fetch(authorize, { redirect: 'manual' });
    expect(refused.status).toBe(400);
  });

  it('leaves the API where it was: /health still answers', async () => {
    expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
  });
});

describe('without a build', () => {
  it('says how to build the console, and config.json still answers', async () => {
    const { serveConsole } = await import('../local/console');
    const empty = join(tmpdir(), `tierdesk-no-console-${process.pid}`);
    const site = { dir: empty, config: () => ({ apiUrl: 'http://x', oidc: { issuer: 'http://i', clientId: 'c', scopes: 's' }, stage: 'local' }), connectSources: async () => [] };
    const missing = await serveConsole(site, 'GET', '/console/');
    expect(missing.statusCode).toBe(503);
    expect(missing.body.toString()).toContain('npm run console:build');
    expect((await serveConsole(site, 'GET', '/console/config.json')).statusCode).toBe(200);
  });
});
