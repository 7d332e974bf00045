// Command signalbox is Signalbox's one binary: it validates and runs
// Amazon States Language state machines, and serves
// them durably.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/signalbox/signalbox/internal/bench"
	"github.com/signalbox/signalbox/internal/cli"
)

const usage = `usage: signalbox <command> [arguments]

commands:
  validate FILE...   check definitions; print one diagnostic per line (--json for an array)
  run FILE           run one execution in memory and print its result as JSON
  bench              time the shared benchmark workloads (--peer: beside aws-local-stepfunctions)
  serve              run Signalbox: the HTTP gateway and durable workers (--config, --addr;
                     the store: embedded, volatile; --data-dir DIR, durable; --redis-url URL)
  worker             run durable workers on a shared Redis (--redis-url, --config) until SIGTERM
  start NAME|ARN     start an execution on a running server (--input, --wait; --endpoint URL)
  describe ARN       describe an execution or a state machine on a running server
  history ARN        print an execution's history events as a JSON array
  map-runs ARN       print an execution's map runs (Distributed Maps) with their counts
  list [MACHINE]     list the state machines, or one's executions, as a JSON array
  version            print the version and commit (also --version)
  help [COMMAND]     print this, or a command's help

Run 'signalbox <command> --help' for what a command does, an example and its flags.
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "bench":
		return bench.Main(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "worker":
		return cmdWorker(args[1:], stdout, stderr)
	case "start":
		return cmdStart(args[1:], stdout, stderr)
	case "describe":
		return cmdDescribe(args[1:], stdout, stderr)
	case "history":
		return cmdHistory(args[1:], stdout, stderr)
	case "map-runs":
		return cmdMapRuns(args[1:], stdout, stderr)
	case "list":
		return cmdList(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return cmdVersion(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" && args[1] != "help" {
			return realMain([]string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "signalbox: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if rest, code, ok := cli.Parse(fs, helpVersion, args, stdout); !ok || len(rest) > 0 {
		if ok {
			cli.Usage(stderr, helpVersion)
			code = 2
		}
		return code
	}
	fmt.Fprintln(stdout, versionLine())
	return 0
}
