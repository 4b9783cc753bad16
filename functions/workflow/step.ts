/**
 * Step (statemachines/ticket-lifecycle.asl.json): one wake-up of a ticket's execution, woken by a
 * change to the ticket or by the instant of its next SLA event. In one invocation it
 *  1. advances the ticket's clock through core (advanceClock: the intake acknowledgement if owed
 *     and every SLA event due now, each re-checked against the ticket so a stale timer or a
 *     retry changes nothing, with their mail queued in the outbox), in one version-checked write;
 *  2. sends the outbox (functions/notifications/send.ts), each mail with the text of the timeline
 *     event it is about, and takes out what went out in one more write, with a
 *     'notification-sent' event per mail. What SES did not take stays queued and is tried again
 *     with back-off (`mailFailures`): an SES outage delays mail without touching the ticket or its
 *     clock, however long it lasts;
 *  3. answers what the execution does next: wait (seconds until the next SLA event, a mail retry
 *     or the hand-over), end (closed with nothing owed, gone, or superseded by a newer run), or
 *     replaced (it started the ticket's next run before this one nears Step Functions' limits).
 * Everything is read from the stored ticket, so a restarted or re-driven execution does the same.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { sesMessageId } from '../../core/mail/threading';
import { removeFromOutbox } from '../../core/notifications/outbox';
import type { Notification } from '../../core/notifications/render';
import { nextSlaEvent, type SlaEvent } from '../../core/sla/schedule';
import { appliedInWords, nextInWords, type StepStory } from '../../core/sla/story';
import { advanceClock } from '../../core/tickets/breaches';
import type { Ticket, TimelineEvent } from '../../core/tickets/model';
import { type NotificationResult, SesSendError, sendNotifications } from '../notifications/send';
import { executionName } from '../shared/executions';
import { lambdaHandler } from '../shared/lambda-handler';
import { count, METRIC } from '../shared/metrics';
import { getRuntime, logger, type Runtime } from '../shared/runtime';
import { recipientContext } from '../shared/staff-directory';
import { updateTicketWithRetry } from '../shared/ticket-updates';
import { replaceTicketExecution } from '../shared/workflow';
import { TICKET_LINKS } from '../store/dynamo-store';

// zod's mini build (~20 KB where the whole is ~180): this function validates nothing else with zod,
// and it is the one every wake-up of every ticket cold-starts.
const StepEvent = z.object({
  ticketId: z.string().check(z.minLength(1)),
  /** $$.Execution.Name and $$.Execution.StartTime of the execution asking. */
  execution: z.string().check(z.minLength(1)),
  startedAt: z.iso.datetime({ offset: true }),
  /** How many times this execution has stepped: a bound on its history length. */
  cycle: z.number().check(z.int(), z.minimum(0)),
  /** Sends in a row that SES did not take; absent in an execution's input. */
  mailFailures: z._default(z.number().check(z.int(), z.minimum(0)), 0),
});
type StepInput = z.infer<typeof StepEvent>;

export type StepAction = 'wait' | 'end' | 'replaced';

export interface StepResult {
  ticketId: string;
  action: StepAction;
  /** Seconds to wait (at least 1: the wait state's TimeoutSecondsPath needs a positive integer). */
  waitSeconds: number;
  /** The ticket version stepped from; Park compares it to catch a change made meanwhile. */
  version: number;
  cycle: number;
  mailFailures: number;
  /** What this Step applied and what the wait is for, in words, for whoever reads the execution's history. */
  story: StepStory;
}

/**
 * An execution hands over after this long: well inside the one-year limit, and every wait is
 * cut short to end by then, so the hand-over never waits on a long SLA target.
 */
export const REPLACE_AFTER_MS = 300 * 86_400_000;
/**
 * …or after this many steps. One cycle (Step and the wait, with a few retries) writes at most
 * ~40 history events, so 300 cycles stay far below 25,000.
 */
export const REPLACE_AFTER_CYCLES = 300;

/**
 * When owed mail is tried again: after 10 s, 20 s, 40 s… and then every 15 minutes until SES takes
 * it; at once (1 s) when nothing failed, i.e. mail was queued faster than the step sent it.
 */
export function mailRetrySeconds(failures: number): number {
  return failures === 0 ? 1 : Math.min(900, 10 * 2 ** (failures - 1));
}

/** Sends per step: a change that queued mail while the step was sending is sent in the same step. */
const SEND_ROUNDS = 3;

/** Step Functions timeouts are whole seconds of at least 1; rounding up never acts early. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

async function step(event: unknown): Promise<StepResult> {
  const input = StepEvent.parse(event);
  const rt = getRuntime();
  let ticket = await rt.store.getTicket(input.ticketId);
  let mailFailures = input.mailFailures;
  const applied: TimelineEvent[] = [];
  // A superseded run touches nothing: the ticket's current run does the work.
  if (ticket && executionName(ticket) === input.execution) {
    const advanced = await applyDue(rt, ticket);
    ticket = advanced.ticket;
    applied.push(...advanced.events);
    for (let round = 0; ticket?.outbox?.length && round < SEND_ROUNDS; round++) {
      const sent = await sendOutbox(rt, ticket);
      ticket = sent.ticket;
      applied.push(...sent.events);
      mailFailures = sent.failed ? mailFailures + 1 : 0;
      if (sent.failed) break;
    }
  }
  const { decision, next, retryAt } = plan(rt, ticket, { ...input, mailFailures }, Date.now());
  if (decision.action === 'replaced') await replaceTicketExecution(ticket!);
  const story = { applied: appliedInWords(applied), next: nextInWords(decision.action, next, retryAt) };
  return { ticketId: input.ticketId, version: ticket?.version ?? 0, cycle: input.cycle + 1, mailFailures, ...decision, story };
}

/** What the execution does next (no I/O besides the clock's policy), so it can be tested on its own. */
export function decide(rt: Pick<Runtime, 'policy' | 'planner'>, ticket: Ticket | undefined, input: StepInput, now: number): { action: StepAction; waitSeconds: number } {
  return plan(rt, ticket, input, now).decision;
}

/** decide, with the next SLA event and mail retry it waits for (the execution's story tells them), each computed once. */
function plan(
  rt: Pick<Runtime, 'policy' | 'planner'>,
  ticket: Ticket | undefined,
  input: StepInput,
  now: number,
): { decision: { action: StepAction; waitSeconds: number }; next?: SlaEvent; retryAt?: number } {
  const end = { decision: { action: 'end', waitSeconds: 1 } } as const;
  if (!ticket) return end;
  // A newer run took over (a replacement, or the reconciler restarting a failed run): one clock per ticket.
  if (executionName(ticket) !== input.execution) return end;
  const mailOwed = !!ticket.outbox?.length;
  // Mail owed for a change is sent even when that change closed the ticket.
  if (ticket.status === 'closed' && !mailOwed) return end;
  const handOverAt = Date.parse(input.startedAt) + REPLACE_AFTER_MS;
  if (input.cycle >= REPLACE_AFTER_CYCLES || now >= handOverAt) return { decision: { action: 'replaced', waitSeconds: 1 } };
  const next = nextSlaEvent(ticket, rt, now);
  const retryAt = mailOwed ? now + mailRetrySeconds(input.mailFailures) * 1000 : undefined;
  // Nothing scheduled (no target, paused, all met) yet open: the clock waits for the next change,
  // or until the hand-over; so does a target further away than that. An event that came due
  // while this step ran is acted on a second from now.
  return {
    decision: { action: 'wait', waitSeconds: secondsUntil(Math.min(next?.at ?? Infinity, handOverAt, retryAt ?? Infinity), now) },
    ...(next ? { next } : {}),
    ...(retryAt !== undefined ? { retryAt } : {}),
  };
}

/** The ticket with the clock advanced (core advanceClock; undefined once it is gone) and the events written. Counts the breaches it recorded. */
async function applyDue(rt: Runtime, ticket: Ticket): Promise<{ ticket: Ticket | undefined; events: TimelineEvent[] }> {
  let events: TimelineEvent[] = []; // of the attempt that was written (a version conflict applies the clock again)
  const advanced = await updateUnlessGone(
    rt,
    ticket.id,
    (current, ctx) => {
      const change = advanceClock(current, ctx);
      events = change.events;
      return change;
    },
    { skipUnchanged: true, firstRead: ticket },
  );
  if (!advanced) events = [];
  count(METRIC.slaBreaches, events.filter((event) => event.type === 'sla-breached').length);
  return { ticket: advanced, events };
}

class TicketGoneError extends Error {
  override name = 'TicketGoneError';
}

/**
 * updateTicketWithRetry for the workflow: a ticket deleted meanwhile answers undefined rather than
 * an error (there is nothing left to act on; the next step ends the execution). `firstRead`, the
 * ticket just read, serves the first attempt; a version conflict reads it again.
 */
async function updateUnlessGone(
  rt: Runtime,
  ticketId: string,
  apply: Parameters<typeof updateTicketWithRetry>[1],
  options: { skipUnchanged?: boolean; firstRead?: Ticket } = {},
): Promise<Ticket | undefined> {
  let cached = options.firstRead;
  try {
    const { change } = await updateTicketWithRetry(rt, apply, {
      skipUnchanged: options.skipUnchanged ?? false,
      read: async () => {
        const read = cached ?? (await rt.store.getTicket(ticketId));
        cached = undefined;
        return read ?? Promise.reject(new TicketGoneError(ticketId));
      },
    });
    return change.ticket;
  } catch (error) {
    if (error instanceof TicketGoneError) return undefined;
    throw error;
  }
}

/**
 * Sends the ticket's outbox and takes out what was handled (delivered, or refused for good), with
 * a 'notification-sent' event each: whom it reached with SES's MessageId (a reply's In-Reply-To
 * points back to it), who was rejected or skipped. `failed` when SES did not take the rest.
 */
async function sendOutbox(rt: Runtime, ticket: Ticket): Promise<{ ticket: Ticket | undefined; failed: boolean; events: TimelineEvent[] }> {
  const queued = ticket.outbox ?? [];
  const withBodies = await Promise.all(queued.map((notification) => withEventBody(rt, notification)));
  let results: NotificationResult[];
  let failed = false;
  try {
    results = await sendNotifications(rt, ticket, withBodies, await recipientContext(rt, ticket));
  } catch (error) {
    if (!(error instanceof SesSendError)) throw error;
    logger.warn("SES did not take the ticket's mail; it stays queued and is tried again", { ticketId: ticket.id, error });
    results = error.delivered;
    failed = true;
  }
  if (results.length === 0) return { ticket, failed, events: [] };
  // A reply to any of these mails joins the ticket by its In-Reply-To (functions/email/inbound.ts).
  const region = process.env.AWS_REGION ?? 'us-east-1';
  await rt.store.linkTicket(
    ticket.id,
    results.flatMap((result) => result.sent.filter((sent) => sent.messageId).map((sent) => TICKET_LINKS.mail(sesMessageId(sent.messageId, region)))),
  );
  const handled = queued.slice(0, results.length);
  const events = results.map((result) => sentEvent(ticket, result));
  const after = await updateUnlessGone(rt, ticket.id, (current) => ({ ticket: removeFromOutbox(current, handled), events }));
  return { ticket: after, failed, events };
}

async function withEventBody(rt: Runtime, notification: Notification): Promise<Notification> {
  if (!notification.eventId || !notification.eventAt) return notification;
  const event = await rt.store.getEvent(notification.ticketId, notification.eventAt, notification.eventId);
  return event?.body ? { ...notification, body: event.body } : notification;
}

function sentEvent(ticket: Ticket, result: NotificationResult): TimelineEvent {
  return {
    id: randomUUID(),
    ticketId: ticket.id,
    at: new Date().toISOString(),
    type: 'notification-sent',
    actor: { kind: 'system', id: 'notifier' },
    public: false,
    data: {
      kind: result.kind,
      ...(result.eventId ? { eventId: result.eventId } : {}),
      subject: result.subject,
      to: result.sent.map((sent) => sent.to),
      sent: result.sent,
      rejected: result.rejected,
      skipped: result.skipped,
    },
  };
}

export const handler = lambdaHandler(step);
