/**
 * Inbound email (lib/email/inbound-email.ts): an SES receipt rule stores the raw message in S3
 * and invokes this function asynchronously. Each record becomes a ticket, a reply on one, or a
 * record (functions/email/inbound.ts). A mail that can never become one (its raw message is gone,
 * no sender, a write the store refuses) is quarantined: logged for the alarm, answered normally.
 * Any other error is thrown, not swallowed: Lambda retries the event and then sends it to the
 * dead-letter queue, and the raw message stays in S3 to replay.
 * Locally the SMTP listener of local/smtp.ts calls this same handler.
 */

import type { SESEvent } from 'aws-lambda';
import { lambdaHandler } from '../shared/lambda-handler';
import { count, METRIC } from '../shared/metrics';
import { getRuntime } from '../shared/runtime';
import { type IngestOutcome, ingestMail } from './inbound';

async function ingest(event: SESEvent): Promise<IngestOutcome[]> {
  const rt = getRuntime();
  const outcomes: IngestOutcome[] = [];
  for (const record of event.Records ?? []) {
    const { mail, receipt } = record.ses;
    outcomes.push(
      await ingestMail(rt, {
        sesMessageId: mail.messageId,
        // The envelope MAIL FROM: '' for a null reverse path (`MAIL FROM:<>`), which marks automated mail.
        ...(typeof mail.source === 'string' ? { envelopeFrom: mail.source } : {}),
        verdicts: {
          spf: receipt.spfVerdict?.status,
          dkim: receipt.dkimVerdict?.status,
          dmarc: receipt.dmarcVerdict?.status,
          virus: receipt.virusVerdict?.status,
        },
      }),
    );
  }
  count(METRIC.mailReceived, outcomes.length);
  return outcomes;
}

export const handler = lambdaHandler(ingest);
