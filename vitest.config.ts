import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Each file in a fresh worker: files start servers and change process.env. Chosen, so vitest does
    // not suggest otherwise; its other tuning hints are kept out of the output too (it is read every run).
    isolate: true,
    experimental: { diagnostics: false },
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['lib/wechatpay/**/*.ts'],
      exclude: ['lib/wechatpay/index.ts'],
      reporter: ['text-summary'],
      // The protocol core decides what money is accepted: every branch must be exercised.
      thresholds: { 'lib/wechatpay/**/*.ts': { branches: 100, functions: 100, lines: 100, statements: 100 } },
    },
  },
});
