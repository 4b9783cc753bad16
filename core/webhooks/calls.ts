/**
 * Phone calls on tickets, whatever the phone system (Twilio Voice, a PBX speaking Zammad's CTI
 * API): the ticket a call opens, the timeline event each step of a call leaves, and the flag a
 * missed call raises. Pure; functions/webhooks/phone.ts does the I/O.
 */
import type { Policy } from '../policy/schema';
import { intakeSeverity } from '../mail/ticket-mail';
import type { Ticket, TimelineEvent } from '../tickets/model';
import type { Change, RuleContext } from '../tickets/rules';

export type CallStep = 'ringing' | 'answered' | 'ended' | 'recording' | 'transcription';

export interface CallEvent {
  step: CallStep;
  callId: string;
  /** The caller, E.164 when it could be read. */
  from: string;
  to?: string;
  /** The agent or extension that answered. */
  answeredBy?: string;
  /** Why it ended, as the phone system says it (normalClearing, noAnswer, busy, cancel, completed, no-answer…). */
  cause?: string;
  recordingUrl?: string;
  transcription?: string;
}

/** Causes that mean nobody took the call: the case needs a call back. */
const MISSED = new Set(['noanswer', 'no-answer', 'busy', 'cancel', 'canceled', 'failed', 'congestion', 'notfound']);

export function missedCall(event: CallEvent): boolean {
  return event.step === 'ended' && MISSED.has((event.cause ?? '').toLowerCase());
}

/** The fields of the ticket an incoming call opens. */
export function ticketFieldsFromCall(event: CallEvent, policy: Policy, callerName?: string) {
  const who = callerName ? `${callerName} (${event.from})` : event.from;
  return {
    requester: { phone: event.from, ...(callerName ? { name: callerName } : {}) },
    subject: `Phone call from ${who}`.slice(0, 300),
    description: `Incoming call from ${who}${event.to ? ` to ${event.to}` : ''}.`,
    severity: intakeSeverity(policy),
  };
}

/** One step of a call recorded on its ticket; a missed call is flagged for a call back. */
export function recordCallStep(ticket: Ticket, event: CallEvent, ctx: RuleContext): Change {
  const at = new Date(ctx.now).toISOString();
  const data: Record<string, unknown> = { step: event.step, callId: event.callId, from: event.from };
  for (const key of ['to', 'answeredBy', 'cause', 'recordingUrl'] as const) if (event[key]) data[key] = event[key];
  const timelineEvent: TimelineEvent = {
    id: ctx.newId(),
    ticketId: ticket.id,
    at,
    type: 'phone-call',
    actor: { kind: 'system', id: 'phone' },
    public: false,
    ...(event.transcription ? { body: event.transcription.slice(0, 100_000) } : {}),
    data,
  };
  const flags = missedCall(event) && !ticket.flags.includes('missed-call') ? [...ticket.flags, 'missed-call'] : ticket.flags;
  return { ticket: { ...ticket, flags, updatedAt: at }, events: [timelineEvent] };
}
