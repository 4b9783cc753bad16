/**
 * What the API accepts for support periods (core/periods/orders.ts has the rules): an engineer's
 * directory entry and an order. Separate from the rules so that the period workflow's function,
 * which validates no request, carries neither these schemas nor the phone-number library.
 */
import * as z from 'zod/mini';
import { atMostChars, atMostItems, LIMITS } from '../limits';
import { emailAddress, identifier, text } from '../schema-parts';
import { toE164 } from '../webhooks/phone';

const Phone = z.string().check(z.trim(), z.maxLength(LIMITS.phone, atMostChars(LIMITS.phone)));

export const AgentSchema = z.strictObject({
  name: text(LIMITS.name),
  email: emailAddress(),
  phone: z.optional(Phone.check(z.refine((phone: string) => toE164(phone) !== undefined, "an international number, e.g. +1 202 555 0100: a call of the engineer's support period is dialled to it"))),
  skills: z._default(z.array(text(LIMITS.label)).check(z.maxLength(LIMITS.skills, atMostItems(LIMITS.skills))), []).check(z.describe('Products and skills, e.g. "Cadmium Events".')),
  availability: z
    ._default(z.array(z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })).check(z.maxLength(LIMITS.availability, atMostItems(LIMITS.availability))), [])
    .check(z.describe('Windows the engineer can be booked in (instants).')),
});
export type Agent = z.output<typeof AgentSchema> & { id: string };

export const PointOfContactSchema = z.strictObject({ name: text(LIMITS.name), email: emailAddress(), phone: z.optional(Phone) });

/** An order as the customer (or staff for them) places it. `periods[i].hours` is checked against the policy by orderProblems. */
export const OrderRequestSchema = z.strictObject({
  customerId: z.optional(identifier()).check(z.describe('Staff keys only; a customer key orders for its own customer.')),
  purpose: text(LIMITS.label).check(z.describe('A purpose id from the policy (supportPeriods.purposes).')),
  periods: z
    .array(
      z.strictObject({
        start: z.iso.datetime({ offset: true }),
        hours: z.number().check(z.describe("A positive multiple of the policy's block length, e.g. 4 or 8.")),
        phone: z.optional(Phone.check(z.minLength(1))).check(z.describe("The dedicated number for this period; default the order's, then the policy's.")),
      }),
    )
    .check(z.minLength(1), z.maxLength(20)),
  pointOfContact: PointOfContactSchema,
  /** The number the customer calls during its periods (a period may name its own); default the policy's. */
  phone: z.optional(Phone.check(z.minLength(1))),
  notes: z.optional(z.string().check(z.maxLength(LIMITS.notes, atMostChars(LIMITS.notes)))),
});
export type OrderRequest = z.output<typeof OrderRequestSchema>;
