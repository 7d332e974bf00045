package gateway

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// openAPI documents the management API; a test checks that it names every
// route routeAPI registers, and no other.
//
//go:embed openapi.json
var openAPI []byte

// routeAPI adds the management API under /api/v1: state machines,
// executions, history and user routes, for the console and for scripts.
// When Options.APIKeys is set, every endpoint but health, readiness and the
// OpenAPI document requires one of them; an execution and its history also
// answer the route key that started it (see routeKeyID).
func (s *Server) routeAPI(g *gin.RouterGroup) {
	g.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPI) })
	admin := g.Group("", s.apiAuth(false))
	scoped := g.Group("", s.apiAuth(true))
	admin.GET("/state-machines", s.apiListStateMachines)
	admin.GET("/state-machines/:name", s.apiGetStateMachine)
	admin.PUT("/state-machines/:name", s.apiPutStateMachine)
	admin.DELETE("/state-machines/:name", s.apiDeleteStateMachine)
	admin.GET("/state-machines/:name/executions", s.apiListExecutions)
	admin.POST("/state-machines/:name/executions", s.apiStartExecution)
	scoped.GET("/executions/:arn", s.apiGetExecution)
	scoped.GET("/executions/:arn/history", s.apiGetHistory)
	scoped.GET("/executions/:arn/events", s.apiTailExecution)
	admin.POST("/executions/:arn/stop", s.apiStopExecution)
	admin.GET("/routes", s.apiListRoutes)
	admin.POST("/routes", s.apiAddRoute)
}

// mgmtError answers {"error": {"code", "message"}}, with extra fields in
// the error object.
func mgmtError(c *gin.Context, status int, code, message string, extra ...any) {
	e := gin.H{"code": code, "message": message}
	for i := 0; i+1 < len(extra); i += 2 {
		e[extra[i].(string)] = extra[i+1]
	}
	c.AbortWithStatusJSON(status, gin.H{"error": e})
}

// apiFail maps an error of the runtime to the management
// API's answer: the one place that does.
func (s *Server) apiFail(c *gin.Context, err error) {
	var de *diag.Error
	switch {
	case errors.As(err, &de):
		mgmtError(c, http.StatusBadRequest, "InvalidDefinition", err.Error(), "diagnostics", de.Diagnostics)
	case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
		mgmtError(c, http.StatusNotFound, "StateMachineDoesNotExist", err.Error())
	case errors.Is(err, runtime.ErrNotFound):
		mgmtError(c, http.StatusNotFound, "ExecutionDoesNotExist", "no such execution")
	case errors.Is(err, runtime.ErrInvalidName):
		mgmtError(c, http.StatusBadRequest, "InvalidName", err.Error())
	case errors.Is(err, runtime.ErrInvalidInput):
		mgmtError(c, http.StatusBadRequest, "InvalidExecutionInput", err.Error())
	case errors.Is(err, runtime.ErrExecutionAlreadyExists):
		mgmtError(c, http.StatusConflict, "ExecutionAlreadyExists", err.Error())
	case errors.Is(err, runtime.ErrStateMachineAlreadyExists):
		mgmtError(c, http.StatusConflict, "StateMachineAlreadyExists", err.Error())
	case errors.Is(err, runtime.ErrExecutionClosed):
		mgmtError(c, http.StatusConflict, "ExecutionNotRunning", "the execution has already ended")
	case errors.Is(err, runtime.ErrInvalidArgument):
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", err.Error())
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		c.Abort() // the client left
	case errors.Is(err, runtime.ErrUnavailable):
		id := awsproto.NewRequestID()
		c.Header("x-amzn-RequestId", id)
		s.opts.Logger.Error("management API", "method", c.Request.Method, "path", c.Request.URL.Path, "requestId", id, "err", err)
		mgmtError(c, http.StatusServiceUnavailable, "ServiceUnavailable", "the store did not answer (request id "+id+"); try again later", "requestId", id)
	default:
		id := awsproto.NewRequestID()
		c.Header("x-amzn-RequestId", id)
		s.opts.Logger.Error("management API", "method", c.Request.Method, "path", c.Request.URL.Path, "requestId", id, "err", err)
		mgmtError(c, http.StatusInternalServerError, "InternalError", "internal error (request id "+id+"): the server's log has the details", "requestId", id)
	}
}

// keyScopeKey is the gin context key holding the id of the route key a scoped
// request came with.
const keyScopeKey = "signalbox.keyScope"

// apiAuth requires a management key when some are configured; scoped
// endpoints also take a route key, and then show only what that key
// started.
func (s *Server) apiAuth(scoped bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.opts.PublicAPI || !s.authConfigured() {
			return
		}
		if scoped {
			// a route's key may read what it started (routeKeyID), in
			// x-api-key or as Authorization: Bearer KEY
			if id, ok := s.users.keyOwner(managementKeyOf(c.Request)); ok {
				c.Set(keyScopeKey, id)
				return
			}
		}
		s.guard(c, nil, func(c *gin.Context, status int, msg string) {
			code := "Unauthorized"
			switch status {
			case http.StatusForbidden:
				code = "Forbidden"
			case http.StatusRequestEntityTooLarge:
				code = "PayloadTooLarge"
			}
			mgmtError(c, status, code, msg)
		})
	}
}

// readJSON decodes the request body into v, strictly (unknown fields are
// an error); an empty body leaves v as it is when optional.
func (s *Server) readJSON(c *gin.Context, v any, optional bool) bool {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		mgmtError(c, http.StatusRequestEntityTooLarge, "PayloadTooLarge", fmt.Sprintf("the body is more than %d bytes", s.opts.MaxBodyBytes))
		return false
	case err != nil:
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", "could not read the body: "+err.Error())
		return false
	case len(bytes.TrimSpace(body)) == 0 && optional:
		return true
	}
	if !utf8.Valid(body) {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", "the body is not valid UTF-8")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", "the body is not the JSON this endpoint takes: "+err.Error())
		return false
	}
	if dec.More() {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", "the body holds more than one JSON value")
		return false
	}
	return true
}

// apiPageSize reads maxResults (1 to 1000, default 100).
func apiPageSize(c *gin.Context) (int, bool) {
	s := c.Query("maxResults")
	if s == "" {
		return 100, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("maxResults must be a number from 1 to 1000, got %q", s))
		return 0, false
	}
	return n, true
}

// apiRawJSON embeds stored JSON text in a response; text that is not JSON
// (never written by the runtime) is embedded as a string.
func apiRawJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if !json.Valid(b) {
		q, _ := json.Marshal(string(b))
		return q
	}
	return b
}

// apiStateMachine is a state machine in the management API.
type apiStateMachine struct {
	Name            string          `json:"name"`
	StateMachineARN string          `json:"stateMachineArn"`
	Type            string          `json:"type"`
	Definition      json.RawMessage `json:"definition,omitempty"`
	RoleARN         string          `json:"roleArn,omitempty"`
	CreationDate    time.Time       `json:"creationDate"`
	UpdateDate      *time.Time      `json:"updateDate,omitempty"`
	RevisionID      string          `json:"revisionId,omitempty"`
	VersionARN      string          `json:"stateMachineVersionArn,omitempty"`
}

func apiSMView(info *runtime.StateMachineInfo, full bool) apiStateMachine {
	v := apiStateMachine{Name: info.Name, StateMachineARN: info.ARN, Type: info.Type, CreationDate: info.Created}
	if full {
		v.Definition, v.RoleARN, v.RevisionID, v.VersionARN = apiRawJSON(info.Definition), info.RoleARN, info.RevisionID, info.VersionARN
		if !info.Updated.IsZero() {
			u := info.Updated
			v.UpdateDate = &u
		}
	}
	return v
}

func (s *Server) apiListStateMachines(c *gin.Context) {
	limit, ok := apiPageSize(c)
	if !ok {
		return
	}
	list, next, err := s.inspector().ListStateMachines(c.Request.Context(), c.Query("nextToken"), limit)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	out := make([]apiStateMachine, len(list))
	for i, info := range list {
		out[i] = apiSMView(info, false)
	}
	c.JSON(http.StatusOK, gin.H{"stateMachines": out, "nextToken": next})
}

func (s *Server) apiGetStateMachine(c *gin.Context) {
	info, err := s.opts.Runtime.DescribeStateMachine(c.Request.Context(), c.Param("name"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiSMView(info, true))
}

// apiPutStateMachineRequest creates or updates a state machine. Definition is
// the ASL document itself, or a string holding it.
type apiPutStateMachineRequest struct {
	Definition         json.RawMessage `json:"definition"`
	Type               string          `json:"type"`
	RoleARN            string          `json:"roleArn"`
	Publish            bool            `json:"publish"`
	VersionDescription string          `json:"versionDescription"`
}

// apiPutStateMachine creates the state machine (201) or updates it (200);
// an update that changes nothing changes nothing.
func (s *Server) apiPutStateMachine(c *gin.Context) {
	var req apiPutStateMachineRequest
	if !s.readJSON(c, &req, false) {
		return
	}
	name := c.Param("name")
	if err := runtime.CheckExecutionName(name); err != nil {
		mgmtError(c, http.StatusBadRequest, "InvalidName", strings.Replace(err.Error(), "an execution name", "a state machine name", 1))
		return
	}
	def := []byte(req.Definition)
	if len(def) > 0 && def[0] == '"' {
		var text string
		if err := json.Unmarshal(def, &text); err != nil {
			mgmtError(c, http.StatusBadRequest, "InvalidRequest", "definition: "+err.Error())
			return
		}
		def = []byte(text)
	}
	if len(bytes.TrimSpace(def)) == 0 || string(def) == "null" {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", "definition is required: the ASL document, or a string holding it")
		return
	}
	if ds := asl.Validate(def); len(ds) > 0 {
		s.apiFail(c, ds.Err())
		return
	}
	typ := strings.ToUpper(req.Type)
	if typ != "" && typ != runtime.TypeStandard && typ != runtime.TypeExpress {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("type must be STANDARD or EXPRESS, got %q", req.Type))
		return
	}
	ctx := c.Request.Context()
	p := runtime.StateMachineParams{Name: name, Definition: def, Type: typ, RoleARN: req.RoleARN, Publish: req.Publish, VersionDescription: req.VersionDescription}
	old, err := s.opts.Runtime.DescribeStateMachine(ctx, name)
	if errors.Is(err, runtime.ErrStateMachineDoesNotExist) {
		info, err := s.opts.Runtime.CreateStateMachine(ctx, p)
		if err == nil {
			c.Header("Location", "/api/v1/state-machines/"+name)
			c.JSON(http.StatusCreated, apiSMView(info, true))
			return
		}
		if !errors.Is(err, runtime.ErrStateMachineAlreadyExists) {
			s.apiFail(c, err)
			return
		}
		old, err = s.opts.Runtime.DescribeStateMachine(ctx, name) // created meanwhile: update it
	}
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if typ != "" && typ != old.Type {
		mgmtError(c, http.StatusConflict, "ConflictException", fmt.Sprintf("the state machine %s is %s; its type cannot change (delete it and create it again)", name, old.Type))
		return
	}
	if bytes.Equal(old.Definition, def) && (req.RoleARN == "" || req.RoleARN == old.RoleARN) && !req.Publish {
		c.JSON(http.StatusOK, apiSMView(old, true))
		return
	}
	info, err := s.opts.Runtime.UpdateStateMachine(ctx, p)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiSMView(info, true))
}

// apiDeleteStateMachine deletes a state machine no route uses; deleting
// one that does not exist succeeds, as AWS's DeleteStateMachine.
func (s *Server) apiDeleteStateMachine(c *gin.Context) {
	name := c.Param("name")
	var users []string
	for _, r := range s.users.list() {
		if r.StateMachine == name {
			users = append(users, r.Key())
		}
	}
	if len(users) > 0 {
		mgmtError(c, http.StatusConflict, "ConflictException", fmt.Sprintf("the routes %s start %s", strings.Join(users, ", "), name))
		return
	}
	if err := s.opts.Runtime.DeleteStateMachine(c.Request.Context(), name); err != nil {
		s.apiFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiExecution is an execution in the management API; a list shows it
// without its input and output.
type apiExecution struct {
	ExecutionARN    string          `json:"executionArn"`
	StateMachineARN string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	StartDate       time.Time       `json:"startDate"`
	StopDate        *time.Time      `json:"stopDate,omitempty"`
	Input           json.RawMessage `json:"input,omitempty"`
	Output          json.RawMessage `json:"output,omitempty"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	RedriveCount    int             `json:"redriveCount"`
}

func apiExecView(e *runtime.ExecutionInfo, full bool) apiExecution {
	v := apiExecution{
		ExecutionARN:    e.ARN,
		StateMachineARN: e.StateMachineARN, Name: e.Name, Status: e.Status, StartDate: e.StartDate,
		Error: e.Error, Cause: e.Cause, RedriveCount: e.RedriveCount,
	}
	if !e.StopDate.IsZero() {
		t := e.StopDate
		v.StopDate = &t
	}
	if full {
		v.Input, v.Output = apiRawJSON(e.Input), apiRawJSON(e.Output)
	}
	return v
}

var apiExecutionStatuses = []runtime.Status{runtime.StatusRunning, runtime.StatusSucceeded, runtime.StatusFailed, runtime.StatusTimedOut, runtime.StatusAborted, runtime.StatusPendingRedrive}

func (s *Server) apiListExecutions(c *gin.Context) {
	limit, ok := apiPageSize(c)
	if !ok {
		return
	}
	status := strings.ToUpper(c.Query("status"))
	valid := status == ""
	for _, st := range apiExecutionStatuses {
		valid = valid || status == string(st)
	}
	if !valid {
		mgmtError(c, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("status must be one of %v, got %q", apiExecutionStatuses, c.Query("status")))
		return
	}
	name := c.Param("name")
	ctx := c.Request.Context()
	if _, err := s.opts.Runtime.DescribeStateMachine(ctx, name); err != nil {
		s.apiFail(c, err)
		return
	}
	list, next, err := s.inspector().ListExecutions(ctx, runtime.ExecutionFilter{StateMachine: name, Status: status, Cursor: c.Query("nextToken"), Limit: limit})
	if errors.Is(err, runtime.ErrInvalidArgument) {
		mgmtError(c, http.StatusBadRequest, "InvalidToken", fmt.Sprintf("nextToken %q is not one this API handed out", c.Query("nextToken")))
		return
	}
	if err != nil {
		s.apiFail(c, err)
		return
	}
	out := make([]apiExecution, len(list))
	for i, e := range list {
		out[i] = apiExecView(e, false)
	}
	c.JSON(http.StatusOK, gin.H{"executions": out, "nextToken": next})
}

// apiStartExecutionRequest starts an execution: Input is any JSON value
// (default {}), Name defaults to a UUID.
type apiStartExecutionRequest struct {
	Name        string          `json:"name"`
	Input       json.RawMessage `json:"input"`
	TraceParent string          `json:"traceparent"`
}

// startTrace is the trace context a start through the management API
// carries: the request's headers, its traceparent member winning over the
// header.
func startTrace(c *gin.Context, member string) integrations.TraceContext {
	tc := integrations.TraceContextFrom(c.Request.Header)
	tc.Parent = cmp.Or(member, tc.Parent)
	return tc
}

// apiStartExecution starts an execution (201), or returns the open one of
// the same name and input (200), as StartExecution is idempotent.
func (s *Server) apiStartExecution(c *gin.Context) {
	var req apiStartExecutionRequest
	if !s.readJSON(c, &req, true) {
		return
	}
	var input any = map[string]any{}
	if len(req.Input) > 0 {
		v, err := asl.DecodeJSON(req.Input)
		if err != nil {
			mgmtError(c, http.StatusBadRequest, "InvalidExecutionInput", "input: "+err.Error())
			return
		}
		input = v
	}
	arn := s.opts.Runtime.StateMachineARN(c.Param("name"))
	started, err := s.opts.Runtime.StartExecution(c.Request.Context(), arn, req.Name, input, startTrace(c, req.TraceParent))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	status := http.StatusCreated
	if started.Existing {
		status = http.StatusOK
	}
	c.Header("Location", executionURL(started.ExecutionARN))
	c.JSON(status, gin.H{"executionArn": started.ExecutionARN, "startDate": started.StartDate})
}

// execution loads the execution the :arn parameter names; a request with
// a route key sees only the executions that key started.
func (s *Server) execution(c *gin.Context) (*runtime.ExecutionInfo, bool) {
	arn := c.Param("arn")
	id, smName, err := s.opts.Runtime.ExecutionIDOf(arn)
	if err != nil {
		mgmtError(c, http.StatusBadRequest, "InvalidArn", fmt.Sprintf("%q is not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME, or an EXPRESS one)", arn))
		return nil, false
	}
	parts := strings.Split(arn, ":")
	if strings.Join(parts[:5], ":") != strings.Join(strings.Split(s.opts.Runtime.StateMachineARN(smName), ":")[:5], ":") {
		mgmtError(c, http.StatusNotFound, "ExecutionDoesNotExist", "no execution "+arn+" (another region or account)")
		return nil, false
	}
	if scope, ok := c.Get(keyScopeKey); ok && !strings.HasPrefix(parts[7], scope.(string)+"-") {
		mgmtError(c, http.StatusNotFound, "ExecutionDoesNotExist", "no execution "+arn)
		return nil, false
	}
	e, err := s.inspector().DescribeExecution(c.Request.Context(), id)
	if errors.Is(err, runtime.ErrNotFound) {
		mgmtError(c, http.StatusNotFound, "ExecutionDoesNotExist", "no execution "+arn)
		return nil, false
	}
	if err != nil {
		s.apiFail(c, err)
		return nil, false
	}
	return e, true
}

func (s *Server) apiGetExecution(c *gin.Context) {
	if e, ok := s.execution(c); ok {
		c.JSON(http.StatusOK, apiExecView(e, true))
	}
}

// apiStopExecutionRequest stops an execution with an optional error and cause.
type apiStopExecutionRequest struct {
	Error string `json:"error"`
	Cause string `json:"cause"`
}

func (s *Server) apiStopExecution(c *gin.Context) {
	var req apiStopExecutionRequest
	if !s.readJSON(c, &req, true) {
		return
	}
	e, ok := s.execution(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := s.opts.Runtime.Stop(ctx, e.ID, req.Error, req.Cause); err != nil {
		s.apiFail(c, err)
		return
	}
	if e, err := s.inspector().DescribeExecution(ctx, e.ID); err != nil {
		s.apiFail(c, err)
	} else {
		c.JSON(http.StatusOK, apiExecView(e, true))
	}
}

// apiGetHistory pages an execution's history events, as
// GetExecutionHistory renders them.
func (s *Server) apiGetHistory(c *gin.Context) {
	limit, ok := apiPageSize(c)
	if !ok {
		return
	}
	var from int64
	if t := c.Query("nextToken"); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 1 {
			mgmtError(c, http.StatusBadRequest, "InvalidToken", fmt.Sprintf("nextToken %q is not one this API handed out", t))
			return
		}
		from = n
	}
	reverse := false
	if r := c.Query("reverseOrder"); r != "" {
		b, err := strconv.ParseBool(r)
		if err != nil {
			mgmtError(c, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("reverseOrder must be true or false, got %q", r))
			return
		}
		reverse = b
	}
	e, ok := s.execution(c)
	if !ok {
		return
	}
	res, err := s.inspector().History(c.Request.Context(), e.ID, runtime.HistoryQuery{After: from, Limit: limit, Reverse: reverse})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	events := make([]json.RawMessage, len(res.Events))
	for i, ev := range res.Events {
		events[i] = apiRawJSON(ev.JSON)
	}
	next := ""
	if res.Next != 0 {
		next = strconv.FormatInt(res.Next, 10)
	}
	c.JSON(http.StatusOK, gin.H{"events": events, "nextToken": next})
}

// apiTailExecution streams an execution's history events as they are
// written, as server-sent events: each is "id: <event id>", "event:
// history" and "data: <the event as apiGetHistory renders it>"; once the
// execution has closed and its last event is sent, "event: end" ends the
// stream. A client reconnecting with Last-Event-ID (or ?after=ID) resumes
// after that event. The runtime's inspector polls the history for it
// (runtime.Inspector.Tail); the stream ends when the client leaves.
func (s *Server) apiTailExecution(c *gin.Context) {
	var after int64
	if t := cmp.Or(c.GetHeader("Last-Event-ID"), c.Query("after")); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 0 {
			mgmtError(c, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("the event id to resume after must be a number, got %q", t))
			return
		}
		after = n
	}
	e, ok := s.execution(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	w := c.Writer
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a proxy in front must not hold the events back
	w.WriteHeader(http.StatusOK)
	w.Flush()
	for ev, err := range s.inspector().Tail(ctx, e.ID, after) {
		if err != nil {
			// the status is sent: the failure goes in the stream
			id := awsproto.NewRequestID()
			s.opts.Logger.Error("management API", "method", c.Request.Method, "path", c.Request.URL.Path, "requestId", id, "err", err)
			fmt.Fprintf(w, "event: error\ndata: {\"code\":\"InternalError\",\"message\":\"reading the history failed (request id %s): the server's log has the details\"}\n\n", id)
			w.Flush()
			return
		}
		var line bytes.Buffer
		if json.Compact(&line, ev.JSON) != nil {
			line.Reset()
			line.WriteString(`{}`)
		}
		fmt.Fprintf(w, "id: %d\nevent: history\ndata: %s\n\n", ev.ID, line.Bytes())
		w.Flush()
	}
	if ctx.Err() == nil {
		fmt.Fprint(w, "event: end\ndata: {}\n\n")
		w.Flush()
	}
}

// apiRoute is a user route in the management API: its keys are shown by
// id only.
type apiRoute struct {
	Method       string        `json:"method"`
	Path         string        `json:"path"`
	StateMachine string        `json:"stateMachine,omitempty"`
	Queue        string        `json:"queue,omitempty"`
	GroupID      string        `json:"messageGroupId,omitempty"`
	Mode         string        `json:"mode"`
	Mapping      string        `json:"mapping"`
	ErrorStatus  int           `json:"errorStatus,omitempty"`
	Timeout      string        `json:"timeout,omitempty"`
	APIKeyIDs    []string      `json:"apiKeyIds,omitempty"`
	Public       bool          `json:"public,omitempty"`
	KeepHeaders  []string      `json:"keepHeaders,omitempty"`
	RateLimit    *apiRateLimit `json:"rateLimit,omitempty"`
	CORS         *apiCORS      `json:"cors,omitempty"`
	MaxBodyBytes int64         `json:"maxBodyBytes"`
	Source       string        `json:"source"`
}

type apiRateLimit struct {
	RequestsPerSecond float64 `json:"requestsPerSecond"`
	Burst             int     `json:"burst"`
}

type apiCORS struct {
	AllowOrigins     []string `json:"allowOrigins"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           int      `json:"maxAge,omitempty"`
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
}

func (r *liveRoute) view() apiRoute {
	v := apiRoute{Method: r.Method, Path: r.Path, StateMachine: r.StateMachine, Queue: r.Queue, GroupID: r.MessageGroupID, Mode: r.Mode, Mapping: r.Mapping,
		MaxBodyBytes: r.MaxBodyBytes, Source: r.source, Public: r.Public, KeepHeaders: r.KeepHeaders}
	if r.Mode == ModeSync {
		v.ErrorStatus, v.Timeout = r.ErrorStatus, r.Timeout.String()
	}
	for _, k := range r.keys {
		v.APIKeyIDs = append(v.APIKeyIDs, k.id)
	}
	if rl := r.RateLimit; rl != nil {
		v.RateLimit = &apiRateLimit{rl.RequestsPerSecond, rl.Burst}
	}
	if c := r.CORS; c != nil {
		v.CORS = &apiCORS{c.AllowOrigins, c.AllowMethods, c.AllowHeaders, c.ExposeHeaders, c.MaxAge, c.AllowCredentials}
	}
	return v
}

func (s *Server) apiListRoutes(c *gin.Context) {
	routes := s.users.list()
	out := make([]apiRoute, len(routes))
	for i, r := range routes {
		out[i] = r.view()
	}
	c.JSON(http.StatusOK, gin.H{"routes": out})
}

// apiAddRoute adds a user route at run time. It lives in this process's
// memory: it is lost on restart and other processes do not serve it.
func (s *Server) apiAddRoute(c *gin.Context) {
	var raw any
	if !s.readJSON(c, &raw, false) {
		return
	}
	r, errs := DecodeRoute(raw)
	if len(errs) == 0 {
		errs = r.Validate()
	}
	if len(errs) == 0 {
		errs = s.checkRouteTarget(c.Request.Context(), r)
	}
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		mgmtError(c, http.StatusBadRequest, "InvalidRoute", strings.Join(msgs, "; "), "problems", errs)
		return
	}
	lr, _ := compileRoute(r, "api")
	if err := s.users.add(lr); err != nil {
		mgmtError(c, http.StatusConflict, "ConflictException", err.Error())
		return
	}
	c.JSON(http.StatusCreated, lr.view())
}

// checkRouteTarget checks that a route's state machine exists and, for a
// sync route, is EXPRESS.
func (s *Server) checkRouteTarget(ctx context.Context, r Route) []FieldError {
	if r.Queue != "" {
		return s.checkRouteQueue(ctx, r)
	}
	info, err := s.opts.Runtime.DescribeStateMachine(ctx, r.StateMachine)
	if errors.Is(err, runtime.ErrStateMachineDoesNotExist) {
		return []FieldError{{"stateMachine", fmt.Sprintf("no state machine %q", r.StateMachine)}}
	}
	if err != nil {
		return []FieldError{{"stateMachine", err.Error()}}
	}
	if r.Mode == ModeSync && info.Type != runtime.TypeExpress {
		return []FieldError{{"mode", fmt.Sprintf("a sync route runs an EXPRESS state machine; %s is %s", r.StateMachine, info.Type)}}
	}
	return nil
}
