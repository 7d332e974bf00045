// The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn, pinned in
// package.json) through a lifecycle against a running `signalbox serve`:
// create, start, describe, history, list, stop, and start-sync with the
// "sync-" host prefix turned off (disableHostPrefix: true). Usage:
//   node lifecycle.mjs http://127.0.0.1:PORT
// Exits 1, saying what was wrong, at the first wrong answer.
import assert from "node:assert/strict";
import {
  SFNClient,
  CreateStateMachineCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StopExecutionCommand,
  StartSyncExecutionCommand,
  ExecutionDoesNotExist,
} from "@aws-sdk/client-sfn";

const endpoint = process.argv[2];
assert.match(endpoint ?? "", /^http:\/\/127\.0\.0\.1:\d+$/, "usage: node lifecycle.mjs http://127.0.0.1:PORT");

const client = new SFNClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDSIGNALBOXCI", secretAccessKey: "signalbox-ci" },
  maxAttempts: 1,
  // StartSyncExecution goes to "sync-" + the endpoint's host unless this is set
  disableHostPrefix: true,
});
const send = (command) => client.send(command);
const role = "arn:aws:iam::123456789012:role/signalbox-ci";
const account = "arn:aws:states:us-east-1:123456789012";
const greet = JSON.stringify({
  StartAt: "Greet",
  States: {
    Greet: { Type: "Pass", Parameters: { "greeting.$": "States.Format('hello {}', $.who)" }, Next: "Done" },
    Done: { Type: "Succeed" },
  },
});
const wait = JSON.stringify({ StartAt: "Wait", States: { Wait: { Type: "Wait", Seconds: 300, End: true } } });

async function awaitStatus(executionArn, want) {
  const deadline = Date.now() + 30_000; // a safety net: the loop ends on the status
  for (;;) {
    const d = await send(new DescribeExecutionCommand({ executionArn }));
    if (d.status === want) return d;
    assert.equal(d.status, "RUNNING", `execution ${executionArn} is ${d.status}, want ${want}: ${JSON.stringify(d)}`);
    assert.ok(Date.now() < deadline, `execution ${executionArn} still RUNNING after 30s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function history(executionArn) {
  const events = [];
  let nextToken;
  do {
    const page = await send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 3 }));
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

// create
const created = {};
for (const [name, definition, type] of [
  ["ci-js-greeter", greet, "STANDARD"],
  ["ci-js-waiter", wait, "STANDARD"],
  ["ci-js-express", greet, "EXPRESS"],
]) {
  const out = await send(new CreateStateMachineCommand({ name, definition, roleArn: role, type }));
  assert.equal(out.stateMachineArn, `${account}:stateMachine:${name}`);
  assert.ok(out.creationDate instanceof Date, "creationDate is a date");
  created[name] = out.stateMachineArn;
}

// start, describe
const started = await send(new StartExecutionCommand({
  stateMachineArn: created["ci-js-greeter"], name: "run-1", input: JSON.stringify({ who: "js" }),
}));
assert.equal(started.executionArn, `${account}:execution:ci-js-greeter:run-1`);
const done = await awaitStatus(started.executionArn, "SUCCEEDED");
assert.deepEqual(JSON.parse(done.output), { greeting: "hello js" });
assert.equal(done.name, "run-1");
assert.equal(done.stateMachineArn, created["ci-js-greeter"]);
assert.ok(done.stopDate >= done.startDate, "stopDate after startDate");

// history, in pages of 3
const events = await history(started.executionArn);
assert.deepEqual(events.map((e) => e.type), [
  "ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded",
]);
assert.deepEqual(events.map((e) => e.id), [1, 2, 3, 4, 5, 6]);
assert.deepEqual(JSON.parse(events[5].executionSucceededEventDetails.output), { greeting: "hello js" });

// list
const machines = (await send(new ListStateMachinesCommand({}))).stateMachines.map((m) => m.name);
for (const name of Object.keys(created)) assert.ok(machines.includes(name), `list-state-machines lacks ${name}: ${machines}`);
const listed = await send(new ListExecutionsCommand({ stateMachineArn: created["ci-js-greeter"] }));
assert.deepEqual(listed.executions.map((e) => [e.name, e.status]), [["run-1", "SUCCEEDED"]]);
assert.equal(listed.nextToken, undefined, "one page: no nextToken");

// stop
const waiting = await send(new StartExecutionCommand({ stateMachineArn: created["ci-js-waiter"], name: "to-stop" }));
await awaitStatus(waiting.executionArn, "RUNNING");
const stopped = await send(new StopExecutionCommand({ executionArn: waiting.executionArn, error: "CI.Stop", cause: "stopped by the JS check" }));
assert.ok(stopped.stopDate instanceof Date, "stopDate is a date");
const aborted = await awaitStatus(waiting.executionArn, "ABORTED");
assert.equal(aborted.error, "CI.Stop");
assert.equal(aborted.cause, "stopped by the JS check");
const last = (await history(waiting.executionArn)).at(-1);
assert.equal(last.type, "ExecutionAborted");
assert.equal(last.executionAbortedEventDetails.error, "CI.Stop");

// start-sync (EXPRESS), with the host prefix turned off
const sync = await send(new StartSyncExecutionCommand({ stateMachineArn: created["ci-js-express"], input: JSON.stringify({ who: "sync" }) }));
assert.equal(sync.status, "SUCCEEDED", JSON.stringify(sync));
assert.deepEqual(JSON.parse(sync.output), { greeting: "hello sync" });
assert.match(sync.executionArn, new RegExp(`^${account}:express:ci-js-express:`));

// an error in AWS's shape, as the SDK's typed exception
await assert.rejects(
  send(new DescribeExecutionCommand({ executionArn: `${account}:execution:ci-js-greeter:missing` })),
  (err) => err instanceof ExecutionDoesNotExist && err.$metadata.httpStatusCode === 400,
);

console.log("js: create, start, describe, history, list, stop, start-sync (disableHostPrefix): OK");
