/**
 * For tests that deliver mail to a runtime's SMTP listener and read the tickets it made back
 * through the API: the ingest handler runs after the SMTP answer, so what it made is polled for.
 */
import { expect } from 'vitest';
import type { api } from './runtime';

type Request = ReturnType<typeof api>;

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
