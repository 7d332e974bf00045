#!/usr/bin/env bash
# EventBridge's clients against a real `signalbox serve` (gateway/events over
# the bus router), with only an endpoint override: the AWS CLI on PATH
# (EventBridge's model is AWS JSON 1.1; the script checks the CLI sends
# X-Amz-Target: AWSEvents.*) and boto3 (.ci/events_check.py). The server runs
# on the embedded store, on a free loopback port, and is stopped at the end.
# SIGNALBOX_AWS_CLI overrides the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

cli=${SIGNALBOX_AWS_CLI:-$(command -v aws || true)}
[ -n "$cli" ] && [ -x "$cli" ] || { echo "events_cli: no AWS CLI on PATH (pip install awscli)" >&2; exit 1; }
"$cli" --version
python3 -c 'import boto3' || { echo "events_cli: boto3 is not installed (pip install boto3)" >&2; exit 1; }

NAME=events_cli
. .ci/lib.sh
serve_start

export AWS_ACCESS_KEY_ID=AKIDSIGNALBOXCI AWS_SECRET_ACCESS_KEY=signalbox-ci
export AWS_PAGER="" AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EVENTBRIDGE
field() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
events() { "$cli" --endpoint-url "$endpoint" --region us-east-1 --output json events "$@"; }
out=$tmp/cli
mkdir -p "$out"

events create-event-bus --name ci-cli --debug >"$out/create.json" 2>"$out/create.debug" || fail "create-event-bus: $(tail -n 5 "$out/create.debug")"
grep -q "AWSEvents.CreateEventBus" "$out/create.debug" || fail "$cli did not send X-Amz-Target: AWSEvents.CreateEventBus"
[ "$(field "$out/create.json" 'j["EventBusArn"]')" = "arn:aws:events:us-east-1:123456789012:event-bus/ci-cli" ] || fail "create-event-bus: $(cat "$out/create.json")"
events put-rule --name ci-rule --event-bus-name ci-cli --event-pattern '{"source":["ci"]}' >"$out/rule.json"
[ "$(field "$out/rule.json" 'j["RuleArn"]')" = "arn:aws:events:us-east-1:123456789012:rule/ci-cli/ci-rule" ] || fail "put-rule: $(cat "$out/rule.json")"
events describe-rule --name ci-rule --event-bus-name ci-cli >"$out/describe.json"
[ "$(field "$out/describe.json" '(j["State"], j["EventBusName"])')" = "('ENABLED', 'ci-cli')" ] || fail "describe-rule: $(cat "$out/describe.json")"
events test-event-pattern --event-pattern '{"source":["ci"]}' \
  --event '{"id":"1","account":"123456789012","source":"ci","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail-type":"t","detail":{}}' >"$out/test.json"
[ "$(field "$out/test.json" 'j["Result"]')" = True ] || fail "test-event-pattern: $(cat "$out/test.json")"
events delete-rule --name ci-rule --event-bus-name ci-cli
events delete-event-bus --name ci-cli
if events describe-event-bus --name ci-cli >"$out/missing.json" 2>"$out/missing.err"; then
  fail "describe-event-bus of a deleted bus succeeded"
fi
grep -q "(ResourceNotFoundException)" "$out/missing.err" || fail "describe-event-bus of a deleted bus: $(cat "$out/missing.err")"
echo "events_cli: $cli: create-event-bus (AWS JSON 1.1), put-rule, describe-rule, test-event-pattern, delete-rule, delete-event-bus, ResourceNotFoundException: OK"

timeout 60 python3 .ci/events_check.py "$endpoint"

serve_stop
