import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own worker; the machines have 2 cores.
    pool: 'forks',
    testTimeout: 20_000,
  },
});
