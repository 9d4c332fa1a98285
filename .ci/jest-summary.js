#!/usr/bin/env node
// Prints the one line CI reads, from Jest's JSON report: "N passed, N failed[, N skipped]".
// Suites that failed to run at all (syntax error, global setup failure) count as failed tests,
// so a broken run can never print "0 failed". Exit code: 0 only when nothing failed.
'use strict';
const { readFileSync } = require('node:fs');

const reportPath = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`no readable Jest report at ${reportPath}: ${error.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const suitesThatDidNotRun = (report.testResults ?? []).filter(
  (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).length === 0,
).length;
const failed = (report.numFailedTests ?? 0) + suitesThatDidNotRun;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const runFailed = report.success !== true;
const failedShown = runFailed && failed === 0 ? 1 : failed;
console.log(`${passed} passed, ${failedShown} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failedShown > 0 ? 1 : 0);
