/**
 * Benchmark of what each Lambda deploys: synthesizes the stack (caret policy, inbound email on, so
 * every function is built) into a temporary folder under cdk.out/, and for every function's
 * esbuild bundle gives its minified size and its module load time (cold start: `await import()`
 * of the bundle in a fresh `node`, the median of several processes).
 *
 * Load times are taken as Lambda runs the bundle: with the function's NODE_OPTIONS
 * (--enable-source-maps) and the environment its handler reads at import (policy.json
 * and holidays.json, dummy table and ARNs); the AWS SDK resolves from node_modules as the Node.js
 * runtime provides it. Figures without source maps are given too.
 *
 * Of each load, the share of the AWS SDK: the bundle's own `@aws-sdk/*` imports (external, as the
 * Node.js runtime provides them) timed alone, the same way, in a module beside the bundle. Our own
 * code's share is timed directly: in a fresh process that has already imported those SDK modules,
 * the bundle's import (its SDK imports then cost nothing). The target stays on the whole.
 *
 * Targets: every bundle < 500 KB (1 KB = 1,024 bytes) and < 100 ms module load.
 *
 * Beside them, the policy at a cold start, side by side: the functions read policy.json as the
 * validated policy it is (core/policy/json.ts) instead of validating it again with the schema (as
 * they did before). Small probes, bundled as the functions are (zod without locales), each read
 * the API bundle's policy.json in fresh processes; each figure is the probe's whole load. Two more
 * load zod alone: the whole zod (what the functions that check their input loaded before) and its
 * mini build with English messages (what they load now).
 *
 * Run alone with `npx tsx bench/bundles.ts`, or with the others through `npm run bench`.
 */

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { TierdeskFunction } from '../lib/functions';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { appAsDeployed } from '../test/support/app';
import { bundleProbe } from '../test/support/probe-bundle';
import type { BenchResult } from './calendar';

const run = promisify(execFile);

const TARGET_KB = 500;
const TARGET_MS = 100;
/** Fresh processes per bundle and setting; the median is reported. */
const RUNS = 7;

/** Short names of the functions, by construct path (anything else is named by its path). */
const NAMES: Record<string, string> = {
  'Api/Handler': 'API',
  'Workflow/Step': 'Step',
  'Workflow/Park': 'Park',
  'Workflow/Reconcile': 'Reconcile',
  'Workflow/Start': 'Start',
  'Periods/PeriodStep': 'PeriodStep',
  'Webhooks/Handler': 'Webhooks',
  'InboundEmail/Ingest': 'Ingest',
  'MailFeedback/Feedback': 'MailFeedback',
};

interface Bundle {
  name: string;
  file: string;
  env: Record<string, string>;
}

/** Prints the load time of one module import, in a process of its own (after BENCH_FIRST_URL's, when given, untimed). */
const LOAD_SCRIPT = 'if(process.env.BENCH_FIRST_URL)await import(process.env.BENCH_FIRST_URL);const t=performance.now();await import(process.env.BENCH_BUNDLE_URL);console.log(performance.now()-t)';

/**
 * The median load time of each file, each import in a fresh process. The files' runs alternate,
 * so a busy moment of the machine weighs on all of them alike.
 */
async function loadMs(bundle: Bundle, sourceMaps: boolean, files: string[] = [bundle.file], first?: string): Promise<number[]> {
  const times: number[][] = files.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [index, file] of files.entries()) {
      const { stdout } = await run(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', LOAD_SCRIPT], {
        env: { PATH: process.env.PATH ?? '', ...bundle.env, BENCH_BUNDLE_URL: pathToFileURL(file).href, ...(first ? { BENCH_FIRST_URL: pathToFileURL(first).href } : {}) },
      });
      times[index]!.push(Number(stdout.trim().split('\n').pop()));
    }
  }
  return times.map((each) => each.sort((a, b) => a - b)[Math.floor(each.length / 2)]!);
}

/**
 * The AWS SDK modules a bundle imports: left out of it (`@aws-sdk/*` is external) because the
 * Lambda runtime provides them, but loaded, by the same import statements, when the bundle is.
 */
function awsSdkImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return [...new Set([...code.matchAll(/\b(?:from|import)\s*["'](@aws-sdk\/[^"']+)["']/g)].map((match) => match[1]!))];
}

/**
 * A module beside the bundle that imports only those SDK modules, in the bundle's order, so they
 * resolve exactly as the bundle's imports do: its load time is the runtime-provided share.
 */
function awsSdkProbe(bundle: Bundle): { file: string; modules: string[] } {
  const modules = awsSdkImports(bundle.file);
  const file = join(dirname(bundle.file), 'bench-aws-sdk-only.mjs');
  writeFileSync(file, modules.map((module) => `import ${JSON.stringify(module)};\n`).join(''));
  return { file, modules };
}

/** The two ways of reading policy.json at a cold start, as modules that read it when imported. */
const POLICY_PROBES = {
  validated: `import { readFileSync } from 'node:fs'; import { policyFromJson } from ${JSON.stringify(resolve('core/policy/validate.ts'))}; policyFromJson(readFileSync(process.env.TIERDESK_POLICY, 'utf8'));`,
  'read as validated': `import { loadPolicyJson } from ${JSON.stringify(resolve('core/policy/json.ts'))}; loadPolicyJson(process.env.TIERDESK_POLICY);`,
  // What the functions that check their input with zod loaded before (core/policy/schema.ts still uses it, at synth).
  'the whole zod alone': `import { z } from 'zod'; z.string().parse('');`,
  // What they load now (core/zod-english.ts).
  'zod mini alone, in English': `import ${JSON.stringify(resolve('core/zod-english.ts'))}; import * as z from 'zod/mini'; z.string().parse('');`,
} as const;

/** Median ms from importing each probe to its policy read, alternating, in fresh processes. */
async function policyReadMs(bundle: Bundle): Promise<Record<keyof typeof POLICY_PROBES, number>> {
  const files = Object.entries(POLICY_PROBES).map(([name, contents]) => {
    const outfile = join(dirname(bundle.file), `bench-policy-${name.replaceAll(' ', '-')}.mjs`);
    bundleProbe(contents, outfile);
    return outfile;
  });
  const [validated, trusted, zod, mini] = (await loadMs(bundle, true, files)) as [number, number, number, number];
  for (const file of files) rmSync(file);
  return { validated, 'read as validated': trusted, 'the whole zod alone': zod, 'zod mini alone, in English': mini };
}

/** Every TierdeskFunction of a synthesized stack: its bundle file and the environment it sees at import. */
function bundlesOf(stack: Stack, outdir: string): Bundle[] {
  const assets = readdirSync(outdir)
    .filter((name) => name.startsWith('asset.'))
    .map((name) => join(outdir, name));
  return stack.node
    .findAll()
    .filter((construct): construct is TierdeskFunction => construct instanceof TierdeskFunction)
    .map((fn) => {
      const cfn = fn.node.defaultChild as CfnFunction;
      const file = `${String(cfn.handler).replace(/\.handler$/, '')}.mjs`;
      const asset = assets.find((dir) => existsSync(join(dir, file)));
      if (!asset) throw new Error(`no bundle ${file} for ${fn.node.path} in ${outdir}`);
      const path = fn.node.path.split('/').slice(1).join('/');
      const variables = Object.keys((cfn.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {});
      const env: Record<string, string> = Object.fromEntries(variables.map((name) => [name, `bench-${name.toLowerCase()}`]));
      Object.assign(env, {
        TIERDESK_TABLE: 'bench-table',
        TIERDESK_POLICY: join(asset, 'policy.json'),
        TIERDESK_HOLIDAYS: join(asset, 'holidays.json'),
        TIERDESK_INBOUND_ADDRESSES: 'support@bench.example',
        POWERTOOLS_SERVICE_NAME: 'tierdesk-bench',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      delete env.NODE_OPTIONS; // given as a flag, as measured
      return { name: NAMES[path] ?? path, file: join(asset, file), env };
    });
}

const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));

export async function benchBundles(): Promise<BenchResult> {
  const outdir = resolve(`cdk.out/bench-bundles-${process.pid}`);
  try {
    const app = appAsDeployed({ outdir, context: { inboundRecipients: 'support@bench.example' } });
    const stack = new TierdeskStack(app, 'BenchBundles', { policy: 'caret' });
    const began = performance.now();
    app.synth();
    const synthSeconds = (performance.now() - began) / 1000;
    const bundles = bundlesOf(stack, outdir);

    const figures: BenchResult['figures'] = { 'functions bundled': bundles.length, 'synth seconds (bundling included)': Number(synthSeconds.toFixed(1)) };
    const holidays = bundles[0] && join(bundles[0].file, '..', 'holidays.json');
    if (holidays && existsSync(holidays)) figures['holidays.json beside each bundle, KB (caret: US, 1990–2150)'] = kb(statSync(holidays).size);
    let over = 0;
    for (const bundle of bundles) {
      const size = kb(statSync(bundle.file).size);
      const sdk = awsSdkProbe(bundle);
      const [ms, sdkMs] = (await loadMs(bundle, true, [bundle.file, sdk.file])) as [number, number];
      const [ownMs] = (await loadMs(bundle, true, [bundle.file], sdk.file)) as [number];
      const [plainMs] = await loadMs(bundle, false);
      rmSync(sdk.file);
      const sizeMet = size < TARGET_KB;
      const msMet = ms < TARGET_MS;
      if (!sizeMet || !msMet) over++;
      console.log(
        `bundles: ${bundle.name.padEnd(11)} ${String(size).padStart(7)} KB  load ${ms.toFixed(1)} ms, of which runtime-provided AWS SDK ${sdkMs.toFixed(1)} ms` +
          ` (own share ${ownMs.toFixed(1)} ms; ${sdk.modules.join(', ')}) (without source maps ${plainMs!.toFixed(1)} ms)`,
      );
      figures[`${bundle.name}: bundle KB (minified)`] = sizeMet ? size : `${size} TARGET MISSED (< ${TARGET_KB})`;
      // The target is on the whole load, the SDK's share included: that is what a cold start waits for.
      figures[`${bundle.name}: module load ms (median of ${RUNS}, as deployed)`] = msMet ? Number(ms.toFixed(1)) : `${ms.toFixed(1)} TARGET MISSED (< ${TARGET_MS})`;
      figures[`${bundle.name}: of which runtime-provided AWS SDK, ms (its ${sdk.modules.length} imports alone, median of ${RUNS})`] = Number(sdkMs.toFixed(1));
      figures[`${bundle.name}: own share, ms (its load once the AWS SDK is loaded, median of ${RUNS}; target < 50)`] =
        ownMs < 50 ? Number(ownMs.toFixed(1)) : `${ownMs.toFixed(1)} TARGET MISSED (< 50)`;
      figures[`${bundle.name}: module load ms without --enable-source-maps`] = Number(plainMs!.toFixed(1));
    }
    figures[`target every bundle < ${TARGET_KB} KB and < ${TARGET_MS} ms`] = over === 0 ? 'met' : `TARGET MISSED (${over} of ${bundles.length})`;
    const api = bundles.find((bundle) => bundle.name === 'API');
    if (api) {
      const policy = await policyReadMs(api);
      console.log(
        `bundles: policy at a cold start: validated ${policy.validated.toFixed(1)} ms, read as validated ${policy['read as validated'].toFixed(1)} ms; the whole zod alone ${policy['the whole zod alone'].toFixed(1)} ms, its mini build alone ${policy['zod mini alone, in English'].toFixed(1)} ms`,
      );
      figures[`policy at a cold start, validated with the schema (as before), ms (load + read, median of ${RUNS})`] = Number(policy.validated.toFixed(1));
      figures['policy at a cold start, read as the validated policy.json (now), ms'] = Number(policy['read as validated'].toFixed(1));
      figures['policy at a cold start: time saved, ms (ratio)'] = `${(policy.validated - policy['read as validated']).toFixed(1)} (${(policy.validated / policy['read as validated']).toFixed(1)}×)`;
      figures['the whole zod alone, ms (load + one parse): what a function checking its input loaded before'] = Number(policy['the whole zod alone'].toFixed(1));
      figures["zod's mini build alone, with English, ms: what it loads now (API, Webhooks, Step, PeriodStep, Park, MailFeedback)"] = Number(policy['zod mini alone, in English'].toFixed(1));
    }
    return { name: 'bundles (each Lambda: minified size, module load in a fresh node)', figures };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await benchBundles();
  console.log(`\n${result.name}`);
  for (const [key, value] of Object.entries(result.figures)) {
    console.log(`  ${key.padEnd(60)} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`);
  }
}
