/**
 * Partner organisations (issue [10]) on the local runtime with the Cadents preset — the partner
 * runs Levels 1 and 2, Cadents Level 3 — and real tokens from the local OpenID Connect provider:
 * a partner agent sees and works only its partner's customers' cases, escalates to Level 3 only
 * with steps to reproduce, and after the hand-over reads the case and adds internal notes, while
 * Cadents' own agent works it. The rules: docs/authorization.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, type Runtime, startTestRuntime } from './support/runtime';
import { signIn, userWithGroup } from './support/sign-in';

let runtime: Runtime;
let request: ReturnType<typeof api>;
/** ID tokens: the demo partner's agent, and one of Cadents' own agents. */
let partnerAgent: string;
let vendorAgent: string;

const PARTNER = 'partner-helpdesk';
const ticketBody = { subject: 'Calls drop after the upgrade', description: 'Since 4.2 every third call drops after a minute.', severity: 'sev2' };

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: 'cadents', workflows: false });
  request = api(runtime);
  // The preset's directory names the demo partner; another partner serves another customer.
  for (const [id, name] of [
    [PARTNER, 'Partner Helpdesk'],
    ['other-partner', 'Other Partner'],
  ]) {
    expect((await request('PUT', `/staff/partners/${id}`, { body: { name } })).status).toBeLessThan(300);
  }
  const customers = { globex: PARTNER, initech: 'other-partner', acme: undefined };
  for (const [id, partner] of Object.entries(customers)) {
    const body = { name: `${id} Inc.`, plan: 'standard', emailDomains: [`${id}.example`], ...(partner ? { partner } : {}) };
    const put = await request('PUT', `/customers/${id}`, { body });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
  }
  const partnerUser = userWithGroup(runtime, 'partner-agent', (user) => user.partner === PARTNER);
  const vendorUser = userWithGroup(runtime, 'agent');
  partnerAgent = (await signIn(runtime, partnerUser.username, partnerUser.password)).idToken;
  vendorAgent = (await signIn(runtime, vendorUser.username, vendorUser.password)).idToken;
});

afterAll(async () => {
  await runtime?.stop();
});

/** A case of the customer, opened by the admin key as a portal would, at Level 1. */
async function caseOf(customerId: string): Promise<string> {
  const created = await request('POST', '/tickets', { body: { ...ticketBody, customerId, requester: { email: `it@${customerId}.example`, name: 'IT desk' } } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

function expectStatus(response: ApiResponse, status: number): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
}

describe('a partner agent', () => {
  it("gets 404 for another partner's and a direct customer's case, and lists only its customers' cases", async () => {
    // Arrange
    const own = await caseOf('globex');
    const others = [await caseOf('initech'), await caseOf('acme')];

    // Act
    const read = await request('GET', `/tickets/${own}`, { key: partnerAgent });
    const refused = await Promise.all(
      others.flatMap((id) => [
        request('GET', `/tickets/${id}`, { key: partnerAgent }),
        request('POST', `/tickets/${id}/messages`, { key: partnerAgent, body: { kind: 'internal-note', body: 'peek' } }),
        request('POST', `/tickets/${id}/actions`, { key: partnerAgent, body: { type: 'assign', assignee: 'karen.doyle' } }),
      ]),
    );
    const listed = await request('GET', '/tickets?limit=100', { key: partnerAgent });
    const otherCustomer = await request('GET', '/customers/initech', { key: partnerAgent });

    // Assess
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ customerId: 'globex', partnerId: PARTNER, tier: 'level1' });
    expect(refused.map((answer) => answer.status)).toEqual(refused.map(() => 404));
    expectStatus(listed, 200);
    const customersListed = new Set(listed.body.items.map((ticket: { customerId: string }) => ticket.customerId));
    expect([...customersListed]).toEqual(['globex']);
    expect(listed.body.items.map((ticket: { id: string }) => ticket.id)).toContain(own);
    expectStatus(otherCustomer, 404);
  });

  it('opens cases only for its own customers', async () => {
    const own = await request('POST', '/tickets', { key: partnerAgent, body: { ...ticketBody, customerId: 'globex', requester: { email: 'ann@globex.example', name: 'Ann' } } });
    const other = await request('POST', '/tickets', { key: partnerAgent, body: { ...ticketBody, customerId: 'initech', requester: { email: 'ivo@initech.example', name: 'Ivo' } } });

    expectStatus(own, 201);
    expect(own.body.ticket.partnerId).toBe(PARTNER);
    expectStatus(other, 403);
    expect(other.body.field).toBe('customerId');
  });

  it("works its customer's case at Levels 1 and 2, is refused Level 3 without steps to reproduce, and after the hand-over only reads and notes", async () => {
    // Arrange
    const id = await caseOf('globex');

    // Act: Level 1 and 2 are the partner's.
    const replied = await request('POST', `/tickets/${id}/messages`, { key: partnerAgent, body: { body: 'We are looking into it.' } });
    const assigned = await request('POST', `/tickets/${id}/actions`, { key: partnerAgent, body: { type: 'assign', assignee: 'karen.doyle' } });
    const toLevel2 = await request('POST', `/tickets/${id}/actions`, { key: partnerAgent, body: { type: 'escalate', reason: 'Needs a lab recreate', details: { symptoms: 'Drops after 60 s' } } });
    const vendorReplyAtLevel2 = await request('POST', `/tickets/${id}/messages`, { key: vendorAgent, body: { body: 'Cadents here.' } });
    const vendorNoteAtLevel2 = await request('POST', `/tickets/${id}/messages`, { key: vendorAgent, body: { kind: 'internal-note', body: 'Known issue in 4.2?' } });
    const withoutSteps = await request('POST', `/tickets/${id}/actions`, { key: partnerAgent, body: { type: 'escalate', reason: 'A defect' } });
    const toLevel3 = await request('POST', `/tickets/${id}/actions`, {
      key: partnerAgent,
      body: { type: 'escalate', reason: 'A defect', details: { stepsToReproduce: 'Upgrade to 4.2, place a call, wait 60 s' } },
    });

    // Act: handed over to Cadents.
    const readAfter = await request('GET', `/tickets/${id}`, { key: partnerAgent });
    const noteAfter = await request('POST', `/tickets/${id}/messages`, { key: partnerAgent, body: { kind: 'internal-note', body: 'Customer asks for an ETA.' } });
    const replyAfter = await request('POST', `/tickets/${id}/messages`, { key: partnerAgent, body: { body: 'Any news?' } });
    const actAfter = await request('POST', `/tickets/${id}/actions`, { key: partnerAgent, body: { type: 'resolve', resolutionType: 'fix', text: 'Fixed' } });
    const vendorWorks = await request('POST', `/tickets/${id}/messages`, { key: vendorAgent, body: { body: 'Reproduced; a hotfix follows.' } });

    // Assess
    expectStatus(replied, 201);
    expectStatus(assigned, 200);
    expectStatus(toLevel2, 200);
    expect(toLevel2.body.ticket.tier).toBe('level2');
    expectStatus(vendorReplyAtLevel2, 403); // the partner's tier: the vendor reads and notes
    expectStatus(vendorNoteAtLevel2, 201);
    expectStatus(withoutSteps, 422);
    expect(withoutSteps.body.message).toMatch(/stepsToReproduce|steps to reproduce/i);
    expectStatus(toLevel3, 200);
    expect(toLevel3.body.ticket).toMatchObject({ tier: 'level3', partnerHandover: { partnerId: PARTNER, from: 'level2', to: 'level3' } });
    expectStatus(readAfter, 200);
    expect(readAfter.body.timeline.some((event: { type: string; body?: string }) => event.type === 'internal-note' && event.body === 'Known issue in 4.2?')).toBe(true);
    expectStatus(noteAfter, 201);
    expectStatus(replyAfter, 403);
    expectStatus(actAfter, 403);
    expectStatus(vendorWorks, 201);
  });
});
