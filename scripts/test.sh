#!/usr/bin/env bash
# `npm test`: static checks, unit tests, the template checks and the suites of the two local stacks.
# Four lanes, two side by side at a time, each line prefixed with its lane's name, because most of a stack suite's
# time is spent waiting (for a stack to start, a saga to settle, a log-in window to close), not computing:
#   checks         ESLint, tsc and Prettier, then the unit and template projects
#   stack          the integration and end-to-end suites against the main local stack (gateway authorizer)
#   own-stacks     the suites that start stacks of their own (npm start; a stack stopped and restarted)
#   function-auth  the token suites against a second stack whose functions check tokens themselves
# Then each run's totals and the slowest test files (scripts/test-summary.mjs), so a slow new test is seen, and the
# skip guard: a lane that skipped a test scripts/known-skips.mjs does not list for it fails the run (a broken set-up
# shows as skips, not failures).
# Arguments go to every vitest run (`npm test -- tests/e2e/users.test.ts`). TEST_REPORT_DIR=<dir> keeps the
# JSON reports there.
set -uo pipefail
cd "$(dirname "$0")/.."

reports="${TEST_REPORT_DIR:-$(mktemp -d)}"
mkdir -p "$reports"
rm -f "$reports"/*.json "$reports"/*.status
# With a filter, a project may have nothing to run: that is not a failure then. A test-name filter (-t) skips
# every other test: the skip guard then reports unlisted skips without failing the run.
extra=()
if [ "$#" -gt 0 ]; then extra=(--passWithNoTests); fi
summary_flags=()
for arg in "$@"; do
  case $arg in -t | -t=* | --testNamePattern | --testNamePattern=*) summary_flags=(--name-filter) ;; esac
done

vitest() {
  local report=$1
  shift
  npx vitest run "$@" --reporter=default --reporter=json --outputFile.json="$reports/$report.json" "${extra[@]}"
}

checks() {
  npx eslint . && npx tsc --noEmit && npx prettier --check . --log-level warn && vitest checks --project unit --project template "$@"
}

# Runs one lane, its output prefixed line by line; its exit status goes to $reports/<lane>.status.
lane() {
  local name=$1
  shift
  { "$@"; echo $? >"$reports/$name.status"; } 2>&1 | sed -u "s/^/[$name] /"
}

started=$(date +%s)
# Two lanes at a time, each next lane starting as soon as a slot frees: all four at once loaded 2 cores so far
# (load 10-15) that functions hit their timeouts and short-lived refresh tokens lapsed between refreshes. The two
# longest go first; against a deployed API (E2E_BASE_URL) there are no local stacks of the tests' own to start.
lanes=(stack checks)
if [ -z "${E2E_BASE_URL:-}" ]; then lanes+=(own-stacks function-auth); fi
run_lane() {
  case $1 in
    checks) lane checks checks "${@:2}" ;;
    stack) lane stack vitest stack --project stack "${@:2}" ;;
    own-stacks) lane own-stacks vitest own-stacks --project own-stacks "${@:2}" ;;
    function-auth) lane function-auth vitest function-auth --project stack-function-auth "${@:2}" ;;
  esac
}
running=0
for name in "${lanes[@]}"; do
  if [ "$running" -ge 2 ]; then
    wait -n
    running=$((running - 1))
  fi
  run_lane "$name" "$@" &
  running=$((running + 1))
done
wait

status=0
for name in "${lanes[@]}"; do
  code=$(cat "$reports/$name.status" 2>/dev/null || echo 1)
  [ "$code" = 0 ] || status=1
  echo "lane $name: $([ "$code" = 0 ] && echo passed || echo "FAILED (exit $code)")"
done
node scripts/test-summary.mjs "$reports" "$(($(date +%s) - started))" "${summary_flags[@]}" || status=1
exit $status
