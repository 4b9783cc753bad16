/**
 * The console's files on the local gateway, as CloudFront serves them in AWS (lib/console/
 * console-hosting.ts): everything under `/console/`, index.html for `/console/` and for any path
 * without a file extension (the console's own routes), `config.json` made from the runtime, and
 * the same security headers. Hashed files under `assets/` are cached for good, the rest revalidated.
 * docs/console.md.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, CONSOLE_PATH, type ConsoleConfig, consoleSecurityHeaders, HASHED_ASSETS_DIR } from '../lib/console/security-headers';
import type { GatewayResponse } from './gateway';

export interface ConsoleSite {
  /** The built console (`console/dist`); tests point it at a small fake. */
  dir: string;
  /** What `GET /console/config.json` answers; read per request (the sign-in provider starts after the gateway). */
  config(): ConsoleConfig;
  /** Origins besides the console's own it may fetch from (CSP connect-src): the sign-in issuer's. */
  connectSources(): Promise<string[]>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Whether the gateway hands this path to the console (the rest goes to the API's routes). */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATH.slice(0, -1) || path.startsWith(CONSOLE_PATH);
}

/**
 * The answer to a request for `path` (raw, still percent-encoded) under /console. Files are read
 * only from inside `site.dir` after resolving `..`, encoded separators and symbolic links.
 */
export async function serveConsole(site: ConsoleSite, method: string, path: string): Promise<GatewayResponse> {
  const headers = consoleSecurityHeaders(await site.connectSources());
  const text = (statusCode: number, body: string, extra: Record<string, string> = {}): GatewayResponse => ({
    statusCode,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': CACHE_REVALIDATE, ...extra },
    body: Buffer.from(body),
  });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed: the console is read with GET', { allow: 'GET, HEAD' });
  if (!path.startsWith(CONSOLE_PATH)) return text(308, `See ${CONSOLE_PATH}`, { location: CONSOLE_PATH });

  let relative: string;
  try {
    relative = decodeURIComponent(path.slice(CONSOLE_PATH.length));
  } catch {
    return text(404, 'Not Found');
  }
  // Nothing that could name a file elsewhere: NUL, backslashes, an absolute path, a `..` segment.
  if (relative.includes('\0') || relative.includes('\\') || relative.startsWith('/') || relative.split('/').includes('..')) return text(404, 'Not Found');
  if (relative === 'config.json') {
    return { statusCode: 200, headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': CACHE_REVALIDATE }, body: Buffer.from(JSON.stringify(site.config())) };
  }

  const root = await realpath(site.dir).catch(() => undefined);
  const index = root && (await fileAt(root, 'index.html'));
  if (!root || !index) return text(503, 'The console is not built: run `npm run console:build` (npm start builds it when console/dist is missing or older than console/src).');

  const requested = relative === '' ? index : await fileAt(root, relative);
  // A path without a file extension is one of the console's own routes: its index.html decides.
  const file = requested ?? (extname(relative) === '' ? index : undefined);
  if (!file) return text(404, 'Not Found');
  const hashed = file.startsWith(`${root}${sep}${HASHED_ASSETS_DIR}${sep}`);
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': contentTypeOf(file), 'cache-control': hashed ? CACHE_IMMUTABLE : CACHE_REVALIDATE },
    body: await readFile(file),
  };
}

/** The regular file at `relative` below `root`, its real path, or undefined (missing, a folder, or outside root). */
async function fileAt(root: string, relative: string): Promise<string | undefined> {
  const candidate = resolve(root, relative);
  if (!candidate.startsWith(root + sep)) return undefined;
  try {
    const real = await realpath(candidate); // a symbolic link may not lead out either
    if (!real.startsWith(root + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
