// Package sfn is the nested-execution integration: the Task resources
// arn:aws:states:::states:startExecution (request-response), .sync,
// .sync:2 and .waitForTaskToken, which start an execution of another state
// machine through the Host (integrations.Host).
//
// A .sync task's child is started with a link back to the task
// (integrations.ParentLink); the runtime completes the task when the child
// ends, with the result Result renders, and stops the child when the task
// is abandoned (runtime/nested.go). The call answers *integrations.Pending
// naming the child.
//
// The start is idempotent per attempt: a Task without a Name names its
// child after the request's IdempotencyKey, so a call delivered twice
// finds the execution the first delivery started.
package sfn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// The resources of the integration.
const (
	ResourceStartExecution = "arn:aws:states:::states:startExecution"
	ResourceSync           = ResourceStartExecution + ".sync"
	ResourceSync2          = ResourceStartExecution + ".sync:2"
	ResourceWaitForToken   = ResourceStartExecution + ".waitForTaskToken"
)

// Resources are the resources Handler serves.
var Resources = []string{ResourceStartExecution, ResourceSync, ResourceSync2, ResourceWaitForToken}

// Handler starts nested executions through its Host.
type Handler struct {
	mu   sync.RWMutex
	host integrations.Host
}

// New returns a Handler starting executions through host (nil: set it
// later with SetHost; until then every call fails).
func New(host integrations.Host) *Handler { return &Handler{host: host} }

// SetHost hands the Handler the runtime, when it is built after the mux.
func (h *Handler) SetHost(host integrations.Host) {
	h.mu.Lock()
	h.host = host
	h.mu.Unlock()
}

// Register routes the integration's resources on mux to h.
func Register(mux *integrations.Mux, h *Handler) {
	for _, r := range Resources {
		mux.Handle(r, h)
	}
}

// The error names a start's failure takes, as AWS names the service
// integration's errors ("StepFunctions." and the API's exception).
const (
	ErrExecutionAlreadyExists = "StepFunctions.ExecutionAlreadyExistsException"
	ErrStateMachineNotFound   = "StepFunctions.StateMachineDoesNotExistException"
	ErrInvalidArn             = "StepFunctions.InvalidArnException"
	ErrInvalidName            = "StepFunctions.InvalidNameException"
	ErrInvalidInput           = "StepFunctions.InvalidExecutionInputException"
	ErrExecutionLimit         = "StepFunctions.ExecutionLimitExceeded"
	// ErrValidation is a call whose parameters the integration cannot
	// use (a missing StateMachineArn, a field it does not know), and a
	// pattern an Express execution cannot wait with.
	ErrValidation = "States.Runtime"
)

// maxParamBytes bounds the parameters of one call: AWS's payload quota.
const maxParamBytes = 256 * 1024

// Invoke starts the execution the Task's parameters describe.
func (h *Handler) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	mode, ok := strings.CutPrefix(req.Resource, ResourceStartExecution)
	if !ok || (mode != "" && mode != ".sync" && mode != ".sync:2" && mode != ".waitForTaskToken") {
		return nil, integrations.NoIntegration(req)
	}
	if mode != "" && req.TaskToken == "" {
		// An Express execution has no task tokens: AWS refuses .sync and
		// .waitForTaskToken in Express state machines.
		return nil, &integrations.Error{Name: ErrValidation, Cause: fmt.Sprintf(
			"the Task state %q: Express state machines do not support the %s integration pattern of %s (only request-response)", req.StateName, mode, ResourceStartExecution)}
	}
	p, err := parseParams(req.Parameters)
	if err != nil {
		return nil, &integrations.Error{Name: ErrValidation, Cause: fmt.Sprintf("the Task state %q: %v", req.StateName, err)}
	}
	h.mu.RLock()
	host := h.host
	h.mu.RUnlock()
	if host == nil {
		return nil, &integrations.Error{Name: integrations.ErrNoIntegration, Cause: "nested executions are not configured: the integration has no runtime to start them"}
	}
	if p.name == "" {
		p.name = nameFor(req.IdempotencyKey)
	}
	sr := integrations.StartRequest{StateMachineARN: p.arn, Name: p.name, Input: p.input,
		TraceParent: req.TraceParent, TraceState: req.TraceState, Baggage: req.Baggage}
	if mode == ".sync" || mode == ".sync:2" {
		sr.Parent = &integrations.ParentLink{ExecutionARN: req.ExecutionARN, Token: req.TaskToken, Mode: strings.TrimPrefix(mode, ".")}
	}
	started, err := host.StartExecution(ctx, sr)
	if err != nil {
		if store.Unavailable(err) || errors.Is(err, integrations.ErrTryAgain) {
			return nil, fmt.Errorf("%w: starting an execution of %s: %v", integrations.ErrTryAgain, p.arn, err)
		}
		return nil, startError(err)
	}
	out := map[string]any{"ExecutionArn": started.ExecutionARN, "StartDate": millis(started.StartDate)}
	if sr.Parent != nil {
		return &integrations.Pending{Output: out, Nested: started.ExecutionARN}, nil
	}
	return out, nil
}

// params are a start's parameters.
type params struct {
	arn, name string
	input     any
}

// parseParams reads StateMachineArn, Name, Input (a JSON value, or a
// string of JSON text, as StartExecution takes it) and TraceHeader (taken
// and not used: the execution joins the caller's trace).
func parseParams(v any) (params, error) {
	var p params
	obj, ok := v.(map[string]any)
	if !ok {
		return p, fmt.Errorf("the parameters must be an object with StateMachineArn, got %s", asl.TypeName(v))
	}
	if n := asl.EncodedLen(v, maxParamBytes); n > maxParamBytes {
		return p, fmt.Errorf("the parameters are over the limit of %d bytes", maxParamBytes)
	}
	var unknown []string
	for k := range obj {
		switch k {
		case "StateMachineArn", "Name", "Input", "TraceHeader":
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return p, fmt.Errorf("unknown parameters %s (StartExecution takes StateMachineArn, Name, Input and TraceHeader)", strings.Join(unknown, ", "))
	}
	arn, ok := obj["StateMachineArn"].(string)
	if !ok || arn == "" {
		return p, errors.New("StateMachineArn is required, a string")
	}
	p.arn = arn
	if n, ok := obj["Name"]; ok && n != nil {
		s, ok := n.(string)
		if !ok {
			return p, fmt.Errorf("Name must be a string, got %s", asl.TypeName(n))
		}
		p.name = s
	}
	p.input = map[string]any{}
	switch in := obj["Input"].(type) {
	case nil:
	case string:
		v, err := asl.DecodeJSON([]byte(in))
		if err != nil {
			return p, fmt.Errorf("Input is a string that is not JSON text: %v", err)
		}
		p.input = v
	default:
		p.input = in
	}
	return p, nil
}

// nameFor is the name of a child started without one: a UUID-shaped hash
// of the call's idempotency key, the same for every delivery of one
// attempt.
func nameFor(key string) string {
	sum := sha256.Sum256([]byte("sfn|" + key))
	x := hex.EncodeToString(sum[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// startError maps the Host's error to the task's failure.
func startError(err error) *integrations.Error {
	msg := err.Error()
	for _, m := range [...]struct{ prefix, name string }{
		{"ExecutionAlreadyExists", ErrExecutionAlreadyExists},
		{"StateMachineDoesNotExist", ErrStateMachineNotFound},
		{"InvalidArn", ErrInvalidArn},
		{"InvalidName", ErrInvalidName},
		{"InvalidExecutionInput", ErrInvalidInput},
		{"ExecutionLimitExceeded", ErrExecutionLimit},
		{"ServiceQuotaExceeded", ErrExecutionLimit},
	} {
		if strings.Contains(msg, m.prefix) {
			return &integrations.Error{Name: m.name, Cause: msg}
		}
	}
	return &integrations.Error{Name: "States.TaskFailed", Cause: msg}
}

// millis is a date as the integration's results carry it: unix
// milliseconds, a JSON number.
func millis(t time.Time) int64 { return t.UnixMilli() }
