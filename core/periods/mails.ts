/**
 * The mails of a dedicated support period, to the order's point of contact: who the engineer is
 * (about ten days ahead), that the period has started, and at its end a summary of every ticket
 * of the period. Plain text with an HTML part made from it (escaped as a whole). Pure.
 */
import { formatInstant, htmlFromText, notificationSettings, type RecipientContext, resolveForScope } from '../notifications/render';
import type { Policy } from '../policy/schema';
import { instantWords } from '../sla/target-words';
import type { Ticket } from '../tickets/model';
import type { Agent, OrderMailKind, Period, SupportOrder } from './orders';

export interface PeriodMail {
  kind: 'period-notice' | 'period-started' | 'period-update' | 'period-summary' | OrderMailKind;
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

function mail(policy: Policy, order: SupportOrder, kind: PeriodMail['kind'], subject: string, text: string, to = order.pointOfContact.email): PeriodMail {
  const settings = notificationSettings(policy);
  return {
    kind,
    from: settings.from,
    ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
    to,
    subject: `[${order.id}] ${subject}`,
    text: `${text.trim()}\n`,
    html: htmlFromText(text, subject),
  };
}

/** The period's dedicated number (orders placed before periods had their own carry it on the order). */
const phoneOf = (order: SupportOrder, period: Period) => period.phone ?? order.phone;

/**
 * An instant as the point of contact reads it: in `zone` (their customer's, else the plan
 * calendar's: functions/periods/step.ts) and UTC, as mail to a requester shows it; UTC alone
 * without a zone (staff mail).
 */
const at = (iso: string, zone?: string) => (zone ? instantWords(iso, zone) : formatInstant(iso));

const span = (period: Period, zone?: string) => `${at(period.start, zone)} – ${at(period.end, zone)} (${period.hours} hours)`;

export function noticeMail(policy: Policy, order: SupportOrder, period: Period, engineer: Agent, zone?: string): PeriodMail {
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period ${span(period, zone)} is confirmed. Your engineer:`,
    '',
    `  ${engineer.name}`,
    `  ${engineer.email}${engineer.phone ? `\n  ${engineer.phone}` : ''}`,
    '',
    phoneOf(order, period) ? `During the period, call ${phoneOf(order, period)}: it rings with your engineer.` : 'During the period, write to us as usual: your engineer takes every ticket first.',
  ];
  // CHOSEN (presets/cadmium.yaml): this notice, about ten days before, is the order's confirmation.
  return mail(policy, order, 'period-notice', `Your dedicated support engineer for ${at(period.start, zone)} is confirmed`, lines.join('\n'));
}

export function startedMail(policy: Policy, order: SupportOrder, period: Period, engineer: Agent, zone?: string): PeriodMail {
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period has started and runs until ${at(period.end, zone)}.`,
    `${engineer.name} takes every ticket of yours first${phoneOf(order, period) ? `; call ${phoneOf(order, period)}` : ''}.`,
  ];
  return mail(policy, order, 'period-started', 'Your support period has started', lines.join('\n'));
}

/** One line pair per ticket: case number, subject, severity, status, resolution or next step, escalations. */
function ticketRows(policy: Policy, tickets: readonly Ticket[]): string[] {
  const severityName = (id: string) => policy.severities.find((s) => s.id === id)?.name ?? id;
  return tickets.map((ticket) => {
    const outcome = ticket.resolution ? `resolved: ${ticket.resolution.text}` : `next step: ${ticket.details.actionPlan ?? 'the engineer continues on it'}`;
    const escalations = [...(ticket.tier !== policy.tiers[0]!.id ? [`escalated to ${ticket.tier}`] : []), ...(ticket.dedicated?.escalations ?? []).map((e) => `${e.issue} issue escalated to ${e.to}`)];
    const handedOver = ticket.dedicated?.handedOver && ticket.status !== 'resolved' && ticket.status !== 'closed' ? [`handed over to team ${ticket.dedicated.handedOver.team}`] : [];
    const notes = [...escalations, ...handedOver];
    return `- ${ticket.caseNumber} · ${ticket.subject} · ${severityName(ticket.severity)} · ${ticket.status}\n  ${outcome.split('\n')[0]}${notes.length ? `; ${notes.join('; ')}` : ''}`;
  });
}

/** How the period's tickets stand, while it runs (policy supportPeriods.updateEvery). */
export function updateMail(policy: Policy, order: SupportOrder, period: Period, tickets: readonly Ticket[], now: number, zone?: string): PeriodMail {
  const open = tickets.filter((ticket) => ticket.status !== 'resolved' && ticket.status !== 'closed').length;
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `an update on your dedicated support period (until ${at(period.end, zone)}), as of ${at(new Date(now).toISOString(), zone)}:`,
    `${tickets.length} ticket${tickets.length === 1 ? '' : 's'} so far, ${open} still being worked.`,
    '',
    ...ticketRows(policy, tickets),
  ];
  return mail(policy, order, 'period-update', `Support period update: ${open} open`, lines.join('\n'));
}

/** Every ticket of the period: case number, subject, severity, status, resolution or next step, escalations. */
export function summaryMail(policy: Policy, order: SupportOrder, period: Period, tickets: readonly Ticket[], zone?: string): PeriodMail {
  const rows = ticketRows(policy, tickets);
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period ${span(period, zone)} has ended.`,
    '',
    tickets.length ? `The tickets of the period (${tickets.length}):` : 'No tickets were opened during the period.',
    ...(tickets.length ? ['', ...rows] : []),
    ...handOverLines(tickets),
  ];
  return mail(policy, order, 'period-summary', 'Summary of your support period', lines.join('\n'));
}

/** Who took the period's open tickets at its end (core/periods/routing.ts handOverAfterPeriod). */
function handOverLines(tickets: readonly Ticket[]): string[] {
  const open = tickets.filter((t) => t.dedicated?.handedOver && t.status !== 'resolved' && t.status !== 'closed');
  if (!open.length) return [];
  const byTeam = new Map<string, string[]>();
  for (const t of open) byTeam.set(t.dedicated!.handedOver!.team, [...(byTeam.get(t.dedicated!.handedOver!.team) ?? []), t.caseNumber]);
  return [
    '',
    `The period's engineer has handed the open tickets over: ${[...byTeam].map(([team, cases]) => `${cases.join(', ')} to team ${team}`).join('; ')}. They keep you informed until each is resolved.`,
  ];
}

const periodLines = (order: SupportOrder, zone?: string) => order.periods.map((p) => `  - ${span(p, zone)}`);

/**
 * The mails an order owes (SupportOrder.outbox): to the team of `supportPeriods.ordersTeam` when
 * it is placed, one per address (resolved through `context`'s staff directory); to the point of contact when it is accepted (an engineer booked
 * for every period) or left pending (subject to availability). Empty when nobody is to be told.
 */
export function orderMails(policy: Policy, order: SupportOrder, kind: OrderMailKind, context: RecipientContext = {}, zone?: string): PeriodMail[] {
  const hello = [`Hello ${order.pointOfContact.name},`, ''];
  switch (kind) {
    case 'order-placed': {
      const team = policy.supportPeriods?.ordersTeam;
      // `team:<id>` as tickets' mails resolve it: the staff directory first, then notifications.teams.
      const addresses = team ? resolveForScope(policy, { team }, [`team:${team}`], context).to : [];
      const purpose = policy.supportPeriods?.purposes.find((p) => p.id === order.purpose)?.name ?? order.purpose;
      const text = [
        `A new dedicated support order ${order.id} from customer ${order.customerId} waits for acceptance.`,
        '',
        `Purpose: ${purpose}`,
        'Periods:',
        ...periodLines(order),
        `Point of contact: ${order.pointOfContact.name} <${order.pointOfContact.email}>${order.pointOfContact.phone ? `, ${order.pointOfContact.phone}` : ''}`,
        ...(order.notes ? ['', `Notes: ${order.notes}`] : []),
        '',
        `Accept it with POST /support-orders/${order.id}/accept.`,
      ].join('\n');
      return addresses.map((to) => mail(policy, order, kind, `New support order from ${order.customerId}`, text, to));
    }
    case 'order-accepted':
      return [
        mail(
          policy,
          order,
          kind,
          'Your support order is accepted',
          [
            ...hello,
            `your order ${order.id} is accepted: an engineer is booked for each period.`,
            '',
            ...periodLines(order, zone),
            '',
            `About ${policy.supportPeriods?.contactNoticeDays ?? 10} days before each period we confirm it with your engineer's contact details and the number to call.`,
          ].join('\n'),
        ),
      ];
    case 'order-pending':
      return [
        mail(
          policy,
          order,
          kind,
          'Your support order is pending (subject to availability)',
          [
            ...hello,
            `your order ${order.id} is received but not yet accepted: it is subject to availability, and no engineer is free for every period yet.`,
            '',
            ...periodLines(order, zone),
            '',
            'We write again when it is accepted. You may also change the periods.',
          ].join('\n'),
        ),
      ];
  }
}
