/**
 * The table's stream as the workflow starter hears it (functions/workflow/start.ts): the local
 * poller (local/streams.ts) on DynamoDB Local's real stream, with the starter's own filter, batch
 * size and retries (the same constants the event source mapping is made from in AWS). The
 * starter's handler itself runs in every end-to-end test that opens a ticket; here a recording
 * consumer stands in for it, to see exactly which records arrive and how failures come back.
 */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore, NEW_TICKET_ATTRIBUTE, WORKFLOW_PENDING_SK } from '../functions/store/dynamo-store';
import { STREAM_SOURCE } from '../functions/workflow/start';
import { TABLE_INDEXES } from '../lib/data/table-definition';
import { createTable, type DynamoDBLocal, localClient, startDynamoDB } from '../local/dynamodb';
import { matchesFilter, type StreamConsumer, type StreamPoller, startStreamPoller } from '../local/streams';
import { eventually } from './support/eventually';
import { sampleTicket } from './support/sample-ticket';

const TABLE = 'stream-test';

let dynamodb: DynamoDBLocal;
let store: DynamoStore;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamodb = await startDynamoDB({ compilation: 'quick-start' });
  client = localClient(dynamodb.endpoint);
  await createTable(client, TABLE);
  store = new DynamoStore(TABLE, client);
}, 60_000);

afterAll(async () => {
  await dynamodb?.stop();
});

/** A poller whose one consumer records every batch and answers with `answer` (default: all done). */
async function recording(answer: (records: DynamoDBRecord[], call: number) => DynamoDBBatchResponse = () => ({ batchItemFailures: [] })) {
  const batches: DynamoDBRecord[][] = [];
  const consumer: StreamConsumer = {
    name: 'a recording consumer',
    ...STREAM_SOURCE,
    handler: async (event) => {
      batches.push(event.Records);
      return answer(event.Records, batches.length);
    },
  };
  const poller: StreamPoller = await startStreamPoller({ endpoint: dynamodb.endpoint, tableName: TABLE, consumers: [consumer] });
  return { batches, poller };
}

const ticketIdsOf = (records: DynamoDBRecord[]) => records.map((record) => record.dynamodb?.NewImage?.ticketId?.S);
const failing = (record: DynamoDBRecord) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! });

describe("the starter's records", () => {
  it('are only the owed-start records new tickets are written with: not the ticket, its events or indexes, nor a failure recorded later', async () => {
    // Prepare
    const { batches, poller } = await recording();

    try {
      // Act: a new ticket; then a start and a wake owed for tickets that exist (an insert each), and one recorded again (a modify).
      await store.createTicket(sampleTicket({ id: 'TEST-000001', caseNumber: 'TEST-000001' }), []);
      await store.markWorkflowPending('TEST-000002', 'start');
      await store.markWorkflowPending('TEST-000003', 'wake');
      await store.markWorkflowPending('TEST-000001', 'start');
      await store.createTicket(sampleTicket({ id: 'TEST-000004', caseNumber: 'TEST-000004' }), []);
      await eventually('the second new ticket', async () => (batches.flat().length >= 2 ? true : undefined));

      // Assess: exactly the two new tickets' records, in order, as Lambda delivers them.
      const delivered = batches.flat();
      expect(ticketIdsOf(delivered)).toEqual(['TEST-000001', 'TEST-000004']);
      expect(delivered[0]).toMatchObject({
        eventName: 'INSERT',
        eventSourceARN: expect.stringContaining(`table/${TABLE}/stream/`),
        dynamodb: { Keys: { PK: { S: 'TICKET#TEST-000001' }, SK: { S: 'WORKFLOW' } } },
      });
      expect(typeof delivered[0]!.dynamodb!.ApproximateCreationDateTime).toBe('number');
    } finally {
      await poller.stop();
    }
  });

  it('whose start failed come back from the first failed record, for the retries and no more', async () => {
    // Prepare: the first record of each batch fails every time.
    const { batches, poller } = await recording((records) => ({ batchItemFailures: [failing(records[0]!)] }));

    try {
      // Act
      await store.createTicket(sampleTicket({ id: 'TEST-000010', caseNumber: 'TEST-000010' }), []);
      await eventually('the retries', async () => (batches.length >= 1 + STREAM_SOURCE.retryAttempts ? true : undefined));
      await store.createTicket(sampleTicket({ id: 'TEST-000011', caseNumber: 'TEST-000011' }), []);
      await eventually('the next ticket', async () => (batches.some((batch) => ticketIdsOf(batch).includes('TEST-000011')) ? true : undefined));

      // Assess: the failed record four times (the first try and three retries), then the stream moved on.
      const tries = batches.filter((batch) => ticketIdsOf(batch).includes('TEST-000010'));
      expect(tries).toHaveLength(1 + STREAM_SOURCE.retryAttempts);
    } finally {
      await poller.stop();
    }
  });

  it('after a failure in a batch come back from that record on; those before it are not handed back', async () => {
    // Prepare: the second of three records fails once.
    const { batches, poller } = await recording((records, call) => {
      const second = records.find((record) => record.dynamodb?.NewImage?.ticketId?.S === 'TEST-000021');
      return call === 1 && second ? { batchItemFailures: [failing(second)] } : { batchItemFailures: [] };
    });

    try {
      // Act: three owed-start records in one transaction, so they reach the stream (and the consumer) together.
      const owedStart = (id: string) => ({
        Put: { TableName: TABLE, Item: { PK: { S: `TICKET#${id}` }, SK: { S: WORKFLOW_PENDING_SK }, ticketId: { S: id }, [NEW_TICKET_ATTRIBUTE]: { BOOL: true } } },
      });
      await client.send(new TransactWriteItemsCommand({ TransactItems: ['TEST-000020', 'TEST-000021', 'TEST-000022'].map(owedStart) }));
      await eventually('the redelivery', async () => (batches.length >= 2 ? true : undefined));

      // Assess
      expect(batches.map(ticketIdsOf)).toEqual([
        ['TEST-000020', 'TEST-000021', 'TEST-000022'],
        ['TEST-000021', 'TEST-000022'],
      ]);
    } finally {
      await poller.stop();
    }
  });
});

describe('a table kept from before the stream', () => {
  it('gets the stream when the runtime starts on it, as CloudFormation adds it to a deployed table', async () => {
    // Prepare: a table as an older runtime made it, with no stream.
    await client.send(
      new CreateTableCommand({
        TableName: 'kept-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
    );

    // Act
    await createTable(client, 'kept-table');

    // Assess
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'kept-table' }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table?.LatestStreamArn).toContain('table/kept-table/stream/');
    // And every index the definition has, each built in turn (one at a time, as DynamoDB allows) and ready.
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.IndexStatus]).sort()).toEqual(
      Object.values(TABLE_INDEXES)
        .map((index) => [index.indexName, 'ACTIVE'])
        .sort(),
    );
  });
});

describe('a filter pattern, locally', () => {
  it("matches as Lambda's exact-value patterns do, and refuses operators it does not implement rather than guess", () => {
    const record = { eventName: 'INSERT', dynamodb: { NewImage: { SK: { S: 'WORKFLOW' }, newTicket: { BOOL: true } } } };
    expect(matchesFilter(STREAM_SOURCE.filter, record)).toBe(true);
    expect(matchesFilter(STREAM_SOURCE.filter, { ...record, eventName: 'MODIFY' })).toBe(false);
    expect(matchesFilter(STREAM_SOURCE.filter, { eventName: 'INSERT', dynamodb: { NewImage: { SK: { S: 'WORKFLOW' } } } })).toBe(false);
    expect(matchesFilter(STREAM_SOURCE.filter, { eventName: 'INSERT', dynamodb: { NewImage: { SK: { S: 'WAIT' }, newTicket: { BOOL: true } } } })).toBe(false);
    expect(() => matchesFilter({ eventName: [{ prefix: 'INS' }] as never }, record)).toThrow(/not supported locally/);
  });
});
