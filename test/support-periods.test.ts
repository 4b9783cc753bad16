/**
 * The rules of dedicated support periods (core/periods): what an order may ask for under the
 * Cadmium preset (4-hour blocks, notice 10 days ahead), which slots a booking takes, when an
 * engineer is available, and the three mails to the point of contact.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../core/policy/files';
import { noticeMail, summaryMail } from '../core/periods/mails';
import { availableFor, bookedSlots, newOrder, noticeAt, orderProblems, type Agent, type OrderRequest } from '../core/periods/orders';

const CADMIUM = loadPolicy('cadmium');
const NOW = Date.parse('2026-11-23T09:30:00Z');
const request = (periods: OrderRequest['periods']): OrderRequest => ({
  purpose: 'attendee-support',
  periods,
  pointOfContact: { name: 'Pat Poc', email: 'pat@customer.example' },
});
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('an order for dedicated support periods', () => {
  it('sells whole blocks of 4 hours: 3 and 0 hours are refused naming the period, 8 hours is two blocks', () => {
    expect(fields(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 3 }]), NOW))).toEqual(['periods.0.hours']);
    expect(fields(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 0 }]), NOW))).toEqual(['periods.0.hours']);
    expect(orderProblems(CADMIUM, request([{ start: '2026-12-01T14:00:00Z', hours: 8 }]), NOW)).toEqual([]);
    expect(newOrder(CADMIUM, 'SO-000001', 'acme', request([{ start: '2026-12-01T14:00:00Z', hours: 8 }]), NOW).periods[0]).toMatchObject({
      start: '2026-12-01T14:00:00.000Z',
      end: '2026-12-01T22:00:00.000Z',
      blocks: 2,
      status: 'pending',
    });
  });

  it('starts on the hour, in the future, within 360 days, without overlapping itself, for a purpose the policy offers', () => {
    const problems = orderProblems(
      { ...CADMIUM },
      {
        ...request([
          { start: '2026-12-01T14:30:00Z', hours: 4 },
          { start: '2026-11-01T10:00:00Z', hours: 4 },
          { start: '2027-12-01T10:00:00Z', hours: 4 },
          { start: '2026-12-01T16:00:00Z', hours: 4 },
        ]),
        purpose: 'juggling',
      },
      NOW,
    );
    expect(fields(problems)).toEqual(['purpose', 'periods.0.start', 'periods.1.start', 'periods.2.start', 'periods.3.start']);
    expect(problems.at(-1)!.message).toBe('overlaps period 0');
  });

  it('books one slot per hour, so overlapping periods share a slot and adjacent ones do not', () => {
    const morning = { start: '2026-12-01T08:00:00.000Z', end: '2026-12-01T12:00:00.000Z' };
    expect(bookedSlots(CADMIUM, morning)).toEqual(['2026-12-01T08:00:00.000Z', '2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z']);
    const slots = new Set(bookedSlots(CADMIUM, morning));
    expect(bookedSlots(CADMIUM, { start: '2026-12-01T11:00:00.000Z', end: '2026-12-01T15:00:00.000Z' }).some((s) => slots.has(s))).toBe(true);
    expect(bookedSlots(CADMIUM, { start: '2026-12-01T12:00:00.000Z', end: '2026-12-01T16:00:00.000Z' }).some((s) => slots.has(s))).toBe(false);
  });

  it('an engineer is available when one window covers the whole period; the notice goes out 10 days ahead', () => {
    const agent: Agent = { id: 'ana', name: 'Ana', email: 'ana@vendor.example', skills: [], availability: [{ from: '2026-12-01T08:00:00Z', to: '2026-12-01T12:00:00Z' }] };
    expect(availableFor(agent, { start: '2026-12-01T08:00:00Z', end: '2026-12-01T12:00:00Z' })).toBe(true);
    expect(availableFor(agent, { start: '2026-12-01T10:00:00Z', end: '2026-12-01T14:00:00Z' })).toBe(false);
    expect(new Date(noticeAt(CADMIUM, { start: '2026-12-11T08:00:00Z' }, NOW)).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(noticeAt(CADMIUM, { start: '2026-11-25T08:00:00Z' }, NOW)).toBe(NOW); // closer than 10 days: at once
  });
});

describe('the mails of a period', () => {
  const order = newOrder(CADMIUM, 'SO-000007', 'acme', { ...request([{ start: '2026-12-01T14:00:00Z', hours: 4 }]), phone: '+1 800 555 0100' }, NOW);
  const period = { ...order.periods[0]!, engineerId: 'ana' };
  const ana: Agent = { id: 'ana', name: 'Ana <Lead> Engineer', email: 'ana@vendor.example', phone: '+1 202 555 0100', skills: [], availability: [] };

  it('tells the point of contact who the engineer is and the number to call, HTML-escaped', () => {
    const mail = noticeMail(CADMIUM, order, period, ana);
    expect(mail).toMatchObject({ to: 'pat@customer.example', subject: '[SO-000007] Your dedicated support engineer for 2026-12-01 14:00 UTC' });
    expect(mail.text).toContain('Ana <Lead> Engineer');
    expect(mail.text).toContain('+1 800 555 0100');
    expect(mail.html).toContain('Ana &lt;Lead&gt; Engineer');
  });

  it('sums up every ticket of the period: case number, subject, severity, status, outcome', () => {
    const ticket = { caseNumber: 'CDM-000042', subject: 'Stream down', severity: 'sev1', status: 'resolved', resolution: { type: 'fix', text: 'Restarted the encoder.', at: '' }, details: {}, tier: 'support' };
    const mail = summaryMail(CADMIUM, order, period, [ticket as never]);
    expect(mail.text).toContain('CDM-000042 · Stream down · Severity 1 – Critical · resolved');
    expect(mail.text).toContain('resolved: Restarted the encoder.');
    expect(summaryMail(CADMIUM, order, period, []).text).toContain('No tickets were opened during the period.');
  });
});
