import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowFilesFirst } from './test/support/slow-files-first.js';

const DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One process per core, each running file after file: the built CLI (run
    // in-process by runCli, the AWS SDK inside) and a moto server
    // (test/support/moto.ts) load once per worker instead of once per file.
    // Files leave no state behind them: each takes its moto server reset.
    pool: 'forks',
    maxWorkers: 2,
    isolate: false,
    sequence: { sequencer: SlowFilesFirst },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
    // runCli runs the built CLI (dist/) in the test's process: Node loads it as it does for bin/meshctl, untransformed.
    server: { deps: { external: [new RegExp(`^${escape(DIST)}`)] } },
  },
});
