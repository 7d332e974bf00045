package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/jsontext"
	"github.com/signalbox/signalbox/integrations"
)

// The Task resources of Step Functions' optimized EventBridge integration:
// put events and take EventBridge's answer as the task's result
// (request-response), or put them and wait for a task token to come back
// (the runtime decides that from the resource's suffix; the handler puts
// in both cases).
const (
	ResourcePutEvents      = "arn:aws:states:::events:putEvents"
	ResourcePutEventsToken = ResourcePutEvents + ".waitForTaskToken"
)

// ErrFailedEntry is the error of a events:putEvents task whose answer has
// failed entries, as Step Functions names it; its cause is the answer.
const ErrFailedEntry = "EventBridge.FailedEntry"

// Task is the events:putEvents Task integration on a Service.
type Task struct{ svc *Service }

// NewTask returns the events:putEvents integration of svc; register it for
// both ResourcePutEvents and ResourcePutEventsToken.
func NewTask(svc *Service) *Task { return &Task{svc: svc} }

// entryParams are the fields an entry of a events:putEvents task takes.
var entryParams = []string{"Detail", "DetailType", "EventBusName", "Resources", "Source", "Time", "TraceHeader"}

// Invoke puts the events the Task's parameters describe (Entries: 1 to 10
// of Detail, an object or its JSON text, DetailType, EventBusName,
// Resources, Source, Time, TraceHeader) and returns EventBridge's answer,
// {"Entries": [{"EventId"}...], "FailedEntryCount": 0}. As in Step
// Functions, the execution's ARN and its state machine's are appended to
// each entry's Resources, and an answer with failed entries fails the
// task with EventBridge.FailedEntry, the answer its cause. The events
// carry the execution's trace context to every target.
func (t *Task) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	if req.Resource == ResourcePutEventsToken && req.TaskToken == "" {
		return nil, &integrations.Error{Name: "States.Runtime", Cause: "events:putEvents.waitForTaskToken waits for a task token, which Express executions do not have (as on AWS, they do not support .waitForTaskToken): nothing was put"}
	}
	entries, err := parseEntries(req.Parameters)
	if err != nil {
		return nil, err
	}
	extra := executionResources(req.ExecutionARN)
	for i := range entries {
		entries[i].Resources = append(entries[i].Resources, extra...)
		entries[i].Trace = req.Trace()
	}
	results, err := t.svc.PutEvents(ctx, entries)
	var be *Error
	switch {
	case errors.As(err, &be) && be.Status >= 500:
		return nil, fmt.Errorf("%w: events:putEvents: %v", integrations.ErrTryAgain, be)
	case errors.As(err, &be):
		return nil, &integrations.Error{Name: "EventBridge." + be.Code, Cause: fmt.Sprintf("%s (Service: EventBridge; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
			be.Message, be.Status, be.Code, integrations.NewUUID())}
	case err != nil && ctx.Err() != nil:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: events:putEvents: %v", integrations.ErrTryAgain, err)
	}
	out, failed := putEventsOutput(results)
	if failed > 0 {
		for _, r := range results {
			if r.ErrorCode == "InternalFailure" {
				// the store did not answer for an entry: put them all again
				return nil, fmt.Errorf("%w: events:putEvents: %s", integrations.ErrTryAgain, r.ErrorMessage)
			}
		}
		return nil, &integrations.Error{Name: ErrFailedEntry, Cause: asl.EncodeJSON(out)}
	}
	return out, nil
}

// putEventsOutput is PutEvents's answer as the task's result.
func putEventsOutput(results []PutEventsResult) (map[string]any, int64) {
	entries := make([]any, len(results))
	var failed int64
	for i, r := range results {
		if r.ErrorCode != "" {
			failed++
			entries[i] = map[string]any{"ErrorCode": r.ErrorCode, "ErrorMessage": r.ErrorMessage}
		} else {
			entries[i] = map[string]any{"EventId": r.EventID}
		}
	}
	return map[string]any{"Entries": entries, "FailedEntryCount": failed}, failed
}

// executionResources are the ARNs Step Functions appends to each entry's
// Resources: the execution's and its state machine's.
func executionResources(execARN string) []string {
	if execARN == "" {
		return nil
	}
	parts := strings.Split(execARN, ":")
	if len(parts) < 8 || (parts[5] != "execution" && parts[5] != "express") {
		return []string{execARN}
	}
	sm := strings.Join(append(parts[:5:5], "stateMachine", parts[6]), ":")
	return []string{execARN, sm}
}

// parseEntries reads a events:putEvents task's parameters.
func parseEntries(params any) ([]PutEventsEntry, error) {
	p, ok := params.(map[string]any)
	if !ok {
		return nil, integrations.ParamError(params, "The parameters must be an object with Entries, not %s", jsontext.KindPhrase(params))
	}
	for k := range p {
		if k != "Entries" {
			return nil, integrations.ParamError(params, "The field '%s' is not supported by Step Functions (events:putEvents takes Entries)", k)
		}
	}
	list, ok := p["Entries"].([]any)
	if !ok {
		return nil, integrations.ParamError(params, "The value for the field 'Entries' must be an ARRAY")
	}
	entries := make([]PutEventsEntry, len(list))
	for i, raw := range list {
		e, ok := raw.(map[string]any)
		if !ok {
			return nil, integrations.ParamError(params, "The value for the field 'Entries[%d]' must be an OBJECT", i)
		}
		keys := make([]string, 0, len(e))
		for k := range e {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !slices.Contains(entryParams, k) {
				return nil, integrations.ParamError(params, "The field '%s' is not supported by Step Functions (an entry of events:putEvents takes %s)", k, strings.Join(entryParams, ", "))
			}
		}
		out := &entries[i]
		for _, f := range []struct {
			name string
			dst  *string
		}{{"DetailType", &out.DetailType}, {"EventBusName", &out.EventBusName}, {"Source", &out.Source}, {"TraceHeader", &out.TraceHeader}} {
			switch v := e[f.name].(type) {
			case nil:
			case string:
				*f.dst = v
			default:
				return nil, integrations.ParamError(params, "The value for the field '%s' must be a STRING", f.name)
			}
		}
		switch d := e["Detail"].(type) {
		case nil:
		case string:
			out.Detail = d
		default:
			out.Detail = asl.EncodeJSON(d)
		}
		if rs, ok := e["Resources"]; ok && rs != nil {
			arr, ok := rs.([]any)
			if !ok {
				return nil, integrations.ParamError(params, "The value for the field 'Resources' must be an ARRAY")
			}
			for _, r := range arr {
				s, ok := r.(string)
				if !ok {
					return nil, integrations.ParamError(params, "The value for the field 'Resources' must be an ARRAY of STRING")
				}
				out.Resources = append(out.Resources, s)
			}
		}
		if tv, ok := e["Time"]; ok && tv != nil {
			s, ok := tv.(string)
			at, err := time.Parse(time.RFC3339, s)
			if !ok || err != nil {
				return nil, integrations.ParamError(params, "The value for the field 'Time' must be a timestamp (RFC 3339)")
			}
			out.Time = at
		}
	}
	return entries, nil
}
