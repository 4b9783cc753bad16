/**
 * The customers as a list (GET /customers, issue [11]): each customer item carries GSI3 keys
 * `CUSTOMERS` / `<name folded>#<id>`, written in the customer's own transaction (DynamoStore
 * putCustomer), so the staff list them by name — and find them by the start of their name — with
 * one query of one partition, whatever the table's size. Shares the table and client of the
 * DynamoStore it is given, as the staff directory does.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_INDEXES } from '../../lib/data/table-definition';
import type { Customer } from '../../core/customer';
import { foldText } from '../../core/tickets/search';
import type { Page, PageOptions } from './dynamo-store';

export const CUSTOMER_LIST_PARTITION = 'CUSTOMERS';

/** The index keys of a customer item: in the list's partition, ordered by name (folded: case and accents ignored), then id. */
export function customerListingKeys(customer: Pick<Customer, 'id' | 'name'>): Record<string, string> {
  const { partitionKey, sortKey } = TABLE_INDEXES.byStatus;
  return { [partitionKey]: CUSTOMER_LIST_PARTITION, [sortKey]: `${foldText(customer.name)}#${customer.id}` };
}

/** One page of customers by name; with `nameStart`, those whose (folded) name starts with it. */
export async function listCustomers(
  store: { tableName: string; doc: DynamoDBDocumentClient },
  options: PageOptions & { nameStart?: string },
): Promise<Page<Customer & { version: number }>> {
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
