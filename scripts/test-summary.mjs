// The end of `npm test` (scripts/test.sh): the totals of every vitest JSON report in a folder and the slowest
// test files, so that the next slow test is seen in every run's output.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import console from 'node:console';
import process from 'node:process';

const [dir, wallSeconds] = process.argv.slice(2);
const reports = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
const sum = { passed: 0, failed: 0, skipped: 0 };
const files = [];
for (const name of reports) {
  const report = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8'));
  sum.passed += report.numPassedTests;
  sum.failed += report.numFailedTests;
  sum.skipped += report.numPendingTests + report.numTodoTests;
  for (const result of report.testResults) {
    files.push([result.endTime - result.startTime, `${name.replace(/\.json$/, '')}: ${result.name.replace(`${process.cwd()}/`, '')}`]);
  }
}
console.log('\nSlowest test files:');
for (const [ms, name] of files.sort((a, b) => b[0] - a[0]).slice(0, 10)) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
console.log(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped${wallSeconds ? ` in ${wallSeconds} s` : ''}`);
