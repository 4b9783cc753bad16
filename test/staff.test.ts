/**
 * The staff directory (core/staff): its schema's bounds, the lookups, recipients resolved through
 * it (with the policy's notifications section as the fallback and a customer's account team
 * first), and the warnings `tierdesk policy check --staff` prints — none for any shipped preset
 * with the directory it ships. Tests follow Prepare / Act / Assess.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CustomerSchema } from '../core/customer';
import { LIMITS } from '../core/limits';
import { type Notification, renderNotification } from '../core/notifications/render';
import { loadPolicy, presetNames } from '../core/policy/files';
import { validatePolicy } from '../core/policy/load';
import type { Policy, PolicyInput } from '../core/policy/schema';
import { unaddressedMails } from '../core/staff/coverage';
import { chainStepRole, EMPTY_DIRECTORY, peopleForRole, peopleWithRole, type StaffDirectory, teamFor, teamLead, teamPeople } from '../core/staff/directory';
import { loadDirectory, parseDirectory, presetDirectoryPath } from '../core/staff/files';
import { DirectorySchema, PersonSchema, TeamSchema } from '../core/staff/schema';
import { sampleTicket } from './support/sample-ticket';

const PRESETS = ['advendio', 'cadents', 'cadmium', 'caret', 'vidizmo'] as const;

const person = (id: string, roles: string[] = [], extra: Record<string, unknown> = {}) => ({ id, name: id, email: `${id}@vendor.example`, timeZone: 'Europe/Berlin', roles, ...extra });

/** Frontline works L1 (by its id, as the tier names it); "escalations" works L2 by listing the tier. */
const DIRECTORY: StaffDirectory = DirectorySchema.parse({
  people: [
    person('lena', ['team-lead']),
    person('ann', ['agent']),
    person('eve', ['engineer']),
    person('carl', ['csm']),
    person('cora', ['csm']),
    person('otto', ['coo']),
    person('tim', ['tam']),
    person('pia', ['project-manager']),
  ],
  teams: [
    { id: 'frontline', name: 'Frontline', lead: 'lena', members: ['ann', 'lena'] },
    { id: 'escalations', name: 'Escalations', members: ['eve'], tiers: ['L2'] },
  ],
});

const BASE: PolicyInput = {
  id: 'staff-test',
  name: 'Staff test policy',
  vendor: 'Test Vendor',
  caseNumberPrefix: 'TEST',
  defaultPlan: 'standard',
  severities: [{ id: '1', name: 'Critical' }],
  calendars: [{ id: 'always', timeZone: 'UTC', alwaysOpen: true }],
  plans: [{ id: 'standard', name: 'Standard', calendar: 'always', objectives: { '1': { firstResponse: { within: '30m' } } } }],
  tiers: [
    { id: 'L1', name: 'Level 1', team: 'frontline' },
    { id: 'L2', name: 'Level 2', team: 'engineering' },
  ],
  managementChain: [
    { id: 'csm', title: 'Customer Success Manager', respondWithin: { within: '4h', calendar: 'always' } },
    { id: 'coo', title: 'COO - Chief Operating Officer', respondWithin: { within: '8h', calendar: 'always' } },
    { id: 'ceo', title: 'Chief Executive Officer', respondWithin: { within: '24h', calendar: 'always' } },
  ],
};

function policyOf(input: PolicyInput): Policy {
  const result = validatePolicy(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const POLICY = policyOf(BASE);
/** The same policy with the old notifications section: the fallback. */
const WITH_SECTION = policyOf({
  ...BASE,
  notifications: {
    from: 'support@vendor.example',
    teams: { engineering: { lead: 'old-lead@vendor.example', members: ['old-member@vendor.example'] } },
    agents: { bob: 'bob@vendor.example' },
    management: { ceo: ['ceo@vendor.example'] },
  },
});

const mail = (recipients: string[], extra: Partial<Notification> = {}): Notification => ({ kind: 'sla-breach', ticketId: 't-1', caseNumber: 'TEST-000123', recipients, ...extra });

describe('the directory schema', () => {
  it('takes a person with an IANA zone and known roles, lower-casing the address and dropping repeated roles', () => {
    // Act
    const parsed = PersonSchema.parse(person('ann', ['agent', 'agent', 'tam'], { email: 'Ann@Vendor.example' }));

    // Assess
    expect(parsed).toMatchObject({ email: 'ann@vendor.example', roles: ['agent', 'tam'] });
  });

  it('refuses unknown roles, bad zones and addresses, ids of another shape, and lists over their limits, naming the field', () => {
    // Prepare
    const bad = [
      [PersonSchema, person('ann', ['boss'])],
      [PersonSchema, person('ann', [], { timeZone: 'Europe/Atlantis' })],
      [PersonSchema, person('ann', [], { email: 'ann@' })],
      [PersonSchema, person('Ann Smith')],
      [PersonSchema, person('x'.repeat(LIMITS.id + 1))],
      [TeamSchema, { id: 't', name: 'T', members: Array.from({ length: LIMITS.teamMembers + 1 }, (_, i) => `p${i}`) }],
      [TeamSchema, { id: 't', name: 'T', tiers: Array.from({ length: LIMITS.teamTiers + 1 }, (_, i) => `L${i}`) }],
    ] as const;

    // Act
    const fields = bad.map(([schema, value]) => schema.safeParse(value).error?.issues[0]?.path.join('.'));

    // Assess
    expect(fields).toEqual(['roles.0', 'timeZone', 'email', 'id', 'id', 'members', 'tiers']);
  });

  it('bounds the directory and refuses duplicates and teams naming people it lacks', () => {
    // Prepare
    const many = Array.from({ length: LIMITS.staffPeople + 1 }, (_, i) => person(`p${i}`));
    const broken = { people: [person('ann'), person('ann')], teams: [{ id: 't', name: 'T', lead: 'zoe', members: ['ann', 'max'] }] };

    // Act
    const tooMany = DirectorySchema.safeParse({ people: many }).error?.issues.map((issue) => issue.path.join('.'));
    const problems = DirectorySchema.safeParse(broken).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

    // Assess
    expect(tooMany).toEqual(['people']);
    expect(problems).toEqual(['people.1.id: duplicate id "ann"', 'teams.0.lead: no person "zoe" in the staff directory', 'teams.0.members.1: no person "max" in the staff directory']);
  });

  it('reads directory files and reports each problem with its place', () => {
    // Act
    const good = parseDirectory('people:\n  - { id: ann, name: Ann, email: ann@vendor.example, timeZone: UTC }\n');
    const bad = parseDirectory('people:\n  - { id: ann, name: Ann, email: nope, timeZone: UTC }\n');

    // Assess
    expect(good.ok && good.directory.people[0]!.roles).toEqual([]);
    expect(!bad.ok && bad.problems).toEqual([{ path: 'people.0.email', message: 'must be an email address' }]);
  });
});

describe('lookups', () => {
  it('find the team of a ticket by its id, else by the tier it works, with its lead first and each person once', () => {
    // Act
    const frontline = teamFor(DIRECTORY, { team: 'frontline', tier: 'L1' });
    const byTier = teamFor(DIRECTORY, { team: 'engineering', tier: 'L2' });

    // Assess
    expect(teamLead(DIRECTORY, frontline)?.id).toBe('lena');
    expect(teamPeople(DIRECTORY, frontline).map((p) => p.id)).toEqual(['lena', 'ann']);
    expect(byTier?.id).toBe('escalations');
    expect(teamFor(DIRECTORY, { team: 'nobody', tier: 'L9' })).toBeUndefined();
  });

  it("find people by role, the customer's own TAM or CSM first", () => {
    // Act
    const anyCsm = peopleForRole(DIRECTORY, 'csm');
    const ownCsm = peopleForRole(DIRECTORY, 'csm', { csm: 'cora' });
    const goneCsm = peopleForRole(DIRECTORY, 'csm', { csm: 'left-the-company' });

    // Assess
    expect(anyCsm.map((p) => p.id)).toEqual(['carl', 'cora']);
    expect(ownCsm.map((p) => p.id)).toEqual(['cora']);
    expect(goneCsm.map((p) => p.id)).toEqual(['carl', 'cora']);
    expect(peopleWithRole(DIRECTORY, 'ceo')).toEqual([]);
  });

  it('map a management-chain step to a role by its id or title', () => {
    // Act
    const roles = [
      { id: 'csm', title: 'x' },
      { id: 'customer-success-manager', title: 'Customer Success Manager' },
      { id: 'step-2', title: 'COO - Chief Operating Officer' },
      { id: 'ceo', title: 'CEO - Chief Executive Officer' },
      { id: 'vp', title: 'VP Support' },
    ].map(chainStepRole);

    // Assess
    expect(roles).toEqual(['csm', 'csm', 'coo', 'ceo', undefined]);
  });
});

describe('recipients through the directory', () => {
  it('resolve team-lead, team, team:, management:, role: and person: to the people of the directory', () => {
    // Prepare
    const ticket = sampleTicket({ assignee: 'ann' });

    // Act
    const rendered = renderNotification(POLICY, ticket, mail(['team-lead', 'team', 'assignee', 'team:escalations', 'management:coo', 'role:engineer', 'person:pia', 'team:project-manager']), {
      directory: DIRECTORY,
    });

    // Assess
    expect(rendered.to).toEqual(['lena@vendor.example', 'ann@vendor.example', 'eve@vendor.example', 'otto@vendor.example', 'pia@vendor.example']);
    expect(rendered.skipped).toEqual([]);
  });

  it("send role:tam and role:csm (and the CSM step) to the customer's own account team first, else anyone with the role", () => {
    // Prepare
    const ticket = sampleTicket();

    // Act
    const own = renderNotification(POLICY, ticket, mail(['role:csm', 'management:csm', 'role:tam']), { directory: DIRECTORY, accountTeam: { csm: 'cora' } });
    const anyone = renderNotification(POLICY, ticket, mail(['role:csm']), { directory: DIRECTORY });

    // Assess
    expect(own.to).toEqual(['cora@vendor.example', 'tim@vendor.example']);
    expect(anyone.to).toEqual(['carl@vendor.example', 'cora@vendor.example']);
  });

  it("fall back to the policy's notifications section where the directory has nobody, and say why when neither has anyone", () => {
    // Prepare
    const atL2 = sampleTicket({ tier: 'L2', team: 'engineering', assignee: 'bob' });
    const directory = { ...DIRECTORY, teams: [] };

    // Act
    const rendered = renderNotification(WITH_SECTION, atL2, mail(['team-lead', 'team', 'assignee', 'management:ceo', 'management:coo', 'role:ceo', 'person:zoe', 'role:boss']), { directory });

    // Assess
    expect(rendered.to).toEqual(['old-lead@vendor.example', 'old-member@vendor.example', 'bob@vendor.example', 'ceo@vendor.example', 'otto@vendor.example']);
    expect(rendered.skipped).toEqual([
      { recipient: 'role:ceo', reason: 'nobody with role "ceo" in the staff directory' },
      { recipient: 'person:zoe', reason: 'no person "zoe" in the staff directory' },
      { recipient: 'role:boss', reason: expect.stringMatching(/^unknown staff role "boss" \(roles: agent, team-lead/) },
    ]);
  });
});

describe('the customer record', () => {
  it('names its account team by person ids, bounded like every id', () => {
    // Act
    const customer = CustomerSchema.parse({ id: 'acme', name: 'Acme', plan: 'standard', accountTeam: { tam: 'tim', csm: 'cora' } });
    const bad = CustomerSchema.safeParse({ id: 'acme', name: 'Acme', plan: 'standard', accountTeam: { tam: 'Tim Smith', cfo: 'x' } });

    // Assess
    expect(customer.accountTeam).toEqual({ tam: 'tim', csm: 'cora' });
    expect(bad.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['accountTeam', 'accountTeam.tam']);
  });
});

describe('mail that would go to nobody', () => {
  it('is listed one line per mail kind: breach and warning notices, escalations, chain steps, period escalations, recipients the policy names', () => {
    // Prepare: L2's team has no lead, nobody is CEO, the period escalation's infrastructure team is missing.
    const policy = policyOf({
      ...BASE,
      supportPeriods: { purposes: [{ id: 'event', name: 'Event' }], escalation: { systemIssue: 'infrastructure', configurationIssue: 'project-manager' } },
    });

    // Act
    const warnings = unaddressedMails(policy, DIRECTORY);

    // Assess
    expect(warnings).toEqual([
      'SLA warning and breach notices at tier L2 (team engineering) go to nobody: no lead for team "engineering" in the staff directory and no lead address for team "engineering" in notifications.teams',
      'customer escalations to management step "ceo" (Chief Executive Officer) go to nobody: nobody with role "ceo" in the staff directory and no addresses for management step "ceo" in notifications.management',
      'support-period system-issue escalations go to nobody: nobody in team "infrastructure" or with role "infrastructure" in the staff directory and no addresses for team "infrastructure" in notifications.teams',
    ]);
  });

  it("counts the policy's notifications section, so a policy written before the directory has no gaps where it names addresses", () => {
    // Act
    const warnings = unaddressedMails(WITH_SECTION, { people: DIRECTORY.people, teams: [] });

    // Assess: frontline has nobody anywhere now; engineering and the CEO step are in the section.
    expect(warnings.map((warning) => warning.split(' go to nobody')[0])).toEqual([
      'SLA warning and breach notices at tier L1 (team frontline)',
      'blocked-escalation notices at tier L1 (team frontline)',
    ]);
  });

  it.each(PRESETS)('is none for the %s preset with the directory it ships', (name) => {
    // Prepare
    const directory = loadDirectory(presetDirectoryPath(name)!);

    // Act
    const warnings = unaddressedMails(loadPolicy(name), directory);

    // Assess
    expect(warnings).toEqual([]);
    expect(unaddressedMails(loadPolicy(name), EMPTY_DIRECTORY).length).toBeGreaterThan(0);
  });

  it('has a directory for every shipped preset', () => {
    expect(presetNames().filter((name) => !presetDirectoryPath(name))).toEqual([]);
  });

  it('is printed by tierdesk policy check: a warning a line without the directory, none with it', async () => {
    // Act
    const run = (args: string[]) => promisify(execFile)('node', ['bin/tierdesk.js', 'policy', 'check', ...args]);
    const without = await run(['caret']);
    const withStaff = await run(['caret', '--staff', 'presets/staff/caret.yaml']);

    // Assess
    expect(without.stdout).toContain('this preset ships one: --staff presets/staff/caret.yaml');
    expect(without.stdout).toMatch(/warning: SLA warning and breach notices at tier support \(team caret-support\) go to nobody/);
    expect(withStaff.stdout).toContain('valid policy');
    expect(withStaff.stdout).not.toContain('warning');
  }, 30_000);
});
