"""SQS's checks of .ci/sqs_cli.sh.

    python3 .ci/sqs_check.py md5-attributes JSON   the MD5OfMessageAttributes of
                                                    the CLI's --message-attributes JSON
                                                    (a BinaryValue's text is its bytes)
    python3 .ci/sqs_check.py boto3 ENDPOINT        boto3 (AWS JSON 1.0) against a
                                                    signalbox serve at ENDPOINT

The digest is computed here, from what was sent, as AWS documents it: for
each attribute by name, its name, its data type, a transport byte (1 string,
2 binary) and its value, each after its length in 4 bytes, big-endian.
"""
import hashlib
import json
import struct
import sys


def md5_attributes(attrs):
    """The MD5OfMessageAttributes of attrs ({name: {DataType, StringValue|BinaryValue}});
    BinaryValue as bytes."""
    h = hashlib.md5()

    def field(b):
        h.update(struct.pack(">I", len(b)))
        h.update(b)

    for name in sorted(attrs):
        a = attrs[name]
        field(name.encode())
        field(a["DataType"].encode())
        if a["DataType"].startswith("Binary"):
            h.update(b"\x02")
            field(a["BinaryValue"])
        else:
            h.update(b"\x01")
            field(a["StringValue"].encode())
    return h.hexdigest()


def fail(msg):
    print("sqs boto3: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def boto3_lifecycle(endpoint):
    import boto3
    import botocore.config

    sqs = boto3.client(
        "sqs", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIDSIGNALBOXCI", aws_secret_access_key="signalbox-ci",
        config=botocore.config.Config(retries={"max_attempts": 1}))

    url = sqs.create_queue(QueueName="ci-boto3", Attributes={"VisibilityTimeout": "30"},
                           tags={"ci": "yes"})["QueueUrl"]
    check(url == endpoint + "/123456789012/ci-boto3", "create_queue: QueueUrl " + url)
    check(sqs.get_queue_url(QueueName="ci-boto3")["QueueUrl"] == url, "get_queue_url")
    check(sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"ci": "yes"}, "list_queue_tags")

    attrs = {"color": {"DataType": "String", "StringValue": "grün"},
             "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
             "n": {"DataType": "Number.int", "StringValue": "12"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody='{"hello": "boto3"}', MessageAttributes=attrs)
    check(sent["MD5OfMessageBody"] == hashlib.md5(b'{"hello": "boto3"}').hexdigest(), "send_message: MD5OfMessageBody")
    check(sent["MD5OfMessageAttributes"] == md5_attributes(attrs), "send_message: MD5OfMessageAttributes")
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "batch a"}, {"Id": "b", "MessageBody": "batch b", "DelaySeconds": 0}])
    check(sorted(e["Id"] for e in batch["Successful"]) == ["a", "b"] and not batch.get("Failed"),
          "send_message_batch: " + json.dumps(batch.get("Failed")))

    got = {}
    for _ in range(5):  # a safety net: three messages come in one or a few receives
        resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                   MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
        for m in resp.get("Messages", []):
            got[m["Body"]] = m
        if len(got) == 3:
            break
    check(sorted(got) == sorted(['{"hello": "boto3"}', "batch a", "batch b"]), "receive_message: " + str(sorted(got)))
    first = got['{"hello": "boto3"}']
    check(first["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xff", "receive_message: the binary attribute")
    check(first["MessageAttributes"]["color"]["StringValue"] == "grün", "receive_message: the string attribute")
    check(first["MD5OfMessageAttributes"] == md5_attributes(attrs), "receive_message: MD5OfMessageAttributes")
    check(first["Attributes"]["ApproximateReceiveCount"] == "1", "receive_message: ApproximateReceiveCount")

    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got.values())])
    check(len(deleted["Successful"]) == 3 and not deleted.get("Failed"), "delete_message_batch: " + json.dumps(deleted))
    n = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    check(n == {"ApproximateNumberOfMessages": "0"}, "get_queue_attributes: " + json.dumps(n))

    sqs.delete_queue(QueueUrl=url)
    try:
        sqs.get_queue_url(QueueName="ci-boto3")
        fail("get_queue_url of a deleted queue succeeded")
    except sqs.exceptions.QueueDoesNotExist as e:  # the modeled exception, by the query code
        check(e.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue", "error code " + str(e.response["Error"]))
    print("sqs boto3: create, tags, send (attributes), send batch, receive, delete batch, delete, QueueDoesNotExist: OK")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "md5-attributes":
        attrs = json.loads(sys.argv[2])
        for a in attrs.values():
            if "BinaryValue" in a:
                a["BinaryValue"] = a["BinaryValue"].encode()
        print(md5_attributes(attrs))
    elif len(sys.argv) == 3 and sys.argv[1] == "boto3":
        boto3_lifecycle(sys.argv[2])
    else:
        fail("usage: sqs_check.py md5-attributes JSON | boto3 ENDPOINT")


if __name__ == "__main__":
    main()
