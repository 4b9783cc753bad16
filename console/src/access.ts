/**
 * What the signed-in person may do, decided by the API's own rules (core/access/authorize.ts,
 * pure): the console hides what the API would refuse. The API still decides every request.
 */
import { decide } from '../../core/access/authorize';
import type { Me } from './me';

type DeskAction = 'staff:read' | 'staff:write' | 'agent:read' | 'order:list' | 'api-key:manage';

export function can(me: Me, action: DeskAction): boolean {
  return decide({ role: me.role, via: 'sign-in', ...(me.partnerId ? { partnerId: me.partnerId } : {}), ...(me.customerId ? { customerId: me.customerId } : {}) }, action).allowed;
}

/** Accepting a support order (booking an engineer): the vendor's agents and admins. */
export function mayAcceptOrders(me: Me): boolean {
  return decide({ role: me.role, via: 'sign-in' }, 'order:accept', {}).allowed;
}
