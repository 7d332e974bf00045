// Package mock serves Task calls from an AWS Step Functions Local mock
// configuration file (MockConfigFile.json), so that existing mock files work
// unchanged.
//
// A mock configuration names, per state machine, test cases; a test case maps
// Task state names to mocked responses; a mocked response lists, per
// invocation of the state (0-based, as "N" or an inclusive range "N-M"),
// either a Return value, which becomes the task's result as-is, or a Throw,
// which fails the task with the given error name and cause:
//
//	{
//	  "StateMachines": {
//	    "Orders": {"TestCases": {"RetryPath": {"Charge": "ChargeRetry"}}}
//	  },
//	  "MockedResponses": {
//	    "ChargeRetry": {
//	      "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
//	      "2":   {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}
//	    }
//	  }
//	}
//
// [Parse] validates the whole file and reports every problem with a JSON
// pointer. [Config.TestCase] starts a [Session], which serves one execution:
// it implements [integrations.Handler] and counts the invocations of each
// state, across retries, loop iterations and Map iterations.
//
// As in Step Functions Local, a mocked Task must have a response for every
// invocation: an invocation that no range covers fails the execution with
// States.Runtime. A state the test case does not mock goes to the session's
// fallback handler (Step Functions Local calls the real service there), or
// fails with States.Runtime when there is none.
//
// A [Server] serves the executions of `signalbox serve --mocks FILE` (or
// $SFN_MOCK_CONFIG) and `signalbox worker`: an execution started with
// "<state machine ARN>#TestCase" records its test case, which the runtime
// hands to every task call (Request.TestCase); the Server answers such a
// call from the test case, and passes every other call to the real
// integrations. It counts invocations in the store ([Counter]), by each
// call's idempotency key, so that the count survives a restart and a
// redelivered call gets its first answer again.
package mock
