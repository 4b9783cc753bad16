/**
 * The console's security headers, one definition for both places that serve it: the local
 * gateway (local/console.ts) and CloudFront's response headers policy (console-hosting.ts).
 * Pure: no CDK imports, so the local runtime can use it; the CDK side passes tokens as sources.
 * docs/console.md explains each choice.
 */

/** Where the console is served, locally and in AWS: index.html, assets/, config.json under it. */
export const CONSOLE_PATH = '/console/';

/** Vite's output folder for content-hashed files (build.assetsDir): cached forever, the rest not at all. */
export const HASHED_ASSETS_DIR = 'assets';

/** Two years, as the HSTS preload list asks. Browsers ignore the header over plain http (locally). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and config.json: always revalidated, so a deploy or a new stage setting shows at once. */
export const CACHE_REVALIDATE = 'no-cache';

/**
 * The Content-Security-Policy: only the console's own scripts and styles (no inline script, no
 * eval), images also as data: URLs, and fetches only to itself, the API and the sign-in origins
 * (`connectSources`: the issuer for discovery and keys, and the hosted sign-in domain for the
 * token endpoint when it is another origin). No frames of it anywhere (clickjacking), no plugins,
 * no <base> rewriting; forms post only to itself. The OIDC redirect to the sign-in page is a
 * top-level navigation, which CSP does not restrict.
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  const connect = ["'self'", ...new Set(connectSources)].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header the console's answers carry (lower-case names), as CloudFront's policy sets them. */
export function consoleSecurityHeaders(connectSources: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connectSources),
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'x-content-type-options': 'nosniff',
    // The sign-in callback URL carries the authorization code: never send it on as a referrer.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/** What the console reads at start (`config.json` next to its index.html): one build serves every stage. */
export interface ConsoleConfig {
  /** The API's origin (no trailing slash). */
  apiUrl: string;
  oidc: { issuer: string; clientId: string; scopes: string };
  stage: string;
}

export const CONSOLE_SCOPES = 'openid email profile';
