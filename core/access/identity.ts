/**
 * Who a signed-in person is, from the verified claims of their ID token and the staff directory:
 * the one mapping used for Cognito and for the local OpenID Connect provider (docs/sign-in.md).
 *
 * - Role from the groups claim (Cognito: `cognito:groups`); several groups: the most privileged
 *   wins (admin > agent > partner-agent > customer); none of ours: refused.
 * - A customer user's customer from `custom:customer`, a partner agent's partner from
 *   `custom:partner`: attributes an administrator sets and the app client cannot write, so they
 *   are identity, not caller choice.
 * - Staff: the directory person with the token's *verified* email gives personId and teams. A
 *   person the directory places in a partner organisation must sign in as that partner's agent.
 *
 * Pure: the caller verified the token (signature, issuer, audience, expiry) and loaded the
 * directory. A refusal is an IdentityError (403) whose message says what is missing.
 */
import { isCustomerId, normaliseEmail } from '../customer-rules';
import { cutText, LIMITS } from '../limits';
import { STAFF_ID_PATTERN } from '../staff/directory';
import type { Principal, Role } from './principal';

/** Claim names; another OIDC issuer may carry the same facts under other names (TIERDESK_OIDC_*_CLAIM). */
export interface ClaimNames {
  groups: string;
  customer: string;
  partner: string;
}

export const COGNITO_CLAIMS: ClaimNames = { groups: 'cognito:groups', customer: 'custom:customer', partner: 'custom:partner' };

/** The groups the stack creates, most privileged first. */
export const GROUPS_BY_PRIVILEGE: readonly Role[] = ['admin', 'agent', 'partner-agent', 'customer'];

/** What of the staff directory the mapping reads (core/staff/directory.ts StaffDirectory fits). */
export interface DirectoryView {
  people: readonly { id: string; name: string; email: string; partner?: string }[];
  teams: readonly { id: string; lead?: string; members: readonly string[] }[];
}

/** A refusal: the token is valid, but it does not make its bearer someone this desk knows. */
export class IdentityError extends Error {
  readonly statusCode = 403;
}

/** The issuer's subjects are opaque strings; Cognito's are UUIDs. Longer is not a subject we key on. */
const MAX_SUBJECT = 255;
/** More groups than any sane pool has: only this many are looked at. */
const MAX_GROUPS = 100;

export function principalFromClaims(claims: Record<string, unknown>, directory: DirectoryView, names: ClaimNames = COGNITO_CLAIMS): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT) throw new IdentityError(`the token has no usable subject (sub, 1–${MAX_SUBJECT} characters)`);
  const role = roleFromGroups(claims[names.groups]);
  if (!role) throw new IdentityError(`not a member of any tierdesk group (${GROUPS_BY_PRIVILEGE.join(', ')}) in the "${names.groups}" claim`);
  // An unverified address could be anyone's: it names nobody in the directory and is not kept.
  const email = verifiedEmail(claims);
  const id = `user:${sub}`;
  const fallbackName = cutText(firstText(claims.name, email, claims['cognito:username'], claims.preferred_username) ?? sub, LIMITS.name);

  if (role === 'customer') {
    const customerId = textClaim(claims, names.customer);
    if (customerId === undefined) throw new IdentityError(`a customer user needs the "${names.customer}" attribute naming their customer`);
    if (!isCustomerId(customerId)) throw new IdentityError(`the "${names.customer}" attribute is not a customer id`);
    return { id, via: 'sign-in', name: fallbackName, role, customerId, ...(email ? { email } : {}) };
  }

  let partnerId: string | undefined;
  if (role === 'partner-agent') {
    partnerId = textClaim(claims, names.partner);
    if (partnerId === undefined) throw new IdentityError(`a partner agent needs the "${names.partner}" attribute naming their partner organisation`);
    if (!STAFF_ID_PATTERN.test(partnerId)) throw new IdentityError(`the "${names.partner}" attribute is not a partner id`);
  }

  const person = email ? directory.people.find((candidate) => normaliseEmail(candidate.email) === email) : undefined;
  if (person) {
    // The directory and the user pool must agree where a person works: a partner's person never
    // acts vendor-wide because of a group given by mistake, nor for another partner.
    if (person.partner !== partnerId) {
      const where = person.partner ? `partner "${person.partner}"` : 'the vendor (no partner)';
      const claimed = partnerId ? `partner "${partnerId}"` : `the "${role}" group`;
      throw new IdentityError(`the staff directory places ${email} with ${where}, but the token says ${claimed}`);
    }
  }
  const teams = person ? directory.teams.filter((team) => team.lead === person.id || team.members.includes(person.id)).map((team) => team.id) : undefined;
  return {
    id,
    via: 'sign-in',
    name: person ? person.name : fallbackName,
    role,
    ...(partnerId ? { partnerId } : {}),
    ...(person ? { personId: person.id, teams } : {}),
    ...(email ? { email } : {}),
  };
}

/** The most privileged of our groups in the claim (a list, or one name), undefined for none. */
export function roleFromGroups(claim: unknown): Role | undefined {
  const groups = Array.isArray(claim) ? claim.slice(0, MAX_GROUPS) : typeof claim === 'string' ? [claim] : [];
  return GROUPS_BY_PRIVILEGE.find((role) => groups.includes(role));
}

function verifiedEmail(claims: Record<string, unknown>): string | undefined {
  const verified = claims.email_verified === true || claims.email_verified === 'true'; // Cognito's older tokens carry "true"
  const email = claims.email;
  if (!verified || typeof email !== 'string' || email.length > LIMITS.email || !email.includes('@')) return undefined;
  return normaliseEmail(email);
}

function textClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function firstText(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value.trim() !== '')?.trim();
}

/** Claim names from the environment (TIERDESK_OIDC_GROUPS_CLAIM, …), Cognito's by default. */
export function claimNamesFrom(env: Record<string, string | undefined>): ClaimNames {
  return {
    groups: env.TIERDESK_OIDC_GROUPS_CLAIM || COGNITO_CLAIMS.groups,
    customer: env.TIERDESK_OIDC_CUSTOMER_CLAIM || COGNITO_CLAIMS.customer,
    partner: env.TIERDESK_OIDC_PARTNER_CLAIM || COGNITO_CLAIMS.partner,
  };
}
