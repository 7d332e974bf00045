package sfn

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// Step Functions' execution actions.

// syncTimeout bounds StartSyncExecution, as AWS bounds an Express
// execution: five minutes.
const syncTimeout = 5 * time.Minute

// requestKey carries the HTTP request in the context of an action, for
// the few actions that read a header (traceparent).
type requestKey struct{}

func httpRequest(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return r
}

// maxTraceHeader is AWS's limit on traceHeader: 256 ASCII characters.
const maxTraceHeader = 256

// traceHeader is the trace header an execution is started with, kept as
// given: as AWS documents it, the request's X-Amzn-Trace-Id header when
// there is one (preferred), else the traceHeader member (an X-Ray trace
// header, or a W3C traceparent); else the request's W3C traceparent
// header. The runtime joins the trace it names, and keeps the request's
// W3C tracestate and baggage headers with the execution.
func traceContext(ctx context.Context, member string) (integrations.TraceContext, error) {
	if len(member) > maxTraceHeader {
		return integrations.TraceContext{}, tooLong("traceHeader", len(member), maxTraceHeader)
	}
	for _, r := range member {
		if r > unicode.MaxASCII {
			return integrations.TraceContext{}, errorf(excValidation, "1 validation error detected: Value at 'traceHeader' failed to satisfy constraint: Member must satisfy regular expression pattern: \\p{ASCII}*")
		}
	}
	r := httpRequest(ctx)
	if r == nil {
		return integrations.TraceContext{Parent: member}, nil
	}
	tc := integrations.TraceContextFrom(r.Header)
	if h := r.Header.Get("X-Amzn-Trace-Id"); h != "" && len(h) <= maxTraceHeader {
		tc.Parent = h
	} else {
		tc.Parent = cmp.Or(member, tc.Parent)
	}
	return tc, nil
}

// decodeInput parses an execution's input: a JSON text, "{}" when absent.
func decodeInput(input *string) (any, string, error) {
	text := "{}"
	if input != nil {
		text = *input
	}
	if len(text) > runtime.MaxPayload {
		return nil, "", errorf(excInvalidExecutionInput, "the input is %d bytes, more than the %d allowed", len(text), runtime.MaxPayload)
	}
	v, err := asl.DecodeJSON([]byte(text))
	if err != nil {
		return nil, "", errorf(excInvalidExecutionInput, "Invalid State Machine Execution Input: '%v'", err)
	}
	return v, text, nil
}

// executionID is the runtime's id of the execution an ARN names.
func (s *API) executionID(ref executionRef) string {
	return s.rt().ExecutionID(ref.StateMachine, ref.Name)
}

// describe reads an execution, or answers ExecutionDoesNotExist.
func (s *API) describe(ctx context.Context, ref executionRef) (*runtime.ExecutionInfo, error) {
	e, err := s.rt().Describe(ctx, s.executionID(ref))
	if err != nil {
		return nil, notFound(err, excExecutionDoesNotExist, "Execution Does Not Exist: '%s'", ref.ARN)
	}
	return e, nil
}

type startExecutionInput struct {
	StateMachineARN string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
}

type startExecutionOutput struct {
	ExecutionARN string `json:"executionArn"`
	StartDate    epoch  `json:"startDate"`
}

// startExecution starts an execution of a state machine, or of one of its
// versions or aliases; idempotent for the same name and input while the
// execution runs.
func startExecution(s *API, ctx context.Context, in *startExecutionInput) (*startExecutionOutput, error) {
	ref, err := s.parseStateMachineARN(withoutTestCase(in.StateMachineARN), "stateMachineArn", true)
	if err != nil {
		return nil, err
	}
	input, _, err := decodeInput(in.Input)
	if err != nil {
		return nil, err
	}
	tc, err := traceContext(ctx, in.TraceHeader)
	if err != nil {
		return nil, err
	}
	st, err := s.rt().StartExecution(ctx, in.StateMachineARN, in.Name, input, tc)
	if errors.Is(err, runtime.ErrExecutionAlreadyExists) {
		return nil, errorf(excExecutionAlreadyExists, "Execution Already Exists: '%s'", s.arnPrefix()+"execution:"+ref.Name+":"+in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &startExecutionOutput{ExecutionARN: st.ExecutionARN, StartDate: at(st.StartDate)}, nil
}

// withoutTestCase is a state machine ARN without the "#TestCase" suffix
// with which Step Functions Local starts an execution on mocked responses
// (the runtime takes the suffix: runtime.Durable.TestCases).
func withoutTestCase(arn string) string {
	arn, _, _ = strings.Cut(arn, "#")
	return arn
}

type startSyncExecutionInput struct {
	StateMachineARN string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
	IncludedData    string  `json:"includedData"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

type startSyncExecutionOutput struct {
	ExecutionARN    string       `json:"executionArn"`
	StateMachineARN string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	StartDate       epoch        `json:"startDate"`
	StopDate        epoch        `json:"stopDate"`
	Status          string       `json:"status"`
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
	Input           *string      `json:"input,omitempty"`
	InputDetails    *dataDetails `json:"inputDetails,omitempty"`
	Output          *string      `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	TraceHeader     string       `json:"traceHeader,omitempty"`
	BillingDetails  *billing     `json:"billingDetails,omitempty"`
}

// billing is StartSyncExecution's billingDetails, reckoned as AWS's
// pricing page says it bills an Express execution: its duration rounded
// up to the next 100 ms, and its memory in 64 MB chunks, the memory
// being 50 MB and the definition's size and the execution's data (here
// its input and output; AWS also counts each Map or Parallel step's
// data, which Signalbox does not measure).
type billing struct {
	MemoryMB   int64 `json:"billedMemoryUsedInMB"`
	DurationMS int64 `json:"billedDurationInMilliseconds"`
}

func billingOf(duration time.Duration, definition, input, output int) *billing {
	const chunk = 64 << 20
	ms := max(duration.Milliseconds(), 0)
	if duration%time.Millisecond > 0 {
		ms++
	}
	memory := int64(50<<20 + definition + input + output)
	return &billing{
		MemoryMB:   (memory + chunk - 1) / chunk * (chunk >> 20),
		DurationMS: max((ms+99)/100*100, 100),
	}
}

// startSyncExecution runs an EXPRESS state machine's execution to its end
// and answers with its result.
func startSyncExecution(s *API, ctx context.Context, in *startSyncExecutionInput) (*startSyncExecutionOutput, error) {
	ref, err := s.parseStateMachineARN(withoutTestCase(in.StateMachineARN), "stateMachineArn", true)
	if err != nil {
		return nil, err
	}
	metadataOnly, err := includedData(in.IncludedData)
	if err != nil {
		return nil, err
	}
	input, text, err := decodeInput(in.Input)
	if err != nil {
		return nil, err
	}
	tc, err := traceContext(ctx, in.TraceHeader)
	if err != nil {
		return nil, err
	}
	sm, err := s.rt().DescribeStateMachine(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	if sm.Type != runtime.TypeExpress {
		return nil, errorf(excStateMachineTypeNotSupp, "This operation is not supported by this type of state machine: %s is %s, StartSyncExecution runs EXPRESS state machines", sm.ARN, sm.Type)
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	res, err := s.rt().StartSyncExecution(ctx, in.StateMachineARN, in.Name, input, tc)
	if err != nil {
		return nil, err
	}
	name := in.Name
	if p := strings.Split(res.ExecutionARN, ":"); name == "" && len(p) > 7 {
		name = p[7] // arn:aws:states:region:account:express:machine:name:id
	}
	out := &startSyncExecutionOutput{
		ExecutionARN: res.ExecutionARN, StateMachineARN: withoutTestCase(in.StateMachineARN), Name: name,
		StartDate: at(res.StartDate), StopDate: at(res.StopDate), Status: string(res.Status),
		Error: res.Error, Cause: res.Cause, TraceHeader: tc.Parent,
	}
	output := ""
	if res.Status == runtime.StatusSucceeded {
		output = asl.EncodeJSON(res.Output)
	}
	out.BillingDetails = billingOf(res.StopDate.Sub(res.StartDate), len(sm.Definition), len(text), len(output))
	if !metadataOnly {
		out.Input, out.InputDetails = &text, &dataDetails{Included: true}
		if res.Status == runtime.StatusSucceeded {
			out.Output, out.OutputDetails = &output, &dataDetails{Included: true}
		}
	}
	return out, nil
}

type describeExecutionInput struct {
	ExecutionARN string `json:"executionArn"`
	IncludedData string `json:"includedData"`
}

type describeExecutionOutput struct {
	ExecutionARN        string       `json:"executionArn"`
	StateMachineARN     string       `json:"stateMachineArn"`
	Name                string       `json:"name"`
	Status              string       `json:"status"`
	StartDate           epoch        `json:"startDate"`
	StopDate            epoch        `json:"stopDate,omitzero"`
	Input               *string      `json:"input,omitempty"`
	InputDetails        *dataDetails `json:"inputDetails,omitempty"`
	Output              *string      `json:"output,omitempty"`
	OutputDetails       *dataDetails `json:"outputDetails,omitempty"`
	Error               string       `json:"error,omitempty"`
	Cause               string       `json:"cause,omitempty"`
	TraceHeader         string       `json:"traceHeader,omitempty"`
	RedriveCount        int          `json:"redriveCount"`
	RedriveStatus       string       `json:"redriveStatus,omitempty"`
	RedriveStatusReason string       `json:"redriveStatusReason,omitempty"`
	// The version and alias the execution was started through, if any.
	StateMachineVersionARN string `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasARN   string `json:"stateMachineAliasArn,omitempty"`
}

func describeExecution(s *API, ctx context.Context, in *describeExecutionInput) (*describeExecutionOutput, error) {
	ref, err := s.parseExecutionARN(in.ExecutionARN, "executionArn")
	if err != nil {
		return nil, err
	}
	metadataOnly, err := includedData(in.IncludedData)
	if err != nil {
		return nil, err
	}
	e, err := s.describe(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := &describeExecutionOutput{
		ExecutionARN: ref.ARN, StateMachineARN: e.StateMachineARN, Name: e.Name, Status: e.Status,
		StartDate: at(e.StartDate), StopDate: at(e.StopDate), Error: e.Error, Cause: e.Cause,
		RedriveCount: e.RedriveCount,
	}
	// The caller's trace header as given; without one, the W3C
	// traceparent of the execution's own trace.
	out.TraceHeader = cmp.Or(e.TraceHeader, e.TraceParent)
	out.RedriveStatus, out.RedriveStatusReason = redriveStatus(e.Status)
	if out.StateMachineVersionARN, out.StateMachineAliasARN, err = s.rt().ExecutionOrigin(ctx, e.ID); err != nil {
		return nil, err
	}
	if !metadataOnly {
		input := string(e.Input)
		out.Input, out.InputDetails = &input, &dataDetails{Included: true}
		if e.Status == string(runtime.StatusSucceeded) {
			output := string(e.Output)
			out.Output, out.OutputDetails = &output, &dataDetails{Included: true}
		}
	}
	return out, nil
}

// redriveStatus is whether an execution of this status may be redriven.
func redriveStatus(status string) (string, string) {
	switch runtime.Status(status) {
	case runtime.StatusFailed, runtime.StatusTimedOut, runtime.StatusAborted:
		return "REDRIVABLE", ""
	}
	return "NOT_REDRIVABLE", "Execution is " + status + " and cannot be redriven"
}

type listExecutionsInput struct {
	StateMachineARN string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
	MapRunARN       string `json:"mapRunArn"`
	RedriveFilter   string `json:"redriveFilter"`
}

type executionListItem struct {
	ExecutionARN    string `json:"executionArn"`
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartDate       epoch  `json:"startDate"`
	StopDate        epoch  `json:"stopDate,omitzero"`
	RedriveCount    int    `json:"redriveCount"`
	VersionARN      string `json:"stateMachineVersionArn,omitempty"`
	AliasARN        string `json:"stateMachineAliasArn,omitempty"`
}

type listExecutionsOutput struct {
	Executions []executionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

// listExecutions lists a state machine's executions, newest first.
func listExecutions(s *API, ctx context.Context, in *listExecutionsInput) (*listExecutionsOutput, error) {
	if in.MapRunARN != "" {
		return nil, notSupported("listing the executions of a Map Run (mapRunArn)")
	}
	ref, err := s.parseStateMachineARN(in.StateMachineARN, "stateMachineArn", true)
	if err != nil {
		return nil, err
	}
	switch runtime.Status(in.StatusFilter) {
	case "", runtime.StatusRunning, runtime.StatusSucceeded, runtime.StatusFailed, runtime.StatusTimedOut, runtime.StatusAborted, runtime.StatusPendingRedrive:
	default:
		return nil, notInEnum("statusFilter", in.StatusFilter, "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
	}
	if in.RedriveFilter != "" && in.RedriveFilter != "REDRIVEN" && in.RedriveFilter != "NOT_REDRIVEN" {
		return nil, notInEnum("redriveFilter", in.RedriveFilter, "REDRIVEN", "NOT_REDRIVEN")
	}
	// a version's or an alias's executions: those started with it
	// (DescribeExecution's stateMachineVersionArn, stateMachineAliasArn)
	f := runtime.ExecutionFilter{StateMachine: ref.Name, Status: in.StatusFilter, Version: ref.Version, Alias: ref.Alias}
	if in.RedriveFilter != "" {
		redriven := in.RedriveFilter == "REDRIVEN"
		f.Redriven = &redriven
	}
	kind := "executions/" + in.StateMachineARN + "/" + in.StatusFilter + "/" + in.RedriveFilter
	limit, cursor, err := page(in.MaxResults, kind, in.NextToken)
	if err != nil {
		return nil, err
	}
	sm, err := s.rt().DescribeStateMachine(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	if sm.Type == runtime.TypeExpress {
		// AWS records no EXPRESS executions to list (they go to
		// CloudWatch Logs).
		return nil, errorf(excStateMachineTypeNotSupp, "This operation is not supported by this type of state machine")
	}
	f.Cursor, f.Limit = cursor, limit
	list, next, err := s.rt().Inspector().ListExecutions(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &listExecutionsOutput{Executions: []executionListItem{}, NextToken: encodeToken(kind, next)}
	execPrefix := s.arnPrefix() + "execution:" + ref.Name + ":"
	for _, e := range list {
		out.Executions = append(out.Executions, executionListItem{
			ExecutionARN: execPrefix + e.Name, StateMachineARN: e.StateMachineARN, Name: e.Name, Status: e.Status,
			StartDate: at(e.StartDate), StopDate: at(e.StopDate), RedriveCount: e.RedriveCount,
			VersionARN: e.VersionARN, AliasARN: e.AliasARN,
		})
	}
	return out, nil
}

type getExecutionHistoryInput struct {
	ExecutionARN         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	NextToken            string `json:"nextToken"`
	ReverseOrder         bool   `json:"reverseOrder"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

type getExecutionHistoryOutput struct {
	Events    []json.RawMessage `json:"events"`
	NextToken string            `json:"nextToken,omitempty"`
}

// getExecutionHistory pages an execution's history events, stored in
// AWS's shape; their timestamps become epoch seconds here, and their
// inputs and outputs are left out unless includeExecutionData (default
// true).
func getExecutionHistory(s *API, ctx context.Context, in *getExecutionHistoryInput) (*getExecutionHistoryOutput, error) {
	ref, err := s.parseExecutionARN(in.ExecutionARN, "executionArn")
	if err != nil {
		return nil, err
	}
	id := s.executionID(ref)
	kind := "history/" + id + "/" + strconv.FormatBool(in.ReverseOrder)
	limit, cursor, err := page(in.MaxResults, kind, in.NextToken)
	if err != nil {
		return nil, err
	}
	var from int64
	if cursor != "" {
		if from, err = strconv.ParseInt(cursor, 10, 64); err != nil || from < 1 {
			return nil, errorf(excInvalidToken, invalidToken)
		}
	}
	if _, err := s.describe(ctx, ref); err != nil {
		return nil, err
	}
	page, err := s.rt().Inspector().History(ctx, id, runtime.HistoryQuery{After: from, Limit: limit, Reverse: in.ReverseOrder})
	if err != nil {
		return nil, err
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := &getExecutionHistoryOutput{Events: make([]json.RawMessage, 0, len(page.Events))}
	for _, ev := range page.Events {
		b, err := historyEvent(ev.JSON, withData)
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, b)
	}
	if page.Next != 0 {
		out.NextToken = encodeToken(kind, strconv.FormatInt(page.Next, 10))
	}
	return out, nil
}

// historyEvent renders a stored event for the protocol: the timestamp in
// epoch seconds, and without inputs and outputs unless withData.
func historyEvent(stored []byte, withData bool) (json.RawMessage, error) {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(stored, &ev); err != nil {
		return nil, err
	}
	var ts string
	if err := json.Unmarshal(ev["timestamp"], &ts); err != nil {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, err
	}
	if ev["timestamp"], err = at(t).MarshalJSON(); err != nil {
		return nil, err
	}
	if !withData {
		for k, v := range ev {
			if !strings.HasSuffix(k, "EventDetails") {
				continue
			}
			var details map[string]json.RawMessage
			if json.Unmarshal(v, &details) != nil {
				continue
			}
			for _, field := range []string{"input", "output"} {
				if _, ok := details[field]; ok {
					delete(details, field)
					details[field+"Details"] = json.RawMessage(`{"truncated":false}`)
				}
			}
			if ev[k], err = json.Marshal(details); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(ev)
}

type stopExecutionInput struct {
	ExecutionARN string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

type stopExecutionOutput struct {
	StopDate epoch `json:"stopDate"`
}

// stopExecution aborts a running execution. Stopping one that has already
// ended changes nothing and answers with the date it ended.
func stopExecution(s *API, ctx context.Context, in *stopExecutionInput) (*stopExecutionOutput, error) {
	ref, err := s.parseExecutionARN(in.ExecutionARN, "executionArn")
	if err != nil {
		return nil, err
	}
	if len(in.Error) > 256 {
		return nil, tooLong("error", len(in.Error), 256)
	}
	if len(in.Cause) > 32768 {
		return nil, tooLong("cause", len(in.Cause), 32768)
	}
	err = s.rt().Stop(ctx, s.executionID(ref), in.Error, in.Cause)
	if err != nil && !errors.Is(err, runtime.ErrExecutionClosed) {
		return nil, notFound(err, excExecutionDoesNotExist, "Execution Does Not Exist: '%s'", ref.ARN)
	}
	e, err := s.describe(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &stopExecutionOutput{StopDate: at(e.StopDate)}, nil
}

type redriveExecutionInput struct {
	ExecutionARN string `json:"executionArn"`
	ClientToken  string `json:"clientToken"`
}

type redriveExecutionOutput struct {
	RedriveDate epoch `json:"redriveDate"`
}

// redriveExecution restarts a failed, timed out or aborted execution from
// the state it stopped at.
func redriveExecution(s *API, ctx context.Context, in *redriveExecutionInput) (*redriveExecutionOutput, error) {
	ref, err := s.parseExecutionARN(in.ExecutionARN, "executionArn")
	if err != nil {
		return nil, err
	}
	e, err := s.describe(ctx, ref)
	if err != nil {
		return nil, err
	}
	if _, reason := redriveStatus(e.Status); reason != "" {
		return nil, errorf(excExecutionNotRedrivable, "%s", reason)
	}
	if _, err := s.rt().Redrive(ctx, e.ID); err != nil {
		if errors.Is(err, runtime.ErrExecutionClosed) {
			return nil, errorf(excExecutionNotRedrivable, "Execution %s cannot be redriven: %v", ref.ARN, err)
		}
		return nil, notFound(err, excExecutionDoesNotExist, "Execution Does Not Exist: '%s'", ref.ARN)
	}
	return &redriveExecutionOutput{RedriveDate: at(s.now())}, nil
}

// now is the runtime's clock.
func (s *API) now() time.Time {
	if s.rt().Now != nil {
		return s.rt().Now()
	}
	return time.Now()
}
