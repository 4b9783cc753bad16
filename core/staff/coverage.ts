/**
 * Which mails of a policy would go to nobody with a given staff directory: `tierdesk policy check
 * --staff <file>` prints these, and the local runtime prints them at start-up. Each recipient is
 * resolved exactly as a mail's would be (core/notifications/render.ts), for each tier's team;
 * recipients that depend on one ticket (its requester, assignee, period contact) or one customer
 * (its own TAM or CSM) are not checked here: a role answered by an account team must still have
 * someone in the directory for customers without one.
 */
import { type Recipient, type RecipientScope, resolveForScope } from '../notifications/render';
import type { Policy } from '../policy/schema';
import type { StaffDirectory } from './directory';

/** One line each: which mail, to whom, and why nobody gets it. */
export function unaddressedMails(policy: Policy, directory: StaffDirectory): string[] {
  const warnings: string[] = [];
  const check = (mail: string, scope: RecipientScope, recipient: Recipient) => {
    const { skipped } = resolveForScope(policy, scope, [recipient], { directory });
    for (const skip of skipped) warnings.push(`${mail} go to nobody: ${skip.reason}`);
  };
  policy.tiers.forEach((tier, index) => {
    const scope = { team: tier.team, tier: tier.id };
    const at = `tier ${tier.id} (team ${tier.team})`;
    // The SLA clock's warnings and breaches (first response, status updates, resolution, a missed management step).
    check(`SLA warning and breach notices at ${at}`, scope, 'team-lead');
    // A case escalated into the tier: its team and lead pick it up; a blocked escalation tells the tier's own team.
    check(index === 0 ? `blocked-escalation notices at ${at}` : `escalation notices into ${at}`, scope, 'team');
  });
  for (const step of policy.managementChain) {
    check(`customer escalations to management step "${step.id}" (${step.title})`, { team: policy.tiers[0]!.team }, `management:${step.id}`);
  }
  const escalation = policy.supportPeriods?.escalation;
  if (escalation) {
    check('support-period system-issue escalations', { team: policy.tiers[0]!.team }, `team:${escalation.systemIssue}`);
    check('support-period configuration-issue escalations', { team: policy.tiers[0]!.team }, `team:${escalation.configurationIssue}`);
  }
  // Recipients the policy names anywhere else (a newer section's `notify` list, say).
  for (const { path, recipient } of namedRecipients(policy)) {
    check(`mails to ${recipient} (${path})`, { team: policy.tiers[0]!.team }, recipient);
  }
  return [...new Set(warnings)];
}

const RECIPIENT_FORM = /^(team|role|person|management):[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Every string in the policy written as a recipient (`role:csm`, `team:infrastructure`…), with where it is. */
function namedRecipients(policy: Policy): { path: string; recipient: Recipient }[] {
  const found: { path: string; recipient: Recipient }[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      if (RECIPIENT_FORM.test(value)) found.push({ path, recipient: value });
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, path ? `${path}.${key}` : key);
    }
  };
  // Text meant for people (notes, templates, descriptions) never names a recipient on its own.
  const { notes: _notes, notifications, ...rest } = policy;
  walk({ ...rest, ...(notifications ? { notifications: { ...notifications, templates: {} } } : {}) }, '');
  return found;
}
