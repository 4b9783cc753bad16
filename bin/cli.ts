/**
 * The `tierdesk` command: policy checks and tables, SLA deadlines and 24/7 pricing.
 * A thin shell over core/: every rule it prints comes from there.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import { z } from 'zod';
import { loadPolicy, policyPath, presetNames } from '../core/policy/files';
import { parsePolicy } from '../core/policy/load';
import { policyJsonSchema } from '../core/policy/schema';
import { blockPricing, formatMoney } from '../core/pricing';
import { findCalendar, METRICS, type Metric, resolveTarget, SlaPlanner, TargetError } from '../core/sla/targets';
import { unaddressedMails } from '../core/staff/coverage';
import { EMPTY_DIRECTORY } from '../core/staff/directory';
import { loadDirectory, presetDirectoryPath } from '../core/staff/files';
import { policyTable } from './policy-table';

/** A user mistake: printed as one line, exit code 1 (2 for usage errors, from commander). */
class CliError extends Error {}

const program = new Command('tierdesk')
  .description('tierdesk: support policies, SLA deadlines and the support desk runtime')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

const policy = program.command('policy').description('support policy files and presets');

policy
  .command('check')
  .description('validate a policy file: exit 0 with a summary, or exit 1 listing every problem')
  .argument('<file>', 'policy file (YAML or JSON) or preset name')
  .option('--staff <file>', 'staff directory file (YAML or JSON): warn about every mail it leaves unaddressed')
  .action((file: string, options: { staff?: string }) => {
    const path = policyPath(file);
    const result = parsePolicy(readFileSync(path, 'utf8'));
    if (!result.ok) {
      console.error(`${path}: ${result.problems.length} problem(s)`);
      for (const problem of result.problems) console.error(`  ${problem.path || '(file)'}: ${problem.message}`);
      process.exitCode = 1;
      return;
    }
    const p = result.policy;
    console.log(`${path}: valid policy "${p.name}" (${p.id}) for ${p.vendor}`);
    console.log(
      `  ${p.severities.length} severities, ${p.caseReasons.length} case reasons, ${p.calendars.length} calendars, ` +
        `${p.plans.length} plans (default ${p.defaultPlan}), ${p.addOns.length} add-ons, ${p.tiers.length} tiers, ` +
        `${p.managementChain.length}-step management chain`,
    );
    if (p.notes.length > 0) console.log(`  ${p.notes.length} note(s) on choices the source left open`);
    // Mail that would go to nobody is a warning, not an error: the directory may be loaded later.
    const directory = options.staff ? loadDirectory(options.staff) : EMPTY_DIRECTORY;
    const warnings = unaddressedMails(p, directory);
    if (!options.staff && warnings.length > 0) {
      const shipped = presetDirectoryPath(file);
      console.log(`  checked without a staff directory${shipped ? ` (this preset ships one: --staff ${relativePath(shipped)})` : ' (give one with --staff <file>)'}`);
    }
    for (const warning of warnings) console.log(`  warning: ${warning}`);
  });

policy
  .command('show')
  .description("print a policy's response and resolution targets as a table")
  .argument('<policy>', 'preset name or policy file')
  .action((ref: string) => console.log(policyTable(loadPolicy(ref))));

policy
  .command('list')
  .description('list the shipped presets')
  .action(() => {
    for (const name of presetNames()) {
      const p = loadPolicy(name);
      console.log(`${name.padEnd(10)} ${p.name} — ${p.vendor}`);
    }
  });

policy
  .command('schema')
  .description('print the JSON Schema of policy files (for editors)')
  .action(() => console.log(JSON.stringify(policyJsonSchema(), null, 2)));

const staff = program.command('staff').description('the staff directory: people and teams who get the mail (docs/staff.md)');

const apiOptions = (command: Command) =>
  command.option('--url <url>', "the desk's API (default: env TIERDESK_URL or http://127.0.0.1:3000)").option('--key <key>', 'an API key (default: env TIERDESK_API_KEY)');

apiOptions(
  staff
    .command('import')
    .description('create or replace every partner, person and team of a directory file (an admin key): partners first, then people, then teams')
    .argument('<file>', 'staff directory file (YAML or JSON)'),
).action(async (file: string, options: ApiOptions) => {
  const directory = loadDirectory(file);
  // Partners first: people and teams may name one ([10]).
  for (const partner of directory.partners ?? []) {
    const { id, ...body } = partner;
    await callApi(options, 'PUT', `/staff/partners/${encodeURIComponent(id)}`, body, `partner ${id}`);
  }
  for (const person of directory.people) {
    const { id, ...body } = person;
    await callApi(options, 'PUT', `/staff/people/${encodeURIComponent(id)}`, body, `person ${id}`);
  }
  for (const team of directory.teams) {
    const { id, ...body } = team;
    await callApi(options, 'PUT', `/staff/teams/${encodeURIComponent(id)}`, body, `team ${id}`);
  }
  console.log(`imported ${directory.people.length} people and ${directory.teams.length} teams into ${apiUrl(options)}`);
});

apiOptions(staff.command('export').description('print the whole directory as a file `staff import` reads (YAML; --json for JSON)').option('--json', 'print JSON')).action(
  async (options: ApiOptions & { json?: boolean }) => {
    const directory = await callApi(options, 'GET', '/staff', undefined, 'the directory');
    console.log(options.json ? JSON.stringify(directory, null, 2) : stringify(directory).trimEnd());
  },
);

const keys = program.command('keys').description('API keys of the desk (an admin key): list, revoke, rotate (docs/api-keys.md)');

apiOptions(keys.command('list').description('every key, revoked ones too: id, status, role, name, creator, last use (never a secret)').option('--json', 'print JSON')).action(
  async (options: ApiOptions & { json?: boolean }) => {
    const all: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const page = (await callApi(options, 'GET', `/api-keys?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, 'the keys')) as {
        items: Record<string, unknown>[];
        cursor: string | null;
      };
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    if (options.json) return console.log(JSON.stringify(all, null, 2));
    for (const key of all) {
      const role = key.customerId ? `${key.role}:${key.customerId}` : key.role;
      console.log([key.id, key.status, role, JSON.stringify(key.name), `by ${key.createdBy ?? '?'}`, `last used ${key.lastUsedAt ?? 'never'}`].join('  '));
    }
  },
);

apiOptions(keys.command('revoke').description('revoke a key: refused from the next request on (not the key you call with)').argument('<id>', "the key's id (key_…)")).action(
  async (id: string, options: ApiOptions) => {
    const key = (await callApi(options, 'DELETE', `/api-keys/${encodeURIComponent(id)}`, undefined, `key ${id}`)) as { revokedAt: string };
    console.log(`revoked ${id} at ${key.revokedAt}`);
  },
);

apiOptions(keys.command('rotate').description('a new secret for a key (same id, name, role); the old secret stops working at once').argument('<id>', "the key's id (key_…)")).action(
  async (id: string, options: ApiOptions) => {
    const key = (await callApi(options, 'POST', `/api-keys/${encodeURIComponent(id)}/rotate`, undefined, `key ${id}`)) as { key: string };
    console.log(`new secret for ${id} (shown once; the old one is refused from now on):`);
    console.log(key.key);
  },
);

interface ApiOptions {
  url?: string;
  key?: string;
}

function apiUrl(options: ApiOptions): string {
  return (options.url ?? process.env.TIERDESK_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
}

/** One request to the desk's API; a refusal is one line naming what and why. */
async function callApi(options: ApiOptions, method: string, path: string, body: unknown, what: string): Promise<unknown> {
  const key = options.key ?? process.env.TIERDESK_API_KEY;
  if (!key) throw new CliError('give an API key with --key <key> or TIERDESK_API_KEY');
  let response: Response;
  try {
    response = await fetch(`${apiUrl(options)}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${apiUrl(options)}: ${(error as Error).message}`);
  }
  const text = await response.text();
  const answer = text ? (JSON.parse(text) as { message?: string; field?: string }) : {};
  if (!response.ok) throw new CliError(`${what}: ${response.status} ${answer.field ? `${answer.field}: ` : ''}${answer.message ?? text}`);
  return answer;
}

function relativePath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
}

const metricOption = new Option('--metric <metric>', 'which objective').choices(METRICS).default('first-response');

program
  .command('sla')
  .description('SLA deadlines')
  .command('due')
  .description('print the instant a target falls due, in UTC ISO 8601')
  .requiredOption('--policy <policy>', 'preset name or policy file')
  .option('--plan <plan>', "plan id (default: the policy's default plan)")
  .option('--severity <severity>', 'severity id or name')
  .addOption(metricOption)
  .option('--tier <tier>', 'tier id, for resolution targets (default: the first tier)')
  .option('--opened <instant>', 'when the case was opened, ISO 8601 (without an offset: local time of the calendar)')
  .option('--tz <zone>', "IANA time zone that replaces the calendar's")
  .option('--json', 'print an object with the instant, the target and the calendar used')
  .option('--batch <file>', 'read JSON lines ({opened, severity, plan?, metric?, tier?}) from a file or "-" and write one result per line')
  .action(async (options: DueOptions) => {
    const planner = new SlaPlanner(loadPolicy(options.policy));
    if (options.batch) {
      process.exitCode = await dueBatch(planner, options);
      return;
    }
    if (!options.severity) throw new CliError('--severity is required (or use --batch)');
    if (!options.opened) throw new CliError('--opened is required (or use --batch)');
    const result = dueOne(planner, { ...options, severity: options.severity, opened: options.opened });
    console.log(options.json ? JSON.stringify(result) : result.due);
  });

program
  .command('pricing')
  .description('add-on pricing')
  .command('24x7')
  .description('the monthly charge of 24/7 support for a number of users')
  .requiredOption('--users <count>', 'number of users', parseCount)
  .option('--policy <policy>', 'preset name or policy file', 'caret')
  .option('--add-on <id>', "add-on id (default: the policy's only priced add-on)")
  .action((options: { users: number; policy: string; addOn?: string }) => {
    const p = loadPolicy(options.policy);
    const priced = p.addOns.filter((a) => a.pricing);
    const addOn = options.addOn ? priced.find((a) => a.id === options.addOn) : priced.length === 1 ? priced[0] : undefined;
    if (!addOn?.pricing) {
      const known = priced.map((a) => a.id).join(', ') || 'none';
      throw new CliError(
        options.addOn ? `policy "${p.id}" has no priced add-on "${options.addOn}" (priced: ${known})` : `policy "${p.id}" has ${priced.length} priced add-ons: choose one with --add-on (${known})`,
      );
    }
    const price = blockPricing(addOn.pricing, options.users);
    console.log(
      price.kind === 'custom'
        ? price.message
        : `${addOn.name} for ${price.users} users: ${formatMoney(price.monthly, price.currency)} per month (${price.blocks} block(s) of ${addOn.pricing.blockSize} users)`,
    );
  });

interface DueOptions {
  policy: string;
  plan?: string;
  severity?: string;
  metric: Metric;
  tier?: string;
  opened?: string;
  tz?: string;
  json?: boolean;
  batch?: string;
}

type DueRequest = Omit<DueOptions, 'policy' | 'json' | 'batch' | 'severity' | 'opened' | 'metric'> & {
  severity: string;
  opened: string;
  metric?: Metric;
};

function dueOne(planner: SlaPlanner, request: DueRequest) {
  const target = resolveTarget(planner.policy, { ...request, metric: request.metric ?? 'first-response' });
  const zone = request.tz ?? findCalendar(planner.policy, target.calendar).timeZone;
  const opened = parseInstant(request.opened, zone);
  const { due, timeZone } = planner.due(target, opened, request.tz ? { timeZone: request.tz } : {});
  return {
    due: new Date(due).toISOString(),
    opened: new Date(opened).toISOString(),
    target,
    calendar: { id: target.calendar, timeZone },
  };
}

const BatchLine = z.object({
  opened: z.string(),
  severity: z.union([z.string(), z.number()]).transform(String),
  plan: z.string().optional(),
  metric: z.enum(METRICS).optional(),
  tier: z.string().optional(),
  tz: z.string().optional(),
});

/** One JSON line out per line in, in order; a bad line gets an error line, not an abort. */
async function dueBatch(planner: SlaPlanner, options: DueOptions): Promise<number> {
  const input = options.batch === '-' ? process.stdin : (await import('node:fs')).createReadStream(options.batch!);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let failures = 0;
  let lineNumber = 0;
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  };
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    try {
      const parsed = BatchLine.safeParse(JSON.parse(line));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new TargetError(issue.path.join('.') || 'line', issue.message);
      }
      const { plan = options.plan, metric = options.metric, tier = options.tier, tz = options.tz } = parsed.data;
      const result = dueOne(planner, { ...parsed.data, plan, metric, tier, tz });
      out.push(JSON.stringify(result));
    } catch (error) {
      failures++;
      out.push(JSON.stringify({ line: lineNumber, error: describe(error) }));
    }
    if (out.length >= 1000) flush();
  }
  flush();
  return failures > 0 ? 1 : 0;
}

function parseInstant(text: string, zone: string): number {
  const parsed = DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid) throw new TargetError('opened', `"${text}" is not an ISO 8601 instant (${parsed.invalidExplanation ?? parsed.invalidReason})`);
  return parsed.toMillis();
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('use a whole number of users, e.g. 25');
  return Number(text);
}

function describe(error: unknown): { field?: string; message: string } {
  if (error instanceof TargetError) return { field: error.field, message: error.message };
  if (error instanceof SyntaxError) return { field: 'line', message: `not JSON: ${error.message}` };
  return { message: error instanceof Error ? error.message : String(error) };
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Mistakes in input (policy, options, files) are reported as one line, never a stack trace.
  console.error(`tierdesk: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
