/**
 * `npm run fuzz -- --minutes N`: the fuzz suite of test/fuzz/ run for N minutes (default 5) on a
 * fresh in-memory runtime, a new seed per batch, then its figures: requests sent, answers per
 * status and per operation, and every class of failure with its smallest request and the seed
 * that made it. `--findings <file>` also writes them as Markdown; `--seed S` picks the first seed.
 * Exits 1 when a request failed the oracle (test/fuzz/harness.ts), else 0.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { requestArbitrary } from '../test/fuzz/generators';
import { addTickets, buildWorld, emptyFigures, failureClasses, findingsMarkdown, runBatch, startFuzzRuntime, summaryLine } from '../test/fuzz/harness';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    findings: { type: 'string' },
    batch: { type: 'string', default: '25' },
  },
});
const minutes = Number(values.minutes);
const batchSize = Number(values.batch);
if (!(minutes > 0) || !(batchSize > 0)) {
  console.error('usage: npm run fuzz -- --minutes N [--seed S] [--batch 25] [--findings file.md]');
  process.exit(2);
}
const firstSeed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);

const runtime = await startFuzzRuntime();
const figures = emptyFigures();
const started = Date.now();
let exitCode = 0;
try {
  const world = await buildWorld(runtime);
  const deadline = started + minutes * 60_000;
  let lastReport = started;
  for (let batch = 0; Date.now() < deadline; batch++) {
    // Fresh tickets now and then: valid requests keep growing the old ones' timelines.
    if (batch > 0 && batch % 20 === 0) await addTickets(runtime, world);
    const seed = firstSeed + batch;
    await runBatch(runtime, world, fc.sample(requestArbitrary(world), { seed, numRuns: batchSize }), seed, figures);
    if (Date.now() - lastReport > 60_000) {
      lastReport = Date.now();
      console.log(`${Math.round((Date.now() - started) / 1000)} s: ${summaryLine(figures)}`);
    }
  }
} finally {
  await runtime.stop();
}

const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${summaryLine(figures)} in ${seconds} s (seeds ${firstSeed}…${firstSeed + figures.seeds.length - 1}, ${batchSize} per seed)\n`);
for (const [op, statuses] of Object.entries(figures.byOp).sort()) {
  console.log(
    `  ${op.padEnd(42)} ${Object.entries(statuses)
      .sort()
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ')}`,
  );
}
const classes = failureClasses(figures.failures);
if (classes.length) {
  exitCode = 1;
  console.log('\nFailure classes (smallest example each):');
  for (const { key, count, examples } of classes)
    console.log(`  ${count}× ${key}: seed ${examples[0]!.seed} #${examples[0]!.index}: ${examples[0]!.request.notes.join('; ')}\n      ${examples[0]!.detail.slice(0, 240)}`);
}
if (values.findings) {
  writeFileSync(values.findings, findingsMarkdown(figures, `Fuzz findings: ${minutes} min run, ${new Date().toISOString()}`));
  console.log(`\nFindings written to ${values.findings}`);
}
process.exit(exitCode);
