/**
 * Gives every booked or running support period its execution (a start already made is refused by
 * name). Locally executions live in memory, so the runtime runs this at start-up, as it runs the
 * ticket reconciler; in AWS executions are durable and the API starts them at acceptance.
 */

import { lambdaHandler } from '../shared/lambda-handler';
import { getRuntime } from '../shared/runtime';
import { sendOrderMail, startPeriodExecutions } from './orders';

async function reconcilePeriods(): Promise<{ orders: number }> {
  const all = await getRuntime().store.listOrders();
  // Mail an order still owes (its execution did not run to the end) is sent again.
  for (const order of all) await sendOrderMail(order);
  const orders = all.filter((order) => order.status === 'accepted');
  for (const order of orders) await startPeriodExecutions(order);
  return { orders: orders.length };
}

export const handler = lambdaHandler(reconcilePeriods);
