/**
 * Demo data for `npm start`: the admin key, an agent key, one customer on the policy's
 * richest plan and a portal key for it, so a new user can file and work tickets at once.
 * Derived keys come from the admin key, so they stay the same across restarts.
 */
import { createHmac } from 'node:crypto';
import { CustomerSchema } from '../core/customer';
import { loadPolicy } from '../core/policy/files';
import { hashKey } from '../functions/api/auth';
import { DynamoStore } from '../functions/store/dynamo-store';

export const DEMO_CUSTOMER_ID = 'demo';

export async function seedDemo(ctx: { tableName: string; adminKey: string; policy: string }): Promise<{ lines: string[] }> {
  const store = new DynamoStore(ctx.tableName);
  const policy = loadPolicy(ctx.policy);
  const derived = (role: string) => `td_${role}_${createHmac('sha256', ctx.adminKey).update(role).digest('base64url').slice(0, 32)}`;
  const agentKey = derived('agent');
  const customerKey = derived('customer');

  await store.putApiKey(hashKey(ctx.adminKey), { name: 'admin', role: 'admin' });
  await store.putApiKey(hashKey(agentKey), { name: 'demo-agent', role: 'agent' });
  const plan = policy.plans.find((p) => p.priorityQueue) ?? policy.plans.find((p) => p.id === policy.defaultPlan)!;
  if (!(await store.getCustomer(DEMO_CUSTOMER_ID))) {
    await store.putCustomer(
      CustomerSchema.parse({
        id: DEMO_CUSTOMER_ID,
        name: 'Demo Customer Inc.',
        plan: plan.id,
        designatedUsers: ['pat@customer.example'],
        contacts: [{ name: 'Pat Example', email: 'pat@customer.example', phone: '+15555550100', role: 'point of contact' }],
        emailDomains: ['customer.example'],
      }),
    );
  }
  await store.putApiKey(hashKey(customerKey), { name: 'demo-portal', role: 'customer', customerId: DEMO_CUSTOMER_ID });
  return {
    lines: [
      `agent key:     ${agentKey}`,
      `customer key:  ${customerKey}   (portal of "${DEMO_CUSTOMER_ID}", plan ${plan.id}; designated user pat@customer.example)`,
    ],
  };
}
