/**
 * A customer of the vendor: which plan and add-ons it bought, for how long, and the people,
 * domains and phone numbers that identify its requesters. One zod schema validates records
 * (API, files) and types the code; entitlement (core/entitlement.ts) reads the parsed form.
 */

import { IANAZone } from 'luxon';
import { z } from 'zod';
import { atMostChars, atMostItems, LIMITS } from './limits';
import type { Policy } from './policy/schema';
import { StaffIdSchema } from './staff/directory';

/** An id as it becomes part of a key: ASCII, bounded (core/limits.ts). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const Id = z.string().trim().max(LIMITS.id, `at most ${LIMITS.id} characters`).regex(ID_PATTERN, 'use letters, digits, "-", "_" or "." (no spaces)');

/**
 * Names the store uses for its own buckets (tickets of unverified requesters were once indexed
 * under CUSTOMER#unknown): no customer may take one, or that bucket would become its list.
 */
export const RESERVED_CUSTOMER_IDS: ReadonlySet<string> = new Set(['unknown', 'unverified']);

/** A customer's id: an Id that is not reserved (compared case-insensitively). */
export const CustomerIdSchema = Id.refine((id) => !RESERVED_CUSTOMER_IDS.has(id.toLowerCase()), 'this id is reserved');

/** Whether `id` (exactly as given, e.g. from a path) can be a customer's id. */
export function isCustomerId(id: string): boolean {
  return id.length <= LIMITS.id && ID_PATTERN.test(id) && !RESERVED_CUSTOMER_IDS.has(id.toLowerCase());
}

/** Lower case and trimmed, so that "Jane@ACME.com " and "jane@acme.com" are one person. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Digits with an optional leading "+": E.164 when the number was written internationally.
 * Drops spaces, dashes, dots, slashes and parentheses, the "(0)" trunk prefix written after
 * a country code ("+49 (0)30 …"), and reads a leading "00" as "+" (the international prefix
 * in most of the world). A national number without a country code stays national: turning it
 * into E.164 needs a default country and numbering-plan data, which this deliberately lacks,
 * so store customer numbers in international form.
 */
export function normalisePhone(phone: string): string {
  const compact = phone
    .trim()
    .replace(/^tel:/i, '')
    .replace(/\(0\)/g, '')
    .replace(/[\s\-./()]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

/** The part after "@", normalised; undefined when the text is not an address. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  return at > 0 ? normaliseEmail(email.slice(at + 1)) : undefined;
}

/**
 * Domains anyone can get an address at. A customer listing one would entitle every user of
 * that mail service, so the schema refuses them (list the people as contacts instead).
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'yandex.ru',
  'qq.com',
  '163.com',
]);

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

export type ContractStatus = 'not-started' | 'active' | 'ended';

const HOUR_MS = 3_600_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Where the contract stands at `at` (epoch ms). The customer's time zone is not known, so a
 * date counts wherever on earth it is that date: a start date from 00:00 at UTC+14, an end
 * date until 24:00 at UTC−12. Erring towards serving the customer costs at most a day's edge.
 */
export function contractStatus(contract: Customer['contract'], at: number): ContractStatus {
  if (contract.start) {
    const start = DATE_ONLY.test(contract.start) ? Date.parse(`${contract.start}T00:00:00Z`) - 14 * HOUR_MS : Date.parse(contract.start);
    if (at < start) return 'not-started';
  }
  if (contract.end) {
    const end = DATE_ONLY.test(contract.end) ? Date.parse(`${contract.end}T00:00:00Z`) + 36 * HOUR_MS : Date.parse(contract.end);
    if (at >= end) return 'ended';
  }
  return 'active';
}

/** Whether the policy offers the customer's plan and add-ons; the first problem, naming its field. */
export function customerPolicyProblem(policy: Policy, customer: Pick<Customer, 'plan' | 'addOns'>): { field: string; message: string } | undefined {
  const plan = policy.plans.find((p) => p.id === customer.plan);
  if (!plan) return { field: 'plan', message: `unknown plan "${customer.plan}" (known: ${policy.plans.map((p) => p.id).join(', ')})` };
  const index = customer.addOns.findIndex((addOn) => !plan.availableAddOns.includes(addOn) && !plan.includedAddOns.includes(addOn));
  if (index >= 0) return { field: `addOns.${index}`, message: `plan "${plan.id}" does not offer add-on "${customer.addOns[index]}"` };
  return undefined;
}
