#!/usr/bin/env bash
# `npm run test:localstack`: the end-to-end suite against the stage deploy.sh put on LocalStack.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
require_localstack
E2E_BASE_URL=$(step 60 npx tsx localstack/api-url.ts localstack)
export E2E_BASE_URL
echo "E2E against $E2E_BASE_URL"
# LocalStack (community and Pro, 4.14) answers what its gateway refuses itself (unknown route or method, an
# authorizer's refusal) with the template's status but its own body, `{"message":"Missing Authentication Token"}`
# without the contract's `code`: it applies no gateway response templates or headers. The fuzz suite then checks
# those answers for status and JSON only, and says so in its output (tests/e2e/fuzz-cases.ts, GatewayResponses).
export E2E_GATEWAY_RESPONSES=status-only

# userOrders stays warm while the suite runs: its caller's circuit breaker gives up after 2 s, and a cold start
# on LocalStack can take longer (localstack/warm.ts). Every 60 s, under LAMBDA_KEEPALIVE_MS (docker-compose.yml).
node --import tsx localstack/warm.ts localstack --every 60 &
warmer=$!
trap 'kill "$warmer" 2>/dev/null || true' EXIT
step 1800 npx vitest run --project stack tests/e2e
