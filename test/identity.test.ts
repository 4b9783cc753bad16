/**
 * core/access/identity.ts: verified claims + staff directory → Principal, and every refusal a 403
 * that says what is missing.
 */
import { describe, expect, it } from 'vitest';
import { claimNamesFrom, type DirectoryView, IdentityError, principalFromClaims, roleFromGroups } from '../core/access/identity';

const directory: DirectoryView = {
  people: [
    { id: 'dana', name: 'Dana Whitfield', email: 'Dana@Vendor.example' },
    { id: 'marcus', name: 'Marcus Ortiz', email: 'marcus@vendor.example' },
    { id: 'karen', name: 'Karen Doyle', email: 'karen@partner.example', partner: 'acme-partner' },
  ],
  teams: [
    { id: 'support', lead: 'dana', members: ['marcus'] },
    { id: 'escalation', lead: 'marcus', members: [] },
    { id: 'partner-l1', lead: 'karen', members: [] },
  ],
};

const staff = (groups: unknown, email: string, extra: Record<string, unknown> = {}) => ({ sub: 'sub-1', email, email_verified: true, 'cognito:groups': groups, ...extra });

function refusal(run: () => unknown): IdentityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).statusCode).toBe(403);
    return error as IdentityError;
  }
  throw new Error('expected a refusal');
}

describe('principalFromClaims', () => {
  it('maps an agent in the directory to their person and every team they lead or belong to', () => {
    // Prepare / Act
    const principal = principalFromClaims(staff(['agent'], 'marcus@vendor.example'), directory);
    // Assess
    expect(principal).toEqual({
      id: 'user:sub-1',
      via: 'sign-in',
      name: 'Marcus Ortiz',
      role: 'agent',
      personId: 'marcus',
      teams: ['support', 'escalation'],
      email: 'marcus@vendor.example',
    });
  });

  it('matches the directory email case-insensitively', () => {
    expect(principalFromClaims(staff(['agent'], 'DANA@vendor.EXAMPLE'), directory)).toMatchObject({ personId: 'dana', teams: ['support'], email: 'dana@vendor.example' });
  });

  it('takes the most privileged of several groups, ignoring groups that are not ours', () => {
    expect(principalFromClaims(staff(['customer', 'agent', 'admin', 'ops'], 'dana@vendor.example'), directory).role).toBe('admin');
    expect(principalFromClaims(staff(['customer', 'agent'], 'dana@vendor.example'), directory).role).toBe('agent');
    expect(roleFromGroups(['customer', 'partner-agent'])).toBe('partner-agent');
    expect(roleFromGroups('agent')).toBe('agent');
    expect(roleFromGroups(['Admin', 'AGENT'])).toBeUndefined();
  });

  it('refuses a token with no tierdesk group, naming the claim', () => {
    for (const groups of [undefined, [], ['ops', 'billing'], 42, [{ name: 'admin' }]]) {
      const error = refusal(() => principalFromClaims(staff(groups, 'dana@vendor.example'), directory));
      expect(error.message).toMatch(/not a member of any tierdesk group.*cognito:groups/);
    }
  });

  it('lets an admin or agent outside the directory in, without a person or teams (the first admin after deploy)', () => {
    const admin = principalFromClaims(staff(['admin'], 'first.admin@vendor.example', { name: 'First Admin' }), directory);
    expect(admin).toEqual({ id: 'user:sub-1', via: 'sign-in', name: 'First Admin', role: 'admin', email: 'first.admin@vendor.example' });
    expect(principalFromClaims(staff(['agent'], 'new@vendor.example'), directory)).not.toHaveProperty('personId');
  });

  it('does not use an unverified email: no directory person and no email on the principal', () => {
    for (const verified of [false, 'false', undefined]) {
      const principal = principalFromClaims(staff(['agent'], 'marcus@vendor.example', { email_verified: verified }), directory);
      expect(principal).not.toHaveProperty('personId');
      expect(principal).not.toHaveProperty('email');
      expect(principal.name).not.toBe('marcus@vendor.example');
    }
    // Cognito's older tokens carry the string "true".
    expect(principalFromClaims(staff(['agent'], 'marcus@vendor.example', { email_verified: 'true' }), directory).personId).toBe('marcus');
  });

  it('maps a customer user to their customer from custom:customer, without looking at the directory', () => {
    const principal = principalFromClaims({ sub: 'c-1', email: 'pat@customer.example', email_verified: true, 'cognito:groups': ['customer'], 'custom:customer': 'demo' }, directory);
    expect(principal).toEqual({ id: 'user:c-1', via: 'sign-in', name: 'pat@customer.example', role: 'customer', customerId: 'demo', email: 'pat@customer.example' });
  });

  it('refuses a customer user without a customer, or with one that is not a customer id', () => {
    expect(refusal(() => principalFromClaims({ sub: 'c', 'cognito:groups': ['customer'] }, directory)).message).toMatch(/customer user needs the "custom:customer" attribute/);
    expect(refusal(() => principalFromClaims({ sub: 'c', 'cognito:groups': ['customer'], 'custom:customer': '  ' }, directory)).message).toMatch(/custom:customer/);
    for (const bad of ['unknown', 'has space', 'x'.repeat(65), '../x']) {
      expect(refusal(() => principalFromClaims({ sub: 'c', 'cognito:groups': ['customer'], 'custom:customer': bad }, directory)).message).toMatch(/"custom:customer" attribute is not a customer id/);
    }
  });

  it('maps a partner agent to their partner and, in the directory under the same partner, to their person', () => {
    const principal = principalFromClaims(staff(['partner-agent'], 'karen@partner.example', { 'custom:partner': 'acme-partner' }), directory);
    expect(principal).toMatchObject({ role: 'partner-agent', partnerId: 'acme-partner', personId: 'karen', teams: ['partner-l1'] });
    // Not in the directory: the partner comes from the attribute alone.
    expect(principalFromClaims(staff(['partner-agent'], 'new@partner.example', { 'custom:partner': 'acme-partner' }), directory)).toMatchObject({ partnerId: 'acme-partner' });
  });

  it('refuses a partner agent without a partner attribute', () => {
    expect(refusal(() => principalFromClaims(staff(['partner-agent'], 'new@partner.example'), directory)).message).toMatch(/partner agent needs the "custom:partner" attribute/);
    expect(refusal(() => principalFromClaims(staff(['partner-agent'], 'new@partner.example', { 'custom:partner': 'a b' }), directory)).message).toMatch(/not a partner id/);
  });

  it('refuses when the directory and the token disagree about the partner', () => {
    // Another partner.
    expect(refusal(() => principalFromClaims(staff(['partner-agent'], 'karen@partner.example', { 'custom:partner': 'other' }), directory)).message).toMatch(
      /places karen@partner.example with partner "acme-partner", but the token says partner "other"/,
    );
    // A vendor person signing in as a partner agent.
    expect(refusal(() => principalFromClaims(staff(['partner-agent'], 'marcus@vendor.example', { 'custom:partner': 'acme-partner' }), directory)).message).toMatch(/with the vendor \(no partner\)/);
    // A partner's person in a vendor group, even admin.
    for (const group of ['agent', 'admin']) {
      expect(refusal(() => principalFromClaims(staff([group], 'karen@partner.example'), directory)).message).toMatch(new RegExp(`partner "acme-partner", but the token says the "${group}" group`));
    }
  });

  it('ignores custom:partner and custom:customer on vendor staff', () => {
    const principal = principalFromClaims(staff(['agent'], 'marcus@vendor.example', { 'custom:partner': 'acme-partner', 'custom:customer': 'demo' }), directory);
    expect(principal).not.toHaveProperty('partnerId');
    expect(principal).not.toHaveProperty('customerId');
  });

  it('refuses a token without a usable subject', () => {
    for (const sub of [undefined, '', 7, 'x'.repeat(256)]) {
      expect(refusal(() => principalFromClaims({ sub, 'cognito:groups': ['admin'] }, directory)).message).toMatch(/no usable subject/);
    }
  });

  it('falls back for the name: name claim, verified email, username, then the subject; bounded', () => {
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['admin'], 'cognito:username': 'root' }, directory).name).toBe('root');
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['admin'] }, directory).name).toBe('s');
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['admin'], name: 'n'.repeat(500) }, directory).name).toHaveLength(200);
  });

  it('reads configured claim names, for another OIDC issuer', () => {
    const names = claimNamesFrom({ TIERDESK_OIDC_GROUPS_CLAIM: 'groups', TIERDESK_OIDC_CUSTOMER_CLAIM: 'org', TIERDESK_OIDC_PARTNER_CLAIM: '' });
    expect(names).toEqual({ groups: 'groups', customer: 'org', partner: 'custom:partner' });
    expect(principalFromClaims({ sub: 's', groups: ['customer'], org: 'demo' }, directory, names)).toMatchObject({ role: 'customer', customerId: 'demo' });
    // The Cognito claim is not read when another is configured.
    expect(refusal(() => principalFromClaims({ sub: 's', 'cognito:groups': ['admin'] }, directory, names)).message).toMatch(/in the "groups" claim/);
  });
});
