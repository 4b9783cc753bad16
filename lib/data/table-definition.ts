/**
 * The one DynamoDB table, described once: the CDK construct and the local runtime's
 * CreateTable both read this. Access patterns: docs/data-model.md.
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB's TTL removes expired idempotency records. */
  ttlAttribute: 'expiresAt',
} as const;

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

export const TABLE_INDEXES = {
  /**
   * A customer's tickets, newest first (`CUSTOMER#<id>`; unverified requesters' under
   * `UNVERIFIED`), and a customer's support orders (`ORDERS#<id>`), oldest first.
   */
  byCustomer: { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  /** A team/tier queue ordered by the next SLA due instant (open tickets only: sparse). */
  byQueue: { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  /** Tickets in one status, newest first (the agents' "all open tickets" view). */
  byStatus: { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  /**
   * The tickets of a partner organisation's customers, newest first (`PARTNER#<id>`; sparse: only
   * tickets with a partner): what a partner agent lists, one partition, never the vendor's whole desk.
   */
  byPartner: { indexName: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
} as const satisfies Record<string, IndexDefinition>;

// Inbox views and search ([11], docs/inbox.md) add no index: their entry and posting items
// overload GSI1 (a customer's `VIEW#C#…`, `SEARCH#C#…`), GSI2 (the desk's views `VIEW#…`, next due
// first), GSI3 (the desk's postings `SEARCH#…`) and GSI4 (a partner's `VIEW#P#…`, `SEARCH#P#…`),
// so a deployed table takes the change without an index build (CloudFormation adds one GSI per update).

/** Every key attribute is a string. */
export const TABLE_ATTRIBUTES = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...Object.values(TABLE_INDEXES).flatMap((index) => [index.partitionKey, index.sortKey])];

/**
 * The table's stream: new images, for the workflow starter (functions/workflow/start.ts), which
 * starts a new ticket's execution after intake has answered. Locally a poller reads DynamoDB
 * Local's stream of the same table (local/streams.ts).
 */
export const TABLE_STREAM_VIEW = 'NEW_IMAGE' as const;
