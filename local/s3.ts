/**
 * Amazon S3 for the local runtime: the npm package `s3rver` (path-style, on loopback), holding
 * the mail bucket — raw inbound messages under `inbound/` and their attachments under
 * `attachments/`, as in AWS (lib/email/inbound-email.ts). Files live under the data directory,
 * or a temporary one for an in-memory runtime. It checks request signatures against its own
 * dummy key pair (S3RVER/S3RVER), which is why the runtime's dummy credentials are those.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export const LOCAL_MAIL_BUCKET = 'tierdesk-mail';

export interface LocalS3 {
  /** For AWS_ENDPOINT_URL_S3. */
  url: string;
  port: number;
  bucket: string;
  stop(): Promise<void>;
}

export async function startS3(options: { directory?: string; port?: number; host?: string } = {}): Promise<LocalS3> {
  const host = options.host ?? '127.0.0.1';
  const temporary = options.directory ? undefined : mkdtempSync(join(tmpdir(), 'tierdesk-s3-'));
  const directory = options.directory ?? temporary!;
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: host,
    port: options.port ?? 0,
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: LOCAL_MAIL_BUCKET, configs: [] }],
  });
  const address = (await server.run()) as { port: number };
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    bucket: LOCAL_MAIL_BUCKET,
    async stop() {
      await server.close().catch(() => undefined);
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
