#!/usr/bin/env bash
# `npm test`: lint, types and formatting, then every test project. The two local stacks (gateway
# authorizer; tokens checked in the functions) run one after the other, not side by side.
# TEST_REPORT_DIR=<dir> also writes each vitest run's JSON report there (.ci/run sums them).
set -euo pipefail
cd "$(dirname "$0")/.."

npx eslint .
npx tsc --noEmit
npx prettier --check . --log-level warn

report() {
  if [ -n "${TEST_REPORT_DIR:-}" ]; then
    mkdir -p "$TEST_REPORT_DIR"
    echo "--reporter=default --reporter=json --outputFile.json=$TEST_REPORT_DIR/$1.json"
  fi
}
# shellcheck disable=SC2046 # the reporter flags are meant to split
npx vitest run --project unit --project template --project stack $(report main) "$@"
# shellcheck disable=SC2046
npx vitest run --project stack-function-auth $(report function-auth) "$@"
