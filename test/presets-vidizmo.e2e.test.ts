/**
 * VIDIZMO's support document (002 "Tiered Support") walked end to end on `npm start`'s runtime,
 * with a short-target copy of presets/vidizmo.yaml (test/support/short-preset.ts: every calendar
 * always open, every target ÷ 2,880, so a business day of 8 hours is 10 s) and its staff directory
 * (presets/staff/vidizmo.yaml: one team per tier). In the document's order: a case created via the
 * web with company name and contact details gets a unique Support Case number; 1st tier keeps
 * how-to questions (Severity 4) even when their target resolution time passes; critical, high and
 * medium cases move to 2nd tier when theirs passes, and stay there when 2nd tier's passes; 3rd tier
 * is entered for a code change alone; the 3rd tier priority updates service puts the customer's
 * code fixes first. Each mail is read back from the SES emulator: who got it (people of the
 * directory, by address) and what it says.
 *
 * As in test/sla-workflow.e2e.test.ts nothing depends on the machine's speed: due instants are
 * exact (started + target), the clock never acts early and acts within LATE_MS; a step that must
 * come before a deadline has at least 15 s to spare.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from './support/eventually';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { caseMails, expectAround, LATE_MS, recipients, ticketCalls } from './support/scenario';
import { shortPreset } from './support/short-preset';

/** Real time ÷ SCALE = test time: a business day (8 h) → 10 s, 2 hours → 3 s (rounded up to whole seconds). */
const SCALE = 2_880;
vi.setConfig({ testTimeout: 150_000 });

// The staff directory (presets/staff/vidizmo.yaml).
const TIER1_LEAD = 'ayesha.khan@vidizmo.example';
const TIER1_AGENT = { id: 'daniel.brooks', email: 'daniel.brooks@vidizmo.example' };
const TIER2 = ['laura.bennett@vidizmo.example', 'bilal.siddiqui@vidizmo.example']; // lead first
const TIER3 = ['michael.chen@vidizmo.example', 'zara.hussain@vidizmo.example']; // lead first

let runtime: Runtime;
let request: ReturnType<typeof api>;

beforeAll(async () => {
  runtime = await startTestRuntime({ policy: shortPreset('vidizmo', { scale: SCALE }) });
  request = api(runtime);
  const customers: Record<string, unknown> = {
    // Premium Plus with the 3rd tier priority updates service.
    globex: { name: 'Globex Media', plan: 'premium-plus', addOns: ['priority-updates'], emailDomains: ['globex.example'], timeZone: 'Asia/Karachi' },
    // Standard Support, no add-on.
    contoso: { name: 'Contoso', plan: 'standard', emailDomains: ['contoso.example'] },
  };
  for (const [id, body] of Object.entries(customers)) {
    const put = await request('PUT', `/customers/${id}`, { body });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
  }
});

afterAll(async () => {
  await runtime?.stop();
});

interface Event {
  id: string;
  type: string;
  at: string;
  public: boolean;
  body?: string;
  data?: Record<string, any>;
}
type Ticket = {
  id: string;
  caseNumber: string;
  severity: string;
  caseReason?: string;
  tier: string;
  team: string;
  queue: string;
  flags: string[];
  createdAt: string;
  requester: Record<string, string>;
  entitlement: Record<string, any>;
  sla: Record<string, any>;
  timeline: Event[];
};

async function newTicket(body: { requester: Record<string, string>; severity: string; subject: string; caseReason?: string }) {
  const created = await request('POST', '/tickets', { body: { description: 'Details inside.', ...body } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.ticket as Ticket;
}

const { read: ticket, act } = ticketCalls<Ticket>((...args) => request(...args));
const mails = caseMails(() => runtime).containing;

/** The clock's event of this type on an objective (a resolution one: at this tier), once there. */
function clockEvent(id: string, type: 'sla-warning' | 'sla-breached', objective: string, withinMs: number, tier?: string): Promise<Event> {
  return eventually(
    `${id} ${type} ${objective}${tier ? ` at ${tier}` : ''}`,
    async () => (await ticket(id)).timeline.find((e) => e.type === type && e.data?.objective === objective && (!tier || e.data?.tier === tier)),
    withinMs,
  );
}

async function queue(name: string): Promise<string[]> {
  const listed = await request('GET', `/tickets?queue=${encodeURIComponent(name)}&limit=100`);
  expect(listed.status).toBe(200);
  return listed.body.items.map((t: { id: string }) => t.id);
}

describe.concurrent('VIDIZMO tiered support', () => {
  it('a case created via the web carries company name and contact information and gets a unique Support Case number, acknowledged with its target', async () => {
    // A company the desk has no record of yet: kept on the case, which waits in triage.
    const requester = { email: 'li@initech.example', name: 'Li Wei', phone: '+1 212 555 0101', company: 'Initech LLC' };
    const first = await newTicket({ requester, severity: 'sev4', subject: 'How do I embed a video?' });
    const second = await newTicket({ requester, severity: 'Severity 4 – How-to', subject: 'How do I share a playlist?' });
    expect(first.caseNumber).toMatch(/^VIDZ-\d+$/);
    expect(second.caseNumber).not.toBe(first.caseNumber);
    expect(second.severity).toBe('sev4');
    const read = await ticket(first.id);
    expect(read.requester).toMatchObject({ company: 'Initech LLC', phone: '+1 212 555 0101', email: 'li@initech.example' });
    expect(read.entitlement).toMatchObject({ status: 'unverified', plan: 'standard', queue: 'triage' });
    expect(await queue('triage')).toContain(first.id);

    // Standard Support, Severity 4: first response within 3 business days → 30 s.
    const [ack] = await mails(first.caseNumber, 'We received your request', 1);
    expect(ack!.destination.to).toEqual(['li@initech.example']);
    expect(ack!.body.text).toContain(`Your case number is ${first.caseNumber} (severity: Severity 4 – How-to).`);
    expect(ack!.body.text).toContain('We will respond within 30 seconds (around the clock), that is by ');
    expect(ack!.body.text).toContain('Nature of the case:\n  - Simple and generic how-to questions');
  });

  it('1st tier: a how-to question (Severity 4) stays in 1st tier when its target resolution time passes; the breach reaches the assignee and the 1st tier lead', async () => {
    // Premium Plus, Severity 4: first response 1 business day (10 s), 1st tier resolution 2 (20 s).
    const opened = await newTicket({ requester: { email: 'ravi@globex.example', name: 'Ravi Shah' }, severity: 'sev4', subject: 'Where is the upload button?', caseReason: 'How-to question' });
    const { id, caseNumber } = opened;
    // Taken at once: 16 s before the resolution warning.
    expect((await act(id, { type: 'assign', assignee: TIER1_AGENT.id })).status).toBe(200);
    expect(opened).toMatchObject({ tier: 'tier1', team: 'vidizmo-tier1', queue: 'vidizmo-tier1', caseReason: 'how-to' });
    const createdAt = Date.parse(opened.createdAt);
    expect(opened.sla.resolution).toMatchObject({ tier: 'tier1', within: '20s', due: new Date(createdAt + 20_000).toISOString() });

    // An agent cannot hand a how-to question to 2nd tier: it works critical, high and medium cases.
    const refused = await act(id, { type: 'escalate', reason: 'Not sure where the button is.' });
    expect(refused.status).toBe(422);
    expect(refused.body.field).toBe('severity');
    expect(refused.body.message).toContain('tier tier2 (2nd Tier Support) works severities sev1, sev2, sev3, not sev4');

    // Nobody resolves it: the resolution warning and breach go to the assignee and the 1st tier lead.
    const breach = await clockEvent(id, 'sla-breached', 'resolution', 20_000 + LATE_MS, 'tier1');
    expect(Date.parse(breach.data!.due)).toBe(createdAt + 20_000);
    expectAround(breach.at, createdAt + 20_000);
    const warnings = await mails(caseNumber, 'SLA warning: resolution due', 2);
    expect(recipients(warnings)).toEqual([TIER1_LEAD, TIER1_AGENT.email].sort());
    const breaches = await mails(caseNumber, 'SLA breached: resolution was due', 2);
    expect(recipients(breaches)).toEqual([TIER1_LEAD, TIER1_AGENT.email].sort());
    expect(breaches[0]!.body.text).toContain('Severity: Severity 4 – How-to\nTier: 1st Tier Support\nTeam: vidizmo-tier1\nAssignee: daniel.brooks');

    // It stays in 1st tier, flagged, in the team's breached queue; nothing was escalated or blocked.
    const after = await ticket(id);
    expect(after).toMatchObject({ tier: 'tier1', team: 'vidizmo-tier1', queue: 'vidizmo-tier1:breached' });
    expect(after.flags).toContain('sla-breached');
    expect(after.timeline.filter((e) => e.type === 'escalated' || e.type === 'escalation-blocked')).toEqual([]);
    const staff = (await runtime.ses.store()).filter((m) => m.subject.includes(`[${caseNumber}]`)).flatMap((m) => m.destination.to);
    expect(staff.filter((to) => TIER2.includes(to) || TIER3.includes(to))).toEqual([]);
  });

  it("2nd tier: a high severity case moves up when its 1st tier target resolution time passes, and stays in 2nd tier when 2nd tier's passes", async () => {
    // Premium Plus, Severity 2: 1st tier resolution 1 business day (10 s), 2nd tier 2 (20 s).
    const opened = await newTicket({
      requester: { email: 'mia@globex.example', name: 'Mia Khan' },
      severity: 'Severity 2 – High',
      subject: 'Transcoding fails for MOV files',
      caseReason: 'product-bug',
    });
    const { id, caseNumber } = opened;
    const createdAt = Date.parse(opened.createdAt);
    expect(opened.sla.resolution).toMatchObject({ tier: 'tier1', within: '10s', due: new Date(createdAt + 10_000).toISOString() });

    // The 1st tier target passes: 2nd tier is engaged, its team told.
    const tier1Breach = await clockEvent(id, 'sla-breached', 'resolution', 10_000 + LATE_MS, 'tier1');
    expect(Date.parse(tier1Breach.data!.due)).toBe(createdAt + 10_000);
    expectAround(tier1Breach.at, createdAt + 10_000);
    const moved = await ticket(id);
    const escalated = moved.timeline.find((e) => e.type === 'escalated')!;
    expect(escalated).toMatchObject({ at: tier1Breach.at, data: { from: 'tier1', to: 'tier2' }, body: '1st Tier Support target resolution time (10s) passed' });
    expect(moved.sla.resolution).toMatchObject({ tier: 'tier2', within: '20s', due: new Date(Date.parse(escalated.at) + 20_000).toISOString() });
    const escalations = await mails(caseNumber, 'Escalated to 2nd Tier Support', 2);
    expect(recipients(escalations)).toEqual([...TIER2].sort());
    expect(escalations[0]!.body.text).toContain(
      `Case ${caseNumber} ("Transcoding fails for MOV files") is now at 2nd Tier Support (team vidizmo-tier2).\n\n1st Tier Support target resolution time (10s) passed`,
    );

    // The 2nd tier target passes too: recorded and told to the 2nd tier lead; no timer moves a case to 3rd tier.
    const tier2Breach = await clockEvent(id, 'sla-breached', 'resolution', 20_000 + LATE_MS, 'tier2');
    expect(Date.parse(tier2Breach.data!.due)).toBe(Date.parse(escalated.at) + 20_000);
    expectAround(tier2Breach.at, Date.parse(escalated.at) + 20_000);
    const after = await ticket(id);
    expect(after).toMatchObject({ tier: 'tier2', team: 'vidizmo-tier2', queue: 'vidizmo-tier2:breached' });
    expect(after.timeline.filter((e) => e.type === 'escalated')).toHaveLength(1);
    // Each tier's breach notice goes to the lead of the tier that missed it, and says which tier
    // that was (the 1st tier's was sent after the case had moved up in the same change).
    const breaches = await mails(caseNumber, 'SLA breached: resolution was due', 2);
    const about = (tier: string) => breaches.filter((m) => m.body.text!.includes(`Tier: ${tier}\nTeam: `));
    expect(recipients(about('1st Tier Support'))).toEqual([TIER1_LEAD]);
    expect(about('1st Tier Support')[0]!.body.text).toContain('Tier: 1st Tier Support\nTeam: vidizmo-tier1\n');
    expect(recipients(about('2nd Tier Support'))).toEqual([TIER2[0]]);
    expect(about('2nd Tier Support')[0]!.body.text).toContain('Tier: 2nd Tier Support\nTeam: vidizmo-tier2\n');
    const toTier3 = (await runtime.ses.store()).filter((m) => m.subject.includes(`[${caseNumber}]`) && m.destination.to.some((to) => TIER3.includes(to)));
    expect(toTier3).toEqual([]);
  });

  it('3rd tier: entered only for a code change, with steps to reproduce; without priority updates the fix waits for the next release', async () => {
    // Standard, Severity 3: 1st tier resolution 5 business days (50 s): every step below is at once.
    const opened = await newTicket({ requester: { email: 'sam@contoso.example', name: 'Sam Roe' }, severity: 'sev3', subject: 'Captions drift after 10 minutes' });
    const { id, caseNumber } = opened;
    expect(opened.entitlement).toMatchObject({ plan: 'standard', status: 'entitled' });
    expect(opened.entitlement.priorityUpdates).toBeUndefined();

    // 1st tier asks the product team for help: an agent's escalation engages 2nd tier.
    const toTier2 = await act(id, { type: 'escalate', reason: 'Needs the product team.' });
    expect(toTier2.status, JSON.stringify(toTier2.body)).toBe(200);
    expect(toTier2.body.ticket.tier).toBe('tier2');
    expect(recipients(await mails(caseNumber, 'Escalated to 2nd Tier Support', 2))).toEqual([...TIER2].sort());

    // Not a code change (yet): 3rd tier refuses it, naming what is missing.
    const noReason = await act(id, { type: 'escalate', reason: 'Still drifting.', details: { stepsToReproduce: 'Play any 15-minute video with captions.' } });
    expect(noReason.status).toBe(422);
    expect(noReason.body.field).toBe('caseReason');
    expect(noReason.body.message).toBe('tier tier3 needs case reason code-change before a ticket may enter it');
    expect((await act(id, { type: 'set-case-reason', caseReason: 'Code change needed' })).status).toBe(200);
    const noSteps = await act(id, { type: 'escalate', reason: 'No workaround: the caption timer must change.' });
    expect(noSteps.status).toBe(422);
    expect(noSteps.body.field).toBe('details.stepsToReproduce');

    const toTier3 = await act(id, { type: 'escalate', reason: 'No workaround: the caption timer must change.', details: { stepsToReproduce: 'Play any 15-minute video with captions.' } });
    expect(toTier3.status, JSON.stringify(toTier3.body)).toBe(200);
    expect(toTier3.body.ticket).toMatchObject({ tier: 'tier3', team: 'vidizmo-tier3', queue: 'vidizmo-tier3', caseReason: 'code-change' });
    expect(toTier3.body.ticket.flags).not.toContain('priority-update');
    const escalations = await mails(caseNumber, 'Escalated to 3rd Tier Support', 2);
    expect(recipients(escalations)).toEqual([...TIER3].sort());
    expect(escalations[0]!.body.text).toContain('is now at 3rd Tier Support (team vidizmo-tier3).\n\nNo workaround: the caption timer must change.');
    // 3rd tier has no target resolution time: fixes ship with releases.
    expect((await ticket(id)).sla.resolution).toMatchObject({ tier: 'tier3', due: null });
    expect(await queue('vidizmo-tier3:priority')).not.toContain(id);
  });

  it("3rd tier priority updates: the customer's code fix is flagged, queued first and ships early through an accelerated release", async () => {
    // Premium Plus, Severity 3: 1st tier resolution 2 business days (20 s): the escalation below is at once.
    const opened = await newTicket({ requester: { email: 'ola@globex.example', name: 'Ola Berg' }, severity: 'sev3', subject: 'Search index misses new uploads', caseReason: 'Code change needed' });
    const { id, caseNumber } = opened;
    expect(opened.entitlement).toMatchObject({ plan: 'premium-plus', priorityUpdates: true });
    expect(opened.entitlement.reasons).toContain('priority updates: code fixes ship early through accelerated releases');
    expect(opened.flags).not.toContain('priority-update'); // 1st tier: nothing to ship yet

    const escalated = await act(id, { type: 'escalate', tier: 'tier3', reason: 'The indexer must be changed.', details: { stepsToReproduce: 'Upload a file, search for its title.' } });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);
    expect(escalated.body.ticket).toMatchObject({ tier: 'tier3', queue: 'vidizmo-tier3:priority' });
    expect(escalated.body.ticket.flags).toContain('priority-update');
    expect(await queue('vidizmo-tier3:priority')).toContain(id);
    const note = (await ticket(id)).timeline.find((e) => e.data?.priorityUpdate);
    expect(note).toMatchObject({ type: 'internal-note', public: false, data: { tier: 'tier3', addOns: ['priority-updates'] } });
    expect(note!.body).toBe(
      'Priority update: the customer has 3rd tier priority updates. The fix for this case ships early through an accelerated release, not with the next service pack, patch or hotfix.',
    );
    const escalations = await mails(caseNumber, 'Escalated to 3rd Tier Support', 2);
    expect(recipients(escalations)).toEqual([...TIER3].sort());
  });
});
