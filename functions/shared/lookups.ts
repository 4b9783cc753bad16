/**
 * Who a requester is, for intake: cached per container for 30 s, since every ticket asks and
 * customers change rarely. A container that writes a customer forgets its copies at once;
 * another container may decide an entitlement on data up to 30 s old.
 */
import type { Customer } from '../../core/customer';
import { emailDomain } from '../../core/customer-rules';
import type { DedicatedRouting } from '../../core/periods/routing';
import type { Runtime } from './runtime';
import { TtlCache } from './ttl-cache';

const CUSTOMER_TTL_MS = 30_000;
const customers = new TtlCache<Customer | undefined>(CUSTOMER_TTL_MS);
const owners = new TtlCache<string | undefined>(CUSTOMER_TTL_MS);

export function customerById(rt: Runtime, id: string): Promise<Customer | undefined> {
  return customers.get(id, () => rt.store.getCustomer(id));
}

/** By the address itself, then by its domain and each parent domain (eu.acme.com → acme.com). */
export function customerIdForEmail(rt: Runtime, email: string): Promise<string | undefined> {
  return owners.get(email, async () => {
    const direct = await rt.store.customerIdFor('email', email);
    if (direct) return direct;
    const labels = (emailDomain(email) ?? '').split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const found = await rt.store.customerIdFor('domain', labels.slice(i).join('.'));
      if (found) return found;
    }
    return undefined;
  });
}

/** By the phone number (E.164), as a customer's contact or one of its numbers. */
export function customerIdForPhone(rt: Runtime, phone: string): Promise<string | undefined> {
  return owners.get(`phone:${phone}`, () => rt.store.customerIdFor('phone', phone));
}

/**
 * The customer's dedicated support routing, if a period runs (core/periods/routing.ts). Cached
 * for 5 s: every new ticket asks, and a period's routing may start or end up to 5 s late.
 */
const ROUTING_TTL_MS = 5_000;
const routings = new TtlCache<DedicatedRouting | undefined>(ROUTING_TTL_MS);

export function routingFor(rt: Runtime, customerId: string): Promise<DedicatedRouting | undefined> {
  return routings.get(customerId, () => rt.store.getRouting(customerId));
}

export function forgetCustomers(): void {
  customers.clear();
  owners.clear();
}
