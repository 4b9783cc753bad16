/**
 * What the preset scenario tests (test/presets-*.e2e.test.ts) share: reading and acting on a
 * ticket over the API, who a set of mails went to, and the clock's timing rule — it acts at
 * the recorded instant or after, never before, and within LATE_MS of it however busy the machine.
 */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { SentMail } from '../../local/ses';
import { eventually } from './eventually';
import type { api, Runtime } from './runtime';

/** How late the clock may act after an instant on a loaded machine. */
export const LATE_MS = 10_000;

/** Acted on at `instant` or after, never before, and within `lateMs` of it. */
export function expectAround(at: string, instant: number, lateMs = LATE_MS): void {
  const late = Date.parse(at) - instant;
  expect(late, `acted ${late} ms after the instant`).toBeGreaterThanOrEqual(0);
  expect(late, `acted ${late} ms after the instant`).toBeLessThanOrEqual(lateMs);
}

/** "Tue 2 Jun 2026 18:30 Asia/Tokyo (09:30 UTC)", computed here (independently of core/) from the instant. */
export function inZoneAndUtc(iso: string, zone: string): string {
  const local = DateTime.fromISO(iso, { zone });
  const utc = local.setZone('UTC');
  return `${local.toFormat('ccc d LLL yyyy HH:mm')} ${zone} (${utc.toFormat(local.toISODate() === utc.toISODate() ? 'HH:mm' : 'ccc d LLL yyyy HH:mm')} UTC)`;
}

/** Everyone a set of mails went to (To only), sorted. */
export const recipients = (mails: { destination: { to: string[] } }[]): string[] => mails.flatMap((mail) => mail.destination.to).sort();

/** Read a ticket, act on it and reply to it as the runtime's admin (or another key), checking each answer. */
export function ticketCalls<Ticket>(request: ReturnType<typeof api>) {
  async function read(id: string): Promise<Ticket> {
    const answer = await request('GET', `/tickets/${id}`);
    expect(answer.status).toBe(200);
    return answer.body as Ticket;
  }
  return {
    read,
    act: (id: string, action: Record<string, unknown>, key?: string) => request('POST', `/tickets/${id}/actions`, { ...(key ? { key } : {}), body: action }),
    async reply(id: string, body: string): Promise<Ticket> {
      const answer = await request('POST', `/tickets/${id}/messages`, { body: { kind: 'agent-reply', body } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return read(id);
    },
  };
}

/** One case's mails in the SES emulator. Tests run side by side, so mails are filtered, never cleared. */
export interface CaseMails {
  /** The mails of the case whose subject contains `about`, once `count` of them are there. */
  containing(caseNumber: string, about: string, count: number, withinMs?: number): Promise<SentMail[]>;
  /**
   * The mails of the case whose subject starts, after its case tag, with `subject` (a reply's
   * "Re: " comes before the tag), once `count` have gone out: one mail per recipient.
   */
  startingWith(caseNumber: string, subject: string, count: number, withinMs?: number): Promise<SentMail[]>;
}

export function caseMails(runtime: () => Runtime): CaseMails {
  const once = (what: string, count: number, withinMs: number, matches: (subject: string) => boolean) =>
    eventually(
      `${count} mail(s) ${what}`,
      async () => {
        const found = (await runtime().ses.store()).filter((mail) => matches(mail.subject));
        return found.length >= count ? found : undefined;
      },
      withinMs,
    );
  return {
    containing: (caseNumber, about, count, withinMs = LATE_MS + 5_000) =>
      once(`"${about}" of ${caseNumber}`, count, withinMs, (subject) => subject.includes(`[${caseNumber}]`) && subject.includes(about)),
    startingWith(caseNumber, subject, count, withinMs = LATE_MS) {
      const prefix = subject.startsWith('Re: ') ? `Re: [${caseNumber}] ${subject.slice(4)}` : `[${caseNumber}] ${subject}`;
      return once(`"${prefix}…"`, count, withinMs, (mailSubject) => mailSubject.startsWith(prefix));
    },
  };
}
