/**
 * What the HTTP API answers: one zod schema per answer, named in RESPONSES (components.schemas of
 * GET /openapi.json, and so the console's types). They cannot drift from the code that answers:
 * - where core has a schema (customer, engineer, staff directory) it is used as it is;
 * - where core has only a type (Ticket, TimelineEvent, SupportOrder, the API key view) the schema
 *   here is checked against that type at compile time (`sameType` below, both directions);
 * - test/openapi.test.ts runs a scenario against the local runtime and parses every answer with
 *   the schema the document names for its route and status (strict objects: an undocumented
 *   field fails it too).
 */
import * as z from 'zod/mini';
import { CustomerSchema } from '../../core/customer';
import { NOTIFICATION_KINDS } from '../../core/notifications/templates';
import type { SupportOrder } from '../../core/periods/orders';
import { AgentSchema } from '../../core/periods/requests';
import { PartnerSchema, PersonSchema, TeamSchema } from '../../core/staff/schema';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import { CHANNELS, EVENT_TYPES, PERIOD_ISSUES, RESOLUTION_TYPES, STATUSES } from '../../core/tickets/model';
import type { keyView } from './api-keys';

/** True only when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A compile error when a schema's output is not exactly the core type it documents. */
function sameType<A, B>(check: Same<A, B>): void {
  void check;
}

/** A description in the OpenAPI document. */
const about = (description: string) => z.describe(description);
/**
 * A description registered on this very schema, as `about` does on a copy; for an object another
 * is extended from: the copy's description would travel with its checks to the extension.
 */
const describedBase = <T extends z.core.$ZodType>(schema: T, description: string): T => {
  z.globalRegistry.add(schema, { description });
  return schema;
};
const int = () => z.number().check(z.int());

const instant = () => z.string().check(about('An instant, ISO 8601 in UTC'));
const Cursor = z.nullable(z.string()).check(about('Pass as `cursor` for the next page; null on the last page. Opaque and signed for this query and caller.'));

const Actor = z.strictObject({ kind: z.enum(['agent', 'customer', 'system']), id: z.string() });

export const TimelineEventSchema = z.strictObject({
  id: z.string(),
  ticketId: z.string(),
  at: instant(),
  type: z.enum(EVENT_TYPES),
  actor: Actor,
  public: z.boolean().check(about('Visible to the customer; customers are only ever shown public events.')),
  body: z.optional(z.string()),
  data: z.optional(z.record(z.string(), z.unknown())).check(about('What the event records, by type (a mail with its attachments, a call, an escalation…).')),
});
sameType<z.output<typeof TimelineEventSchema>, TimelineEvent>(true);

const Objective = z.strictObject({
  within: z.optional(z.string()).check(about('The target as the policy writes it, e.g. "4h"')),
  calendar: z.optional(z.string()),
  startedAt: instant(),
  due: z.nullable(z.string()).check(about('Null while paused, or while the policy sets no target')),
  metAt: z.optional(instant()),
  breachedAt: z.optional(instant()),
  warnedAt: z.optional(instant()),
  stoppedAt: z.optional(instant()),
});

const ManagementEscalation = z.strictObject({
  step: int(),
  stepId: z.string(),
  reason: z.string(),
  startedAt: instant(),
  within: z.string(),
  calendar: z.string(),
  due: instant(),
  acknowledgedAt: z.optional(instant()),
  breachedAt: z.optional(instant()),
  stoppedAt: z.optional(instant()),
});

const Sla = z.strictObject({
  plan: z.string(),
  addOns: z.array(z.string()),
  firstResponse: z.optional(Objective),
  nextResponse: z.optional(Objective),
  resolution: z.optional(z.extend(Objective, { tier: z.string() })),
  statusUpdate: z.optional(Objective),
  pauses: z.array(z.strictObject({ from: instant(), to: z.optional(instant()) })),
  nextDue: z.optional(instant()).check(about('The earliest due instant of the running objectives: orders the queue')),
  management: z.optional(ManagementEscalation),
});

const Notification = z.strictObject({
  kind: z.enum(NOTIFICATION_KINDS),
  ticketId: z.string(),
  caseNumber: z.string(),
  recipients: z.array(z.string()),
  body: z.optional(z.string()),
  due: z.optional(z.string()),
  objective: z.optional(z.string()),
  step: z.optional(z.string()),
  tier: z.optional(z.string()),
  eventId: z.optional(z.string()),
  eventAt: z.optional(z.string()),
});

const MailRecord = z.strictObject({
  messageId: z.optional(z.string()),
  from: z.optional(z.string()),
  rawKey: z.string(),
  attachments: z.array(z.strictObject({ filename: z.string(), contentType: z.string(), size: z.number(), key: z.optional(z.string()), skipped: z.optional(z.string()) })),
  problems: z.array(z.string()),
});

const Details = z.strictObject({
  stepsToReproduce: z.optional(z.string()),
  actionPlan: z.optional(z.string()),
  symptoms: z.optional(z.string()),
  diagnosticData: z.optional(z.string()),
});

/** A ticket as staff read it. Customers get the same without the internal fields (TicketViewSchema). */
const TicketSchema = z.strictObject({
  id: z.string(),
  caseNumber: z.string(),
  version: int().check(about('Send as If-Match to change only this version')),
  customerId: z.optional(z.string()),
  partnerId: z.optional(z.string()),
  partnerHandover: z.optional(z.strictObject({ partnerId: z.string(), from: z.string(), to: z.string(), at: instant() })),
  requester: z.strictObject({
    email: z.optional(z.string()),
    name: z.optional(z.string()),
    phone: z.optional(z.string()),
    company: z.optional(z.string()),
    timeZone: z.optional(z.string()),
  }),
  channel: z.enum(CHANNELS),
  subject: z.string(),
  description: z.string(),
  severity: z.string(),
  caseReason: z.optional(z.string()),
  product: z.optional(z.string()),
  component: z.optional(z.string()),
  tier: z.string(),
  team: z.string(),
  queue: z.string(),
  status: z.enum(STATUSES),
  assignee: z.optional(z.string()),
  details: Details,
  flags: z.array(z.string()),
  resolution: z.optional(z.strictObject({ type: z.enum(RESOLUTION_TYPES), text: z.string(), at: instant() })),
  entitlement: z.strictObject({
    status: z.enum(['entitled', 'unverified', 'not-entitled']),
    reasons: z.array(z.string()),
    plan: z.optional(z.string()),
    queue: z.enum(['priority', 'standard', 'triage']),
    designatedUser: z.boolean(),
    priorityUpdates: z.optional(z.literal(true)),
  }),
  sla: Sla,
  createdAt: instant(),
  createdBy: Actor,
  updatedAt: instant(),
  intakeAcknowledgedAt: z.optional(instant()),
  outbox: z.optional(z.array(Notification)),
  workflowRun: z.optional(int()),
  mailThread: z.optional(z.array(z.string())),
  intakeMail: z.optional(MailRecord),
  dedicated: z.optional(
    z.strictObject({
      orderId: z.string(),
      period: int(),
      engineerId: z.string(),
      contact: z.optional(z.string()),
      escalations: z.optional(z.array(z.strictObject({ issue: z.enum(PERIOD_ISSUES), to: z.string(), at: instant() }))),
      queue: z.optional(z.string()),
      handedOver: z.optional(z.strictObject({ team: z.string(), at: instant() })),
    }),
  ),
  queueOrder: z.optional(z.string()),
});
sameType<z.output<typeof TicketSchema>, Ticket>(true);

/** The fields core/access/authorize.ts ticketView leaves out for customers: absent in their answers. */
export const TicketViewSchema = describedBase(
  z.partial(TicketSchema, { entitlement: true, details: true, flags: true, queue: true }),
  'A ticket. A customer is not shown the internal fields (entitlement, details, flags, queue, outbox, workflowRun, partnerId, partnerHandover).',
);

export const TicketWithTimelineSchema = z.extend(TicketViewSchema, {
  timeline: z.array(TimelineEventSchema).check(about('Oldest first; a customer sees the public events only')),
});

export const CreatedTicketSchema = z.strictObject({ id: z.string(), caseNumber: z.string(), ticket: TicketViewSchema });

export const TicketChangeSchema = z.strictObject({
  ticket: TicketViewSchema,
  events: z.array(TimelineEventSchema).check(about('The events the change added (a customer sees the public ones)')),
});

const page = <T extends z.core.SomeType>(item: T) => z.strictObject({ items: z.array(item), cursor: Cursor });

export const TicketPageSchema = page(TicketViewSchema);

/** GET /tickets/views: each of the caller's inbox views (core/tickets/inbox.ts) with its open tickets' count (docs/inbox.md). */
export const InboxViewCountsSchema = z.strictObject({
  views: z.array(
    z.strictObject({
      view: z.enum(['open', 'mine', 'team', 'priority', 'triage', 'breached', 'waiting', 'tier']).check(about('List it with GET /tickets?view=<view> (and team= or tier=)')),
      assignee: z.optional(z.string()).check(about('view=mine: whose cases (the caller)')),
      team: z.optional(z.string()).check(about('view=team: the team, one entry per team of the caller')),
      tier: z.optional(z.string()).check(about('view=tier: the tier, one entry per tier of the policy')),
      count: int().check(about('Open tickets in the view, exact (kept in the same write as each ticket change)')),
    }),
  ),
});

const Target = z.strictObject({ within: z.string(), calendar: z.string(), text: z.string().check(about('The target in words, as mail quotes it')) });

export const SeveritiesSchema = z.strictObject({
  defaultSeverity: z.string().check(about('The severity a case gets when none is given')),
  plan: z.optional(z.string()).check(about('The plan whose targets are shown (with a customer)')),
  severities: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      definition: z.optional(z.string()),
      criteria: z.array(z.strictObject({ area: z.string(), items: z.array(z.string()) })),
      targets: z.optional(z.strictObject({ firstResponse: z.optional(Target), nextResponse: z.optional(Target) })),
    }),
  ),
});

const Span = z.strictObject({ from: z.string().check(about('ISO instant')), to: z.string().check(about('ISO instant')) });

/** GET /policy/desk (functions/api/policy-info.ts deskPolicy). */
export const DeskPolicySchema = z.strictObject({
  tiers: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      team: z.string().check(about('The team whose queue works the tier')),
      operatedBy: z.enum(['vendor', 'partner']),
      entryRequires: z.array(z.string()).check(about('Ticket details a case must carry to enter the tier (stepsToReproduce, actionPlan, symptoms, diagnosticData)')),
      entryCaseReasons: z.optional(z.array(z.string())).check(about('A case must carry one of these case reasons to enter the tier')),
      severities: z.optional(z.array(z.string())).check(about('The severities the tier works (absent: all)')),
    }),
  ),
  severities: z.array(z.strictObject({ id: z.string(), name: z.string() })).check(about("In the policy's order (most severe first); GET /policy/severities has their definitions and criteria")),
  caseReasons: z.array(z.strictObject({ id: z.string(), name: z.string() })),
  calendars: z.array(
    z.strictObject({
      id: z.string(),
      name: z.optional(z.string()),
      timeZone: z.string(),
      alwaysOpen: z.boolean(),
      from: z.string().check(about('Start of the window the open hours cover (on the hour, 7 days back)')),
      to: z.string().check(about('End of that window (21 days ahead)')),
      open: z.array(Span).check(about('The open spans within the window, in order')),
    }),
  ),
});

export const CustomerRecordSchema = z.extend(CustomerSchema, { version: int().check(about('Send as If-Match to replace only this version')) });
/** GET /customers: a page of customers by name (functions/api/customers.ts listCustomers). */
export const CustomerPageSchema = page(CustomerRecordSchema);

export const AgentRecordSchema = z.extend(AgentSchema, { id: z.string() });
export const AgentPageSchema = page(AgentRecordSchema);

const PeriodSchema = z.strictObject({
  index: int(),
  start: instant(),
  end: instant(),
  hours: z.number(),
  blocks: z.number(),
  engineerId: z.optional(z.string()),
  phone: z.optional(z.string()),
  status: z.enum(['pending', 'booked', 'active', 'ended', 'cancelled']),
});

export const SupportOrderSchema = z.strictObject({
  id: z.string(),
  version: int(),
  customerId: z.string(),
  purpose: z.string(),
  periods: z.array(PeriodSchema),
  pointOfContact: z.strictObject({ name: z.string(), email: z.string(), phone: z.optional(z.string()) }),
  phone: z.optional(z.string()),
  notes: z.optional(z.string()),
  status: z.enum(['pending', 'accepted', 'cancelled']),
  plan: z.optional(int()),
  pendingReason: z.optional(z.string()),
  outbox: z.optional(z.array(z.strictObject({ kind: z.enum(['order-placed', 'order-accepted', 'order-pending']), at: instant() }))),
  createdAt: instant(),
  updatedAt: instant(),
});
sameType<z.output<typeof SupportOrderSchema>, SupportOrder>(true);
export const SupportOrderPageSchema = page(SupportOrderSchema);

export const PersonPageSchema = page(PersonSchema);
export const TeamPageSchema = page(TeamSchema);
export const StaffDirectorySchema = z.strictObject({
  people: z.array(PersonSchema),
  teams: z.array(TeamSchema),
  partners: z.optional(z.array(PartnerSchema)).check(about('Absent in a directory from before partners')),
});

export const ApiKeySchema = describedBase(
  z.strictObject({
    id: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'agent', 'customer']),
    customerId: z.optional(z.string()),
    status: z.enum(['active', 'revoked']),
    createdBy: z.nullable(z.string()),
    createdAt: z.nullable(z.string()),
    lastUsedAt: z.nullable(z.string()),
    revokedAt: z.nullable(z.string()),
    revokedBy: z.nullable(z.string()),
    rotatedAt: z.nullable(z.string()),
  }),
  'An API key as listed: never its secret or hash. Facts unknown for keys from before [10] are null.',
);
// keyView's status is typed as any string there (a widened literal): the schema names its two values.
sameType<Omit<z.output<typeof ApiKeySchema>, 'status'>, Omit<ReturnType<typeof keyView>, 'status'>>(true);
export const ApiKeyPageSchema = page(ApiKeySchema);
export const ApiKeyWithSecretSchema = z.extend(ApiKeySchema, { key: z.string().check(about('The secret, shown this once: send it as "Authorization: Bearer <key>"')) });

/** The attachment route's body beside its redirect (for clients that do not follow redirects). */
export const AttachmentLinkSchema = z.strictObject({
  url: z.url(),
  expiresAt: z.string().check(about('When the URL stops working')),
  filename: z.string().check(about('The name as mailed')),
  size: int().check(about('Bytes')),
});

export const HealthSchema = z.strictObject({ status: z.literal('ok') });

export const ErrorSchema = z
  .catchall(
    z.object({
      message: z.string(),
      field: z.optional(z.string()).check(about('The field, parameter or header at fault')),
      errors: z.optional(z.array(z.strictObject({ field: z.string(), message: z.string() }))).check(about('Every invalid field, when several are')),
    }),
    z.unknown(),
  )
  .check(about('An error naming the field at fault; some carry more (the current version on a 409 of If-Match, a reason on a webhook 401)'));

/** A webhook delivery that opened a ticket (201), or joined or replayed one (200). */
export const WebhookReceiptSchema = z.strictObject({
  ticketId: z.nullable(z.string()).check(about('Null for a step of a call whose ticket was closed meanwhile')),
  caseNumber: z.optional(z.string()),
  created: z.boolean(),
});

export const CtiAnswerSchema = z
  .strictObject({ action: z.optional(z.literal('reject')), reason: z.optional(z.literal('busy')) })
  .check(about('Zammad\'s CTI contract: `{}`, or `{"action": "reject", "reason": "busy"}` for a blocked caller at the first ring'));

/** The named answers: components.schemas of the OpenAPI document, in this order. */
export const RESPONSES = {
  Ticket: TicketViewSchema,
  TicketWithTimeline: TicketWithTimelineSchema,
  CreatedTicket: CreatedTicketSchema,
  TicketChange: TicketChangeSchema,
  TicketPage: TicketPageSchema,
  InboxViewCounts: InboxViewCountsSchema,
  TimelineEvent: TimelineEventSchema,
  AttachmentLink: AttachmentLinkSchema,
  Severities: SeveritiesSchema,
  DeskPolicy: DeskPolicySchema,
  Customer: CustomerRecordSchema,
  CustomerPage: CustomerPageSchema,
  Agent: AgentRecordSchema,
  AgentPage: AgentPageSchema,
  SupportOrder: SupportOrderSchema,
  SupportOrderPage: SupportOrderPageSchema,
  Person: PersonSchema,
  PersonPage: PersonPageSchema,
  Team: TeamSchema,
  TeamPage: TeamPageSchema,
  Partner: PartnerSchema,
  StaffDirectory: StaffDirectorySchema,
  ApiKey: ApiKeySchema,
  ApiKeyPage: ApiKeyPageSchema,
  ApiKeyWithSecret: ApiKeyWithSecretSchema,
  Health: HealthSchema,
  Error: ErrorSchema,
  WebhookReceipt: WebhookReceiptSchema,
  CtiAnswer: CtiAnswerSchema,
} as const satisfies Record<string, z.ZodMiniType>;

export type ResponseName = keyof typeof RESPONSES;
