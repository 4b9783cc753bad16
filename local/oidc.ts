/**
 * The local OpenID Connect provider behind `npm start`: what Amazon Cognito is in AWS, on
 * loopback, built on the certified `oidc-provider` library, so the console's browser flow and
 * the API's token verification (functions/api/sign-in.ts) run the same code as with Cognito.
 *
 * - One public client (the console, `tierdesk-console`): authorization code + PKCE (S256), no
 *   client secret, refresh tokens, exact redirect URIs on loopback.
 * - ID tokens carry what Cognito's carry: `email`, `email_verified`, `cognito:groups`,
 *   `cognito:username`, `custom:customer`, `custom:partner`, `name`. Keys are published at
 *   `<issuer>/.well-known/jwks.json`, as Cognito publishes them.
 * - A small login page (username and password) for the demo users; no consent screen (the
 *   console is the desk's own app, as with Cognito's hosted pages).
 * - Signing and cookie keys are made once per data directory (`oidc-keys.json`) and kept, so a
 *   token stays verifiable across a restart; sessions and refresh tokens live in memory.
 *
 * docs/sign-in.md describes it and how to use another issuer instead.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { listen } from './listen';

export const CONSOLE_CLIENT_ID = 'tierdesk-console';

/** A person who can sign in locally, with the attributes a Cognito admin would set. */
export interface LocalUser {
  username: string;
  password: string;
  email: string;
  /** Default true (Cognito: an admin-created user's verified address). */
  emailVerified?: boolean;
  name?: string;
  /** `cognito:groups`: admin, agent, partner-agent, customer (none: the API answers 403). */
  groups: string[];
  /** `custom:customer`: the customer a customer user acts for. */
  customer?: string;
  /** `custom:partner`: the partner organisation a partner agent works for. */
  partner?: string;
  /** What the banner says about the user ("team lead of …"). */
  description?: string;
}

export interface OidcOptions {
  host?: string;
  /** 0 or absent: a free one. */
  port?: number;
  /** Where the keys are kept; absent: fresh keys in memory. */
  dataDir?: string;
  users: LocalUser[];
  /** The console's exact redirect URIs. */
  redirectUris: string[];
  /** Origins a browser may call the token endpoint from (the console's). */
  corsOrigins: string[];
  /** Other public clients of the same issuer (their tokens have another audience). */
  extraClientIds?: string[];
  /** Default 3600 s (Cognito's default). Short in tests that watch a token expire. */
  idTokenTtlSeconds?: number;
  /** Default 30 days (Cognito's default). */
  refreshTokenTtlSeconds?: number;
}

export interface LocalOidc {
  issuer: string;
  port: number;
  clientId: string;
  redirectUris: string[];
  users: LocalUser[];
  stop(): Promise<void>;
}

/** Each user's subject: a stable UUID-shaped id from the username, so `user:<sub>` survives restarts. */
export function subjectOf(username: string): string {
  const hex = createHash('sha256').update(`tierdesk-local-user:${username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const MAX_FORM_BYTES = 8 * 1024;
const MAX_FIELD = 256;

export async function startOidcProvider(options: OidcOptions): Promise<LocalOidc> {
  const host = options.host ?? '127.0.0.1';
  const idTtl = options.idTokenTtlSeconds ?? 3600;
  const refreshTtl = options.refreshTokenTtlSeconds ?? 30 * 24 * 3600;
  const users = new Map(options.users.map((user) => [subjectOf(user.username), user]));
  const keys = keptKeys(options.dataDir);

  // Listen first: the issuer is this server's own URL.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  const { url: issuer, port } = await listen(server, host, options.port ?? 0);

  const client = (clientId: string, redirectUris: string[]) => ({
    client_id: clientId,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
  });
  const provider = new Provider(issuer, {
    clients: [client(CONSOLE_CLIENT_ID, options.redirectUris), ...(options.extraClientIds ?? []).map((id) => client(id, options.redirectUris))],
    adapter: memoryAdapter(),
    jwks: keys.jwks,
    cookies: { keys: keys.cookieKeys },
    routes: { jwks: '/.well-known/jwks.json' },
    pkce: { required: () => true, methods: ['S256'] },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true }, userinfo: { enabled: true } },
    // Scope claims go into the ID token, as Cognito's do: the API reads only the ID token.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub', 'cognito:groups', 'cognito:username', 'custom:customer', 'custom:partner'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Cognito issues a refresh token with every code exchange, without offline_access.
    issueRefreshToken: async (_ctx: unknown, cl: { grantTypeAllowed(type: string): boolean }) => cl.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: idTtl,
      IdToken: idTtl,
      AuthorizationCode: 60,
      RefreshToken: refreshTtl,
      Grant: refreshTtl,
      Session: 24 * 3600,
      Interaction: 15 * 60,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    clientBasedCORS: (_ctx: unknown, origin: string) => options.corsOrigins.includes(origin),
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = users.get(sub);
      return user ? { accountId: sub, claims: async () => claimsOf(sub, user) } : undefined;
    },
    // The console is the desk's own app: no consent screen (the skip-consent recipe of oidc-provider).
    loadExistingGrant: async (ctx: any) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError: async (ctx: any, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in could not continue</h1><p role="alert">${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
    logoutSource: async (ctx: any, form: string) => {
      ctx.body = page('Sign out', `<h1>Sign out of tierdesk?</h1>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>`);
    },
    postLogoutSuccessSource: async (ctx: any) => {
      ctx.body = page('Signed out', '<h1>You are signed out</h1>');
    },
  });
  const oidc = provider.callback();

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const interaction = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/.exec(path);
    if (!interaction) return oidc(req, res);
    const run = interaction[2] ? login(req, res) : showLogin(req, res);
    run.catch((error: Error) => {
      if (res.headersSent) return void res.destroy();
      // An expired or unknown interaction: start over from the console.
      res
        .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
        .end(page('Sign-in expired', `<h1>This sign-in has expired</h1><p role="alert">${escapeHtml(error.message)}. Start again from the app.</p>`));
    });
  };

  async function showLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    sendHtml(res, 200, loginPage(details.uid, String(details.params.client_id ?? '')));
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const form = new URLSearchParams(await readForm(req));
    const username = (form.get('username') ?? '').trim().slice(0, MAX_FIELD);
    const password = (form.get('password') ?? '').slice(0, MAX_FIELD);
    const sub = subjectOf(username);
    const user = users.get(sub);
    const clientId = String(details.params.client_id ?? '');
    if (!username || !password) return sendHtml(res, 400, loginPage(details.uid, clientId, username, 'Enter your username and your password.'));
    if (!user) return sendHtml(res, 401, loginPage(details.uid, clientId, username, `There is no user "${username}".`));
    if (!samePassword(password, user.password)) return sendHtml(res, 401, loginPage(details.uid, clientId, username, 'Wrong password.'));
    await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    port,
    clientId: CONSOLE_CLIENT_ID,
    redirectUris: options.redirectUris,
    users: options.users,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function claimsOf(sub: string, user: LocalUser): Record<string, unknown> {
  return {
    sub,
    'cognito:username': user.username,
    email: user.email,
    email_verified: user.emailVerified ?? true,
    ...(user.name ? { name: user.name } : {}),
    // Cognito leaves the claim out for a user in no group.
    ...(user.groups.length ? { 'cognito:groups': user.groups } : {}),
    ...(user.customer ? { 'custom:customer': user.customer } : {}),
    ...(user.partner ? { 'custom:partner': user.partner } : {}),
  };
}

function samePassword(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function readForm(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) return void reject(new Error('the form is too large'));
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' }).end(html);
}

function loginPage(uid: string, clientId: string, username = '', error?: string): string {
  const describedBy = error ? ' aria-describedby="error" aria-invalid="true"' : '';
  return page(
    'Sign in',
    `<h1>Sign in to tierdesk</h1>
<p>Local sign-in for <code>${escapeHtml(clientId)}</code>. The demo users and their passwords are in the <code>npm start</code> banner.</p>
${error ? `<p id="error" role="alert" class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="on">
  <p><label for="username">Username</label><br>
  <input id="username" name="username" type="text" autocomplete="username" required maxlength="${MAX_FIELD}" value="${escapeHtml(username)}"${error ? describedBy : ' autofocus'}></p>
  <p><label for="password">Password</label><br>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${MAX_FIELD}"${describedBy}${error ? ' autofocus' : ''}></p>
  <p><button type="submit">Sign in</button></p>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · tierdesk</title>
<style>
body { font: 1rem/1.5 system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
input { font: inherit; width: 100%; padding: .5rem; border: 1px solid #555; border-radius: 4px; box-sizing: border-box; }
button { font: inherit; padding: .5rem 1.25rem; background: #0b57d0; color: #fff; border: 0; border-radius: 4px; }
:focus-visible { outline: 3px solid #e8a400; outline-offset: 2px; }
.error { color: #a50e0e; font-weight: 600; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface KeptKeys {
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}

/** The RSA signing key and cookie keys of a data directory: made at its first start and kept (in memory: fresh). */
function keptKeys(dataDir: string | undefined): KeptKeys {
  const file = dataDir ? join(dataDir, 'oidc-keys.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeptKeys;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = createHash('sha256').update(String(jwk.n)).digest('base64url').slice(0, 16);
  const keys: KeptKeys = { jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] }, cookieKeys: [randomBytes(32).toString('base64url')] };
  if (file) writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  return keys;
}

/**
 * oidc-provider's storage, in memory for this provider alone (the library's own development
 * adapter is one store per process and warns on every start). Expired entries are dropped.
 */
function memoryAdapter() {
  const entries = new Map<string, { payload: Record<string, any>; expiresAt: number }>();
  const index = new Map<string, string>(); // sessionUid:<uid> and userCode:<code> → id
  const byGrant = new Map<string, string[]>(); // grantId → keys of tokens issued under it
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  };
  let writes = 0;
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string): string {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, any>, expiresIn: number): Promise<void> {
      const key = this.key(id);
      entries.set(key, { payload, expiresAt: Date.now() + (expiresIn || 3600 * 24) * 1000 });
      if (this.model === 'Session' && payload.uid) index.set(`sessionUid:${payload.uid}`, id);
      if (payload.userCode) index.set(`userCode:${payload.userCode}`, id);
      if (payload.grantId) byGrant.set(payload.grantId, [...(byGrant.get(payload.grantId) ?? []), key]);
      if (++writes % 500 === 0) for (const k of [...entries.keys()]) live(k);
    }
    async find(id: string): Promise<Record<string, any> | undefined> {
      return live(this.key(id));
    }
    async findByUid(uid: string): Promise<Record<string, any> | undefined> {
      const id = index.get(`sessionUid:${uid}`);
      return id ? this.find(id) : undefined;
    }
    async findByUserCode(userCode: string): Promise<Record<string, any> | undefined> {
      const id = index.get(`userCode:${userCode}`);
      return id ? this.find(id) : undefined;
    }
    async consume(id: string): Promise<void> {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string): Promise<void> {
      entries.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
      byGrant.delete(grantId);
    }
  };
}

/** The banner's lines for the users. */
export function signInLines(oidc: Pick<LocalOidc, 'issuer' | 'clientId' | 'users'>): string[] {
  const width = Math.max(...oidc.users.map((user) => user.username.length), 8);
  return [
    `sign-in users: (username, password, who; docs/sign-in.md)`,
    ...oidc.users.map((user) => `  ${user.username.padEnd(width)}  password ${user.password}   ${user.description ?? user.groups.join(', ')}`),
  ];
}
