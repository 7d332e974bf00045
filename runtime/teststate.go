package runtime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
)

// TestState runs one state on an input, as Step Functions' TestState
// does: nothing is stored, no execution exists, and the state's outcome
// (what it outputs and where it goes, or its error and what its Retry and
// Catch make of it) is the answer. A Task calls its integration once
// (no retry: a retriable error is the answer RETRIABLE) unless a mock
// gives its result or error; a Map or Parallel state needs a mock, its
// iterations and branches never running. AWS's recorded answers
// (docs/teststate.md) are the reference: the checks below answer in
// AWS's words where AWS's are known.

// ErrInvalidDefinition is AWS's InvalidDefinition, for what TestState
// refuses of a definition beyond its diagnostics (a Map or Parallel
// state without a mock).
var ErrInvalidDefinition = errors.New("InvalidDefinition")

// TestStateMaxDuration bounds a TestState call, as AWS does (its task
// fails with States.Timeout past it).
const TestStateMaxDuration = 5 * time.Minute

// testStateName is the state's name in the Context object TestState
// makes, whatever the state is called (AWS's recorded answers).
const testStateName = "StateName"

// TestStateParams is a TestState request. The JSON texts (input,
// variables, context, a mock's result) are checked here.
type TestStateParams struct {
	Definition string
	// StateName names the state to test in Definition, then a whole
	// state machine; empty: Definition is one state.
	StateName string
	RoleArn   string
	Input     *string // nil: {}
	Variables *string // a JSON object: the variables the state sees
	Context   *string // the Context object; only with a mock
	// Inspect asks for the inspection data (inspectionLevel DEBUG or
	// TRACE); Trace for an HTTP task's request and response too (TRACE).
	Inspect, Trace bool
	RevealSecrets  bool
	Mock           *TestStateMock
	Config         TestStateConfig
}

// TestStateMock is a mocked outcome of a Task, Map or Parallel state: its
// Result (JSON text) or its Error. FieldValidationMode says how a Task's
// result is checked against its integration's (teststate_mock.go): STRICT
// ("" too), PRESENT or NONE.
type TestStateMock struct {
	Result              *string
	Error               *TestStateError
	FieldValidationMode string
}

// TestStateError is a mocked error.
type TestStateError struct{ Error, Cause string }

// TestStateConfig is TestState's stateConfiguration.
type TestStateConfig struct {
	RetrierRetryCount        int // attempts already retried, for every retrier
	ErrorCausedByState       string
	MapIterationFailureCount int
}

// TestState's statuses.
const (
	TestSucceeded   = "SUCCEEDED"
	TestFailed      = "FAILED"
	TestRetriable   = "RETRIABLE"
	TestCaughtError = "CAUGHT_ERROR"
)

// TestStateResult is TestState's answer.
type TestStateResult struct {
	Status       string
	NextState    string
	Output       *string // JSON text
	Error, Cause string
	// Inspection is the state's data flow (with Inspect).
	Inspection *TestInspection
}

// TestInspection is TestState's inspectionData.
type TestInspection struct {
	// Stages holds each stage's value as JSON text, by AWS's name
	// ("input", "afterInputPath", ..., "variables").
	Stages                     map[string]string
	ErrorDetails               *TestErrorDetails
	MaxConcurrency             *int
	ToleratedFailureCount      *int
	ToleratedFailurePercentage *float64
	// HTTP is an HTTP task's request and response (Trace; Sent and
	// Answered say what it holds).
	HTTP *integrations.HTTPExchange
}

// TestErrorDetails says which retrier or catcher met the state's error.
type TestErrorDetails struct {
	RetryIndex, CatchIndex      *int
	RetryBackoffIntervalSeconds *int
}

func validationf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrValidation}, args...)...)
}

// TestState runs p's state once; see the comment at the top of this file.
func (d *Durable) TestState(ctx context.Context, p *TestStateParams) (*TestStateResult, error) {
	var mockResult any
	if m := p.Mock; m != nil {
		if (m.Result == nil) == (m.Error == nil) {
			return nil, validationf("A test mock should have only one of the following fields: [result, errorOutput].")
		}
		if p.RevealSecrets {
			return nil, validationf("TestState does not support RevealSecrets when a mock is specified.")
		}
		if m.Result != nil {
			v, err := asl.DecodeJSON([]byte(*m.Result))
			if err != nil {
				return nil, validationf("Mocked result must be valid JSON")
			}
			mockResult = v
		}
	}
	s, inMap, err := testedState(p)
	if err != nil {
		return nil, err
	}
	if err := checkTestStateKind(s, p); err != nil {
		return nil, err
	}
	if err := checkTestMock(s, p.Mock, mockResult); err != nil {
		return nil, err
	}
	if err := checkErrorCausedBy(s, p.Config.ErrorCausedByState); err != nil {
		return nil, err
	}
	inText := "{}"
	if p.Input != nil {
		inText = *p.Input
	}
	if err := checkPayload("input", []byte(inText)); err != nil {
		return nil, err
	}
	input, err := asl.DecodeJSON([]byte(inText))
	if err != nil {
		return nil, fmt.Errorf("%w: the input is not valid JSON: %v", ErrInvalidInput, err)
	}
	vars := newScope(nil)
	if p.Variables != nil {
		v, err := asl.DecodeJSON([]byte(*p.Variables))
		obj, isObj := v.(map[string]any)
		if err != nil || !isObj {
			return nil, validationf("variables must be a JSON object")
		}
		vars.assign(obj)
	}
	now := d.now()
	c := &asl.Context{StateName: s.Name(), EnteredTime: now, RetryCount: p.Config.RetrierRetryCount,
		Rand: &lockedSource{r: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}}
	if n := asl.Retries(s); n > 0 {
		c.Retries = make([]int, n)
		for i := range c.Retries {
			c.Retries[i] = p.Config.RetrierRetryCount
		}
	}
	if p.Context != nil {
		obj, err := testContext(*p.Context, s)
		if err != nil {
			return nil, err
		}
		c.Override = obj
	} else {
		c.Override = d.testContextDefault(s, p.RoleArn, input, now, inMap)
	}
	if vars.assigned() {
		c.Vars, c.AllVars = vars.funcs()
	}
	if p.Inspect {
		c.Inspect = map[string]any{}
	}
	tctx, cancel := context.WithTimeout(ctx, TestStateMaxDuration)
	defer cancel()
	c.Interrupt = tctx

	t := &testRun{d: d, s: s, p: p, c: c, input: input, mock: mockResult}
	o := t.settle(tctx, asl.Step(s, input, c))
	res := t.result(o)
	if p.Inspect {
		res.Inspection = t.inspection(inText, o, vars)
	}
	return res, nil
}

// testedState compiles the state p tests: the one Definition holds, or the
// one StateName names in the state machine Definition holds, and whether
// that one runs in a Map's iterations.
func testedState(p *TestStateParams) (s asl.State, inMap bool, err error) {
	if p.StateName == "" {
		s, diags := asl.CompileState(testStateName, []byte(p.Definition))
		if err := diags.Err(); err != nil {
			return nil, false, err
		}
		return s, false, nil
	}
	m, err := asl.Parse([]byte(p.Definition))
	if err != nil {
		return nil, false, err
	}
	s, inMap, ok := m.Find(p.StateName)
	if !ok {
		return nil, false, validationf("State not found in definition")
	}
	return s, inMap, nil
}

// checkTestStateKind refuses what TestState does not run: a mock of a
// state that calls nothing, a Map or Parallel state or a Task that waits
// (an activity, .sync, .waitForTaskToken) without one, a Task without a
// role to call it with, a Context object without a mock.
func checkTestStateKind(s asl.State, p *TestStateParams) error {
	kind := s.Kind()
	mocked := p.Mock != nil
	switch {
	case mocked && kind != asl.KindTask && kind != asl.KindMap && kind != asl.KindParallel:
		return validationf("State type '%s' is not supported when a mock is specified", kind)
	case !mocked && (kind == asl.KindMap || kind == asl.KindParallel):
		return fmt.Errorf("%w: TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]", ErrInvalidDefinition)
	case !mocked && p.Context != nil:
		return validationf("a Context object (context) may only be given with a mock")
	}
	if t, ok := s.(*asl.Task); ok && !mocked {
		if isActivityARN(t.Resource) || waitsForToken(t.Resource) || isSyncResource(t.Resource) {
			return validationf("TestState runs an activity task, or the .sync or .waitForTaskToken pattern, only with a mock")
		}
		if p.RoleArn == "" {
			return validationf("RoleArn must be specified when testing a Task state")
		}
	}
	return nil
}

// isSyncResource reports whether a Task's resource has the .sync pattern
// (".sync", ".sync:2"), of any service.
func isSyncResource(resource string) bool {
	_, res := resourceParts(resource)
	_, pattern, _ := strings.Cut(res, ".")
	return pattern == "sync" || strings.HasPrefix(pattern, "sync:")
}

// checkTestMock checks a mocked result against its state: a Map's result
// is an array (an object with a ResultWriter), a Parallel's an array of
// one output per branch.
func checkTestMock(s asl.State, m *TestStateMock, result any) error {
	if m == nil || m.Result == nil {
		return nil
	}
	arr, isArr := result.([]any)
	switch s.Kind() {
	case asl.KindTask:
		return checkMockResult(s.(*asl.Task).Resource, m.FieldValidationMode, result)
	case asl.KindMap:
		if asl.HasResultWriter(s) {
			if _, isObj := result.(map[string]any); !isObj {
				return validationf("Mocked result must be a JSON object.")
			}
		} else if !isArr {
			return validationf("Mocked result must be an array.")
		}
	case asl.KindParallel:
		if n := len(s.(*asl.Parallel).Branches); !isArr || len(arr) != n {
			return validationf("Mocked result must be an array with one element per branch (%d).", n)
		}
	}
	return nil
}

// checkErrorCausedBy checks stateConfiguration.errorCausedByState: the
// state of a Map's processor or a Parallel's branches a mocked error comes
// from, so a state of s's own.
func checkErrorCausedBy(s asl.State, name string) error {
	if name == "" {
		return nil
	}
	var inner []*asl.StateMachine
	switch x := s.(type) {
	case *asl.Map:
		inner = []*asl.StateMachine{x.Processor}
	case *asl.Parallel:
		inner = x.Branches
	default:
		return validationf("stateConfiguration.errorCausedByState applies to a Map or Parallel state, not a %s state", s.Kind())
	}
	for _, m := range inner {
		if m == nil {
			continue
		}
		if _, _, ok := m.Find(name); ok {
			return nil
		}
	}
	return validationf("stateConfiguration.errorCausedByState: the %s state has no state named %q", s.Kind(), name)
}

// testContextFields are the fields a Context object given to TestState may
// hold, by part; Task only for a Task that waits (.sync,
// .waitForTaskToken).
var testContextFields = map[string][]string{
	"Execution":    {"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"},
	"State":        {"EnteredTime", "Name", "RetryCount"},
	"StateMachine": {"Id", "Name"},
	"Task":         {"Token"},
}

// testContext checks a Context object given to TestState, in AWS's words.
func testContext(text string, s asl.State) (any, error) {
	v, err := asl.DecodeJSON([]byte(text))
	obj, isObj := v.(map[string]any)
	if err != nil || !isObj {
		return nil, validationf("Invalid Context object provided: the Context object must be a JSON object")
	}
	invalid := func(format string, args ...any) error {
		return validationf("Invalid Context object provided: "+format, args...)
	}
	for _, part := range slices.Sorted(maps.Keys(obj)) {
		fields, known := testContextFields[part]
		switch {
		case part == "Map":
			return nil, invalid("'Map' field is not supported when mocking a Context object")
		case !known:
			return nil, invalid("Field '%s' is not allowed", part)
		case part == "Task":
			t, isTask := s.(*asl.Task)
			if !isTask || !waitsForToken(t.Resource) && !isSyncResource(t.Resource) {
				return nil, invalid("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern")
			}
		}
		po, isObj := obj[part].(map[string]any)
		if !isObj {
			return nil, invalid("%s must be an object", part)
		}
		for _, f := range slices.Sorted(maps.Keys(po)) {
			if !slices.Contains(fields, f) {
				return nil, invalid("Field '%s' is not allowed", f)
			}
		}
		for _, f := range []string{"Id", "Name", "RoleArn", "StartTime", "EnteredTime", "Token"} {
			if v, ok := po[f]; ok && v != nil {
				if _, isStr := v.(string); !isStr {
					return nil, invalid("%s.%s must be a string", part, f)
				}
			}
		}
	}
	return obj, nil
}

// testContextDefault is the Context object of a TestState call given
// none, as AWS makes it: an Express execution of a state machine of its
// own, the role asked for (null without one), the state named
// "StateName", its RetryCount for the kinds that retry; in a Map's
// iterations, the first item's, the input its value.
func (d *Durable) testContextDefault(s asl.State, roleArn string, input any, now time.Time, inMap bool) any {
	sm, exec := "TestState-"+newUUID()[:8], newUUID()
	var role any
	if roleArn != "" {
		role = roleArn
	}
	at := now.UTC().Format(asl.TimeFormat)
	state := map[string]any{"Name": testStateName, "EnteredTime": at}
	if k := s.Kind(); k == asl.KindTask || k == asl.KindMap || k == asl.KindParallel {
		state["RetryCount"] = int64(0)
	}
	obj := map[string]any{
		"Execution": map[string]any{"Id": fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s", d.region(), d.account(), sm, exec),
			"Input": input, "Name": exec, "RoleArn": role, "StartTime": at},
		"StateMachine": map[string]any{"Id": d.StateMachineARN(sm), "Name": sm},
		"State":        state,
	}
	if inMap {
		obj["Map"] = map[string]any{"Item": map[string]any{"Index": int64(0), "Value": input}}
	}
	return obj
}

// testRun is one TestState call under way.
type testRun struct {
	d     *Durable
	s     asl.State
	p     *TestStateParams
	c     *asl.Context
	input any
	mock  any
	// err is the error the state met, once it met one: its Retry and Catch
	// decided what followed.
	err *aslerr.Error
	run *asl.RunMap // a Map's run, for its inspection data
	// http is a task's HTTP call as its integration recorded it (Trace)
	http *integrations.HTTPExchange
}

// settle carries o out to the outcome TestState answers with: a task's
// call (or its mock), a Map's or Parallel's mock, a Wait's end (not waited
// for: TestState tests the state's data flow, not its time).
func (t *testRun) settle(ctx context.Context, o asl.Outcome) asl.Outcome {
	switch x := o.(type) {
	case asl.CallTask:
		if t.p.Mock != nil {
			return t.mocked()
		}
		return t.call(ctx, x)
	case asl.RunMap:
		t.run = &x
		if n := t.p.Config.MapIterationFailureCount; t.p.Mock.Error == nil && n > 0 && (x.ToleratedFailureCount >= 0 || x.ToleratedFailurePercentage >= 0) {
			items := n
			if arr, ok := t.mock.([]any); ok {
				items = max(items, len(arr))
			}
			if !x.Tolerates(n, items) {
				return t.fail(asl.MapThresholdError())
			}
		}
		return t.mocked()
	case asl.RunParallel:
		return t.mocked()
	case asl.WaitUntil:
		return x.Then
	}
	return o
}

// mocked is the outcome of a Task's, Map's or Parallel's mock.
func (t *testRun) mocked() asl.Outcome {
	if e := t.p.Mock.Error; e != nil {
		return t.fail(&aslerr.Error{Name: e.Error, Cause: e.Cause})
	}
	return asl.Complete(t.s, t.input, t.mock, t.c)
}

func (t *testRun) fail(err *aslerr.Error) asl.Outcome {
	t.err = err
	return asl.HandleError(t.s, t.input, err, t.c)
}

// call calls a Task's integration once, bounded by its TimeoutSeconds and
// TestStateMaxDuration.
func (t *testRun) call(ctx context.Context, x asl.CallTask) asl.Outcome {
	exec, _ := t.c.Override.(map[string]any)["Execution"].(map[string]any)
	arn, _ := exec["Id"].(string)
	req := taskCall{resource: x.Resource, params: x.Parameters, machine: testStateName, arn: arn, state: t.s.Name(),
		timeout: x.TimeoutSeconds, heartbeat: x.HeartbeatSeconds, credentials: x.Credentials}.request()
	if t.p.Trace {
		t.http = &integrations.HTTPExchange{Reveal: t.p.RevealSecrets}
		req.Exchange = t.http
	}
	result, ae, again := invokeTask(ctx, t.d.Tasks, req, true)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return t.fail(&aslerr.Error{Name: aslerr.Timeout, Cause: "TestState ran past its five minutes"})
	case again:
		return t.fail(&aslerr.Error{Name: aslerr.TaskFailed, Cause: "the integration asked to be called again later, which TestState does not do"})
	case ae != nil:
		return t.fail(ae)
	}
	switch r := result.(type) {
	case *integrations.Answered:
		result = r.Output
	case *integrations.Pending:
		return t.fail(&aslerr.Error{Name: aslerr.TaskFailed, Cause: "the integration answers later (a callback), which TestState does not wait for"})
	}
	return asl.Complete(t.s, t.input, result, t.c)
}

// result is the answer for the settled outcome o.
func (t *testRun) result(o asl.Outcome) *TestStateResult {
	res := &TestStateResult{}
	if t.err != nil {
		res.Error, res.Cause = t.err.Name, t.err.Cause
	}
	switch x := o.(type) {
	case asl.Next:
		res.Status, res.NextState, res.Output = TestSucceeded, x.State, jsonText(x.Output)
		if t.err != nil {
			res.Status = TestCaughtError
		}
	case asl.Succeed:
		res.Status, res.Output = TestSucceeded, jsonText(x.Output)
	case asl.Fail:
		res.Status, res.Error, res.Cause = TestFailed, x.Error, x.Cause
	case asl.Retry:
		res.Status = TestRetriable
	default:
		// a state that decided to call or fork again: not one TestState
		// carries further
		res.Status, res.Error, res.Cause = TestFailed, aslerr.Runtime, fmt.Sprintf("TestState cannot carry out this state's outcome (%T)", o)
	}
	return res
}

// inspection is the inspection data of the run that settled on o; vars
// are the variables given, to which the state's own are assigned.
func (t *testRun) inspection(inText string, o asl.Outcome, vars *scope) *TestInspection {
	in := &TestInspection{Stages: map[string]string{"input": inText}}
	for k, v := range t.c.Inspect {
		in.Stages[k] = asl.EncodeJSON(v)
	}
	if t.s.Kind() == asl.KindMap {
		delete(in.Stages, "result") // AWS shows a Map's result after its ResultSelector only
		if r := t.run; r != nil {
			mc := r.MaxConcurrency
			in.MaxConcurrency = &mc
			if r.ToleratedFailureCount >= 0 {
				n := r.ToleratedFailureCount
				in.ToleratedFailureCount = &n
			}
			if r.ToleratedFailurePercentage >= 0 {
				f := r.ToleratedFailurePercentage
				in.ToleratedFailurePercentage = &f
			}
		}
	}
	if t.http != nil && t.http.Sent {
		in.HTTP = t.http
	}
	switch x := o.(type) {
	case asl.Next:
		vars.assign(x.Assign)
	case asl.Succeed:
		vars.assign(x.Assign)
	}
	if vars.assigned() {
		in.Stages["variables"] = asl.EncodeJSON(vars.all())
	}
	if t.err != nil {
		retrier, catcher := asl.Handlers(t.s, t.err.Name)
		det := &TestErrorDetails{}
		if retrier >= 0 {
			det.RetryIndex = &retrier
		}
		switch x := o.(type) {
		case asl.Retry:
			secs := int(x.Delay / time.Second)
			det.RetryBackoffIntervalSeconds = &secs
		case asl.Next:
			if catcher >= 0 {
				det.CatchIndex = &catcher
			}
		}
		if det.RetryIndex != nil || det.CatchIndex != nil {
			in.ErrorDetails = det
		}
	}
	return in
}

func jsonText(v any) *string {
	s := asl.EncodeJSON(v)
	return &s
}
