/** The HTTP API's routes: one table drives the router and the OpenAPI document. */
import type { z } from 'zod';
import { CustomerSchema } from '../../core/customer';
import type { Runtime } from '../shared/runtime';
import type { HttpResult } from '../shared/http';
import { createApiKey, getCustomer, putCustomer } from './customers';
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
