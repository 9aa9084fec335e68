#!/usr/bin/env bash
# Runs the end-to-end suite against the stage deployed to LocalStack by deploy.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}
E2E_BASE_URL=$(npx tsx localstack/api-url.ts localstack)
export E2E_BASE_URL
echo "E2E against $E2E_BASE_URL"
npx vitest run --project stack tests/e2e
