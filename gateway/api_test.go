package gateway_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
)

// gwErrorCode returns the code of a management API error, checking its shape.
func gwErrorCode(t *testing.T, r gwResponse) string {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.body, &body), "%s", r.body)
	require.NotEmpty(t, body.Error.Message, "%s", r.body)
	return body.Error.Code
}

func TestAPIStateMachines(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{{Method: "POST", Path: "/used", StateMachine: "used"}}},
		gwMachine{"used", gwEcho, runtime.TypeStandard})

	r := b.do(t, "PUT", "/api/v1/state-machines/orders", `{"definition":`+gwEcho+`}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	sm := r.json(t)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:orders", sm["stateMachineArn"])
	require.Equal(t, "STANDARD", sm["type"])
	require.JSONEq(t, gwEcho, string(gwMust(json.Marshal(sm["definition"]))))
	require.Equal(t, "/api/v1/state-machines/orders", r.header.Get("Location"))
	rev := sm["revisionId"]

	r = b.do(t, "PUT", "/api/v1/state-machines/orders", `{"definition":`+gwEcho+`,"type":"STANDARD"}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, rev, r.json(t)["revisionId"], "the same definition changes nothing")

	quoted := gwMust(json.Marshal(gwFail))
	r = b.do(t, "PUT", "/api/v1/state-machines/orders", `{"definition":`+string(quoted)+`}`)
	require.Equal(t, http.StatusOK, r.status, "a definition may be a string: %s", r.body)
	require.NotEqual(t, rev, r.json(t)["revisionId"])
	r = b.do(t, "GET", "/api/v1/state-machines/orders", "")
	require.Equal(t, http.StatusOK, r.status)
	require.JSONEq(t, gwFail, string(gwMust(json.Marshal(r.json(t)["definition"]))))

	r = b.do(t, "PUT", "/api/v1/state-machines/orders", `{"definition":`+gwEcho+`,"type":"EXPRESS"}`)
	require.Equal(t, http.StatusConflict, r.status)
	require.Equal(t, "ConflictException", gwErrorCode(t, r))

	r = b.do(t, "PUT", "/api/v1/state-machines/bad", `{"definition":{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "InvalidDefinition", gwErrorCode(t, r))
	diags := r.json(t)["error"].(map[string]any)["diagnostics"].([]any)
	require.Equal(t, "/States/A/Next", diags[0].(map[string]any)["path"])
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/api/v1/state-machines/bad", "").status, "nothing stored")

	for _, tc := range []struct{ path, body, code string }{
		{"/api/v1/state-machines/x", `{"definition":`, "InvalidRequest"},
		{"/api/v1/state-machines/x", `{"definition":{},"colour":"red"}`, "InvalidRequest"},
		{"/api/v1/state-machines/x", `{}`, "InvalidRequest"},
		{"/api/v1/state-machines/x", `{"definition":` + gwEcho + `,"type":"FAST"}`, "InvalidRequest"},
		{"/api/v1/state-machines/a%20b", `{"definition":` + gwEcho + `}`, "InvalidName"},
	} {
		r := b.do(t, "PUT", tc.path, tc.body)
		require.Equal(t, http.StatusBadRequest, r.status, "%s %s", tc.path, tc.body)
		require.Equal(t, tc.code, gwErrorCode(t, r), "%s", r.body)
	}
	r = b.do(t, "PUT", "/api/v1/state-machines/x", `{"definition":"`+strings.Repeat("x", gateway.DefaultMaxBodyBytes)+`"}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Equal(t, "PayloadTooLarge", gwErrorCode(t, r))

	r = b.do(t, "GET", "/api/v1/state-machines?maxResults=1", "")
	require.Equal(t, http.StatusOK, r.status)
	list := r.json(t)
	require.Len(t, list["stateMachines"], 1)
	require.Equal(t, "orders", list["stateMachines"].([]any)[0].(map[string]any)["name"])
	require.NotContains(t, list["stateMachines"].([]any)[0], "definition")
	r = b.do(t, "GET", "/api/v1/state-machines?maxResults=1&nextToken="+list["nextToken"].(string), "")
	require.Equal(t, "used", r.json(t)["stateMachines"].([]any)[0].(map[string]any)["name"])
	require.Equal(t, http.StatusBadRequest, b.do(t, "GET", "/api/v1/state-machines?maxResults=0", "").status)

	r = b.do(t, "DELETE", "/api/v1/state-machines/used", "")
	require.Equal(t, http.StatusConflict, r.status, "a route starts it")
	require.Contains(t, r.json(t)["error"].(map[string]any)["message"], "POST /used")
	require.Equal(t, http.StatusNoContent, b.do(t, "DELETE", "/api/v1/state-machines/orders", "").status)
	r = b.do(t, "GET", "/api/v1/state-machines/orders", "")
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "StateMachineDoesNotExist", gwErrorCode(t, r))
}

func TestAPIExecutions(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{}, gwMachine{"echo", gwEcho, runtime.TypeStandard}, gwMachine{"wait", gwWait, runtime.TypeStandard})

	r := b.do(t, "POST", "/api/v1/state-machines/echo/executions", `{"name":"first","input":{"n":1}}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	arn := r.json(t)["executionArn"].(string)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:echo:first", arn)
	require.Equal(t, "/api/v1/executions/"+arn, r.header.Get("Location"))
	e := b.waitStatus(t, r.header.Get("Location"), "SUCCEEDED")
	require.Equal(t, map[string]any{"n": float64(1)}, e["input"])
	require.Equal(t, map[string]any{"n": float64(1)}, e["output"])
	require.Contains(t, e, "stopDate")

	r = b.do(t, "POST", "/api/v1/state-machines/echo/executions", `{"name":"first","input":{"n":2}}`)
	require.Equal(t, http.StatusConflict, r.status)
	require.Equal(t, "ExecutionAlreadyExists", gwErrorCode(t, r))

	r = b.do(t, "POST", "/api/v1/state-machines/wait/executions", `{"name":"w1","input":{"n":3}}`)
	require.Equal(t, http.StatusCreated, r.status)
	waiting := r.header.Get("Location")
	r = b.do(t, "POST", "/api/v1/state-machines/wait/executions", `{"name":"w1","input":{"n":3}}`)
	require.Equal(t, http.StatusOK, r.status, "the same name and input return the open execution")
	r = b.do(t, "POST", "/api/v1/state-machines/wait/executions", ``)
	require.Equal(t, http.StatusCreated, r.status, "no body: a UUID name and {} input")

	r = b.do(t, "GET", "/api/v1/state-machines/wait/executions?status=running", "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Len(t, r.json(t)["executions"], 2)
	r = b.do(t, "GET", "/api/v1/state-machines/wait/executions?maxResults=1", "")
	page := r.json(t)
	require.Len(t, page["executions"], 1)
	require.NotEmpty(t, page["nextToken"])
	require.NotContains(t, page["executions"].([]any)[0], "input", "a list shows no input")
	r = b.do(t, "GET", "/api/v1/state-machines/wait/executions?maxResults=1&nextToken="+page["nextToken"].(string), "")
	require.Len(t, r.json(t)["executions"], 1)
	r = b.do(t, "GET", "/api/v1/state-machines/echo/executions?status=SUCCEEDED", "")
	require.Len(t, r.json(t)["executions"], 1)

	r = b.do(t, "POST", waiting+"/stop", `{"error":"Cancelled","cause":"by the test"}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	stopped := r.json(t)
	require.Equal(t, "ABORTED", stopped["status"])
	require.Equal(t, "Cancelled", stopped["error"])
	r = b.do(t, "POST", waiting+"/stop", ``)
	require.Equal(t, http.StatusConflict, r.status)
	require.Equal(t, "ExecutionNotRunning", gwErrorCode(t, r))

	// History: pages forward and backward.
	r = b.do(t, "GET", "/api/v1/executions/"+arn+"/history?maxResults=2", "")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	h := r.json(t)
	events := h["events"].([]any)
	require.Len(t, events, 2)
	require.Equal(t, "ExecutionStarted", events[0].(map[string]any)["type"])
	require.Equal(t, float64(1), events[0].(map[string]any)["id"])
	var types []string
	for next := h["nextToken"].(string); next != ""; {
		r = b.do(t, "GET", "/api/v1/executions/"+arn+"/history?maxResults=2&nextToken="+next, "")
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		p := r.json(t)
		for _, ev := range p["events"].([]any) {
			types = append(types, ev.(map[string]any)["type"].(string))
		}
		next = p["nextToken"].(string)
	}
	require.Equal(t, "ExecutionSucceeded", types[len(types)-1])
	r = b.do(t, "GET", "/api/v1/executions/"+arn+"/history?reverseOrder=true&maxResults=1", "")
	require.Equal(t, "ExecutionSucceeded", r.json(t)["events"].([]any)[0].(map[string]any)["type"])

	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", "/api/v1/executions/not-an-arn", "", 400, "InvalidArn"},
		{"GET", "/api/v1/executions/arn:aws:states:us-east-1:123456789012:express:echo:a:b", "", 404, "ExecutionDoesNotExist"},
		{"GET", "/api/v1/executions/arn:aws:states:us-east-1:123456789012:execution:echo:nope", "", 404, "ExecutionDoesNotExist"},
		{"GET", "/api/v1/executions/arn:aws:states:eu-west-1:123456789012:execution:echo:first", "", 404, "ExecutionDoesNotExist"},
		{"GET", "/api/v1/executions/arn:aws:states:us-east-1:123456789012:execution:echo:nope/history", "", 404, "ExecutionDoesNotExist"},
		{"POST", "/api/v1/executions/arn:aws:states:us-east-1:123456789012:execution:echo:nope/stop", "", 404, "ExecutionDoesNotExist"},
		{"GET", "/api/v1/executions/" + arn + "/history?nextToken=x", "", 400, "InvalidToken"},
		{"GET", "/api/v1/executions/" + arn + "/history?reverseOrder=maybe", "", 400, "InvalidRequest"},
		{"GET", "/api/v1/state-machines/echo/executions?status=DONE", "", 400, "InvalidRequest"},
		{"GET", "/api/v1/state-machines/echo/executions?nextToken=abc", "", 400, "InvalidToken"},
		{"GET", "/api/v1/state-machines/nope/executions", "", 404, "StateMachineDoesNotExist"},
		{"POST", "/api/v1/state-machines/nope/executions", "", 404, "StateMachineDoesNotExist"},
		{"POST", "/api/v1/state-machines/echo/executions", `{"input":`, 400, "InvalidRequest"},
		{"POST", "/api/v1/state-machines/echo/executions", `{"inptu":{}}`, 400, "InvalidRequest"},
		{"POST", "/api/v1/state-machines/echo/executions", `{"name":"a/b"}`, 400, "InvalidName"},
		{"POST", "/api/v1/state-machines/echo/executions", `{"input":"` + strings.Repeat("x", runtime.MaxPayload) + `"}`, 400, "InvalidExecutionInput"},
	} {
		r := b.do(t, tc.method, tc.path, tc.body)
		require.Equal(t, tc.status, r.status, "%s %s: %s", tc.method, tc.path, r.body)
		require.Equal(t, tc.code, gwErrorCode(t, r), "%s %s", tc.method, tc.path)
	}
	require.Equal(t, 1, b.executions(t, "echo"), "no refused start stored anything")
}

func TestAPIKeysAndTenants(t *testing.T) {
	t.Parallel()
	const admin, alice, bob = "admin-key-0123456789", "alice-key-0123456789", "bob-key-0123456789"
	b := newGW(t, gateway.Options{APIKeys: []string{admin}, Routes: []gateway.Route{
		{Method: "POST", Path: "/orders", StateMachine: "orders", APIKeys: []string{alice, bob}},
		{Method: "POST", Path: "/open", StateMachine: "orders", Public: true},
		{Method: "POST", Path: "/guarded", StateMachine: "orders"},
	}}, gwMachine{"orders", gwEcho, runtime.TypeStandard})

	// A route without keys of its own takes the server's: it is open only
	// when the configuration says so (Public).
	r := b.do(t, "POST", "/guarded", `{}`)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
	require.Equal(t, http.StatusForbidden, b.do(t, "POST", "/guarded", `{}`, "x-api-key", "wrong-key-0123456789").status)
	require.Equal(t, http.StatusAccepted, b.do(t, "POST", "/guarded", `{}`, "x-api-key", admin).status)

	for _, path := range []string{"/api/v1/health", "/api/v1/ready", "/api/v1/openapi.json"} {
		require.Equal(t, http.StatusOK, b.do(t, "GET", path, "").status, path)
	}
	r = b.do(t, "GET", "/api/v1/state-machines", "")
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "Unauthorized", gwErrorCode(t, r))
	r = b.do(t, "GET", "/api/v1/state-machines", "", "x-api-key", "wrong-key-0123456789")
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Forbidden", gwErrorCode(t, r))
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/api/v1/state-machines", "", "x-api-key", admin).status)
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/api/v1/state-machines", "", "Authorization", "Bearer "+admin).status)

	// Each tenant reads the executions its key started, and nothing else.
	r = b.do(t, "POST", "/orders", `{"who":"alice"}`, "x-api-key", alice)
	require.Equal(t, http.StatusAccepted, r.status)
	aliceExec := r.header.Get("Location")
	r = b.do(t, "POST", "/orders", `{"who":"bob"}`, "x-api-key", bob)
	require.Equal(t, http.StatusAccepted, r.status)
	bobExec := r.header.Get("Location")
	r = b.do(t, "POST", "/open", `{"who":"anyone"}`)
	require.Equal(t, http.StatusAccepted, r.status)
	openExec := r.header.Get("Location")

	e := b.waitStatus(t, aliceExec, "SUCCEEDED", "x-api-key", alice)
	require.Equal(t, "alice", e["input"].(map[string]any)["body"].(map[string]any)["who"])
	// the route key as Authorization: Bearer, as the management keys
	r = b.do(t, "GET", aliceExec, "", "Authorization", "Bearer "+alice)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, http.StatusOK, b.do(t, "GET", aliceExec+"/history", "", "x-api-key", alice).status)
	for _, other := range []string{bobExec, openExec, bobExec + "/history"} {
		r := b.do(t, "GET", other, "", "x-api-key", alice)
		require.Equal(t, http.StatusNotFound, r.status, "alice may not see %s", other)
		require.Equal(t, "ExecutionDoesNotExist", gwErrorCode(t, r))
	}
	b.waitStatus(t, bobExec, "SUCCEEDED", "x-api-key", bob)
	b.waitStatus(t, openExec, "SUCCEEDED", "x-api-key", admin)
	for _, req := range [][2]string{
		{"GET", "/api/v1/state-machines"}, {"GET", "/api/v1/state-machines/orders/executions"},
		{"GET", "/api/v1/routes"}, {"POST", aliceExec + "/stop"},
	} {
		r := b.do(t, req[0], req[1], "", "x-api-key", alice)
		require.Equal(t, http.StatusForbidden, r.status, "a route key may not %s %s", req[0], req[1])
	}
	r = b.do(t, "GET", "/api/v1/routes", "", "x-api-key", admin)
	require.NotContains(t, string(r.body), alice, "keys are never shown")
	require.NotContains(t, string(r.body), bob)
}

func TestAPIRoutes(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{{Method: "POST", Path: "/orders", StateMachine: "orders", APIKeys: []string{"config-key-0123456789"}}}},
		gwMachine{"orders", gwEcho, runtime.TypeStandard}, gwMachine{"quote", gwEcho, runtime.TypeExpress})

	r := b.do(t, "POST", "/api/v1/routes", `{"method":"POST","path":"/quote/{sku}","stateMachine":"quote","mode":"sync","errorStatus":422}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.JSONEq(t, `{"method":"POST","path":"/quote/{sku}","stateMachine":"quote","mode":"sync","mapping":"default","errorStatus":422,
		"timeout":"5m0s","maxBodyBytes":262144,"source":"api"}`, string(r.body))
	r = b.do(t, "POST", "/quote/abc", `{"n":1}`)
	require.Equal(t, http.StatusOK, r.status, "the route serves at once: %s", r.body)
	require.Equal(t, map[string]any{"sku": "abc"}, r.json(t)["path"])

	r = b.do(t, "POST", "/api/v1/routes", `{"method":"POST","path":"/quote/{id}","stateMachine":"quote"}`)
	require.Equal(t, http.StatusConflict, r.status)
	require.Equal(t, "ConflictException", gwErrorCode(t, r))

	r = b.do(t, "POST", "/api/v1/routes", `{"method":"FETCH","path":"quote","mode":"sync","extra":1}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "InvalidRoute", gwErrorCode(t, r))
	problems := r.json(t)["error"].(map[string]any)["problems"].([]any)
	require.Equal(t, []any{map[string]any{"field": "extra", "message": "unknown key (known: apiKeys, cors, errorStatus, keepHeaders, mapping, maxBodyBytes, messageGroupId, method, mode, path, public, queue, rateLimit, stateMachine, timeout)"}}, problems,
		"types and keys first")
	r = b.do(t, "POST", "/api/v1/routes", `{"method":"FETCH","path":"quote","mode":"sync"}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Len(t, r.json(t)["error"].(map[string]any)["problems"], 3, "method, path and stateMachine: %s", r.body)
	for _, body := range []string{
		`{"method":"POST","path":"/q2","stateMachine":"orders","mode":"sync"}`,
		`{"method":"POST","path":"/q3","stateMachine":"missing"}`,
	} {
		r = b.do(t, "POST", "/api/v1/routes", body)
		require.Equal(t, http.StatusBadRequest, r.status, body)
		require.Equal(t, "InvalidRoute", gwErrorCode(t, r))
	}
	require.Equal(t, http.StatusNotFound, b.do(t, "POST", "/q3", "").status, "a refused route serves nothing")

	r = b.do(t, "GET", "/api/v1/routes", "")
	require.Equal(t, http.StatusOK, r.status)
	var list struct {
		Routes []map[string]any `json:"routes"`
	}
	require.NoError(t, json.Unmarshal(r.body, &list))
	require.Len(t, list.Routes, 2)
	require.Equal(t, "config", list.Routes[0]["source"])
	require.Len(t, list.Routes[0]["apiKeyIds"], 1)
	require.NotContains(t, string(r.body), "config-key-0123456789")
	require.Equal(t, "api", list.Routes[1]["source"])
}

// TestOpenAPIDescribesEveryRoute checks the OpenAPI document against the
// routes the server registers under /api/v1, both ways.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{})
	r := b.do(t, "GET", "/api/v1/openapi.json", "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(r.body, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."))
	var documented []string
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}
			var op map[string]any
			require.NoError(t, json.Unmarshal(raw, &op))
			documented = append(documented, strings.ToUpper(method)+" "+path)
			require.NotEmpty(t, op["operationId"], "%s %s", method, path)
			require.NotEmpty(t, op["responses"], "%s %s", method, path)
		}
	}
	engine := gateway.New(gateway.Options{Runtime: b.d}).Handler().(*gin.Engine)
	var registered []string
	for _, rt := range engine.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		segs := strings.Split(rt.Path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = "{" + s[1:] + "}"
			}
		}
		registered = append(registered, rt.Method+" "+strings.Join(segs, "/"))
	}
	slices.Sort(documented)
	slices.Sort(registered)
	require.Equal(t, registered, documented)
}

func gwMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
