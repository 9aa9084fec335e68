#!/usr/bin/env bash
# `npm run deploy:localstack`: deploys the `localstack` stage to a running LocalStack (see
# docker-compose.yml beside this file), seeds the catalog and prints the API base URL.
#   Community image (default): tokens are checked inside the protected functions (authorizerMode=function).
#   Pro image (LOCALSTACK_PRO=1, with LOCALSTACK_AUTH_TOKEN): the gateway runs the Lambda authorizer.
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
require_localstack

mode=function
[ "${LOCALSTACK_PRO:-0}" = 1 ] && mode=gateway

# The signing keys live in LocalStack's SSM; the public JWKS goes into the verifiers' environment.
jwks=$(AWS_ENDPOINT_URL_SSM=$LOCALSTACK_ENDPOINT step 120 npx tsx functions/users/scripts/ensure-jwt-keys.ts --stage localstack --region "$AWS_REGION" --print-jwks)
step 900 $SERVERLESS deploy --stage localstack --param "authorizerMode=$mode" --param "jwtPublicJwks=$jwks"
step 180 $SERVERLESS invoke -f seedCatalogs --stage localstack
# userOrders answers GET /users/{userId} behind a 2 s circuit breaker, shorter than a LocalStack cold start
# (a container): its first environment is started now, not by a user's request (localstack/warm.ts).
step 120 npx tsx localstack/warm.ts localstack
step 60 npx tsx localstack/api-url.ts localstack
