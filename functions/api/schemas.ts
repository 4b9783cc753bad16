/**
 * Request bodies and query strings of the HTTP API. The same schemas validate requests and
 * produce the OpenAPI document (GET /openapi.json). Every string has its maximum from
 * core/limits.ts (docs/limits.md lists them): together they keep a ticket item and each timeline
 * event under DynamoDB's 400 KB (test/limits.test.ts proves it), so a request over one is a 400
 * naming the field and its limit, never a write that fails later.
 */
import * as z from 'zod/mini';
import { TimeZoneSchema } from '../../core/customer';
import { atMostChars, LIMITS } from '../../core/limits';
import { emailAddress, identifier, text } from '../../core/schema-parts';
import { INBOX_VIEWS } from '../../core/tickets/inbox';
import { CHANNELS, PERIOD_ISSUES, RESOLUTION_TYPES, STATUSES } from '../../core/tickets/model';

/** A policy id or name (severity, case reason, tier): resolved against the policy, bounded before. */
const label = () => z.string().check(z.maxLength(LIMITS.label, atMostChars(LIMITS.label)));

/** The query of every paged listing: where the previous page ended and how many to answer. */
export const PAGE_QUERY = {
  cursor: z.optional(identifier(LIMITS.cursor)).check(z.describe('From the previous page of the same query; opaque and signed.')),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 25),
};

export const RequesterSchema = z.strictObject({
  email: emailAddress(),
  name: text(LIMITS.name),
  phone: z.optional(z.string().check(z.trim(), z.maxLength(LIMITS.phone, atMostChars(LIMITS.phone)))),
  company: z.optional(text(LIMITS.name)).check(z.describe('The company the requester is from, as they write it: kept and shown even when no customer matches, so triage can match the case.')),
  timeZone: z.optional(TimeZoneSchema).check(z.describe("IANA time zone mail to the requester shows times in, beside UTC (default: the customer's, else the plan calendar's).")),
});

const Severity = z.pipe(z.union([label(), z.number()]), z.transform(String)).check(z.describe('Severity id or name from the policy.'));

export const CreateTicketSchema = z.strictObject({
  subject: text(LIMITS.subject),
  description: text(LIMITS.description),
  severity: Severity,
  requester: RequesterSchema,
  customerId: z.optional(identifier(LIMITS.id, atMostChars(LIMITS.id))).check(z.describe('Agent and admin keys only; a customer key files for its own customer.')),
  channel: z.optional(z.enum(CHANNELS)),
  caseReason: z.optional(label()),
  product: z.optional(text(LIMITS.label)),
  component: z.optional(text(LIMITS.label)),
});

export const MessageSchema = z.strictObject({
  kind: z.optional(z.enum(['customer', 'agent-reply', 'internal-note'])).check(z.describe('Customer keys always post "customer".')),
  body: text(LIMITS.messageBody),
});

const Details = z.strictObject({
  stepsToReproduce: z.optional(text(LIMITS.detail)),
  actionPlan: z.optional(text(LIMITS.detail)),
  symptoms: z.optional(text(LIMITS.detail)),
  diagnosticData: z.optional(text(LIMITS.detail)),
});

const reason = () => text(LIMITS.reason);

export const ActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('assign'), assignee: z.nullable(text(LIMITS.assignee)) }),
  z.strictObject({ type: z.literal('set-severity'), severity: Severity }),
  z.strictObject({ type: z.literal('set-case-reason'), caseReason: label().check(z.minLength(1)) }),
  z.strictObject({ type: z.literal('record-details'), details: Details }),
  z.strictObject({ type: z.literal('escalate'), reason: reason(), tier: z.optional(label()), details: z.optional(Details) }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('resolve'), resolutionType: z.enum(RESOLUTION_TYPES), text: text(LIMITS.resolution) }),
  z.strictObject({ type: z.literal('reopen'), reason: z.optional(reason()) }),
  z.strictObject({ type: z.literal('close'), reason: z.optional(reason()) }),
  z.strictObject({ type: z.literal('customer-escalate'), reason: reason() }),
  z.strictObject({ type: z.literal('acknowledge-escalation') }),
  z
    .strictObject({ type: z.literal('escalate-period-issue'), issue: z.enum(PERIOD_ISSUES), reason: reason() })
    .check(z.describe('During a dedicated support period: a system issue goes to the infrastructure team, a configuration issue to the project manager (as the policy names them).')),
]);

export const ListTicketsQuery = z.strictObject({
  customer: z.optional(identifier()).check(z.describe("Staff: one customer's tickets. A customer key always lists its own.")),
  unverified: z.optional(z.literal('true')).check(z.describe('Staff: tickets whose requester matched no customer.')),
  status: z
    .optional(z.enum(STATUSES))
    .check(
      z.describe("Tickets in this status, newest first; staff's pending-customer is the inbox's waiting view, next due first. A filtered page may be short, even empty, with a cursor: follow it."),
    ),
  queue: z.optional(identifier(LIMITS.queryValue)).check(z.describe("A queue's open tickets, next due first (with a customer: that customer's, newest first).")),
  view: z
    .optional(z.enum(INBOX_VIEWS))
    .check(
      z.describe(
        "An inbox view, open tickets next due first (docs/inbox.md): open, mine (assigned to the caller), team (?team=, default the caller's first team), priority, triage (unverified / not entitled), breached, waiting (on the customer), tier (?tier=). Customers: open and waiting of their own tickets. Counts: GET /tickets/views.",
      ),
    ),
  team: z.optional(identifier(LIMITS.id, atMostChars(LIMITS.id))).check(z.describe('With view=team: the team whose queues to list.')),
  tier: z.optional(identifier(LIMITS.id, atMostChars(LIMITS.id))).check(z.describe('With view=tier: the tier id.')),
  q: z
    .optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(LIMITS.queryValue, atMostChars(LIMITS.queryValue))))
    .check(
      z.describe(
        `Full-text search, newest first: 1–${LIMITS.searchWords} words, every one must match (subject, requester email and name, case number, the start of the description); case and accents ignored. With customer (staff): that customer's tickets only.`,
      ),
    ),
  severity: z
    .optional(identifier(LIMITS.id, atMostChars(LIMITS.id)))
    .check(z.describe('With view= or q=: only tickets of this severity (its id or name). A page may then hold fewer than limit tickets; follow its cursor.')),
  ...PAGE_QUERY,
});

const ApiKey = z.strictObject({
  name: text(100),
  role: z.enum(['admin', 'agent', 'customer']),
  customerId: z.optional(identifier()),
});

export const ApiKeySchema = ApiKey.check(
  z.refine((key: z.output<typeof ApiKey>) => (key.role === 'customer') === !!key.customerId, {
    path: ['customerId'],
    message: 'a customer key needs customerId; other roles take none',
  }),
);
