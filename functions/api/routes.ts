/** The HTTP API's routes: one table drives the router and the OpenAPI document. */
import type { z } from 'zod';
import { CustomerSchema } from '../../core/customer';
import type { Runtime } from '../shared/runtime';
import type { HttpResult } from '../shared/http';
import { AgentSchema, OrderRequestSchema } from '../../core/periods/requests';
import { createApiKey, getCustomer, putCustomer } from './customers';
import { AcceptOrderSchema, ChangePeriodsSchema, acceptOrder, cancelSupportOrder, changePeriods, createOrder, getAgent, getOrder, listAgents, listOrders, putAgent } from './support-orders';
import { ActionSchema, ApiKeySchema, CreateTicketSchema, ListTicketsQuery, MessageSchema } from './schemas';
import { createTicket, getTicket, listTickets, postAction, postMessage, type Request } from './tickets';

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** OpenAPI-style path, e.g. /tickets/{id}. */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** 2xx status of a success. */
  success: number;
  run: (rt: Runtime, request: Request, id: string) => Promise<HttpResult>;
}

export const ROUTES: Route[] = [
  { method: 'POST', path: '/tickets', summary: 'Open a ticket (honours Idempotency-Key)', body: CreateTicketSchema, success: 201, run: createTicket },
  { method: 'GET', path: '/tickets', summary: 'List tickets by customer, status or queue (queue: next due first)', query: ListTicketsQuery, success: 200, run: listTickets },
  { method: 'GET', path: '/tickets/{id}', summary: 'A ticket with its timeline', success: 200, run: getTicket },
  { method: 'POST', path: '/tickets/{id}/messages', summary: 'Customer message, agent reply or internal note', body: MessageSchema, success: 201, run: postMessage },
  { method: 'POST', path: '/tickets/{id}/actions', summary: 'Assign, set severity or case reason, escalate, pause, resume, resolve, reopen, close', body: ActionSchema, success: 200, run: postAction },
  { method: 'PUT', path: '/customers/{id}', summary: 'Create or replace a customer (plan, add-ons, contacts, domains, phone numbers)', body: CustomerSchema.omit({ id: true }), success: 200, run: putCustomer },
  { method: 'GET', path: '/customers/{id}', summary: 'A customer', success: 200, run: getCustomer },
  { method: 'PUT', path: '/agents/{id}', summary: 'Create or replace an engineer: contact details, skills, availability (admin)', body: AgentSchema, success: 200, run: putAgent },
  { method: 'GET', path: '/agents/{id}', summary: 'An engineer', success: 200, run: getAgent },
  { method: 'GET', path: '/agents', summary: 'Every engineer', success: 200, run: listAgents },
  { method: 'POST', path: '/support-orders', summary: 'Order dedicated support periods (blocks of hours); waits for acceptance', body: OrderRequestSchema, success: 201, run: createOrder },
  { method: 'GET', path: '/support-orders', summary: 'Support orders (a customer key: its own)', success: 200, run: listOrders },
  { method: 'GET', path: '/support-orders/{id}', summary: 'A support order', success: 200, run: getOrder },
  { method: 'POST', path: '/support-orders/{id}/accept', summary: 'Book an engineer for every period (staff); pending "subject to availability" when none is free', body: AcceptOrderSchema, success: 200, run: acceptOrder },
  { method: 'PUT', path: '/support-orders/{id}/periods', summary: 'Change the periods before any starts: re-books the engineers and re-plans the periods\' workflows', body: ChangePeriodsSchema, success: 200, run: changePeriods },
  { method: 'POST', path: '/support-orders/{id}/cancel', summary: 'Cancel before the periods start: stops their workflows and frees the engineers', success: 200, run: cancelSupportOrder },
  { method: 'POST', path: '/api-keys', summary: 'Create an API key (admin); the key is shown once', body: ApiKeySchema, success: 201, run: createApiKey },
];

const compiled = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{id\}/, '([^/]+)')}$`),
}));

/** The route for a request, the id in its path, and the methods its path allows (for 405). */
export function match(method: string, path: string): { route?: Route; id?: string; allowed: string[] } {
  const onPath = compiled.flatMap(({ route, pattern }) => {
    const found = pattern.exec(path);
    return found ? [{ route, id: found[1] }] : [];
  });
  const hit = onPath.find(({ route }) => route.method === method);
  return {
    ...(hit ? { route: hit.route, ...(hit.id !== undefined ? { id: decodeURIComponent(hit.id) } : {}) } : {}),
    allowed: onPath.map(({ route }) => route.method),
  };
}
