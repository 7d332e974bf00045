"""EventBridge's checks of .ci/events_cli.sh: boto3 against a signalbox serve.

    python3 .ci/events_check.py ENDPOINT

boto3 (EventBridge's AWS JSON 1.1; SQS's AWS JSON 1.0) creates an event
bus with tags, puts a rule with an event pattern (a prefix and a numeric
range) and two targets that are queues of the built-in SQS (the whole
event, and an InputTransformer), puts events (one matching, one not, and
one the bus refuses on its own: FailedEntryCount), reads the deliveries
through SQS, lists buses (NextToken by hand) and rules (a paginator), tests patterns, tags and
untags, disables and enables the rule, and deletes, ending with the
modeled ResourceNotFoundException.
"""
import json

from boto3check import Checker, clients


C = Checker("events")
fail, check, receive_all = C.fail, C.check, C.receive_all


def main():
    events, sqs = clients(C.endpoint("events_check.py"), "events", "sqs")

    bus = events.create_event_bus(Name="ci-boto3", Description="boto3", Tags=[{"Key": "ci", "Value": "yes"}])["EventBusArn"]
    check(bus == "arn:aws:events:us-east-1:123456789012:event-bus/ci-boto3", "create_event_bus: " + bus)
    try:
        events.create_event_bus(Name="ci-boto3")
        fail("create_event_bus of an existing bus succeeded")
    except events.exceptions.ResourceAlreadyExistsException:
        pass
    names, token = [], None
    for _ in range(5):  # ListEventBuses has no paginator in botocore: NextToken by hand
        page = events.list_event_buses(Limit=1, **({"NextToken": token} if token else {}))
        names += [b["Name"] for b in page["EventBuses"]]
        token = page.get("NextToken")
        if not token:
            break
    check(names == ["ci-boto3", "default"], "list_event_buses: " + str(names))

    urls = {}
    arns = {}
    for name in ("ci-events-boto3", "ci-events-boto3-shaped"):
        urls[name] = sqs.create_queue(QueueName=name)["QueueUrl"]
        arns[name] = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    pattern = {"source": [{"prefix": "ci."}], "detail": {"total": [{"numeric": [">", 10, "<=", 100]}]}}
    rule = events.put_rule(Name="ci-big", EventBusName="ci-boto3", EventPattern=json.dumps(pattern))["RuleArn"]
    check(rule == "arn:aws:events:us-east-1:123456789012:rule/ci-boto3/ci-big", "put_rule: " + rule)
    try:
        events.put_rule(Name="ci-bad", EventBusName="ci-boto3", EventPattern='{"source":"ci"}')
        fail("put_rule with an invalid pattern succeeded")
    except events.exceptions.InvalidEventPatternException:
        pass
    put = events.put_targets(Rule="ci-big", EventBusName="ci-boto3", Targets=[
        {"Id": "whole", "Arn": arns["ci-events-boto3"]},
        {"Id": "shaped", "Arn": arns["ci-events-boto3-shaped"], "InputTransformer": {
            "InputPathsMap": {"total": "$.detail.total", "src": "$.source"},
            "InputTemplate": '{"from": <src>, "amount": <total>, "note": "big order"}'}}])
    check(put["FailedEntryCount"] == 0, "put_targets: " + json.dumps(put.get("FailedEntries")))
    targets = events.list_targets_by_rule(Rule="ci-big", EventBusName="ci-boto3")["Targets"]
    check(sorted(t["Id"] for t in targets) == ["shaped", "whole"], "list_targets_by_rule: " + str(targets))

    res = events.put_events(Entries=[
        {"EventBusName": bus, "Source": "ci.orders", "DetailType": "Order", "Detail": json.dumps({"total": 42, "id": "b-1"})},
        {"EventBusName": bus, "Source": "ci.orders", "DetailType": "Order", "Detail": json.dumps({"total": 5, "id": "b-2"})},
        {"EventBusName": bus, "Source": "ci.orders", "DetailType": "Order", "Detail": "not json"},
    ])
    check(res["FailedEntryCount"] == 1 and res["Entries"][2].get("ErrorCode"), "put_events: " + json.dumps(res["Entries"]))
    event_id = res["Entries"][0]["EventId"]
    whole = json.loads(receive_all(sqs, urls["ci-events-boto3"], 1)[0]["Body"])
    check(whole["id"] == event_id and whole["detail"] == {"total": 42, "id": "b-1"} and whole["detail-type"] == "Order",
          "the event: " + json.dumps(whole))
    shaped = json.loads(receive_all(sqs, urls["ci-events-boto3-shaped"], 1)[0]["Body"])
    check(shaped == {"from": "ci.orders", "amount": 42, "note": "big order"}, "the InputTransformer: " + json.dumps(shaped))
    extra = sqs.receive_message(QueueUrl=urls["ci-events-boto3"], WaitTimeSeconds=1).get("Messages")
    check(not extra, "the pattern let through: " + str(extra))

    probe = {"id": "1", "account": "123456789012", "source": "ci.x", "time": "2026-01-02T03:04:05Z", "region": "us-east-1",
             "resources": [], "detail-type": "t", "detail": {"total": 11}}
    check(events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(probe))["Result"] is True, "test_event_pattern: true")
    probe["detail"]["total"] = 101
    check(events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(probe))["Result"] is False, "test_event_pattern: false")
    try:
        events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps({"source": "ci.x"}))
        fail("test_event_pattern of an incomplete event succeeded")
    except events.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] == "ValidationException", "test_event_pattern of an incomplete event: " + str(e.response["Error"]))

    rules = []
    for page in events.get_paginator("list_rules").paginate(EventBusName="ci-boto3", PaginationConfig={"PageSize": 1}):
        rules += [(r["Name"], r["State"]) for r in page["Rules"]]
    check(rules == [("ci-big", "ENABLED")], "list_rules: " + str(rules))
    events.disable_rule(Name="ci-big", EventBusName="ci-boto3")
    check(events.describe_rule(Name="ci-big", EventBusName="ci-boto3")["State"] == "DISABLED", "disable_rule")
    events.enable_rule(Name="ci-big", EventBusName="ci-boto3")
    d = events.describe_rule(Name="ci-big", EventBusName="ci-boto3")
    check(d["State"] == "ENABLED" and json.loads(d["EventPattern"]) == pattern, "describe_rule: " + json.dumps(d, default=str))
    check(events.list_rule_names_by_target(TargetArn=arns["ci-events-boto3"], EventBusName="ci-boto3")["RuleNames"] == ["ci-big"], "list_rule_names_by_target")

    events.tag_resource(ResourceARN=bus, Tags=[{"Key": "env", "Value": "ci"}])
    tags = sorted((t["Key"], t["Value"]) for t in events.list_tags_for_resource(ResourceARN=bus)["Tags"])
    check(tags == [("ci", "yes"), ("env", "ci")], "list_tags_for_resource: " + str(tags))
    events.untag_resource(ResourceARN=bus, TagKeys=["ci"])
    tags = [(t["Key"], t["Value"]) for t in events.list_tags_for_resource(ResourceARN=bus)["Tags"]]
    check(tags == [("env", "ci")], "untag_resource: " + str(tags))

    removed = events.remove_targets(Rule="ci-big", EventBusName="ci-boto3", Ids=["whole", "shaped"])
    check(removed["FailedEntryCount"] == 0, "remove_targets: " + json.dumps(removed))
    events.delete_rule(Name="ci-big", EventBusName="ci-boto3")
    events.delete_event_bus(Name="ci-boto3")
    try:
        events.describe_event_bus(Name="ci-boto3")
        fail("describe_event_bus of a deleted bus succeeded")
    except events.exceptions.ResourceNotFoundException as e:  # the modeled exception
        check(e.response["Error"]["Code"] == "ResourceNotFoundException", "error code " + str(e.response["Error"]))
    print("events boto3: create and list buses (paginated, tags), put_rule (prefix, numeric range; an invalid pattern refused), "
          "put_targets (SQS: the event, an InputTransformer), put_events (a failed entry) → the deliveries via SQS, "
          "test_event_pattern, list_rules, disable/enable, tags, remove_targets, delete, ResourceNotFoundException: OK")


if __name__ == "__main__":
    main()
