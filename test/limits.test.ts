/**
 * Every accepted request fits (issue [8]): a ticket is one DynamoDB item and each stored timeline
 * event another, each at most 400 KB, with partition keys of at most 2 KB and sort keys of at most
 * 1 KB. core/limits.ts bounds every text and every list; this file proves that those bounds keep
 * both items under DynamoDB's limits whatever sequence of valid requests built them.
 *
 * Sizes are counted the way DynamoDB counts them (itemBytes below): attribute names plus values,
 * strings as UTF-8. Worst cases use a character that is 3 bytes of UTF-8 and 1 UTF-16 unit (what
 * `.length` and zod's `.max` count), the most bytes a counted character can be.
 *
 * Prepare / Act / Assess blocks, as in the other test files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Customer, CustomerSchema } from '../core/customer';
import { decideEntitlement } from '../core/entitlement';
import { DYNAMODB, LIMITS, utf8Bytes } from '../core/limits';
import type { InboundMail } from '../core/mail/parse';
import { addMailReply, MAIL_THREAD_LIMIT, type MailRecord, mailRecord } from '../core/mail/ticket-mail';
import { queueNotifications } from '../core/notifications/outbox';
import type { Notification } from '../core/notifications/render';
import { AgentSchema, OrderRequestSchema } from '../core/periods/requests';
import { routeToDedicatedEngineer } from '../core/periods/routing';
import { policyOrThrow } from '../core/policy/load';
import type { Policy } from '../core/policy/schema';
import { SlaPlanner } from '../core/sla/targets';
import { advanceClock } from '../core/tickets/breaches';
import type { Actor, Objective, Ticket, TimelineEvent } from '../core/tickets/model';
import { type Action, addMessage, applyAction, type Change, type MessageKind, openTicket, type RuleContext, RuleError, replan } from '../core/tickets/rules';
import { ActionSchema, CreateTicketSchema, MessageSchema } from '../functions/api/schemas';
import { DynamoStore } from '../functions/store/dynamo-store';
import { api, type Runtime, startTestRuntime } from './support/runtime';

// ---------------------------------------------------------------------------------------------
// DynamoDB's item size
// ---------------------------------------------------------------------------------------------

/**
 * The size DynamoDB bills and limits an item by (Developer Guide, "Item sizes and formats"): the
 * sum of its attribute names (UTF-8) and values. A string is its UTF-8 length; a number at most
 * 21 bytes (counted as 21 here, the most); a boolean or null 1 byte; a list or map 3 bytes plus
 * 1 byte per element plus its elements (and, for a map, their names). Undefined values are never
 * written (the store marshals with removeUndefinedValues). The "on DynamoDB Local" tests below
 * check this count against DynamoDB's own refusal of an item over 400 KB.
 */
function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [name, element]) => (element === undefined ? sum : sum + 1 + utf8Bytes(name) + valueBytes(element)), 0);
  }
  throw new TypeError(`not storable: ${typeof value}`);
}

function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + utf8Bytes(name) + valueBytes(value)), 0);
}

/**
 * The ticket item as functions/store/dynamo-store.ts writes it (ticketItem), every key at its
 * longest: another store change may reshape a key, so 1 KB of the budget is kept for keys
 * (KEY_ALLOWANCE) and the DynamoDB Local test writes the item through the real store.
 */
function ticketItem(ticket: Ticket): Record<string, unknown> {
  const order = `${ticket.createdAt}#${ticket.id}`;
  return {
    PK: `TICKET#${ticket.id}`,
    SK: 'A',
    version: ticket.version,
    GSI1PK: `CUSTOMER#${ticket.customerId ?? 'unknown'}`,
    GSI1SK: order,
    GSI2PK: `QUEUE#${ticket.queue}`,
    GSI2SK: `${ticket.queueOrder ?? ticket.sla.nextDue ?? '9999'}#${ticket.id}`,
    GSI3PK: 'STATUS#active',
    GSI3SK: order,
    ticket,
  };
}

function eventItem(event: TimelineEvent): Record<string, unknown> {
  return { PK: `TICKET#${event.ticketId}`, SK: `EVENT#${event.at}#${event.id}`, event };
}

/** Kept free in every budget for a reshaped key or another small attribute (see ticketItem). */
const KEY_ALLOWANCE = 1024;
const BUDGET = DYNAMODB.itemBytes - KEY_ALLOWANCE;

/** Each top-level part of a value and its size, largest first: what a failing budget prints. */
function breakdown(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([name, part]) => [name, part === undefined ? 0 : valueBytes(part)] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => `${name}=${bytes}`)
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// Worst-case values
// ---------------------------------------------------------------------------------------------

/** 3 bytes of UTF-8, one UTF-16 unit: the most bytes a character `.length` counts can be. */
const WIDE = '語';
const wide = (chars: number) => WIDE.repeat(chars);
const ascii = (chars: number) => 'x'.repeat(chars);
const INSTANT = '2026-06-01T10:00:00.000Z';
/** Event ids are UUIDs (functions/shared/ticket-updates.ts newId: randomUUID). */
const EVENT_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Ids the policy defines (severities, tiers, teams, plans, calendars, management steps): the
 * vendor's own configuration, ASCII by the policy schema. The budget assumes at most LIMITS.id
 * characters; the presets are checked below.
 */
const POLICY_ID = ascii(LIMITS.id);

/** A mail record as mailRecord() keeps it from a sender that overdoes everything. */
function worstMailRecord(): MailRecord {
  return mailRecord({
    messageId: `<${wide(5_000)}@example.com>`,
    from: `${wide(5_000)}@example.com`,
    // The desk names its objects (a prefix, SES's message id, a cleaned file name).
    rawKey: ascii(LIMITS.objectKey),
    attachments: Array.from({ length: LIMITS.attachments * 3 }, (_, i) => ({
      filename: wide(5_000),
      contentType: wide(5_000),
      size: Number.MAX_SAFE_INTEGER,
      ...(i % 2 ? { key: ascii(LIMITS.objectKey) } : { skipped: ascii(LIMITS.mailProblem) }),
    })),
    problems: Array.from({ length: LIMITS.mailProblems * 3 }, () => wide(50_000)),
  });
}

/** The longest outbox entry events.ts and acknowledgement.ts make: every field set, the longest recipients. */
function worstNotification(ticket: Pick<Ticket, 'id' | 'caseNumber'>): Notification {
  return {
    kind: 'customer-escalation',
    ticketId: ticket.id,
    caseNumber: ticket.caseNumber,
    recipients: [`management:${POLICY_ID}`, `team:${POLICY_ID}`, 'period-contact', 'team-lead'],
    eventId: EVENT_ID,
    eventAt: INSTANT,
    due: INSTANT,
    objective: 'firstResponse',
    step: POLICY_ID,
  };
}

function worstObjective(): Objective {
  return { within: POLICY_ID, calendar: POLICY_ID, startedAt: INSTANT, due: INSTANT, metAt: INSTANT, breachedAt: INSTANT, warnedAt: INSTANT, stoppedAt: INSTANT };
}

/** The longest entitlement reasons decideEntitlement writes for a requester and customer at their limits. */
function worstEntitlementReasons(policy: Policy): string[] {
  const requester = { email: `${ascii(LIMITS.email - 12)}@example.com`, name: wide(LIMITS.name), phone: `+${'1'.repeat(LIMITS.phone - 1)}` };
  const customer = (plan: string): Customer => ({
    id: ascii(LIMITS.id),
    name: wide(LIMITS.name),
    plan,
    addOns: Array.from({ length: LIMITS.addOns }, (_, i) => `${ascii(LIMITS.id - 3)}${String(i).padStart(3, '0')}`),
    contract: { start: '2020-01-01', end: '2020-12-31' },
    designatedUsers: [...Array.from({ length: LIMITS.designatedUsers - 1 }, (_, i) => `u${i}@example.com`), requester.email],
    contacts: [],
    emailDomains: [],
    phoneNumbers: [],
  });
  const candidates = [policy.plans[0]!.id, POLICY_ID].flatMap((plan) =>
    [false, true].map((authFailed) => decideEntitlement(policy, customer(plan), requester, Date.parse(INSTANT), { authFailed }).reasons),
  );
  return candidates.sort((a, b) => valueBytes(b) - valueBytes(a))[0]!;
}

const REQUIREMENT_FLAGS = ['needs-reproduction-steps', 'needs-action-plan', 'needs-symptoms', 'needs-diagnostic-data'];

/** A ticket with every field at its maximum, every list at its cap, every optional part present. */
function worstTicket(policy: Policy): Ticket {
  const id = ascii(LIMITS.id);
  return {
    id,
    caseNumber: id,
    version: Number.MAX_SAFE_INTEGER,
    customerId: ascii(LIMITS.id),
    requester: { email: ascii(LIMITS.email), name: wide(LIMITS.name), phone: wide(LIMITS.phone) },
    channel: 'webhook',
    subject: wide(LIMITS.subject),
    description: wide(LIMITS.description),
    severity: POLICY_ID,
    caseReason: POLICY_ID,
    product: wide(LIMITS.label),
    component: wide(LIMITS.label),
    tier: POLICY_ID,
    team: POLICY_ID,
    queue: `dedicated:${ascii(LIMITS.id)}:priority`,
    status: 'pending-customer',
    assignee: wide(LIMITS.assignee),
    details: { stepsToReproduce: wide(LIMITS.detail), actionPlan: wide(LIMITS.detail), symptoms: wide(LIMITS.detail), diagnosticData: wide(LIMITS.detail) },
    flags: [...REQUIREMENT_FLAGS, 'sla-breached', 'escalation-unanswered', 'dedicated-period', 'missed-call'],
    resolution: { type: 'workaround', text: wide(LIMITS.resolution), at: INSTANT },
    entitlement: { status: 'not-entitled', reasons: worstEntitlementReasons(policy), plan: POLICY_ID, queue: 'priority', designatedUser: true },
    sla: {
      plan: POLICY_ID,
      addOns: Array.from({ length: LIMITS.addOns }, () => ascii(LIMITS.id)),
      firstResponse: worstObjective(),
      nextResponse: worstObjective(),
      resolution: { ...worstObjective(), tier: POLICY_ID },
      pauses: Array.from({ length: LIMITS.pauses }, () => ({ from: INSTANT, to: INSTANT })),
      nextDue: INSTANT,
      management: {
        step: Number.MAX_SAFE_INTEGER,
        stepId: POLICY_ID,
        reason: wide(LIMITS.reason),
        startedAt: INSTANT,
        within: POLICY_ID,
        calendar: POLICY_ID,
        due: INSTANT,
        acknowledgedAt: INSTANT,
        breachedAt: INSTANT,
        stoppedAt: INSTANT,
      },
    },
    createdAt: INSTANT,
    // A key's name, an integration's, a requester's address or a system name.
    createdBy: { kind: 'customer', id: wide(LIMITS.name) },
    updatedAt: INSTANT,
    intakeAcknowledgedAt: INSTANT,
    outbox: Array.from({ length: LIMITS.outbox }, () => worstNotification({ id, caseNumber: id })),
    workflowRun: Number.MAX_SAFE_INTEGER,
    mailThread: Array.from({ length: MAIL_THREAD_LIMIT }, () => wide(LIMITS.messageIdKey)),
    intakeMail: worstMailRecord(),
    dedicated: {
      orderId: ascii(LIMITS.id),
      period: Number.MAX_SAFE_INTEGER,
      engineerId: ascii(LIMITS.id),
      contact: ascii(LIMITS.email),
      escalations: Array.from({ length: LIMITS.periodEscalations }, () => ({ issue: 'configuration' as const, to: POLICY_ID, at: INSTANT })),
    },
    queueOrder: `999#${INSTANT}`,
  };
}

/** Every stored event at its largest: the message kinds, a mail reply, a call, a resolution, a reason. */
function worstEvents(ticket: Ticket): TimelineEvent[] {
  const base = { id: EVENT_ID, ticketId: ticket.id, at: INSTANT, actor: { kind: 'customer', id: wide(LIMITS.name) } as Actor, public: true };
  return [
    { ...base, type: 'customer-message', body: wide(LIMITS.messageBody), data: { mail: worstMailRecord() } },
    { ...base, type: 'agent-reply', body: wide(LIMITS.messageBody) },
    { ...base, type: 'automated-mail', body: wide(LIMITS.messageBody), data: { reason: wide(LIMITS.reason), subject: wide(LIMITS.subject), mail: worstMailRecord() } },
    {
      ...base,
      type: 'phone-call',
      body: wide(LIMITS.messageBody),
      data: {
        step: 'transcription',
        callId: wide(LIMITS.idempotencyKey),
        from: wide(LIMITS.phone),
        to: wide(LIMITS.phone),
        answeredBy: wide(LIMITS.label),
        cause: wide(LIMITS.label),
        recordingUrl: wide(LIMITS.url),
      },
    },
    { ...base, type: 'resolved', body: wide(LIMITS.resolution), data: { resolutionType: 'workaround' } },
    {
      ...base,
      type: 'period-escalated',
      body: `Configuration issue, escalated to ${POLICY_ID}: ${wide(LIMITS.reason)}`,
      data: { issue: 'configuration', to: POLICY_ID, notify: [`team:${POLICY_ID}`, 'period-contact'] },
    },
    { ...base, type: 'customer-escalation', body: wide(LIMITS.reason), data: { step: POLICY_ID, title: wide(LIMITS.name), due: INSTANT, notify: [`management:${POLICY_ID}`], from: POLICY_ID } },
  ];
}

// ---------------------------------------------------------------------------------------------
// The desk the rules run on
// ---------------------------------------------------------------------------------------------

/** Has a management chain, support periods with escalation, pauses that count, and a tier that needs details. */
const POLICY = policyOrThrow(readFileSync(new URL('./fixtures/periods-policy.yaml', import.meta.url), 'utf8'), 'periods-policy.yaml');
const PLANNER = new SlaPlanner(POLICY);
const OPENED = Date.parse(INSTANT);
const AGENT: Actor = { kind: 'agent', id: wide(LIMITS.name) };
const CUSTOMER: Actor = { kind: 'customer', id: ascii(LIMITS.email) };

function ruleContext(now: number): RuleContext {
  let n = 0;
  return { policy: POLICY, planner: PLANNER, now, newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
}

/** A ticket opened at its limits, during a dedicated support period, from a mail at its limits. */
function openedAtLimits(now: number): Ticket {
  const ctx = ruleContext(now);
  const opened = openTicket(
    {
      id: ascii(LIMITS.id),
      caseNumber: ascii(LIMITS.id),
      customerId: ascii(LIMITS.id),
      requester: { email: ascii(LIMITS.email), name: wide(LIMITS.name), phone: wide(LIMITS.phone) },
      channel: 'email',
      subject: wide(LIMITS.subject),
      description: wide(LIMITS.description),
      severity: '1',
      product: wide(LIMITS.label),
      component: wide(LIMITS.label),
      entitlement: { status: 'entitled', reasons: worstEntitlementReasons(POLICY), plan: 'standard', queue: 'priority', designatedUser: true, addOns: [] },
    },
    ctx,
    CUSTOMER,
  );
  const routed = routeToDedicatedEngineer(opened, { orderId: ascii(LIMITS.id), period: 0, engineerId: ascii(LIMITS.id), contact: ascii(LIMITS.email), until: '2099-01-01T00:00:00.000Z' }, ctx);
  return { ...routed.ticket, intakeMail: worstMailRecord(), mailThread: [] };
}

const TEXT = {
  message: wide(LIMITS.messageBody),
  detail: wide(LIMITS.detail),
  reason: wide(LIMITS.reason),
  resolution: wide(LIMITS.resolution),
  assignee: wide(LIMITS.assignee),
};
const DETAILS = { stepsToReproduce: TEXT.detail, actionPlan: TEXT.detail, symptoms: TEXT.detail, diagnosticData: TEXT.detail };

type Step = { kind: 'message'; message: MessageKind } | { kind: 'mail-reply' } | { kind: 'action'; action: Action; actor: Actor };

const STEP: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<MessageKind>('customer', 'agent-reply', 'internal-note').map((message): Step => ({ kind: 'message', message })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'mail-reply' }) },
  {
    weight: 8,
    arbitrary: fc
      .constantFrom<Action>(
        { type: 'assign', assignee: TEXT.assignee },
        { type: 'assign', assignee: null },
        { type: 'set-severity', severity: '1' },
        { type: 'set-severity', severity: '3' },
        { type: 'record-details', details: DETAILS },
        { type: 'escalate', reason: TEXT.reason, details: DETAILS },
        { type: 'pause' },
        { type: 'pause' },
        { type: 'resume' },
        { type: 'resolve', resolutionType: 'workaround', text: TEXT.resolution },
        { type: 'reopen', reason: TEXT.reason },
        { type: 'close', reason: TEXT.reason },
        { type: 'customer-escalate', reason: TEXT.reason },
        { type: 'acknowledge-escalation' },
        { type: 'escalate-period-issue', issue: 'system', reason: TEXT.reason },
        { type: 'escalate-period-issue', issue: 'configuration', reason: TEXT.reason },
      )
      .map((action): Step => ({ kind: 'action', action, actor: AGENT })),
  },
);

function mailReply(n: number): InboundMail {
  return {
    messageId: `<${n}.${wide(LIMITS.messageIdKey)}@example.com>`,
    references: [],
    replyTo: [],
    to: [],
    cc: [],
    subject: wide(LIMITS.subject),
    text: TEXT.message,
    attachments: [],
    headers: { xLoop: [] },
    problems: [],
  };
}

function apply(ticket: Ticket, step: Step, ctx: RuleContext, n: number): Change {
  switch (step.kind) {
    case 'message':
      return addMessage(ticket, step.message, TEXT.message, ctx, step.message === 'customer' ? CUSTOMER : AGENT);
    case 'mail-reply':
      return addMailReply(ticket, mailReply(n), worstMailRecord(), ctx, CUSTOMER);
    case 'action':
      return applyAction(ticket, step.action, ctx, step.actor);
  }
}

/** The pause history as it would be with nothing dropped: spans matched by their start. */
function withAllPauses(history: Ticket['sla']['pauses'], kept: Ticket['sla']['pauses']): Ticket['sla']['pauses'] {
  const merged = history.map((pause) => ({ ...pause }));
  for (const pause of kept) {
    const known = merged.find((candidate) => candidate.from === pause.from);
    if (known) Object.assign(known, pause);
    else merged.push({ ...pause });
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('the item-size budget', () => {
  it('the worst-case ticket item is under 400 KB with every field at its maximum, every list at its cap', () => {
    // Prepare
    const ticket = worstTicket(POLICY);
    const item = ticketItem(ticket);

    // Act
    const bytes = itemBytes(item);

    // Assess
    expect(bytes, breakdown(ticket as unknown as Record<string, unknown>)).toBeLessThanOrEqual(BUDGET);
    // The count is not loose: JSON, which writes more than DynamoDB counts, is within a few percent of it.
    expect(Buffer.byteLength(JSON.stringify(item))).toBeGreaterThan(bytes);
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(bytes * 1.05);
  });

  it('every stored timeline event at its largest is under 400 KB', () => {
    for (const event of worstEvents(worstTicket(POLICY))) {
      expect(itemBytes(eventItem(event)), `${event.type}: ${breakdown(event as unknown as Record<string, unknown>)}`).toBeLessThanOrEqual(BUDGET);
    }
  });

  it("keys stay within DynamoDB's 2 KB partition key and 1 KB sort key", () => {
    const ticket = worstTicket(POLICY);
    const item = ticketItem(ticket);
    for (const name of ['PK', 'GSI1PK', 'GSI2PK', 'GSI3PK']) expect(utf8Bytes(item[name] as string), name).toBeLessThanOrEqual(DYNAMODB.partitionKeyBytes);
    for (const name of ['SK', 'GSI1SK', 'GSI2SK', 'GSI3SK']) expect(utf8Bytes(item[name] as string), name).toBeLessThanOrEqual(DYNAMODB.sortKeyBytes);
    const event = eventItem(worstEvents(ticket)[0]!);
    expect(utf8Bytes(event.SK as string)).toBeLessThanOrEqual(DYNAMODB.sortKeyBytes);
  });

  it('a mail record is bounded whatever the sender wrote (core/mail/ticket-mail.ts mailRecord)', () => {
    const record = worstMailRecord();
    expect(record.attachments.length).toBeLessThanOrEqual(LIMITS.attachments);
    expect(record.problems.length).toBeLessThanOrEqual(LIMITS.mailProblems);
    // What the budget allows a mail record, on the ticket (intakeMail) and beside a reply's message.
    expect(valueBytes(record)).toBeLessThanOrEqual(60 * 1024);
  });

  it('a customer record and a support order at their limits fit an item too', () => {
    // Prepare: the largest customer CustomerSchema accepts.
    const contact = { name: wide(LIMITS.name), email: `${ascii(LIMITS.email - 12)}@example.com`, phone: '+123456789012345', role: wide(LIMITS.label) };
    const customer = CustomerSchema.parse({
      id: ascii(LIMITS.id),
      name: wide(LIMITS.name),
      plan: ascii(LIMITS.id),
      addOns: Array.from({ length: LIMITS.addOns }, (_, i) => `${ascii(LIMITS.id - 3)}${String(i).padStart(3, '0')}`),
      designatedUsers: Array.from({ length: LIMITS.designatedUsers }, (_, i) => `${ascii(LIMITS.email - 16)}${String(i).padStart(4, '0')}@x.example`),
      contacts: Array.from({ length: LIMITS.contacts }, () => contact),
      emailDomains: Array.from({ length: LIMITS.emailDomains }, (_, i) => `d${i}.${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example`),
      phoneNumbers: Array.from({ length: LIMITS.phoneNumbers }, (_, i) => `+${String(i).padStart(15, '9')}`),
    });
    const order = OrderRequestSchema.parse({
      purpose: wide(LIMITS.label),
      periods: Array.from({ length: 20 }, (_, i) => ({ start: `2026-07-${String(i + 1).padStart(2, '0')}T10:00:00Z`, hours: 4, phone: wide(LIMITS.phone) })),
      pointOfContact: { name: wide(LIMITS.name), email: `${ascii(LIMITS.email - 12)}@example.com`, phone: wide(LIMITS.phone) },
      phone: wide(LIMITS.phone),
      notes: wide(LIMITS.notes),
    });

    // Act / Assess
    expect(itemBytes({ PK: `CUSTOMER#${customer.id}`, SK: 'A', version: 1, customer })).toBeLessThanOrEqual(BUDGET);
    expect(itemBytes({ PK: 'ORDERS', SK: `ORDER#${ascii(LIMITS.id)}`, order: { ...order, id: ascii(LIMITS.id), pendingReason: wide(LIMITS.reason) }, version: 1 })).toBeLessThanOrEqual(BUDGET);
    // One more of any list is refused, naming it.
    const over = CustomerSchema.safeParse({ id: 'acme', name: 'Acme', plan: 'standard', contacts: Array.from({ length: LIMITS.contacts + 1 }, () => ({ name: 'x' })) });
    expect(over.success).toBe(false);
    expect(over.error!.issues[0]).toMatchObject({ path: ['contacts'], message: `at most ${LIMITS.contacts} items` });
  });

  it('the presets keep their ids within the length the budget assumes for policy ids', () => {
    const presets = new URL('../presets/', import.meta.url);
    const ids = (policy: Policy) => [
      ...policy.severities.map((s) => s.id),
      ...policy.caseReasons.map((r) => r.id),
      ...policy.plans.map((p) => p.id),
      ...policy.tiers.flatMap((t) => [t.id, t.team]),
      ...policy.calendars.map((c) => c.id),
      ...policy.managementChain.map((m) => m.id),
      ...Object.keys(policy.notifications?.teams ?? {}),
    ];
    for (const file of readdirSync(presets).filter((name) => name.endsWith('.yaml'))) {
      const policy = policyOrThrow(readFileSync(new URL(file, presets), 'utf8'), file);
      for (const id of ids(policy)) expect(id.length, `${file}: ${id}`).toBeLessThanOrEqual(LIMITS.id);
    }
  });
});

describe('what grows on a ticket is bounded, and the SLA clock stays exact', () => {
  it('random sequences of valid requests at their maximum sizes never make an item over 400 KB, nor move a due instant', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(STEP, fc.integer({ min: 1, max: 90 })), { minLength: 50, maxLength: 260 }), (steps) => {
        // Prepare
        let now = OPENED;
        let ticket = openedAtLimits(now);
        let history = ticket.sla.pauses;
        steps.forEach(([step, minutes], n) => {
          // Act: the request, then whatever the SLA clock does meanwhile; mail never goes out, so the outbox only grows.
          now += minutes * 60_000;
          const ctx = ruleContext(now);
          let change: Change;
          try {
            change = queueNotifications(apply(ticket, step, ctx, n));
          } catch (error) {
            if (error instanceof RuleError) return; // the ticket's state refuses it: a 409/422, nothing written
            throw error;
          }
          const clocked = advanceClock(change.ticket, ctx);
          ticket = clocked.ticket;
          history = withAllPauses(history, ticket.sla.pauses);

          // Assess: both items fit…
          expect(itemBytes(ticketItem(ticket)), breakdown(ticket as unknown as Record<string, unknown>)).toBeLessThanOrEqual(BUDGET);
          for (const event of [...change.events, ...clocked.events]) expect(itemBytes(eventItem(event)), event.type).toBeLessThanOrEqual(BUDGET);
          // …and the spans dropped could not have moved a due instant: replanned with every span ever, the same.
          const full = structuredClone(ticket);
          full.sla.pauses = history;
          replan(full, ctx);
          expect(full.sla).toEqual(ticket.sla.pauses.length === history.length ? ticket.sla : { ...ticket.sla, pauses: history });
        });
      }),
      { numRuns: 12 },
    );
  });

  it('pauses that ended before every running clock started are dropped; the rest are kept', () => {
    // Prepare: two waits, then an agent answers and the case moves up a tier (a new resolution clock).
    let now = OPENED;
    const ctx = () => ruleContext(now);
    let ticket = openedAtLimits(now);
    for (let i = 0; i < 2; i++) {
      now += 60_000;
      ticket = applyAction(ticket, { type: 'pause' }, ctx(), AGENT).ticket;
      now += 60_000;
      ticket = applyAction(ticket, { type: 'resume' }, ctx(), AGENT).ticket;
    }
    now += 60_000;
    ticket = addMessage(ticket, 'agent-reply', 'On it.', ctx(), AGENT).ticket;
    now += 60_000;
    ticket = applyAction(ticket, { type: 'escalate', reason: 'needs engineering' }, ctx(), AGENT).ticket;
    expect(ticket.sla.pauses).toHaveLength(2);

    // Act: the next wait.
    now += 60_000;
    const paused = applyAction(ticket, { type: 'pause' }, ctx(), AGENT).ticket;

    // Assess: only the open span is left; no clock that still runs started before the old ones ended.
    expect(paused.sla.pauses).toEqual([{ from: new Date(now).toISOString() }]);
  });

  it('past LIMITS.pauses waits within one running clock, a further pause is refused naming the clock and the limit', () => {
    // Prepare: nobody answers, so the first-response clock runs through every wait.
    let now = OPENED;
    let ticket = openedAtLimits(now);
    for (let i = 0; i < LIMITS.pauses; i++) {
      now += 1_000;
      ticket = applyAction(ticket, { type: 'pause' }, ruleContext(now), AGENT).ticket;
      now += 1_000;
      ticket = applyAction(ticket, { type: 'resume' }, ruleContext(now), AGENT).ticket;
    }

    // Act
    const refused = () => applyAction(ticket, { type: 'pause' }, ruleContext(now + 1_000), AGENT);

    // Assess: a 409 that says why; an answer stops the clock, and the next wait is accepted.
    expect(refused).toThrow(RuleError);
    expect(refused).toThrow(`the ticket has waited on the customer ${LIMITS.pauses} times since its first-response clock started (at most ${LIMITS.pauses})`);
    const answered = addMessage(ticket, 'agent-reply', 'Here is what we found.', ruleContext(now + 2_000), AGENT).ticket;
    expect(() => applyAction(answered, { type: 'pause' }, ruleContext(now + 3_000), AGENT)).toThrow(RuleError); // the resolution clock started with the ticket
    const escalated = applyAction(answered, { type: 'escalate', reason: 'needs engineering' }, ruleContext(now + 3_000), AGENT).ticket;
    expect(applyAction(escalated, { type: 'pause' }, ruleContext(now + 4_000), AGENT).ticket.sla.pauses).toHaveLength(1);
  });

  it('a period ticket keeps its newest LIMITS.periodEscalations escalations; the timeline keeps every one', () => {
    let ticket = openedAtLimits(OPENED);
    const events: TimelineEvent[] = [];
    for (let i = 0; i <= LIMITS.periodEscalations; i++) {
      const change = applyAction(ticket, { type: 'escalate-period-issue', issue: i === 0 ? 'system' : 'configuration', reason: 'down' }, ruleContext(OPENED + i * 1_000), AGENT);
      ticket = change.ticket;
      events.push(...change.events);
    }
    expect(ticket.dedicated!.escalations).toHaveLength(LIMITS.periodEscalations);
    expect(ticket.dedicated!.escalations!.every((e) => e.issue === 'configuration')).toBe(true);
    expect(events.filter((e) => e.type === 'period-escalated')).toHaveLength(LIMITS.periodEscalations + 1);
  });

  it('the rules cut what a caller let through beyond a limit (the API refuses it first)', () => {
    const ticket = openedAtLimits(OPENED);
    const { events } = addMessage(ticket, 'internal-note', wide(LIMITS.messageBody + 10), ruleContext(OPENED), AGENT);
    expect(events[0]!.body).toHaveLength(LIMITS.messageBody);
    const resolved = applyAction(ticket, { type: 'resolve', resolutionType: 'fix', text: wide(LIMITS.resolution * 2) }, ruleContext(OPENED), AGENT).ticket;
    expect(resolved.resolution!.text).toHaveLength(LIMITS.resolution);
  });
});

describe('the API refuses a field over its limit, naming the field and the limit', () => {
  const cases: [string, { parse: (body: unknown) => unknown }, (text: string) => unknown, string, number][] = [
    ['description', CreateTicketSchema, (t) => ({ ...validTicket(), description: t }), 'description', LIMITS.description],
    ['subject', CreateTicketSchema, (t) => ({ ...validTicket(), subject: t }), 'subject', LIMITS.subject],
    ['requester name', CreateTicketSchema, (t) => ({ ...validTicket(), requester: { ...validTicket().requester, name: t } }), 'requester.name', LIMITS.name],
    ['product', CreateTicketSchema, (t) => ({ ...validTicket(), product: t }), 'product', LIMITS.label],
    ['message body', MessageSchema, (t) => ({ body: t }), 'body', LIMITS.messageBody],
    ['assignee', ActionSchema, (t) => ({ type: 'assign', assignee: t }), 'assignee', LIMITS.assignee],
    ['a detail', ActionSchema, (t) => ({ type: 'record-details', details: { diagnosticData: t } }), 'details.diagnosticData', LIMITS.detail],
    ['resolution text', ActionSchema, (t) => ({ type: 'resolve', resolutionType: 'fix', text: t }), 'text', LIMITS.resolution],
    ['escalation reason', ActionSchema, (t) => ({ type: 'customer-escalate', reason: t }), 'reason', LIMITS.reason],
    ['order notes', OrderRequestSchema, (t) => ({ ...validOrder(), notes: t }), 'notes', LIMITS.notes],
    ['engineer name', AgentSchema, (t) => ({ name: t, email: 'e@vendor.example' }), 'name', LIMITS.name],
  ];
  it.each(cases)('%s: accepted at its limit, refused one character beyond', (_name, schema, body, field, max) => {
    expect(() => schema.parse(body(wide(max)))).not.toThrow();
    let refusal: { issues: { path: PropertyKey[]; message: string }[] } | undefined;
    try {
      schema.parse(body(wide(max + 1)));
    } catch (error) {
      refusal = error as typeof refusal;
    }
    expect(refusal?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toContain(`${field}: at most ${max} characters`);
  });
});

describe('docs/limits.md', () => {
  it.each(Object.entries(LIMITS))('lists LIMITS.%s with its value', (name, value) => {
    const doc = readFileSync(new URL('../docs/limits.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((line) => line.startsWith('|') && line.includes(`\`${name}\``));
    expect(rows, `no table row names \`${name}\``).not.toHaveLength(0);
    const written = [String(value), value.toLocaleString('en-US')];
    expect(
      rows.some((row) => written.some((number) => new RegExp(`(^|[^\\d,])${number}([^\\d,]|$)`).test(row))),
      `no row for \`${name}\` says ${value}`,
    ).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// On the real runtime: DynamoDB Local, the gateway, the handlers
// ---------------------------------------------------------------------------------------------

function validTicket() {
  return { subject: 'Export fails', description: 'The export fails.', severity: 'sev2', requester: { email: 'dana@customer.example', name: 'Dana' } };
}
function validOrder() {
  return { purpose: 'attendee-support', periods: [{ start: '2026-07-01T10:00:00Z', hours: 4 }], pointOfContact: { name: 'Pat', email: 'pat@customer.example' } };
}

describe('on DynamoDB Local', () => {
  let runtime: Runtime;
  let store: DynamoStore;
  beforeAll(async () => {
    runtime = await startTestRuntime({ workflows: false });
    store = new DynamoStore(runtime.tableName, new DynamoDBClient({ endpoint: runtime.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('the worst-case ticket and events are written and read back; an item just over 400 KB by the same count is refused', async () => {
    // Prepare
    const ticket = { ...worstTicket(POLICY), id: `limits-${ascii(LIMITS.id - 7)}`, version: 1 };
    const events = worstEvents(ticket).map((event, i) => ({ ...event, ticketId: ticket.id, id: `${EVENT_ID.slice(0, -2)}${String(i).padStart(2, '0')}` }));

    // Act: one event per write (a transaction holds at most 4 MB, which these are near).
    await store.createTicket(ticket, []);
    for (const event of events) await store.addEvents([event]);

    // Assess
    expect((await store.getTicket(ticket.id))?.description).toBe(ticket.description);
    expect(await store.timeline(ticket.id)).toHaveLength(events.length);
    // The control: DynamoDB Local enforces the limit, and counts within 1 KB of the count above
    // (which takes every number at its largest): 1 KB over by that count is refused.
    const base = { ...ticket, id: `limits-over-${ascii(LIMITS.id - 12)}` };
    const over = { ...base, description: base.description + wide(Math.ceil((DYNAMODB.itemBytes + 1024 - itemBytes(ticketItem(base))) / 3)) };
    expect(itemBytes(ticketItem(over))).toBeGreaterThan(DYNAMODB.itemBytes + 1024);
    await expect(store.createTicket(over, [])).rejects.toThrow(/size/i);
  }, 60_000);

  it('a ticket built by requests at every limit stays readable; one character more is a 400 naming the field and its limit', async () => {
    const request = api(runtime);
    // Prepare / Act: a ticket, then every action that adds text, at its maximum.
    const created = await request('POST', '/tickets', {
      body: {
        ...validTicket(),
        subject: wide(LIMITS.subject),
        description: wide(LIMITS.description),
        product: wide(LIMITS.label),
        component: wide(LIMITS.label),
        requester: { email: 'dana@customer.example', name: wide(LIMITS.name) },
      },
    });
    expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(201);
    const id = created.body.id as string;
    const steps: unknown[] = [
      { type: 'assign', assignee: wide(LIMITS.assignee) },
      { type: 'record-details', details: DETAILS },
      { type: 'resolve', resolutionType: 'workaround', text: TEXT.resolution },
      { type: 'reopen', reason: TEXT.reason },
    ];
    for (const body of steps) expect((await request('POST', `/tickets/${id}/actions`, { body })).status).toBe(200);
    expect((await request('POST', `/tickets/${id}/messages`, { body: { kind: 'internal-note', body: TEXT.message } })).status).toBe(201);

    // Assess: still there whole, with its timeline.
    const read = await request('GET', `/tickets/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.details.diagnosticData).toHaveLength(LIMITS.detail);
    expect(read.body.timeline.some((event: TimelineEvent) => event.body === TEXT.message)).toBe(true);

    const over = await request('POST', '/tickets', { body: { ...validTicket(), description: wide(LIMITS.description + 1) } });
    expect(over.status).toBe(400);
    expect(over.body.message).toContain(`description: at most ${LIMITS.description} characters`);
    const longReply = await request('POST', `/tickets/${id}/messages`, { body: { body: wide(LIMITS.messageBody + 1) } });
    expect(longReply.status).toBe(400);
    expect(longReply.body.message).toContain(`body: at most ${LIMITS.messageBody} characters`);
  }, 60_000);
});
