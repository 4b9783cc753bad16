/**
 * The local door for inbound mail: an SMTP listener (the npm package `smtp-server`) on loopback
 * that does what SES receiving does in AWS — stores the raw message in the mail bucket under
 * `inbound/<id>` and invokes the same ingest handler (functions/email/ingest.ts) with an
 * SES-receipt-shaped event. The delivery is answered 250 only once the handler has taken the
 * mail, and 451 (try again later) if it failed, so a sending client never loses one.
 *
 * Locally every recipient is accepted and SPF/DKIM/DMARC are not checked (verdict GRAY), virus
 * scanning PASS: nothing outside the machine can reach a loopback port.
 */
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SESEvent } from 'aws-lambda';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { lambdaContext } from './gateway';

/** SES's limit on a received message. */
const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
const HANDLER_TIMEOUT_MS = 60_000;

export type IngestHandler = (event: SESEvent, context: Context) => Promise<unknown>;

export interface LocalSmtp {
  port: number;
  host: string;
  stop(): Promise<void>;
}

export interface LocalSmtpOptions {
  port?: number;
  host?: string;
  bucket: string;
  inboundPrefix: string;
  /** The S3 client (the runtime's endpoint and dummy credentials). */
  s3: S3Client;
  ingest: IngestHandler;
  quiet?: boolean;
}

export async function startSmtp(options: LocalSmtpOptions): Promise<LocalSmtp> {
  const host = options.host ?? '127.0.0.1';
  const server = new SMTPServer({
    name: 'tierdesk.localhost',
    banner: 'tierdesk local inbound mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message exceeds the 40 MB limit'), { responseCode: 552 }));
          return;
        }
        receive(options, Buffer.concat(chunks), session).then(
          () => callback(),
          (error: Error) => {
            if (!options.quiet) console.error(`smtp: could not take the mail: ${error.message}`);
            callback(Object.assign(new Error(`temporary failure, try again later: ${error.message}`), { responseCode: 451 }));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.server.address() as { port: number };
  return {
    port: address.port,
    host,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function receive(options: LocalSmtpOptions, raw: Buffer, session: SMTPServerSession): Promise<void> {
  // SES's ids are opaque; this one is unique and safe as an object key.
  const messageId = `local-${Date.now().toString(36)}-${randomBytes(12).toString('hex')}`;
  await options.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: `${options.inboundPrefix}${messageId}`, Body: raw }));
  // The reverse path as SES passes it in `mail.source`: '' for `MAIL FROM:<>` (a null reverse path: automated mail).
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
  await options.ingest(sesReceiptEvent(messageId, envelopeFrom, recipients), lambdaContext('tierdesk-email-ingest', Date.now() + HANDLER_TIMEOUT_MS));
}

/** SES's verdicts; locally not checked (GRAY), virus scanning PASS. */
export type Verdicts = Partial<Record<'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc', string>>;
const LOCAL_VERDICTS: Verdicts = { spam: 'GRAY', virus: 'PASS', spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' };

/** The event SES's Lambda action sends (the fields the handler reads, in their AWS shape). */
export function sesReceiptEvent(messageId: string, source: string, recipients: string[], verdicts: Verdicts = {}): SESEvent {
  const timestamp = new Date().toISOString();
  const given = { ...LOCAL_VERDICTS, ...verdicts };
  const verdict = (name: keyof Verdicts) => ({ status: given[name]! });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp,
            source,
            messageId,
            destination: recipients,
            headersTruncated: false,
            headers: [],
            commonHeaders: { returnPath: source, date: timestamp, messageId },
          },
          receipt: {
            timestamp,
            processingTimeMillis: 0,
            recipients,
            spamVerdict: verdict('spam'),
            virusVerdict: verdict('virus'),
            spfVerdict: verdict('spf'),
            dkimVerdict: verdict('dkim'),
            dmarcVerdict: verdict('dmarc'),
            dmarcPolicy: 'none',
            action: { type: 'Lambda', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:tierdesk-email-ingest', invocationType: 'Event' },
          },
        },
      },
    ],
  } as SESEvent;
}
