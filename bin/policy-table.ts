/** `tierdesk policy show`: a policy's objectives as a plain-text table. */
import { formatDuration } from '../core/policy/duration';
import type { Policy } from '../core/policy/schema';
import { resolveTarget } from '../core/sla/targets';

/** Plan × severity rows with each objective and its calendar. */
export function policyTable(p: Policy): string {
  const header = ['plan', 'severity', 'first response', 'next response', ...p.tiers.map((t) => `resolve @${t.id}`)];
  const rows: string[][] = [header];
  const cell = (query: Parameters<typeof resolveTarget>[1]) => {
    try {
      const target = resolveTarget(p, query);
      const length = formatDuration(target.durationMs);
      return `${target.within === length ? length : `${target.within} = ${length}`} (${target.calendar})`;
    } catch {
      return '—';
    }
  };
  for (const plan of p.plans) {
    for (const severity of p.severities) {
      rows.push([
        plan.id,
        `${severity.id} ${severity.name}`,
        cell({ plan: plan.id, severity: severity.id, metric: 'first-response' }),
        cell({ plan: plan.id, severity: severity.id, metric: 'next-response' }),
        ...p.tiers.map((tier) => cell({ plan: plan.id, severity: severity.id, metric: 'resolution', tier: tier.id })),
      ]);
    }
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((value, column) => value.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  const calendars = p.calendars.map((c) => `  ${c.id}: ${c.name ?? ''} (${c.alwaysOpen ? '24/7' : c.timeZone})`.trimEnd());
  return [`${p.name} — ${p.vendor}`, '', ...lines, '', 'Calendars:', ...calendars].join('\n');
}
