/**
 * What the API accepts for support periods (core/periods/orders.ts has the rules): an engineer's
 * directory entry and an order. Separate from the rules so that the period workflow's function,
 * which validates no request, carries neither these schemas nor the phone-number library.
 */
import { z } from 'zod';
import { toE164 } from '../webhooks/phone';

const Email = z.email('must be an email address').transform((email) => email.toLowerCase());

export const AgentSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: Email,
    phone: z
      .string()
      .trim()
      .max(40)
      .refine((phone) => toE164(phone) !== undefined, 'an international number, e.g. +1 202 555 0100: a call of the engineer\'s support period is dialled to it')
      .optional(),
    skills: z.array(z.string().trim().min(1).max(100)).max(50).default([]).describe('Products and skills, e.g. "Cadmium Events".'),
    availability: z
      .array(z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict())
      .max(500)
      .default([])
      .describe('Windows the engineer can be booked in (instants).'),
  })
  .strict();
export type Agent = z.output<typeof AgentSchema> & { id: string };

export const PointOfContactSchema = z.object({ name: z.string().trim().min(1).max(200), email: Email, phone: z.string().trim().max(40).optional() }).strict();

/** An order as the customer (or staff for them) places it. `periods[i].hours` is checked against the policy by orderProblems. */
export const OrderRequestSchema = z
  .object({
    customerId: z.string().min(1).optional().describe('Staff keys only; a customer key orders for its own customer.'),
    purpose: z.string().min(1),
    periods: z
      .array(
        z
          .object({
            start: z.iso.datetime({ offset: true }),
            hours: z.number().describe('A positive multiple of the policy\'s block length, e.g. 4 or 8.'),
            phone: z.string().trim().min(1).max(40).optional().describe('The dedicated number for this period; default the order\'s, then the policy\'s.'),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    pointOfContact: PointOfContactSchema,
    /** The number the customer calls during its periods (a period may name its own); default the policy's. */
    phone: z.string().trim().min(1).max(40).optional(),
    notes: z.string().max(5_000).optional(),
  })
  .strict();
export type OrderRequest = z.output<typeof OrderRequestSchema>;
