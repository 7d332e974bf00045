"""EventBridge's checks of .ci/events_cli.sh: boto3 against a signalbox serve.

    python3 .ci/events_check.py ENDPOINT

boto3 (EventBridge's AWS JSON 1.1) creates a custom bus (tags), puts rules
on it and on the default bus, targets (a queue of the built-in SQS, an
unsupported function: its FailedEntries), lists rules and targets (paged),
refuses to delete a rule with targets, archives the custom bus (the
managed rule, its target), creates a connection (its secret never shown
back) and an API destination, and deletes everything, ending with
ResourceNotFoundException.
"""
import json
import sys


def fail(msg):
    print("events boto3: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def code(err):
    return err.response["Error"]["Code"]


def main():
    if len(sys.argv) != 2:
        fail("usage: events_check.py ENDPOINT")
    endpoint = sys.argv[1]
    import boto3
    import botocore.config
    from botocore.exceptions import ClientError

    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="AKIDSIGNALBOXCI", aws_secret_access_key="signalbox-ci",
              config=botocore.config.Config(retries={"max_attempts": 1}))
    ev = boto3.client("events", **kw)
    sqs = boto3.client("sqs", **kw)
    prefix = "arn:aws:events:us-east-1:123456789012:"

    bus = ev.create_event_bus(Name="ci-boto3", Tags=[{"Key": "ci", "Value": "yes"}])["EventBusArn"]
    check(bus == prefix + "event-bus/ci-boto3", "create_event_bus: " + bus)
    try:
        ev.create_event_bus(Name="ci-boto3")
        fail("create_event_bus again succeeded")
    except ClientError as e:
        check(code(e) == "ResourceAlreadyExistsException", "create_event_bus again: %s" % e)
    names = [b["Name"] for b in ev.list_event_buses()["EventBuses"]]
    check(names == ["ci-boto3", "default"], "list_event_buses: %s" % names)

    pattern = json.dumps({"source": ["ci"]})
    for i in range(3):
        arn = ev.put_rule(Name="r%d" % i, EventBusName="ci-boto3", EventPattern=pattern)["RuleArn"]
        check(arn == prefix + "rule/ci-boto3/r%d" % i, "put_rule: " + arn)
    arn = ev.put_rule(Name="tick", ScheduleExpression="rate(5 minutes)", State="DISABLED")["RuleArn"]
    check(arn == prefix + "rule/tick", "put_rule on default: " + arn)
    page = ev.list_rules(EventBusName="ci-boto3", Limit=2)
    check([r["Name"] for r in page["Rules"]] == ["r0", "r1"] and "NextToken" in page, "list_rules: %s" % page)
    page = ev.list_rules(EventBusName="ci-boto3", Limit=2, NextToken=page["NextToken"])
    check([r["Name"] for r in page["Rules"]] == ["r2"] and "NextToken" not in page, "list_rules page 2: %s" % page)

    queue = sqs.create_queue(QueueName="ci-events-boto3")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    out = ev.put_targets(Rule="r0", EventBusName="ci-boto3", Targets=[
        {"Id": "q", "Arn": queue_arn, "InputPath": "$.detail", "RetryPolicy": {"MaximumRetryAttempts": 2}},
        {"Id": "fn", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}])
    check(out["FailedEntryCount"] == 1 and out["FailedEntries"][0]["TargetId"] == "fn", "put_targets: %s" % out)
    targets = ev.list_targets_by_rule(Rule="r0", EventBusName="ci-boto3")["Targets"]
    check([(t["Id"], t["Arn"], t["InputPath"]) for t in targets] == [("q", queue_arn, "$.detail")], "list_targets_by_rule: %s" % targets)
    names = ev.list_rule_names_by_target(TargetArn=queue_arn, EventBusName="ci-boto3")["RuleNames"]
    check(names == ["r0"], "list_rule_names_by_target: %s" % names)
    try:
        ev.delete_rule(Name="r0", EventBusName="ci-boto3")
        fail("delete_rule with targets succeeded")
    except ClientError as e:
        check(code(e) == "ValidationException", "delete_rule with targets: %s" % e)
    ev.remove_targets(Rule="r0", EventBusName="ci-boto3", Ids=["q"])
    ev.delete_rule(Name="r0", EventBusName="ci-boto3")

    archive = ev.create_archive(ArchiveName="ci-keep", EventSourceArn=bus, RetentionDays=1)
    check(archive["ArchiveArn"] == prefix + "archive/ci-keep" and archive["State"] == "ENABLED", "create_archive: %s" % archive)
    managed = ev.describe_rule(Name="Events-Archive-ci-keep", EventBusName="ci-boto3")
    check(managed["ManagedBy"] == "events.amazonaws.com", "the archive's rule: %s" % managed)
    check(json.loads(managed["EventPattern"]) == {"replay-name": [{"exists": False}]}, "the archive's pattern: %s" % managed)
    described = ev.describe_archive(ArchiveName="ci-keep")
    check(described["EventSourceArn"] == bus and described["EventCount"] == 0, "describe_archive: %s" % described)
    ev.delete_archive(ArchiveName="ci-keep")

    conn = ev.create_connection(Name="ci-conn", AuthorizationType="API_KEY",
                                AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "ci-s3cret"}})
    check(conn["ConnectionState"] == "AUTHORIZED", "create_connection: %s" % conn)
    described = ev.describe_connection(Name="ci-conn")
    check("ci-s3cret" not in json.dumps(described, default=str), "describe_connection shows the secret: %s" % described)
    check(described["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"] == "x-api-key", "describe_connection: %s" % described)
    dest = ev.create_api_destination(Name="ci-dest", ConnectionArn=conn["ConnectionArn"],
                                     InvocationEndpoint="https://example.com/hook", HttpMethod="POST")
    check(dest["ApiDestinationState"] == "ACTIVE", "create_api_destination: %s" % dest)
    check(ev.describe_api_destination(Name="ci-dest")["InvocationRateLimitPerSecond"] == 300, "the default rate limit")
    ev.delete_api_destination(Name="ci-dest")
    ev.delete_connection(Name="ci-conn")

    ev.delete_event_bus(Name="ci-boto3")
    try:
        ev.describe_event_bus(Name="ci-boto3")
        fail("describe_event_bus of a deleted bus succeeded")
    except ClientError as e:
        check(code(e) == "ResourceNotFoundException", "describe_event_bus of a deleted bus: %s" % e)
    print("events boto3: buses, rules (paged), targets (FailedEntries), archives (the managed rule), connections (secrets hidden), API destinations, deletes: OK")


if __name__ == "__main__":
    main()
