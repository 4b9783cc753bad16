/**
 * The customers as a list (GET /customers, issue [11]): each customer item carries GSI3 keys
 * `CUSTOMERS` / `<name folded>#<id>`, written in the customer's own transaction (DynamoStore
 * putCustomer), so the staff list them by name — and find them by the start of their name — with
 * one query of one partition, whatever the table's size. Shares the table and client of the
 * DynamoStore it is given, as the staff directory does. Customers written before [11] get their
 * keys from upgradeCustomerList (the reconciler runs it; once done, one GetItem).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../../core/customer';
import { foldText } from '../../core/tickets/search';
import { TABLE_INDEXES } from '../../lib/data/table-definition';
import type { Page, PageOptions } from './dynamo-store';

export const CUSTOMER_LIST_PARTITION = 'CUSTOMERS';

/** The index keys of a customer item: in the list's partition, ordered by name (folded: case and accents ignored), then id. */
export function customerListingKeys(customer: Pick<Customer, 'id' | 'name'>): Record<string, string> {
  const { partitionKey, sortKey } = TABLE_INDEXES.byStatus;
  return { [partitionKey]: CUSTOMER_LIST_PARTITION, [sortKey]: `${foldText(customer.name)}#${customer.id}` };
}

/** One page of customers by name; with `nameStart`, those whose (folded) name starts with it. */
export async function listCustomers(store: { tableName: string; doc: DynamoDBDocumentClient }, options: PageOptions & { nameStart?: string }): Promise<Page<Customer & { version: number }>> {
  const { indexName, partitionKey, sortKey } = TABLE_INDEXES.byStatus;
  const prefix = options.nameStart ? foldText(options.nameStart) : undefined;
  let startKey = options.cursor ? (JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
  const page = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: indexName,
      KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partitionKey, ...(prefix ? { '#sk': sortKey } : {}) },
      ExpressionAttributeValues: { ':pk': CUSTOMER_LIST_PARTITION, ...(prefix ? { ':prefix': prefix } : {}) },
      ScanIndexForward: true,
      Limit: options.limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  startKey = page.LastEvaluatedKey;
  return {
    items: (page.Items ?? []).map((item) => ({ ...(item.customer as Customer), version: item.version as number })),
    cursor: startKey ? Buffer.from(JSON.stringify(startKey)).toString('base64url') : null,
  };
}

type Store = { tableName: string; doc: DynamoDBDocumentClient };

/**
 * Customers written before the list existed get their list keys: one pass over the table (there
 * is no index of customers to read instead), resumed from where it stopped when the time budget
 * runs out, then a marker makes every later call one GetItem. A customer changed meanwhile was
 * written with its keys by putCustomer, so a failed version condition is simply skipped.
 */
export async function upgradeCustomerList(store: Store, budgetMs = 60_000, now: () => number = Date.now): Promise<{ customers: number; done: boolean }> {
  const marker = { PK: 'MIGRATION#customer-list-1', SK: 'A' };
  const state = (await store.doc.send(new GetCommand({ TableName: store.tableName, Key: marker, ConsistentRead: true }))).Item;
  if (state?.done) return { customers: 0, done: true };
  const deadline = now() + budgetMs;
  const { partitionKey, sortKey } = TABLE_INDEXES.byStatus;
  let startKey = state?.startKey as Record<string, unknown> | undefined;
  let customers = 0;
  do {
    if (now() >= deadline) {
      await store.doc.send(new PutCommand({ TableName: store.tableName, Item: { ...marker, done: false, ...(startKey ? { startKey } : {}) } }));
      return { customers, done: false };
    }
    const page = await store.doc.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: 'begins_with(PK, :customer) AND SK = :a AND attribute_not_exists(#listed)',
        ExpressionAttributeNames: { '#listed': partitionKey },
        ExpressionAttributeValues: { ':customer': 'CUSTOMER#', ':a': 'A' },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const customer = item.customer as Customer | undefined;
      if (!customer) continue;
      const keys = customerListingKeys(customer);
      try {
        await store.doc.send(
          new UpdateCommand({
            TableName: store.tableName,
            Key: { PK: item.PK, SK: item.SK },
            UpdateExpression: 'SET #pk = :pk, #sk = :sk',
            ConditionExpression: 'version = :version',
            ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
            ExpressionAttributeValues: { ':pk': keys[partitionKey], ':sk': keys[sortKey], ':version': item.version },
          }),
        );
        customers++;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await store.doc.send(new PutCommand({ TableName: store.tableName, Item: { ...marker, done: true } }));
  return { customers, done: true };
}
