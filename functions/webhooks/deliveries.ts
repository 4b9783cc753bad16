/**
 * Portal/form deliveries (generic integrations) and chat transcripts: verified, mapped, and
 * applied once — a new ticket, or, for a case the sender already has with us (its external id,
 * or the conversation), the customer's message on it.
 */
import { createHash } from 'node:crypto';
import type { Ticket } from '../../core/tickets/model';
import { addMessage, type Change } from '../../core/tickets/rules';
import { queueNotifications } from '../../core/notifications/outbox';
import { findSeverity } from '../../core/sla/targets';
import { TranscriptSchema, ticketFieldsFromTranscript, transcriptText } from '../../core/webhooks/chat';
import type { GenericIntegration, Integration } from '../../core/webhooks/integrations';
import { contentKey, eventIdOf, mapDelivery } from '../../core/webhooks/mapping';
import { intakeSeverity } from '../../core/mail/ticket-mail';
import {
  TIERDESK_SIGNATURE_HEADER,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
  verifyTierdeskSignature,
  verifyZendeskSignature,
  type VerifyResult,
} from '../../core/webhooks/signatures';
import { HttpError, json, type HttpResult } from '../shared/http';
import { onceOverHttp, type IdempotencyClaimRef } from '../shared/idempotency';
import { openNewTicket, type NewTicketRequest } from '../shared/intake';
import { customerById, customerIdForEmail } from '../shared/lookups';
import type { Runtime } from '../shared/runtime';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { wakeTicket } from '../shared/workflow';
import { TICKET_LINKS } from '../store/dynamo-store';
import { verified, withinRate } from './protection';
import type { Delivery } from './request';

export async function genericDelivery(rt: Runtime, delivery: Delivery<GenericIntegration>): Promise<HttpResult> {
  const { integration } = delivery;
  await verified(delivery, await signatureOf(delivery));
  await withinRate(rt, integration, delivery.now);
  const body = parseJson(delivery.rawBody);
  const mapped = mapDelivery(integration, body);
  if (!mapped.ok) throw new HttpError(422, mapped.message, { field: mapped.field, path: mapped.path });
  const severity = mapped.value.severity ? knownSeverity(rt, mapped.value.severity) : intakeSeverity(rt.policy);
  const key = eventIdOf(integration, delivery.headers, body) ?? contentKey(mapped.value, delivery.now);
  const requestHash = hash(JSON.stringify(mapped.value));
  return exactlyOnce(rt, { scope: `webhook:${integration.id}`, key, requestHash }, async (claim) => {
    const linked = mapped.value.externalId ? TICKET_LINKS.external(integration.id, mapped.value.externalId) : undefined;
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
  await verified(delivery, (secrets) =>
    verifyTierdeskSignature({ header, rawBody: delivery.rawBody, secrets, nowSeconds: delivery.now / 1000, toleranceSeconds: integration.toleranceSeconds }),
  );
  await withinRate(rt, integration, delivery.now);
  const parsed = TranscriptSchema.safeParse(parseJson(delivery.rawBody));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(body)';
    throw new HttpError(422, `${field}: ${issue.message}`, { field });
  }
  const transcript = parsed.data;
  const fields = ticketFieldsFromTranscript(transcript, rt.policy);
  // A transcript sent again (a retry, or the tool re-sending the whole conversation) is the same delivery.
  const key = `chat:${transcript.conversationId}:${hash(transcriptText(transcript))}`;
  return exactlyOnce(rt, { scope: `webhook:${integration.id}`, key, requestHash: 'transcript' }, async (claim) => {
    const linked = TICKET_LINKS.conversation(integration.id, transcript.conversationId);
    const existing = await openTicketLinkedTo(rt, linked);
    const who = fields.requester.email ?? fields.requester.phone ?? `chat:${transcript.conversationId}`;
    if (existing) return addCustomerMessage(rt, existing, fields.description, who, claim);
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

/** Runs once per key; a retried delivery gets the first one's answer, marked as replayed. */
export function exactlyOnce(rt: Runtime, claim: IdempotencyClaimRef, run: (claim: IdempotencyClaimRef) => Promise<HttpResult>): Promise<HttpResult> {
  return onceOverHttp(rt, claim, run, {
    field: 'eventId',
    mismatch: { status: 409, message: 'this event id was delivered before with different content' },
    busy: 'this delivery is still being processed; retry later',
  });
}

/** Opens the ticket, links it for later deliveries (TICKET_LINKS keys), and answers 201 (stored for replays). */
export async function created(rt: Runtime, integration: Integration, claim: IdempotencyClaimRef, links: string[], request: NewTicketRequest): Promise<HttpResult> {
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
  if (integration.signature === 'zendesk') {
    return (secrets) =>
      verifyZendeskSignature({ signature: headers[ZENDESK_SIGNATURE_HEADER], timestamp: headers[ZENDESK_TIMESTAMP_HEADER], rawBody, secrets, nowSeconds, toleranceSeconds: integration.toleranceSeconds });
  }
  return (secrets) => verifyTierdeskSignature({ header: headers[TIERDESK_SIGNATURE_HEADER], rawBody, secrets, nowSeconds, toleranceSeconds: integration.toleranceSeconds });
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON', { field: '(body)' });
  }
}

function knownSeverity(rt: Runtime, severity: string): string {
  try {
    return findSeverity(rt.policy, severity).id;
  } catch {
    throw new HttpError(422, `severity "${severity}" is not one of the policy's (${rt.policy.severities.map((s) => s.id).join(', ')})`, { field: 'severity' });
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
