// Package sfn is the Step Functions API on the AWS JSON 1.0 protocol
// (gateway/awsproto): POST / with X-Amz-Target: AWSStepFunctions.<Action>.
// Each action is a function from its request struct to its response
// struct, kept next to its kind (statemachines.go, executions.go, ...),
// and registered in the action table below; errors of the runtime become
// AWS's exceptions in one function (errors.go).
package sfn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// Options configure the API.
type Options struct {
	// Runtime carries out the actions.
	Runtime *runtime.Durable
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds a request body (required).
	MaxBodyBytes int64
	// Authorize, when set, checks the caller of every request before its
	// action (the gateway's keys and SigV4 credentials): an error of
	// awsproto's is the answer. Nil lets everyone in.
	Authorize func(r *http.Request, body []byte) error
	// Integrations, when set, are the integrations Task states reach
	// (unhandled.go); nil: no warnings of unhandled resources.
	Integrations *integrations.Mux
}

// API serves the Step Functions API over one runtime.
type API struct {
	opts Options
}

// New returns the API.
func New(opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{opts: opts}
}

// ContentType is the content type of the protocol's requests and answers.
const ContentType = "application/x-amz-json-1.0"

type action = awsproto.Action[*API]

// op adapts a handler of typed request and response to an action.
func op[In, Out any](f func(*API, context.Context, *In) (*Out, error)) action {
	return awsproto.Op(f)
}

// service is Step Functions' endpoint: the actions by name, every action
// of the API (an action Signalbox did not implement would be listed with
// awsproto.Unsupported, answering a clear "not supported"
// ValidationException rather than UnknownOperationException).
var service = &awsproto.JSONService[*API]{Name: "Step Functions", TargetPrefix: "AWSStepFunctions.", Version: "1.0", Actions: map[string]action{
	"CreateStateMachine":               op(createStateMachine),
	"UpdateStateMachine":               op(updateStateMachine),
	"DeleteStateMachine":               op(deleteStateMachine),
	"DescribeStateMachine":             op(describeStateMachine),
	"ListStateMachines":                op(listStateMachines),
	"ValidateStateMachineDefinition":   op(validateStateMachineDefinition),
	"StartExecution":                   op(startExecution),
	"StartSyncExecution":               op(startSyncExecution),
	"DescribeExecution":                op(describeExecution),
	"ListExecutions":                   op(listExecutions),
	"GetExecutionHistory":              op(getExecutionHistory),
	"StopExecution":                    op(stopExecution),
	"RedriveExecution":                 op(redriveExecution),
	"SendTaskSuccess":                  op(sendTaskSuccess),
	"SendTaskFailure":                  op(sendTaskFailure),
	"SendTaskHeartbeat":                op(sendTaskHeartbeat),
	"DescribeStateMachineForExecution": op(describeStateMachineForExecution),
	"PublishStateMachineVersion":       op(publishStateMachineVersion),
	"CreateStateMachineAlias":          op(createStateMachineAlias),
	"DescribeStateMachineAlias":        op(describeStateMachineAlias),
	"UpdateStateMachineAlias":          op(updateStateMachineAlias),
	"DeleteStateMachineAlias":          op(deleteStateMachineAlias),
	"ListStateMachineAliases":          op(listStateMachineAliases),
	"ListStateMachineVersions":         op(listStateMachineVersions),
	"DeleteStateMachineVersion":        op(deleteStateMachineVersion),
	"CreateActivity":                   op(createActivity),
	"DescribeActivity":                 op(describeActivity),
	"DeleteActivity":                   op(deleteActivity),
	"ListActivities":                   op(listActivities),
	"GetActivityTask":                  op(getActivityTask),
	"TagResource":                      op(tagResource),
	"UntagResource":                    op(untagResource),
	"ListTagsForResource":              op(listTagsForResource),
	"DescribeMapRun":                   op(describeMapRun),
	"ListMapRuns":                      op(listMapRuns),
	"UpdateMapRun":                     op(updateMapRun),
	"TestState":                        op(testState),
}}

// Handle serves one request: bounded body, caller (Options.Authorize),
// action, answer.
func (s *API) Handle(c *gin.Context) {
	c.Header("x-amzn-RequestId", awsproto.NewRequestID())
	target := c.GetHeader("X-Amz-Target")
	out, err := s.call(c, target)
	if err != nil {
		s.writeError(c, target, err)
		return
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.writeError(c, target, err)
		return
	}
	c.Data(http.StatusOK, ContentType, body)
}

func (s *API) call(c *gin.Context, target string) (any, error) {
	body, err := awsproto.ReadBody(c.Request, s.opts.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(c.Request, body); err != nil {
			return nil, err
		}
	}
	a, err := service.Action(target, c.GetHeader("Content-Type"))
	if err != nil {
		return nil, err
	}
	return a(s, context.WithValue(c.Request.Context(), requestKey{}, c.Request), body)
}

// writeError renders err in AWS's shape and logs it.
func (s *API) writeError(c *gin.Context, target string, err error) {
	ae := toAWSError(err)
	if ae.Code == excInternalFailure || ae.Code == excServiceUnavailable {
		// The detail (an address, a store's words) is for the log only.
		id := c.Writer.Header().Get("x-amzn-RequestId")
		s.opts.Logger.Error("aws request failed", "target", target, "requestId", id, "err", err)
		msg := "An internal error occurred (request id " + id + "): the server's log has the details."
		if ae.Code == excServiceUnavailable {
			msg = "The service is unavailable: its store did not answer (request id " + id + "). Try again later."
		}
		ae = &awsproto.Error{Status: ae.Status, Code: ae.Code, Message: msg}
	} else {
		level := s.opts.Logger.Info
		if ae.Status >= 500 {
			level = s.opts.Logger.Error
		}
		level("aws request failed", "target", target, "status", ae.Status, "type", ae.Code, "message", ae.Message)
	}
	c.Data(ae.Status, ContentType, awsproto.JSONErrorBody(ae))
}

// epoch is a timestamp as the protocol writes it (awsproto.Epoch).
type epoch = awsproto.Epoch

func at(t time.Time) epoch { return awsproto.At(t) }

// Pagination: nextToken is opaque to clients. It carries the runtime's
// cursor and what it pages (kind), so that a token of another listing, or
// one made up, is refused with InvalidToken.

func encodeToken(kind, cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("v1\x00" + kind + "\x00" + cursor))
}

func decodeToken(kind, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	invalid := errorf(excInvalidToken, invalidToken)
	if len(token) > 1024 {
		return "", invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	f := strings.SplitN(string(b), "\x00", 3)
	if err != nil || len(f) != 3 || f[0] != "v1" || f[1] != kind || f[2] == "" {
		return "", invalid
	}
	return f[2], nil
}

// page checks a list call's maxResults and nextToken: the page's size
// (pageSize) and the token's cursor (decodeToken, for kind).
func page(maxResults int, kind, token string) (limit int, cursor string, err error) {
	if limit, err = pageSize(maxResults); err != nil {
		return 0, "", err
	}
	if cursor, err = decodeToken(kind, token); err != nil {
		return 0, "", err
	}
	return limit, cursor, nil
}

// pageSize checks maxResults: 0 means the default, at most 1000.
func pageSize(maxResults int) (int, error) {
	if maxResults < 0 || maxResults > 1000 {
		return 0, errorf(excValidation, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000", maxResults)
	}
	if maxResults == 0 {
		return 100, nil
	}
	return maxResults, nil
}

// ARNs. The runtime makes them in one region and account; an ARN of
// another one names nothing here.

// arnPrefix is "arn:aws:states:<region>:<account>:" of this runtime.
func (s *API) arnPrefix() string {
	sm := s.opts.Runtime.StateMachineARN("x")
	return strings.TrimSuffix(sm, "stateMachine:x")
}

// rt is the runtime the endpoints drive.
func (s *API) rt() *runtime.Durable { return s.opts.Runtime }

// smRef is what a state machine ARN names: the state machine, and one of
// its versions or aliases.
type smRef struct {
	Name    string
	Version int    // 0: none
	Alias   string // "": none
}

// parseARN checks that arn is a well-formed ARN of the given resource type
// ("stateMachine", "execution", "activity", ...) and returns its fields
// after the type. Malformed: InvalidArn; another region or account:
// foreign is true.
func (s *API) parseARN(arn, resource, member string) (fields []string, foreign bool, err error) {
	p := strings.Split(arn, ":")
	if len(p) < 7 || p[0] != "arn" || p[1] == "" || p[2] != "states" || p[5] != resource {
		return nil, false, errorf(excInvalidArn, "Invalid Arn: '%s' is not a valid %s ARN (member '%s')", arn, resource, member)
	}
	for _, f := range p[6:] {
		if f == "" {
			return nil, false, errorf(excInvalidArn, "Invalid Arn: '%s'", arn)
		}
	}
	return p[6:], strings.Join(p[:5], ":")+":" != s.arnPrefix(), nil
}

// parseStateMachineARN parses a state machine, version or alias ARN.
// allowQualified false refuses versions and aliases.
func (s *API) parseStateMachineARN(arn, member string, allowQualified bool) (smRef, error) {
	if arn == "" {
		return smRef{}, required(member)
	}
	f, foreign, err := s.parseARN(arn, "stateMachine", member)
	if err != nil {
		return smRef{}, err
	}
	if len(f) > 2 {
		return smRef{}, errorf(excInvalidArn, "Invalid Arn: '%s'", arn)
	}
	ref := smRef{Name: f[0]}
	if len(f) == 2 {
		if !allowQualified {
			return smRef{}, errorf(excValidation, "'%s' must be an unqualified state machine ARN, got %s", member, arn)
		}
		if n, err := strconv.Atoi(f[1]); err == nil {
			if n < 1 {
				return smRef{}, errorf(excInvalidArn, "Invalid Arn: '%s'", arn)
			}
			ref.Version = n
		} else {
			ref.Alias = f[1]
		}
	}
	if foreign {
		return smRef{}, errorf(excStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	return ref, nil
}

// executionRef is what an execution ARN names.
type executionRef struct {
	ARN          string
	StateMachine string
	Name         string
}

// parseExecutionARN parses a Standard execution's ARN.
func (s *API) parseExecutionARN(arn, member string) (executionRef, error) {
	if arn == "" {
		return executionRef{}, required(member)
	}
	if p := strings.Split(arn, ":"); len(p) > 5 && p[5] == "express" {
		return executionRef{}, errorf(excExecutionDoesNotExist, "Execution Does Not Exist: '%s': Express executions keep no record", arn)
	}
	f, foreign, err := s.parseARN(arn, "execution", member)
	if err != nil {
		return executionRef{}, err
	}
	if len(f) != 2 {
		return executionRef{}, errorf(excInvalidArn, "Invalid Arn: '%s'", arn)
	}
	if foreign {
		return executionRef{}, errorf(excExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	return executionRef{ARN: arn, StateMachine: f[0], Name: f[1]}, nil
}
