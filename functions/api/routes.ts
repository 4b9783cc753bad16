/** The HTTP API's routes: one table drives the router and the OpenAPI document. */
import * as z from 'zod/mini';
import { CustomerSchema, ID_PATTERN, isCustomerId } from '../../core/customer';
import { LIMITS } from '../../core/limits';
import { AgentSchema, OrderRequestSchema } from '../../core/periods/requests';
import { STAFF_ID_PATTERN, STAFF_ID_RULE } from '../../core/staff/directory';
import { CASE_NUMBER_PATTERN } from '../../core/tickets/case-number';
import { HttpError, type HttpResult } from '../shared/http';
import type { Runtime } from '../shared/runtime';
import { API_KEY_ID_PATTERN, createApiKey, ListApiKeysQuery, listApiKeys, revokeApiKey, rotateApiKey } from './api-keys';
import { ATTACHMENT_PARAMS, ATTACHMENT_REDIRECT, getAttachment } from './attachments';
import { getCustomer, ListCustomersQuery, listCustomers, putCustomer } from './customers';
import { deskPolicy, listSeverities, SeveritiesQuery } from './policy-info';
import type { ResponseName } from './responses';
import { ActionSchema, ApiKeySchema, CreateTicketSchema, ListTicketsQuery, MessageSchema } from './schemas';
import { exportDirectory, getPartner, getPerson, getTeam, ListStaffQuery, listPeople, listTeams, PartnerBodySchema, PersonBodySchema, putPartner, putPerson, putTeam, TeamBodySchema } from './staff';
import {
  AcceptOrderSchema,
  acceptOrder,
  ChangePeriodsSchema,
  cancelSupportOrder,
  changePeriods,
  createOrder,
  getAgent,
  getOrder,
  ListAgentsQuery,
  ListOrdersQuery,
  listAgents,
  listOrders,
  putAgent,
} from './support-orders';
import { createTicket, getTicket, listTickets, postAction, postMessage, type Request, ticketViewCounts } from './tickets';

/**
 * What a path's `{id}` can be. Checked before any lookup, so no id reaches a key that it could
 * not be part of: an id of another shape names nothing (404), or, where a PUT creates the
 * resource, is the caller's mistake (400 naming `id`).
 */
export interface PathId {
  /** What the id names, for messages. */
  noun: string;
  valid: (id: string) => boolean;
  /** For the OpenAPI document. */
  schema: { type: 'string'; maxLength: number; pattern: string };
  /** What a valid id looks like, for a 400. */
  rule?: string;
}

const caseNumber = CASE_NUMBER_PATTERN;
const agentId = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const orderId = /^SO-[0-9]{1,15}$/;

export const PATH_IDS = {
  /** A case number, `<policy prefix>-<digits>`. */
  ticket: { noun: 'ticket', valid: (id) => caseNumber.test(id), schema: { type: 'string', maxLength: 26, pattern: caseNumber.source } },
  customer: {
    noun: 'customer',
    valid: isCustomerId,
    schema: { type: 'string', maxLength: LIMITS.id, pattern: ID_PATTERN.source },
    rule: `a customer id is 1–${LIMITS.id} letters, digits, "-", "_" or "." starting with a letter or digit, and not a reserved name`,
  },
  agent: {
    noun: 'agent',
    valid: (id) => agentId.test(id),
    schema: { type: 'string', maxLength: 63, pattern: agentId.source },
    rule: 'an agent id is 1–63 lower-case letters, digits, ".", "_" or "-"',
  },
  order: { noun: 'support order', valid: (id) => orderId.test(id), schema: { type: 'string', maxLength: 18, pattern: orderId.source } },
  person: { noun: 'person', valid: (id) => STAFF_ID_PATTERN.test(id), schema: { type: 'string', maxLength: LIMITS.id, pattern: STAFF_ID_PATTERN.source }, rule: `a person id is ${STAFF_ID_RULE}` },
  /** An API key's immutable id, `key_…` (functions/api/api-keys.ts). */
  apiKey: { noun: 'API key', valid: (id) => API_KEY_ID_PATTERN.test(id), schema: { type: 'string', maxLength: LIMITS.id, pattern: API_KEY_ID_PATTERN.source } },
  team: { noun: 'team', valid: (id) => STAFF_ID_PATTERN.test(id), schema: { type: 'string', maxLength: LIMITS.id, pattern: STAFF_ID_PATTERN.source }, rule: `a team id is ${STAFF_ID_RULE}` },
  partner: { noun: 'partner', valid: (id) => STAFF_ID_PATTERN.test(id), schema: { type: 'string', maxLength: LIMITS.id, pattern: STAFF_ID_PATTERN.source }, rule: `a partner id is ${STAFF_ID_RULE}` },
} as const satisfies Record<string, PathId>;

/** A path parameter beyond `{id}`: bounded before it is decoded (LIMITS.pathSegment), its shape checked by the route. */
export interface PathParam {
  name: string;
  description: string;
  schema: { type: 'string'; maxLength: number; pattern: string };
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI-style path, e.g. /tickets/{id}. */
  path: string;
  summary: string;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  /** The path's `{id}`, when it has one. */
  id?: PathId;
  /** Further path parameters after `{id}`, in path order: each checked by the route itself, documented in OpenAPI. */
  params?: readonly PathParam[];
  /** The request headers the route reads, beyond Authorization (for the OpenAPI document). */
  headers?: ('Idempotency-Key' | 'If-Match')[];
  /** Status of a success (2xx, or 302 for a redirect). */
  success: number;
  /** The success's OpenAPI response object, when more than "success" (e.g. a redirect's Location). */
  successResponse?: Record<string, unknown>;
  /** The OpenAPI operationId: stable, camelCase; the console's client calls the operation by it. */
  operationId: string;
  /** What the success answers (functions/api/responses.ts), by its name in the document. */
  response: ResponseName;
  /**
   * The statuses the route answers beyond its success and those every route answers (400, 401,
   * 403, 429, 503): 201 where a PUT creates, 404, 409, 422. test/openapi.test.ts holds answers to it.
   */
  answers?: readonly number[];
  run: (rt: Runtime, request: Request, id: string) => Promise<HttpResult>;
}

export const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/tickets',
    operationId: 'createTicket',
    response: 'CreatedTicket',
    answers: [409, 422],
    summary: 'Open a ticket (honours Idempotency-Key)',
    body: CreateTicketSchema,
    headers: ['Idempotency-Key'],
    success: 201,
    run: createTicket,
  },
  {
    method: 'GET',
    path: '/tickets',
    operationId: 'listTickets',
    response: 'TicketPage',
    summary: 'List tickets by customer, status or queue (queue: next due first), an inbox view (view=, next due first) or a full-text search (q=)',
    query: ListTicketsQuery,
    success: 200,
    run: listTickets,
  },
  {
    method: 'GET',
    path: '/tickets/views',
    operationId: 'listTicketViews',
    response: 'InboxViewCounts',
    summary: "The caller's inbox views with the number of open tickets in each (list one with GET /tickets?view=)",
    success: 200,
    run: ticketViewCounts,
  },
  {
    method: 'GET',
    path: '/tickets/{id}',
    operationId: 'getTicket',
    response: 'TicketWithTimeline',
    answers: [404],
    id: PATH_IDS.ticket,
    summary: 'A ticket with its timeline',
    success: 200,
    run: getTicket,
  },
  {
    method: 'POST',
    path: '/tickets/{id}/messages',
    operationId: 'postMessage',
    response: 'TicketChange',
    answers: [404, 409],
    id: PATH_IDS.ticket,
    headers: ['If-Match'],
    summary: 'Customer message, agent reply or internal note',
    body: MessageSchema,
    success: 201,
    run: postMessage,
  },
  {
    method: 'POST',
    path: '/tickets/{id}/actions',
    operationId: 'postAction',
    response: 'TicketChange',
    answers: [404, 409, 422],
    id: PATH_IDS.ticket,
    headers: ['If-Match'],
    summary: 'Assign, set severity or case reason, escalate, pause, resume, resolve, reopen, close',
    body: ActionSchema,
    success: 200,
    run: postAction,
  },
  {
    method: 'GET',
    path: '/tickets/{id}/attachments/{eventId}/{n}',
    operationId: 'getAttachment',
    response: 'AttachmentLink',
    answers: [200, 404],
    id: PATH_IDS.ticket,
    params: ATTACHMENT_PARAMS,
    summary:
      'An attachment of a mail on the ticket, for whoever may see that mail (customers: public events of their own tickets): a 302 to a short-lived download URL (with Accept: application/json, a 200 with the URL)',
    success: 302,
    successResponse: ATTACHMENT_REDIRECT,
    run: getAttachment,
  },
  {
    method: 'GET',
    path: '/policy/severities',
    operationId: 'listSeverities',
    response: 'Severities',
    answers: [404],
    summary: "The severities with their definitions and criteria; with a customer key (or ?customer= for staff) that customer's targets at each",
    query: SeveritiesQuery,
    success: 200,
    run: listSeverities,
  },
  {
    method: 'GET',
    path: '/policy/desk',
    operationId: 'getDeskPolicy',
    response: 'DeskPolicy',
    summary: "For support staff: the tiers (teams, entry requirements), severities, case reasons, and each calendar's open hours from 7 days back to 21 days ahead (to count business time left)",
    success: 200,
    run: deskPolicy,
  },
  {
    method: 'PUT',
    path: '/customers/{id}',
    operationId: 'putCustomer',
    response: 'Customer',
    answers: [201, 409],
    id: PATH_IDS.customer,
    headers: ['If-Match'],
    summary: 'Create or replace a customer (plan, add-ons, contacts, domains, phone numbers)',
    body: z.omit(CustomerSchema, { id: true }),
    success: 200,
    run: putCustomer,
  },
  {
    method: 'GET',
    path: '/customers',
    operationId: 'listCustomers',
    response: 'CustomerPage',
    summary: 'The customers by name, a page at a time; q: those whose name starts with it (agents and admins)',
    query: ListCustomersQuery,
    success: 200,
    run: listCustomers,
  },
  { method: 'GET', path: '/customers/{id}', operationId: 'getCustomer', response: 'Customer', answers: [404], id: PATH_IDS.customer, summary: 'A customer', success: 200, run: getCustomer },
  {
    method: 'PUT',
    path: '/agents/{id}',
    operationId: 'putAgent',
    response: 'Agent',
    answers: [201],
    id: PATH_IDS.agent,
    summary: 'Create or replace an engineer: contact details, skills, availability (admin)',
    body: AgentSchema,
    success: 200,
    run: putAgent,
  },
  { method: 'GET', path: '/agents/{id}', operationId: 'getAgent', response: 'Agent', answers: [404], id: PATH_IDS.agent, summary: 'An engineer', success: 200, run: getAgent },
  { method: 'GET', path: '/agents', operationId: 'listAgents', response: 'AgentPage', summary: 'The engineers, a page at a time (by id)', query: ListAgentsQuery, success: 200, run: listAgents },
  {
    method: 'POST',
    path: '/support-orders',
    operationId: 'createOrder',
    response: 'SupportOrder',
    summary: 'Order dedicated support periods (blocks of hours); waits for acceptance',
    body: OrderRequestSchema,
    success: 201,
    run: createOrder,
  },
  {
    method: 'GET',
    path: '/support-orders',
    operationId: 'listOrders',
    response: 'SupportOrderPage',
    summary: 'Support orders, oldest first, a page at a time (a customer key: its own)',
    query: ListOrdersQuery,
    success: 200,
    run: listOrders,
  },
  { method: 'GET', path: '/support-orders/{id}', operationId: 'getOrder', response: 'SupportOrder', answers: [404], id: PATH_IDS.order, summary: 'A support order', success: 200, run: getOrder },
  {
    method: 'POST',
    path: '/support-orders/{id}/accept',
    operationId: 'acceptOrder',
    response: 'SupportOrder',
    answers: [404, 409],
    id: PATH_IDS.order,
    summary: 'Book an engineer for every period (staff); pending "subject to availability" when none is free',
    body: AcceptOrderSchema,
    success: 200,
    run: acceptOrder,
  },
  {
    method: 'PUT',
    path: '/support-orders/{id}/periods',
    operationId: 'changeOrderPeriods',
    response: 'SupportOrder',
    answers: [404, 409],
    id: PATH_IDS.order,
    summary: "Change the periods before any starts: re-books the engineers and re-plans the periods' workflows",
    body: ChangePeriodsSchema,
    success: 200,
    run: changePeriods,
  },
  {
    method: 'POST',
    path: '/support-orders/{id}/cancel',
    operationId: 'cancelOrder',
    response: 'SupportOrder',
    answers: [404, 409],
    id: PATH_IDS.order,
    summary: 'Cancel before the periods start: stops their workflows and frees the engineers',
    success: 200,
    run: cancelSupportOrder,
  },
  {
    method: 'PUT',
    path: '/staff/people/{id}',
    operationId: 'putPerson',
    response: 'Person',
    answers: [201, 409],
    id: PATH_IDS.person,
    summary: 'Create or replace a person of the staff directory: name, email, time zone, roles (admin)',
    body: PersonBodySchema,
    success: 200,
    run: putPerson,
  },
  {
    method: 'GET',
    path: '/staff/people/{id}',
    operationId: 'getPerson',
    response: 'Person',
    answers: [404],
    id: PATH_IDS.person,
    summary: 'A person of the staff directory',
    success: 200,
    run: getPerson,
  },
  {
    method: 'GET',
    path: '/staff/people',
    operationId: 'listPeople',
    response: 'PersonPage',
    summary: 'The people of the staff directory, a page at a time (by id)',
    query: ListStaffQuery,
    success: 200,
    run: listPeople,
  },
  {
    method: 'PUT',
    path: '/staff/teams/{id}',
    operationId: 'putTeam',
    response: 'Team',
    answers: [201, 409],
    id: PATH_IDS.team,
    summary: 'Create or replace a team: lead, members (person ids), the tiers it works (admin)',
    body: TeamBodySchema,
    success: 200,
    run: putTeam,
  },
  { method: 'GET', path: '/staff/teams/{id}', operationId: 'getTeam', response: 'Team', answers: [404], id: PATH_IDS.team, summary: 'A team of the staff directory', success: 200, run: getTeam },
  {
    method: 'GET',
    path: '/staff/teams',
    operationId: 'listTeams',
    response: 'TeamPage',
    summary: 'The teams of the staff directory, a page at a time (by id)',
    query: ListStaffQuery,
    success: 200,
    run: listTeams,
  },
  {
    method: 'PUT',
    path: '/staff/partners/{id}',
    operationId: 'putPartner',
    response: 'Partner',
    answers: [201, 409],
    id: PATH_IDS.partner,
    summary: 'Create or replace a partner organisation: its agents and the customers it serves name it (admin)',
    body: PartnerBodySchema,
    success: 200,
    run: putPartner,
  },
  {
    method: 'GET',
    path: '/staff/partners/{id}',
    operationId: 'getPartner',
    response: 'Partner',
    answers: [404],
    id: PATH_IDS.partner,
    summary: 'A partner organisation of the staff directory',
    success: 200,
    run: getPartner,
  },
  {
    method: 'GET',
    path: '/staff',
    operationId: 'getStaffDirectory',
    response: 'StaffDirectory',
    summary: 'The whole staff directory (people, teams and partner organisations), as `tierdesk staff export` writes it',
    success: 200,
    run: exportDirectory,
  },
  {
    method: 'POST',
    path: '/api-keys',
    operationId: 'createApiKey',
    response: 'ApiKeyWithSecret',
    summary: 'Create an API key (admin); the key is shown once',
    body: ApiKeySchema,
    success: 201,
    run: createApiKey,
  },
  {
    method: 'GET',
    path: '/api-keys',
    operationId: 'listApiKeys',
    response: 'ApiKeyPage',
    summary: 'The API keys, revoked ones too, a page at a time by id (admin): id, name, role, creator, last use; never a secret',
    query: ListApiKeysQuery,
    success: 200,
    run: listApiKeys,
  },
  {
    method: 'DELETE',
    path: '/api-keys/{id}',
    operationId: 'revokeApiKey',
    response: 'ApiKey',
    answers: [404, 409],
    id: PATH_IDS.apiKey,
    summary: 'Revoke an API key (admin): refused from the next request on; the record stays listed. Not the key the request is made with (409)',
    success: 200,
    run: revokeApiKey,
  },
  {
    method: 'POST',
    path: '/api-keys/{id}/rotate',
    operationId: 'rotateApiKey',
    response: 'ApiKeyWithSecret',
    answers: [404, 409],
    id: PATH_IDS.apiKey,
    summary: 'A new secret for an API key (admin): same id, name and role; the old secret is refused at once; the new one is shown once',
    success: 200,
    run: rotateApiKey,
  },
];

const compiled = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{[A-Za-z]+\}/g, '([^/]+)')}$`),
}));

/**
 * The route for a request, the id in its path, and the methods its path allows (for 405).
 * A path id that is not valid percent-encoding, or longer than any id can be, is refused here.
 */
export function match(method: string, path: string): { route?: Route; id?: string; params?: Record<string, string>; allowed: string[] } {
  const onPath = compiled.flatMap(({ route, pattern }) => {
    const found = pattern.exec(path);
    return found ? [{ route, id: found[1], rest: found.slice(2) }] : [];
  });
  const hit = onPath.find(({ route }) => route.method === method);
  // Further parameters are bounded and decoded as the id is; each route checks their shape.
  const params = hit?.route.params?.length ? Object.fromEntries(hit.route.params.map((param, i) => [param.name, decodePathId(hit.rest[i] ?? '', hit.route)])) : undefined;
  return {
    ...(hit ? { route: hit.route, ...(hit.id !== undefined ? { id: decodePathId(hit.id, hit.route) } : {}) } : {}),
    ...(params ? { params } : {}),
    allowed: onPath.map(({ route }) => route.method),
  };
}

function decodePathId(raw: string, route: Route): string {
  // Checked before decoding too: a long id is no id, whatever it decodes to.
  if (raw.length > LIMITS.pathSegment) return refuseId(route);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'the id in the path is not valid percent-encoding (UTF-8)', { field: 'id' });
  }
}

/** An id of the wrong shape: 400 where a PUT would create it, else "not found". */
export function refuseId(route: Route): never {
  const pathId = route.id;
  if (route.method === 'PUT' && pathId?.rule) throw new HttpError(400, pathId.rule, { field: 'id' });
  throw new HttpError(404, `no ${pathId?.noun ?? 'such item'} with this id`);
}

/** The route's path id, checked against its shape. */
export function checkPathId(route: Route, id: string | undefined): string {
  if (route.id && (id === undefined || !route.id.valid(id))) refuseId(route);
  return id ?? '';
}
