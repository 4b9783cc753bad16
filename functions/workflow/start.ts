/**
 * The workflow starter (docs/sla-workflow.md): starts a new ticket's execution after intake has
 * answered, so taking a ticket never waits on Step Functions. Intake writes the ticket owing its
 * start, in its own transaction (DynamoStore.createTicket); the table's stream delivers that
 * record's insert here, filtered to exactly those records (STREAM_SOURCE's filter: the same pattern
 * is the event source mapping's filter in AWS and the local stream poller's). A start that fails
 * is reported as the record's failure, so the stream hands it back for another try; after the
 * tries the record stays owed and the reconciler's next run makes the start.
 *
 * Starting twice is harmless (the execution is named after the ticket), so a redelivered record
 * changes nothing.
 */
import type { DynamoDBBatchItemFailure, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { hasWorkflowClock } from '../../core/tickets/model';
import { logger } from '../shared/container';
import { startTicketExecution } from '../shared/executions';
import { lambdaHandler } from '../shared/lambda-handler';
import { getPlainStore } from '../shared/plain-store';
import { NEW_TICKET_ATTRIBUTE, ticketIdOfKey, WORKFLOW_PENDING_SK } from '../store/dynamo-store';

/**
 * How the table's stream feeds this function, in AWS (the event source mapping) and locally (the
 * poller): only a new ticket's owed-start record, as inserted (a Lambda event filter pattern);
 * batches small enough that a start follows intake closely; three more tries before the record is
 * left owed for the reconciler.
 */
export const STREAM_SOURCE = {
  filter: { eventName: ['INSERT'], dynamodb: { NewImage: { SK: { S: [WORKFLOW_PENDING_SK] }, [NEW_TICKET_ATTRIBUTE]: { BOOL: [true] } } } },
  batchSize: 25,
  retryAttempts: 3,
};

async function start(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const failures = await Promise.all(
    (event?.Records ?? []).map((record) =>
      startFor(record).catch((error: unknown) => {
        logger.error('could not start the ticket workflow; the stream hands the record back', { error: error as Error });
        return failureOf(record);
      }),
    ),
  );
  return { batchItemFailures: failures.filter((failure): failure is DynamoDBBatchItemFailure => failure !== undefined) };
}

/** Starts the record's ticket's execution; the record's failure when the start was refused. */
async function startFor(record: DynamoDBRecord): Promise<DynamoDBBatchItemFailure | undefined> {
  const ticketId = ticketIdOf(record);
  if (!ticketId) {
    logger.warn('a stream record that is not a ticket owing its start; left alone', { eventName: record.eventName });
    return undefined;
  }
  const store = getPlainStore();
  const ticket = await store.getTicket(ticketId);
  if (!ticket || !hasWorkflowClock(ticket)) {
    // Closed before its start (or gone): nothing to start, nothing owed.
    await store.clearWorkflowPending(ticketId, { reason: 'start' });
    return undefined;
  }
  return (await startTicketExecution(ticket)) ? undefined : failureOf(record);
}

function failureOf(record: DynamoDBRecord): DynamoDBBatchItemFailure {
  return { itemIdentifier: record.dynamodb?.SequenceNumber ?? '' };
}

function ticketIdOf(record: DynamoDBRecord): string | undefined {
  const pk = record.dynamodb?.Keys?.PK?.S;
  return typeof pk === 'string' ? ticketIdOfKey(pk) : undefined;
}

export const handler = lambdaHandler(start);
