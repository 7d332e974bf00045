#!/usr/bin/env bash
# The AWS SDKs against a real `signalbox serve`: boto3 (.ci/boto3_lifecycle.py)
# and the AWS SDK for JavaScript v3 (.ci/js: @aws-sdk/client-sfn at the
# version package-lock.json pins, installed with `npm ci` into a temporary
# directory) each run a lifecycle — create, start, describe, history,
# list, stop, start-sync with the SDK's switch that turns the "sync-" host
# prefix off — with only an endpoint override. The server runs on the
# embedded store, on a free loopback port, and is stopped at the end.
#
# Usage: .ci/sdks.sh [boto3] [js]   (default both). Needs python3 with boto3,
# and node 20 with npm (and the npm registry, for the JS SDK). Exits
# non-zero on any failure, printing the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(boto3 js)

NAME=sdks
. .ci/lib.sh

for c in "${clients[@]}"; do
  case "$c" in
    boto3) python3 -c 'import boto3' || fail "boto3 is not installed (pip install boto3)" ;;
    js)
      command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed for the JS SDK"
      cp .ci/js/package.json .ci/js/package-lock.json .ci/js/lifecycle.mjs "$tmp/"
      (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci of .ci/js failed"
      ;;
    *) fail "unknown client '$c' (boto3, js)" ;;
  esac
done

serve_start

# Nothing from the user's AWS configuration.
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SFN AWS_DISABLE_HOST_PREFIX_INJECTION

for c in "${clients[@]}"; do
  case "$c" in
    boto3) timeout 60 python3 .ci/boto3_lifecycle.py "$endpoint" ;;
    js) (cd "$tmp" && timeout 60 node lifecycle.mjs "$endpoint") ;;
  esac
done

serve_stop
