/**
 * Many tickets straight into DynamoDB Local, for the console and list benchmarks: each ticket is
 * made by core's own rules (decideEntitlement, openTicket, applyAction: assign, pause, resolve,
 * close) and written by DynamoStore.createTicket itself, so the items (ticket, events, inbox view
 * entries, search postings) are exactly the store's. Only its transaction is replaced: the items
 * it would write are collected and sent in parallel BatchWriteItem calls (25 items each), and
 * the view counters' `ADD` updates are summed and applied once per counter at the end. No API
 * request, no SLA workflow: fast, and the same data.
 *
 * Customers are real ones (DynamoStore.putCustomer), spread over the policy's plans; tickets
 * spread over customers (a few unverified requesters), severities, the staff directory's agents
 * and ages up to three weeks, so views, queues and tiers are all populated. A fixed seed: every
 * run writes the same spread.
 */
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Customer, CustomerSchema } from '../core/customer';
import { decideEntitlement } from '../core/entitlement';
import { loadPolicy } from '../core/policy/files';
import type { Policy } from '../core/policy/schema';
import { SlaPlanner } from '../core/sla/targets';
import { formatCaseNumber } from '../core/tickets/case-number';
import type { Actor, Ticket, TimelineEvent } from '../core/tickets/model';
import { applyAction, openTicket, type RuleContext, SLA_BREACHED_FLAG } from '../core/tickets/rules';
import { CaseNumberBlocks } from '../functions/shared/case-numbers';
import { DynamoStore } from '../functions/store/dynamo-store';
import { localClient } from '../local/dynamodb';

const DAY = 24 * 60 * 60_000;
/** BatchWriteItem's most items per request. */
const BATCH = 25;
/** BatchWriteItem requests in flight at once while seeding. */
const WRITES_IN_FLIGHT = 12;

export interface SeedTarget {
  tableName: string;
  dynamodbEndpoint: string;
  /** Preset name or policy file (Runtime.policy). */
  policy: string;
}

export interface SeedOptions {
  count: number;
  /** Share of tickets left open (new / open / waiting on customer); the rest resolved or closed. Default 1. */
  openShare?: number;
  /** Agents cases are assigned to (person ids); `me` gets a larger share, so its "My cases" is full. */
  agents: string[];
  me?: string;
  /** Bench customers to make (once per prefix; reused when they exist). */
  customers?: number;
  /** Distinguishes customers and seeds of separate calls on one table. */
  seed?: number;
  now?: number;
}

export interface Seeded {
  tickets: number;
  open: number;
  /** Items written (tickets, events, view entries, postings) plus counters. */
  items: number;
  ms: number;
  customers: string[];
  queues: string[];
  tiers: string[];
}

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SUBJECTS = [
  'Export stops halfway',
  'Login page is blank after upgrade',
  'Report totals differ from the dashboard',
  'API answers 502 under load',
  'Scheduled job did not run overnight',
  'Cannot attach files larger than 10 MB',
  'Single sign-on loops back to the login',
  'Search returns stale results',
  'Licence count wrong after renewal',
  'Webhook deliveries delayed by hours',
  'Mobile app crashes on start',
  'Invoice PDF shows the wrong currency',
];
const DETAILS = [
  'Since this morning the nightly export stops at about 80 % with no error in the log.',
  'Users on version 4.2.1 see an empty page; clearing the cache does not help.',
  'Three of our regional managers reported it; it started after the weekend maintenance.',
  'It happens for about one request in ten, more often between 09:00 and 11:00 our time.',
  'We attached the browser console output and the request identifiers from the gateway.',
  'This blocks our month-end close; please call us if you need more details.',
];
const FIRST = ['Pat', 'Alex', 'Sam', 'Jordan', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Taylor', 'Robin'];
const LAST = ['Example', 'Garcia', 'Nguyen', 'Okafor', 'Schmidt', 'Rossi', 'Tanaka', 'Larsen', 'Silva', 'Novak'];

type Item = Record<string, unknown>;
type TransactItem = { Put?: { Item: Item }; Update?: { Key: Item; UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> }; Delete?: unknown };

/** Sends items in parallel BatchWriteItem requests; unprocessed items are sent again. */
export class BatchWriter {
  private queue: Item[] = [];
  private running = new Set<Promise<void>>();
  written = 0;

  constructor(private readonly store: DynamoStore) {}

  async add(items: Item[]): Promise<void> {
    this.queue.push(...items);
    while (this.queue.length >= BATCH) {
      while (this.running.size >= WRITES_IN_FLIGHT) await Promise.race(this.running);
      this.start(this.queue.splice(0, BATCH));
    }
  }

  async flush(): Promise<void> {
    if (this.queue.length > 0) this.start(this.queue.splice(0));
    while (this.running.size > 0) await Promise.race(this.running);
  }

  private start(batch: Item[]): void {
    const write = this.write(batch).finally(() => this.running.delete(write));
    this.running.add(write);
  }

  private async write(batch: Item[]): Promise<void> {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      if (attempt > 12) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed`);
      const result = await this.store.doc.send(new BatchWriteCommand({ RequestItems: { [this.store.tableName]: pending } }));
      const left = result.UnprocessedItems?.[this.store.tableName] ?? [];
      this.written += pending.length - left.length;
      pending = left as typeof pending;
    }
  }
}

/** Bench customers, one per plan in turn (the plan with a priority queue among them), made once. */
async function benchCustomers(store: DynamoStore, policy: Policy, count: number): Promise<Customer[]> {
  const customers: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bench-${String(i).padStart(3, '0')}`;
    const existing = await store.getCustomer(id);
    if (existing) {
      const { version: _version, ...customer } = existing;
      customers.push(customer);
      continue;
    }
    const plan = policy.plans[i % policy.plans.length]!;
    const customer = CustomerSchema.parse({
      id,
      name: `Bench Customer ${i}`,
      plan: plan.id,
      designatedUsers: [`pat@${id}.example`],
      contacts: [{ name: 'Pat Example', email: `pat@${id}.example`, role: 'point of contact' }],
      emailDomains: [`${id}.example`],
    });
    await store.putCustomer(customer);
    customers.push(customer);
  }
  return customers;
}

export async function seedTickets(target: SeedTarget, options: SeedOptions): Promise<Seeded> {
  const began = performance.now();
  const policy = loadPolicy(target.policy);
  const planner = new SlaPlanner(policy);
  const store = new DynamoStore(target.tableName, localClient(target.dynamodbEndpoint), { tiers: policy.tiers });
  const random = prng(options.seed ?? 20_261_111);
  const now = options.now ?? Date.now();
  const openShare = options.openShare ?? 1;
  const customers = await benchCustomers(store, policy, options.customers ?? 40);
  const caseNumbers = new CaseNumberBlocks(store, options.count);

  const writer = new BatchWriter(store);
  const counters = new Map<string, number>();
  let collected: Item[] = [];
  // The store's own write path, its transaction collected instead of sent.
  (store as unknown as { transact(items: TransactItem[]): Promise<void> }).transact = async (items) => {
    for (const item of items) {
      if (item.Put) collected.push(item.Put.Item);
      else if (item.Update && String(item.Update.Key.PK).startsWith('COUNT#')) {
        const pk = String(item.Update.Key.PK);
        counters.set(pk, (counters.get(pk) ?? 0) + Number(item.Update.ExpressionAttributeValues[':delta']));
      } else throw new Error(`a new ticket's transaction holds an unexpected write: ${JSON.stringify(item).slice(0, 200)}`);
    }
  };

  const agents = options.agents.length > 0 ? options.agents : ['bench-agent'];
  const queues = new Set<string>();
  const tiers = new Set<string>();
  let open = 0;
  for (let i = 0; i < options.count; i++) {
    const opened = now - random() * 21 * DAY;
    const ctx = (at: number): RuleContext => ({ policy, planner, now: at, newId: () => `bench-${i}-${Math.floor(random() * 1e9).toString(36)}` });
    const unverified = random() < 0.05;
    const customer = unverified ? undefined : customers[Math.floor(random() * customers.length)]!;
    const name = `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
    const email = customer ? `${name.toLowerCase().replace(' ', '.')}@${customer.id}.example` : `someone${i}@unknown-${i % 500}.example`;
    const requester = { email, name };
    const entitlement = decideEntitlement(policy, customer, requester, opened);
    const caseNumber = formatCaseNumber(policy.caseNumberPrefix, await caseNumbers.take());
    const subject = SUBJECTS[Math.floor(random() * SUBJECTS.length)]!;
    const description = DETAILS[Math.floor(random() * DETAILS.length)]!;
    const customerActor: Actor = { kind: 'customer', id: email };
    let change = openTicket(
      {
        id: caseNumber,
        caseNumber,
        ...(entitlement.customerId ? { customerId: entitlement.customerId } : {}),
        ...(entitlement.customerId && customer?.partner ? { partnerId: customer.partner } : {}),
        requester,
        channel: random() < 0.6 ? 'email' : 'web',
        subject,
        description,
        severity: policy.severities[Math.floor(random() * policy.severities.length)]!.id,
        entitlement: {
          status: entitlement.status,
          reasons: entitlement.reasons,
          ...(entitlement.plan ? { plan: entitlement.plan } : {}),
          queue: entitlement.queue,
          designatedUser: entitlement.designatedUser,
          addOns: entitlement.addOns,
        },
      },
      ctx(opened),
      customerActor,
    );
    const events: TimelineEvent[] = [...change.events];
    let at = opened;
    const act = (action: Parameters<typeof applyAction>[1], actor: Actor) => {
      at = Math.min(now, at + random() * 4 * 60 * 60_000);
      change = applyAction(change.ticket, action, ctx(at), actor);
      events.push(...change.events);
    };
    // Most cases get an agent; `me` a quarter of them, so its own list is full.
    if (random() < 0.7) {
      const assignee = options.me && random() < 0.25 ? options.me : agents[Math.floor(random() * agents.length)]!;
      act({ type: 'assign', assignee }, { kind: 'agent', id: assignee });
      const agent: Actor = { kind: 'agent', id: assignee };
      const fate = random();
      if (fate >= openShare) act(random() < 0.5 ? { type: 'resolve', resolutionType: 'fix', text: 'Fixed in the next release.' } : { type: 'close', reason: 'Answered.' }, agent);
      else if (fate < openShare * 0.2) act({ type: 'pause' }, agent);
    }
    const ticket: Ticket = change.ticket;
    const isOpen = ['new', 'open', 'pending-customer'].includes(ticket.status);
    // What the SLA clock marks when a target passes (the workflow does it in AWS and under npm start).
    if (isOpen && ticket.sla.nextDue && Date.parse(ticket.sla.nextDue) < now && !ticket.flags.includes(SLA_BREACHED_FLAG)) ticket.flags = [...ticket.flags, SLA_BREACHED_FLAG];
    if (isOpen) {
      open++;
      queues.add(ticket.queue);
    }
    tiers.add(ticket.tier);
    collected = [];
    await store.createTicket(
      ticket,
      events.filter((event) => event.type !== 'created'),
    );
    await writer.add(collected);
  }
  await writer.flush();

  // Each view counter once, by the sum of what every ticket's transaction would have added.
  const entries = [...counters];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let entry = entries.shift(); entry; entry = entries.shift()) {
        await store.doc.send(
          new UpdateCommand({
            TableName: store.tableName,
            Key: { PK: entry[0], SK: 'A' },
            UpdateExpression: 'ADD #n :delta',
            ExpressionAttributeNames: { '#n': 'n' },
            ExpressionAttributeValues: { ':delta': entry[1] },
          }),
        );
      }
    }),
  );
  return {
    tickets: options.count,
    open,
    items: writer.written + counters.size,
    ms: performance.now() - began,
    customers: customers.map((customer) => customer.id),
    queues: [...queues].sort(),
    tiers: [...tiers].sort(),
  };
}
