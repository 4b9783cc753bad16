/**
 * For tests that deliver mail to a runtime's SMTP listener and read the tickets it made back
 * through the API: the ingest handler runs after the SMTP answer, so what it made is polled for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { api } from './runtime';

type Request = ReturnType<typeof api>;

/** The probe's first defined value, polled every 100 ms; throws naming `what` after `withinMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, withinMs = 5_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not there within ${withinMs} ms`);
    await sleep(100);
  }
}

/** Tickets whose subject is exactly this (tests run side by side: unique subjects). */
export async function ticketsWithSubject(request: Request, subject: string): Promise<any[]> {
  const listed = await request('GET', '/tickets?limit=100');
  expect(listed.status).toBe(200);
  return listed.body.items.filter((ticket: { subject: string }) => ticket.subject === subject);
}

/** The ticket's timeline (newest last), as GET /tickets/{id} answers it. */
export async function timeline(request: Request, id: string): Promise<any[]> {
  return (await request('GET', `/tickets/${id}`)).body.timeline;
}
