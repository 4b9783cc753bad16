/**
 * Amazon SES for the local runtime: the npm package `aws-ses-v2-local`, which answers the real
 * @aws-sdk/client-ses (SendEmail, SendRawEmail), shows sent mail in a browser at its root URL
 * and lists it as JSON at GET /store.
 *
 * It runs in-process (the package exports its server), so there is no child to leave behind:
 * stop() closes the HTTP server and its open connections. Its mail store is a module-level
 * array, kept in memory and shared by every emulator in the process; like the rest of the
 * runtime, run one at a time per process.
 */
import type { Server } from 'node:http';
import * as emulator from 'aws-ses-v2-local';
import { StartError } from './dynamodb';

/** A mail as the emulator stores it (the fields tierdesk reads). */
export interface SentMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  /** Epoch seconds. */
  at: number;
}

export interface LocalSes {
  /** Endpoint for AWS_ENDPOINT_URL_SES, and the page where a person reads the sent mail. */
  url: string;
  port: number;
  /** Every mail sent so far, oldest first. */
  store(): Promise<SentMail[]>;
  /** Forget the sent mail (the emulator's own POST /clear-store). */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalSesOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/**
 * The package is CommonJS with `exports.default`: Node's ESM loader (tsx) hands over the whole
 * `module.exports` as the default import, while vite (vitest) unwraps it. Accept either.
 */
function serverFactory(): StartServer {
  const candidate = (emulator as unknown as { default: StartServer | { default: StartServer } }).default;
  return typeof candidate === 'function' ? candidate : candidate.default;
}

export async function startSes(options: LocalSesOptions = {}): Promise<LocalSes> {
  const host = options.host ?? '127.0.0.1';
  const server = await serverFactory()({ host, port: options.port ?? 0 });
  // Express 5 reports a failed bind to the listen callback, which the package takes as "listening".
  if (!server.listening) {
    server.close();
    throw new StartError(`SES emulator: port ${options.port} on ${host} is already in use`);
  }
  const { port } = server.address() as { port: number };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    async store() {
      const response = await fetch(`${url}/store`);
      if (!response.ok) throw new Error(`SES emulator: GET /store answered ${response.status}`);
      return ((await response.json()) as { emails: SentMail[] }).emails;
    },
    async clear() {
      const response = await fetch(`${url}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`SES emulator: POST /clear-store answered ${response.status}`);
    },
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of SDK clients would otherwise hold close() open.
        server.closeAllConnections();
      })),
  };
}
