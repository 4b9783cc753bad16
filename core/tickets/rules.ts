/**
 * Ticket rules: what opening a case, a message or an agent action does to a ticket and its
 * SLA objectives. Pure functions: a ticket and an input in, the changed ticket and the
 * timeline events out. Storage and transport live in functions/.
 */

import { grantsPriorityUpdates } from '../entitlement';
import { cutText, LIMITS } from '../limits';
import type { Policy, TierSpec } from '../policy/schema';
import { type TIER_ENTRIES, TIER_REQUIREMENTS } from '../policy/vocabulary';
import { countedPauses, managementRunning, managementStep, objectiveRunning as running } from '../sla/schedule';
import { findCaseReason, findSeverity, type Metric, resolveTarget, type SlaPlanner, TargetError } from '../sla/targets';
import type { Actor, EventType, Objective, PeriodIssue, ResolutionType, SlaState, Ticket, TimelineEvent } from './model';

/** A request the ticket's state or the policy does not allow; `field` names the culprit. */
export class RuleError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** conflict: the ticket's state forbids it (409); unmet: a requirement is missing (422). */
    readonly kind: 'conflict' | 'unmet' = 'conflict',
  ) {
    super(message);
    this.name = 'RuleError';
  }
}

export interface RuleContext {
  policy: Policy;
  planner: SlaPlanner;
  now: number;
  newId: () => string;
}

export interface Change {
  ticket: Ticket;
  events: TimelineEvent[];
}

/** What intake knows of a new ticket; the rules fill in the rest. */
export type NewTicket = Pick<Ticket, 'id' | 'caseNumber' | 'customerId' | 'partnerId' | 'requester' | 'channel' | 'subject' | 'description' | 'severity' | 'caseReason' | 'product' | 'component'> & {
  entitlement: Ticket['entitlement'] & { addOns: string[] };
};

export function openTicket(given: NewTicket, ctx: RuleContext, actor: Actor): Change {
  const input = boundedTicket(given);
  const severity = findSeverity(ctx.policy, input.severity).id;
  // Stored by id, however the requester named it.
  const caseReason = input.caseReason ? caseReasonId(ctx.policy, input.caseReason) : undefined;
  const firstTier = ctx.policy.tiers[0]!;
  const at = iso(ctx.now);
  // The add-ons decide, here as at intake (core/entitlement.ts), whether fixes ship as priority updates.
  const { addOns, priorityUpdates: _given, ...decided } = input.entitlement;
  const entitlement = { ...decided, ...(grantsPriorityUpdates(ctx.policy, addOns) ? { priorityUpdates: true as const } : {}) };
  const ticket: Ticket = {
    id: input.id,
    caseNumber: input.caseNumber,
    version: 1,
    ...(input.customerId ? { customerId: input.customerId } : {}),
    ...(input.customerId && input.partnerId ? { partnerId: input.partnerId } : {}),
    requester: input.requester,
    channel: input.channel,
    subject: input.subject,
    description: input.description,
    severity,
    ...(caseReason ? { caseReason } : {}),
    ...(input.product ? { product: input.product } : {}),
    ...(input.component ? { component: input.component } : {}),
    tier: firstTier.id,
    team: firstTier.team,
    queue: '',
    status: 'new',
    details: {},
    flags: [],
    entitlement,
    sla: { plan: entitlement.plan ?? ctx.policy.defaultPlan, addOns, pauses: [] },
    createdAt: at,
    createdBy: actor,
    updatedAt: at,
  };
  const events: TimelineEvent[] = [];
  enterTier(ctx, ticket, firstTier, events);
  ticket.queue = queueOf(ticket, ctx.policy);
  ticket.sla.firstResponse = startObjective(at);
  ticket.sla.resolution = startResolution(ticket, at);
  replan(ticket, ctx);
  return { ticket, events };
}

/**
 * The "created" event is derived from the ticket (who, when, through which channel, what), not
 * stored beside it: opening a ticket stays a single write.
 */
export function createdEvent(ticket: Ticket): TimelineEvent {
  return {
    id: `${ticket.id}:created`,
    ticketId: ticket.id,
    at: ticket.createdAt,
    type: 'created',
    actor: ticket.createdBy,
    public: true,
    body: ticket.description,
    data: { channel: ticket.channel, ...(ticket.intakeMail ? { mail: ticket.intakeMail } : {}) },
  };
}

/** The whole timeline: the derived "created" event, then the stored ones in order. */
export function timelineOf(ticket: Ticket, stored: readonly TimelineEvent[]): TimelineEvent[] {
  return [createdEvent(ticket), ...stored];
}

export type MessageKind = 'customer' | 'agent-reply' | 'internal-note';

export function addMessage(current: Ticket, kind: MessageKind, text: string, ctx: RuleContext, actor: Actor): Change {
  const body = cutText(text, LIMITS.messageBody);
  if (current.status === 'closed') {
    throw new RuleError('status', `ticket ${current.caseNumber} is closed: open a new ticket instead`);
  }
  const ticket = structuredClone(current);
  const at = iso(ctx.now);
  const events: TimelineEvent[] = [];
  if (kind === 'internal-note') {
    // Internal notes never touch an objective: the customer has not heard from anyone.
    events.push(event(ctx, ticket, 'internal-note', actor, { public: false, body }));
  } else if (kind === 'agent-reply') {
    events.push(event(ctx, ticket, 'agent-reply', actor, { public: true, body }));
    meet(ticket.sla.firstResponse, at);
    meet(ticket.sla.nextResponse, at);
    // A public reply is the status report owed: the next one is owed a full interval from now.
    if (ticket.status !== 'resolved') ticket.sla.statusUpdate = startObjective(at);
    if (ticket.status === 'new') setStatus(ctx, ticket, 'open', actor, events);
  } else {
    events.push(event(ctx, ticket, 'customer-message', actor, { public: true, body }));
    if (ticket.status === 'resolved') reopen(ctx, ticket, actor, events, 'customer replied');
    else if (ticket.status === 'pending-customer') resume(ctx, ticket, actor, events);
    // The customer now waits on the vendor: the next-response clock runs until an agent answers.
    // A breached one is still unanswered: it stays, so the breach is not wiped by a follow-up.
    if (ticket.sla.firstResponse?.metAt && !unanswered(ticket.sla.nextResponse)) {
      ticket.sla.nextResponse = startObjective(at);
    }
  }
  return finish(ticket, ctx, events);
}

export type Action =
  | { type: 'assign'; assignee: string | null }
  | { type: 'set-severity'; severity: string }
  | { type: 'set-case-reason'; caseReason: string }
  | { type: 'record-details'; details: Ticket['details'] }
  | { type: 'escalate'; reason: string; tier?: string; details?: Ticket['details'] }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'resolve'; resolutionType: ResolutionType; text: string }
  | { type: 'reopen'; reason?: string }
  | { type: 'close'; reason?: string }
  /** The customer (or an agent for them) asks to escalate: step 1 of the management chain must answer. */
  | { type: 'customer-escalate'; reason: string }
  /** Staff answered the customer escalation: its timer stops. */
  | { type: 'acknowledge-escalation' }
  /** During a dedicated support period: the engineer hands a system or configuration issue to whom the policy names. */
  | { type: 'escalate-period-issue'; issue: PeriodIssue; reason: string };

export function applyAction(current: Ticket, given: Action, ctx: RuleContext, actor: Actor): Change {
  const action = boundedAction(given);
  if (current.status === 'closed' && action.type !== 'reopen') {
    throw new RuleError('status', `ticket ${current.caseNumber} is closed`);
  }
  const ticket = structuredClone(current);
  const events: TimelineEvent[] = [];
  switch (action.type) {
    case 'assign': {
      const from = ticket.assignee ?? null;
      if (action.assignee) ticket.assignee = action.assignee;
      else delete ticket.assignee;
      events.push(event(ctx, ticket, 'assignee-changed', actor, { public: false, data: { from, to: action.assignee } }));
      break;
    }
    case 'set-severity': {
      const to = findSeverity(ctx.policy, action.severity).id;
      const from = ticket.severity;
      ticket.severity = to;
      // finish() re-plans every running objective from its own start: a raised severity can pull a deadline in.
      events.push(event(ctx, ticket, 'severity-changed', actor, { public: true, data: { from, to } }));
      break;
    }
    case 'set-case-reason': {
      const to = caseReasonId(ctx.policy, action.caseReason);
      const from = ticket.caseReason ?? null;
      ticket.caseReason = to;
      ticket.flags = ticket.flags.filter((flag) => flag !== requirementFlag('caseReason'));
      events.push(event(ctx, ticket, 'case-reason-changed', actor, { public: false, data: { from, to } }));
      break;
    }
    case 'record-details':
      recordDetails(ctx, ticket, action.details, actor, events);
      break;
    case 'escalate':
      if (ticket.status === 'resolved') throw new RuleError('status', 'a resolved ticket cannot be escalated: reopen it first');
      // Blank detail fields (a form sent as is) are no details: the tier's own requirement then names what is missing.
      if (action.details && Object.keys(givenDetails(action.details)).length > 0) recordDetails(ctx, ticket, action.details, actor, events);
      escalate(ctx, ticket, action.reason, action.tier, actor, events);
      break;
    case 'pause':
      if (ticket.status === 'pending-customer') throw new RuleError('type', 'the ticket is already waiting on the customer');
      if (ticket.status === 'resolved') throw new RuleError('status', 'a resolved ticket cannot wait on the customer');
      ticket.sla.pauses = pausesThatCount(ticket.sla);
      if (ticket.sla.pauses.length >= LIMITS.pauses) throw tooManyPauses(ticket.sla);
      ticket.sla.pauses.push({ from: iso(ctx.now) });
      setStatus(ctx, ticket, 'pending-customer', actor, events);
      break;
    case 'resume':
      if (ticket.status !== 'pending-customer') throw new RuleError('type', 'the ticket is not waiting on the customer');
      resume(ctx, ticket, actor, events);
      break;
    case 'resolve': {
      if (ticket.status === 'resolved') throw new RuleError('status', 'the ticket is already resolved');
      closeOpenPause(ticket, ctx.now);
      ticket.resolution = { type: action.resolutionType, text: action.text, at: iso(ctx.now) };
      meet(ticket.sla.resolution, iso(ctx.now));
      stop(ticket.sla.nextResponse, iso(ctx.now));
      stop(ticket.sla.statusUpdate, iso(ctx.now));
      // The resolution notice is a public answer too.
      meet(ticket.sla.firstResponse, iso(ctx.now));
      setStatus(ctx, ticket, 'resolved', actor, events);
      events.push(event(ctx, ticket, 'resolved', actor, { public: true, body: action.text, data: { resolutionType: action.resolutionType } }));
      break;
    }
    case 'reopen':
      if (ticket.status !== 'resolved' && ticket.status !== 'closed') throw new RuleError('status', 'only resolved or closed tickets can be reopened');
      reopen(ctx, ticket, actor, events, action.reason);
      break;
    case 'close':
      closeOpenPause(ticket, ctx.now);
      for (const [key] of OBJECTIVES) stop(ticket.sla[key], iso(ctx.now));
      if (managementRunning(ticket.sla.management)) ticket.sla.management.stoppedAt = iso(ctx.now);
      setStatus(ctx, ticket, 'closed', actor, events);
      events.push(event(ctx, ticket, 'closed', actor, { public: true, ...(action.reason ? { body: action.reason } : {}) }));
      break;
    case 'customer-escalate':
      customerEscalate(ctx, ticket, action.reason, actor, events);
      break;
    case 'acknowledge-escalation':
      acknowledgeEscalation(ctx, ticket, actor, events);
      break;
    case 'escalate-period-issue':
      escalatePeriodIssue(ctx, ticket, action.issue, action.reason, actor, events);
      break;
  }
  return finish(ticket, ctx, events);
}

type TierRequirement = (typeof TIER_REQUIREMENTS)[number];
/** What a case can lack to enter a tier: a detail, or a case reason the tier is for. */
export type EntryNeed = TierRequirement | 'caseReason';
/** How a case enters a tier: the SLA clock moving it up ("timer") or an agent's escalation ("manual"). */
export type TierEntryBy = (typeof TIER_ENTRIES)[number];

/**
 * Whether a ticket may enter a tier; when not, the refusal an agent's escalation gets. `missing`
 * is empty when the tier is closed to this case by design (not entered that way, not for its
 * severity): the case stays where it is, and nothing is flagged as missing.
 */
export type TierEntry = { allowed: true; tier: TierSpec } | { allowed: false; tier?: TierSpec; missing: EntryNeed[]; refusal: RuleError };

/**
 * Whether the ticket may enter the tier above its own, or the named one, without throwing: the
 * SLA clock asks this (by "timer") before it moves a case up, and flags what is missing instead
 * of failing; an agent's escalation asks it "manual"ly.
 */
export function checkTierEntry(policy: Policy, ticket: Ticket, tierId?: string, by: TierEntryBy = 'manual'): TierEntry {
  const tiers = policy.tiers;
  const index = tiers.findIndex((t) => t.id === ticket.tier);
  const target = tierId ? tiers.find((t) => t.id === tierId) : tiers[index + 1];
  const refuse = (field: string, message: string, kind?: 'unmet', missing: EntryNeed[] = []): TierEntry => ({
    allowed: false,
    ...(target ? { tier: target } : {}),
    missing,
    refusal: new RuleError(field, message, kind),
  });
  if (!target) {
    return refuse('tier', tierId ? `unknown tier "${tierId}" (known: ${tiers.map((t) => t.id).join(', ')})` : `tier ${ticket.tier} is the highest tier`);
  }
  if (tiers.indexOf(target) <= index) return refuse('tier', `tier ${target.id} is not above the current tier ${ticket.tier}`);
  if (!target.enteredBy.includes(by)) {
    return refuse(
      'tier',
      by === 'timer'
        ? `tier ${target.id} (${target.name}) is entered only by an agent's escalation, not when a target resolution time passes`
        : `tier ${target.id} (${target.name}) is entered only when the target resolution time of the tier below passes`,
    );
  }
  if (target.severities && !target.severities.includes(ticket.severity)) {
    return refuse(
      'severity',
      `tier ${target.id} (${target.name}) works severities ${target.severities.join(', ')}, not ${ticket.severity}: change the severity first if the case is one of those`,
      'unmet',
    );
  }
  const missing: EntryNeed[] = [];
  if (target.entryCaseReasons && !target.entryCaseReasons.includes(ticket.caseReason ?? '')) missing.push('caseReason');
  missing.push(...target.entryRequires.filter((requirement) => !ticket.details[requirement]?.trim()));
  if (missing.length > 0) {
    const needs = missing.map((need) => (need === 'caseReason' ? `case reason ${target.entryCaseReasons!.join(' or ')}` : need));
    const field = missing[0] === 'caseReason' ? 'caseReason' : `details.${missing[0]}`;
    return refuse(field, `tier ${target.id} needs ${needs.join(', ')} before a ticket may enter it`, 'unmet', missing);
  }
  return { allowed: true, tier: target };
}

/** The tier above the current one, or the named one, if the ticket meets its entry requirements. */
function escalate(ctx: RuleContext, ticket: Ticket, reason: string, tierId: string | undefined, actor: Actor, events: TimelineEvent[], by: TierEntryBy = 'manual') {
  const entry = checkTierEntry(ctx.policy, ticket, tierId, by);
  if (!entry.allowed) throw entry.refusal;
  const from = ticket.tier;
  const target = entry.tier;
  recordPartnerHandover(ctx, ticket, target);
  ticket.tier = target.id;
  ticket.team = target.team;
  // During its support period a case the engineer cannot resolve leaves their queue for the new
  // tier's team's, as a period escalation does (the engineer stays assigned), and stays with that
  // team after the period. One already escalated to a team during the period stays with that team.
  if (ticket.dedicated && !ticket.dedicated.handedOver && !ticket.dedicated.queue) ticket.dedicated = { ...ticket.dedicated, queue: target.team };
  ticket.queue = queueOf(ticket, ctx.policy);
  // The flags said what the case lacked to move up; it has moved.
  ticket.flags = ticket.flags.filter((flag) => !REQUIREMENT_FLAGS.has(flag));
  stop(ticket.sla.resolution, iso(ctx.now));
  ticket.sla.resolution = startResolution(ticket, iso(ctx.now));
  events.push(event(ctx, ticket, 'escalated', actor, { public: true, body: reason, data: { from, to: target.id } }));
  events.push(event(ctx, ticket, 'tier-changed', actor, { public: false, data: { from, to: target.id } }));
  enterTier(ctx, ticket, target, events);
}

/**
 * A partner's case leaving the tiers the partner operates for one the vendor operates is handed
 * over (by an agent's escalation or the clock's): recorded on the ticket, so access is decided
 * from the ticket alone (core/access/authorize.ts). The first hand-over is kept.
 */
function recordPartnerHandover(ctx: RuleContext, ticket: Ticket, target: TierSpec): void {
  if (!ticket.partnerId || ticket.partnerHandover) return;
  const current = ctx.policy.tiers.find((tier) => tier.id === ticket.tier);
  if (current?.operatedBy !== 'partner' || target.operatedBy !== 'vendor') return;
  ticket.partnerHandover = { partnerId: ticket.partnerId, from: ticket.tier, to: target.id, at: iso(ctx.now) };
}

/**
 * The SLA clock moves the case up a tier because its target resolution time passed: an
 * escalation like an agent's, allowed only into a tier entered by "timer".
 */
export function escalateByTimer(current: Ticket, reason: string, ctx: RuleContext, actor: Actor): Change {
  const ticket = structuredClone(current);
  const events: TimelineEvent[] = [];
  escalate(ctx, ticket, cutText(reason, LIMITS.reason), undefined, actor, events, 'timer');
  return finish(ticket, ctx, events);
}

/** Set on a case at a code-fix tier whose customer has priority updates: its fix ships early. */
export const PRIORITY_UPDATE_FLAG = 'priority-update';
const ENTITLEMENT_ACTOR: Actor = { kind: 'system', id: 'entitlement' };

/**
 * What entering a tier gives the customer beyond its queue: at a tier that fixes by code change,
 * a customer whose add-on grants priority updates gets the fix early, through an accelerated
 * release. The case is flagged (and queued first, see queueOf) and the agents are told why.
 */
function enterTier(ctx: RuleContext, ticket: Ticket, tier: TierSpec, events: TimelineEvent[]) {
  if (!tier.codeFixes || !ticket.entitlement.priorityUpdates || ticket.flags.includes(PRIORITY_UPDATE_FLAG)) return;
  ticket.flags.push(PRIORITY_UPDATE_FLAG);
  const granting = ctx.policy.addOns.filter((addOn) => ticket.sla.addOns.includes(addOn.id) && addOn.grants.includes('priorityUpdates'));
  const body =
    `Priority update: the customer has ${granting.map((addOn) => addOn.name).join(', ') || 'priority updates'}. ` +
    `The fix for this case ships early through an accelerated release, not with the next service pack, patch or hotfix.`;
  events.push(event(ctx, ticket, 'internal-note', ENTITLEMENT_ACTOR, { public: false, body, data: { priorityUpdate: true, tier: tier.id, addOns: granting.map((addOn) => addOn.id) } }));
}

/** The flag that says a case lacks what a tier's entry requires, e.g. "needs-reproduction-steps", "needs-case-reason". */
export function requirementFlag(requirement: EntryNeed): string {
  return requirement === 'stepsToReproduce' ? 'needs-reproduction-steps' : `needs-${requirement.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
const REQUIREMENT_FLAGS = new Set([...TIER_REQUIREMENTS, 'caseReason' as const].map(requirementFlag));

/** Set by the SLA clock when a target is missed; it keeps the case in its team's priority queue (see queueOf). */
export const SLA_BREACHED_FLAG = 'sla-breached';
/** Set by the SLA clock when the last step of the management chain did not answer either; an acknowledgement clears it. */
export const ESCALATION_UNANSWERED_FLAG = 'escalation-unanswered';

/**
 * A customer asks to escalate: the first step of the management chain must answer within its
 * own target. Asked again after a step answered, the next step must; while a step still owes
 * an answer, asking again changes nothing the clock is not already doing, so it is refused.
 */
function customerEscalate(ctx: RuleContext, ticket: Ticket, reason: string, actor: Actor, events: TimelineEvent[]) {
  const chain = ctx.policy.managementChain;
  if (chain.length === 0) throw new RuleError('type', `policy ${ctx.policy.id} has no management escalation chain`, 'unmet');
  const current = ticket.sla.management;
  if (current && !current.acknowledgedAt && !current.stoppedAt) {
    throw new RuleError('type', `the case is already escalated to ${stepTitle(ctx.policy, current.step)}, who has not answered yet`);
  }
  const step = current?.acknowledgedAt ? current.step + 1 : 0;
  if (step >= chain.length) throw new RuleError('type', `the case was already escalated to the last step of the chain (${stepTitle(ctx.policy, current!.step)})`);
  ticket.sla.management = managementStep(ctx, step, reason, ctx.now);
  events.push(event(ctx, ticket, 'customer-escalation', actor, { public: true, body: reason, data: managementData(ctx.policy, ticket.sla.management) }));
}

function acknowledgeEscalation(ctx: RuleContext, ticket: Ticket, actor: Actor, events: TimelineEvent[]) {
  if (actor.kind === 'customer') throw new RuleError('type', 'only staff can acknowledge a customer escalation');
  const management = ticket.sla.management;
  // A last step that went unanswered can still be answered late: that ends the escalation too.
  if (!management || management.acknowledgedAt || management.stoppedAt) throw new RuleError('type', 'no customer escalation waits for an answer');
  management.acknowledgedAt = iso(ctx.now);
  ticket.flags = ticket.flags.filter((flag) => flag !== ESCALATION_UNANSWERED_FLAG);
  events.push(event(ctx, ticket, 'escalation-acknowledged', actor, { public: true, data: { step: management.stepId, title: stepTitle(ctx.policy, management.step) } }));
}

const PERIOD_ISSUE_NAMES: Record<PeriodIssue, string> = { system: 'System issue', configuration: 'Configuration issue' };

/**
 * During a dedicated support period the engineer hands a system issue to the infrastructure team
 * and a configuration issue to the project manager, as the policy names them
 * (supportPeriods.escalation: a team of notifications.teams); they and the period's point of
 * contact are told, and the period's summary lists it.
 */
function escalatePeriodIssue(ctx: RuleContext, ticket: Ticket, issue: PeriodIssue, reason: string, actor: Actor, events: TimelineEvent[]) {
  if (actor.kind === 'customer') throw new RuleError('type', 'only staff can escalate an issue of a support period');
  if (!ticket.dedicated) throw new RuleError('type', `ticket ${ticket.caseNumber} was not opened during a dedicated support period`);
  if (ticket.status === 'resolved') throw new RuleError('status', 'a resolved ticket cannot be escalated: reopen it first');
  const escalation = ctx.policy.supportPeriods?.escalation;
  if (!escalation) throw new RuleError('type', 'the policy has no supportPeriods.escalation');
  const to = issue === 'system' ? escalation.systemIssue : escalation.configurationIssue;
  // The newest are kept on the ticket (its summary lists them); every one stays on the timeline.
  const escalations = [...(ticket.dedicated.escalations ?? []), { issue, to, at: iso(ctx.now) }].slice(-LIMITS.periodEscalations);
  // The team's queue holds it from now on (docs/support-periods.md); the engineer stays assigned for the updates.
  ticket.dedicated = { ...ticket.dedicated, escalations, queue: to };
  ticket.queue = queueOf(ticket, ctx.policy);
  const notify = [`team:${to}`, ...(ticket.dedicated.contact ? ['period-contact'] : [])];
  events.push(event(ctx, ticket, 'period-escalated', actor, { public: true, body: `${PERIOD_ISSUE_NAMES[issue]}, escalated to ${to}: ${reason}`, data: { issue, to, notify } }));
}

/** What a timeline event says about a management step: who must answer, by when, and whom to notify. */
export function managementData(policy: Policy, management: NonNullable<SlaState['management']>): Record<string, unknown> {
  return { step: management.stepId, title: stepTitle(policy, management.step), due: management.due, notify: [`management:${management.stepId}`] };
}

function stepTitle(policy: Policy, step: number): string {
  return policy.managementChain[step]?.title ?? `step ${step + 1}`;
}

/** The detail fields that say something (not blank). */
function givenDetails(details: Ticket['details']): Record<string, string> {
  return Object.fromEntries(Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== ''));
}

function recordDetails(ctx: RuleContext, ticket: Ticket, details: Ticket['details'], actor: Actor, events: TimelineEvent[]) {
  const given = givenDetails(details);
  if (Object.keys(given).length === 0) throw new RuleError('details', 'give at least one of stepsToReproduce, actionPlan, symptoms, diagnosticData');
  Object.assign(ticket.details, given);
  const supplied = new Set(Object.keys(given).map((field) => requirementFlag(field as TierRequirement)));
  ticket.flags = ticket.flags.filter((flag) => !supplied.has(flag));
  events.push(event(ctx, ticket, 'details-recorded', actor, { public: false, data: { fields: Object.keys(given) } }));
}

function reopen(ctx: RuleContext, ticket: Ticket, actor: Actor, events: TimelineEvent[], reason?: string) {
  delete ticket.resolution;
  ticket.sla.resolution = startResolution(ticket, iso(ctx.now));
  // Open again after an answer: status reports are owed again, the first a full interval from now.
  if (ticket.sla.firstResponse?.metAt) ticket.sla.statusUpdate = startObjective(iso(ctx.now));
  setStatus(ctx, ticket, 'open', actor, events);
  events.push(event(ctx, ticket, 'reopened', actor, { public: true, ...(reason ? { body: reason } : {}) }));
}

function resume(ctx: RuleContext, ticket: Ticket, actor: Actor, events: TimelineEvent[]) {
  closeOpenPause(ticket, ctx.now);
  setStatus(ctx, ticket, 'open', actor, events);
}

function setStatus(ctx: RuleContext, ticket: Ticket, to: Ticket['status'], actor: Actor, events: TimelineEvent[]) {
  if (ticket.status === to) return;
  events.push(event(ctx, ticket, 'status-changed', actor, { public: true, data: { from: ticket.status, to } }));
  ticket.status = to;
  ticket.queue = queueOf(ticket, ctx.policy);
}

/**
 * The pause spans that can still move a due instant: the open one, and those that ended after
 * the earliest start of an objective still running. replan() and the schedule only ever measure a
 * running objective, from its own start, and a span that ended by then is skipped by the clock
 * (core/calendar/clock.ts); every objective started later (a next response, a new tier's
 * resolution) starts now, after all of them. So dropping the others changes no due instant,
 * and a ticket paused and resumed for years does not grow.
 */
export function pausesThatCount(sla: SlaState): SlaState['pauses'] {
  const starts = OBJECTIVES.map(([key]) => sla[key])
    .filter(running)
    .map((objective) => Date.parse(objective.startedAt));
  const earliest = starts.length ? Math.min(...starts) : Infinity;
  return sla.pauses.filter((pause) => !pause.to || Date.parse(pause.to) > earliest);
}

/** Even the spans that count are bounded: past LIMITS.pauses, the case is refused a further pause. */
function tooManyPauses(sla: SlaState): RuleError {
  const oldest = OBJECTIVES.filter(([key]) => running(sla[key])).sort(([a], [b]) => Date.parse(sla[a]!.startedAt) - Date.parse(sla[b]!.startedAt))[0];
  const clock = oldest ? OBJECTIVE_NAMES[oldest[0]] : 'SLA';
  return new RuleError(
    'type',
    `the ticket has waited on the customer ${sla.pauses.length} times since its ${clock} clock started (at most ${LIMITS.pauses}): it cannot be paused again until that clock stops (an answer, a resolution or an escalation)`,
  );
}

const OBJECTIVE_NAMES = { firstResponse: 'first-response', nextResponse: 'next-response', resolution: 'resolution', statusUpdate: 'status-update' } as const;

function closeOpenPause(ticket: Ticket, now: number) {
  const last = ticket.sla.pauses[ticket.sla.pauses.length - 1];
  if (last && !last.to) last.to = iso(now);
}

function startObjective(startedAt: string): Objective {
  return { startedAt, due: null };
}

function startResolution(ticket: Ticket, startedAt: string): NonNullable<SlaState['resolution']> {
  return { ...startObjective(startedAt), tier: ticket.tier };
}

function targetFor(ctx: Pick<RuleContext, 'policy'>, ticket: Ticket, metric: Metric) {
  try {
    return resolveTarget(ctx.policy, { plan: ticket.sla.plan, severity: ticket.severity, metric, tier: ticket.tier, addOns: ticket.sla.addOns });
  } catch (error) {
    if (error instanceof TargetError && error.field === 'metric') return undefined; // the policy sets no such objective
    throw error;
  }
}

/**
 * Recomputes every running objective from its own start with the policy's current target for
 * the ticket (severity, plan, tier), paused time excluded, and the queue order.
 */
export function replan(ticket: Ticket, ctx: Pick<RuleContext, 'policy' | 'planner'>): void {
  const { closed: closedPauses, pausedNow } = countedPauses(ticket, ctx.policy);
  let nextDue: number | undefined;
  for (const [key, metric] of OBJECTIVES) {
    const objective = ticket.sla[key];
    if (!running(objective)) continue;
    const target = targetFor(ctx, ticket, metric);
    if (!target) {
      // No target for this severity/plan/tier now; the clock keeps its start for a later change.
      delete objective.within;
      delete objective.calendar;
      objective.due = null;
      continue;
    }
    objective.within = target.within;
    objective.calendar = target.calendar;
    if (pausedNow) {
      objective.due = null;
      continue;
    }
    const due = ctx.planner.clock(target.calendar).due(Date.parse(objective.startedAt), target.durationMs, closedPauses);
    objective.due = iso(due);
    nextDue = nextDue === undefined ? due : Math.min(nextDue, due);
  }
  if (nextDue === undefined) delete ticket.sla.nextDue;
  else ticket.sla.nextDue = iso(nextDue);
}

const OBJECTIVES = [
  ['firstResponse', 'first-response'],
  ['nextResponse', 'next-response'],
  ['resolution', 'resolution'],
  ['statusUpdate', 'status-update'],
] as const;

/** Not yet answered and still owed: running, or breached and still waiting for its answer. */
function unanswered(objective: Objective | undefined): boolean {
  return !!objective && !objective.metAt && !objective.stoppedAt;
}

/** Met now, late or not; an objective that was stopped (ticket closed, tier left) stays stopped. */
function meet(objective: Objective | undefined, at: string) {
  if (objective && !objective.metAt && !objective.stoppedAt) objective.metAt = at;
}

/** An objective that no longer applies (ticket closed, tier left) stops without being met. */
function stop(objective: Objective | undefined, at: string) {
  if (running(objective)) {
    objective.stoppedAt = at;
    objective.due = null;
  }
}

/**
 * Unverified and lapsed requesters wait in triage until someone moves the case past the first
 * tier. Designated users of a priority-queue plan wait in their team's priority queue, and so do
 * cases at a code-fix tier whose customer has priority updates (their fixes ship first). A case
 * that missed a target goes where policy.sla.breachedQueue says: the priority queue, or its own
 * "<team>:breached" queue, most urgent first (placeInBreachedQueue), leaving the priority queue
 * to the cases entitled to it.
 */
export function queueOf(ticket: Ticket, policy: Policy): string {
  // During its period: the engineer's queue, or the escalation team's (dedicated.queue). Once the
  // period ended and handed it over (core/periods/routing.ts), its team's queue as any ticket's.
  if (ticket.dedicated && !ticket.dedicated.handedOver) return ticket.dedicated.queue ?? `dedicated:${ticket.dedicated.engineerId}`;
  if (ticket.entitlement.queue === 'triage' && ticket.tier === policy.tiers[0]!.id) return 'triage';
  const tier = policy.tiers.find((t) => t.id === ticket.tier);
  const entitled = ticket.entitlement.queue === 'priority' || (!!tier?.codeFixes && !!ticket.entitlement.priorityUpdates);
  if (entitled) return `${ticket.team}:priority`;
  if (!ticket.flags.includes(SLA_BREACHED_FLAG)) return ticket.team;
  return policy.sla.breachedQueue === 'breached' ? `${ticket.team}${BREACHED_QUEUE_SUFFIX}` : `${ticket.team}:priority`;
}

export const BREACHED_QUEUE_SUFFIX = ':breached';

/**
 * A "<team>:breached" queue is worked by urgency: the most severe case first, then the one that
 * has been overdue longest (its earliest recorded breach; the opening if that objective was
 * replaced by a tier move). Any other queue sorts by next due (no queueOrder), except a
 * dedicated engineer's, which finish() orders.
 */
export function placeInBreachedQueue(ticket: Ticket, policy: Policy): void {
  if (!ticket.queue.endsWith(BREACHED_QUEUE_SUFFIX)) {
    if (!ticket.dedicated) delete ticket.queueOrder;
    return;
  }
  const breaches = [...OBJECTIVES.map(([key]) => ticket.sla[key]?.breachedAt), ticket.sla.management?.breachedAt].filter((at): at is string => !!at);
  const since = breaches.sort()[0] ?? ticket.createdAt;
  ticket.queueOrder = `${String(policy.severities.findIndex((s) => s.id === ticket.severity)).padStart(3, '0')}#${since}`;
}

/** A case reason given by id or name, as its id; an unknown one is a 422 naming caseReason. */
function caseReasonId(policy: Policy, caseReason: string): string {
  try {
    return findCaseReason(policy, caseReason).id;
  } catch (error) {
    if (error instanceof TargetError) throw new RuleError('caseReason', error.message, 'unmet');
    throw error;
  }
}

/**
 * The API refuses text over its limit (a 400 naming the field) and mail and webhooks cut theirs
 * (keeping the original); this last guard cuts whatever a caller let through, so no input can
 * make a ticket or event item outgrow DynamoDB's 400 KB (test/limits.test.ts).
 */
function boundedTicket(input: NewTicket): NewTicket {
  const { email, name, phone, company, timeZone } = input.requester;
  const requester = {
    ...(email !== undefined ? { email: cutText(email, LIMITS.email) } : {}),
    ...(name !== undefined ? { name: cutText(name, LIMITS.name) } : {}),
    ...(phone !== undefined ? { phone: cutText(phone, LIMITS.phone) } : {}),
    ...(company !== undefined ? { company: cutText(company, LIMITS.name) } : {}),
    ...(timeZone !== undefined ? { timeZone: cutText(timeZone, LIMITS.id) } : {}),
  };
  return {
    ...input,
    requester,
    subject: cutText(input.subject, LIMITS.subject),
    description: cutText(input.description, LIMITS.description),
    ...(input.product ? { product: cutText(input.product, LIMITS.label) } : {}),
    ...(input.component ? { component: cutText(input.component, LIMITS.label) } : {}),
  };
}

function boundedDetails(details: Ticket['details']): Ticket['details'] {
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, typeof value === 'string' ? cutText(value, LIMITS.detail) : value]));
}

function boundedAction(action: Action): Action {
  const reason = (text: string) => cutText(text, LIMITS.reason);
  switch (action.type) {
    case 'assign':
      return action.assignee ? { ...action, assignee: cutText(action.assignee, LIMITS.assignee) } : action;
    case 'record-details':
      return { ...action, details: boundedDetails(action.details) };
    case 'escalate':
      return { ...action, reason: reason(action.reason), ...(action.details ? { details: boundedDetails(action.details) } : {}) };
    case 'resolve':
      return { ...action, text: cutText(action.text, LIMITS.resolution) };
    case 'reopen':
    case 'close':
      return action.reason ? { ...action, reason: reason(action.reason) } : action;
    case 'customer-escalate':
    case 'escalate-period-issue':
      return { ...action, reason: reason(action.reason) };
    default:
      return action;
  }
}

function finish(ticket: Ticket, ctx: RuleContext, events: TimelineEvent[]): Change {
  replan(ticket, ctx);
  // A dedicated engineer works the most severe first, then the oldest (issue [6]).
  if (ticket.dedicated && ticket.queue === `dedicated:${ticket.dedicated.engineerId}`)
    ticket.queueOrder = `${String(ctx.policy.severities.findIndex((s) => s.id === ticket.severity)).padStart(3, '0')}#${ticket.createdAt}`;
  // Handed to a team's queue: it sorts by next due like the queue's other tickets.
  else if (ticket.dedicated) delete ticket.queueOrder;
  placeInBreachedQueue(ticket, ctx.policy);
  ticket.updatedAt = iso(ctx.now);
  return { ticket, events };
}

function event(ctx: RuleContext, ticket: Ticket, type: EventType, actor: Actor, extra: { public: boolean; body?: string; data?: Record<string, unknown> }): TimelineEvent {
  return { id: ctx.newId(), ticketId: ticket.id, at: iso(ctx.now), type, actor, ...extra };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
