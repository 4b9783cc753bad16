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
  kind: 'period-notice' | 'period-started' | 'period-summary';
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
    order.phone ? `During the period, call ${order.phone}: it rings with your engineer.` : 'During the period, write to us as usual: your engineer takes every ticket first.',
  ];
  return mail(policy, order, 'period-notice', `Your dedicated support engineer for ${formatInstant(period.start)}`, lines.join('\n'));
}

export function startedMail(policy: Policy, order: SupportOrder, period: Period, engineer: Agent): PeriodMail {
  const lines = [
    `Hello ${order.pointOfContact.name},`,
    '',
    `your dedicated support period has started and runs until ${formatInstant(period.end)}.`,
    `${engineer.name} takes every ticket of yours first${order.phone ? `; call ${order.phone}` : ''}.`,
  ];
  return mail(policy, order, 'period-started', 'Your support period has started', lines.join('\n'));
}

/** Every ticket of the period: case number, subject, severity, status, resolution or next step, escalations. */
export function summaryMail(policy: Policy, order: SupportOrder, period: Period, tickets: readonly Ticket[]): PeriodMail {
  const severityName = (id: string) => policy.severities.find((s) => s.id === id)?.name ?? id;
  const rows = tickets.map((ticket) => {
    const outcome = ticket.resolution ? `resolved: ${ticket.resolution.text}` : `next step: ${ticket.details.actionPlan ?? 'the engineer continues on it'}`;
    const escalated = ticket.tier !== policy.tiers[0]!.id ? `; escalated to ${ticket.tier}` : '';
    return `- ${ticket.caseNumber} · ${ticket.subject} · ${severityName(ticket.severity)} · ${ticket.status}\n  ${outcome.split('\n')[0]}${escalated}`;
  });
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
