/**
 * The severity of a ticket a mail opens. A policy may name markers ("Sev1", "P1", "production
 * down") for severities (policy.severityMarkers); a marker counts only when the sender is
 * entitled to set a severity that way (honouredFor: designated users, entitled customers, a
 * plan, an add-on). Everyone else gets the default severity. Either way the decision and its
 * reason go on the ticket's timeline as an internal note, so the agent at triage sees why. Pure.
 */
import type { EntitlementDecision } from '../entitlement';
import { cutText, LIMITS } from '../limits';
import type { Policy } from '../policy/schema';
import type { TimelineEvent } from '../tickets/model';
import type { Change } from '../tickets/rules';
import { intakeSeverity } from './ticket-mail';

/**
 * Markers are looked for in the subject, then in the first this-many characters of the text:
 * CHOSEN: a requester writes the urgency at the top; further down, logs and quoted mail may hold
 * "P1" or "down" by chance.
 */
export const MARKER_TEXT_CHARS = 1_000;

export interface MarkerFound {
  severity: string;
  /** The phrase as the policy writes it. */
  phrase: string;
  where: 'subject' | 'text';
}

export interface MailSeverity {
  /** The severity id the ticket opens with. */
  severity: string;
  /** The marker found, if any. */
  marker?: MarkerFound;
  /** Whether the marker set the severity. */
  honoured?: boolean;
  /** For the timeline (internal); absent when the mail had no marker. */
  note?: string;
}

/** The parts of an entitlement decision the conditions read. */
export type MarkerEntitlement = Pick<EntitlementDecision, 'status' | 'designatedUser' | 'plan' | 'addOns' | 'reasons'>;

/** `phrase` as a whole-word, any-case pattern; letters and digits may be split by a space, "-" or "_" ("Sev1" ~ "SEV-1"). */
function phrasePattern(phrase: string): RegExp | undefined {
  const tokens = phrase.match(/\p{L}+|\p{N}+/gu);
  if (!tokens) return undefined;
  const escaped = tokens.map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped.join('[\\s_-]*')}(?![\\p{L}\\p{N}])`, 'iu');
}

/** The most urgent marker in the subject, else in the top of the text (severities are listed most urgent first). */
export function findSeverityMarker(policy: Policy, subject: string, text: string): MarkerFound | undefined {
  const markers = policy.severityMarkers?.markers ?? [];
  if (markers.length === 0) return undefined;
  const rank = (severity: string) => policy.severities.findIndex((candidate) => candidate.id === severity);
  const ordered = [...markers].sort((a, b) => rank(a.severity) - rank(b.severity));
  for (const [where, content] of [
    ['subject', subject],
    ['text', text.slice(0, MARKER_TEXT_CHARS)],
  ] as const) {
    for (const marker of ordered) {
      const phrase = marker.phrases.find((candidate) => phrasePattern(candidate)?.test(content));
      if (phrase) return { severity: marker.severity, phrase, where };
    }
  }
  return undefined;
}

const CONDITION_WORDS: Record<string, (id: string) => string> = {
  'designated-user': () => 'designated users',
  entitled: () => 'requesters of an entitled customer',
  plan: (id) => `entitled customers on plan ${id}`,
  'add-on': (id) => `entitled customers with add-on ${id}`,
};

/** Which of the policy's conditions the sender meets (the first), or undefined. */
function metCondition(conditions: readonly string[], entitlement: MarkerEntitlement): string | undefined {
  return conditions.find((condition) => {
    const [kind, id] = condition.split(':') as [string, string | undefined];
    const entitled = entitlement.status === 'entitled';
    switch (kind) {
      case 'designated-user':
        return entitlement.designatedUser;
      case 'entitled':
        return entitled;
      case 'plan':
        return entitled && entitlement.plan === id;
      case 'add-on':
        return entitled && entitlement.addOns.includes(id!);
      default:
        return false;
    }
  });
}

function describeCondition(condition: string): string {
  const [kind, id] = condition.split(':') as [string, string | undefined];
  return CONDITION_WORDS[kind]?.(id ?? '') ?? condition;
}

/** The severity a new mail's ticket opens with, and why (see the file's comment). */
export function severityFromMail(policy: Policy, mail: { subject: string; text: string }, sender: string, entitlement: MarkerEntitlement): MailSeverity {
  const fallback = intakeSeverity(policy);
  const marker = findSeverityMarker(policy, mail.subject, mail.text);
  if (!marker) return { severity: fallback };
  const name = (id: string) => policy.severities.find((severity) => severity.id === id)?.name ?? id;
  const said = `The mail's ${marker.where} says "${marker.phrase}" (severity ${name(marker.severity)})`;
  const conditions = policy.severityMarkers!.honouredFor;
  const met = metCondition(conditions, entitlement);
  if (met) {
    return { severity: marker.severity, marker, honoured: true, note: `${said}: honoured, as ${sender} is one of the ${describeCondition(met)}.` };
  }
  const whom = conditions.map(describeCondition).join(' or ');
  return {
    severity: fallback,
    marker,
    honoured: false,
    note:
      `${said}, but severity markers are honoured only for ${whom}, and ${sender} is not (${entitlement.reasons.join('; ')}). ` +
      `The default severity ${name(fallback)} applies; an agent may change it.`,
  };
}

/** The opened ticket with the decision's note on its timeline (internal); unchanged when the mail had no marker. */
export function withSeverityNote(change: Change, decision: MailSeverity, id: string): Change {
  if (!decision.note || !decision.marker) return change;
  const note: TimelineEvent = {
    id,
    ticketId: change.ticket.id,
    at: change.ticket.createdAt,
    type: 'internal-note',
    actor: { kind: 'system', id: 'inbound-mail' },
    public: false,
    body: cutText(decision.note, LIMITS.reason),
    data: { severityMarker: { ...decision.marker, honoured: decision.honoured === true } },
  };
  return { ...change, events: [...change.events, note] };
}
