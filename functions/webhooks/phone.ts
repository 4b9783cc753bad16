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
import { type CallEvent, type CallReading, callFromCti, callFromTwilio, recordCallStep, ticketFieldsFromCall } from '../../core/webhooks/calls';
import { keyPart } from '../../core/webhooks/identity';
import type { Integration } from '../../core/webhooks/integrations';
import { toE164 } from '../../core/webhooks/phone';
import { publicUrl, TWILIO_SIGNATURE_HEADER, verifyCtiRequest, verifyTwilioSignature } from '../../core/webhooks/signatures';
import { HttpError, type HttpResult, json } from '../shared/http';
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
  const { event, step } = readCall(callFromTwilio(params));
  // CallSid and the step are among the parameters Twilio signs: a replayed callback is the same step.
  const result = await callStep(rt, integration, event, step);
  if (result.statusCode >= 300) return result;
  const engineerPhone = event.step === 'ringing' ? await dedicatedEngineerPhone(rt, integration, event) : undefined;
  // E.164 is a plus and digits: nothing to escape in the TwiML.
  return engineerPhone ? { ...EMPTY_TWIML, body: `<?xml version="1.0" encoding="UTF-8"?><Response><Dial>${engineerPhone}</Dial></Response>` } : EMPTY_TWIML;
}

/** The phone of the engineer whose support period the call's ticket belongs to, while that period runs. */
async function dedicatedEngineerPhone(rt: Runtime, integration: Integration, event: CallEvent): Promise<string | undefined> {
  const ticket = await openTicketLinkedTo(rt, TICKET_LINKS.call(integration.id, keyPart(event.callId)));
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
  const { event, step } = readCall(callFromCti(body));
  // Zammad's contract: a blocked caller is rejected at the first ring, and nothing is kept.
  if (event.step === 'ringing' && integration.blockedCallers.map((n) => toE164(n) ?? n).includes(event.from)) {
    return json(200, { action: 'reject', reason: 'busy' });
  }
  if (body.direction === 'out') return json(200, {}); // the desk's own outgoing calls make no ticket
  // The body is not signed (the URL token is the only secret): anyone holding the URL can send any event.
  const result = await callStep(rt, integration, event, step);
  return result.statusCode < 300 ? json(200, {}) : result;
}

function readCall(reading: CallReading): Extract<CallReading, { ok: true }> {
  if (!reading.ok) throw new HttpError(422, reading.message, { field: reading.field });
  return reading;
}

/**
 * The first ring opens a ticket (or joins the caller's open one); later steps join the call's
 * ticket. Each step of a call is kept once (its call id and step are the key, hashed if long).
 */
async function callStep(rt: Runtime, integration: Integration, event: CallEvent, step: string): Promise<HttpResult> {
  const key = `${keyPart(event.callId)}:${keyPart(step)}`;
  return exactlyOnce(rt, `webhook:${integration.id}`, [{ key, requestHash: 'call' }], async (claim) => {
    const callLink = TICKET_LINKS.call(integration.id, keyPart(event.callId));
    const callerLink = TICKET_LINKS.caller(keyPart(event.from));
    const ticket = (await openTicketLinkedTo(rt, callLink)) ?? (event.step === 'ringing' ? await openTicketLinkedTo(rt, callerLink) : undefined);
    if (ticket) {
      await rt.store.linkTicket(ticket.id, [callLink]);
      return recorded(rt, ticket.id, event, claim);
    }
    // A call rings once: a ring of a call already seen (its ticket closed since — a replay after
    // the idempotency key expired, as Twilio's signature has no timestamp) opens nothing.
    if (event.step !== 'ringing' || (await rt.store.ticketLinkedTo([callLink]))) {
      // A step of a call whose ticket was closed meanwhile: kept as nothing, answered OK.
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
