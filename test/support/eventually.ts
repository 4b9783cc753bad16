/** Polling for what a runtime does after it answered (mail ingested, a workflow step, a timer). */
import { setTimeout as sleep } from 'node:timers/promises';

/** The probe's first defined value, polled every 100 ms; throws naming `what` after `withinMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, withinMs = 5_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not there within ${withinMs} ms`);
    await sleep(100);
  }
}
