/**
 * API keys in the one table (docs/api-keys.md, docs/data-model.md). The key itself is never
 * stored, only its SHA-256:
 * - `APIKEY#<hash>` / `A` is the key's record, read by hash when a request authenticates: one
 *   GetItem and no cache, so a revoked key is refused on the very next request in every container.
 * - `APIKEYS` / `KEY#<id>` holds the hash of the key with that immutable id, written in the same
 *   transaction as the record. It finds a key by id (revoke, rotate) and, being one partition,
 *   lists every key a page at a time. It holds no copy of the record, so nothing can disagree.
 * Keys written before ids and the by-id items existed are indexed once (upgrade()).
 * Shares the table and DynamoDB client of the DynamoStore it is given, as the staff store does.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Page, PageOptions } from './dynamo-store';

export interface ApiKeyRecord {
  /**
   * The key's immutable identity: idempotency scopes, "created by" and anything else that must
   * tell callers apart use it, never the free-text `name`. `key_…`, random for a new key; a
   * record written before keys had ids gets one derived from its stored hash
   * (apiKeyIdFromHash), so it is stable. Rotation keeps it.
   */
  id: string;
  /** For display and as the actor on timelines; not unique. */
  name: string;
  role: 'admin' | 'agent' | 'customer';
  customerId?: string;
  /** The id of the principal that created it (`key_…`, `user:<sub>`), or `bootstrap` for the keys the local runtime seeds. Absent on keys from before [10]. */
  createdBy?: string;
  /** ISO 8601; absent on keys from before [10]. */
  createdAt?: string;
  /** Last request made with it, to the hour (LAST_USED_RESOLUTION_MS); absent until used. */
  lastUsedAt?: string;
  /** Refused from then on; the record stays, for the listing. */
  revokedAt?: string;
  revokedBy?: string;
  /** When its secret was last replaced (same id, name, role). */
  rotatedAt?: string;
}

export type NewApiKeyRecord = ApiKeyRecord & Required<Pick<ApiKeyRecord, 'createdBy' | 'createdAt'>>;

/** A key's last use is recorded at most this often: a busy key does not write on every request. */
export const LAST_USED_RESOLUTION_MS = 60 * 60_000;

/** How a one-time upgrade call may run before it keeps its position and returns (a Lambda's time is bounded). */
const UPGRADE_BUDGET_MS = 5_000;
const UPGRADE_MARKER = { PK: 'MIGRATION#api-key-ids-1', SK: 'A' } as const;

const LIST_PARTITION = 'APIKEYS';
const byIdKey = (id: string) => ({ PK: LIST_PARTITION, SK: `KEY#${id}` });
const byHashKey = (hash: string) => ({ PK: `APIKEY#${hash}`, SK: 'A' });

/** The stable id of an API key record that predates key ids: derived from its stored hash (not the hash itself). */
export function apiKeyIdFromHash(hash: string): string {
  return `key_${createHash('sha256').update(`api-key-id:${hash}`).digest('base64url').slice(0, 22)}`;
}

/** Why a rotation or revocation did not happen. */
export type KeyChangeRefusal = 'not-found' | 'revoked' | 'changed';

export class ApiKeyStore {
  constructor(
    readonly tableName: string,
    readonly doc: DynamoDBDocumentClient,
  ) {}

  /** The record and its by-id item in one transaction; false when either exists already (nothing written). */
  async create(hash: string, record: NewApiKeyRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: { ...byHashKey(hash), ...record }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Put: { TableName: this.tableName, Item: { ...byIdKey(record.id), hash }, ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The record of the key with this hash (consistent: a revocation a moment ago counts). */
  async get(hash: string): Promise<ApiKeyRecord | undefined> {
    const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: byHashKey(hash), ConsistentRead: true }));
    return found.Item ? recordOf(found.Item, hash) : undefined;
  }

  /** The key with this id and its current hash. */
  async getById(id: string): Promise<{ hash: string; record: ApiKeyRecord } | undefined> {
    const pointer = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: byIdKey(id), ConsistentRead: true }));
    const hash = pointer.Item?.hash as string | undefined;
    if (!hash) return undefined;
    const record = await this.get(hash);
    return record ? { hash, record } : undefined;
  }

  /** One page of keys by id; the position is the last by-id key as base64url JSON (the API signs it). */
  async list(options: PageOptions): Promise<Page<ApiKeyRecord>> {
    const pointers: Record<string, unknown>[] = [];
    let startKey = options.cursor ? (JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': LIST_PARTITION, ':prefix': 'KEY#' },
          ConsistentRead: true,
          Limit: options.limit - pointers.length,
          ExclusiveStartKey: startKey,
        }),
      );
      pointers.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && pointers.length < options.limit);
    const records = await this.getMany(pointers.map((pointer) => pointer.hash as string));
    return {
      // A by-id item always has its record (one transaction writes both); skipped if not, rather than failing the page.
      items: pointers.flatMap((pointer) => records.get(pointer.hash as string) ?? []),
      cursor: startKey ? Buffer.from(JSON.stringify(startKey)).toString('base64url') : null,
    };
  }

  /**
   * Marks the key revoked (kept for the listing, refused from now on). Revoking a revoked key
   * changes nothing and returns it as it is.
   */
  async revoke(id: string, by: string, now: Date): Promise<{ record: ApiKeyRecord; changed: boolean } | 'not-found'> {
    // A rotation between reading the by-id item and writing moves the record: read again, a few times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.getById(id);
      if (!found) return 'not-found';
      if (found.record.revokedAt) return { record: found.record, changed: false };
      try {
        const updated = await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: byHashKey(found.hash),
            UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: { ':at': now.toISOString(), ':by': by },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { record: recordOf(updated.Attributes!, found.hash), changed: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`API key ${id} kept changing while being revoked`);
  }

  /**
   * Gives the key a new secret: its record moves to the new hash (same id, name, role, creator)
   * and the old hash's item is deleted, in one transaction, so the old secret is refused at once.
   * A revoked key is not rotated; `changed` when another rotation or a revocation came first.
   */
  async rotate(id: string, newHash: string, now: Date): Promise<ApiKeyRecord | KeyChangeRefusal> {
    const found = await this.getById(id);
    if (!found) return 'not-found';
    if (found.record.revokedAt) return 'revoked';
    const record: ApiKeyRecord = { ...found.record, rotatedAt: now.toISOString() };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: byHashKey(found.hash), ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)' } },
            { Put: { TableName: this.tableName, Item: { ...byHashKey(newHash), ...record }, ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: byIdKey(id),
                UpdateExpression: 'SET #hash = :new',
                ConditionExpression: '#hash = :old',
                ExpressionAttributeNames: { '#hash': 'hash' },
                ExpressionAttributeValues: { ':new': newHash, ':old': found.hash },
              },
            },
          ],
        }),
      );
      return record;
    } catch (error) {
      if (isConditionFailure(error)) return 'changed';
      throw error;
    }
  }

  /**
   * Records a use of the key, unless its last use is recorded within LAST_USED_RESOLUTION_MS.
   * Conditional, so containers racing for the same key write it once; a condition that fails
   * (another container was first, or the key was rotated meanwhile) is not an error.
   */
  async touch(hash: string, record: ApiKeyRecord, now: Date): Promise<void> {
    if (record.lastUsedAt && now.getTime() - Date.parse(record.lastUsedAt) < LAST_USED_RESOLUTION_MS) return;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: byHashKey(hash),
          UpdateExpression: 'SET lastUsedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :stale)',
          ExpressionAttributeValues: { ':now': now.toISOString(), ':stale': new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Keys written before [10] have no by-id item (and the oldest no `id`): the listing and the
   * by-id routes would not see them. This gives each its id (derived from the hash, as reads
   * derive it) and its by-id item. There is no index over key records, so it scans the table —
   * once: a marker item makes every later call one GetItem. A call stops after a few seconds and
   * keeps its position in the marker, so a large table is finished over several calls; `done`
   * says whether it is.
   */
  async upgrade(budgetMs = UPGRADE_BUDGET_MS): Promise<{ done: boolean; indexed: number }> {
    const marker = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: UPGRADE_MARKER, ConsistentRead: true }))).Item;
    if (marker?.done) return { done: true, indexed: 0 };
    const stopAt = Date.now() + budgetMs;
    let startKey = marker?.position as Record<string, unknown> | undefined;
    let indexed = 0;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(PK, :prefix) AND SK = :sk',
          ProjectionExpression: 'PK, id',
          ExpressionAttributeValues: { ':prefix': 'APIKEY#', ':sk': 'A' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (await this.index((item.PK as string).slice('APIKEY#'.length), item.id as string | undefined)) indexed++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && Date.now() < stopAt);
    const done = !startKey;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...UPGRADE_MARKER, done, at: new Date().toISOString(), ...(startKey ? { position: startKey } : {}), indexed: Number(marker?.indexed ?? 0) + indexed },
      }),
    );
    return { done, indexed };
  }

  /** An old record's id written on it (if it had none) and its by-id item (if absent); true when the by-id item was written. */
  private async index(hash: string, storedId: string | undefined): Promise<boolean> {
    const id = storedId ?? apiKeyIdFromHash(hash);
    if (!storedId) {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: byHashKey(hash),
            UpdateExpression: 'SET id = :id',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(id)',
            ExpressionAttributeValues: { ':id': id },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    }
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...byIdKey(id), hash }, ConditionExpression: 'attribute_not_exists(PK)' }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Records by hash (a page is at most 100: one BatchGetItem, with unprocessed keys asked again). */
  private async getMany(hashes: string[]): Promise<Map<string, ApiKeyRecord>> {
    const records = new Map<string, ApiKeyRecord>();
    let pending: Record<string, unknown>[] = hashes.map(byHashKey);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 6) throw Object.assign(new Error(`BatchGetItem left ${pending.length} keys unprocessed`), { name: 'ThrottlingException' });
      if (attempt > 1) await sleep(Math.min(1_000, 50 * 2 ** attempt) * Math.random());
      const result = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const hash = (item.PK as string).slice('APIKEY#'.length);
        records.set(hash, recordOf(item, hash));
      }
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return records;
  }
}

/** The record's own fields only (never the key attributes, which hold the hash). */
function recordOf(item: Record<string, unknown>, hash: string): ApiKeyRecord {
  const { id, name, role, customerId, createdBy, createdAt, lastUsedAt, revokedAt, revokedBy, rotatedAt } = item as Partial<ApiKeyRecord>;
  const optional = { customerId, createdBy, createdAt, lastUsedAt, revokedAt, revokedBy, rotatedAt };
  return {
    id: id ?? apiKeyIdFromHash(hash),
    name: name!,
    role: role!,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** One ApiKeyStore per DynamoStore (the handlers' runtime store): its table and client. */
const stores = new WeakMap<object, ApiKeyStore>();

export function apiKeyStoreOf(store: { tableName: string; doc: DynamoDBDocumentClient }): ApiKeyStore {
  let found = stores.get(store);
  if (!found) stores.set(store, (found = new ApiKeyStore(store.tableName, store.doc)));
  return found;
}
