/**
 * Phone calls on tickets, whatever the phone system (Twilio Voice, a PBX speaking Zammad's CTI
 * API): the ticket a call opens, the timeline event each step of a call leaves, and the flag a
 * missed call raises. Pure; functions/webhooks/phone.ts does the I/O.
 */
import { cutText, LIMITS } from '../limits';
import { intakeSeverity } from '../mail/ticket-mail';
import type { Policy } from '../policy/schema';
import type { Ticket, TimelineEvent } from '../tickets/model';
import type { Change, RuleContext } from '../tickets/rules';
import { toE164 } from './phone';

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
    subject: cutText(`Phone call from ${who}`, LIMITS.subject),
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
    ...(event.transcription ? { body: cutText(event.transcription, LIMITS.messageBody) } : {}),
    data,
  };
  const flags = missedCall(event) && !ticket.flags.includes('missed-call') ? [...ticket.flags, 'missed-call'] : ticket.flags;
  return { ticket: { ...ticket, flags, updatedAt: at }, events: [timelineEvent] };
}

// ---------------------------------------------------------------------------------------------
// reading a phone system's callback

/**
 * Every parameter of a callback that is read, and its maximum: ids become parts of keys (through
 * keyPart), a caller may be a number, `client:…` or a SIP address, a transcription becomes an
 * event's body (cut there to LIMITS.messageBody). Parameters not listed are never read.
 */
const PARAM_LIMITS: Record<string, number> = {
  // Twilio Voice
  CallSid: LIMITS.idempotencyKey,
  RecordingSid: LIMITS.idempotencyKey,
  TranscriptionSid: LIMITS.idempotencyKey,
  From: LIMITS.email,
  To: LIMITS.email,
  CallStatus: LIMITS.label,
  RecordingUrl: LIMITS.url,
  TranscriptionText: LIMITS.messageBody,
  // Zammad's generic CTI
  event: LIMITS.label,
  callId: LIMITS.idempotencyKey,
  from: LIMITS.email,
  to: LIMITS.email,
  direction: LIMITS.label,
  cause: LIMITS.label,
  user: LIMITS.name,
  answeringNumber: LIMITS.email,
};

export type CallReading = { ok: true; event: CallEvent; step: string } | { ok: false; field: string; message: string };

/** The first parameter the callback sends over its maximum, if any. */
function overLimit(params: Record<string, string>): CallReading | undefined {
  for (const [name, max] of Object.entries(PARAM_LIMITS)) {
    const value = params[name];
    if (value !== undefined && value.length > max) return { ok: false, field: name, message: `${name} is over its limit of ${max} characters` };
  }
  return undefined;
}

const party = (raw: string) => toE164(raw) ?? raw;

/**
 * A Twilio Voice callback (incoming call, status, recording, transcription) as a call event, and
 * the step it is kept once under (the CallSid's status, RecordingSid or TranscriptionSid: all
 * among the parameters Twilio signs).
 */
export function callFromTwilio(params: Record<string, string>): CallReading {
  const refused = overLimit(params);
  if (refused) return refused;
  if (!params.CallSid || !params.From) return { ok: false, field: params.CallSid ? 'From' : 'CallSid', message: 'a Twilio voice callback needs CallSid and From' };
  const base = { callId: params.CallSid, from: party(params.From), ...(params.To ? { to: party(params.To) } : {}) };
  const step = params.TranscriptionSid ?? params.RecordingSid ?? params.CallStatus ?? 'ringing';
  const read = (event: CallEvent): CallReading => ({ ok: true, event, step });
  if (params.TranscriptionText !== undefined) return read({ ...base, step: 'transcription', transcription: params.TranscriptionText });
  if (params.RecordingUrl) return read({ ...base, step: 'recording', recordingUrl: params.RecordingUrl });
  const status = (params.CallStatus ?? 'ringing').toLowerCase();
  if (status === 'ringing' || status === 'queued') return read({ ...base, step: 'ringing' });
  if (status === 'in-progress') return read({ ...base, step: 'answered' });
  return read({ ...base, step: 'ended', cause: status });
}

/** A CTI event (Zammad's generic CTI API: newCall, answer, hangup) as a call event, kept once per call id and event. */
export function callFromCti(body: Record<string, string>): CallReading {
  const refused = overLimit(body);
  if (refused) return refused;
  if (!body.callId || !body.from || !['newCall', 'answer', 'hangup'].includes(body.event ?? '')) {
    return { ok: false, field: ['event', 'callId', 'from'].find((f) => !body[f]) ?? 'event', message: 'a CTI event needs event (newCall, answer or hangup), callId and from' };
  }
  const base = { callId: body.callId, from: party(body.from), ...(body.to ? { to: party(body.to) } : {}) };
  const step = body.event!;
  switch (step) {
    case 'newCall':
      return { ok: true, step, event: { ...base, step: 'ringing' } };
    case 'answer':
      return { ok: true, step, event: { ...base, step: 'answered', ...(body.user || body.answeringNumber ? { answeredBy: body.user || body.answeringNumber } : {}) } };
    default:
      return { ok: true, step, event: { ...base, step: 'ended', ...(body.cause ? { cause: body.cause } : {}) } };
  }
}
