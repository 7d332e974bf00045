"""What the boto3 checks of .ci (sns_check.py, events_check.py) share: how
they fail, their clients, and receiving a queue's messages."""
import sys
import time


class Checker:
    """fail and check for the check named name (its messages' prefix)."""

    def __init__(self, name):
        self.name = name

    def fail(self, msg):
        print(self.name + " boto3: " + msg, file=sys.stderr)
        sys.exit(1)

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)

    def endpoint(self, script):
        """The ENDPOINT argument of `python3 .ci/<script> ENDPOINT`."""
        if len(sys.argv) != 2:
            self.fail("usage: %s ENDPOINT" % script)
        return sys.argv[1]

    def receive_all(self, sqs, url, n):
        """n messages of the queue at url, received and deleted (a safety
        net of 30 s: deliveries are asynchronous)."""
        got = []
        deadline = time.monotonic() + 30
        while len(got) < n and time.monotonic() < deadline:
            resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2,
                                       MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
            for m in resp.get("Messages", []):
                got.append(m)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.check(len(got) == n, "receive: %d of %d messages: %s" % (len(got), n, [m["Body"] for m in got]))
        return got


def clients(endpoint, *services):
    """boto3 clients of services on a signalbox serve at endpoint (the CI's
    credentials, no retries)."""
    import boto3
    import botocore.config

    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="AKIDSIGNALBOXCI", aws_secret_access_key="signalbox-ci",
              config=botocore.config.Config(retries={"max_attempts": 1}))
    return [boto3.client(s, **kw) for s in services]
