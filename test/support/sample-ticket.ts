/** A plain open ticket for tests that need one but not the rules that make one. */
import type { Ticket } from '../../core/tickets/model';

export function sampleTicket(overrides: Partial<Ticket> = {}): Ticket {
  const at = '2026-06-01T10:00:00.000Z';
  return {
    id: 't-1',
    caseNumber: 'TEST-000123',
    version: 1,
    requester: { email: 'pat@customer.example', name: 'Pat' },
    channel: 'web',
    subject: 'Export fails',
    description: 'The export button does nothing.',
    severity: '1',
    tier: 'L1',
    team: 'frontline',
    queue: 'frontline',
    status: 'open',
    assignee: 'ann',
    details: {},
    flags: [],
    entitlement: { status: 'entitled', reasons: [], queue: 'standard', designatedUser: false },
    sla: { plan: 'standard', addOns: [], pauses: [] },
    createdAt: at,
    createdBy: { kind: 'customer', id: 'pat@customer.example' },
    updatedAt: at,
    ...overrides,
  };
}
