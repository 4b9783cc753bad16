/**
 * Addresses the desk no longer mails (docs/mail-feedback.md): one item per address in the one
 * table, `SUPPRESSED#<address>` / `A`, written by the SES feedback handler (functions/email/feedback.ts)
 * and read by the sender (functions/notifications/send.ts) with one BatchGetItem per send.
 * It shares the table and the DynamoDB client of the DynamoStore it is given.
 */
import { BatchGetCommand, DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { normaliseEmail } from '../../core/customer-rules';

export interface Suppression {
  /** Normalised (trimmed, lower case). */
  address: string;
  reason: 'bounce' | 'complaint';
  /** `Permanent/General`, or the complaint's feedback type (`abuse`). */
  type: string;
  /** What the timeline says when a mail to the address is skipped. */
  detail: string;
  /** When the bounce or complaint happened. */
  at: string;
  /** The ticket whose mail bounced or was complained about, when the mail was a ticket's. */
  ticketId?: string;
  /** SES's message id of that mail. */
  sesMessageId: string;
}

/** BatchGetItem takes at most 100 keys. */
const BATCH = 100;
/** Unprocessed keys (throttling) are asked for again this many times before the send fails and is retried later. */
const BATCH_ATTEMPTS = 5;

export const suppressionKey = (address: string) => ({ PK: `SUPPRESSED#${normaliseEmail(address)}`, SK: 'A' });

export class SuppressionStore {
  constructor(
    readonly tableName: string,
    readonly doc: DynamoDBDocumentClient,
  ) {}

  /** Records (or replaces with the newer reason) the suppression of an address. Idempotent. */
  async suppress(suppression: Suppression): Promise<void> {
    const address = normaliseEmail(suppression.address);
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...suppressionKey(address), suppression: { ...suppression, address } } }));
  }

  async get(address: string): Promise<Suppression | undefined> {
    const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: suppressionKey(address), ConsistentRead: true }));
    return found.Item?.suppression as Suppression | undefined;
  }

  /** Lifts a suppression (the address works again); true when there was one. */
  async lift(address: string): Promise<boolean> {
    const removed = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: suppressionKey(address), ReturnValues: 'ALL_OLD' }));
    return removed.Attributes !== undefined;
  }

  /** The suppressions among these addresses, by normalised address: one BatchGetItem per 100 addresses. */
  async suppressedAmong(addresses: Iterable<string>): Promise<Map<string, Suppression>> {
    const unique = [...new Set([...addresses].map(normaliseEmail))];
    const found = new Map<string, Suppression>();
    for (let start = 0; start < unique.length; start += BATCH) {
      let keys: Record<string, unknown>[] = unique.slice(start, start + BATCH).map(suppressionKey);
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > BATCH_ATTEMPTS) throw new Error(`the suppression list could not be read: ${keys.length} keys left unprocessed after ${BATCH_ATTEMPTS} attempts`);
        const result = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const suppression = item.suppression as Suppression;
          found.set(suppression.address, suppression);
        }
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        if (keys.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
    return found;
  }
}

/**
 * The environment variable naming the SES configuration set the desk sends with (set by
 * lib/email/feedback.ts on every function that sends; absent locally, where the SES emulator has
 * no configuration sets): the sender sets it on every mail, the feedback handler checks it.
 */
export const CONFIGURATION_SET_ENV = 'TIERDESK_SES_CONFIGURATION_SET';
