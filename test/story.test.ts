/** The words a ticket's execution history reads in (core/sla/story.ts): what each Step applied and what its wait is for. */
import { describe, expect, it } from 'vitest';
import { appliedInWords, nextInWords, STORY_ENTRIES } from '../core/sla/story';

const AT = Date.parse('2026-12-04T14:00:00.000Z');

describe("an execution's story", () => {
  it('names each applied event once: warnings, breaches, a missed management step, an escalation, mail', () => {
    expect(
      appliedInWords([
        { type: 'sla-warning', data: { objective: 'firstResponse' } },
        { type: 'sla-breached', data: { objective: 'resolution' } },
        { type: 'escalated', data: { from: 'tier1', to: 'tier2' } },
        { type: 'tier-changed', data: { from: 'tier1', to: 'tier2' } },
        { type: 'sla-breached', data: { objective: 'management', step: 'COO' } },
        { type: 'notification-sent', data: { kind: 'sla-breach' } },
      ]),
    ).toEqual(['firstResponse warning', 'resolution breached', 'escalated tier1 → tier2', 'management step COO missed', 'mail sent: sla-breach']);
  });

  it('stays short however much one Step did', () => {
    const words = appliedInWords(Array.from({ length: 40 }, () => ({ type: 'notification-sent', data: { kind: 'status-update' } })));
    expect(words).toHaveLength(STORY_ENTRIES);
    expect(words.at(-1)).toBe(`and ${40 - STORY_ENTRIES + 1} more`);
  });

  it('says what the wait is for: the next SLA event, a mail retry before it, a change, or the end', () => {
    expect(nextInWords('wait', { kind: 'breach', objective: 'firstResponse', at: AT, due: AT }, undefined)).toBe('firstResponse due 2026-12-04T14:00:00.000Z');
    expect(nextInWords('wait', { kind: 'warning', objective: 'resolution', at: AT - 3_600_000, due: AT }, undefined)).toBe(
      'resolution warning at 2026-12-04T13:00:00.000Z (due 2026-12-04T14:00:00.000Z)',
    );
    expect(nextInWords('wait', { kind: 'breach', objective: 'management', step: 1, at: AT, due: AT }, undefined)).toBe('management step 1 due 2026-12-04T14:00:00.000Z');
    expect(nextInWords('wait', { kind: 'auto-close', at: AT, due: AT }, undefined)).toBe('auto-close at 2026-12-04T14:00:00.000Z');
    expect(nextInWords('wait', { kind: 'breach', objective: 'firstResponse', at: AT, due: AT }, AT - 10_000)).toBe('mail retry at 2026-12-04T13:59:50.000Z');
    expect(nextInWords('wait', undefined, undefined)).toBe('waiting for a change to the ticket');
    expect(nextInWords('end', undefined, undefined)).toBe('execution ends');
    expect(nextInWords('replaced', undefined, undefined)).toBe("the ticket's next run takes over");
  });
});
