#!/usr/bin/env bash
# SNS's clients against a real `signalbox serve` (gateway/sns over the topic
# router), with only an endpoint override: the AWS CLI on PATH (here AWS CLI
# v1 1.45.11, botocore 1.43; SNS's model is the query protocol, the script
# checks that it POSTs Action=...&Version=2010-03-31 forms) and boto3
# (.ci/sns_check.py).
#
# The CLI creates a topic (attributes, tags), subscribes a queue of the
# built-in SQS to it, publishes with message attributes and reads the
# fanned-out message through SQS (SNS's JSON envelope: its fields, the
# attributes, the signature's fields), switches the subscription to raw
# delivery and reads the next message as published (its attributes as
# SQS's), lists topics and subscriptions, sets and gets topic and
# subscription attributes, tags and untags, unsubscribes, deletes the topic,
# and gets a NotFound error. The server runs on the embedded store, on a
# free loopback port, and is stopped at the end. SIGNALBOX_AWS_CLI
# overrides the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

cli=${SIGNALBOX_AWS_CLI:-$(command -v aws || true)}
[ -n "$cli" ] && [ -x "$cli" ] || { echo "sns_cli: no AWS CLI on PATH (pip install awscli)" >&2; exit 1; }
"$cli" --version
python3 -c 'import boto3' || { echo "sns_cli: boto3 is not installed (pip install boto3)" >&2; exit 1; }

NAME=sns_cli
. .ci/lib.sh
serve_start

# Dummy credentials, no pager, and nothing from the user's AWS configuration.
export AWS_ACCESS_KEY_ID=AKIDSIGNALBOXCI AWS_SECRET_ACCESS_KEY=signalbox-ci
export AWS_PAGER="" AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SNS AWS_ENDPOINT_URL_SQS
# field FILE EXPR: a Python expression over the JSON document j of FILE.
field() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
sns() { "$cli" --endpoint-url "$endpoint" --region us-east-1 --output json sns "$@"; }
sqs() { "$cli" --endpoint-url "$endpoint" --region us-east-1 --output json sqs "$@"; }
out=$tmp/cli
mkdir -p "$out"

# receive FILE: one message from the queue, waiting up to 5 s (the fanout
# is asynchronous: the publish is acknowledged once stored).
receive() {
  sqs receive-message --queue-url "$queue_url" --attribute-names All --message-attribute-names All --wait-time-seconds 5 >"$1"
  [ -s "$1" ] || fail "receive-message: no message within 5 s"
  [ "$(field "$1" 'len(j["Messages"])')" = 1 ] || fail "receive-message: $(cat "$1")"
  sqs delete-message --queue-url "$queue_url" --receipt-handle "$(field "$1" 'j["Messages"][0]["ReceiptHandle"]')"
}

topic_arn_want="arn:aws:sns:us-east-1:123456789012:ci-cli"
sns create-topic --name ci-cli --attributes DisplayName=CI --tags Key=team,Value=core --debug >"$out/create.json" 2>"$out/create.debug" ||
  fail "create-topic: $(tail -n 5 "$out/create.debug")"
grep -q "'Action': 'CreateTopic', 'Version': '2010-03-31'" "$out/create.debug" || fail "$cli did not send a query-protocol form"
topic_arn=$(field "$out/create.json" 'j["TopicArn"]')
[ "$topic_arn" = "$topic_arn_want" ] || fail "create-topic: TopicArn '$topic_arn'"

sqs create-queue --queue-name ci-sns-cli >"$out/queue.json"
queue_url=$(field "$out/queue.json" 'j["QueueUrl"]')
sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn >"$out/queue-attrs.json"
queue_arn=$(field "$out/queue-attrs.json" 'j["Attributes"]["QueueArn"]')

sns subscribe --topic-arn "$topic_arn" --protocol sqs --notification-endpoint "$queue_arn" --return-subscription-arn >"$out/subscribe.json"
sub_arn=$(field "$out/subscribe.json" 'j["SubscriptionArn"]')
case "$sub_arn" in "$topic_arn":*) ;; *) fail "subscribe: SubscriptionArn '$sub_arn'" ;; esac

attributes='{"color":{"DataType":"String","StringValue":"blue"},"count":{"DataType":"Number","StringValue":"7"}}'
sns publish --topic-arn "$topic_arn" --message "hello cli" --subject greeting --message-attributes "$attributes" >"$out/publish.json"
message_id=$(field "$out/publish.json" 'j["MessageId"]')
[ -n "$message_id" ] || fail "publish: $(cat "$out/publish.json")"

# The envelope, as SNS delivers to an SQS subscriber without raw delivery.
receive "$out/envelope.json"
python3 - "$out/envelope.json" "$message_id" "$topic_arn" "$endpoint" <<'EOF' || fail "the envelope: $(cat "$out/envelope.json")"
import json, sys
msg = json.load(open(sys.argv[1]))["Messages"][0]
e = json.loads(msg["Body"])
message_id, topic_arn, endpoint = sys.argv[2:5]
want = {"Type": "Notification", "MessageId": message_id, "TopicArn": topic_arn, "Subject": "greeting", "Message": "hello cli"}
for k, v in want.items():
    assert e.get(k) == v, (k, e.get(k), v)
assert e["MessageAttributes"] == {"color": {"Type": "String", "Value": "blue"}, "count": {"Type": "Number", "Value": "7"}}, e["MessageAttributes"]
assert e["SignatureVersion"] in ("1", "2") and e["Signature"], e
assert e["SigningCertURL"].startswith(endpoint + "/") and e["SigningCertURL"].endswith(".pem"), e["SigningCertURL"]
assert e["UnsubscribeURL"].startswith(endpoint + "/?Action=Unsubscribe"), e["UnsubscribeURL"]
assert e["Timestamp"].endswith("Z"), e["Timestamp"]
EOF

# Raw delivery: the message as published, its attributes as SQS's.
sns set-subscription-attributes --subscription-arn "$sub_arn" --attribute-name RawMessageDelivery --attribute-value true
sns get-subscription-attributes --subscription-arn "$sub_arn" >"$out/sub-attrs.json"
[ "$(field "$out/sub-attrs.json" '(j["Attributes"]["RawMessageDelivery"], j["Attributes"]["Protocol"], j["Attributes"]["Endpoint"], j["Attributes"]["TopicArn"])')" = "('true', 'sqs', '$queue_arn', '$topic_arn')" ] ||
  fail "get-subscription-attributes: $(cat "$out/sub-attrs.json")"
sns publish --topic-arn "$topic_arn" --message "hello raw" --message-attributes "$attributes" >/dev/null
receive "$out/raw.json"
[ "$(field "$out/raw.json" '(lambda m: (m["Body"], m["MessageAttributes"]["color"]["StringValue"], m["MessageAttributes"]["count"]["DataType"]))(j["Messages"][0])')" = "('hello raw', 'blue', 'Number')" ] ||
  fail "raw delivery: $(cat "$out/raw.json")"

sns list-topics >"$out/topics.json"
[ "$(field "$out/topics.json" '"'"$topic_arn"'" in [t["TopicArn"] for t in j["Topics"]]')" = True ] || fail "list-topics: $(cat "$out/topics.json")"
sns list-subscriptions >"$out/subs.json"
[ "$(field "$out/subs.json" '[(s["Protocol"], s["Endpoint"], s["TopicArn"]) for s in j["Subscriptions"] if s["SubscriptionArn"] == "'"$sub_arn"'"]')" = "[('sqs', '$queue_arn', '$topic_arn')]" ] ||
  fail "list-subscriptions: $(cat "$out/subs.json")"
sns list-subscriptions-by-topic --topic-arn "$topic_arn" >"$out/subs-by-topic.json"
[ "$(field "$out/subs-by-topic.json" '[s["SubscriptionArn"] for s in j["Subscriptions"]]')" = "['$sub_arn']" ] ||
  fail "list-subscriptions-by-topic: $(cat "$out/subs-by-topic.json")"

sns set-topic-attributes --topic-arn "$topic_arn" --attribute-name DisplayName --attribute-value "CI topic"
sns get-topic-attributes --topic-arn "$topic_arn" >"$out/topic-attrs.json"
[ "$(field "$out/topic-attrs.json" '(j["Attributes"]["DisplayName"], j["Attributes"]["TopicArn"], j["Attributes"]["SubscriptionsConfirmed"])')" = "('CI topic', '$topic_arn', '1')" ] ||
  fail "get-topic-attributes: $(cat "$out/topic-attrs.json")"

sns tag-resource --resource-arn "$topic_arn" --tags Key=env,Value=ci
sns list-tags-for-resource --resource-arn "$topic_arn" >"$out/tags.json"
[ "$(field "$out/tags.json" 'sorted((t["Key"], t["Value"]) for t in j["Tags"])')" = "[('env', 'ci'), ('team', 'core')]" ] ||
  fail "list-tags-for-resource: $(cat "$out/tags.json")"
sns untag-resource --resource-arn "$topic_arn" --tag-keys team
sns list-tags-for-resource --resource-arn "$topic_arn" >"$out/tags.json"
[ "$(field "$out/tags.json" '[(t["Key"], t["Value"]) for t in j["Tags"]]')" = "[('env', 'ci')]" ] || fail "untag-resource: $(cat "$out/tags.json")"

sns unsubscribe --subscription-arn "$sub_arn"
sns list-subscriptions-by-topic --topic-arn "$topic_arn" >"$out/subs-by-topic.json"
[ "$(field "$out/subs-by-topic.json" 'j["Subscriptions"]')" = "[]" ] || fail "unsubscribe: $(cat "$out/subs-by-topic.json")"
sns delete-topic --topic-arn "$topic_arn"
if sns get-topic-attributes --topic-arn "$topic_arn" >"$out/missing.json" 2>"$out/missing.err"; then
  fail "get-topic-attributes of a deleted topic succeeded"
fi
grep -q "(NotFound)" "$out/missing.err" || fail "get-topic-attributes of a deleted topic: $(cat "$out/missing.err")"
echo "sns_cli: $cli: create-topic (query protocol), subscribe sqs, publish (attributes) → the envelope via SQS, raw delivery, list topics/subscriptions, topic and subscription attributes, tags, unsubscribe, delete-topic, NotFound: OK"

timeout 60 python3 .ci/sns_check.py "$endpoint"

serve_stop
