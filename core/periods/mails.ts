/**
 * The mails of a dedicated support period, to the order's point of contact: who the engineer is
 * (about ten days ahead), that the period has started, and at its end a summary of every ticket
 * of the period. Plain text with an HTML part made from it (escaped as a whole). Pure.
 */
import { formatInstant, htmlFromText, notificationSettings } from '../notifications/render';
import type { Policy } from '../policy/schema';
import type { Ticket } from '../tickets/model';
import type { Agent, Period, SupportOrder } from './orders';

export interface PeriodMail {
  kind: 'period-notice' | 'period-started' | 'period-update' | 'period-summary';
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

function mail(policy: Policy, order: SupportOrder, kind: PeriodMail['kind'], subject: string, text: string): PeriodMail {
  const settings = notificationSettings(policy);
  return {
    kind,
    from: settings.from,
    ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
    to: order.pointOfContact.email,
    subject: `[${order.id}] ${subject}`,
    text: `${text.trim()}\n`,
    html: htmlFromText(text, subject),
  };
}

/** The period's dedicated number (orders placed before periods had their own carry it on the order). */
const phoneOf = (order: SupportOrder, period: Period) => period.phone ?? order.phone;

const span = (period: Period) => `${formatInstant(period.start)} – ${formatInstant(period.end)} (${period.hours} hours)`;

export function noticeMail(policy: Policy, order: SupportOrder, period: Period, engineer: Agent): PeriodMail {
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period ${span(period)} is staffed. Your engineer:`,
    '',
    `  ${engineer.name}`,
    `  ${engineer.email}${engineer.phone ? `\n  ${engineer.phone}` : ''}`,
    '',
    phoneOf(order, period) ? `During the period, call ${phoneOf(order, period)}: it rings with your engineer.` : 'During the period, write to us as usual: your engineer takes every ticket first.',
  ];
  return mail(policy, order, 'period-notice', `Your dedicated support engineer for ${formatInstant(period.start)}`, lines.join('\n'));
}

export function startedMail(policy: Policy, order: SupportOrder, period: Period, engineer: Agent): PeriodMail {
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period has started and runs until ${formatInstant(period.end)}.`,
    `${engineer.name} takes every ticket of yours first${phoneOf(order, period) ? `; call ${phoneOf(order, period)}` : ''}.`,
  ];
  return mail(policy, order, 'period-started', 'Your support period has started', lines.join('\n'));
}

/** One line pair per ticket: case number, subject, severity, status, resolution or next step, escalations. */
function ticketRows(policy: Policy, tickets: readonly Ticket[]): string[] {
  const severityName = (id: string) => policy.severities.find((s) => s.id === id)?.name ?? id;
  return tickets.map((ticket) => {
    const outcome = ticket.resolution ? `resolved: ${ticket.resolution.text}` : `next step: ${ticket.details.actionPlan ?? 'the engineer continues on it'}`;
    const escalations = [
      ...(ticket.tier !== policy.tiers[0]!.id ? [`escalated to ${ticket.tier}`] : []),
      ...(ticket.dedicated?.escalations ?? []).map((e) => `${e.issue} issue escalated to ${e.to}`),
    ];
    return `- ${ticket.caseNumber} · ${ticket.subject} · ${severityName(ticket.severity)} · ${ticket.status}\n  ${outcome.split('\n')[0]}${escalations.length ? `; ${escalations.join('; ')}` : ''}`;
  });
}

/** How the period's tickets stand, while it runs (policy supportPeriods.updateEvery). */
export function updateMail(policy: Policy, order: SupportOrder, period: Period, tickets: readonly Ticket[], now: number): PeriodMail {
  const open = tickets.filter((ticket) => ticket.status !== 'resolved' && ticket.status !== 'closed').length;
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `an update on your dedicated support period (until ${formatInstant(period.end)}), as of ${formatInstant(new Date(now).toISOString())}:`,
    `${tickets.length} ticket${tickets.length === 1 ? '' : 's'} so far, ${open} still being worked.`,
    '',
    ...ticketRows(policy, tickets),
  ];
  return mail(policy, order, 'period-update', `Support period update: ${open} open`, lines.join('\n'));
}

/** Every ticket of the period: case number, subject, severity, status, resolution or next step, escalations. */
export function summaryMail(policy: Policy, order: SupportOrder, period: Period, tickets: readonly Ticket[]): PeriodMail {
  const rows = ticketRows(policy, tickets);
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period ${span(period)} has ended.`,
    '',
    tickets.length ? `The tickets of the period (${tickets.length}):` : 'No tickets were opened during the period.',
    ...(tickets.length ? ['', ...rows] : []),
  ];
  return mail(policy, order, 'period-summary', 'Summary of your support period', lines.join('\n'));
}
