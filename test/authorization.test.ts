/**
 * Authorization (core/access/authorize.ts) against the tables of docs/authorization.md, read from
 * the document itself: every caller × action × ownership × tier operator × hand-over (and team and
 * assignee, which must not matter) is looked up in the document's table and decided by the code,
 * and the two must agree. Every row of the document must decide at least one combination (no dead
 * rows). Then fast-check properties that hold whatever the table says.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Caller,
  CUSTOMER_ACTIONS,
  type CustomerSubject,
  DESK_ACTIONS,
  type Decision,
  decide,
  TICKET_ACTIONS,
  type TicketSubject,
  ticketListScope,
  ticketSubject,
  ticketView,
  visibleEvents,
} from '../core/access/authorize';
import { ROLES } from '../core/access/principal';
import { loadPolicy } from '../core/policy/files';
import { SlaPlanner } from '../core/sla/targets';
import type { Ticket } from '../core/tickets/model';
import { applyAction, openTicket, type RuleContext } from '../core/tickets/rules';

// ---- the document's tables ---------------------------------------------------------------------

interface Table {
  keys: string[];
  actions: string[];
  rows: { match: string[]; cells: Record<string, string>; used: number; line: string }[];
}

/** Every markdown table of the document whose first column is "caller" and that has action columns. */
function readTables(): Table[] {
  const lines = readFileSync(new URL('../docs/authorization.md', import.meta.url), 'utf8').split('\n');
  const tables: Table[] = [];
  let current: Table | undefined;
  const cellsOf = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
  for (const line of lines) {
    if (!line.trim().startsWith('|')) {
      current = undefined;
      continue;
    }
    const cells = cellsOf(line);
    if (!current) {
      if (cells[0] !== 'caller') continue;
      const keyCount = cells.findIndex((cell) => cell.includes(':') || TICKET_COLUMNS.has(cell));
      if (keyCount < 0) continue; // the callers' legend, the listing table
      current = { keys: cells.slice(0, keyCount), actions: cells.slice(keyCount), rows: [] };
      tables.push(current);
      continue;
    }
    if (cells.every((cell) => /^-+$/.test(cell))) continue;
    const match = cells.slice(0, current.keys.length);
    const values = cells.slice(current.keys.length);
    expect(values, `a row of the table in docs/authorization.md: ${line}`).toHaveLength(current.actions.length);
    current.rows.push({ match, cells: Object.fromEntries(current.actions.map((action, i) => [action, values[i]!])), used: 0, line });
  }
  return tables;
}

/** The ticket table's columns are the action without its `ticket:` prefix. */
const TICKET_COLUMNS = new Set(TICKET_ACTIONS.map((action) => action.slice('ticket:'.length)));

function expected(table: Table, action: string, labels: string[]): string {
  const row = table.rows.find((candidate) => candidate.match.every((value, i) => value === 'any' || value === labels[i]));
  if (!row) throw new Error(`docs/authorization.md has no row for ${labels.join(' / ')}`);
  row.used++;
  const cell = row.cells[action];
  if (cell === undefined) throw new Error(`docs/authorization.md has no column ${action}`);
  return cell;
}

const outcome = (decision: Decision): string => (decision.allowed ? '✓' : String(decision.status));

// ---- the combinations --------------------------------------------------------------------------

interface NamedCaller {
  label: string;
  caller: Caller;
}

/** Every kind of caller, each way it can call (key or sign-in). */
const CALLERS: NamedCaller[] = [
  { label: 'admin', caller: { role: 'admin', via: 'api-key' } },
  { label: 'admin', caller: { role: 'admin', via: 'sign-in', personId: 'ada', teams: ['level3'] } },
  { label: 'agent key', caller: { role: 'agent', via: 'api-key' } },
  { label: 'agent', caller: { role: 'agent', via: 'sign-in', personId: 'vic', teams: ['level3'] } },
  { label: 'agent', caller: { role: 'agent', via: 'sign-in', personId: 'val', teams: [] } },
  { label: 'partner agent', caller: { role: 'partner-agent', via: 'sign-in', partnerId: 'p1', personId: 'pat', teams: ['level1'] } },
  { label: 'customer', caller: { role: 'customer', via: 'api-key', customerId: 'c-own' } },
  { label: 'customer', caller: { role: 'customer', via: 'sign-in', customerId: 'c-own' } },
];

/** Whose a ticket (or a customer) is: the caller's own customer (served by a partner or not), a partner's, another's, a direct one, nobody's. */
const OWNERS: { customerId?: string; partnerId?: string }[] = [
  { customerId: 'c-own' },
  { customerId: 'c-own', partnerId: 'p1' },
  { customerId: 'c-p1', partnerId: 'p1' },
  { customerId: 'c-p2', partnerId: 'p2' },
  { customerId: 'c-direct' },
  {},
];

const TICKETS: TicketSubject[] = OWNERS.flatMap((owner) =>
  (['vendor', 'partner'] as const).flatMap((operatedBy) =>
    [false, true].flatMap((handedOver) =>
      [undefined, 'level1', 'level3'].flatMap((team) =>
        [undefined, 'pat', 'vic'].map((assignee) => ({
          ...owner,
          tier: operatedBy === 'partner' ? 'level1' : 'level3',
          operatedBy,
          handedOver,
          ...(team ? { team } : {}),
          ...(assignee ? { assignee } : {}),
        })),
      ),
    ),
  ),
);

/** How the document names a ticket's relation to the caller. */
function ticketOf(caller: Caller, subject: { customerId?: string; partnerId?: string }): string {
  if (caller.customerId && subject.customerId === caller.customerId) return 'own customer';
  if (!subject.customerId) return 'an unverified requester';
  if (caller.partnerId && subject.partnerId === caller.partnerId) return "its partner's customer";
  if (subject.partnerId) return "another partner's customer";
  return 'a direct customer';
}

function tierOf(subject: TicketSubject): string {
  if (subject.operatedBy === 'partner') return 'partner tier';
  return subject.handedOver ? 'vendor tier, handed over' : 'vendor tier';
}

function customerOf(caller: Caller, subject: CustomerSubject): string {
  if (!subject.customerId) return 'none named';
  if (caller.customerId && subject.customerId === caller.customerId) return 'own';
  if (caller.partnerId && subject.partnerId === caller.partnerId) return "its partner's";
  if (subject.partnerId) return "another partner's";
  return 'direct';
}

describe('docs/authorization.md is what core/access/authorize.ts decides', () => {
  const tables = readTables();
  const tableWith = (column: string) => {
    const found = tables.find((table) => table.actions.includes(column));
    if (!found) throw new Error(`no table in docs/authorization.md has the column ${column}`);
    return found;
  };

  it('has a table column for every action the code knows, and no other', () => {
    const columns = tables.flatMap((table) => table.actions).sort();
    const actions = [...[...TICKET_ACTIONS].map((action) => action.slice('ticket:'.length)), ...CUSTOMER_ACTIONS, ...DESK_ACTIONS].sort();
    expect(columns).toEqual(actions);
    expect(new Set(CALLERS.map((named) => named.caller.role))).toEqual(new Set(ROLES));
  });

  it('every caller × ticket action × ownership × tier operator × hand-over × team × assignee', () => {
    const disagreements: string[] = [];
    for (const { label, caller } of CALLERS) {
      for (const subject of TICKETS) {
        for (const action of TICKET_ACTIONS) {
          const column = action.slice('ticket:'.length);
          const want = expected(tableWith(column), column, [label, ticketOf(caller, subject), tierOf(subject)]);
          const got = outcome(decide(caller, action, subject));
          if (want !== got) disagreements.push(`${label} (${caller.via}) ${action} on ${JSON.stringify(subject)}: the document says ${want}, the code ${got}`);
        }
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
  });

  it('every caller × action for one customer × whose customer', () => {
    const disagreements: string[] = [];
    for (const { label, caller } of CALLERS) {
      for (const subject of OWNERS) {
        for (const action of CUSTOMER_ACTIONS) {
          const want = expected(tableWith(action), action, [label, customerOf(caller, subject)]);
          const got = outcome(decide(caller, action, subject));
          if (want !== got) disagreements.push(`${label} (${caller.via}) ${action} for ${JSON.stringify(subject)}: the document says ${want}, the code ${got}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('every caller × desk action', () => {
    const disagreements: string[] = [];
    for (const { label, caller } of CALLERS) {
      for (const action of DESK_ACTIONS) {
        const want = expected(tableWith(action), action, [label]);
        const got = outcome(decide(caller, action));
        if (want !== got) disagreements.push(`${label} (${caller.via}) ${action}: the document says ${want}, the code ${got}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('decides every combination with some row, and every row decides some combination', () => {
    const dead = tables.flatMap((table) => table.rows.filter((row) => row.used === 0).map((row) => row.line));
    expect(dead).toEqual([]);
  });
});

// ---- properties ----------------------------------------------------------------------------------

const id = fc.constantFrom('c1', 'c2', 'c3', 'p1', 'p2', 'x');
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const callerArb: fc.Arbitrary<Caller> = fc.record(
  {
    role: fc.constantFrom(...ROLES),
    via: fc.constantFrom('api-key' as const, 'sign-in' as const),
    customerId: optional(id),
    partnerId: optional(id),
    personId: optional(fc.constantFrom('pat', 'vic')),
    teams: optional(fc.array(fc.constantFrom('level1', 'level2', 'level3'), { maxLength: 3 })),
  },
  { requiredKeys: ['role'] },
);

const subjectArb: fc.Arbitrary<TicketSubject> = fc.record(
  {
    customerId: optional(id),
    partnerId: optional(id),
    tier: fc.constantFrom('level1', 'level2', 'level3'),
    operatedBy: fc.constantFrom('vendor' as const, 'partner' as const),
    team: optional(fc.constantFrom('level1', 'level2', 'level3')),
    assignee: optional(fc.constantFrom('pat', 'vic')),
    handedOver: fc.boolean(),
  },
  { requiredKeys: ['tier', 'operatedBy', 'handedOver'] },
);

const ticketAction = fc.constantFrom(...TICKET_ACTIONS);

describe('properties of every decision', () => {
  it('a customer never reaches another customer\'s ticket: every action is "not found"', () => {
    fc.assert(
      fc.property(callerArb, subjectArb, ticketAction, (caller, subject, action) => {
        const customer = { ...caller, role: 'customer' as const, customerId: caller.customerId ?? 'c1' };
        fc.pre(subject.customerId !== customer.customerId);
        expect(decide(customer, action, subject)).toMatchObject({ allowed: false, status: 404 });
      }),
    );
  });

  it("a customer never reads an internal event or the desk's routing of its own ticket", () => {
    fc.assert(
      fc.property(callerArb, subjectArb, fc.array(fc.boolean(), { maxLength: 8 }), (caller, subject, publicFlags) => {
        const customer = { ...caller, role: 'customer' as const, customerId: 'c1' };
        const own = { ...subject, customerId: 'c1' };
        expect(decide(customer, 'ticket:attachment-internal', own).allowed).toBe(false);
        expect(decide(customer, 'ticket:internal-note', own).allowed).toBe(false);
        const events = publicFlags.map((isPublic, i) => ({ id: String(i), public: isPublic }));
        expect(visibleEvents(customer, events).every((event) => event.public)).toBe(true);
        const seen = ticketView(customer, { id: 'T-1', queue: 'level1', entitlement: {}, details: {}, flags: [], outbox: [], partnerId: 'p1', partnerHandover: {}, subject: 's' });
        expect(Object.keys(seen).sort()).toEqual(['id', 'subject']);
      }),
    );
  });

  it('a partner agent never reaches a ticket of a customer its partner does not serve', () => {
    fc.assert(
      fc.property(callerArb, subjectArb, ticketAction, (caller, subject, action) => {
        const partnerAgent = { ...caller, role: 'partner-agent' as const };
        fc.pre(!partnerAgent.partnerId || subject.partnerId !== partnerAgent.partnerId);
        expect(decide(partnerAgent, action, subject)).toMatchObject({ allowed: false, status: 404 });
      }),
    );
  });

  it('a partner agent only reads and notes a case handed over to the vendor, and never acts on one in a vendor tier', () => {
    fc.assert(
      fc.property(callerArb, subjectArb, ticketAction, (caller, subject, action) => {
        const partnerAgent = { ...caller, role: 'partner-agent' as const, partnerId: 'p1' };
        const vendorTier = { ...subject, partnerId: 'p1', operatedBy: 'vendor' as const };
        const allowed = decide(partnerAgent, action, vendorTier).allowed;
        const readOrNote = ['ticket:read', 'ticket:internal-note', 'ticket:attachment-public', 'ticket:attachment-internal'].includes(action);
        expect(allowed).toBe(vendorTier.handedOver && readOrNote);
      }),
    );
  });

  it('nobody but an admin manages API keys, the staff directory or the engineers', () => {
    fc.assert(
      fc.property(callerArb, fc.constantFrom('api-key:manage' as const, 'staff:write' as const, 'agent:write' as const), (caller, action) => {
        expect(decide(caller, action).allowed).toBe(caller.role === 'admin');
      }),
    );
  });

  it("a customer lists only its own customer's tickets, a partner agent only its partner's", () => {
    const query = fc.record({ customer: optional(id), unverified: optional(fc.boolean()), queue: optional(fc.constantFrom('level1', 'triage')), status: optional(fc.constantFrom('open', 'closed')) });
    fc.assert(
      fc.property(callerArb, query, (caller, asked) => {
        const decided = ticketListScope(caller, Object.fromEntries(Object.entries(asked).filter(([, value]) => value !== undefined)));
        if (!decided.allowed) return;
        const { scope } = decided;
        if (caller.role === 'customer') expect(scope.by === 'nothing' || (scope.by === 'customer' && scope.customerId === caller.customerId)).toBe(true);
        if (caller.role === 'partner-agent') expect(scope.by === 'nothing' || (scope.by === 'partner' && scope.partnerId === caller.partnerId)).toBe(true);
      }),
    );
  });
});

describe('ticketSubject', () => {
  it('takes who operates the tier from the policy, and a hand-over from the ticket', () => {
    const policy = {
      tiers: [
        { id: 'level1', operatedBy: 'partner' as const },
        { id: 'level3', operatedBy: 'vendor' as const },
      ],
    };

    const atLevel1 = ticketSubject({ customerId: 'c', partnerId: 'p1', tier: 'level1', team: 'partner-level1' }, policy);
    const handed = ticketSubject({ customerId: 'c', partnerId: 'p1', tier: 'level3', partnerHandover: { partnerId: 'p1', from: 'level2', to: 'level3', at: 'x' } }, policy);
    const gone = ticketSubject({ tier: 'level9' }, policy);

    expect(atLevel1).toEqual({ customerId: 'c', partnerId: 'p1', tier: 'level1', operatedBy: 'partner', team: 'partner-level1', handedOver: false });
    expect(handed).toMatchObject({ operatedBy: 'vendor', handedOver: true });
    // A tier the policy no longer has is the vendor's: a policy change gives nobody outside it access.
    expect(gone.operatedBy).toBe('vendor');
  });
});

describe("a partner's case on the ticket itself (core/tickets/rules.ts)", () => {
  const policy = loadPolicy('presets/cadents.yaml');
  let n = 0;
  const ctx = (now: number): RuleContext => ({ policy, planner: new SlaPlanner(policy), now, newId: () => `evt-${++n}` });
  const agent = { kind: 'agent' as const, id: 'karen.doyle' };
  const open = (owner: { customerId?: string; partnerId?: string }) =>
    openTicket(
      {
        id: 'CDN-1',
        caseNumber: 'CDN-1',
        ...owner,
        requester: { email: 'it@globex.example' },
        channel: 'email',
        subject: 'Calls drop',
        description: 'Every third call drops.',
        severity: 'sev2',
        entitlement: { status: 'entitled', reasons: [], plan: 'standard', queue: 'standard', designatedUser: false, addOns: [] },
      },
      ctx(Date.parse('2026-03-02T14:00:00Z')),
      agent,
    ).ticket;
  const toLevel3 = (ticket: Ticket) => {
    const level2 = applyAction(ticket, { type: 'escalate', reason: 'recreate', details: { symptoms: 'drops' } }, ctx(Date.parse('2026-03-02T15:00:00Z')), agent).ticket;
    return applyAction(level2, { type: 'escalate', reason: 'defect', details: { stepsToReproduce: 'call, wait' } }, ctx(Date.parse('2026-03-02T16:00:00Z')), agent).ticket;
  };

  it("keeps the customer's partner, and records the hand-over when the case leaves the partner's tiers for the vendor's", () => {
    const opened = open({ customerId: 'globex', partnerId: 'partner-helpdesk' });
    const handed = toLevel3(opened);

    expect(opened).toMatchObject({ partnerId: 'partner-helpdesk', tier: 'level1' });
    expect(opened.partnerHandover).toBeUndefined();
    expect(handed.partnerHandover).toEqual({ partnerId: 'partner-helpdesk', from: 'level2', to: 'level3', at: '2026-03-02T16:00:00.000Z' });
    expect(ticketSubject(handed, policy)).toMatchObject({ operatedBy: 'vendor', handedOver: true });
  });

  it('hands nothing over for a direct customer, and a ticket without a customer has no partner', () => {
    expect(toLevel3(open({ customerId: 'acme' })).partnerHandover).toBeUndefined();
    expect(open({ partnerId: 'partner-helpdesk' }).partnerId).toBeUndefined();
  });
});
