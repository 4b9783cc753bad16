/**
 * Request bodies and query strings of the HTTP API. The same schemas validate requests and
 * produce the OpenAPI document (GET /openapi.json).
 */
import { z } from 'zod';
import { CHANNELS, PERIOD_ISSUES, RESOLUTION_TYPES, STATUSES } from '../../core/tickets/model';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

export const RequesterSchema = z
  .object({
    email: z.email('must be an email address').transform((email) => email.toLowerCase()),
    name: text(200),
    phone: z.string().trim().max(40).optional(),
  })
  .strict();

export const CreateTicketSchema = z
  .object({
    subject: text(300),
    description: text(100_000),
    severity: z.union([z.string(), z.number()]).transform(String).describe('Severity id or name from the policy.'),
    requester: RequesterSchema,
    customerId: z.string().min(1).optional().describe('Agent and admin keys only; a customer key files for its own customer.'),
    channel: z.enum(CHANNELS).optional(),
    caseReason: z.string().optional(),
    product: text(200).optional(),
    component: text(200).optional(),
  })
  .strict();

export const MessageSchema = z
  .object({
    kind: z.enum(['customer', 'agent-reply', 'internal-note']).optional().describe('Customer keys always post "customer".'),
    body: text(100_000),
  })
  .strict();

const Details = z
  .object({
    stepsToReproduce: text(20_000).optional(),
    actionPlan: text(20_000).optional(),
    symptoms: text(20_000).optional(),
    diagnosticData: text(20_000).optional(),
  })
  .strict();

export const ActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign'), assignee: z.string().min(1).nullable() }).strict(),
  z.object({ type: z.literal('set-severity'), severity: z.union([z.string(), z.number()]).transform(String) }).strict(),
  z.object({ type: z.literal('set-case-reason'), caseReason: z.string().min(1) }).strict(),
  z.object({ type: z.literal('record-details'), details: Details }).strict(),
  z.object({ type: z.literal('escalate'), reason: text(5_000), tier: z.string().optional(), details: Details.optional() }).strict(),
  z.object({ type: z.literal('pause') }).strict(),
  z.object({ type: z.literal('resume') }).strict(),
  z.object({ type: z.literal('resolve'), resolutionType: z.enum(RESOLUTION_TYPES), text: text(100_000) }).strict(),
  z.object({ type: z.literal('reopen'), reason: text(5_000).optional() }).strict(),
  z.object({ type: z.literal('close'), reason: text(5_000).optional() }).strict(),
  z.object({ type: z.literal('customer-escalate'), reason: text(5_000) }).strict(),
  z.object({ type: z.literal('acknowledge-escalation') }).strict(),
  z
    .object({ type: z.literal('escalate-period-issue'), issue: z.enum(PERIOD_ISSUES), reason: text(5_000) })
    .strict()
    .describe('During a dedicated support period: a system issue goes to the infrastructure team, a configuration issue to the project manager (as the policy names them).'),
]);

export const ListTicketsQuery = z
  .object({
    customer: z.string().min(1).optional(),
    status: z.enum(STATUSES).optional(),
    queue: z.string().min(1).optional(),
    cursor: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();

export const ApiKeySchema = z
  .object({
    name: text(100),
    role: z.enum(['admin', 'agent', 'customer']),
    customerId: z.string().min(1).optional(),
  })
  .strict()
  .refine((key) => (key.role === 'customer') === !!key.customerId, {
    path: ['customerId'],
    message: 'a customer key needs customerId; other roles take none',
  });
