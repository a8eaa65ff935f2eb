// Mutation testing (`npm run mutation`): does a test fail when the behaviour in its title goes?
// Equivalent mutants are excluded in the source, each with a `// Stryker disable next-line <mutator>: <reason>`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['lib/wechatpay/**/*.ts', '!lib/wechatpay/index.ts', 'lib/ledger/**/*.ts', 'lib/handlers/**/*.ts'],
  coverageAnalysis: 'perTest',
  // The machine is shared: two workers at most.
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'reports/stryker-tmp',
  cleanTempDir: 'always',
};
