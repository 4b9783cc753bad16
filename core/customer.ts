/**
 * A customer of the vendor: which plan and add-ons it bought, for how long, and the people,
 * domains and phone numbers that identify its requesters. One zod schema validates records
 * (API, files) and types the code; entitlement (core/entitlement.ts) reads the parsed form.
 */

import { IANAZone } from 'luxon';
import { z } from 'zod';
import { FREE_MAIL_DOMAINS, ID_PATTERN, normaliseEmail, normalisePhone, RESERVED_CUSTOMER_IDS } from './customer-rules';
import { atMostChars, atMostItems, LIMITS } from './limits';
import { StaffIdSchema } from './staff/schema';

export * from './customer-rules';

const Id = z.string().trim().max(LIMITS.id, `at most ${LIMITS.id} characters`).regex(ID_PATTERN, 'use letters, digits, "-", "_" or "." (no spaces)');

/** A customer's id: an Id that is not reserved (compared case-insensitively). */
export const CustomerIdSchema = Id.refine((id) => !RESERVED_CUSTOMER_IDS.has(id.toLowerCase()), 'this id is reserved');

/** Checked before it is normalised: nothing unbounded reaches a regex or the customer item. */
const bounded = (max: number) => z.string().max(max, atMostChars(max));

const Email = bounded(LIMITS.email).transform(normaliseEmail).pipe(z.email('not an email address'));

const Phone = bounded(LIMITS.phone)
  .transform(normalisePhone)
  .pipe(z.string().regex(/^\+?\d{3,15}$/, 'use 3–15 digits with an optional leading "+", e.g. "+4930123456"'));

const Domain = bounded(LIMITS.email)
  .transform((domain) => normaliseEmail(domain).replace(/^@/, '').replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/, 'use a domain such as "acme.com"')
      .refine((domain) => !FREE_MAIL_DOMAINS.has(domain), 'a public mail domain would match anyone; list the people as contacts'),
  );

/** An IANA time zone name ("Europe/Berlin"); IANA's longest is about 30 characters. */
export const TimeZoneSchema = bounded(LIMITS.id)
  .trim()
  .refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. "Europe/Berlin")');

/** A calendar date (YYYY-MM-DD, a whole day) or an instant with an offset. */
const DateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** Keeps the first occurrence: order matters for designated users (the first `limit` count). */
const unique = <T>(items: T[]): T[] => [...new Set(items)];

export const ContactSchema = z
  .object({
    name: bounded(LIMITS.name).trim().min(1),
    email: Email.optional(),
    phone: Phone.optional(),
    role: bounded(LIMITS.label).trim().optional().describe('e.g. "primary", "billing", "point of contact".'),
  })
  .strict();

export const CustomerSchema = z
  .object({
    id: CustomerIdSchema,
    name: bounded(LIMITS.name).trim().min(1),
    plan: Id.describe('Plan id from the support policy.'),
    addOns: z.array(Id).max(LIMITS.addOns, atMostItems(LIMITS.addOns)).default([]).transform(unique).describe('Add-ons bought on top of the plan.'),
    accountTeam: z
      .object({
        tam: StaffIdSchema.optional().describe("Person id of the customer's Technical Account Manager (its primary contact)."),
        csm: StaffIdSchema.optional().describe("Person id of the customer's Customer Success Manager."),
      })
      .strict()
      .optional()
      .describe('The customer\'s own account team in the staff directory: "role:tam" and "role:csm" mails (and a CSM management step) reach them first.'),
    contract: z
      .object({ start: DateOrInstant.optional(), end: DateOrInstant.optional() })
      .strict()
      .default({})
      .refine(({ start, end }) => !start || !end || Date.parse(start) <= Date.parse(end), { message: 'the contract must end after it starts', path: ['end'] })
      .describe('A date is a whole day: a contract ending 2026-06-30 covers that day.'),
    designatedUsers: z
      .array(Email)
      .max(LIMITS.designatedUsers, atMostItems(LIMITS.designatedUsers))
      .default([])
      .transform(unique)
      .describe('Email addresses; when there are more than the plan allows, the first ones count.'),
    contacts: z.array(ContactSchema).max(LIMITS.contacts, atMostItems(LIMITS.contacts)).default([]),
    emailDomains: z.array(Domain).max(LIMITS.emailDomains, atMostItems(LIMITS.emailDomains)).default([]).transform(unique),
    phoneNumbers: z.array(Phone).max(LIMITS.phoneNumbers, atMostItems(LIMITS.phoneNumbers)).default([]).transform(unique),
    partner: StaffIdSchema.optional().describe(
      "Id of the partner organisation (staff directory `partners`) that serves this customer: its agents work the customer's tickets in the tiers the policy gives to partners. Absent: a direct customer of the vendor.",
    ),
    timeZone: TimeZoneSchema.optional().describe("IANA time zone the customer reads times in: mail to its requesters shows due times in it as well as in UTC (default: the plan calendar's zone)."),
  })
  .strict();

/** A customer record as written (defaults not yet applied, not yet normalised). */
export type CustomerInput = z.input<typeof CustomerSchema>;
/** A validated, normalised customer. */
export type Customer = z.output<typeof CustomerSchema>;
export type Contact = Customer['contacts'][number];
