/**
 * The staff directory's schemas: they validate the API's bodies and directory files (./files.ts)
 * and type the model (./directory.ts, which holds the lookups and loads no zod).
 */

import { IANAZone } from 'luxon';
import { z } from 'zod';
import { atMostChars, atMostItems, LIMITS } from '../limits';
import { partnerProblem, STAFF_ID_PATTERN, STAFF_ID_RULE, STAFF_ROLES, teamProblems, unique } from './directory';

export const StaffIdSchema = z.string().max(LIMITS.id, atMostChars(LIMITS.id)).regex(STAFF_ID_PATTERN, `use ${STAFF_ID_RULE}`);

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, atMostChars(max));
const Email = z
  .email('must be an email address')
  .max(LIMITS.email, atMostChars(LIMITS.email))
  .transform((email) => email.toLowerCase());
/** A tier id as the policy writes it (core/policy/schema.ts). */
const TierId = z
  .string()
  .max(LIMITS.id, atMostChars(LIMITS.id))
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a tier id of the policy');

/**
 * A partner organisation (e.g. the help desk that runs Cadents' Levels 1 and 2): its agents work
 * the tickets of the customers whose record names it, while the ticket is in a tier the policy
 * has `operatedBy: partner` (docs/authorization.md).
 */
export const PartnerSchema = z
  .object({
    id: StaffIdSchema,
    name: text(LIMITS.name),
  })
  .strict();

const PartnerRef = StaffIdSchema.describe('Id of a partner organisation of the directory (`partners`).');

export const PersonSchema = z
  .object({
    id: StaffIdSchema,
    name: text(LIMITS.name),
    email: Email,
    timeZone: z
      .string()
      .max(LIMITS.label, atMostChars(LIMITS.label))
      .refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. "Europe/Berlin")')
      .describe('Where the person works, e.g. "America/New_York".'),
    roles: z.array(z.enum(STAFF_ROLES)).max(STAFF_ROLES.length, atMostItems(STAFF_ROLES.length)).default([]).transform(unique),
    phone: z.string().trim().min(1).max(LIMITS.phone, atMostChars(LIMITS.phone)).optional(),
    partner: PartnerRef.optional().describe("The partner organisation the person works for; absent: the vendor's own staff."),
  })
  .strict();

export const TeamSchema = z
  .object({
    id: StaffIdSchema,
    name: text(LIMITS.name),
    lead: StaffIdSchema.optional().describe('Person id of the team lead: "team-lead" recipients.'),
    members: z.array(StaffIdSchema).max(LIMITS.teamMembers, atMostItems(LIMITS.teamMembers)).default([]).transform(unique).describe('Person ids.'),
    tiers: z
      .array(TierId)
      .max(LIMITS.teamTiers, atMostItems(LIMITS.teamTiers))
      .default([])
      .transform(unique)
      .describe("Tier ids of the policy this team works (besides the tier whose `team` is this team's id)."),
    partner: PartnerRef.optional().describe("The partner organisation whose team this is; absent: the vendor's."),
  })
  .strict();

export type Person = z.output<typeof PersonSchema>;
export type Team = z.output<typeof TeamSchema>;
export type Partner = z.output<typeof PartnerSchema>;

/** A directory as a whole (a file, `GET /staff`): every id unique, every team's lead and members a person in it. */
export const DirectorySchema = z
  .object({
    people: z.array(PersonSchema).max(LIMITS.staffPeople, atMostItems(LIMITS.staffPeople)).default([]),
    teams: z.array(TeamSchema).max(LIMITS.staffTeams, atMostItems(LIMITS.staffTeams)).default([]),
    partners: z.array(PartnerSchema).max(LIMITS.staffPartners, atMostItems(LIMITS.staffPartners)).default([]),
  })
  .strict()
  .superRefine((directory, ctx) => {
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
  });
