/**
 * Who is signed in, as the console needs it: the role from the ID token's groups (the API decides
 * access the same way, docs/sign-in.md), and for staff their directory person and teams (GET
 * /staff), which the views "my cases" and "my team's queue" read.
 */
import { type Api, expectOk } from './api/client';
import type { DeskPolicy, Directory } from './api/types';
import type { Claims } from './auth';

export type Role = 'admin' | 'agent' | 'partner-agent' | 'customer';

export interface Me {
  name: string;
  email?: string;
  role: Role;
  partnerId?: string;
  customerId?: string;
  personId?: string;
  teams: string[];
  /**
   * What "assign to me" writes and what the API's "my cases" view reads (docs/inbox.md): my
   * directory person id, else the API's id for a signed-in person, `user:<sub>`.
   */
  assigneeIds: string[];
  /** Directory people by id, for showing and choosing assignees. */
  people: Directory['people'];
  /** Staff: the desk's tiers, case reasons and calendars' open hours (GET /policy/desk). */
  desk?: DeskPolicy;
}

const ORDER: Role[] = ['admin', 'agent', 'partner-agent', 'customer'];

export function roleOf(claims: Claims): Role | undefined {
  const groups = claims['cognito:groups'] ?? [];
  return ORDER.find((role) => groups.includes(role));
}

export async function whoAmI(api: Api, claims: Claims): Promise<Me> {
  const role = roleOf(claims) ?? 'customer';
  const email = claims.email?.toLowerCase();
  const base: Me = {
    name: claims.name ?? claims['cognito:username'] ?? email ?? 'signed in',
    role,
    teams: [],
    assigneeIds: [`user:${claims.sub}`],
    people: [],
    ...(email ? { email } : {}),
    ...(claims['custom:partner'] ? { partnerId: claims['custom:partner'] } : {}),
    ...(claims['custom:customer'] ? { customerId: claims['custom:customer'] } : {}),
  };
  if (role === 'customer') return base;
  // Both at once; either may fail (the console then shows ids and wall-clock time) without the other.
  const [directory, desk] = await Promise.all([
    role === 'partner-agent' ? undefined : expectOk<Directory>(api.GET('/staff')).catch(() => undefined),
    expectOk<DeskPolicy>(api.GET('/policy/desk')).catch(() => undefined),
  ]);
  const withDesk: Me = desk ? { ...base, desk } : base;
  if (!directory) return withDesk;
  const person = email ? directory.people.find((candidate) => candidate.email.toLowerCase() === email) : undefined;
  if (!person) return { ...withDesk, people: directory.people };
  const teams = directory.teams.filter((team) => team.lead === person.id || team.members.includes(person.id)).map((team) => team.id);
  return { ...withDesk, name: person.name, personId: person.id, teams, assigneeIds: [person.id], people: directory.people };
}

export const isStaff = (me: Me): boolean => me.role !== 'customer';
