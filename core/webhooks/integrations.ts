/**
 * The tools a vendor connects by webhook (the policy's `integrations` section): a customer
 * portal or form tool sending signed JSON, a phone system (Twilio Voice, or a PBX speaking
 * Zammad's generic CTI API), and a chat tool sending transcripts. Each has its own secret,
 * kept outside the policy (Secrets Manager in AWS, a local file with `npm start`).
 */
import { z } from 'zod';

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lower-case letters, digits and "-", e.g. "customer-portal"');

/** `$.a.b[0].c`: where a value sits in the delivered JSON. */
export const FieldPath = z.string().regex(/^\$(\.[A-Za-z_][\w-]*|\[\d+\])*$/, 'use a path like "$.ticket.requester.email" or "$.items[0].id"');

const Protection = {
  /** Bodies above this are refused with 413 before anything else is read. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1_024)
    .max(6_000_000)
    .default(256 * 1024),
  /** Accepted deliveries per minute; beyond it 429 with Retry-After. */
  ratePerMinute: z.number().int().min(1).max(100_000).default(600),
};

const GenericWebhook = z
  .object({
    id: Id,
    kind: z.literal('generic'),
    name: z.string().optional(),
    /**
     * How deliveries are signed: tierdesk's `X-Tierdesk-Signature`, as Zendesk signs its webhooks,
     * or Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`; the signed
     * `webhook-id` is the event id, and `eventId` is not read).
     */
    signature: z.enum(['tierdesk', 'zendesk', 'standard']).default('tierdesk'),
    /** Seconds a signed timestamp may be off (either way) before a delivery counts as a replay. */
    toleranceSeconds: z.number().int().min(30).max(3_600).default(300),
    /**
     * The sender's event id, the same on every retry: a field of the (signed) body, which alone
     * identifies the delivery, or a header, which is not signed and only tells events with the
     * same content apart. See core/webhooks/identity.ts and docs/webhooks.md.
     */
    eventId: z.union([z.object({ header: z.string().min(1) }).strict(), z.object({ field: FieldPath }).strict()]).optional(),
    /** Where each ticket field is in the delivered JSON. */
    fields: z
      .object({
        subject: FieldPath,
        description: FieldPath,
        requesterEmail: FieldPath,
        requesterName: FieldPath.optional(),
        severity: FieldPath.optional(),
        /** The sender's id for the case: a later delivery with the same one adds to that ticket. */
        externalId: FieldPath.optional(),
        /** For such a later delivery, the text added as the customer's message (default: description). */
        message: FieldPath.optional(),
      })
      .strict(),
    ...Protection,
  })
  .strict();

const TwilioVoice = z
  .object({
    id: Id,
    kind: z.literal('twilio'),
    name: z.string().optional(),
    /** The public base URL Twilio calls (e.g. behind a proxy that changes the host); signatures are over it. */
    publicUrl: z.url().optional(),
    ...Protection,
  })
  .strict();

const Cti = z
  .object({
    id: Id,
    kind: z.literal('cti'),
    name: z.string().optional(),
    /** Callers (E.164) the PBX is told to reject as busy. */
    blockedCallers: z.array(z.string()).default([]),
    ...Protection,
  })
  .strict();

const Chat = z
  .object({
    id: Id,
    kind: z.literal('chat'),
    name: z.string().optional(),
    toleranceSeconds: z.number().int().min(30).max(3_600).default(300),
    ...Protection,
  })
  .strict();

export const IntegrationSchema = z.discriminatedUnion('kind', [GenericWebhook, TwilioVoice, Cti, Chat]);
export type Integration = z.output<typeof IntegrationSchema>;
export type GenericIntegration = Extract<Integration, { kind: 'generic' }>;
export const INTEGRATION_KINDS = ['generic', 'twilio', 'cti', 'chat'] as const;
