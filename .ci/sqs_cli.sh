#!/usr/bin/env bash
# SQS's clients against a real `signalbox serve` (gateway/sqs), with only an
# endpoint override, in both of SQS's protocols:
#
#   - AWS JSON 1.0: the AWS CLI on PATH (here AWS CLI v1 1.45.11, botocore
#     1.43, whose SQS model is JSON), and boto3 (.ci/sqs_check.py);
#   - the query protocol: Debian's awscli package (AWS CLI v2 2.9.19, whose
#     bundled SQS model predates AWS's move to JSON: it POSTs
#     Action=...&Version=2012-11-05 forms; the script checks that it does),
#     installed when /usr/bin/aws is missing (about 50 s, once a machine).
#
# Each CLI creates a queue, sends a message with attributes (the digests
# checked against .ci/sqs_check.py's, computed from what was sent),
# receives it with its attributes, deletes it, and gets a NonExistentQueue
# error. The server runs on the embedded store, on a free loopback port,
# and is stopped at the end. SIGNALBOX_AWS_CLI and SIGNALBOX_AWS_QUERY_CLI
# override the two CLIs.
set -euo pipefail
cd "$(dirname "$0")/.."

json_cli=${SIGNALBOX_AWS_CLI:-$(command -v aws || echo /usr/bin/aws)}
query_cli=${SIGNALBOX_AWS_QUERY_CLI:-/usr/bin/aws}
if [ -z "${SIGNALBOX_AWS_QUERY_CLI:-}" ] && [ ! -x "$query_cli" ]; then
  echo "sqs_cli: $query_cli is missing; installing Debian's awscli package (the query protocol's CLI)" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq awscli >/dev/null
fi
for cli in "$json_cli" "$query_cli"; do
  [ -x "$cli" ] || { echo "sqs_cli: $cli is not an executable" >&2; exit 1; }
  "$cli" --version
done
python3 -c 'import boto3' || { echo "sqs_cli: boto3 is not installed (pip install boto3)" >&2; exit 1; }

NAME=sqs_cli
. .ci/lib.sh
serve_start

# Dummy credentials, no pager, and nothing from the user's AWS configuration.
export AWS_ACCESS_KEY_ID=AKIDSIGNALBOXCI AWS_SECRET_ACCESS_KEY=signalbox-ci
export AWS_PAGER="" AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SQS
# field FILE EXPR: a Python expression over the JSON document j of FILE.
field() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# A BinaryValue's text is its bytes: AWS CLI v1 takes blobs so, and v2 is
# told to (--cli-binary-format raw-in-base64-out; its default reads base64).
attributes='{"color":{"DataType":"String","StringValue":"blue"},"count":{"DataType":"Number","StringValue":"7"},"blob":{"DataType":"Binary","BinaryValue":"raw bytes"}}'
blob_base64=$(printf 'raw bytes' | base64)
want_attributes_md5=$(python3 .ci/sqs_check.py md5-attributes "$attributes")

# lifecycle PROTOCOL CLI: the checks, through one CLI.
lifecycle() {
  local protocol=$1 cli=$2
  local binary_format=()
  [ "$protocol" = query ] && binary_format=(--cli-binary-format raw-in-base64-out)
  sqs() { "$cli" --endpoint-url "$endpoint" --region us-east-1 --output json "${binary_format[@]}" sqs "$@"; }
  local q="ci-$protocol" out="$tmp/$protocol"
  mkdir -p "$out"

  sqs create-queue --queue-name "$q" --debug >"$out/create.json" 2>"$out/create.debug" ||
    fail "$protocol: create-queue: $(tail -n 5 "$out/create.debug")"
  case $protocol in
    json) grep -q "AmazonSQS.CreateQueue" "$out/create.debug" || fail "$protocol: $cli did not send X-Amz-Target: AmazonSQS.CreateQueue" ;;
    query) grep -q "'Action': 'CreateQueue', 'Version': '2012-11-05'" "$out/create.debug" || fail "$protocol: $cli did not send a query-protocol form" ;;
  esac
  local url
  url=$(field "$out/create.json" 'j["QueueUrl"]')
  [ "$url" = "$endpoint/123456789012/$q" ] || fail "$protocol: create-queue: QueueUrl '$url'"

  sqs send-message --queue-url "$url" --message-body "hello $protocol" --message-attributes "$attributes" >"$out/send.json"
  [ "$(field "$out/send.json" 'j["MD5OfMessageBody"]')" = "$(printf 'hello %s' "$protocol" | md5sum | cut -d' ' -f1)" ] ||
    fail "$protocol: send-message: MD5OfMessageBody: $(cat "$out/send.json")"
  [ "$(field "$out/send.json" 'j["MD5OfMessageAttributes"]')" = "$want_attributes_md5" ] ||
    fail "$protocol: send-message: MD5OfMessageAttributes, want $want_attributes_md5: $(cat "$out/send.json")"

  sqs receive-message --queue-url "$url" --attribute-names All --message-attribute-names All --wait-time-seconds 2 >"$out/receive.json"
  [ -s "$out/receive.json" ] || fail "$protocol: receive-message: no message"
  [ "$(field "$out/receive.json" '(len(j["Messages"]), j["Messages"][0]["Body"])')" = "(1, 'hello $protocol')" ] ||
    fail "$protocol: receive-message: $(cat "$out/receive.json")"
  [ "$(field "$out/receive.json" '(lambda m: (m["MessageAttributes"]["color"]["StringValue"], m["MessageAttributes"]["count"]["StringValue"], m["MessageAttributes"]["blob"]["BinaryValue"], m["MD5OfMessageAttributes"]))(j["Messages"][0])')" = "('blue', '7', '$blob_base64', '$want_attributes_md5')" ] ||
    fail "$protocol: receive-message: the attributes: $(cat "$out/receive.json")"
  [ "$(field "$out/receive.json" '(lambda a: (a["ApproximateReceiveCount"], a["SenderId"]))(j["Messages"][0]["Attributes"])')" = "('1', 'AKIDSIGNALBOXCI')" ] ||
    fail "$protocol: receive-message: the system attributes: $(cat "$out/receive.json")"

  sqs delete-message --queue-url "$url" --receipt-handle "$(field "$out/receive.json" 'j["Messages"][0]["ReceiptHandle"]')"
  sqs get-queue-attributes --queue-url "$url" --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible >"$out/attributes.json"
  [ "$(field "$out/attributes.json" 'j["Attributes"]')" = "{'ApproximateNumberOfMessages': '0', 'ApproximateNumberOfMessagesNotVisible': '0'}" ] ||
    fail "$protocol: after delete-message: $(cat "$out/attributes.json")"

  if sqs get-queue-url --queue-name "ci-missing" >"$out/missing.json" 2>"$out/missing.err"; then
    fail "$protocol: get-queue-url of a missing queue succeeded"
  fi
  grep -q "AWS.SimpleQueueService.NonExistentQueue" "$out/missing.err" || fail "$protocol: get-queue-url: $(cat "$out/missing.err")"
  echo "sqs_cli: $protocol ($cli): create-queue, send-message (attributes), receive-message, delete-message, NonExistentQueue: OK"
}

lifecycle json "$json_cli"
lifecycle query "$query_cli"
timeout 60 python3 .ci/sqs_check.py boto3 "$endpoint"

serve_stop
