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

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || rc=1
  fi
  if [ "$rc" -ne 0 ] && [ -f "$tmp/serve.log" ]; then
    echo "sdks: FAILED; the server's log:" >&2
    cat "$tmp/serve.log" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
fail() { echo "sdks: $*" >&2; exit 1; }

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

go build -o "$tmp/signalbox" ./cmd/signalbox
env -u SIGNALBOX_REDIS_URL -u SFN_MOCK_CONFIG "$tmp/signalbox" serve --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.log" &
server_pid=$!
endpoint=""
for _ in $(seq 300); do # up to 30s: a safety net, the loop ends when the server says where it listens
  line=$(head -n 1 "$tmp/serve.out")
  if [ -n "$line" ]; then endpoint=${line#signalbox serving on }; break; fi
  kill -0 "$server_pid" 2>/dev/null || fail "signalbox serve exited before listening"
  sleep 0.1
done
case "$endpoint" in http://127.0.0.1:*) ;; *) fail "signalbox serve did not start listening: '$endpoint'" ;; esac

# Nothing from the user's AWS configuration.
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SFN AWS_DISABLE_HOST_PREFIX_INJECTION

for c in "${clients[@]}"; do
  case "$c" in
    boto3) timeout 60 python3 .ci/boto3_lifecycle.py "$endpoint" ;;
    js) (cd "$tmp" && timeout 60 node lifecycle.mjs "$endpoint") ;;
  esac
done

kill -TERM "$server_pid"
wait "$server_pid" || fail "signalbox serve did not exit cleanly on SIGTERM"
server_pid=""
grep -q "signalbox stopped" "$tmp/serve.out" || fail "signalbox serve did not say it stopped"
