#!/usr/bin/env bash
# Deploys the `localstack` stage to a running LocalStack (see docker-compose.yml beside this file),
# seeds the catalog and prints the API base URL for the end-to-end suite.
#   docker compose -f localstack/docker-compose.yml up -d && bash localstack/deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL=http://127.0.0.1:4566 SLS_TELEMETRY_DISABLED=1
if [ -f functions/users/scripts/ensure-jwt-keys.ts ]; then
  npx tsx functions/users/scripts/ensure-jwt-keys.ts --stage localstack --region us-east-1
fi
node node_modules/serverless/bin/serverless.js deploy --stage localstack
node node_modules/serverless/bin/serverless.js invoke -f seedCatalogs --stage localstack
npx tsx localstack/api-url.ts
