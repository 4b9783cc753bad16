/**
 * Who is signed in, as the console needs it: the role from the ID token's groups (the API decides
 * access the same way, docs/sign-in.md), and for staff their directory person and teams (GET
 * /staff), which the views "my cases" and "my team's queue" read.
 */
import { expectOk, type Api } from './api/client';
import type { Claims } from './auth';
import type { Directory } from './api/types';

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
  if (role !== 'admin' && role !== 'agent') return base;
  const directory = await expectOk<Directory>(api.GET('/staff')).catch(() => undefined);
  if (!directory) return base;
  const person = email ? directory.people.find((candidate) => candidate.email.toLowerCase() === email) : undefined;
  if (!person) return { ...base, people: directory.people };
  const teams = directory.teams.filter((team) => team.lead === person.id || team.members.includes(person.id)).map((team) => team.id);
  return { ...base, name: person.name, personId: person.id, teams, assigneeIds: [person.id], people: directory.people };
}

export const isStaff = (me: Me): boolean => me.role !== 'customer';
