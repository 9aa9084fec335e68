#!/usr/bin/env bash
# `npm run remove:localstack`: removes the `localstack` stage's stack (the SSM key parameters stay).
set -euo pipefail
cd "$(dirname "$0")/.."
source localstack/env.sh
require_localstack
# The template needs a JWKS to resolve; removing does not use it.
step 600 $SERVERLESS remove --stage localstack --param 'jwtPublicJwks={"keys":[]}'
