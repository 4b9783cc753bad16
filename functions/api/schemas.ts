/**
 * Request bodies and query strings of the HTTP API. The same schemas validate requests and
 * produce the OpenAPI document (GET /openapi.json). Every string has its maximum from
 * core/limits.ts (docs/limits.md lists them): together they keep a ticket item and each timeline
 * event under DynamoDB's 400 KB (test/limits.test.ts proves it), so a request over one is a 400
 * naming the field and its limit, never a write that fails later.
 */
import { z } from 'zod';
import { TimeZoneSchema } from '../../core/customer';
import { atMostChars, LIMITS } from '../../core/limits';
import { INBOX_VIEWS } from '../../core/tickets/inbox';
import { CHANNELS, PERIOD_ISSUES, RESOLUTION_TYPES, STATUSES } from '../../core/tickets/model';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, atMostChars(max));
/** A policy id or name (severity, case reason, tier): resolved against the policy, bounded before. */
const label = () => z.string().max(LIMITS.label, atMostChars(LIMITS.label));

export const RequesterSchema = z
  .object({
    email: z
      .email('must be an email address')
      .max(LIMITS.email, atMostChars(LIMITS.email))
      .transform((email) => email.toLowerCase()),
    name: text(LIMITS.name),
    phone: z.string().trim().max(LIMITS.phone, atMostChars(LIMITS.phone)).optional(),
    company: text(LIMITS.name).optional().describe('The company the requester is from, as they write it: kept and shown even when no customer matches, so triage can match the case.'),
    timeZone: TimeZoneSchema.optional().describe("IANA time zone mail to the requester shows times in, beside UTC (default: the customer's, else the plan calendar's)."),
  })
  .strict();

const Severity = z.union([label(), z.number()]).transform(String).describe('Severity id or name from the policy.');

export const CreateTicketSchema = z
  .object({
    subject: text(LIMITS.subject),
    description: text(LIMITS.description),
    severity: Severity,
    requester: RequesterSchema,
    customerId: z.string().min(1).max(LIMITS.id, atMostChars(LIMITS.id)).optional().describe('Agent and admin keys only; a customer key files for its own customer.'),
    channel: z.enum(CHANNELS).optional(),
    caseReason: label().optional(),
    product: text(LIMITS.label).optional(),
    component: text(LIMITS.label).optional(),
  })
  .strict();

export const MessageSchema = z
  .object({
    kind: z.enum(['customer', 'agent-reply', 'internal-note']).optional().describe('Customer keys always post "customer".'),
    body: text(LIMITS.messageBody),
  })
  .strict();

const Details = z
  .object({
    stepsToReproduce: text(LIMITS.detail).optional(),
    actionPlan: text(LIMITS.detail).optional(),
    symptoms: text(LIMITS.detail).optional(),
    diagnosticData: text(LIMITS.detail).optional(),
  })
  .strict();

const reason = () => text(LIMITS.reason);

export const ActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign'), assignee: text(LIMITS.assignee).nullable() }).strict(),
  z.object({ type: z.literal('set-severity'), severity: Severity }).strict(),
  z.object({ type: z.literal('set-case-reason'), caseReason: label().min(1) }).strict(),
  z.object({ type: z.literal('record-details'), details: Details }).strict(),
  z.object({ type: z.literal('escalate'), reason: reason(), tier: label().optional(), details: Details.optional() }).strict(),
  z.object({ type: z.literal('pause') }).strict(),
  z.object({ type: z.literal('resume') }).strict(),
  z.object({ type: z.literal('resolve'), resolutionType: z.enum(RESOLUTION_TYPES), text: text(LIMITS.resolution) }).strict(),
  z.object({ type: z.literal('reopen'), reason: reason().optional() }).strict(),
  z.object({ type: z.literal('close'), reason: reason().optional() }).strict(),
  z.object({ type: z.literal('customer-escalate'), reason: reason() }).strict(),
  z.object({ type: z.literal('acknowledge-escalation') }).strict(),
  z
    .object({ type: z.literal('escalate-period-issue'), issue: z.enum(PERIOD_ISSUES), reason: reason() })
    .strict()
    .describe('During a dedicated support period: a system issue goes to the infrastructure team, a configuration issue to the project manager (as the policy names them).'),
]);

export const ListTicketsQuery = z
  .object({
    customer: z.string().min(1).max(LIMITS.id).optional().describe("Staff: one customer's tickets. A customer key always lists its own."),
    unverified: z.literal('true').optional().describe('Staff: tickets whose requester matched no customer.'),
    status: z
      .enum(STATUSES)
      .optional()
      .describe("Tickets in this status, newest first; staff's pending-customer is the inbox's waiting view, next due first. A filtered page may be short, even empty, with a cursor: follow it."),
    queue: z.string().min(1).max(LIMITS.queryValue).optional().describe("A queue's open tickets, next due first (with a customer: that customer's, newest first)."),
    view: z
      .enum(INBOX_VIEWS)
      .optional()
      .describe(
        "An inbox view, open tickets next due first (docs/inbox.md): open, mine (assigned to the caller), team (?team=, default the caller's first team), priority, triage (unverified / not entitled), breached, waiting (on the customer), tier (?tier=). Customers: open and waiting of their own tickets. Counts: GET /tickets/views.",
      ),
    team: z.string().min(1).max(LIMITS.id, atMostChars(LIMITS.id)).optional().describe('With view=team: the team whose queues to list.'),
    tier: z.string().min(1).max(LIMITS.id, atMostChars(LIMITS.id)).optional().describe('With view=tier: the tier id.'),
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(LIMITS.queryValue, atMostChars(LIMITS.queryValue))
      .optional()
      .describe(
        `Full-text search, newest first: 1–${LIMITS.searchWords} words, every one must match (subject, requester email and name, case number, the start of the description); case and accents ignored. With customer (staff): that customer's tickets only.`,
      ),
    severity: z
      .string()
      .min(1)
      .max(LIMITS.id, atMostChars(LIMITS.id))
      .optional()
      .describe('With view= or q=: only tickets of this severity (its id or name). A page may then hold fewer than limit tickets; follow its cursor.'),
    cursor: z.string().min(1).max(LIMITS.cursor).optional().describe('From the previous page of the same query; opaque and signed.'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();

export const ApiKeySchema = z
  .object({
    name: text(100),
    role: z.enum(['admin', 'agent', 'customer']),
    customerId: z.string().min(1).max(LIMITS.id).optional(),
  })
  .strict()
  .refine((key) => (key.role === 'customer') === !!key.customerId, {
    path: ['customerId'],
    message: 'a customer key needs customerId; other roles take none',
  });
