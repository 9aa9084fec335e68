#!/usr/bin/env bash
# `npm run test:localstack`: the end-to-end suite against the stage deploy.sh put on LocalStack.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
require_localstack
E2E_BASE_URL=$(step 60 npx tsx localstack/api-url.ts localstack)
export E2E_BASE_URL
echo "E2E against $E2E_BASE_URL"
step 1800 npx vitest run --project stack tests/e2e
