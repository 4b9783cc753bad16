/**
 * People sign in (issue [10]): real tokens from the local OpenID Connect provider, through the
 * code + PKCE flow the console uses, verified by the API as Cognito's are (docs/sign-in.md).
 * Token expiry: test/sign-in-expiry.e2e.test.ts (a runtime with short-lived ID tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalOidc, startOidcProvider } from '../local/oidc';
import { type ApiResponse, api, type Runtime, startTestRuntime } from './support/runtime';
import { decodeClaims, LoginRefused, refresh, signIn, type Tokens, userWithGroup } from './support/sign-in';

let runtime: Runtime;
let request: ReturnType<typeof api>;
let demoTicket: string;
let otherTicket: string;

const NO_GROUP = { username: 'nogroup', password: 'nogroup-pass', email: 'nobody@vendor.example', groups: [] };

beforeAll(async () => {
  runtime = await startTestRuntime({ workflows: false, signIn: { users: [NO_GROUP], extraClientIds: ['another-app'] } });
  request = api(runtime);
  expect((await request('PUT', '/customers/other', { body: { name: 'Other Ltd', plan: 'standard', emailDomains: ['other.example'] } })).status).toBe(201);
  const body = { subject: 'Export fails', description: 'The CSV export times out.', severity: 'sev3' };
  const file = async (requester: { email: string; name: string }) => {
    const created = await request('POST', '/tickets', { body: { ...body, requester } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  demoTicket = await file({ email: 'pat@customer.example', name: 'Pat' });
  otherTicket = await file({ email: 'ole@other.example', name: 'Ole' });
});

afterAll(async () => {
  await runtime?.stop();
});

async function signInAs(group: string): Promise<Tokens> {
  const user = userWithGroup(runtime, group);
  return signIn(runtime, user.username, user.password);
}

function expectInvalidToken(response: ApiResponse, message: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(response.body.message).toMatch(message);
}

describe('the local provider', () => {
  it('issues Cognito-shaped ID tokens for the console, verified by openid-client (issuer, audience, nonce, PKCE)', async () => {
    const tokens = await signInAs('agent');
    expect(tokens.claims).toMatchObject({ iss: runtime.oidc!.issuer, aud: 'tierdesk-console', email_verified: true, 'cognito:groups': ['agent'] });
    expect(tokens.claims.email).toEqual(expect.stringMatching(/@/));
    expect(tokens.refreshToken).toBeTruthy();
  });

  it('says so when the password is wrong', async () => {
    const user = userWithGroup(runtime, 'agent');
    const refused = await signIn(runtime, user.username, 'not-the-password').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LoginRefused);
    expect((refused as LoginRefused).status).toBe(401);
    expect((refused as LoginRefused).page).toMatch(/role="alert"[^>]*>Wrong password\./);
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL('/auth', runtime.oidc!.issuer);
    url.search = new URLSearchParams({ client_id: 'tierdesk-console', response_type: 'code', scope: 'openid', redirect_uri: runtime.oidc!.redirectUris[0]! }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? 'http://none/');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});

describe('the API with a signed-in person', () => {
  it('lets an agent read every ticket with their ID token', async () => {
    const tokens = await signInAs('agent');
    const listed = await request('GET', '/tickets?limit=100', { key: tokens.idToken });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const ids = listed.body.items.map((ticket: { id: string }) => ticket.id);
    expect(ids).toEqual(expect.arrayContaining([demoTicket, otherTicket]));
  });

  it("shows a customer user only their own customer's tickets", async () => {
    const tokens = await signInAs('customer');
    expect(tokens.claims['custom:customer']).toBe('demo');
    const listed = await request('GET', '/tickets?limit=100', { key: tokens.idToken });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const ids = listed.body.items.map((ticket: { id: string }) => ticket.id);
    expect(ids).toContain(demoTicket);
    expect(ids).not.toContain(otherTicket);
    expect(listed.body.items.every((ticket: { customerId: string }) => ticket.customerId === 'demo')).toBe(true);
    expect((await request('GET', `/tickets/${otherTicket}`, { key: tokens.idToken })).status).toBe(404);
  });

  it('accepts the ID token a refresh gives, which is a new one', async () => {
    const first = await signInAs('customer');
    const renewed = await refresh(runtime, first.refreshToken);
    expect(renewed.idToken).not.toBe(first.idToken);
    expect(renewed.claims).toMatchObject({ sub: first.claims.sub, 'custom:customer': 'demo' });
    expect((await request('GET', '/tickets', { key: renewed.idToken })).status).toBe(200);
  });

  it('refuses a user in no tierdesk group with 403 saying so', async () => {
    const tokens = await signIn(runtime, NO_GROUP.username, NO_GROUP.password);
    const response = await request('GET', '/tickets', { key: tokens.idToken });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/not a member of any tierdesk group/);
  });

  it('refuses a token issued to another app of the same issuer (audience)', async () => {
    const user = userWithGroup(runtime, 'admin');
    const tokens = await signIn(runtime, user.username, user.password, 'another-app');
    expect(tokens.claims.aud).toBe('another-app');
    expectInvalidToken(await request('GET', '/tickets', { key: tokens.idToken }), /another app/);
  });

  it('refuses a token from another issuer, even for the same user and client', async () => {
    const user = userWithGroup(runtime, 'admin');
    let elsewhere: LocalOidc | undefined;
    try {
      elsewhere = await startOidcProvider({ users: [user], redirectUris: runtime.oidc!.redirectUris, corsOrigins: [] });
      const tokens = await signIn({ oidc: elsewhere }, user.username, user.password);
      expectInvalidToken(await request('GET', '/tickets', { key: tokens.idToken }), /not from this desk's sign-in issuer/);
    } finally {
      await elsewhere?.stop();
    }
  });

  it("refuses a tampered token: claims changed, or a signature that is not the issuer's", async () => {
    const tokens = await signInAs('customer');
    const [header, , signature] = tokens.idToken.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...decodeClaims(tokens.idToken), 'cognito:groups': ['admin'] })).toString('base64url');
    expectInvalidToken(await request('GET', '/tickets', { key: `${header}.${promoted}.${signature}` }), /does not verify/);
    const flipped = `${signature!.slice(0, -4)}${signature!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expectInvalidToken(await request('GET', '/tickets', { key: `${header}.${tokens.idToken.split('.')[1]}.${flipped}` }), /does not verify/);
  });

  it('does not take the access token (opaque) or a token-shaped string for a person', async () => {
    const tokens = await signInAs('agent');
    expect((await request('GET', '/tickets', { key: tokens.accessToken })).status).toBe(401);
    expectInvalidToken(await request('GET', '/tickets', { key: 'a.b.c' }), /not a JSON Web Token|not from this desk/);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(new URL('/tickets', runtime.url), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });

  it("answers the console origin's preflight and marks its answers readable", async () => {
    const answer = await preflight(runtime.consoleOrigin);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(runtime.consoleOrigin);
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const read = await fetch(new URL('/tickets', runtime.url), { headers: { origin: runtime.consoleOrigin, authorization: `Bearer ${runtime.adminKey}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(runtime.consoleOrigin);
    // A refusal is readable too, so the console can show why.
    const refused = await fetch(new URL('/tickets', runtime.url), { headers: { origin: runtime.consoleOrigin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(runtime.consoleOrigin);
  });

  it('allows no other origin: no preflight, no allow-origin header', async () => {
    for (const origin of ['http://evil.example', 'null', `${runtime.consoleOrigin}.evil.example`]) {
      const answer = await preflight(origin);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      const read = await fetch(new URL('/tickets', runtime.url), { headers: { origin, authorization: `Bearer ${runtime.adminKey}` } });
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it("lets the console origin, and no other, call the provider's token endpoint", async () => {
    // The preflight cannot know the client; the request itself is checked against the client's allowed origin.
    const tokenRequest = (origin: string) =>
      fetch(new URL('/token', runtime.oidc!.issuer), {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'not-a-token', client_id: 'tierdesk-console' }).toString(),
      });
    const fromConsole = await tokenRequest(runtime.consoleOrigin);
    expect(fromConsole.headers.get('access-control-allow-origin')).toBe(runtime.consoleOrigin);
    expect(((await fromConsole.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await tokenRequest('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
