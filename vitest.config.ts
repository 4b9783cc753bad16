import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own worker; the machines have 2 cores.
    pool: 'forks',
    testTimeout: 20_000,
    // A runtime's start (DynamoDB Local's JVM, the bundles) is seconds on a quiet machine and can be a
    // minute or more beside other CPU-heavy work: a start-up hook may wait that long.
    hookTimeout: 180_000,
    // The SDK's Node 22 notice is about its own future releases, not a test result. Handler logs
    // only at ERROR: a test that imports a handler module builds its logger before any runtime
    // could quiet it, and expected warnings (a breach notice with no assignee) are not results.
    // Metrics off as in the local runtime; test/metrics.test.ts turns them on to read them.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
