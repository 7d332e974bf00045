package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/runtime"
)

// The AWS JSON 1.0 protocol of Step Functions: POST / with
// X-Amz-Target: AWSStepFunctions.<Action> and a JSON body; the answer is
// a JSON body, or an error {"__type": <exception>, "message": ...} with
// its HTTP status (errors.go). Each action is a function from its request
// struct to its response struct, kept next to its kind (sfn_*.go).

// sfnTargetPrefix is the X-Amz-Target prefix of Step Functions' actions.
const sfnTargetPrefix = "AWSStepFunctions."

// amzJSON is the content type of the protocol's requests and answers.
const amzJSON = "application/x-amz-json-1.0"

// action carries out one AWS action on a request body.
type action func(s *Server, ctx context.Context, body []byte) (any, error)

// op adapts a handler of typed request and response to an action.
func op[In, Out any](f func(*Server, context.Context, *In) (*Out, error)) action {
	return func(s *Server, ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := decodeRequest(body, in); err != nil {
			return nil, err
		}
		return f(s, ctx, in)
	}
}

// unsupported answers a Step Functions action Signalbox does not implement.
func unsupported(name string) action {
	return func(*Server, context.Context, []byte) (any, error) {
		return nil, notSupported("the Step Functions action %s is not implemented", name)
	}
}

// sfnActions are the Step Functions actions by name. The actions of the
// API that Signalbox does not implement answer a clear "not supported"
// (ValidationException), not UnknownOperationException.
var sfnActions = map[string]action{
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
	"CreateActivity":                   op(createActivity),
	"DescribeActivity":                 op(describeActivity),
	"DeleteActivity":                   op(deleteActivity),
	"ListActivities":                   op(listActivities),
	"GetActivityTask":                  op(getActivityTask),
	"TagResource":                      op(tagResource),
	"UntagResource":                    op(untagResource),
	"ListTagsForResource":              op(listTagsForResource),

	"DeleteStateMachineVersion": unsupported("DeleteStateMachineVersion"),
	"ListStateMachineVersions":  unsupported("ListStateMachineVersions"),
	"DescribeMapRun":            unsupported("DescribeMapRun"),
	"ListMapRuns":               unsupported("ListMapRuns"),
	"UpdateMapRun":              unsupported("UpdateMapRun"),
	"TestState":                 unsupported("TestState"),
}

// routeAWS adds the AWS JSON 1.0 protocol endpoint of Step Functions.
func (s *Server) routeAWS(e *gin.Engine) {
	e.POST("/", s.awsJSON)
}

// awsJSON serves one AWS-protocol request: bounded body, signature (when
// credentials are configured), action, answer.
func (s *Server) awsJSON(c *gin.Context) {
	c.Header("x-amzn-RequestId", newRequestID())
	target := c.GetHeader("X-Amz-Target")
	out, err := s.awsCall(c, target)
	if err != nil {
		s.writeAWSError(c, target, err)
		return
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.writeAWSError(c, target, err)
		return
	}
	c.Data(http.StatusOK, amzJSON, body)
}

func (s *Server) awsCall(c *gin.Context, target string) (any, error) {
	body, err := s.readBody(c.Request)
	if err != nil {
		return nil, err
	}
	if s.authConfigured() {
		if err := s.awsCaller(c.Request, body); err != nil {
			return nil, err
		}
	}
	name, ok := strings.CutPrefix(target, sfnTargetPrefix)
	a := sfnActions[name]
	if !ok || a == nil {
		if target == "" {
			return nil, errorf(excUnknownOperation, "the request has no X-Amz-Target header naming an action")
		}
		return nil, errorf(excUnknownOperation, "unknown operation %q", target)
	}
	if ct := c.GetHeader("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
		return nil, errorf(excSerialization, "unsupported content type %q: the Step Functions API takes %s", ct, amzJSON)
	}
	return a(s, context.WithValue(c.Request.Context(), requestKey{}, c.Request), body)
}

// readBody reads the request body up to Options.MaxBodyBytes; a larger
// one is refused before anything is done.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	limit := s.opts.MaxBodyBytes
	tooLarge := func() error {
		return &awsError{Status: http.StatusRequestEntityTooLarge, Type: excRequestEntityTooLarge,
			Message: "the request body is larger than the " + strconv.FormatInt(limit, 10) + " bytes this server accepts"}
	}
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, errorf(excSerialization, "reading the request body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge()
	}
	return body, nil
}

// writeAWSError renders err in AWS's shape and logs it.
func (s *Server) writeAWSError(c *gin.Context, target string, err error) {
	ae := toAWSError(err)
	if ae.Type == excInternalFailure || ae.Type == excServiceUnavailable {
		// The detail (an address, a store's words) is for the log only.
		id := c.Writer.Header().Get("x-amzn-RequestId")
		s.opts.Logger.Error("aws request failed", "target", target, "requestId", id, "err", err)
		msg := "An internal error occurred (request id " + id + "): the server's log has the details."
		if ae.Type == excServiceUnavailable {
			msg = "The service is unavailable: its store did not answer (request id " + id + "). Try again later."
		}
		ae = &awsError{Status: ae.Status, Type: ae.Type, Message: msg}
	}
	body := map[string]string{"__type": ae.Type, "message": ae.Message}
	if ae.Reason != "" {
		body["reason"] = ae.Reason
	}
	b, _ := json.Marshal(body)
	if ae.Type != excInternalFailure && ae.Type != excServiceUnavailable {
		level := s.opts.Logger.Info
		if ae.Status >= 500 {
			level = s.opts.Logger.Error
		}
		level("aws request failed", "target", target, "status", ae.Status, "type", ae.Type, "message", ae.Message)
	}
	c.Data(ae.Status, amzJSON, b)
}

// decodeRequest decodes a JSON object into in. An empty body is an empty
// object; malformed JSON, a value of the wrong type or trailing data is a
// SerializationException, as AWS answers.
func decodeRequest(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !utf8.Valid(body) {
		// encoding/json would replace the bytes without a word
		return errorf(excSerialization, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return errorf(excSerialization, "the request body must be a JSON object, got %s", te.Value)
			}
			return errorf(excSerialization, "'%s' must be of type %s, got %s", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value)
		}
		return errorf(excSerialization, "the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(excSerialization, "the request body has data after its JSON object")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "structure"
	}
	return "number"
}

// epoch is a timestamp as the protocol writes it: epoch seconds, a JSON
// number with millisecond fraction. The zero time is omitted (omitzero).
type epoch struct{ time.Time }

func at(t time.Time) epoch { return epoch{t} }

// MarshalJSON writes the time as epoch seconds.
func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
}

// Pagination: nextToken is opaque to clients. It carries the store's
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
	invalid := errorf(excInvalidToken, "Invalid Token: '%.64s'", token)
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

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ARNs. The runtime makes them in one region and account; an ARN of
// another one names nothing here.

// arnPrefix is "arn:aws:states:<region>:<account>:" of this runtime.
func (s *Server) arnPrefix() string {
	sm := s.opts.Runtime.StateMachineARN("x")
	return strings.TrimSuffix(sm, "stateMachine:x")
}

// rt is the runtime the endpoints drive.
func (s *Server) rt() *runtime.Durable { return s.opts.Runtime }

// region is the runtime's region, the one SigV4 scopes must name.
func (s *Server) region() string {
	return strings.Split(s.arnPrefix(), ":")[3]
}

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
func (s *Server) parseARN(arn, resource, member string) (fields []string, foreign bool, err error) {
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
func (s *Server) parseStateMachineARN(arn, member string, allowQualified bool) (smRef, error) {
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
func (s *Server) parseExecutionARN(arn, member string) (executionRef, error) {
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
