/**
 * Rules about customers that need no validation library: which ids a customer may have, how
 * addresses and numbers are compared, where a contract stands, whether the policy offers a
 * customer's plan. ./customer.ts (the record's zod schema) builds on these; the functions that
 * only look customers up (entitlement, mail and phone intake) load this and not the schema.
 */

import type { Customer } from './customer';
import { LIMITS } from './limits';
import type { Policy } from './policy/schema';

/** An id as it becomes part of a key: ASCII, bounded (core/limits.ts). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Names the store uses for its own buckets (tickets of unverified requesters were once indexed
 * under CUSTOMER#unknown): no customer may take one, or that bucket would become its list.
 */
export const RESERVED_CUSTOMER_IDS: ReadonlySet<string> = new Set(['unknown', 'unverified']);

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
