/**
 * Sign-in in the browser: OpenID Connect authorization code + PKCE (oauth4webapi) against the
 * issuer of config.json (Cognito in AWS, local/oidc.ts under `npm start`). The tokens live in
 * memory and in sessionStorage (one tab's session; never localStorage), and are refreshed a
 * minute before the ID token expires. The API is called with the ID token (docs/sign-in.md).
 */
import * as oauth from 'oauth4webapi';
import type { ConsoleConfig } from './config';

export interface Session {
  idToken: string;
  refreshToken?: string;
  /** Epoch ms when the ID token expires. */
  expiresAt: number;
  claims: Claims;
}

/** The ID token's claims the console reads (Cognito's names; the local provider issues the same). */
export interface Claims {
  sub: string;
  email?: string;
  name?: string;
  'cognito:username'?: string;
  'cognito:groups'?: string[];
  'custom:customer'?: string;
  'custom:partner'?: string;
  exp: number;
}

const SESSION_KEY = 'tierdesk.session';
const PENDING_KEY = 'tierdesk.sign-in';
const REFRESH_EARLY_MS = 60_000;

/** The console's own address: where the provider sends the browser back (a registered redirect URI). */
export const redirectUri = (): string => new URL(import.meta.env.BASE_URL, location.origin).href;

export class Auth {
  private session: Session | undefined;
  private server: oauth.AuthorizationServer | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(session: Session | undefined) => void>();
  private readonly client: oauth.Client;
  private readonly options: { [oauth.allowInsecureRequests]?: boolean };

  constructor(private readonly config: ConsoleConfig) {
    this.client = { client_id: config.oidc.clientId };
    const issuer = new URL(config.oidc.issuer);
    // Plain HTTP only for a provider on this machine (the local runtime's).
    this.options = issuer.protocol === 'http:' && isLoopback(issuer.hostname) ? { [oauth.allowInsecureRequests]: true } : {};
    const stored = sessionStorage.getItem(SESSION_KEY);
    if (stored) {
      try {
        this.session = JSON.parse(stored) as Session;
      } catch {
        sessionStorage.removeItem(SESSION_KEY);
      }
    }
  }

  get current(): Session | undefined {
    return this.session;
  }

  /** The ID token for the API, or undefined when signed out. */
  token(): string | undefined {
    return this.session?.idToken;
  }

  onChange(listener: (session: Session | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Finishes a sign-in when the provider sent the browser back with a code; else resumes the stored session. */
  async start(): Promise<void> {
    const url = new URL(location.href);
    if (url.searchParams.has('code') || url.searchParams.has('error')) {
      const pending = sessionStorage.getItem(PENDING_KEY);
      sessionStorage.removeItem(PENDING_KEY);
      history.replaceState(null, '', url.pathname + url.hash);
      if (!pending) throw new Error('The sign-in answer arrived without a sign-in started in this tab: sign in again.');
      const { verifier, state, nonce } = JSON.parse(pending) as { verifier: string; state: string; nonce: string };
      const as = await this.authorizationServer();
      const params = oauth.validateAuthResponse(as, this.client, url, state);
      const response = await oauth.authorizationCodeGrantRequest(as, this.client, oauth.None(), params, redirectUri(), verifier, this.options);
      const result = await oauth.processAuthorizationCodeResponse(as, this.client, response, { expectedNonce: nonce, requireIdToken: true });
      this.keep(result);
      return;
    }
    if (this.session) {
      if (this.session.expiresAt - Date.now() < REFRESH_EARLY_MS) await this.refresh().catch(() => this.clear());
      else this.schedule();
    }
  }

  /** Sends the browser to the provider's sign-in page (code + PKCE S256). */
  async signIn(): Promise<void> {
    const as = await this.authorizationServer();
    if (!as.authorization_endpoint) throw new Error('the issuer has no authorization endpoint');
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce }));
    const target = new URL(as.authorization_endpoint);
    target.search = new URLSearchParams({
      client_id: this.client.client_id,
      redirect_uri: redirectUri(),
      response_type: 'code',
      scope: this.config.oidc.scopes ?? 'openid email profile',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString();
    location.assign(target.href);
  }

  /** Forgets the tokens here, then ends the provider's session where it offers an end-session endpoint. */
  async signOut(): Promise<void> {
    const idToken = this.session?.idToken;
    this.clear();
    const as = await this.authorizationServer().catch(() => undefined);
    if (as?.end_session_endpoint && idToken) {
      const target = new URL(as.end_session_endpoint);
      target.search = new URLSearchParams({ id_token_hint: idToken, client_id: this.client.client_id }).toString();
      location.assign(target.href);
    }
  }

  /** A new ID token with the refresh token (rotated by the provider when it rotates them). */
  async refresh(): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) throw new Error('no refresh token: sign in again');
    const as = await this.authorizationServer();
    const response = await oauth.refreshTokenGrantRequest(as, this.client, oauth.None(), refreshToken, this.options);
    const result = await oauth.processRefreshTokenResponse(as, this.client, response);
    this.keep(result, refreshToken);
  }

  private async authorizationServer(): Promise<oauth.AuthorizationServer> {
    if (this.server) return this.server;
    const issuer = new URL(this.config.oidc.issuer);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.options });
    this.server = await oauth.processDiscoveryResponse(issuer, response);
    return this.server;
  }

  private keep(result: oauth.TokenEndpointResponse, previousRefreshToken?: string): void {
    const claims = oauth.getValidatedIdTokenClaims(result) as unknown as Claims | undefined;
    if (!result.id_token || !claims) throw new Error('the issuer answered without an ID token');
    const refreshToken = result.refresh_token ?? previousRefreshToken;
    this.session = { idToken: result.id_token, expiresAt: claims.exp * 1000, claims, ...(refreshToken ? { refreshToken } : {}) };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(this.session));
    this.schedule();
    this.emit();
  }

  private schedule(): void {
    clearTimeout(this.refreshTimer);
    if (!this.session) return;
    const wait = Math.max(0, this.session.expiresAt - Date.now() - REFRESH_EARLY_MS);
    this.refreshTimer = setTimeout(() => {
      this.refresh().catch(() => {
        // Refresh refused (revoked, provider restarted): the agent signs in again.
        this.clear();
      });
    }, wait);
  }

  private clear(): void {
    clearTimeout(this.refreshTimer);
    this.session = undefined;
    sessionStorage.removeItem(SESSION_KEY);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.session);
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}
