// The end of `npm test` (scripts/test.sh): the totals of every vitest JSON report in a folder and the slowest
// test files, so that the next slow test is seen in every run's output; then the skip guard: each report is a
// lane's (its file name), and a skipped test that scripts/known-skips.mjs does not list for that lane fails the
// run (exit 1). `--name-filter` (a `-t` filter was given, which skips every other test): reported, not failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import console from 'node:console';
import process from 'node:process';
import { checkSkips } from './known-skips.mjs';

const args = process.argv.slice(2);
const nameFiltered = args.includes('--name-filter');
const [dir, wallSeconds] = args.filter((arg) => arg !== '--name-filter');
const reportFiles = dir && existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
const sum = { passed: 0, failed: 0, skipped: 0 };
const files = [];
const reports = {};
for (const name of reportFiles) {
  const report = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8'));
  const lane = name.replace(/\.json$/, '');
  reports[lane] = report;
  sum.passed += report.numPassedTests;
  sum.failed += report.numFailedTests;
  sum.skipped += report.numPendingTests + report.numTodoTests;
  for (const result of report.testResults) {
    files.push([result.endTime - result.startTime, `${lane}: ${result.name.replace(`${process.cwd()}/`, '')}`]);
  }
}
console.log('\nSlowest test files:');
for (const [ms, name] of files.sort((a, b) => b[0] - a[0]).slice(0, 10)) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
console.log(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped${wallSeconds ? ` in ${wallSeconds} s` : ''}`);

const { allowed, unexpected } = checkSkips(reports);
if (allowed.length > 0) {
  const byReason = new Map();
  for (const skip of allowed) {
    const key = `${skip.lane}: ${skip.file}: ${skip.reason}`;
    byReason.set(key, (byReason.get(key) ?? 0) + 1);
  }
  console.log('Skipped as listed in scripts/known-skips.mjs:');
  for (const [key, count] of byReason) console.log(`  ${count} in ${key}`);
}
if (unexpected.length > 0) {
  const heading = nameFiltered
    ? `${unexpected.length} tests skipped that scripts/known-skips.mjs does not list (not a failure: a -t filter skips the rest):`
    : `FAILED: ${unexpected.length} tests skipped that scripts/known-skips.mjs does not list for their lane (a broken set-up skips tests; a deliberate skip is listed there with its reason):`;
  console.log(heading);
  for (const skip of unexpected.slice(0, 50)) console.log(`  ${skip.lane}: ${skip.file} > ${skip.name}`);
  if (unexpected.length > 50) console.log(`  ... and ${unexpected.length - 50} more`);
  if (!nameFiltered) process.exitCode = 1;
}
