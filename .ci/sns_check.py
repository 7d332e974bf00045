"""SNS's checks of .ci/sns_cli.sh: boto3 against a signalbox serve.

    python3 .ci/sns_check.py ENDPOINT

boto3 (SNS's query protocol; SQS's AWS JSON 1.0) creates a standard and a
FIFO topic, subscribes a queue of the built-in SQS to each (raw delivery on
the standard one, set at Subscribe; the envelope on the FIFO one),
publishes (one message and a batch, with message attributes; on the FIFO
topic with a message group and deduplication ids), reads the fanned-out
messages through SQS, lists topics and subscriptions, sets and gets
attributes, tags, and deletes, ending with NotFound.
"""
import json

from boto3check import Checker, clients


C = Checker("sns")
fail, check, receive_all = C.fail, C.check, C.receive_all


def main():
    sns, sqs = clients(C.endpoint("sns_check.py"), "sns", "sqs")

    arn = sns.create_topic(Name="ci-boto3", Attributes={"DisplayName": "boto3"},
                           Tags=[{"Key": "ci", "Value": "yes"}])["TopicArn"]
    check(arn == "arn:aws:sns:us-east-1:123456789012:ci-boto3", "create_topic: " + arn)
    check(sns.create_topic(Name="ci-boto3", Attributes={"DisplayName": "boto3"})["TopicArn"] == arn, "create_topic again")
    url = sqs.create_queue(QueueName="ci-sns-boto3")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"},
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    check(sub.startswith(arn + ":"), "subscribe: " + sub)

    attrs = {"color": {"DataType": "String", "StringValue": "grün"},
             "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
             "n": {"DataType": "Number", "StringValue": "12"}}
    one = sns.publish(TopicArn=arn, Message="one", MessageAttributes=attrs)
    check(one.get("MessageId"), "publish: " + json.dumps(one, default=str))
    batch = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "two", "MessageAttributes": {"color": {"DataType": "String", "StringValue": "red"}}},
        {"Id": "b", "Message": "three"}])
    check(sorted(e["Id"] for e in batch["Successful"]) == ["a", "b"] and not batch.get("Failed"),
          "publish_batch: " + json.dumps(batch.get("Failed")))
    got = {m["Body"]: m for m in receive_all(sqs, url, 3)}
    check(sorted(got) == ["one", "three", "two"], "raw delivery: " + str(sorted(got)))
    a = got["one"]["MessageAttributes"]
    check(a["color"]["StringValue"] == "grün" and a["blob"]["BinaryValue"] == b"\x00\x01\xff" and a["n"]["StringValue"] == "12",
          "raw delivery: the attributes: " + str(a))
    check(got["two"]["MessageAttributes"]["color"]["StringValue"] == "red", "raw delivery: a batch entry's attributes")

    # FIFO: a group's messages in order, in the envelope, deduplicated.
    farn = sns.create_topic(Name="ci-boto3.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    furl = sqs.create_queue(QueueName="ci-sns-boto3.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    fqarn = sqs.get_queue_attributes(QueueUrl=furl, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=farn, Protocol="sqs", Endpoint=fqarn)
    for i in range(3):
        r = sns.publish(TopicArn=farn, Message="f%d" % i, MessageGroupId="g", MessageDeduplicationId="d%d" % i)
        check(r.get("SequenceNumber"), "publish to a FIFO topic: no SequenceNumber: " + json.dumps(r, default=str))
    again = sns.publish(TopicArn=farn, Message="f0 again", MessageGroupId="g", MessageDeduplicationId="d0")
    check(again.get("MessageId"), "publish of a duplicate: " + json.dumps(again, default=str))
    fifo = receive_all(sqs, furl, 3)
    bodies = [json.loads(m["Body"]) for m in fifo]
    check([b["Message"] for b in bodies] == ["f0", "f1", "f2"], "FIFO order: " + str([b["Message"] for b in bodies]))
    check(all(b["Type"] == "Notification" and b["TopicArn"] == farn and b.get("SequenceNumber") for b in bodies),
          "FIFO envelope: " + json.dumps(bodies[0]))
    check(fifo[0]["Attributes"]["MessageGroupId"] == "g", "FIFO queue: MessageGroupId " + str(fifo[0]["Attributes"]))
    empty = sqs.receive_message(QueueUrl=furl, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    check(not empty.get("Messages"), "the duplicate was delivered: " + str(empty.get("Messages")))

    topics = []
    for page in sns.get_paginator("list_topics").paginate():
        topics += [t["TopicArn"] for t in page["Topics"]]
    check(arn in topics and farn in topics, "list_topics: " + str(topics))
    subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    check([(s["SubscriptionArn"], s["Protocol"], s["Endpoint"]) for s in subs] == [(sub, "sqs", qarn)], "list_subscriptions_by_topic: " + str(subs))
    check(any(s["SubscriptionArn"] == sub for s in sns.list_subscriptions()["Subscriptions"]), "list_subscriptions")

    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=json.dumps({"color": ["blue"]}))
    sa = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    check(json.loads(sa["FilterPolicy"]) == {"color": ["blue"]} and sa["RawMessageDelivery"] == "true", "get_subscription_attributes: " + str(sa))
    sns.publish(TopicArn=arn, Message="filtered out", MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}})
    sns.publish(TopicArn=arn, Message="let through", MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}})
    passed = receive_all(sqs, url, 1)
    check(passed[0]["Body"] == "let through", "filter policy: " + passed[0]["Body"])

    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="boto3 topic")
    ta = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    check(ta["DisplayName"] == "boto3 topic" and ta["TopicArn"] == arn, "get_topic_attributes: " + str(ta))
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "ci"}])
    tags = sorted((t["Key"], t["Value"]) for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"])
    check(tags == [("ci", "yes"), ("env", "ci")], "list_tags_for_resource: " + str(tags))
    sns.untag_resource(ResourceArn=arn, TagKeys=["ci"])
    tags = [(t["Key"], t["Value"]) for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]]
    check(tags == [("env", "ci")], "untag_resource: " + str(tags))

    sns.unsubscribe(SubscriptionArn=sub)
    for t in (arn, farn):
        sns.delete_topic(TopicArn=t)
    try:
        sns.get_topic_attributes(TopicArn=arn)
        fail("get_topic_attributes of a deleted topic succeeded")
    except sns.exceptions.NotFoundException as e:  # the modeled exception, by the query code
        check(e.response["Error"]["Code"] == "NotFound", "error code " + str(e.response["Error"]))
    print("sns boto3: create (attributes, tags), subscribe sqs (raw), publish and publish_batch (attributes) via SQS, "
          "FIFO (order, deduplication, envelope), list, filter policy, topic and subscription attributes, tags, "
          "unsubscribe, delete, NotFoundException: OK")


if __name__ == "__main__":
    main()
