/**
 * The staff directory in the one table (docs/staff.md): one partition, `STAFF`, with an item per
 * person (`PERSON#<id>`), per team (`TEAM#<id>`) and per partner organisation (`PARTNER#<id>`). The directory is bounded (LIMITS.staffPeople,
 * LIMITS.staffTeams), so reading it whole is one query of a few pages; the sender does that, cached
 * (functions/shared/staff-directory.ts). Shares the table and DynamoDB client of the DynamoStore it
 * is given, as the suppression list does.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Partner, Person, StaffDirectory, Team } from '../../core/staff/directory';
import type { Page, PageOptions } from './dynamo-store';

const PARTITION = 'STAFF';
const PREFIX = { person: 'PERSON#', team: 'TEAM#', partner: 'PARTNER#' } as const;
type Kind = keyof typeof PREFIX;

export class StaffStore {
  constructor(
    readonly tableName: string,
    readonly doc: DynamoDBDocumentClient,
  ) {}

  putPerson(person: Person): Promise<void> {
    return this.put('person', person.id, { person });
  }

  async getPerson(id: string): Promise<Person | undefined> {
    return (await this.get('person', id))?.person as Person | undefined;
  }

  async listPeople(options: PageOptions): Promise<Page<Person>> {
    const page = await this.page('person', options);
    return { items: page.items.map((item) => item.person as Person), cursor: page.cursor };
  }

  putTeam(team: Team): Promise<void> {
    return this.put('team', team.id, { team });
  }

  async getTeam(id: string): Promise<Team | undefined> {
    return (await this.get('team', id))?.team as Team | undefined;
  }

  async listTeams(options: PageOptions): Promise<Page<Team>> {
    const page = await this.page('team', options);
    return { items: page.items.map((item) => item.team as Team), cursor: page.cursor };
  }

  putPartner(partner: Partner): Promise<void> {
    return this.put('partner', partner.id, { partner });
  }

  async getPartner(id: string): Promise<Partner | undefined> {
    return (await this.get('partner', id))?.partner as Partner | undefined;
  }

  /** The whole directory, people, teams and partners by id. */
  async directory(): Promise<StaffDirectory> {
    const people: Person[] = [];
    const teams: Team[] = [];
    const partners: Partner[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': PARTITION },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.person) people.push(item.person as Person);
        if (item.team) teams.push(item.team as Team);
        if (item.partner) partners.push(item.partner as Partner);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { people, teams, partners };
  }

  private async put(kind: Kind, id: string, value: Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: PARTITION, SK: `${PREFIX[kind]}${id}`, ...value } }));
  }

  private async get(kind: Kind, id: string): Promise<Record<string, unknown> | undefined> {
    const found = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: PARTITION, SK: `${PREFIX[kind]}${id}` }, ConsistentRead: true }));
    return found.Item;
  }

  /** One page by id; the position is the last key as base64url JSON (the API signs it: functions/api/cursors.ts). */
  private async page(kind: Kind, options: PageOptions): Promise<Page<Record<string, unknown>>> {
    const items: Record<string, unknown>[] = [];
    let startKey = options.cursor ? (JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': PARTITION, ':prefix': PREFIX[kind] },
          ConsistentRead: true,
          Limit: options.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < options.limit);
    return { items, cursor: startKey ? Buffer.from(JSON.stringify(startKey)).toString('base64url') : null };
  }
}

/** One StaffStore per DynamoStore (the handlers' runtime store): its table and client. */
const stores = new WeakMap<object, StaffStore>();

export function staffStoreOf(store: { tableName: string; doc: DynamoDBDocumentClient }): StaffStore {
  let found = stores.get(store);
  if (!found) stores.set(store, (found = new StaffStore(store.tableName, store.doc)));
  return found;
}
