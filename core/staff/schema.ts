/**
 * The staff directory's schemas: they validate the API's bodies and directory files (./files.ts)
 * and type the model (./directory.ts, which holds the lookups and loads no zod).
 */

import { IANAZone } from 'luxon';
import * as z from 'zod/mini';
import { atMostChars, atMostItems, LIMITS } from '../limits';
import { emailAddress, text, uniqueList } from '../schema-parts';
import { partnerProblem, STAFF_ID_PATTERN, STAFF_ID_RULE, STAFF_ROLES, teamProblems } from './directory';

export const StaffIdSchema = z.string().check(z.maxLength(LIMITS.id, atMostChars(LIMITS.id)), z.regex(STAFF_ID_PATTERN, `use ${STAFF_ID_RULE}`));

/** A tier id as the policy writes it (core/policy/schema.ts). */
const TierId = z.string().check(z.maxLength(LIMITS.id, atMostChars(LIMITS.id)), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a tier id of the policy'));

/**
 * A partner organisation (e.g. the help desk that runs Cadents' Levels 1 and 2): its agents work
 * the tickets of the customers whose record names it, while the ticket is in a tier the policy
 * has `operatedBy: partner` (docs/authorization.md).
 */
export const PartnerSchema = z.strictObject({
  id: StaffIdSchema,
  name: text(LIMITS.name),
});

const PartnerRef = StaffIdSchema.check(z.describe('Id of a partner organisation of the directory (`partners`).'));

export const PersonSchema = z.strictObject({
  id: StaffIdSchema,
  name: text(LIMITS.name),
  email: emailAddress(),
  timeZone: z.string().check(
    z.maxLength(LIMITS.label, atMostChars(LIMITS.label)),
    z.refine((zone: string) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. "Europe/Berlin")'),
    z.describe('Where the person works, e.g. "America/New_York".'),
  ),
  roles: uniqueList(z.enum(STAFF_ROLES), STAFF_ROLES.length),
  phone: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(LIMITS.phone, atMostChars(LIMITS.phone)))),
  partner: z.optional(PartnerRef).check(z.describe("The partner organisation the person works for; absent: the vendor's own staff.")),
});

export const TeamSchema = z.strictObject({
  id: StaffIdSchema,
  name: text(LIMITS.name),
  lead: z.optional(StaffIdSchema).check(z.describe('Person id of the team lead: "team-lead" recipients.')),
  members: uniqueList(StaffIdSchema, LIMITS.teamMembers).check(z.describe('Person ids.')),
  tiers: uniqueList(TierId, LIMITS.teamTiers).check(z.describe("Tier ids of the policy this team works (besides the tier whose `team` is this team's id).")),
  partner: z.optional(PartnerRef).check(z.describe("The partner organisation whose team this is; absent: the vendor's.")),
});

export type Person = z.output<typeof PersonSchema>;
export type Team = z.output<typeof TeamSchema>;
export type Partner = z.output<typeof PartnerSchema>;

/** A directory as a whole (a file, `GET /staff`): every id unique, every team's lead and members a person in it. */
const Directory = z.strictObject({
  people: z._default(z.array(PersonSchema).check(z.maxLength(LIMITS.staffPeople, atMostItems(LIMITS.staffPeople))), []),
  teams: z._default(z.array(TeamSchema).check(z.maxLength(LIMITS.staffTeams, atMostItems(LIMITS.staffTeams))), []),
  partners: z._default(z.array(PartnerSchema).check(z.maxLength(LIMITS.staffPartners, atMostItems(LIMITS.staffPartners))), []),
});

export const DirectorySchema = Directory.check(
  z.superRefine((directory: z.output<typeof Directory>, ctx) => {
    for (const key of ['people', 'teams', 'partners'] as const) {
      const seen = new Set<string>();
      directory[key].forEach((item, index) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [key, index, 'id'], message: `duplicate id "${item.id}"` });
        seen.add(item.id);
      });
    }
    directory.teams.forEach((team, index) => {
      for (const problem of teamProblems(team, directory)) ctx.addIssue({ code: 'custom', path: ['teams', index, ...problem.field.split('.')], message: problem.message });
    });
    for (const key of ['people', 'teams'] as const) {
      directory[key].forEach((item, index) => {
        const problem = partnerProblem(item.partner, directory);
        if (problem) ctx.addIssue({ code: 'custom', path: [key, index, 'partner'], message: problem });
      });
    }
  }),
);
