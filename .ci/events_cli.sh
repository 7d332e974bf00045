#!/usr/bin/env bash
# EventBridge's clients against a real `signalbox serve` (gateway/events
# over the bus router), with only an endpoint override: the AWS CLI on
# PATH (here AWS CLI v1 1.45.11, botocore 1.43; EventBridge's model is AWS
# JSON 1.1, the script checks that it POSTs X-Amz-Target: AWSEvents.*) and
# boto3 (.ci/events_check.py).
#
# The CLI creates an event bus (tags), puts a rule with an event pattern
# on it and a target that is a queue of the built-in SQS, puts two events
# (one the pattern matches, one it does not) and reads the matching one
# from the queue through SQS (EventBridge's envelope: its id is the one
# PutEvents answered, its fields as put), lists and describes the rule and
# its targets, asks test-event-pattern (true, false, and an
# InvalidEventPatternException), then removes the target, deletes the rule
# and the bus, and gets a ResourceNotFoundException. The server runs on
# the embedded store, on a free loopback port, and is stopped at the end.
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

# Dummy credentials, no pager, and nothing from the user's AWS configuration.
export AWS_ACCESS_KEY_ID=AKIDSIGNALBOXCI AWS_SECRET_ACCESS_KEY=signalbox-ci
export AWS_PAGER="" AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EVENTBRIDGE AWS_ENDPOINT_URL_SQS
# field FILE EXPR: a Python expression over the JSON document j of FILE.
field() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
events() { "$cli" --endpoint-url "$endpoint" --region us-east-1 --output json events "$@"; }
sqs() { "$cli" --endpoint-url "$endpoint" --region us-east-1 --output json sqs "$@"; }
out=$tmp/cli
mkdir -p "$out"

bus_arn_want="arn:aws:events:us-east-1:123456789012:event-bus/ci-cli"
events create-event-bus --name ci-cli --tags Key=team,Value=core --debug >"$out/create.json" 2>"$out/create.debug" ||
  fail "create-event-bus: $(tail -n 5 "$out/create.debug")"
grep -q "'X-Amz-Target': b\?'AWSEvents.CreateEventBus'" "$out/create.debug" || fail "$cli did not send X-Amz-Target: AWSEvents.CreateEventBus"
grep -q "'Content-Type': b\?'application/x-amz-json-1.1'" "$out/create.debug" || fail "$cli did not send AWS JSON 1.1"
bus_arn=$(field "$out/create.json" 'j["EventBusArn"]')
[ "$bus_arn" = "$bus_arn_want" ] || fail "create-event-bus: EventBusArn '$bus_arn'"
events describe-event-bus --name ci-cli >"$out/bus.json"
[ "$(field "$out/bus.json" '(j["Name"], j["Arn"])')" = "('ci-cli', '$bus_arn')" ] || fail "describe-event-bus: $(cat "$out/bus.json")"

sqs create-queue --queue-name ci-events-cli >"$out/queue.json"
queue_url=$(field "$out/queue.json" 'j["QueueUrl"]')
sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn >"$out/queue-attrs.json"
queue_arn=$(field "$out/queue-attrs.json" 'j["Attributes"]["QueueArn"]')

pattern='{"source":["ci.shop"],"detail":{"kind":["order"]}}'
events put-rule --name ci-orders --event-bus-name ci-cli --event-pattern "$pattern" --description "the orders" >"$out/rule.json"
rule_arn=$(field "$out/rule.json" 'j["RuleArn"]')
[ "$rule_arn" = "arn:aws:events:us-east-1:123456789012:rule/ci-cli/ci-orders" ] || fail "put-rule: RuleArn '$rule_arn'"
events put-targets --rule ci-orders --event-bus-name ci-cli --targets "[{\"Id\":\"q\",\"Arn\":\"$queue_arn\"}]" >"$out/targets.json"
[ "$(field "$out/targets.json" 'j["FailedEntryCount"]')" = 0 ] || fail "put-targets: $(cat "$out/targets.json")"

cat >"$out/entries.json" <<'EOF'
[{"EventBusName":"ci-cli","Source":"ci.shop","DetailType":"OrderPlaced","Detail":"{\"kind\":\"order\",\"n\":1}","Resources":["arn:aws:ci:::order/1"]},
 {"EventBusName":"ci-cli","Source":"ci.shop","DetailType":"RefundIssued","Detail":"{\"kind\":\"refund\",\"n\":2}"}]
EOF
events put-events --entries "file://$out/entries.json" >"$out/put.json"
[ "$(field "$out/put.json" '(j["FailedEntryCount"], len(j["Entries"]))')" = "(0, 2)" ] || fail "put-events: $(cat "$out/put.json")"
event_id=$(field "$out/put.json" 'j["Entries"][0]["EventId"]')

# The event, as EventBridge delivers to a queue target: the envelope.
sqs receive-message --queue-url "$queue_url" --attribute-names All --message-attribute-names All --wait-time-seconds 10 >"$out/received.json"
[ -s "$out/received.json" ] || fail "receive-message: no event within 10 s"
python3 - "$out/received.json" "$event_id" <<'EOF' || fail "the event: $(cat "$out/received.json")"
import json, sys
msgs = json.load(open(sys.argv[1]))["Messages"]
assert len(msgs) == 1, msgs
e = json.loads(msgs[0]["Body"])
want = {"version": "0", "id": sys.argv[2], "source": "ci.shop", "detail-type": "OrderPlaced", "account": "123456789012",
        "region": "us-east-1", "resources": ["arn:aws:ci:::order/1"], "detail": {"kind": "order", "n": 1}}
for k, v in want.items():
    assert e.get(k) == v, (k, e.get(k), v)
assert e["time"].endswith("Z"), e["time"]
EOF
sqs delete-message --queue-url "$queue_url" --receipt-handle "$(field "$out/received.json" 'j["Messages"][0]["ReceiptHandle"]')"
# The refund's delivery, had the pattern let it through, would have been
# written with the order's, in the same put.
sqs receive-message --queue-url "$queue_url" --wait-time-seconds 1 >"$out/none.json"
[ ! -s "$out/none.json" ] || [ "$(field "$out/none.json" 'len(j.get("Messages", []))')" = 0 ] || fail "the pattern let through: $(cat "$out/none.json")"

events list-rules --event-bus-name ci-cli >"$out/rules.json"
[ "$(field "$out/rules.json" '[(r["Name"], r["Arn"], r["State"], json.loads(r["EventPattern"])) for r in j["Rules"]]')" = \
  "[('ci-orders', '$rule_arn', 'ENABLED', {'source': ['ci.shop'], 'detail': {'kind': ['order']}})]" ] || fail "list-rules: $(cat "$out/rules.json")"
events describe-rule --name ci-orders --event-bus-name ci-cli >"$out/describe-rule.json"
[ "$(field "$out/describe-rule.json" '(j["Description"], j["EventBusName"])')" = "('the orders', 'ci-cli')" ] || fail "describe-rule: $(cat "$out/describe-rule.json")"
events list-targets-by-rule --rule ci-orders --event-bus-name ci-cli >"$out/list-targets.json"
[ "$(field "$out/list-targets.json" '[(t["Id"], t["Arn"]) for t in j["Targets"]]')" = "[('q', '$queue_arn')]" ] || fail "list-targets-by-rule: $(cat "$out/list-targets.json")"

probe='{"id":"1","account":"123456789012","source":"ci.shop","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail-type":"t","detail":{"kind":"order"}}'
events test-event-pattern --event-pattern "$pattern" --event "$probe" >"$out/test.json"
[ "$(field "$out/test.json" 'j["Result"]')" = True ] || fail "test-event-pattern: $(cat "$out/test.json")"
events test-event-pattern --event-pattern '{"source":["other"]}' --event "$probe" >"$out/test.json"
[ "$(field "$out/test.json" 'j["Result"]')" = False ] || fail "test-event-pattern (no match): $(cat "$out/test.json")"
if events test-event-pattern --event-pattern '{"source":"ci.shop"}' --event "$probe" >"$out/test.json" 2>"$out/test.err"; then
  fail "test-event-pattern of an invalid pattern succeeded"
fi
grep -q "(InvalidEventPatternException)" "$out/test.err" || fail "test-event-pattern of an invalid pattern: $(cat "$out/test.err")"

events remove-targets --rule ci-orders --event-bus-name ci-cli --ids q >"$out/remove.json"
[ "$(field "$out/remove.json" 'j["FailedEntryCount"]')" = 0 ] || fail "remove-targets: $(cat "$out/remove.json")"
events delete-rule --name ci-orders --event-bus-name ci-cli
events delete-event-bus --name ci-cli
if events describe-event-bus --name ci-cli >"$out/missing.json" 2>"$out/missing.err"; then
  fail "describe-event-bus of a deleted bus succeeded"
fi
grep -q "(ResourceNotFoundException)" "$out/missing.err" || fail "describe-event-bus of a deleted bus: $(cat "$out/missing.err")"
echo "events_cli: $cli: create-event-bus (AWS JSON 1.1), put-rule (event pattern), put-targets (SQS), put-events → the event via SQS, the pattern's refusal, list/describe rules and targets, test-event-pattern (true, false, invalid), remove-targets, delete-rule, delete-event-bus, ResourceNotFoundException: OK"

timeout 90 python3 .ci/events_check.py "$endpoint"

serve_stop
