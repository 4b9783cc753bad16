/**
 * What the API accepts for support periods (core/periods/orders.ts has the rules): an engineer's
 * directory entry and an order. Separate from the rules so that the period workflow's function,
 * which validates no request, carries neither these schemas nor the phone-number library.
 */
import { z } from 'zod';
import { atMostChars, atMostItems, LIMITS } from '../limits';
import { toE164 } from '../webhooks/phone';

/** Text with its maximum from core/limits.ts (docs/limits.md); the message names the limit. */
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, atMostChars(max));
const Phone = z.string().trim().max(LIMITS.phone, atMostChars(LIMITS.phone));

const Email = z
  .email('must be an email address')
  .max(LIMITS.email, atMostChars(LIMITS.email))
  .transform((email) => email.toLowerCase());

export const AgentSchema = z
  .object({
    name: text(LIMITS.name),
    email: Email,
    phone: Phone.refine((phone) => toE164(phone) !== undefined, "an international number, e.g. +1 202 555 0100: a call of the engineer's support period is dialled to it").optional(),
    skills: z.array(text(LIMITS.label)).max(LIMITS.skills, atMostItems(LIMITS.skills)).default([]).describe('Products and skills, e.g. "Cadmium Events".'),
    availability: z
      .array(z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict())
      .max(LIMITS.availability, atMostItems(LIMITS.availability))
      .default([])
      .describe('Windows the engineer can be booked in (instants).'),
  })
  .strict();
export type Agent = z.output<typeof AgentSchema> & { id: string };

export const PointOfContactSchema = z.object({ name: text(LIMITS.name), email: Email, phone: Phone.optional() }).strict();

/** An order as the customer (or staff for them) places it. `periods[i].hours` is checked against the policy by orderProblems. */
export const OrderRequestSchema = z
  .object({
    customerId: z.string().min(1).max(LIMITS.id).optional().describe('Staff keys only; a customer key orders for its own customer.'),
    purpose: text(LIMITS.label).describe('A purpose id from the policy (supportPeriods.purposes).'),
    periods: z
      .array(
        z
          .object({
            start: z.iso.datetime({ offset: true }),
            hours: z.number().describe("A positive multiple of the policy's block length, e.g. 4 or 8."),
            phone: Phone.min(1).optional().describe("The dedicated number for this period; default the order's, then the policy's."),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    pointOfContact: PointOfContactSchema,
    /** The number the customer calls during its periods (a period may name its own); default the policy's. */
    phone: Phone.min(1).optional(),
    notes: z.string().max(LIMITS.notes, atMostChars(LIMITS.notes)).optional(),
  })
  .strict();
export type OrderRequest = z.output<typeof OrderRequestSchema>;
