package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/mock"
	"github.com/signalbox/signalbox/internal/aslfile"
	"github.com/signalbox/signalbox/internal/cli"
	"github.com/signalbox/signalbox/runtime"
)

// runOptions is one `signalbox run`.
type runOptions struct {
	Definition []byte
	Input      any
	Mocks      *mock.Config
	TestCase   string
	// StateMachine names the state machine, for ARNs and for the mock
	// file's StateMachines key.
	StateMachine string
	Virtual      bool
	Express      bool
	Seed         uint64
	// MaxPayload raises the payload limit (0: AWS's 256 KiB).
	MaxPayload int
}

// errUsage marks problems with the arguments or the definition (exit 2).
type errUsage struct{ msg string }

func (e *errUsage) Error() string { return e.msg }

// execute runs one execution as `signalbox run` does. It is the single
// path shared by the command and the conformance suite.
func execute(ctx context.Context, o runOptions) (*runtime.Result, error) {
	m, d := asl.Compile(o.Definition)
	if len(d) > 0 {
		return nil, &diag.Error{Diagnostics: d}
	}
	engine := &runtime.Engine{MaxPayload: o.MaxPayload}
	if o.Mocks != nil {
		session, err := o.Mocks.TestCase(o.StateMachine, o.TestCase)
		if err != nil {
			return nil, &errUsage{err.Error()}
		}
		engine.Tasks = session
	} else {
		engine.Tasks = integrations.HandlerFunc(func(_ context.Context, req *integrations.Request) (any, error) {
			return nil, &integrations.Error{Name: "States.Runtime", Cause: fmt.Sprintf(
				"the Task state %q calls %q, and signalbox run serves Task states from a mock file only: give --mocks and --test-case", req.StateName, req.Resource)}
		})
	}
	x := runtime.Execution{StateMachineName: o.StateMachine, Input: o.Input, Seed: o.Seed, Express: o.Express}
	if o.Mocks != nil {
		// the run is a test case's: a .waitForTaskToken task gets a token
		// for the mock to answer (runtime: drawToken)
		x.TestCase = o.TestCase
	}
	if o.Virtual {
		x.Clock = runtime.NewVirtualClock(time.Now())
	}
	return engine.Run(ctx, m, x), nil
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	input := fs.String("input", "", "the execution input, as JSON (default {})")
	inputFile := fs.String("input-file", "", "read the execution input from this file")
	mocks := fs.String("mocks", "", "a Step Functions Local MockConfigFile serving the Task states")
	testCase := fs.String("test-case", "", "the test case of the mock file to use")
	name := fs.String("name", "", "the state machine's name (default: the mock file's only state machine, else the file name)")
	clock := fs.String("clock", "real", "real: waits take real time; virtual: waits complete at once on a virtual clock")
	history := fs.Bool("history", false, "include the execution history")
	maxPayload := fs.Int("max-payload", 0, "the limit on a state's input, output and result in bytes of JSON (default AWS's 262144); over it, States.DataLimitExceeded")
	files, code, ok := cli.Parse(fs, helpRun, args, stdout)
	if !ok {
		return code
	}
	var err error
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "signalbox run: "+format+"\n", a...)
		return 2
	}
	if len(files) != 1 {
		return fail("exactly one definition file is needed")
	}
	if *maxPayload < 0 {
		return fail("--max-payload must be a number of bytes, got %d", *maxPayload)
	}
	o := runOptions{Input: map[string]any{}, MaxPayload: *maxPayload}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return fail("%v", err)
	}
	def, err := aslfile.Parse(files[0], data)
	var ye *aslfile.Error
	if errors.As(err, &ye) {
		fmt.Fprintln(stderr, fileDiagnostic{File: files[0], Line: ye.Line, Diagnostic: diag.Diagnostic{Code: aslfile.InvalidYAML, Message: ye.Message}})
		return 2
	}
	o.Definition = def.JSON
	switch *clock {
	case "real":
	case "virtual":
		o.Virtual = true
	default:
		return fail("--clock must be real or virtual, got %q", *clock)
	}
	if *input != "" && *inputFile != "" {
		return fail("--input and --input-file may not both be given")
	}
	raw := []byte(*input)
	if *inputFile != "" {
		if raw, err = os.ReadFile(*inputFile); err != nil {
			return fail("%v", err)
		}
	}
	if len(raw) > 0 {
		if o.Input, err = asl.DecodeJSON(raw); err != nil {
			return fail("the input is not valid JSON: %v", err)
		}
	}
	if (*mocks == "") != (*testCase == "") {
		return fail("--mocks and --test-case go together")
	}
	o.StateMachine = *name
	if *mocks != "" {
		if o.Mocks, err = mock.LoadFile(*mocks); err != nil {
			return fail("%v", err)
		}
		o.TestCase = *testCase
		if sms := o.Mocks.StateMachines(); o.StateMachine == "" && len(sms) == 1 {
			o.StateMachine = sms[0]
		}
	}
	if o.StateMachine == "" {
		base := filepath.Base(files[0])
		for _, ext := range []string{".json", ".yaml", ".yml", ".asl"} {
			base = strings.TrimSuffix(base, ext)
		}
		o.StateMachine = base
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := execute(ctx, o)
	if err != nil {
		var de *diag.Error
		if errors.As(err, &de) {
			for _, d := range de.Diagnostics {
				line := def.Line(d.Path)
				if d.Code == diag.InvalidJSON {
					line = aslfile.JSONErrorLine(def.JSON)
				}
				fmt.Fprintln(stderr, fileDiagnostic{File: files[0], Line: line, Diagnostic: d})
			}
			return 2
		}
		return fail("%v", err)
	}
	out, _ := json.Marshal(renderResult(res, *history))
	fmt.Fprintln(stdout, string(out))
	if res.Status == runtime.StatusSucceeded {
		return 0
	}
	return 1
}

// runOutput is the one JSON object `signalbox run` prints.
type runOutput struct {
	Status  string          `json:"status"`
	Output  json.RawMessage `json:"output,omitempty"`
	Error   *string         `json:"error,omitempty"`
	Cause   *string         `json:"cause,omitempty"`
	History []runtime.Event `json:"history,omitempty"`
}

func renderResult(res *runtime.Result, withHistory bool) runOutput {
	out := runOutput{Status: string(res.Status)}
	if res.Status == runtime.StatusSucceeded {
		out.Output = json.RawMessage(asl.EncodeJSON(res.Output))
	} else {
		// AWS omits an error or cause the execution did not name (a
		// Fail state without Error or Cause)
		if res.Error != "" {
			out.Error = &res.Error
		}
		if res.Cause != "" {
			out.Cause = &res.Cause
		}
	}
	if withHistory {
		out.History = res.History()
	}
	return out
}
