/**
 * A ticket's execution history as its story: each Step's output says what it applied and what
 * the wait after it is for, in a few words, so an operator reading an execution in the Step
 * Functions console sees "firstResponse warning", "escalated tier1 → tier2", "waiting for
 * firstResponse breach at 2026-12-04T14:00:00.000Z", at no extra state transition (the words
 * ride on Step's result, which the next state receives anyway).
 */
import type { TimelineEvent } from '../tickets/model';
import type { SlaEvent } from './schedule';

/** At most this many entries of what one Step applied: a history event's input stays small. */
export const STORY_ENTRIES = 12;

export interface StepStory {
  applied: string[];
  next: string;
}

/** What the clock's write and the mail sent did, one entry each, in order. */
export function appliedInWords(events: readonly Pick<TimelineEvent, 'type' | 'data'>[]): string[] {
  // An escalation writes 'escalated' and 'tier-changed' together: told once.
  const words = events
    .filter((event) => event.type !== 'tier-changed')
    .map((event): string => {
      const data = event.data ?? {};
      switch (event.type) {
        case 'sla-warning':
          return `${String(data.objective)} warning`;
        case 'sla-breached':
          return data.objective === 'management' ? `management step ${String(data.step)} missed` : `${String(data.objective)} breached`;
        case 'escalated':
          return `escalated ${String(data.from)} → ${String(data.to)}`;
        case 'notification-sent':
          return `mail sent: ${String(data.kind)}`;
        default:
          return event.type;
      }
    });
  return words.length > STORY_ENTRIES ? [...words.slice(0, STORY_ENTRIES - 1), `and ${words.length - STORY_ENTRIES + 1} more`] : words;
}

/** What the wait after this Step is for: the next SLA event, a mail retry, or the next change. */
export function nextInWords(action: 'wait' | 'end' | 'replaced', next: SlaEvent | undefined, mailRetryAt: number | undefined): string {
  if (action === 'end') return 'execution ends';
  if (action === 'replaced') return "the ticket's next run takes over";
  const iso = (ms: number) => new Date(ms).toISOString();
  if (mailRetryAt !== undefined && (!next || mailRetryAt < next.at)) return `mail retry at ${iso(mailRetryAt)}`;
  if (!next) return 'waiting for a change to the ticket';
  if (next.kind === 'auto-close') return `auto-close at ${iso(next.at)}`;
  if (next.objective === 'management') return `management step ${next.step} due ${iso(next.due)}`;
  return next.kind === 'warning' ? `${next.objective} warning at ${iso(next.at)} (due ${iso(next.due)})` : `${next.objective} due ${iso(next.due)}`;
}
