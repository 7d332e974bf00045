"""boto3 through a lifecycle against a running `signalbox serve`: create,
start, describe, history, list, stop, start-sync with the "sync-" host
prefix turned off (Config(inject_host_prefix=False)), versions and aliases
(publish, route, delete), and TestState. Usage:

    python3 .ci/boto3_lifecycle.py http://127.0.0.1:PORT

Exits non-zero, saying what was wrong, at the first wrong answer.
"""

import json
import re
import sys
import time

import boto3
from botocore.config import Config

endpoint = sys.argv[1] if len(sys.argv) == 2 else ""
if not re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint):
    sys.exit("usage: boto3_lifecycle.py http://127.0.0.1:PORT")

client = boto3.client(
    "stepfunctions",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDSIGNALBOXCI",
    aws_secret_access_key="signalbox-ci",
    # StartSyncExecution goes to "sync-" + the endpoint's host unless this is off
    config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
)
ROLE = "arn:aws:iam::123456789012:role/signalbox-ci"
ACCOUNT = "arn:aws:states:us-east-1:123456789012"
GREET = json.dumps({
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
})
WAIT = json.dumps({"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 300, "End": True}}})


def check(cond, what):
    if not cond:
        sys.exit("boto3: " + what)


def equal(got, want, what):
    check(got == want, f"{what}: got {got!r}, want {want!r}")


def await_status(arn, want):
    deadline = time.monotonic() + 30  # a safety net: the loop ends on the status
    while True:
        d = client.describe_execution(executionArn=arn)
        if d["status"] == want:
            return d
        check(d["status"] == "RUNNING", f"execution {arn} is {d['status']}, want {want}: {d}")
        check(time.monotonic() < deadline, f"execution {arn} still RUNNING after 30s")
        time.sleep(0.05)


def history(arn):
    events, token = [], None
    while True:
        kw = {"nextToken": token} if token else {}
        page = client.get_execution_history(executionArn=arn, maxResults=3, **kw)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


# create
created = {}
for name, definition, typ in [
    ("ci-boto3-greeter", GREET, "STANDARD"),
    ("ci-boto3-waiter", WAIT, "STANDARD"),
    ("ci-boto3-express", GREET, "EXPRESS"),
]:
    out = client.create_state_machine(name=name, definition=definition, roleArn=ROLE, type=typ)
    equal(out["stateMachineArn"], f"{ACCOUNT}:stateMachine:{name}", "create_state_machine stateMachineArn")
    check(hasattr(out["creationDate"], "tzinfo"), "create_state_machine: creationDate is not a datetime")
    created[name] = out["stateMachineArn"]

# start, describe
started = client.start_execution(stateMachineArn=created["ci-boto3-greeter"], name="run-1", input=json.dumps({"who": "boto3"}))
equal(started["executionArn"], f"{ACCOUNT}:execution:ci-boto3-greeter:run-1", "start_execution executionArn")
done = await_status(started["executionArn"], "SUCCEEDED")
equal(json.loads(done["output"]), {"greeting": "hello boto3"}, "describe_execution output")
equal((done["name"], done["stateMachineArn"]), ("run-1", created["ci-boto3-greeter"]), "describe_execution name and machine")
check(done["stopDate"] >= done["startDate"], "describe_execution: stopDate before startDate")

# history, in pages of 3
events = history(started["executionArn"])
equal([e["type"] for e in events], ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                    "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"], "history types")
equal([e["id"] for e in events], [1, 2, 3, 4, 5, 6], "history ids")
equal(json.loads(events[5]["executionSucceededEventDetails"]["output"]), {"greeting": "hello boto3"}, "history output")

# list
machines = [m["name"] for m in client.list_state_machines()["stateMachines"]]
for name in created:
    check(name in machines, f"list_state_machines lacks {name}: {machines}")
listed = client.list_executions(stateMachineArn=created["ci-boto3-greeter"])
equal([(e["name"], e["status"]) for e in listed["executions"]], [("run-1", "SUCCEEDED")], "list_executions")
check("nextToken" not in listed, f"list_executions: one page has a nextToken: {listed.get('nextToken')!r}")

# stop
waiting = client.start_execution(stateMachineArn=created["ci-boto3-waiter"], name="to-stop")
await_status(waiting["executionArn"], "RUNNING")
stopped = client.stop_execution(executionArn=waiting["executionArn"], error="CI.Stop", cause="stopped by the boto3 check")
check(hasattr(stopped["stopDate"], "tzinfo"), "stop_execution: stopDate is not a datetime")
aborted = await_status(waiting["executionArn"], "ABORTED")
equal((aborted.get("error"), aborted.get("cause")), ("CI.Stop", "stopped by the boto3 check"), "stopped execution's error and cause")
last = history(waiting["executionArn"])[-1]
equal(last["type"], "ExecutionAborted", "the stopped execution's last event")
equal(last["executionAbortedEventDetails"]["error"], "CI.Stop", "ExecutionAborted error")

# start-sync (EXPRESS), with the host prefix turned off
sync = client.start_sync_execution(stateMachineArn=created["ci-boto3-express"], input=json.dumps({"who": "sync"}))
equal(sync["status"], "SUCCEEDED", "start_sync_execution status")
equal(json.loads(sync["output"]), {"greeting": "hello sync"}, "start_sync_execution output")
check(sync["executionArn"].startswith(f"{ACCOUNT}:express:ci-boto3-express:"), f"start_sync_execution executionArn {sync['executionArn']}")

# versions and aliases: publish, route, the conflict of deleting a routed
# version (a modelled exception), then its deletion
greeter = created["ci-boto3-greeter"]
v1 = client.publish_state_machine_version(stateMachineArn=greeter, description="first")["stateMachineVersionArn"]
equal(v1, f"{greeter}:1", "publish_state_machine_version")
alias = client.create_state_machine_alias(name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
equal(alias["stateMachineAliasArn"], f"{greeter}:live", "create_state_machine_alias")
via = client.start_execution(stateMachineArn=alias["stateMachineAliasArn"], input=json.dumps({"who": "alias"}))
routed = await_status(via["executionArn"], "SUCCEEDED")
equal((routed.get("stateMachineVersionArn"), routed.get("stateMachineAliasArn")), (v1, alias["stateMachineAliasArn"]), "an alias's execution's origin")
try:
    client.delete_state_machine_version(stateMachineVersionArn=v1)
    sys.exit("boto3: delete_state_machine_version of a routed version succeeded")
except client.exceptions.ConflictException as e:
    check("[live]" in e.response["Error"]["Message"], f"the conflict names the alias: {e.response['Error']}")
client.delete_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])
client.delete_state_machine_version(stateMachineVersionArn=v1)
equal(client.list_state_machine_versions(stateMachineArn=greeter)["stateMachineVersions"], [], "versions after the delete")

# an error in AWS's shape, as the client's modelled exception
try:
    client.describe_execution(executionArn=f"{ACCOUNT}:execution:ci-boto3-greeter:missing")
    sys.exit("boto3: describe_execution of a missing execution succeeded")
except client.exceptions.ExecutionDoesNotExist as e:
    equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, "ExecutionDoesNotExist status")

# TestState: a state of a whole definition, at DEBUG; a mocked task's error caught
t = client.test_state(definition=GREET, stateName="Greet", input=json.dumps({"who": "state"}), inspectionLevel="DEBUG")
equal((t["status"], t.get("nextState"), json.loads(t["output"])), ("SUCCEEDED", "Done", {"greeting": "hello state"}), "test_state of Greet")
equal(json.loads(t["inspectionData"]["afterParameters"]), {"greeting": "hello state"}, "test_state's afterParameters")
task = json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}],
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}], "End": True})
t = client.test_state(definition=task, mock={"errorOutput": {"error": "Busy", "cause": "try later"}}, stateConfiguration={"retrierRetryCount": 2}, inspectionLevel="DEBUG")
equal((t["status"], t.get("nextState"), t["error"], t["inspectionData"]["errorDetails"]), ("CAUGHT_ERROR", "Handle", "Busy", {"retryIndex": 0, "catchIndex": 0}), "test_state of a mocked error")
try:
    client.test_state(definition=task)
    sys.exit("boto3: test_state of a task without a role or a mock succeeded")
except client.exceptions.ValidationException as e:
    equal(e.response["Error"]["Message"], "RoleArn must be specified when testing a Task state", "test_state without a role")

print("boto3: create, start, describe, history, list, stop, start-sync (inject_host_prefix=False), versions and aliases, test_state: OK")
