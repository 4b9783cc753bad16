import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own worker. Most of an end-to-end file's time is spent waiting for timers
    // and I/O, not computing: three files side by side on the 2-core machines halve the suite's wall
    // time (261 s vs ~500 s measured) where the default (cores − 1) would run one at a time.
    pool: 'forks',
    maxWorkers: 3,
    // A test's own deadline, not a measurement: with three files side by side beside other CPU-heavy
    // work, an end-to-end test (SMTP → S3 → ingest → DynamoDB Local) can take 20 s+ on these machines.
    testTimeout: 90_000,
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
