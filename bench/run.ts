/**
 * `npm run bench`: runs every benchmark module in order and prints a table of its figures.
 * Always exits 0; a missed target is printed as "TARGET MISSED" (in the figures and in a
 * summary line at the end).
 *
 * To add a benchmark: export `async function benchX(): Promise<BenchResult>` from a module
 * in this folder and append it to BENCHMARKS.
 *
 * `npm run bench -- --only=console-bundle,console-data` runs only the named ones; the console
 * data benchmark writes TIERDESK_BENCH_TICKETS tickets (default 100,000; `--tickets=N` too).
 */
import { benchBundles } from './bundles';
import { type BenchResult, benchCalendar } from './calendar';
import { benchConsoleBundle, benchConsoleData } from './console';
import { benchCost } from './cost';
import { benchIntake } from './intake';
import { benchMail } from './mail';
import { benchReconcile } from './reconcile';

const BENCHMARKS: { name: string; run: () => Promise<BenchResult> }[] = [
  { name: 'calendar', run: benchCalendar },
  { name: 'intake', run: benchIntake },
  { name: 'mail', run: benchMail },
  { name: 'reconcile', run: benchReconcile },
  { name: 'cost', run: benchCost },
  { name: 'bundles', run: benchBundles },
  { name: 'console-bundle', run: benchConsoleBundle },
  { name: 'console-data', run: benchConsoleData },
];

const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const unknown = only?.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`--only: no benchmark ${unknown.join(', ')} (there are ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')})`);
const selected = only ? BENCHMARKS.filter((benchmark) => only.includes(benchmark.name)) : BENCHMARKS;

function formatValue(value: number | string): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

function printTable(result: BenchResult): void {
  const rows = Object.entries(result.figures).map(([key, value]) => [key, formatValue(value)] as const);
  const keyWidth = Math.max('figure'.length, ...rows.map(([key]) => key.length));
  const valueWidth = Math.max('value'.length, ...rows.map(([, value]) => value.length));
  const rule = `+-${'-'.repeat(keyWidth)}-+-${'-'.repeat(valueWidth)}-+`;
  console.log(`\n${result.name}`);
  console.log(rule);
  console.log(`| ${'figure'.padEnd(keyWidth)} | ${'value'.padEnd(valueWidth)} |`);
  console.log(rule);
  for (const [key, value] of rows) {
    // Numbers right-aligned, text left-aligned.
    const cell = /^[\d,.-]+$/.test(value) ? value.padStart(valueWidth) : value.padEnd(valueWidth);
    console.log(`| ${key.padEnd(keyWidth)} | ${cell} |`);
  }
  console.log(rule);
}

const missed: string[] = [];
for (const benchmark of selected) {
  console.log(`\n=== ${benchmark.name} ===`);
  try {
    const result = await benchmark.run();
    printTable(result);
    for (const [key, value] of Object.entries(result.figures)) {
      if (typeof value === 'string' && value.includes('TARGET MISSED')) missed.push(`${benchmark.name}: ${key}`);
    }
  } catch (error) {
    console.log(`${benchmark.name}: FAILED TO RUN: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    missed.push(`${benchmark.name}: did not run`);
  }
}

console.log('');
if (missed.length > 0) {
  console.log(`TARGET MISSED (${missed.length}):`);
  for (const line of missed) console.log(`  TARGET MISSED  ${line}`);
} else {
  console.log(`All benchmark targets met (${selected.length} benchmark${selected.length === 1 ? '' : 's'}).`);
}
process.exitCode = 0;
