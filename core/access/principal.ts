/**
 * Who is calling: an API key (machine clients: portals, scripts) or a person signed in with
 * OpenID Connect (Cognito in AWS, the local provider under `npm start`). Every handler decides
 * what a caller may see and do from this record alone (core/access/authorize.ts), and this
 * record comes only from the caller's verified identity — a key's stored record, a token's
 * verified claims and the staff directory — never from a name the caller chose.
 */

/** What a caller is. A key's role is one of admin, agent, customer; a person's comes from their groups. */
export type Role = 'admin' | 'agent' | 'partner-agent' | 'customer';

export const ROLES: readonly Role[] = ['admin', 'agent', 'partner-agent', 'customer'];

export interface Principal {
  /**
   * Immutable identity: `key_…` for an API key, `user:<sub>` for a signed-in person (the
   * issuer's subject). Idempotency scopes, cursors and "created by" use it, never `name`.
   */
  id: string;
  via: 'api-key' | 'sign-in';
  /** For display and as the actor on timelines; not unique. */
  name: string;
  role: Role;
  /** A customer's key or user: the one customer it acts for. */
  customerId?: string;
  /** A partner organisation's agent: the partner it works for. */
  partnerId?: string;
  /** A signed-in member of staff: their person id in the staff directory. */
  personId?: string;
  /** A signed-in member of staff: the directory teams they lead or belong to. */
  teams?: readonly string[];
  /** A signed-in person's verified email. */
  email?: string;
}
