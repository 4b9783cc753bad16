/**
 * Phone systems: Twilio Voice callbacks (incoming call, call status, recording, transcription;
 * form-encoded, signed with X-Twilio-Signature) and a PBX speaking Zammad's generic CTI API
 * (newCall, answer, hangup; JSON or form; a token in the URL). The first ring of a call opens a
 * phone ticket, or becomes an event on the caller's open ticket; every later step of the call
 * joins the same ticket by the call id (core/webhooks/calls.ts). Each step is kept once.
 *
 * During the caller's dedicated support period Twilio is told to ring the period's engineer
 * (TwiML <Dial>). Zammad's CTI contract has no forwarding answer for incoming calls (only
 * reject), so a PBX routes those itself; the ticket is the engineer's either way.
 */
import { routingApplies } from '../../core/periods/routing';
import { recordCallStep, ticketFieldsFromCall, type CallEvent } from '../../core/webhooks/calls';
import type { Integration } from '../../core/webhooks/integrations';
import { toE164 } from '../../core/webhooks/phone';
import { TWILIO_SIGNATURE_HEADER, publicUrl, verifyCtiRequest, verifyTwilioSignature } from '../../core/webhooks/signatures';
import { HttpError, json, type HttpResult } from '../shared/http';
import type { IdempotencyClaimRef } from '../shared/idempotency';
import { customerById, customerIdForPhone, routingFor } from '../shared/lookups';
import type { Runtime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { TICKET_LINKS } from '../store/dynamo-store';
import { created, exactlyOnce, openTicketLinkedTo, parseJson } from './deliveries';
import { verified, withinRate } from './protection';
import type { Delivery } from './request';

type Twilio = Extract<Integration, { kind: 'twilio' }>;
type Cti = Extract<Integration, { kind: 'cti' }>;

/** Twilio is answered with TwiML; an empty Response lets the vendor's own call flow go on. */
const EMPTY_TWIML = { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };

export async function twilioDelivery(rt: Runtime, delivery: Delivery<Twilio>): Promise<HttpResult> {
  const { integration } = delivery;
  const url = integration.publicUrl ? publicUrl(integration.publicUrl, delivery.pathAndQuery) : delivery.url;
  const jsonBody = delivery.url.includes('bodySHA256=');
  await verified(delivery, (authTokens) =>
    verifyTwilioSignature({
      signature: delivery.headers[TWILIO_SIGNATURE_HEADER],
      url,
      ...(jsonBody ? { rawBody: delivery.rawBody } : { params: signedParams(delivery.rawBody) }),
      authTokens,
    }),
  );
  const params = jsonBody ? ctiBody({ ...delivery, headers: { 'content-type': 'application/json' } }) : formParams(delivery.rawBody);
  await withinRate(rt, integration, delivery.now);
  const event = twilioCallEvent(params);
  if (!event) throw new HttpError(422, 'a Twilio voice callback needs CallSid and From', { field: params.CallSid ? 'From' : 'CallSid' });
  const step = params.TranscriptionSid ?? params.RecordingSid ?? params.CallStatus ?? 'ringing';
  const result = await callStep(rt, integration, event, `${event.callId}:${step}`);
  if (result.statusCode >= 300) return result;
  const engineerPhone = event.step === 'ringing' ? await dedicatedEngineerPhone(rt, integration, event) : undefined;
  // E.164 is a plus and digits: nothing to escape in the TwiML.
  return engineerPhone ? { ...EMPTY_TWIML, body: `<?xml version="1.0" encoding="UTF-8"?><Response><Dial>${engineerPhone}</Dial></Response>` } : EMPTY_TWIML;
}

/** The phone of the engineer whose support period the call's ticket belongs to, while that period runs. */
async function dedicatedEngineerPhone(rt: Runtime, integration: Integration, event: CallEvent): Promise<string | undefined> {
  const ticket = await openTicketLinkedTo(rt, TICKET_LINKS.call(integration.id, event.callId));
  if (!ticket?.dedicated || !ticket.customerId) return undefined;
  const routing = await routingFor(rt, ticket.customerId);
  if (!routingApplies(routing, Date.now()) || routing.engineerId !== ticket.dedicated.engineerId) return undefined;
  const engineer = await rt.store.getAgent(routing.engineerId);
  return engineer?.phone ? toE164(engineer.phone) : undefined;
}

export async function ctiDelivery(rt: Runtime, delivery: Delivery<Cti>, token: string): Promise<HttpResult> {
  const { integration } = delivery;
  await verified(delivery, (secrets) => verifyCtiRequest({ token, expectedTokens: secrets, nowSeconds: delivery.now / 1000 }));
  await withinRate(rt, integration, delivery.now);
  const body = ctiBody(delivery);
  const event = ctiCallEvent(body);
  if (!event) throw new HttpError(422, 'a CTI event needs event (newCall, answer or hangup), callId and from', { field: ['event', 'callId', 'from'].find((f) => !body[f]) ?? 'event' });
  // Zammad's contract: a blocked caller is rejected at the first ring, and nothing is kept.
  if (event.step === 'ringing' && integration.blockedCallers.map((n) => toE164(n) ?? n).includes(event.from)) {
    return json(200, { action: 'reject', reason: 'busy' });
  }
  if (body.direction === 'out') return json(200, {}); // the desk's own outgoing calls make no ticket
  const result = await callStep(rt, integration, event, `${event.callId}:${body.event}`);
  return result.statusCode < 300 ? json(200, {}) : result;
}

/** The first ring opens a ticket (or joins the caller's open one); later steps join the call's ticket. */
async function callStep(rt: Runtime, integration: Integration, event: CallEvent, key: string): Promise<HttpResult> {
  return exactlyOnce(rt, { scope: `webhook:${integration.id}`, key, requestHash: 'call' }, async (claim) => {
    const callLink = TICKET_LINKS.call(integration.id, event.callId);
    const callerLink = TICKET_LINKS.caller(event.from);
    const ticket = (await openTicketLinkedTo(rt, callLink)) ?? (event.step === 'ringing' ? await openTicketLinkedTo(rt, callerLink) : undefined);
    if (ticket) {
      await rt.store.linkTicket(ticket.id, [callLink]);
      return recorded(rt, ticket.id, event, claim);
    }
    if (event.step !== 'ringing') {
      // A step of a call we never saw ring (its ticket was closed meanwhile): kept as nothing, answered OK.
      return json(200, { ticketId: null, created: false });
    }
    const customerId = await customerIdForPhone(rt, event.from);
    const customer = customerId ? await customerById(rt, customerId) : undefined;
    const contact = customer?.contacts.find((c) => c.phone === event.from);
    // The caller's link too: their next call while this ticket is open joins it.
    return created(rt, integration, claim, [callLink, callerLink], {
      customer,
      ...ticketFieldsFromCall(event, rt.policy, contact?.name),
      channel: 'phone',
      actor: { kind: 'customer', id: event.from },
      now: Date.now(),
    });
  });
}

async function recorded(rt: Runtime, ticketId: string, event: CallEvent, claim: IdempotencyClaimRef): Promise<HttpResult> {
  const body = { ticketId, created: false };
  await updateTicketWithRetry(rt, (ticket, ctx) => recordCallStep(ticket, event, ctx), {
    read: async () => (await rt.store.getTicket(ticketId))!,
    idempotency: { ...claim, response: { statusCode: 200, body } },
  });
  return json(200, body);
}

function twilioCallEvent(params: Record<string, string>): CallEvent | undefined {
  const from = params.From && (toE164(params.From) ?? params.From);
  if (!params.CallSid || !from) return undefined;
  const base = { callId: params.CallSid, from, ...(params.To ? { to: toE164(params.To) ?? params.To } : {}) };
  if (params.TranscriptionText !== undefined) return { ...base, step: 'transcription', transcription: params.TranscriptionText };
  if (params.RecordingUrl) return { ...base, step: 'recording', recordingUrl: params.RecordingUrl };
  const status = (params.CallStatus ?? 'ringing').toLowerCase();
  if (status === 'ringing' || status === 'queued') return { ...base, step: 'ringing' };
  if (status === 'in-progress') return { ...base, step: 'answered' };
  return { ...base, step: 'ended', cause: status };
}

function ctiCallEvent(body: Record<string, string>): CallEvent | undefined {
  const from = body.from && (toE164(body.from) ?? body.from);
  if (!body.callId || !from) return undefined;
  const base = { callId: body.callId, from, ...(body.to ? { to: toE164(body.to) ?? body.to } : {}) };
  switch (body.event) {
    case 'newCall':
      return { ...base, step: 'ringing' };
    case 'answer':
      return { ...base, step: 'answered', ...(body.user || body.answeringNumber ? { answeredBy: body.user || body.answeringNumber } : {}) };
    case 'hangup':
      return { ...base, step: 'ended', ...(body.cause ? { cause: body.cause } : {}) };
    default:
      return undefined;
  }
}

/** Zammad's CTI events come as JSON or as a form; `user[]` may repeat. First values, as strings. */
function ctiBody(delivery: Delivery): Record<string, string> {
  const type = delivery.headers['content-type'] ?? '';
  if (type.includes('json')) {
    const parsed = parseJson(delivery.rawBody);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'the body must be a JSON object', { field: '(body)' });
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).flatMap(([key, value]) => {
        const first = Array.isArray(value) ? value[0] : value;
        return typeof first === 'string' || typeof first === 'number' ? [[key, String(first)]] : [];
      }),
    );
  }
  return formParams(delivery.rawBody);
}

/** The form exactly as sent (repeated keys kept): what Twilio signed. */
function signedParams(raw: Buffer): Record<string, string[]> {
  // No prototype: a sender's key may be "__proto__" or "constructor".
  const params: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) (params[key] ??= []).push(value);
  return params;
}

function formParams(raw: Buffer): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    const name = key.replace(/\[\]$/, '');
    params[name] ??= value;
  }
  return params;
}
