// Prints the closing "N passed, N failed" line from vitest's JSON report and the
// extra checks, and exits non-zero on any failure. A vitest run that failed
// without a failed test (coverage thresholds, an unhandled error, no report) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, testStatus, checksPassed, checksFailed] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);

if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (report.numTotalTests === 0) {
    console.log('vitest ran no test');
    failed += 1;
  } else if (Number(testStatus) !== 0 && report.numFailedTests === 0) {
    console.log(`vitest exited ${testStatus} with no failed test (coverage thresholds or an unhandled error: see above)`);
    failed += 1;
  }
} else {
  console.log(`no vitest report at ${reportPath}`);
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
