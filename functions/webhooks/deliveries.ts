/**
 * Portal/form deliveries (generic integrations) and chat transcripts: verified, mapped, and
 * applied once — a new ticket, or, for a case the sender already has with us (its external id,
 * or the conversation), the customer's message on it.
 */

import { intakeSeverity } from '../../core/mail/ticket-mail';
import { queueNotifications } from '../../core/notifications/outbox';
import { findSeverity } from '../../core/sla/targets';
import type { Ticket } from '../../core/tickets/model';
import { addMessage, type Change } from '../../core/tickets/rules';
import { TranscriptSchema, ticketFieldsFromTranscript, transcriptMessage, transcriptText } from '../../core/webhooks/chat';
import { deliveryIdentity, type IdentityKey, keyPart, sha256Hex, signedTimestampOf } from '../../core/webhooks/identity';
import type { GenericIntegration, Integration } from '../../core/webhooks/integrations';
import { eventIdOf, mapDelivery } from '../../core/webhooks/mapping';
import {
  STANDARD_ID_HEADER,
  STANDARD_SIGNATURE_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  TIERDESK_SIGNATURE_HEADER,
  type VerifyResult,
  verifyStandardWebhook,
  verifyTierdeskSignature,
  verifyZendeskSignature,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from '../../core/webhooks/signatures';
import { wakeTicket } from '../shared/executions';
import { HttpError, type HttpResult, json } from '../shared/http';
import { type IdempotencyClaimRef, onceOverHttp } from '../shared/idempotency';
import { type NewTicketRequest, openNewTicket } from '../shared/intake';
import { customerById, customerIdForEmail } from '../shared/lookups';
import { logger, type Runtime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { TICKET_LINKS } from '../store/dynamo-store';
import { verified, withinRate } from './protection';
import type { Delivery } from './request';

export async function genericDelivery(rt: Runtime, delivery: Delivery<GenericIntegration>): Promise<HttpResult> {
  const { integration } = delivery;
  await verified(delivery, signatureOf(delivery));
  await withinRate(rt, integration, delivery.now);
  const body = parseJsonObject(delivery.rawBody);
  const mapped = mapDelivery(integration, body);
  if (!mapped.ok) throw new HttpError(422, mapped.message, { field: mapped.field, path: mapped.path });
  const eventId = eventIdOf(integration, delivery.headers, body);
  if (!eventId.ok) throw new HttpError(eventId.status, eventId.message, { field: eventId.field, ...(eventId.path ? { path: eventId.path } : {}) });
  const severity = mapped.value.severity ? knownSeverity(rt, mapped.value.severity) : intakeSeverity(rt.policy);
  // Who this delivery is comes from what was signed (core/webhooks/identity.ts), never from an unsigned header alone.
  const identity = deliveryIdentity({
    ...(eventId.id === undefined ? {} : eventId.signed ? { signedEventId: eventId.id } : { headerEventId: eventId.id }),
    signedTimestamp: signedTimestampOf(integration.signature, delivery.headers),
    rawBody: delivery.rawBody,
    mapped: mapped.value,
    nowMs: delivery.now,
  });
  return exactlyOnce(rt, `webhook:${integration.id}`, identity, async (claim) => {
    const linked = mapped.value.externalId ? TICKET_LINKS.external(integration.id, keyPart(mapped.value.externalId)) : undefined;
    const existing = linked && (await openTicketLinkedTo(rt, linked));
    if (existing) return addCustomerMessage(rt, existing, mapped.value.message ?? mapped.value.description, mapped.value.requester.email, claim);
    const customerId = await customerIdForEmail(rt, mapped.value.requester.email);
    return created(rt, integration, claim, linked ? [linked] : [], {
      customer: customerId ? await customerById(rt, customerId) : undefined,
      requester: mapped.value.requester,
      channel: 'webhook',
      subject: mapped.value.subject,
      description: mapped.value.description,
      severity,
      actor: { kind: 'customer', id: mapped.value.requester.email },
      now: delivery.now,
    });
  });
}

export async function chatDelivery(rt: Runtime, delivery: Delivery<Extract<Integration, { kind: 'chat' }>>): Promise<HttpResult> {
  const { integration } = delivery;
  const header = delivery.headers[TIERDESK_SIGNATURE_HEADER];
  await verified(delivery, (secrets) => verifyTierdeskSignature({ header, rawBody: delivery.rawBody, secrets, nowSeconds: delivery.now / 1000, toleranceSeconds: integration.toleranceSeconds }));
  await withinRate(rt, integration, delivery.now);
  const parsed = TranscriptSchema.safeParse(parseJsonObject(delivery.rawBody));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(body)';
    throw new HttpError(422, `${field}: ${issue.message}`, { field });
  }
  const transcript = parsed.data;
  const fields = ticketFieldsFromTranscript(transcript, rt.policy);
  // A transcript sent again (a retry, a replay, or the tool re-sending the whole conversation) is
  // the same delivery: its conversation and its text, both inside the signed body.
  const key = `chat:${keyPart(transcript.conversationId)}:${sha256Hex(transcriptText(transcript))}`;
  return exactlyOnce(rt, `webhook:${integration.id}`, [{ key, requestHash: 'transcript' }], async (claim) => {
    const linked = TICKET_LINKS.conversation(integration.id, keyPart(transcript.conversationId));
    const existing = await openTicketLinkedTo(rt, linked);
    const who = fields.requester.email ?? fields.requester.phone ?? `chat:${transcript.conversationId}`;
    if (existing) return addCustomerMessage(rt, existing, transcriptMessage(transcript), who, claim);
    const customerId = fields.requester.email ? await customerIdForEmail(rt, fields.requester.email) : undefined;
    return created(rt, integration, claim, [linked], {
      customer: customerId ? await customerById(rt, customerId) : undefined,
      ...fields,
      channel: 'chat',
      actor: { kind: 'customer', id: who },
      now: delivery.now,
    });
  });
}

/** How long a delivery waits, over all its keys, for another copy holding one of them to finish. */
const WAIT_MS = 10_000;

/**
 * Runs once under every key, claimed in order (core/webhooks/identity.ts); the first key found
 * done answers with the first delivery's answer, marked `Idempotent-Replayed`, and the keys this
 * delivery holds are completed with that answer. The innermost key is completed in the ticket's
 * own write; the outer ones right after (if that fails, they stay held until their lock expires,
 * and the next copy finds the inner key done).
 */
export function exactlyOnce(rt: Runtime, scope: string, keys: readonly IdentityKey[], run: (claim: IdempotencyClaimRef) => Promise<HttpResult>): Promise<HttpResult> {
  const deadline = Date.now() + WAIT_MS;
  const under = async ([first, ...rest]: readonly IdentityKey[]): Promise<HttpResult> => {
    return onceOverHttp(
      rt,
      { scope, key: first!.key, requestHash: first!.requestHash },
      async (claim) => {
        if (rest.length === 0) return run(claim);
        const result = await under(rest);
        await completeWith(rt, claim, result);
        return result;
      },
      {
        field: 'eventId',
        mismatch: { status: 409, message: 'this event id was delivered before with different content' },
        busy: 'this delivery is still being processed; retry later',
      },
      Math.max(0, deadline - Date.now()),
    );
  };
  return under(keys);
}

async function completeWith(rt: Runtime, claim: IdempotencyClaimRef, result: HttpResult): Promise<void> {
  try {
    await rt.store.completeIdempotency({ ...claim, response: { statusCode: result.statusCode, body: JSON.parse(String(result.body)) } });
  } catch (error) {
    logger.warn('an outer delivery key was not completed; it frees itself when its lock expires', { error: error as Error });
  }
}

/** Opens the ticket, links it for later deliveries (TICKET_LINKS keys), and answers 201 (stored for replays). */
export async function created(rt: Runtime, _integration: Integration, claim: IdempotencyClaimRef, links: string[], request: NewTicketRequest): Promise<HttpResult> {
  const answer = (ticket: Ticket) => ({ ticketId: ticket.id, caseNumber: ticket.caseNumber, created: true });
  const { ticket } = await openNewTicket(rt, request, { idempotency: { ...claim, response: (t) => ({ statusCode: 201, body: answer(t) }) }, links });
  return json(201, answer(ticket));
}

async function addCustomerMessage(rt: Runtime, ticket: Ticket, text: string, who: string, claim: IdempotencyClaimRef): Promise<HttpResult> {
  const body = { ticketId: ticket.id, caseNumber: ticket.caseNumber, created: false };
  await updateTicketWithRetry(rt, (current, ctx): Change => queueNotifications(addMessage(current, 'customer', text, ctx, { kind: 'customer', id: who })), {
    read: async () => (await rt.store.getTicket(ticket.id))!,
    idempotency: { ...claim, response: { statusCode: 200, body } },
  });
  await wakeTicket(ticket.id);
  return json(200, body);
}

/** The linked ticket if it can still take a message (a closed one cannot: the delivery opens a new ticket). */
export async function openTicketLinkedTo(rt: Runtime, link: string): Promise<Ticket | undefined> {
  const id = await rt.store.ticketLinkedTo([link]);
  const ticket = id ? await rt.store.getTicket(id) : undefined;
  return ticket && ticket.status !== 'closed' ? ticket : undefined;
}

function signatureOf(delivery: Delivery<GenericIntegration>): (secrets: string[]) => VerifyResult {
  const { integration, headers, rawBody } = delivery;
  const nowSeconds = delivery.now / 1000;
  const { toleranceSeconds } = integration;
  switch (integration.signature) {
    case 'zendesk':
      return (secrets) => verifyZendeskSignature({ signature: headers[ZENDESK_SIGNATURE_HEADER], timestamp: headers[ZENDESK_TIMESTAMP_HEADER], rawBody, secrets, nowSeconds, toleranceSeconds });
    case 'standard':
      return (secrets) =>
        verifyStandardWebhook({
          id: headers[STANDARD_ID_HEADER],
          timestamp: headers[STANDARD_TIMESTAMP_HEADER],
          signature: headers[STANDARD_SIGNATURE_HEADER],
          rawBody,
          secrets,
          nowSeconds,
          toleranceSeconds,
        });
    case 'tierdesk':
      return (secrets) => verifyTierdeskSignature({ header: headers[TIERDESK_SIGNATURE_HEADER], rawBody, secrets, nowSeconds, toleranceSeconds });
  }
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON', { field: '(body)' });
  }
}

/** The body as a JSON object; anything else (an array, a string, null) is a 400. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  const parsed = parseJson(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'the body must be a JSON object', { field: '(body)' });
  return parsed as Record<string, unknown>;
}

function knownSeverity(rt: Runtime, severity: string): string {
  try {
    return findSeverity(rt.policy, severity).id;
  } catch {
    throw new HttpError(422, `severity "${severity}" is not one of the policy's (${rt.policy.severities.map((s) => s.id).join(', ')})`, { field: 'severity' });
  }
}
