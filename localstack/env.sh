# Sourced by the LocalStack scripts: where LocalStack is, fake credentials it accepts, and bounded steps.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export LOCALSTACK_ENDPOINT=${LOCALSTACK_ENDPOINT:-http://127.0.0.1:4566}
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
SERVERLESS="node node_modules/serverless/bin/serverless.js"

# Every step has a time limit: a hung step fails loudly instead of running into the CI job's timeout.
step() {
  local seconds=$1
  shift
  echo "+ $*" >&2
  if ! timeout --kill-after=10 "$seconds" "$@"; then
    echo "FAILED (or ran past ${seconds} s): $*" >&2
    return 1
  fi
}

require_localstack() {
  if ! curl -fsS --max-time 5 "$LOCALSTACK_ENDPOINT/_localstack/health" >/dev/null; then
    echo "LocalStack is not answering at $LOCALSTACK_ENDPOINT: start it with" >&2
    echo "  docker compose -f localstack/docker-compose.yml up -d" >&2
    exit 1
  fi
}
