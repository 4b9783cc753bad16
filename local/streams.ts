/**
 * The table's stream, locally: a poller on DynamoDB Local's stream (the same DynamoDB Streams API)
 * that hands records to the same handlers Lambda's event source mappings invoke in AWS, with the
 * same filter patterns, batch sizes and retries (lib/workflows/ticket-workflow.ts reads them from
 * the same constants). As in Lambda, each shard is read in order, one batch at a time; a batch
 * whose handler reports failures is handed back from its first failed record, up to the retries,
 * then left (what a consumer could not do must be recorded elsewhere: the starter's records stay
 * owed for the reconciler).
 *
 * It reads from the moment it starts (LATEST): what was written before (a kept data directory's
 * tickets) is the local start-up's re-drive of every open ticket.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localClient, localClientConfig } from './dynamodb';

/** A Lambda event filter pattern of exact values: `{ field: [value, …], nested: { … } }`. */
export type FilterPattern = { [field: string]: readonly (string | number | boolean)[] | FilterPattern };

export interface StreamConsumer {
  /** For logs: the function's name. */
  name: string;
  filter: FilterPattern;
  batchSize: number;
  /** Tries after the first, as the event source mapping's `retryAttempts`. */
  retryAttempts: number;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

/**
 * Between reads that found nothing: 50 ms after a record, doubling to twice a second while idle
 * (Lambda polls a shard four times a second). Each empty read costs ~5 ms of CPU in the JVM and as
 * much in the SDK: at 50 ms throughout an idle runtime spent ~14 % of a core on it.
 */
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 500;
/** Between a failed batch and its next try. */
const RETRY_DELAY_MS = 100;

export async function startStreamPoller(options: { endpoint: string; tableName: string; consumers: StreamConsumer[] }): Promise<StreamPoller> {
  const dynamodb = localClient(options.endpoint);
  const streams = new DynamoDBStreamsClient(localClientConfig(options.endpoint));
  const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }))).Table?.LatestStreamArn;
  dynamodb.destroy();
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  const iteratorOf = async (shardId: string, type: 'LATEST' | 'TRIM_HORIZON') =>
    (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type }))).ShardIterator;
  const shardsOf = async () => (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];

  // Open shards from now on; a closed shard's children from their start.
  const readers = new Map<string, string | undefined>();
  for (const shard of await shardsOf()) if (shard.ShardId && !shard.SequenceNumberRange?.EndingSequenceNumber) readers.set(shard.ShardId, await iteratorOf(shard.ShardId, 'LATEST'));
  const done = new Set<string>();

  let stopped = false;
  const deliver = async (records: DynamoDBRecord[]) => {
    for (const consumer of options.consumers) {
      const matched = records.filter((record) => matchesFilter(consumer.filter, record));
      for (let start = 0; start < matched.length; start += consumer.batchSize) await deliverBatch(consumer, matched.slice(start, start + consumer.batchSize));
    }
  };

  const loop = (async () => {
    let pause = MIN_POLL_MS;
    while (!stopped) {
      let read = 0;
      for (const [shardId, iterator] of readers) {
        if (stopped) break;
        try {
          if (!iterator) throw new Error('no iterator');
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
          const records = (page.Records ?? []).map((record) => asLambdaRecord(record, streamArn));
          read += records.length;
          await deliver(records);
          if (page.NextShardIterator) readers.set(shardId, page.NextShardIterator);
          else {
            // The shard closed: read its children from their first record.
            readers.delete(shardId);
            done.add(shardId);
            for (const child of await shardsOf()) {
              if (child.ShardId && child.ParentShardId === shardId && !readers.has(child.ShardId) && !done.has(child.ShardId))
                readers.set(child.ShardId, await iteratorOf(child.ShardId, 'TRIM_HORIZON'));
            }
          }
        } catch (error) {
          if (stopped) break;
          console.error(`tierdesk: the table's stream (shard ${shardId}) could not be read, reading on from now: ${(error as Error).message}`);
          readers.set(shardId, await iteratorOf(shardId, 'LATEST').catch(() => undefined));
        }
      }
      if (read > 0) pause = MIN_POLL_MS;
      else if (!stopped) {
        await sleep(pause);
        pause = Math.min(2 * pause, MAX_POLL_MS);
      }
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      streams.destroy();
    },
  };
}

/** Hands a batch to the consumer; failures are handed back from the first failed record on, as Lambda does. */
async function deliverBatch(consumer: StreamConsumer, batch: DynamoDBRecord[]): Promise<void> {
  let pending = batch;
  for (let attempt = 0; pending.length > 0; attempt++) {
    let failed: Set<string>;
    try {
      const response = await consumer.handler({ Records: pending });
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      console.error(`tierdesk: ${consumer.name} failed on a batch of ${pending.length} stream records: ${(error as Error).message}`);
      failed = new Set(pending.map((record) => record.dynamodb?.SequenceNumber ?? ''));
    }
    const firstFailed = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
    if (firstFailed < 0) return;
    if (attempt >= consumer.retryAttempts) {
      console.error(`tierdesk: ${consumer.name} gave up on ${pending.length - firstFailed} stream records after ${attempt + 1} tries`);
      return;
    }
    pending = pending.slice(firstFailed);
    await sleep(RETRY_DELAY_MS);
  }
}

/** A record as Lambda delivers it (creation time in epoch seconds, the stream's ARN). */
function asLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    ...record,
    eventSourceARN: streamArn,
    dynamodb: { ...record.dynamodb, ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}) },
  } as DynamoDBRecord;
}

/**
 * Whether a record matches a Lambda filter pattern of exact values: every field the pattern names
 * holds one of its values. Other operators (prefix, numeric, exists…) are refused, not guessed.
 */
export function matchesFilter(pattern: FilterPattern, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = (value as Record<string, unknown>)[field];
    if (!Array.isArray(expected)) return matchesFilter(expected as FilterPattern, actual);
    for (const candidate of expected) if (typeof candidate === 'object') throw new Error(`filter operator ${JSON.stringify(candidate)} is not supported locally`);
    return expected.includes(actual as string | number | boolean);
  });
}
