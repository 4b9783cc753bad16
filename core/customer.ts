/**
 * A customer of the vendor: which plan and add-ons it bought, for how long, and the people,
 * domains and phone numbers that identify its requesters. One zod schema validates records
 * (API, files) and types the code; entitlement (core/entitlement.ts) reads the parsed form.
 */

import { IANAZone } from 'luxon';
import * as z from 'zod/mini';
import { FREE_MAIL_DOMAINS, ID_PATTERN, normaliseEmail, normalisePhone, RESERVED_CUSTOMER_IDS } from './customer-rules';
import { atMostChars, atMostItems, LIMITS } from './limits';
import { uniqueList } from './schema-parts';
import { StaffIdSchema } from './staff/schema';

export * from './customer-rules';

const Id = z.string().check(z.trim(), z.maxLength(LIMITS.id, `at most ${LIMITS.id} characters`), z.regex(ID_PATTERN, 'use letters, digits, "-", "_" or "." (no spaces)'));

/** A customer's id: an Id that is not reserved (compared case-insensitively). */
export const CustomerIdSchema = Id.check(z.refine((id: string) => !RESERVED_CUSTOMER_IDS.has(id.toLowerCase()), 'this id is reserved'));

/** Checked before it is normalised: nothing unbounded reaches a regex or the customer item. */
const bounded = (max: number) => z.string().check(z.maxLength(max, atMostChars(max)));

const Email = z.pipe(z.pipe(bounded(LIMITS.email), z.transform(normaliseEmail)), z.email('not an email address'));

const Phone = z.pipe(z.pipe(bounded(LIMITS.phone), z.transform(normalisePhone)), z.string().check(z.regex(/^\+?\d{3,15}$/, 'use 3–15 digits with an optional leading "+", e.g. "+4930123456"')));

const Domain = z.pipe(
  z.pipe(
    bounded(LIMITS.email),
    z.transform((domain: string) => normaliseEmail(domain).replace(/^@/, '').replace(/\.$/, '')),
  ),
  z.string().check(
    z.regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/, 'use a domain such as "acme.com"'),
    z.refine((domain: string) => !FREE_MAIL_DOMAINS.has(domain), 'a public mail domain would match anyone; list the people as contacts'),
  ),
);

/** An IANA time zone name ("Europe/Berlin"); IANA's longest is about 30 characters. */
export const TimeZoneSchema = bounded(LIMITS.id).check(
  z.trim(),
  z.refine((zone: string) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. "Europe/Berlin")'),
);

/** A calendar date (YYYY-MM-DD, a whole day) or an instant with an offset. */
const DateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const ContactSchema = z.strictObject({
  name: bounded(LIMITS.name).check(z.trim(), z.minLength(1)),
  email: z.optional(Email),
  phone: z.optional(Phone),
  role: z.optional(bounded(LIMITS.label).check(z.trim())).check(z.describe('e.g. "primary", "billing", "point of contact".')),
});

const Contract = z.strictObject({ start: z.optional(DateOrInstant), end: z.optional(DateOrInstant) });

export const CustomerSchema = z.strictObject({
  id: CustomerIdSchema,
  name: bounded(LIMITS.name).check(z.trim(), z.minLength(1)),
  plan: Id.check(z.describe('Plan id from the support policy.')),
  addOns: uniqueList(Id, LIMITS.addOns).check(z.describe('Add-ons bought on top of the plan.')),
  accountTeam: z
    .optional(
      z.strictObject({
        tam: z.optional(StaffIdSchema).check(z.describe("Person id of the customer's Technical Account Manager (its primary contact).")),
        csm: z.optional(StaffIdSchema).check(z.describe("Person id of the customer's Customer Success Manager.")),
      }),
    )
    .check(z.describe('The customer\'s own account team in the staff directory: "role:tam" and "role:csm" mails (and a CSM management step) reach them first.')),
  contract: z._default(Contract, {}).check(
    z.refine(({ start, end }: z.output<typeof Contract>) => !start || !end || Date.parse(start) <= Date.parse(end), { message: 'the contract must end after it starts', path: ['end'] }),
    z.describe('A date is a whole day: a contract ending 2026-06-30 covers that day.'),
  ),
  designatedUsers: uniqueList(Email, LIMITS.designatedUsers).check(z.describe('Email addresses; when there are more than the plan allows, the first ones count.')),
  contacts: z._default(z.array(ContactSchema).check(z.maxLength(LIMITS.contacts, atMostItems(LIMITS.contacts))), []),
  emailDomains: uniqueList(Domain, LIMITS.emailDomains),
  phoneNumbers: uniqueList(Phone, LIMITS.phoneNumbers),
  partner: z
    .optional(StaffIdSchema)
    .check(
      z.describe(
        "Id of the partner organisation (staff directory `partners`) that serves this customer: its agents work the customer's tickets in the tiers the policy gives to partners. Absent: a direct customer of the vendor.",
      ),
    ),
  timeZone: z
    .optional(TimeZoneSchema)
    .check(z.describe("IANA time zone the customer reads times in: mail to its requesters shows due times in it as well as in UTC (default: the plan calendar's zone).")),
});

/** A customer record as written (defaults not yet applied, not yet normalised). */
export type CustomerInput = z.input<typeof CustomerSchema>;
/** A validated, normalised customer. */
export type Customer = z.output<typeof CustomerSchema>;
export type Contact = Customer['contacts'][number];
