/**
 * Signs a user in to the local runtime's OpenID Connect provider as the console would, without a
 * browser: authorization request with PKCE (openid-client builds and checks it), the login
 * form, the redirect with the code, and the code exchange. The tokens are real: the API verifies
 * them as it verifies Cognito's.
 *
 *   const tokens = await signIn(runtime, 'pat', password);
 *   await api(runtime)('GET', '/tickets', { key: tokens.idToken });
 */
import * as client from 'openid-client';
import type { LocalUser } from '../../local/oidc';

/** What a runtime (or a bare local provider) tells the helper. */
export interface SignInTarget {
  oidc?: { issuer: string; clientId: string; redirectUris: string[]; users: LocalUser[] };
}

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Seconds the ID and access tokens live. */
  expiresIn: number;
  /** The ID token's claims, as openid-client verified them. */
  claims: Record<string, unknown>;
}

/** A refused login: the status and page the login form answered with. */
export class LoginRefused extends Error {
  constructor(
    readonly status: number,
    readonly page: string,
  ) {
    super(`the login form answered ${status}`);
  }
}

/** The user of the runtime's provider with that group (first match), e.g. `userWithGroup(rt, 'agent')`. */
export function userWithGroup(target: SignInTarget, group: string, where: (user: LocalUser) => boolean = () => true): LocalUser {
  const user = localProvider(target).users.find((candidate) => candidate.groups.includes(group) && where(candidate));
  if (!user) throw new Error(`no local user in group "${group}"`);
  return user;
}

export async function signIn(target: SignInTarget, username: string, password: string, clientId?: string): Promise<Tokens> {
  const oidc = localProvider(target);
  const config = await configuration(oidc.issuer, clientId ?? oidc.clientId);
  const redirectUri = oidc.redirectUris[0]!;
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  const jar = new CookieJar();
  // The provider sends the browser to its login page…
  let response = await jar.fetch(authorizationUrl.href);
  const loginUrl = new URL(location(response), oidc.issuer);
  response = await jar.fetch(loginUrl.href);
  const page = await response.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (response.status !== 200 || !action) throw new Error(`no login form at ${loginUrl.href} (${response.status})`);
  // …the user submits it…
  response = await jar.fetch(new URL(action.replace(/&amp;/g, '&'), oidc.issuer).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  if (response.status < 300 || response.status >= 400) throw new LoginRefused(response.status, await response.text());
  // …and is sent back through the authorization endpoint to the console with a code.
  let next = new URL(location(response), oidc.issuer);
  for (let hops = 0; !next.href.startsWith(redirectUri); hops++) {
    if (hops > 5) throw new Error(`never redirected to ${redirectUri}`);
    response = await jar.fetch(next.href);
    next = new URL(location(response), next);
  }
  const tokens = await client.authorizationCodeGrant(config, next, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  return toTokens(tokens);
}

/** A refresh token grant: new ID and access tokens (and, rotated, a new refresh token). */
export async function refresh(target: SignInTarget, refreshToken: string): Promise<Tokens> {
  const oidc = localProvider(target);
  const config = await configuration(oidc.issuer, oidc.clientId);
  return toTokens(await client.refreshTokenGrant(config, refreshToken));
}

/** The claims of a token, read without verifying it (to see `exp`, or to tamper in a test). */
export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function localProvider(target: SignInTarget): NonNullable<SignInTarget['oidc']> {
  if (!target.oidc) throw new Error('this runtime has no local OpenID Connect provider');
  return target.oidc;
}

async function configuration(issuer: string, clientId: string): Promise<client.Configuration> {
  // The local issuer is http on loopback; openid-client asks for https unless told otherwise.
  return client.discovery(new URL(issuer), clientId, { token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
}

function toTokens(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Tokens {
  if (!response.id_token || !response.refresh_token) throw new Error('the token response has no ID token or no refresh token');
  return {
    idToken: response.id_token,
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresIn: response.expires_in ?? 0,
    claims: { ...response.claims() },
  };
}

function location(response: Response): string {
  const value = response.headers.get('location');
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return value;
}

/** Just enough of a browser's cookies: every cookie the provider set goes back on every request. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}
