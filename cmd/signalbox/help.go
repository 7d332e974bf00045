package main

import "github.com/signalbox/signalbox/internal/cli"

// The help of each command: what `signalbox COMMAND --help` prints before
// the flags. Keep them to the point: a synopsis, what it does, an example
// that works from a fresh clone.
var (
	helpValidate = cli.Help{
		Synopsis: "signalbox validate [--json] FILE...",
		Summary: `Check Amazon States Language definitions without running them: every problem of every file,
one a line, as "JSON-POINTER CODE MESSAGE" (--json: one JSON array). Exit status 0 when all are
valid, 1 when one is not, 2 for a wrong command line.`,
		Example: "signalbox validate examples/hello/hello.asl.json",
	}
	helpRun = cli.Help{
		Synopsis: "signalbox run FILE [--input JSON | --input-file PATH] [--mocks PATH --test-case NAME] [--clock real|virtual] [--history] [--name NAME] [--max-payload BYTES]",
		Summary: `Run one execution of a definition in memory, without a server, and print one JSON object:
{"status":"SUCCEEDED","output":...} or {"status":"FAILED","error":...,"cause":...}. Task states
are served by a Step Functions Local mock file (--mocks, --test-case). Exit status 0 when the
execution succeeded, 1 when it ended otherwise, 2 when the definition or the command line is
wrong.`,
		Example: `signalbox run examples/hello/hello.asl.json --input '{"name":"world"}'`,
	}
	helpServe = cli.Help{
		Synopsis: "signalbox serve [--config FILE] [--addr HOST:PORT] [--data-dir DIR | --redis-url URL] [--mocks FILE] [--workers N] ...",
		Summary: `Run Signalbox: the Step Functions API (POST /, for the AWS SDKs and CLI), user HTTP routes,
the management API (/api/v1) and the durable workers, in one process, until SIGTERM or SIGINT.
The store is the embedded one by default, volatile (lost on restart); --data-dir DIR runs a
redis-server of serve's own with an append-only file in DIR (durable); --redis-url uses a Redis
of your own. --mocks FILE (or $SFN_MOCK_CONFIG) answers the Task states of executions started
with "<state machine ARN>#TestCase" from a Step Functions Local MockConfigFile. The first line
printed is the address, the second the store.`,
		Example: `signalbox serve --config examples/orders/signalbox.yaml
signalbox serve --data-dir ./signalbox-data --config examples/orders/signalbox.yaml`,
	}
	helpWorker = cli.Help{
		Synopsis: "signalbox worker --redis-url URL [--config FILE] [--mocks FILE] [--lease D] [--consumer NAME]",
		Summary: `Run durable workers only, on a shared Redis, until SIGTERM (work in hand is handed back):
start as many as you like, on as many machines, beside signalbox serve on the same Redis.`,
		Example: "signalbox worker --redis-url redis://127.0.0.1:6379/0",
	}
	helpStart = cli.Help{
		Synopsis: "signalbox start NAME|ARN[#TestCase] [--input JSON | --input-file F] [--name EXEC_NAME] [--wait [--timeout D] | --sync] [--endpoint URL]",
		Summary: `Start an execution of a state machine (by name or ARN) on a running signalbox serve, and print
StartExecution's answer as JSON; with --wait, wait until it ends and print its description (exit
status 0 only when it SUCCEEDED); with --sync, StartSyncExecution (an EXPRESS state machine),
printing its result. "#TestCase" runs it on the server's mocks (serve --mocks).`,
		Example: `signalbox start orders --input '{"orderId":"o-1","items":[{"sku":"book","qty":1}],"total":12}' --wait`,
	}
	helpDescribe = cli.Help{
		Synopsis: "signalbox describe ARN|STATE_MACHINE_NAME [--endpoint URL]",
		Summary: `Describe an execution, a state machine (by ARN or name), an alias, an activity or a map run on a
running signalbox serve, as JSON shaped like the AWS CLI's.`,
		Example: "signalbox describe orders",
	}
	helpHistory = cli.Help{
		Synopsis: "signalbox history EXECUTION_ARN [--reverse] [--page-size N] [--endpoint URL]",
		Summary:  `Print an execution's history events, every page, as one JSON array (oldest first; --reverse: newest).`,
		Example:  "signalbox history arn:aws:states:us-east-1:123456789012:execution:orders:o-1",
	}
	helpMapRuns = cli.Help{
		Synopsis: "signalbox map-runs EXECUTION_ARN [--endpoint URL]",
		Summary:  `Print the map runs (Distributed Map states) of an execution, each as DescribeMapRun answers: status, itemCounts and executionCounts, as one JSON array.`,
		Example:  "signalbox map-runs arn:aws:states:us-east-1:123456789012:execution:orders:o-1",
	}
	helpList = cli.Help{
		Synopsis: "signalbox list [STATE_MACHINE] [--status S] [--page-size N] [--endpoint URL]",
		Summary:  `List the state machines of a running signalbox serve, or one's executions (by name or ARN; --status filters), every page, as one JSON array.`,
		Example: `signalbox list
signalbox list orders --status SUCCEEDED`,
	}
	helpVersion = cli.Help{
		Synopsis: "signalbox version",
		Summary:  `Print the module version and the commit the binary was built from (also: signalbox --version).`,
		Example:  "signalbox version",
	}
)
