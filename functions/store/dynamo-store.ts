/**
 * The DynamoDB adapter: every item of the single table and every write that must agree.
 * Key design and access patterns: docs/data-model.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type OperatedBy, ticketAccess, ticketSubject } from '../../core/access/authorize';
import type { Customer } from '../../core/customer';
import { LIMITS } from '../../core/limits';
import { messageIdKey } from '../../core/mail/message-id';
import type { Agent, SupportOrder } from '../../core/periods/orders';
import type { DedicatedRouting } from '../../core/periods/routing';
import { CASE_NUMBER_PATTERN } from '../../core/tickets/case-number';
import { customerViewsOf, inboxOrder, viewKey, viewsOf } from '../../core/tickets/inbox';
import type { Status, Ticket, TimelineEvent } from '../../core/tickets/model';
import { ticketSearchTokens } from '../../core/tickets/search';
import { TABLE_INDEXES } from '../../lib/data/table-definition';
import { TtlCache } from '../shared/ttl-cache';
import { type ApiKeyRecord, apiKeyIdFromHash, apiKeyStoreOf } from './api-keys';
import { customerListingKeys } from './customer-list';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** BatchGetItem's most keys per request, and how often keys it leaves unprocessed are asked again. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 6;

/** Someone else changed the item first; the caller re-reads and tries again, or answers 409. */
export class VersionConflictError extends Error {
  constructor(message = 'the item was changed by someone else') {
    super(message);
    this.name = 'VersionConflictError';
  }
}

/** A unique value (an email address, a phone number) already belongs to another item. */
export class UniqueValueError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UniqueValueError';
  }
}

export class BadCursorError extends Error {}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export type { ApiKeyRecord } from './api-keys';
export { apiKeyIdFromHash } from './api-keys';

export type IdempotencyClaim = { state: 'claimed' } | { state: 'done'; response: StoredResponse } | { state: 'in-progress' } | { state: 'mismatch' };

/** Options of a paged listing; `cursor` is the store's own position (the API signs it: functions/api/cursors.ts). */
export interface PageOptions {
  limit: number;
  cursor?: string;
}

/** Filters applied inside a ticket listing's query, so every page is full and nothing outside it is read into a page. */
export interface TicketFilter {
  status?: Status;
  /** Open tickets of this queue (as GSI2 holds them). */
  queue?: string;
}

/**
 * Whose inbox views and search postings a listing reads: the whole desk's (vendor staff), one
 * customer's, or one partner's (docs/inbox.md). Each is its own index partition.
 */
export type InboxScope = { by: 'desk' } | { by: 'customer'; customerId: string } | { by: 'partner'; partnerId: string };

/** The partition of a view (core/tickets/inbox.ts viewKey) in a scope; also the name of its counter. */
export function viewPartition(scope: InboxScope, view: string): string {
  return scope.by === 'desk' ? `VIEW#${view}` : scope.by === 'customer' ? `VIEW#C#${scope.customerId}#${view}` : `VIEW#P#${scope.partnerId}#${view}`;
}

/** The partition of a search token's postings in a scope. */
function searchPartition(scope: InboxScope, token: string): string {
  return scope.by === 'desk' ? `SEARCH#${token}` : scope.by === 'customer' ? `SEARCH#C#${scope.customerId}#${token}` : `SEARCH#P#${scope.partnerId}#${token}`;
}

/** Which index holds a scope's view entries and postings: the desk's GSI2 / GSI3, a customer's GSI1, a partner's GSI4. */
const VIEW_INDEX = { desk: TABLE_INDEXES.byQueue, customer: TABLE_INDEXES.byCustomer, partner: TABLE_INDEXES.byPartner } as const;
const SEARCH_INDEX = { desk: TABLE_INDEXES.byStatus, customer: TABLE_INDEXES.byCustomer, partner: TABLE_INDEXES.byPartner } as const;

/** What the ticket item records of its inbox and search entries, so the next write knows what to change (and by how much to count). */
interface IndexedState {
  version: number;
  /** Every view partition (viewPartition) the ticket is counted in. */
  inboxKeys: string[];
  inboxOrder?: string;
  /** The severity its view entries carry (a view filtered by severity reads it); absent while in no view. */
  inboxSeverity?: string;
  searchTokens: string[];
}

/** Index states of tickets read or saved last that a store keeps (DynamoStore.indexedStates). */
const REMEMBERED_INDEX_STATES = 1_000;

/** The index state a ticket item was written with (a ticket written before [11] has none: it is counted from its next write). */
function indexedStateOfItem(item: Record<string, unknown>): IndexedState {
  return {
    version: item.version as number,
    inboxKeys: (item.inboxKeys as string[] | undefined) ?? [],
    ...(item.inboxOrder ? { inboxOrder: item.inboxOrder as string } : {}),
    ...(item.inboxSeverity ? { inboxSeverity: item.inboxSeverity as string } : {}),
    searchTokens: (item.searchTokens as string[] | undefined) ?? [],
  };
}

/**
 * Whether a ticket item's index state is final for its version: written by a change since view
 * entries carry their severity. Only such items are left alone by upgradeInboxViews, which sets
 * an older item's index state without changing its version.
 */
function isFullyIndexed(item: Record<string, unknown>): boolean {
  return item.inboxKeys !== undefined && (item.inboxOrder === undefined || item.inboxSeverity !== undefined);
}

/** How many times a write refused for a concurrent transaction on one of its items (a shared counter, a ticket being saved) is tried. */
const TRANSACTION_CONFLICT_ATTEMPTS = 6;

/** Where unverified requesters' tickets are indexed in GSI1: outside the `CUSTOMER#` namespace, so no customer id can name it. */
export const UNVERIFIED_PARTITION = 'UNVERIFIED';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/** A claimed idempotency key, completed in the same transaction as the write it guarded. */
export interface IdempotencyCompletion {
  scope: string;
  key: string;
  requestHash: string;
  response: StoredResponse;
}

const OPEN_STATUSES: ReadonlySet<Status> = new Set(['new', 'open', 'pending-customer']);
const IDEMPOTENCY_DAYS = 1;
/** Sort key of the item holding a ticket's parked task token. */
/** A parked task token and the ticket version its execution planned for (absent on tokens parked before versions were kept). */
/** Why a ticket's workflow is owed work: its execution never started, or a wake Step Functions refused. */
export type WorkflowPendingReason = 'start' | 'wake';

export interface WorkflowPending {
  ticketId: string;
  reason: WorkflowPendingReason;
  /** When it was recorded (ISO): clearing it checks that no newer failure replaced it. */
  since: string;
}

export interface ParkedToken {
  token: string;
  version: number | undefined;
}

const WAIT_SK = 'WAIT';
/**
 * Marks the owed-start record a new ticket is written with (only there: a failure recorded later
 * is not marked, so the starter never retries what the reconciler paces).
 */
export const NEW_TICKET_ATTRIBUTE = 'newTicket';
/** A ticket whose workflow needs a start or a wake the reconciler must make (docs/sla-workflow.md). */
export const WORKFLOW_PENDING_SK = 'WORKFLOW';
const WORKFLOW_PENDING_PARTITION = 'WORKFLOW#PENDING';
const SWEEP_MARKER = 'RECONCILE#sweep';
/** A claim whose request crashed is taken over after this long. */
const IDEMPOTENCY_LOCK_MS = 30_000;

const key = (pk: string) => ({ PK: pk, SK: 'A' });
const TICKET_PK_PREFIX = 'TICKET#';
const ticketKey = (id: string) => key(`${TICKET_PK_PREFIX}${id}`);

/** The ticket a partition key belongs to (a ticket's items are all under `TICKET#<id>`), or undefined for any other key; bounded by the case-number pattern. */
export function ticketIdOfKey(pk: string): string | undefined {
  if (!pk.startsWith(TICKET_PK_PREFIX)) return undefined;
  const ticketId = pk.slice(TICKET_PK_PREFIX.length);
  return CASE_NUMBER_PATTERN.test(ticketId) ? ticketId : undefined;
}
const contactKeys = (customer: Customer) => [
  ...new Set([
    ...customer.contacts.flatMap((c) => (c.email ? [`CONTACT#email#${c.email}`] : [])),
    ...customer.designatedUsers.map((email) => `CONTACT#email#${email}`),
    ...customer.contacts.flatMap((c) => (c.phone ? [`CONTACT#phone#${c.phone}`] : [])),
    ...customer.phoneNumbers.map((phone) => `CONTACT#phone#${phone}`),
    ...customer.emailDomains.map((domain) => `CONTACT#domain#${domain}`),
  ]),
];

/** The keys of TICKET links (DynamoStore.linkTicket). */
export const TICKET_LINKS = {
  /** A mail received for the ticket or sent about it, by its Message-ID (with brackets; hashed when long: messageIdKey). */
  mail: (messageId: string) => `MSGID#${messageIdKey(messageId)}`,
  /** An integration's own id for the case (a portal's ticket id). */
  external: (integration: string, id: string) => `EXTERNAL#${integration}#${id}`,
  /** A phone call, by the phone system's call id. */
  call: (integration: string, callId: string) => `CALL#${integration}#${callId}`,
  /** The last phone ticket of a caller (E.164): a new call while it is open joins it. */
  caller: (phone: string) => `CALLER#${phone}`,
  /** A chat conversation, by the chat tool's id. */
  conversation: (integration: string, id: string) => `CHAT#${integration}#${id}`,
};

/** Each address is a lookup record written in the customer's transaction, which holds at most 100 items. */
export const MAX_CUSTOMER_ADDRESSES = 90;

/** How many lookup records (addresses, phone numbers, domains) a customer needs. */
export function customerAddressCount(customer: Customer): number {
  return contactKeys(customer).length;
}

export class DynamoStore {
  readonly doc: DynamoDBDocumentClient;
  /**
   * The policy's tiers, to decide which tickets a partner's agents may read (core/access): only
   * those get entries in the partner's views, so its counts are what it can list. Without them
   * (a tool's store) every ticket of a partner's customer is in the partner's views.
   */
  private tiers: readonly { id: string; operatedBy?: OperatedBy }[] | undefined;

  constructor(
    readonly tableName: string,
    client = new DynamoDBClient({}),
    options: { tiers?: readonly { id: string; operatedBy?: OperatedBy }[] } = {},
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.tiers = options.tiers;
  }

  // ---- tickets -------------------------------------------------------------------------

  /** Reserves `count` consecutive numbers of a named counter; returns the last. Atomic across callers. */
  async reserveNumbers(counter: string, count: number): Promise<number> {
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(`COUNTER#${counter}`),
        UpdateExpression: 'ADD #value :count',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':count': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes!.value);
  }

  /**
   * Writes a new ticket (and any further first events). With an idempotency claim, completes it
   * in the same transaction, so a retry can never make a second ticket; its links (TICKET_LINKS
   * keys, as linkTicket writes them) go in it too, so a redelivery answered from the completed
   * claim never finds a ticket that later deliveries cannot. A plain new ticket is one
   * conditional put: its "created" event is derived from the ticket itself.
   */
  async createTicket(ticket: Ticket, events: TimelineEvent[], idempotency?: IdempotencyCompletion, links: string[] = []) {
    const indexed = this.indexedState(ticket);
    const ticketPut = { TableName: this.tableName, Item: this.ticketItem(ticket, indexed), ConditionExpression: 'attribute_not_exists(PK)' };
    const items: TransactItem[] = [{ Put: ticketPut }, ...events.map((event) => this.eventPut(event))];
    if (idempotency) items.push(this.idempotencyCompletion(idempotency));
    items.push(...this.linkPuts(ticket.id, links));
    // Its inbox entries, view counters and search postings: in the same transaction, so no count or index is ever without its ticket.
    items.push(...this.indexWrites(ticket, undefined, indexed));
    // Owed a start until it has its execution. Its insert is what the workflow starter hears on the
    // table's stream (functions/workflow/start.ts); if that start fails, the reconciler makes it.
    items.push({ Put: { TableName: this.tableName, Item: { ...this.workflowPendingItem(ticket.id, 'start', ticket.createdAt), [NEW_TICKET_ATTRIBUTE]: true } } });
    try {
      await this.transact(items);
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedIndexes.includes(0)) throw new ConditionFailed(error.failedIndexes, `ticket ${ticket.id} already exists`);
      throw error;
    }
  }

  /** Puts of a ticket's links (TICKET_LINKS keys), as linkTicket writes them, for a ticket's own transaction. */
  private linkPuts(ticketId: string, links: readonly string[]): TransactItem[] {
    return [...new Set(links)].map((link) => ({ Put: { TableName: this.tableName, Item: { ...key(link), ticketId } } }));
  }

  async getTicket(id: string): Promise<Ticket | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: ticketKey(id), ConsistentRead: true }));
    if (result.Item && isFullyIndexed(result.Item)) this.indexedStates.set(id, indexedStateOfItem(result.Item));
    return result.Item?.ticket as Ticket | undefined;
  }

  async timeline(ticketId: string): Promise<TimelineEvent[]> {
    return (await this.queryAll(`TICKET#${ticketId}`, 'EVENT#')).map((item) => item.event as TimelineEvent);
  }

  /** One timeline event by its key (ticket, instant and id), e.g. the reply a notification is about. */
  async getEvent(ticketId: string, at: string, id: string): Promise<TimelineEvent | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: `TICKET#${ticketId}`, SK: `EVENT#${at}#${id}` }, ConsistentRead: true }));
    return result.Item?.event as TimelineEvent | undefined;
  }

  /**
   * Saves `ticket` (whose version is one more than the stored one) with its new events, or throws
   * VersionConflictError. With an idempotency claim, completes it in the same transaction (an
   * inbound mail added to a ticket: a redelivery finds it done and adds nothing).
   */
  /** Links (e.g. a reply's Message-ID) go in the same transaction, for the reason createTicket's do. */
  async saveTicket(ticket: Ticket, events: TimelineEvent[], idempotency?: IdempotencyCompletion, links: readonly string[] = []): Promise<void> {
    // What the stored version is indexed and counted under: the write below is conditioned on that
    // very version, so the entries and counter deltas derived from it are exact (or nothing is written).
    const remembered = this.indexedStates.peek(ticket.id);
    const previous = remembered?.version === ticket.version - 1 ? remembered : await this.indexedStateOf(ticket.id);
    if (!previous || previous.version !== ticket.version - 1) throw new VersionConflictError();
    const indexed = this.indexedState(ticket);
    await this.transact([
      {
        Put: {
          TableName: this.tableName,
          Item: this.ticketItem(ticket, indexed),
          ConditionExpression: 'version = :previous',
          ExpressionAttributeValues: { ':previous': ticket.version - 1 },
        },
      },
      ...events.map((event) => this.eventPut(event)),
      ...(idempotency ? [this.idempotencyCompletion(idempotency)] : []),
      ...this.linkPuts(ticket.id, links),
      ...this.indexWrites(ticket, previous, indexed),
    ]);
    this.indexedStates.set(ticket.id, indexed);
  }

  /**
   * A save right after its read (the usual read, change, write) takes the index state from that
   * read instead of reading it again: the state read with version v is the one stored with v
   * (they are written together; an item upgradeInboxViews may still change is not remembered),
   * and the save is conditioned on v, so an entry never expires. Bounded: a container that reads
   * many tickets keeps the newest.
   */
  private readonly indexedStates = new TtlCache<IndexedState>(Number.POSITIVE_INFINITY, REMEMBERED_INDEX_STATES);

  /** The index state the stored ticket was written with, read on its own. */
  private async indexedStateOf(id: string): Promise<IndexedState | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: ticketKey(id), ConsistentRead: true, ProjectionExpression: 'version, inboxKeys, inboxOrder, inboxSeverity, searchTokens' }),
    );
    return result.Item ? indexedStateOfItem(result.Item) : undefined;
  }

  /** The scopes a ticket's views are listed in: the desk's always, its customer's, its partner's while the partner may read it. */
  private inboxScopes(ticket: Ticket): { scope: InboxScope; views: (views: string[]) => string[] }[] {
    const scopes: { scope: InboxScope; views: (views: string[]) => string[] }[] = [{ scope: { by: 'desk' }, views: (views) => views }];
    if (ticket.customerId) scopes.push({ scope: { by: 'customer', customerId: ticket.customerId }, views: customerViewsOf });
    if (ticket.partnerId && this.partnerMayRead(ticket)) scopes.push({ scope: { by: 'partner', partnerId: ticket.partnerId }, views: (views) => views });
    return scopes;
  }

  private partnerMayRead(ticket: Ticket): boolean {
    if (!this.tiers) return true;
    return ticketAccess({ role: 'partner-agent', partnerId: ticket.partnerId! }, ticketSubject(ticket, { tiers: this.tiers })) !== 'none';
  }

  private indexedState(ticket: Ticket): IndexedState {
    const views = viewsOf(ticket);
    return {
      version: ticket.version,
      inboxKeys: this.inboxScopes(ticket).flatMap(({ scope, views: of }) => of(views).map((view) => viewPartition(scope, view))),
      ...(views.length > 0 ? { inboxOrder: inboxOrder(ticket), inboxSeverity: ticket.severity } : {}),
      searchTokens: ticketSearchTokens(ticket),
    };
  }

  /**
   * The writes that keep a ticket's inbox views, their counters and its search postings true,
   * from what the stored version had (`previous`) to `next`:
   * - one entry item per view (`TICKET#<id>` / `VIEW#<view>`) whose index keys place it in the
   *   view's partition of each scope (desk GSI2, customer GSI1, partner GSI4), ordered next due
   *   first; put again when its place changes, deleted when the ticket leaves the view;
   * - `ADD n ±1` on `COUNT#<view partition>` for each partition entered or left;
   * - one posting item per search token (`TICKET#<id>` / `TOKEN#<token>`) in each scope's
   *   search partition (desk GSI3, customer GSI1, partner GSI4).
   */
  private indexWrites(ticket: Ticket, previous: IndexedState | undefined, next: IndexedState): TransactItem[] {
    const writes: TransactItem[] = [];
    const before = new Set(previous?.inboxKeys ?? []);
    const after = new Set(next.inboxKeys);
    const count = (partition: string, delta: number): TransactItem => ({
      Update: { TableName: this.tableName, Key: key(`COUNT#${partition}`), UpdateExpression: 'ADD #n :delta', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':delta': delta } },
    });
    for (const partition of after) if (!before.has(partition)) writes.push(count(partition, 1));
    for (const partition of before) if (!after.has(partition)) writes.push(count(partition, -1));

    const deskViews = (keys: Iterable<string>) => new Set([...keys].filter((k) => k.startsWith('VIEW#') && !k.startsWith('VIEW#C#') && !k.startsWith('VIEW#P#')).map((k) => k.slice('VIEW#'.length)));
    const viewsBefore = deskViews(before);
    const viewsAfter = deskViews(after);
    const placeChanged = previous?.inboxOrder !== next.inboxOrder || previous?.inboxSeverity !== next.inboxSeverity || before.size !== after.size || [...after].some((k) => !before.has(k));
    if (placeChanged) {
      const scopes = this.inboxScopes(ticket);
      for (const view of viewsAfter) {
        const item: Record<string, unknown> = { PK: `TICKET#${ticket.id}`, SK: `VIEW#${view}`, ticketId: ticket.id, severity: ticket.severity };
        for (const { scope, views } of scopes) {
          if (!views([view]).length) continue;
          const index = VIEW_INDEX[scope.by];
          item[index.partitionKey] = viewPartition(scope, view);
          item[index.sortKey] = next.inboxOrder;
        }
        writes.push({ Put: { TableName: this.tableName, Item: item } });
      }
    }
    for (const view of viewsBefore) if (!viewsAfter.has(view)) writes.push({ Delete: { TableName: this.tableName, Key: { PK: `TICKET#${ticket.id}`, SK: `VIEW#${view}` } } });

    const tokensBefore = new Set(previous?.searchTokens ?? []);
    const tokensAfter = new Set(next.searchTokens);
    const order = `${ticket.createdAt}#${ticket.id}`;
    for (const token of tokensAfter) {
      if (tokensBefore.has(token)) continue;
      const item: Record<string, unknown> = { PK: `TICKET#${ticket.id}`, SK: `TOKEN#${token}`, ticketId: ticket.id };
      const scopes: InboxScope[] = [{ by: 'desk' }];
      if (ticket.customerId) scopes.push({ by: 'customer', customerId: ticket.customerId });
      // A partner's postings hold all its customers' tickets; a search drops those it may not read, one by one.
      if (ticket.partnerId) scopes.push({ by: 'partner', partnerId: ticket.partnerId });
      for (const scope of scopes) {
        const index = SEARCH_INDEX[scope.by];
        item[index.partitionKey] = searchPartition(scope, token);
        item[index.sortKey] = order;
      }
      writes.push({ Put: { TableName: this.tableName, Item: item } });
    }
    for (const token of tokensBefore) if (!tokensAfter.has(token)) writes.push({ Delete: { TableName: this.tableName, Key: { PK: `TICKET#${ticket.id}`, SK: `TOKEN#${token}` } } });
    return writes;
  }

  /** Adds timeline events to a ticket without changing the ticket (records of what was done about it, e.g. a sent notification). */
  async addEvents(events: TimelineEvent[]): Promise<void> {
    if (events.length > 0) await this.transact(events.map((event) => this.eventPut(event)));
  }

  // ---- workflow task tokens ------------------------------------------------------------------

  /**
   * Parks the task token the ticket's execution waits on. It is an item of its own beside the
   * ticket (same partition), not an attribute of the ticket item: saveTicket replaces that item
   * whole, which would drop the token just before the change that must wake the execution.
   * `version` is the ticket's version the execution planned for: a parked token older than the
   * ticket is a wake that was missed (the reconciler sends it).
   */
  async parkToken(ticketId: string, token: string, version: number): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: `TICKET#${ticketId}`, SK: WAIT_SK, token, version } }));
  }

  /** Takes the parked token away (so two changes never both send it), or undefined when none is parked. */
  async takeToken(ticketId: string): Promise<ParkedToken | undefined> {
    const result = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { PK: `TICKET#${ticketId}`, SK: WAIT_SK }, ReturnValues: 'ALL_OLD' }));
    return result.Attributes ? { token: result.Attributes.token as string, version: result.Attributes.version as number | undefined } : undefined;
  }

  /** Puts back a token that could not be sent, unless the execution has parked a newer one since. */
  async restoreToken(ticketId: string, parked: ParkedToken): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: `TICKET#${ticketId}`, SK: WAIT_SK, token: parked.token, ...(parked.version === undefined ? {} : { version: parked.version }) },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The ticket version the parked execution planned for, or undefined when none is parked (or it predates versions). */
  async parkedVersion(ticketId: string): Promise<number | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: `TICKET#${ticketId}`, SK: WAIT_SK } }));
    return result.Item?.version as number | undefined;
  }

  // ---- workflow work owed ([12], docs/sla-workflow.md) ----------------------------------------

  private workflowPendingItem(ticketId: string, reason: WorkflowPendingReason, since: string): Record<string, unknown> {
    return {
      PK: `TICKET#${ticketId}`,
      SK: WORKFLOW_PENDING_SK,
      [TABLE_INDEXES.byQueue.partitionKey]: WORKFLOW_PENDING_PARTITION,
      [TABLE_INDEXES.byQueue.sortKey]: `${since}#${ticketId}`,
      ticketId,
      reason,
      since,
    };
  }

  /** Records that the ticket's workflow is owed a start or a wake (a failed call); the reconciler's next run makes it. */
  async markWorkflowPending(ticketId: string, reason: WorkflowPendingReason, now = Date.now()): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: this.workflowPendingItem(ticketId, reason, new Date(now).toISOString()) }));
  }

  /**
   * Clears what was owed once it is done: the record read (`since`), unless it was recorded again
   * meanwhile; or, after a start, a start owed (never a wake recorded meanwhile).
   */
  async clearWorkflowPending(ticketId: string, which: { since: string } | { reason: WorkflowPendingReason }): Promise<void> {
    const [attribute, value] = 'since' in which ? ['since', which.since] : ['reason', which.reason];
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { PK: `TICKET#${ticketId}`, SK: WORKFLOW_PENDING_SK },
          ConditionExpression: '#owed = :owed',
          ExpressionAttributeNames: { '#owed': attribute },
          ExpressionAttributeValues: { ':owed': value },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The oldest `limit` tickets owed workflow work (one query of a sparse partition: it holds only failures and in-flight starts). */
  async pendingWorkflows(limit: number): Promise<WorkflowPending[]> {
    const { indexName, partitionKey } = TABLE_INDEXES.byQueue;
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pending',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pending': WORKFLOW_PENDING_PARTITION },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({ ticketId: item.ticketId as string, reason: item.reason as WorkflowPendingReason, since: item.since as string }));
  }

  /**
   * One paced stretch of the safety sweep: up to `budget` tickets of a status partition from where
   * the last stretch stopped (the position is kept in an item), so every run costs at most `budget`
   * tickets however many are open. `done` when the stretch reached the end (the next starts over).
   */
  async sweepStretch(statuses: readonly string[], budget: number): Promise<{ tickets: Ticket[]; done: boolean }> {
    const marker = key(SWEEP_MARKER);
    const state = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: marker, ConsistentRead: true }))).Item;
    let statusIndex = Math.max(0, statuses.indexOf((state?.status as string | undefined) ?? statuses[0]!));
    let startKey = state?.startKey as Record<string, unknown> | undefined;
    const tickets: Ticket[] = [];
    while (statusIndex < statuses.length && tickets.length < budget) {
      const page = await this.statusPage(statuses[statusIndex]!, startKey, Math.min(100, budget - tickets.length));
      for (const item of page.Items ?? []) if (item.ticket) tickets.push(item.ticket as Ticket);
      startKey = page.LastEvaluatedKey;
      if (!startKey) statusIndex++;
    }
    const done = statusIndex >= statuses.length;
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: done ? { ...marker, status: statuses[0] } : { ...marker, status: statuses[statusIndex], ...(startKey ? { startKey } : {}) } }),
    );
    return { tickets, done };
  }

  /** One raw page of a status partition (GSI3 `STATUS#<status>`) from a position: for the passes that keep their place between runs. */
  private statusPage(status: string, startKey: Record<string, unknown> | undefined, limit: number) {
    const { indexName, partitionKey } = TABLE_INDEXES.byStatus;
    return this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :status',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':status': `STATUS#${status}` },
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
  }

  /** A customer's tickets, newest first, optionally in one status or (open ones) in one queue. */
  listByCustomer(customerId: string, options: PageOptions & TicketFilter): Promise<Page<Ticket>> {
    return this.queryTickets(TABLE_INDEXES.byCustomer, `CUSTOMER#${customerId}`, false, options);
  }

  /** The tickets of a partner's customers, newest first (GSI4), optionally one customer's, in one status or (open ones) in one queue. */
  listByPartner(partnerId: string, options: PageOptions & TicketFilter & { customerId?: string }): Promise<Page<Ticket>> {
    return this.queryTickets(TABLE_INDEXES.byPartner, `PARTNER#${partnerId}`, false, options);
  }

  /** Tickets whose requester matched no customer, newest first (GSI1 under UNVERIFIED_PARTITION). */
  listUnverified(options: PageOptions & TicketFilter): Promise<Page<Ticket>> {
    return this.queryTickets(TABLE_INDEXES.byCustomer, UNVERIFIED_PARTITION, false, options);
  }

  /** A queue's open tickets, the earliest next due first. */
  listByQueue(queue: string, options: PageOptions & { status?: Status }): Promise<Page<Ticket>> {
    return this.queryTickets(TABLE_INDEXES.byQueue, `QUEUE#${queue}`, true, options);
  }

  /** Tickets still being worked (new, open, pending customer), or in one status; newest first. */
  listByStatus(status: Status | 'active', options: PageOptions): Promise<Page<Ticket>> {
    if (status === 'active' || !OPEN_STATUSES.has(status)) return this.queryTickets(TABLE_INDEXES.byStatus, `STATUS#${status}`, false, options);
    // Exactly the desk's "waiting" view: its own partition (next due first) rather than a filter over every open ticket.
    if (status === 'pending-customer') return this.listView({ by: 'desk' }, viewKey('waiting'), options);
    return this.queryTickets(TABLE_INDEXES.byStatus, 'STATUS#active', false, { ...options, status });
  }

  // ---- inbox views, counts, search ([11], docs/inbox.md) -------------------------------------

  /**
   * One page of a view (core/tickets/inbox.ts viewKey) in a scope, next due first: one query of its
   * partition, then the page's tickets. With `severity`, the entries of that severity (a filter on
   * the entries' `severity`, reading at most LIMITS.searchScan entries: a page can be short, and
   * its cursor goes on where the reading stopped).
   */
  async listView(scope: InboxScope, view: string, options: PageOptions & { severity?: string }): Promise<Page<Ticket>> {
    const filter = options.severity ? { expression: '#severity = :severity', names: { '#severity': 'severity' }, values: { ':severity': options.severity }, maxRead: LIMITS.searchScan } : undefined;
    const page = await this.queryPage({ ...VIEW_INDEX[scope.by], partition: viewPartition(scope, view), ascending: true, ...(filter ? { filter } : {}) }, options);
    return { items: await this.ticketsById(page.items.map((item) => item.ticketId as string)), cursor: page.cursor };
  }

  /** The number of open tickets in each view partition (viewPartition), from the counters the ticket writes keep; one consistent read. */
  async countViews(partitions: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(partitions.map((partition) => [partition, 0]));
    const keys = [...new Set(partitions)].map((partition) => key(`COUNT#${partition}`));
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      for (const item of await this.batchGet(keys.slice(start, start + BATCH_GET_KEYS), true)) counts.set((item.PK as string).slice('COUNT#'.length), Number(item.n ?? 0));
    }
    return counts;
  }

  /**
   * Tickets whose search tokens include every one of `tokens`, newest first: reads the postings of
   * `scan` (one of them, the rarest guess) in the scope's partition and keeps the tickets that have
   * the others too (`matches`). At most LIMITS.searchScan postings per call: a page can be short,
   * and its cursor goes on where the reading stopped, so nothing is skipped.
   */
  async searchTickets(scope: InboxScope, scan: string, matches: (ticket: Ticket) => boolean, options: PageOptions): Promise<Page<Ticket>> {
    const index = SEARCH_INDEX[scope.by];
    const found: Ticket[] = [];
    let startKey = options.cursor ? decodeCursor(options.cursor) : undefined;
    let read = 0;
    while (found.length < options.limit && read < LIMITS.searchScan) {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': searchPartition(scope, scan) },
          ScanIndexForward: false,
          Limit: Math.min(100, LIMITS.searchScan - read),
          ExclusiveStartKey: startKey,
        }),
      );
      const postings = page.Items ?? [];
      read += postings.length;
      const tickets = new Map((await this.ticketsById(postings.map((posting) => posting.ticketId as string))).map((ticket) => [ticket.id, ticket]));
      for (const posting of postings) {
        const ticket = tickets.get(posting.ticketId as string);
        if (!ticket || !matches(ticket)) continue;
        found.push(ticket);
        if (found.length === options.limit) {
          // A full page: the next one goes on after this very posting.
          const after = { PK: posting.PK, SK: posting.SK, [index.partitionKey]: posting[index.partitionKey], [index.sortKey]: posting[index.sortKey] };
          return { items: found, cursor: encodeCursor(after) };
        }
      }
      startKey = page.LastEvaluatedKey;
      if (!startKey) return { items: found, cursor: null };
    }
    return { items: found, cursor: startKey ? encodeCursor(startKey) : null };
  }

  /** Tickets by id in the order given (one consistent BatchGetItem per 100); ids with no ticket are left out. */
  private async ticketsById(ids: readonly string[]): Promise<Ticket[]> {
    const byId = new Map<string, Ticket>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      for (const item of await this.batchGet(unique.slice(start, start + BATCH_GET_KEYS).map(ticketKey), true)) {
        const ticket = item.ticket as Ticket | undefined;
        if (ticket) byId.set(ticket.id, ticket);
      }
    }
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  /** Items by key (at most 100); keys DynamoDB left unprocessed (throttled) are asked again after a pause, a few times. */
  private async batchGet(keys: Record<string, unknown>[], consistent: boolean): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keys;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > BATCH_GET_ATTEMPTS) {
        throw Object.assign(new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${BATCH_GET_ATTEMPTS} attempts`), { name: 'ThrottlingException' });
      }
      if (attempt > 1) await sleep(Math.min(1_000, 50 * 2 ** attempt) * Math.random());
      const result = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } } }));
      items.push(...(result.Responses?.[this.tableName] ?? []));
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  // ---- customers -------------------------------------------------------------------------

  async getCustomer(id: string): Promise<(Customer & { version: number }) | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(`CUSTOMER#${id}`), ConsistentRead: true }));
    return result.Item ? { ...(result.Item.customer as Customer), version: result.Item.version as number } : undefined;
  }

  /**
   * Creates or replaces a customer together with the lookup records of its addresses, phone
   * numbers and domains, in one transaction: an address can never point at two customers.
   */
  async putCustomer(customer: Customer, previous?: Customer & { version: number }): Promise<number> {
    const version = (previous?.version ?? 0) + 1;
    const wanted = contactKeys(customer);
    const stale = previous ? contactKeys(previous).filter((pk) => !wanted.includes(pk)) : [];
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          // customerListingKeys: the customer's place in GET /customers (functions/store/customer-list.ts).
          Item: { ...key(`CUSTOMER#${customer.id}`), ...customerListingKeys(customer), version, customer },
          ...(previous ? { ConditionExpression: 'version = :previous', ExpressionAttributeValues: { ':previous': previous.version } } : { ConditionExpression: 'attribute_not_exists(PK)' }),
        },
      },
      ...wanted.map(
        (pk): TransactItem => ({
          Put: {
            TableName: this.tableName,
            Item: { ...key(pk), customerId: customer.id },
            ConditionExpression: 'attribute_not_exists(PK) OR customerId = :me',
            ExpressionAttributeValues: { ':me': customer.id },
          },
        }),
      ),
      ...stale.map((pk): TransactItem => ({ Delete: { TableName: this.tableName, Key: key(pk) } })),
    ];
    try {
      await this.transact(items);
    } catch (error) {
      if (error instanceof ConditionFailed) {
        const index = error.failedIndexes.find((i) => i > 0);
        if (index !== undefined && index <= wanted.length) {
          const [, kind, value] = wanted[index - 1]!.split('#');
          throw new UniqueValueError(kind === 'domain' ? 'emailDomains' : kind === 'phone' ? 'phoneNumbers' : 'contacts', `${value} already belongs to another customer`);
        }
        throw new VersionConflictError(previous ? 'the customer was changed by someone else' : `customer ${customer.id} already exists`);
      }
      throw error;
    }
    return version;
  }

  /** The customer an email address, phone number or email domain belongs to. */
  async customerIdFor(kind: 'email' | 'phone' | 'domain', value: string): Promise<string | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(`CONTACT#${kind}#${value}`) }));
    return result.Item?.customerId as string | undefined;
  }

  // ---- API keys ------------------------------------------------------------------------------

  // Keys live in their own module (functions/store/api-keys.ts); these two stay for the seeding of `npm start`.

  /**
   * Creates the key unless its hash or id is taken already (a restart seeds the same keys again:
   * what happened to them since — use, revocation, rotation — stays). Without an id the record
   * gets the one derived from its hash; without a creator, `bootstrap`.
   */
  async putApiKey(hash: string, record: Omit<ApiKeyRecord, 'id'> & { id?: string }): Promise<boolean> {
    return apiKeyStoreOf(this).create(hash, {
      ...record,
      id: record.id ?? apiKeyIdFromHash(hash),
      createdBy: record.createdBy ?? 'bootstrap',
      createdAt: record.createdAt ?? new Date().toISOString(),
    });
  }

  getApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return apiKeyStoreOf(this).get(hash);
  }

  // ---- idempotency ---------------------------------------------------------------------------

  /** Takes the idempotency key for one request, or says what became of the request that holds it. */
  async claimIdempotency(scope: string, idempotencyKey: string, requestHash: string, now = Date.now()): Promise<IdempotencyClaim> {
    const pk = idempotencyPk(scope, idempotencyKey);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(pk),
            state: 'in-progress',
            requestHash,
            lockedUntil: now + IDEMPOTENCY_LOCK_MS,
            expiresAt: Math.floor(now / 1000) + IDEMPOTENCY_DAYS * 86_400,
          },
          // Free, expired (TTL deletes lazily), or held by a request that died.
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowSeconds OR (#state = :progress AND lockedUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000), ':progress': 'in-progress', ':now': now },
        }),
      );
      return { state: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const held = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(pk), ConsistentRead: true }));
    if (!held.Item) return { state: 'in-progress' }; // released a moment ago: the caller retries
    if (held.Item.requestHash !== requestHash) return { state: 'mismatch' };
    if (held.Item.state === 'done') return { state: 'done', response: held.Item.response as StoredResponse };
    return { state: 'in-progress' };
  }

  /** Gives the key back after a request failed, so a retry can run. */
  async releaseIdempotency(scope: string, idempotencyKey: string, requestHash: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key(idempotencyPk(scope, idempotencyKey)),
          ConditionExpression: '#state = :progress AND requestHash = :hash',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':progress': 'in-progress', ':hash': requestHash },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Completes a claim without writing a ticket (a request that ended without one, e.g. mail that was only recorded). */
  async completeIdempotency(completion: IdempotencyCompletion): Promise<void> {
    await this.transact([this.idempotencyCompletion(completion)]);
  }

  // ---- dedicated support periods ---------------------------------------------------------------

  async putAgent(agent: Agent): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: 'AGENTS', SK: `AGENT#${agent.id}`, agent } }));
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: 'AGENTS', SK: `AGENT#${id}` }, ConsistentRead: true }));
    return found.Item?.agent as Agent | undefined;
  }

  /** Every engineer (a vendor has tens, not thousands: one partition), for booking; the API pages with listAgentsPage. */
  async listAgents(): Promise<Agent[]> {
    return (await this.queryAll('AGENTS', 'AGENT#')).map((item) => item.agent as Agent);
  }

  /** One page of engineers, by id. */
  async listAgentsPage(options: PageOptions): Promise<Page<Agent>> {
    const page = await this.queryPage({ partitionKey: 'PK', partition: 'AGENTS', sortPrefix: 'AGENT#', ascending: true }, options);
    return { items: page.items.map((item) => item.agent as Agent), cursor: page.cursor };
  }

  async getOrder(id: string): Promise<SupportOrder | undefined> {
    const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: 'ORDERS', SK: `ORDER#${id}` }, ConsistentRead: true }));
    return found.Item?.order as SupportOrder | undefined;
  }

  /**
   * One page of orders, oldest first: one customer's through GSI1 (`ORDERS#<customer>`), so a
   * customer's listing reads only its own items; or everyone's (staff) from the ORDERS partition.
   */
  async listOrdersPage(options: PageOptions & { customerId?: string }): Promise<Page<SupportOrder>> {
    const page = options.customerId
      ? await this.queryPage({ ...TABLE_INDEXES.byCustomer, partition: ordersOf(options.customerId), ascending: true }, options)
      : await this.queryPage({ partitionKey: 'PK', partition: 'ORDERS', sortPrefix: 'ORDER#', ascending: true }, options);
    return { items: page.items.map((item) => item.order as SupportOrder), cursor: page.cursor };
  }

  /**
   * Index keys of items written before issue [8]: unverified tickets under `CUSTOMER#unknown` move
   * to UNVERIFIED_PARTITION, orders get their GSI1 keys (a customer's listing reads only those).
   * Run by the ticket reconciler; once done, a marker item makes every later call one GetItem.
   */
  async upgradeIndexKeys(): Promise<{ tickets: number; orders: number }> {
    const marker = key('MIGRATION#index-keys-1');
    const moved = { tickets: 0, orders: 0 };
    if ((await this.doc.send(new GetCommand({ TableName: this.tableName, Key: marker }))).Item) return moved;
    const { indexName, partitionKey, sortKey } = TABLE_INDEXES.byCustomer;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :old',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':old': 'CUSTOMER#unknown' },
          ExclusiveStartKey: startKey,
        }),
      );
      // A customer that was really called "unknown" keeps its tickets: they name it.
      for (const item of (page.Items ?? []).filter((candidate) => !(candidate.ticket as Ticket | undefined)?.customerId)) {
        if (await this.setIfStill(item, partitionKey, 'CUSTOMER#unknown', { [partitionKey]: UNVERIFIED_PARTITION })) moved.tickets++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    for (const item of await this.queryAll('ORDERS', 'ORDER#')) {
      if (item[partitionKey]) continue;
      const order = item.order as SupportOrder;
      if (await this.setIfStill(item, partitionKey, undefined, { [partitionKey]: ordersOf(order.customerId), [sortKey]: `${order.createdAt}#${order.id}` })) moved.orders++;
    }
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...marker, at: new Date().toISOString(), ...moved } }));
    return moved;
  }

  /**
   * Tickets written before the inbox ([11]) enter their views, counters and search postings: each
   * gets the writes a change would make (indexWrites from nothing), in one transaction conditioned
   * on the version it was read at and on having no index state yet, so a ticket changed meanwhile
   * is left to the change that indexed it. Open tickets indexed before view entries carried their
   * severity (the inbox's severity filter) get their entries written again, conditioned the same
   * way. Run by the ticket reconciler, `budgetMs` at a time: an unfinished pass keeps its position
   * in the marker item; once done, every call is one GetItem.
   */
  async upgradeInboxViews(budgetMs = 60_000, now: () => number = Date.now): Promise<{ tickets: number; done: boolean }> {
    // -2: the pass that also gives view entries their severity (a table that ran -1 runs this one too).
    const marker = key('MIGRATION#inbox-views-2');
    const state = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: marker, ConsistentRead: true }))).Item;
    if (state?.done) return { tickets: 0, done: true };
    const deadline = now() + budgetMs;
    const statuses = ['active', 'resolved', 'closed'];
    let statusIndex = Math.max(0, statuses.indexOf((state?.status as string | undefined) ?? 'active'));
    let startKey = state?.startKey as Record<string, unknown> | undefined;
    let tickets = 0;
    while (statusIndex < statuses.length) {
      if (now() >= deadline) {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...marker, done: false, status: statuses[statusIndex], ...(startKey ? { startKey } : {}) } }));
        return { tickets, done: false };
      }
      const page = await this.statusPage(statuses[statusIndex]!, startKey, 100);
      for (const item of page.Items ?? []) {
        if (!item.ticket) continue;
        if (isFullyIndexed(item)) continue;
        const unindexed = item.inboxKeys === undefined;
        const ticket = item.ticket as Ticket;
        const indexed = this.indexedState(ticket);
        // What the stored item was indexed with: nothing, or everything but the entries' severity.
        const stored: IndexedState | undefined = unindexed
          ? undefined
          : { version: ticket.version, inboxKeys: item.inboxKeys as string[], inboxOrder: item.inboxOrder as string, searchTokens: (item.searchTokens as string[] | undefined) ?? [] };
        const set = ['inboxKeys = :keys', 'searchTokens = :tokens', ...(indexed.inboxOrder ? ['inboxOrder = :order', 'inboxSeverity = :severity'] : [])];
        try {
          await this.transact([
            {
              Update: {
                TableName: this.tableName,
                Key: ticketKey(ticket.id),
                UpdateExpression: `SET ${set.join(', ')}`,
                ConditionExpression: unindexed ? 'version = :version AND attribute_not_exists(inboxKeys)' : 'version = :version AND attribute_not_exists(inboxSeverity)',
                ExpressionAttributeValues: {
                  ':keys': indexed.inboxKeys,
                  ':tokens': indexed.searchTokens,
                  ':version': ticket.version,
                  ...(indexed.inboxOrder ? { ':order': indexed.inboxOrder, ':severity': indexed.inboxSeverity } : {}),
                },
              },
            },
            ...this.indexWrites(ticket, stored, indexed),
          ]);
          tickets++;
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
      if (!startKey) statusIndex++;
    }
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...marker, done: true, at: new Date(now()).toISOString() } }));
    return { tickets, done: true };
  }

  /** Sets attributes of an item unless `attribute` changed meanwhile (undefined: still absent); false when it had. */
  private async setIfStill(item: Record<string, unknown>, attribute: string, was: string | undefined, values: Record<string, string>): Promise<boolean> {
    const names = Object.keys(values);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: item.PK, SK: item.SK },
          UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
          ConditionExpression: was === undefined ? 'attribute_exists(PK) AND attribute_not_exists(#check)' : '#check = :was',
          ExpressionAttributeNames: { '#check': attribute, ...Object.fromEntries(names.map((name, i) => [`#a${i}`, name])) },
          ExpressionAttributeValues: { ...(was === undefined ? {} : { ':was': was }), ...Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]])) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Every order, oldest first, optionally one customer's: for the periods' reconciler, not per request (the API pages with listOrdersPage). */
  async listOrders(customerId?: string): Promise<SupportOrder[]> {
    const orders = (await this.queryAll('ORDERS', 'ORDER#')).map((item) => item.order as SupportOrder);
    return orders.filter((order) => !customerId || order.customerId === customerId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Writes the order (version-checked; a new one with version 1) and, in the same transaction,
   * takes and frees engineer-slots: one item per engineer per slot (an hour), put only if free (or already
   * this order's). Two acceptances racing for one engineer: exactly one transaction succeeds, the
   * other fails with VersionConflictError naming the failed items.
   */
  async saveOrder(order: SupportOrder, book: { engineerId: string; slot: string }[] = [], free: { engineerId: string; slot: string }[] = []): Promise<void> {
    const orderPut: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: {
          PK: 'ORDERS',
          SK: `ORDER#${order.id}`,
          // A customer's orders in GSI1, beside (not among) its tickets' CUSTOMER#<id>.
          [TABLE_INDEXES.byCustomer.partitionKey]: ordersOf(order.customerId),
          [TABLE_INDEXES.byCustomer.sortKey]: `${order.createdAt}#${order.id}`,
          order,
          version: order.version,
        },
        ConditionExpression: order.version === 1 ? 'attribute_not_exists(PK)' : 'version = :previous',
        ...(order.version === 1 ? {} : { ExpressionAttributeValues: { ':previous': order.version - 1 } }),
      },
    };
    await this.transact([
      orderPut,
      ...book.map(
        ({ engineerId, slot }): TransactItem => ({
          Put: {
            TableName: this.tableName,
            Item: { ...key(`BOOKING#${engineerId}#${slot}`), orderId: order.id, customerId: order.customerId },
            ConditionExpression: 'attribute_not_exists(PK) OR orderId = :order',
            ExpressionAttributeValues: { ':order': order.id },
          },
        }),
      ),
      ...free.map(
        ({ engineerId, slot }): TransactItem => ({
          Delete: {
            TableName: this.tableName,
            Key: key(`BOOKING#${engineerId}#${slot}`),
            ConditionExpression: 'attribute_not_exists(PK) OR orderId = :order',
            ExpressionAttributeValues: { ':order': order.id },
          },
        }),
      ),
    ]);
  }

  /** Whether any of these engineer-slots is taken by another order (a pre-check; saveOrder decides). */
  async slotsTaken(engineerId: string, slots: string[], orderId: string): Promise<boolean> {
    for (const slot of slots) {
      const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(`BOOKING#${engineerId}#${slot}`) }));
      if (found.Item && found.Item.orderId !== orderId) return true;
    }
    return false;
  }

  /** Routes the customer's new tickets to a dedicated engineer while a period runs (set at its start, removed at its end). */
  async setRouting(customerId: string, routing: DedicatedRouting | undefined, onlyFor?: { orderId: string; period: number }): Promise<void> {
    if (routing) {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...key(`ROUTING#${customerId}`), routing } }));
      return;
    }
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key(`ROUTING#${customerId}`),
          ...(onlyFor ? { ConditionExpression: 'routing.orderId = :order AND routing.period = :period', ExpressionAttributeValues: { ':order': onlyFor.orderId, ':period': onlyFor.period } } : {}),
        }),
      );
    } catch (error) {
      // Another period of the customer's took over meanwhile: its routing stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async getRouting(customerId: string): Promise<DedicatedRouting | undefined> {
    const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(`ROUTING#${customerId}`) }));
    return found.Item?.routing as DedicatedRouting | undefined;
  }

  /** Every item of a partition whose sort key starts with `prefix`, in sort-key order (consistent reads). */
  private async queryAll(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  // ---- links to a ticket --------------------------------------------------------------------

  /**
   * Records keys that lead to the ticket (TICKET_LINKS: an email's Message-ID, an integration's
   * id for the case, a phone call, a chat conversation), so a later delivery about the same
   * thing joins it.
   */
  async linkTicket(ticketId: string, keys: string[]): Promise<void> {
    for (const link of new Set(keys)) {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...key(link), ticketId } }));
    }
  }

  /**
   * The ticket of the first of these keys that is linked, in the order given: one BatchGetItem
   * per 100 keys (callers bound how many they ask for, e.g. a mail's references), not one read
   * each. One key is a GetItem (what a role granted only GetItem may do).
   */
  async ticketLinkedTo(keys: string[]): Promise<string | undefined> {
    const unique = [...new Set(keys)];
    if (unique.length === 1) {
      const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(unique[0]!) }));
      return found.Item?.ticketId as string | undefined;
    }
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      const batch = unique.slice(start, start + BATCH_GET_KEYS);
      const linked = await this.linkedTickets(batch);
      const first = batch.find((link) => linked.has(link));
      if (first) return linked.get(first);
    }
    return undefined;
  }

  /** Each linked key's ticket; keys DynamoDB left unprocessed (throttled) are asked again after a pause, a few times. */
  private async linkedTickets(links: string[]): Promise<Map<string, string>> {
    const linked = new Map<string, string>();
    let pending: Record<string, unknown>[] = links.map(key);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > BATCH_GET_ATTEMPTS) {
        // Named as DynamoDB names throttling, so callers treat it as one (retry later, 503).
        throw Object.assign(new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${BATCH_GET_ATTEMPTS} attempts`), { name: 'ThrottlingException' });
      }
      if (attempt > 1) await sleep(Math.min(1_000, 50 * 2 ** attempt) * Math.random());
      const result = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      for (const item of result.Responses?.[this.tableName] ?? []) linked.set(item.PK as string, item.ticketId as string);
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return linked;
  }

  /**
   * Counts one more event in a fixed window (e.g. mail from one sender in this hour) and returns
   * the count so far. The item expires with its window.
   */
  async countInWindow(name: string, windowSeconds: number, now = Date.now()): Promise<number> {
    const window = Math.floor(now / 1000 / windowSeconds);
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(`RATE#${name}#${window}`),
        UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expires': (window + 2) * windowSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes!.count);
  }

  // ---- internals -------------------------------------------------------------------------------

  private idempotencyCompletion(idempotency: IdempotencyCompletion): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: key(idempotencyPk(idempotency.scope, idempotency.key)),
        UpdateExpression: 'SET #state = :done, #response = :response REMOVE lockedUntil',
        ConditionExpression: '#state = :progress AND requestHash = :hash',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: {
          ':done': 'done',
          ':progress': 'in-progress',
          ':hash': idempotency.requestHash,
          ':response': idempotency.response,
        },
      },
    };
  }

  private ticketItem(ticket: Ticket, indexed: IndexedState) {
    const order = `${ticket.createdAt}#${ticket.id}`;
    return {
      ...ticketKey(ticket.id),
      version: ticket.version,
      // What the next write changes from (indexWrites): the views it is counted in, its place, its search tokens.
      inboxKeys: indexed.inboxKeys,
      ...(indexed.inboxOrder ? { inboxOrder: indexed.inboxOrder } : {}),
      ...(indexed.inboxSeverity ? { inboxSeverity: indexed.inboxSeverity } : {}),
      searchTokens: indexed.searchTokens,
      // An unverified requester's ticket is nobody's: outside CUSTOMER#, so no PUT /customers/{id} can make it a customer's list.
      GSI1PK: ticket.customerId ? `CUSTOMER#${ticket.customerId}` : UNVERIFIED_PARTITION,
      GSI1SK: order,
      // Only open tickets wait in a queue (a sparse index); those with no running objective sort last.
      ...(OPEN_STATUSES.has(ticket.status) ? { GSI2PK: `QUEUE#${ticket.queue}`, GSI2SK: `${ticket.queueOrder ?? ticket.sla.nextDue ?? '9999'}#${ticket.id}` } : {}),
      // All tickets still being worked share one partition, so "everything open" is one query.
      GSI3PK: `STATUS#${OPEN_STATUSES.has(ticket.status) ? 'active' : ticket.status}`,
      GSI3SK: order,
      // A partner's customers' tickets in one partition (sparse): a partner agent's listing reads only these.
      ...(ticket.partnerId ? { GSI4PK: `PARTNER#${ticket.partnerId}`, GSI4SK: order } : {}),
      ticket,
    };
  }

  private eventPut(event: TimelineEvent): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { PK: `TICKET#${event.ticketId}`, SK: `EVENT#${event.at}#${event.id}`, event },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }

  private async queryTickets(
    index: { indexName: string; partitionKey: string },
    partition: string,
    ascending: boolean,
    options: PageOptions & TicketFilter & { customerId?: string },
  ): Promise<Page<Ticket>> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const conditions: string[] = [];
    if (options.customerId !== undefined) {
      names['#customerId'] = 'customerId';
      values[':customerId'] = options.customerId;
      conditions.push('ticket.#customerId = :customerId');
    }
    if (options.status) {
      names['#status'] = 'status';
      values[':status'] = options.status;
      conditions.push('ticket.#status = :status');
    }
    if (options.queue !== undefined) {
      // As GSI2 holds a queue: its open tickets only.
      names['#status'] = 'status';
      names['#queue'] = 'queue';
      values[':queue'] = options.queue;
      const open = [...OPEN_STATUSES].map((status, i) => {
        values[`:open${i}`] = status;
        return `:open${i}`;
      });
      conditions.push(`ticket.#queue = :queue AND ticket.#status IN (${open.join(', ')})`);
    }
    // A filter reads at most LIMITS.searchScan items a request: a rare status in a large partition
    // answers a short page (even an empty one) with its cursor, never a read of the whole partition.
    const filter = conditions.length > 0 ? { expression: conditions.join(' AND '), names, values, maxRead: LIMITS.searchScan } : undefined;
    const page = await this.queryPage({ ...index, partition, ascending, ...(filter ? { filter } : {}) }, options);
    return { items: page.items.map((item) => item.ticket as Ticket), cursor: page.cursor };
  }

  /**
   * One page of a partition (of the table or an index), at most `limit` items. A filter can
   * leave a query short: reading goes on until the page is full or the partition ends, and the
   * cursor is the position after the last item returned, so nothing is skipped.
   */
  private async queryPage(
    where: {
      indexName?: string;
      partitionKey: string;
      partition: string;
      sortPrefix?: string;
      ascending: boolean;
      /** `maxRead`: the most items the filter may read in one call (then a short page, with its cursor). */
      filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown>; maxRead?: number };
    },
    options: PageOptions,
  ): Promise<Page<Record<string, unknown>>> {
    const items: Record<string, unknown>[] = [];
    let startKey = options.cursor ? decodeCursor(options.cursor) : undefined;
    let read = 0;
    const maxRead = where.filter?.maxRead ?? Infinity;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(where.indexName ? { IndexName: where.indexName } : {}),
          KeyConditionExpression: where.sortPrefix ? '#pk = :pk AND begins_with(SK, :prefix)' : '#pk = :pk',
          ExpressionAttributeNames: { '#pk': where.partitionKey, ...where.filter?.names },
          ExpressionAttributeValues: { ':pk': where.partition, ...(where.sortPrefix ? { ':prefix': where.sortPrefix } : {}), ...where.filter?.values },
          ...(where.filter ? { FilterExpression: where.filter.expression } : {}),
          ScanIndexForward: where.ascending,
          Limit: Math.min(options.limit - items.length, maxRead - read),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      read += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < options.limit && read < maxRead);
    return { items, cursor: startKey ? encodeCursor(startKey) : null };
  }

  private async transact(items: TransactItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transactOnce(items);
        return;
      } catch (error) {
        // Another transaction held one of the items (a shared view counter): the whole write was cancelled, so it can run again.
        // A single write (below) is refused with TransactionConflictException instead, and runs again the same way.
        const conflict =
          error instanceof TransactionConflictException || (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict'));
        if (!conflict || attempt >= TRANSACTION_CONFLICT_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(200, 20 * 2 ** attempt));
      }
    }
  }

  private async transactOnce(items: TransactItem[]): Promise<void> {
    // A lone condition check has no single-item form: it stays a transaction.
    if (items.length === 1 && !items[0]!.ConditionCheck) return this.writeOne(items[0]!);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const failed = (error.CancellationReasons ?? []).flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
        if (failed.length > 0) throw new ConditionFailed(failed);
      }
      throw error;
    }
  }

  /**
   * A write of one item needs no transaction: the same write with the same condition, as a plain
   * PutItem, UpdateItem or DeleteItem, is as atomic at half the write units (a ticket saved with
   * no index change, one timeline event). Its failed condition reads as a transaction's would.
   */
  private async writeOne(item: TransactItem): Promise<void> {
    try {
      if (item.Put) await this.doc.send(new PutCommand(item.Put));
      else if (item.Update) await this.doc.send(new UpdateCommand(item.Update));
      else if (item.Delete) await this.doc.send(new DeleteCommand(item.Delete));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConditionFailed([0]);
      throw error;
    }
  }
}

/** A transaction's condition failed; `failedIndexes` say which items. Ticket writes surface it as a version conflict. */
export class ConditionFailed extends VersionConflictError {
  constructor(
    readonly failedIndexes: number[],
    message = failedIndexes.includes(0) ? 'the item was changed by someone else' : 'a unique value is taken',
  ) {
    super(message);
  }
}

/** GSI1 partition of a customer's support orders. */
function ordersOf(customerId: string): string {
  return `ORDERS#${customerId}`;
}

function idempotencyPk(scope: string, idempotencyKey: string) {
  return `IDEMPOTENCY#${scope}#${idempotencyKey}`;
}

function encodeCursor(lastKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastKey)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && typeof value.PK === 'string') return value;
  } catch {
    // fall through
  }
  throw new BadCursorError('cursor is not one this API returned');
}
