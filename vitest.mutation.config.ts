// The tests Stryker runs (stryker.config.mjs): the unit tests, which mirror lib/. The reliability,
// end-to-end and packaging suites add minutes per mutant and no kills of their own.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({ test: { ...base.test, include: ['test/lib/**/*.test.ts'] } });
