/**
 * What the throughput benchmarks share: a fixed number of operations run with a fixed number in
 * flight, their rate and latencies, and running a measurement in a child process of its own
 * (handler modules keep the clients of the first runtime they saw, so each runtime gets a process).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Operations in flight at once: what a small burst of traffic looks like. */
export const IN_FLIGHT = 8;

export interface Measurement {
  rate: number;
  latencies: number[];
  count: number;
  ms: number;
}

export async function measure(operation: () => Promise<unknown>, count: number): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next++;
        const began = performance.now();
        await operation();
        latencies.push(performance.now() - began);
      }
    }),
  );
  const ms = performance.now() - start;
  return { rate: (count / ms) * 1000, latencies, count, ms };
}

export function combine(a: Measurement, b: Measurement): Measurement {
  const count = a.count + b.count;
  const ms = a.ms + b.ms;
  return { rate: (count / ms) * 1000, latencies: [...a.latencies, ...b.latencies], count, ms };
}

export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

export function round(value: number): number {
  return Number(value.toFixed(1));
}

/** Runs `module` (a benchmark file) as `--measure=<mode>` in a child process; its last stdout line is the JSON result. */
export async function runInChildProcess<T>(moduleUrl: string, mode: string): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fileURLToPath(moduleUrl), `--measure=${mode}`], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}
