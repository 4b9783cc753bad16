/**
 * Demo data for `npm start`: the admin key, an agent key, one customer on the policy's
 * richest plan and a portal key for it, so a new user can file and work tickets at once.
 * Derived keys come from the admin key, so they stay the same across restarts.
 *
 * A preset's staff directory (presets/staff/<preset>.yaml) is loaded too, so the desk's mails
 * reach people; people and teams already in the table are kept (changes made through the API
 * survive a restart). The demo customer gets an account team from it. Every mail the policy
 * would send to nobody with the directory in the table is reported, as `tierdesk policy check
 * --staff` reports it.
 *
 * People who sign in (local/oidc.ts): an admin, an agent and a team lead of the directory, a
 * partner's agent where the directory has partners, and a user of the demo customer; passwords
 * derived from the admin key like the keys, so they too stay the same across restarts.
 */
import { createHmac } from 'node:crypto';
import { CustomerSchema } from '../core/customer';
import { loadPolicy } from '../core/policy/files';
import { unaddressedMails } from '../core/staff/coverage';
import { type AccountTeam, type Person, peopleWithRole, type StaffDirectory } from '../core/staff/directory';
import { loadDirectory, presetDirectoryPath } from '../core/staff/files';
import { hashKey } from '../functions/api/auth';
import { DynamoStore } from '../functions/store/dynamo-store';
import { StaffStore } from '../functions/store/staff';
import type { LocalUser } from './oidc';

export const DEMO_CUSTOMER_ID = 'demo';

export async function seedDemo(ctx: { tableName: string; adminKey: string; policy: string }): Promise<{ lines: string[]; users: LocalUser[] }> {
  const store = new DynamoStore(ctx.tableName);
  const policy = loadPolicy(ctx.policy);
  const derived = (role: string) => `td_${role}_${createHmac('sha256', ctx.adminKey).update(role).digest('base64url').slice(0, 32)}`;
  const agentKey = derived('agent');
  const customerKey = derived('customer');

  await store.putApiKey(hashKey(ctx.adminKey), { name: 'admin', role: 'admin' });
  await store.putApiKey(hashKey(agentKey), { name: 'demo-agent', role: 'agent' });
  const plan = policy.plans.find((p) => p.priorityQueue) ?? policy.plans.find((p) => p.id === policy.defaultPlan)!;
  const staff = new StaffStore(ctx.tableName, store.doc);
  const directoryFile = presetDirectoryPath(ctx.policy);
  if (directoryFile) await seedDirectory(staff, loadDirectory(directoryFile));
  const directory = await staff.directory();
  const accountTeam = accountTeamFrom(directory);
  const existing = await store.getCustomer(DEMO_CUSTOMER_ID);
  if (!existing) {
    await store.putCustomer(
      CustomerSchema.parse({
        id: DEMO_CUSTOMER_ID,
        name: 'Demo Customer Inc.',
        plan: plan.id,
        designatedUsers: ['pat@customer.example'],
        contacts: [{ name: 'Pat Example', email: 'pat@customer.example', phone: '+15555550100', role: 'point of contact' }],
        emailDomains: ['customer.example'],
        ...(accountTeam ? { accountTeam } : {}),
      }),
    );
  } else if (!existing.accountTeam && accountTeam) {
    // A data directory from before the staff directory: the demo customer gets its account team once.
    const { version: _version, ...customer } = existing;
    await store.putCustomer({ ...customer, accountTeam }, existing);
  }
  await store.putApiKey(hashKey(customerKey), { name: 'demo-portal', role: 'customer', customerId: DEMO_CUSTOMER_ID });
  return {
    users: demoUsers(directory, (username) => createHmac('sha256', ctx.adminKey).update(`password:${username}`).digest('base64url').slice(0, 16)),
    lines: [
      `agent key:     ${agentKey}`,
      `customer key:  ${customerKey}   (portal of "${DEMO_CUSTOMER_ID}", plan ${plan.id}; designated user pat@customer.example)`,
      `staff:         ${directory.people.length} people, ${directory.teams.length} teams${directoryFile ? ` (from ${directoryFile.replace(/^.*\/presets\//, 'presets/')})` : ''}; GET /staff`,
      ...unaddressedMails(policy, directory).map((warning) => `warning: ${warning}`),
    ],
  };
}

/** The demo's sign-in users: staff are directory people (same email), so they get their person and teams. */
function demoUsers(directory: StaffDirectory, passwordOf: (username: string) => string): LocalUser[] {
  const vendor = directory.people.filter((person) => !person.partner);
  const leads = new Set(directory.teams.map((team) => team.lead));
  const lead = vendor.find((person) => leads.has(person.id));
  const agent = vendor.find((person) => person.roles.includes('agent') && !leads.has(person.id)) ?? vendor.find((person) => person !== lead);
  const partnerAgent = directory.people.find((person) => person.partner);
  const user = (username: string, rest: Omit<LocalUser, 'username' | 'password'>): LocalUser => ({ username, password: passwordOf(username), ...rest });
  const staff = (person: Person, groups: string[], description: string) =>
    user(person.id, { email: person.email, name: person.name, groups, ...(person.partner ? { partner: person.partner } : {}), description });
  return [
    user('admin', { email: 'admin@tierdesk.example', name: 'Desk Admin', groups: ['admin'], description: 'admin (not in the staff directory, like the first admin after deploy)' }),
    ...(agent ? [staff(agent, ['agent'], `agent (${agent.name})`)] : []),
    ...(lead ? [staff(lead, ['agent'], `agent, team lead (${lead.name})`)] : []),
    ...(partnerAgent ? [staff(partnerAgent, ['partner-agent'], `partner agent of "${partnerAgent.partner}" (${partnerAgent.name})`)] : []),
    user('pat', { email: 'pat@customer.example', name: 'Pat Example', groups: ['customer'], customer: DEMO_CUSTOMER_ID, description: `customer user of "${DEMO_CUSTOMER_ID}"` }),
  ];
}

/** Adds the file's people and teams that the table does not have yet. */
async function seedDirectory(staff: StaffStore, directory: StaffDirectory): Promise<void> {
  // Partners first: people and teams name them.
  for (const partner of directory.partners ?? []) if (!(await staff.getPartner(partner.id))) await staff.putPartner(partner);
  for (const person of directory.people) if (!(await staff.getPerson(person.id))) await staff.putPerson(person);
  for (const team of directory.teams) if (!(await staff.getTeam(team.id))) await staff.putTeam(team);
}

/** The first TAM and the first CSM of the directory, as the demo customer's own. */
function accountTeamFrom(directory: StaffDirectory): AccountTeam | undefined {
  const tam = peopleWithRole(directory, 'tam')[0]?.id;
  const csm = peopleWithRole(directory, 'csm')[0]?.id;
  return tam || csm ? { ...(tam ? { tam } : {}), ...(csm ? { csm } : {}) } : undefined;
}
