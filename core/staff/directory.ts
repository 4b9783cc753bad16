/**
 * The staff directory: the vendor's people (name, address, time zone, roles) and teams (a lead,
 * members, the tiers they work). Notifications to a team, a role, a management-chain step or a
 * person resolve through it (core/notifications/render.ts); `tierdesk policy check --staff` and
 * the local runtime's start-up warn about every mail it leaves unaddressed (./coverage.ts).
 *
 * Pure: the lookups answer from a snapshot the caller loaded; the schemas that validate the API's
 * bodies and directory files are ./schema.ts (zod), which a function that only looks people up
 * does not load. docs/staff.md describes the model.
 */

import { LIMITS } from '../limits';
import type { Partner, Person, Team } from './schema';

export type { Partner, Person, Team };

/** What a person does; `role:<role>` recipients and management-chain steps name these. */
export const STAFF_ROLES = ['agent', 'team-lead', 'tam', 'csm', 'coo', 'ceo', 'project-manager', 'infrastructure', 'engineer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/**
 * A person's or team's id: lower case, so it can also be an engineer's id (`/agents/{id}`), which
 * is how an engineer and a person are linked. It becomes part of a key: ASCII, bounded.
 */
export const STAFF_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const STAFF_ID_RULE = `1–${LIMITS.id} lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`;

export interface StaffDirectory {
  people: Person[];
  teams: Team[];
  /** Absent in a directory file or table from before partners: none. */
  partners?: Partner[];
}

/** Each item once, first occurrence first. */
export const unique = <T>(items: T[]): T[] => [...new Set(items)];

export const EMPTY_DIRECTORY: StaffDirectory = { people: [], teams: [], partners: [] };

/** A partner a person, team or customer names must be one of the directory: the problem, or undefined. */
export function partnerProblem(partner: string | undefined, directory: Pick<StaffDirectory, 'partners'>): string | undefined {
  if (partner === undefined || (directory.partners ?? []).some((known) => known.id === partner)) return undefined;
  return `no partner "${partner}" in the staff directory`;
}

/** The people a team names that are not in the directory, each naming its field ("lead", "members.2"). */
export function teamProblems(team: Pick<Team, 'lead' | 'members'>, directory: Pick<StaffDirectory, 'people'>): { field: string; message: string }[] {
  const known = new Set(directory.people.map((person) => person.id));
  const problems: { field: string; message: string }[] = [];
  if (team.lead && !known.has(team.lead)) problems.push({ field: 'lead', message: `no person "${team.lead}" in the staff directory` });
  team.members.forEach((member, index) => {
    if (!known.has(member)) problems.push({ field: `members.${index}`, message: `no person "${member}" in the staff directory` });
  });
  return problems;
}

// ---- lookups ---------------------------------------------------------------------------------

export function personById(directory: StaffDirectory, id: string): Person | undefined {
  return directory.people.find((person) => person.id === id);
}

export function teamById(directory: StaffDirectory, id: string): Team | undefined {
  return directory.teams.find((team) => team.id === id);
}

/**
 * The team that works a ticket: the one whose id is the ticket's team (as the policy's tier names
 * it), else the first that lists the ticket's tier.
 */
export function teamFor(directory: StaffDirectory, where: { team: string; tier?: string }): Team | undefined {
  return teamById(directory, where.team) ?? (where.tier === undefined ? undefined : directory.teams.find((team) => team.tiers.includes(where.tier!)));
}

export function teamLead(directory: StaffDirectory, team: Team | undefined): Person | undefined {
  return team?.lead ? personById(directory, team.lead) : undefined;
}

/** The lead first, then the members, each once; ids not in the directory are left out. */
export function teamPeople(directory: StaffDirectory, team: Team | undefined): Person[] {
  if (!team) return [];
  const ids = unique([...(team.lead ? [team.lead] : []), ...team.members]);
  return ids.flatMap((id) => {
    const person = personById(directory, id);
    return person ? [person] : [];
  });
}

export function peopleWithRole(directory: StaffDirectory, role: StaffRole): Person[] {
  return directory.people.filter((person) => person.roles.includes(role));
}

/** Names a management-chain step's title or id may use for a role, normalised (lower case, words joined by "-"). */
const ROLE_ALIASES: Record<string, StaffRole> = {
  'customer-success-manager': 'csm',
  'chief-operating-officer': 'coo',
  'chief-executive-officer': 'ceo',
  'technical-account-manager': 'tam',
  'project-manager': 'project-manager',
};

/**
 * The role that answers a management-chain step: its id when that is a role ("coo"), else a
 * role its id or title spells out ("customer-success-manager", "COO - Chief Operating Officer").
 * A step that names no role is answered by notifications.management alone.
 */
export function chainStepRole(step: { id: string; title?: string }): StaffRole | undefined {
  for (const name of [step.id, step.title ?? '']) {
    const normalised = name.toLowerCase().trim();
    if (isStaffRole(normalised)) return normalised;
    const words = normalised.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '');
    for (const [alias, role] of Object.entries(ROLE_ALIASES)) {
      if (words === alias || words.includes(alias)) return role;
    }
    const first = normalised.split(/[^a-z-]+/)[0] ?? '';
    if (isStaffRole(first)) return first;
  }
  return undefined;
}

/** A customer's own account team (core/customer.ts `accountTeam`): person ids. */
export interface AccountTeam {
  tam?: string;
  csm?: string;
}

/**
 * The people of a role for a ticket: the customer's own TAM or CSM first (a TAM is the
 * customer's primary contact), else everyone with the role.
 */
export function peopleForRole(directory: StaffDirectory, role: StaffRole, accountTeam?: AccountTeam): Person[] {
  if (role === 'tam' || role === 'csm') {
    const ownId = accountTeam?.[role];
    const own = ownId ? personById(directory, ownId) : undefined;
    if (own) return [own];
  }
  return peopleWithRole(directory, role);
}
