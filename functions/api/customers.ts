/** Customer routes (staff only; a customer key reads its own customer). API keys: api-keys.ts. */

import * as z from 'zod/mini';
import { decide } from '../../core/access/authorize';
import { type Customer, CustomerSchema, customerPolicyProblem } from '../../core/customer';
import { atMostChars, LIMITS } from '../../core/limits';
import { HttpError, type HttpResult, ifMatchVersion, json } from '../shared/http';
import { forgetCustomers } from '../shared/lookups';
import type { Runtime } from '../shared/runtime';
import { listCustomers as listCustomerPage } from '../store/customer-list';
import { customerAddressCount, MAX_CUSTOMER_ADDRESSES } from '../store/dynamo-store';
import { staffStoreOf } from '../store/staff';
import { callerScope, openCursor, signCursor } from './cursors';
import { PAGE_QUERY } from './schemas';
import { allowOrThrow, type Request } from './tickets';

/** PUT /customers/{id}: create or replace; `If-Match: <version>` guards against lost updates. */
export async function putCustomer(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  allowOrThrow(decide(request.principal, 'customer:write', { customerId: id }));
  // The path id was checked before (routes.ts: PATH_IDS.customer); the body is a JSON object (handler.ts).
  const customer = CustomerSchema.parse({ ...(request.body as object | undefined), id });
  const problem = customerPolicyProblem(rt.policy, customer);
  if (problem) throw new HttpError(400, problem.message, { field: problem.field });
  await checkAccountTeam(rt, customer.accountTeam);
  if (customer.partner && !(await staffStoreOf(rt.store).getPartner(customer.partner))) {
    throw new HttpError(400, `no partner "${customer.partner}" in the staff directory (PUT /staff/partners/${customer.partner} first)`, { field: 'partner' });
  }
  const addresses = customerAddressCount(customer);
  if (addresses > MAX_CUSTOMER_ADDRESSES) {
    throw new HttpError(400, `a customer can list at most ${MAX_CUSTOMER_ADDRESSES} addresses, phone numbers and domains together (got ${addresses})`, { field: 'contacts' });
  }
  const ifMatch = ifMatchVersion(request.headers);
  const previous = await rt.store.getCustomer(id);
  if (ifMatch !== undefined && previous?.version !== ifMatch) {
    throw new HttpError(409, `the customer is at version ${previous?.version ?? 'none'}, not ${ifMatch}`, { field: 'If-Match' });
  }
  const version = await rt.store.putCustomer(customer, previous);
  forgetCustomers();
  return json(previous ? 200 : 201, { ...customer, version });
}

/** The account team names people of the staff directory (read fresh: a person added a moment ago counts). */
async function checkAccountTeam(rt: Runtime, accountTeam: Customer['accountTeam']): Promise<void> {
  for (const role of ['tam', 'csm'] as const) {
    const id = accountTeam?.[role];
    if (id && !(await staffStoreOf(rt.store).getPerson(id))) {
      throw new HttpError(400, `no person "${id}" in the staff directory (PUT /staff/people/${id} first)`, { field: `accountTeam.${role}` });
    }
  }
}

export async function getCustomer(rt: Runtime, request: Request, id: string): Promise<HttpResult> {
  const customer = await rt.store.getCustomer(id);
  if (!customer) throw new HttpError(404, `no customer ${id}`);
  // A customer reads its own record, a partner agent those its partner serves (known from the
  // record); any other is "not found", the same answer as for no customer at all.
  const decision = decide(request.principal, 'customer:read', { customerId: id, ...(customer.partner ? { partnerId: customer.partner } : {}) });
  if (!decision.allowed) throw new HttpError(404, `no customer ${id}`);
  return json(200, customer);
}

export const ListCustomersQuery = z.strictObject({
  q: z
    .optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(LIMITS.id, atMostChars(LIMITS.id))))
    .check(z.describe("The start of the customer's name (case and accents ignored).")),
  ...PAGE_QUERY,
});

/**
 * GET /customers: the vendor's staff (agents, admins) list the customers by name, a page at a
 * time, or those whose name starts with `q` — one query of the customers' index partition
 * (functions/store/customer-list.ts). Customers and partner agents read their own with GET /customers/{id}.
 */
export async function listCustomers(rt: Runtime, request: Request): Promise<HttpResult> {
  // The customer list is the desk's, as the staff directory is: vendor staff only.
  allowOrThrow(decide(request.principal, 'staff:read'));
  const query = ListCustomersQuery.parse(request.query);
  const binding = { list: 'customers', q: query.q?.toLowerCase(), scope: callerScope(request.principal) };
  const cursor = await openCursor(query.cursor, binding);
  const page = await listCustomerPage(rt.store, { limit: query.limit, ...(cursor ? { cursor } : {}), ...(query.q ? { nameStart: query.q } : {}) });
  return json(200, { items: page.items, cursor: await signCursor(page.cursor, binding) });
}
