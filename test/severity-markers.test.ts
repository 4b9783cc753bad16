/**
 * Severity markers in inbound mail (core/mail/severity-markers.ts): which words count, where,
 * which wins, and whose markers are honoured. The presets' markers are checked too. Tests
 * follow Prepare / Act / Assess.
 */
import { describe, expect, it } from 'vitest';
import { CustomerSchema } from '../core/customer';
import { decideEntitlement } from '../core/entitlement';
import { findSeverityMarker, severityFromMail, withSeverityNote } from '../core/mail/severity-markers';
import { loadPolicy } from '../core/policy/files';
import { validatePolicy } from '../core/policy/load';
import type { Policy, PolicyInput } from '../core/policy/schema';
import { sampleTicket } from './support/sample-ticket';

const BASE: PolicyInput = {
  id: 'markers-test',
  name: 'Markers',
  vendor: 'Test Vendor',
  defaultPlan: 'standard',
  severities: [
    { id: 's1', name: 'Critical' },
    { id: 's2', name: 'High' },
    { id: 's3', name: 'Normal' },
  ],
  calendars: [{ id: 'always', timeZone: 'UTC', alwaysOpen: true }],
  plans: [
    { id: 'standard', name: 'Standard', calendar: 'always', objectives: {} },
    { id: 'premium', name: 'Premium', calendar: 'always', designatedUsersLimit: 1, objectives: {} },
  ],
  addOns: [{ id: 'always-on', name: '24/7' }],
  tiers: [{ id: 'L1', name: 'Level 1', team: 'frontline' }],
  severityMarkers: {
    honouredFor: ['designated-user'],
    markers: [
      { severity: 's2', phrases: ['P2', 'Sev2'] },
      { severity: 's1', phrases: ['Sev1', 'P1', 'production down'] },
    ],
  },
};

function policyOf(input: PolicyInput): Policy {
  const result = validatePolicy(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const POLICY = policyOf(BASE);

const acme = CustomerSchema.parse({
  id: 'acme',
  name: 'ACME',
  plan: 'premium',
  addOns: [],
  designatedUsers: ['dana@acme.example', 'late@acme.example'],
  emailDomains: ['acme.example'],
});

const entitlementOf = (policy: Policy, email: string, options: { authFailed?: boolean } = {}) =>
  decideEntitlement(policy, email.endsWith('@acme.example') ? acme : undefined, { email }, Date.parse('2026-06-01T10:00:00Z'), options);

describe('finding a marker', () => {
  it('matches whole words in any case, with a space, "-" or "_" allowed between letters and digits', () => {
    // Act / Assess
    for (const subject of ['P1 invoicing down', 'p1: invoicing', '[SEV-1] invoicing', 'sev 1 - invoicing', 'Invoicing (Sev_1)']) {
      expect(findSeverityMarker(POLICY, subject, '')?.severity, subject).toBe('s1');
    }
    for (const subject of ['P10 rollout', 'SP1 release', 'Step 1 fails', 'the p1x board', 'Severe 1']) {
      expect(findSeverityMarker(POLICY, subject, ''), subject).toBeUndefined();
    }
  });

  it('reads the subject before the text, takes the most urgent marker of a place, and only the top of the text', () => {
    // Act / Assess
    expect(findSeverityMarker(POLICY, 'P2 and also P1', '')).toEqual({ severity: 's1', phrase: 'P1', where: 'subject' });
    expect(findSeverityMarker(POLICY, 'P2 report', 'Production DOWN since 9')).toEqual({ severity: 's2', phrase: 'P2', where: 'subject' });
    expect(findSeverityMarker(POLICY, 'Help', 'Our production   down since 9')).toEqual({ severity: 's1', phrase: 'production down', where: 'text' });
    expect(findSeverityMarker(POLICY, 'Help', `${'log line\n'.repeat(200)}P1`)).toBeUndefined();
    expect(findSeverityMarker(policyOf({ ...BASE, severityMarkers: undefined }), 'P1', 'P1')).toBeUndefined();
  });
});

describe('whose marker counts', () => {
  it('designated users only, by default: others get the default severity and a note saying why', () => {
    // Act
    const designated = severityFromMail(POLICY, { subject: 'P1: down', text: '' }, 'dana@acme.example', entitlementOf(POLICY, 'dana@acme.example'));
    const colleague = severityFromMail(POLICY, { subject: 'P1: down', text: '' }, 'erik@acme.example', entitlementOf(POLICY, 'erik@acme.example'));
    const beyondLimit = severityFromMail(POLICY, { subject: 'P1: down', text: '' }, 'late@acme.example', entitlementOf(POLICY, 'late@acme.example'));
    const forged = severityFromMail(POLICY, { subject: 'P1: down', text: '' }, 'dana@acme.example', entitlementOf(POLICY, 'dana@acme.example', { authFailed: true }));
    const plain = severityFromMail(POLICY, { subject: 'Question', text: 'How do I export?' }, 'erik@acme.example', entitlementOf(POLICY, 'erik@acme.example'));

    // Assess
    expect(designated).toMatchObject({ severity: 's1', honoured: true });
    expect(designated.note).toBe('The mail\'s subject says "P1" (severity Critical): honoured, as dana@acme.example is one of the designated users.');
    expect(colleague).toMatchObject({ severity: 's3', honoured: false });
    expect(colleague.note).toContain('honoured only for designated users, and erik@acme.example is not (acme.example is an email domain of acme;');
    expect(colleague.note).toContain('The default severity Normal applies');
    expect(beyondLimit).toMatchObject({ severity: 's3', honoured: false });
    expect(beyondLimit.note).toContain('beyond the limit of 1');
    expect(forged).toMatchObject({ severity: 's3', honoured: false });
    expect(forged.note).toContain('email authentication failed');
    expect(plain).toEqual({ severity: 's3' });
  });

  it('"entitled", "plan:<id>" and "add-on:<id>" widen it; any one condition suffices', () => {
    // Prepare
    const entitled = policyOf({ ...BASE, severityMarkers: { ...BASE.severityMarkers!, honouredFor: ['entitled'] } });
    const onPlan = policyOf({ ...BASE, severityMarkers: { ...BASE.severityMarkers!, honouredFor: ['designated-user', 'plan:standard'] } });

    // Act / Assess
    expect(severityFromMail(entitled, { subject: 'P1', text: '' }, 'erik@acme.example', entitlementOf(entitled, 'erik@acme.example')).severity).toBe('s1');
    expect(severityFromMail(entitled, { subject: 'P1', text: '' }, 'sam@else.example', entitlementOf(entitled, 'sam@else.example')).severity).toBe('s3');
    // acme is on premium: not on plan standard, and erik is not designated.
    expect(severityFromMail(onPlan, { subject: 'P1', text: '' }, 'erik@acme.example', entitlementOf(onPlan, 'erik@acme.example')).note).toContain(
      'honoured only for designated users or entitled customers on plan standard',
    );
  });

  it("puts the note on the opened ticket's timeline as an internal note, and nothing when no marker was found", () => {
    // Prepare
    const ticket = sampleTicket();
    const decision = severityFromMail(POLICY, { subject: 'P1', text: '' }, 'erik@acme.example', entitlementOf(POLICY, 'erik@acme.example'));

    // Act
    const noted = withSeverityNote({ ticket, events: [] }, decision, 'n-1');
    const quiet = withSeverityNote({ ticket, events: [] }, { severity: 's3' }, 'n-2');

    // Assess
    expect(noted.events).toEqual([
      expect.objectContaining({ id: 'n-1', type: 'internal-note', public: false, at: ticket.createdAt, actor: { kind: 'system', id: 'inbound-mail' }, body: decision.note }),
    ]);
    expect(noted.events[0]!.data).toEqual({ severityMarker: { severity: 's1', phrase: 'P1', where: 'subject', honoured: false } });
    expect(quiet.events).toEqual([]);
  });
});

describe('the policy section', () => {
  it('refuses unknown severities, plans, add-ons and conditions, naming the path', () => {
    // Act
    const result = validatePolicy({
      ...BASE,
      severityMarkers: { honouredFor: ['plan:gold', 'add-on:none', 'everyone'], markers: [{ severity: 's9', phrases: ['P9'] }] },
    });

    // Assess
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['severityMarkers.honouredFor[2]']));
    const second = validatePolicy({ ...BASE, severityMarkers: { honouredFor: ['plan:gold', 'add-on:none'], markers: [{ severity: 's9', phrases: ['P9'] }] } });
    const messages = second.ok ? [] : second.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^severityMarkers\.markers\[0\]\.severity: unknown severity "s9"/),
        expect.stringMatching(/^severityMarkers\.honouredFor\[0\]: unknown plan "gold"/),
        expect.stringMatching(/^severityMarkers\.honouredFor\[1\]: unknown add-on "none"/),
      ]),
    );
  });

  it("ADvendio honours any entitled requester's level (no designated users there); CARET only designated users'", () => {
    // Prepare
    const advendio = loadPolicy('advendio');
    const caret = loadPolicy('caret');

    // Assess
    expect(advendio.severityMarkers?.honouredFor).toEqual(['entitled']);
    expect(findSeverityMarker(advendio, 'Level 2: bookings missing', '')?.severity).toBe('sev2');
    expect(findSeverityMarker(advendio, 'Not critical, not urgent', '')).toBeUndefined();
    expect(caret.severityMarkers?.honouredFor).toEqual(['designated-user']);
    expect(findSeverityMarker(caret, 'Severity Level 1 – app down', '')?.severity).toBe('sev1');
  });
});
