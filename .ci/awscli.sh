#!/usr/bin/env bash
# The AWS CLI against a real `signalbox serve`: Debian's awscli package
# (installed when missing) creates a state machine, starts an execution,
# polls describe-execution until it ends and reads its history, with only
# --endpoint-url pointing it at Signalbox. The server runs on the embedded
# store, on a free loopback port, and is stopped at the end.
#
# SIGNALBOX_AWS_CLI overrides the CLI to run (default the aws on PATH,
# else /usr/bin/aws, where Debian's package puts it). Exits non-zero on any failure, printing the
# server's log. start-sync-execution needs a CLI whose botocore honours
# AWS_DISABLE_HOST_PREFIX_INJECTION (AWS CLI v1 1.45.11 does), or a
# hosts-file line for sync-localhost (see below).
set -euo pipefail
cd "$(dirname "$0")/.."

# The CLI on PATH when there is one (here, AWS CLI v1 from pip), else
# Debian's.
aws_cli=${SIGNALBOX_AWS_CLI:-$(command -v aws || echo /usr/bin/aws)}
if [ -z "${SIGNALBOX_AWS_CLI:-}" ] && [ ! -x "$aws_cli" ]; then
  echo "awscli: $aws_cli is missing; installing Debian's awscli package" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq awscli >/dev/null
fi
[ -x "$aws_cli" ] || { echo "awscli: $aws_cli is not an executable" >&2; exit 1; }
"$aws_cli" --version

NAME=awscli
. .ci/lib.sh
serve_start

# Dummy credentials, no pager, and nothing from the user's AWS configuration.
export AWS_ACCESS_KEY_ID=AKIDSIGNALBOXCI AWS_SECRET_ACCESS_KEY=signalbox-ci
export AWS_PAGER="" AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SFN
sfn() { "$aws_cli" --endpoint-url "$endpoint" --region us-east-1 --output json stepfunctions "$@"; }
# field FILE EXPR: a Python expression over the JSON document j of FILE.
field() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

cat >"$tmp/definition.json" <<'JSON'
{
  "Comment": "The AWS CLI check of .ci/awscli.sh",
  "StartAt": "Greet",
  "States": {
    "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
}
JSON

sfn create-state-machine --name ci-greeter --definition "file://$tmp/definition.json" \
  --role-arn arn:aws:iam::123456789012:role/signalbox-ci >"$tmp/create.json"
machine=$(field "$tmp/create.json" 'j["stateMachineArn"]')
[ "$machine" = "arn:aws:states:us-east-1:123456789012:stateMachine:ci-greeter" ] || fail "create-state-machine: stateMachineArn '$machine'"
field "$tmp/create.json" 'j["creationDate"]' >/dev/null || fail "create-state-machine: no creationDate"

sfn start-execution --state-machine-arn "$machine" --name ci-1 --input '{"who":"awscli"}' >"$tmp/start.json"
execution=$(field "$tmp/start.json" 'j["executionArn"]')
[ "$execution" = "arn:aws:states:us-east-1:123456789012:execution:ci-greeter:ci-1" ] || fail "start-execution: executionArn '$execution'"

status=RUNNING
for _ in $(seq 300); do # up to 30s: a safety net, the loop ends on the status
  sfn describe-execution --execution-arn "$execution" >"$tmp/describe.json"
  status=$(field "$tmp/describe.json" 'j["status"]')
  [ "$status" = RUNNING ] || break
  sleep 0.1
done
[ "$status" = SUCCEEDED ] || fail "describe-execution: status $status: $(cat "$tmp/describe.json")"
[ "$(field "$tmp/describe.json" 'json.loads(j["output"]) == {"greeting": "hello awscli"}')" = True ] ||
  fail "describe-execution: output $(field "$tmp/describe.json" 'j.get("output")')"
[ "$(field "$tmp/describe.json" '(j["name"], j["stateMachineArn"])')" = "('ci-1', '$machine')" ] ||
  fail "describe-execution: $(cat "$tmp/describe.json")"

sfn get-execution-history --execution-arn "$execution" >"$tmp/history.json"
types=$(field "$tmp/history.json" '" ".join(e["type"] for e in j["events"])')
want="ExecutionStarted PassStateEntered PassStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded"
[ "$types" = "$want" ] || fail "get-execution-history: event types '$types', want '$want'"
[ "$(field "$tmp/history.json" '[e["id"] for e in j["events"]] == list(range(1, 7))')" = True ] ||
  fail "get-execution-history: event ids $(field "$tmp/history.json" '[e["id"] for e in j["events"]]')"
[ "$(field "$tmp/history.json" 'json.loads(j["events"][-1]["executionSucceededEventDetails"]["output"])["greeting"]')" = "hello awscli" ] ||
  fail "get-execution-history: the ExecutionSucceeded event's output"

# start-sync-execution: the CLI sends it to "sync-" + the endpoint's host
# (AWS serves it at sync-states.<region>.amazonaws.com), and sync-127.0.0.1
# does not resolve. botocore's disable_host_prefix_injection setting
# ($AWS_DISABLE_HOST_PREFIX_INJECTION, or the config file's
# disable_host_prefix_injection = true) turns that off: AWS CLI v1 1.45.11
# (botocore 1.43.11) honours it. A CLI too old for the setting reaches
# Signalbox only through a host name whose sync- form resolves: with the
# hosts-file line "127.0.0.1 localhost sync-localhost", the endpoint
# http://localhost:PORT.
sfn create-state-machine --name ci-sync --type EXPRESS --definition "file://$tmp/definition.json" \
  --role-arn arn:aws:iam::123456789012:role/signalbox-ci >"$tmp/create-sync.json"
sync_machine=$(field "$tmp/create-sync.json" 'j["stateMachineArn"]')
# sync_sfn: the CLI with the "sync-" host prefix off (or through
# http://localhost, below): StartSyncExecution and TestState need it
sync_sfn() { AWS_DISABLE_HOST_PREFIX_INJECTION=true sfn "$@"; }
if ! AWS_DISABLE_HOST_PREFIX_INJECTION=true sfn start-sync-execution --state-machine-arn "$sync_machine" \
  --input '{"who":"sync"}' >"$tmp/sync.json" 2>"$tmp/sync.err"; then
  if grep -q "sync-" "$tmp/sync.err" && getent hosts sync-localhost >/dev/null; then
    echo "awscli: this CLI ignores AWS_DISABLE_HOST_PREFIX_INJECTION; sync-localhost resolves: using http://localhost" >&2
    sync_sfn() { "$aws_cli" --endpoint-url "http://localhost:${endpoint##*:}" --region us-east-1 --output json stepfunctions "$@"; }
    "$aws_cli" --endpoint-url "http://localhost:${endpoint##*:}" --region us-east-1 --output json stepfunctions \
      start-sync-execution --state-machine-arn "$sync_machine" --input '{"who":"sync"}' >"$tmp/sync.json" ||
      fail "start-sync-execution through http://localhost failed"
  else
    fail "start-sync-execution: $(cat "$tmp/sync.err") (a CLI whose botocore ignores AWS_DISABLE_HOST_PREFIX_INJECTION needs the hosts-file line '127.0.0.1 sync-localhost')"
  fi
fi
[ "$(field "$tmp/sync.json" '(j["status"], json.loads(j["output"]), j["stateMachineArn"])')" = "('SUCCEEDED', {'greeting': 'hello sync'}, '$sync_machine')" ] ||
  fail "start-sync-execution: $(cat "$tmp/sync.json")"
case "$(field "$tmp/sync.json" 'j["executionArn"]')" in
  arn:aws:states:us-east-1:123456789012:express:ci-sync:*) ;;
  *) fail "start-sync-execution: executionArn $(field "$tmp/sync.json" 'j["executionArn"]')" ;;
esac

# test-state (also sent to "sync-" + the host): the greeter's first state at DEBUG
sync_sfn test-state --definition "file://$tmp/definition.json" --state-name Greet --input '{"who":"test"}' \
  --inspection-level DEBUG >"$tmp/test-state.json" || fail "test-state failed"
[ "$(field "$tmp/test-state.json" '(j["status"], j["nextState"], json.loads(j["output"]), json.loads(j["inspectionData"]["afterParameters"]))')" = \
  "('SUCCEEDED', 'Done', {'greeting': 'hello test'}, {'greeting': 'hello test'})" ] || fail "test-state: $(cat "$tmp/test-state.json")"

serve_stop
echo "awscli: create-state-machine, start-execution, describe-execution, get-execution-history, start-sync-execution, test-state: OK"
