/**
 * The table for handlers that never save a ticket (the workflow's starter and park, SES mail
 * feedback, and the starts and wakes of ./executions.ts): a store from TIERDESK_TABLE alone.
 * Saving a ticket needs the policy's tiers (which tickets a partner's views hold), so it needs
 * getRuntime() — and with it the policy's schema (zod) and the calendars (luxon) in the bundle and
 * in every cold start. This store's type offers only what needs no policy.
 */
import { DynamoStore } from '../store/dynamo-store';
import { requiredEnv } from './container';

export type PlainStore = Pick<
  DynamoStore,
  'tableName' | 'doc' | 'getTicket' | 'addEvents' | 'ticketLinkedTo' | 'parkToken' | 'takeToken' | 'restoreToken' | 'markWorkflowPending' | 'clearWorkflowPending'
>;

let store: PlainStore | undefined;

export function getPlainStore(): PlainStore {
  return (store ??= new DynamoStore(requiredEnv('TIERDESK_TABLE')));
}
