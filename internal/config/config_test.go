package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
)

const (
	cfgEcho = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	cfgBad  = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"},"B":{"Type":"Wait","Next":"A"}}}`
)

// writeFiles writes files (name → content) into a fresh directory and
// returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// cfgProblems loads signalbox.yaml among files and returns its problems as
// strings, with the directory taken out of the paths.
func cfgProblems(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := writeFiles(t, files)
	_, ps := Load(filepath.Join(dir, "signalbox.yaml"))
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.ReplaceAll(p.String(), dir+string(filepath.Separator), "")
	}
	return out
}

func TestConfigReportsEveryProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "top level",
			files: map[string]string{"signalbox.yaml": `addr: nowhere
region: Mars
account: 1234
redis: {url: 7, timeout: soon}
colour: blue
functions:
  - name: orders
api: {keys: [short]}
credentials:
  - {accessKeyId: AKID}
  - {accessKeyId: AKID2, secretAccessKey: s, extra: 1}
`},
			want: []string{
				`signalbox.yaml:1: addr: "nowhere" is not host:port`,
				`signalbox.yaml:2: region: "Mars" is not a region (such as us-east-1)`,
				`signalbox.yaml:3: account: must be a string, got the number 1234 (quote it)`,
				`signalbox.yaml:4: redis.url: must be a string, got the number 7 (quote it)`,
				`signalbox.yaml:4: redis.timeout: "soon" is not a positive duration (such as 2s or 500ms)`,
				`signalbox.yaml:5: colour: unknown key (known: account, addr, api, apiDestinations, buckets, buses, connections, credentials, functions, queues, redis, region, registries, routes, stateMachines, topics)`,
				`signalbox.yaml:7: functions[0]: give exactly one of endpoint (an HTTP function), executable (a Runtime API program) and zip (a deployment package)`,
				`signalbox.yaml:8: api.keys[0]: an API key must be at least 8 characters long`,
				`signalbox.yaml:10: credentials[0].secretAccessKey: required`,
				`signalbox.yaml:11: credentials[1].extra: unknown key (known: accessKeyId, secretAccessKey)`,
			},
		},
		{
			name: "state machines",
			files: map[string]string{
				"ok.asl.json":  cfgEcho,
				"bad.asl.json": cfgBad,
				"signalbox.yaml": `stateMachines:
  - {name: orders, definition: ok.asl.json}
  - {name: orders, definition: ok.asl.json, type: LOCAL}
  - {name: "a b", definition: missing.asl.json}
  - {definition: bad.asl.json, role: x}
  - name: nodef
stateMachines: []
`},
			want: []string{
				`signalbox.yaml:3: stateMachines[1].name: "orders" is also the name of stateMachines[0]`,
				`signalbox.yaml:3: stateMachines[1].type: "LOCAL" is neither STANDARD nor EXPRESS`,
				`signalbox.yaml:4: stateMachines[2].name: the execution name "a b" may not contain ' '`,
				`signalbox.yaml:4: stateMachines[2].definition: open missing.asl.json: no such file or directory`,
				`signalbox.yaml:5: stateMachines[3].role: unknown key (known: definition, name, roleArn, type)`,
				`signalbox.yaml:5: stateMachines[3].name: required`,
				`bad.asl.json:1: /States/A/Next: MISSING_TRANSITION_TARGET the state "Nowhere" does not exist`,
				`bad.asl.json:1: /States/B: SCHEMA_VALIDATION_FAILED a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath`,
				`bad.asl.json:1: /States/B: UNREACHABLE_STATE the state "B" is not reachable from StartAt`,
				`signalbox.yaml:6: stateMachines[4].definition: required: the path of the definition file`,
				`signalbox.yaml:7: stateMachines: the key is repeated`,
			},
		},
		{
			name: "YAML definitions: each problem at its line",
			files: map[string]string{
				"bad.asl.yaml": "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere\n  B:\n    Type: Wait\n    End: true\n",
				"broken.yml":   "StartAt: A\nStates:\n  A: {Type: Pass\n",
				"signalbox.yaml": `stateMachines:
  - {name: bad, definition: bad.asl.yaml}
  - {name: broken, definition: broken.yml}
`},
			want: []string{
				`bad.asl.yaml:5: /States/A/Next: MISSING_TRANSITION_TARGET the state "Nowhere" does not exist`,
				`bad.asl.yaml:6: /States/B: SCHEMA_VALIDATION_FAILED a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath`,
				`bad.asl.yaml:6: /States/B: UNREACHABLE_STATE the state "B" is not reachable from StartAt`,
				`broken.yml:2: /: INVALID_YAML did not find expected ',' or '}'`,
			},
		},
		{
			name: "routes",
			files: map[string]string{
				"ok.asl.json": cfgEcho,
				"signalbox.yaml": `api:
  keys: [admin-key-0123456789]
stateMachines:
  - {name: orders, definition: ok.asl.json}
routes:
  - method: POST
    path: /orders/{id}
    stateMachine: orders
    mode: sync
    apiKeys: [admin-key-0123456789]
  - method: POST
    path: /orders/{orderId}
    stateMachine: orders
  - methd: GET
    path: /api/v1/mine
    stateMachine: orders
    cors:
      allowOrigins: [example.com]
  - method: GET
    path: /x
    stateMachine: orders
    maxBodyBytes: lots
    rateLimit: {requestsPerSecond: 0}
  - "GET /y"
`},
			want: []string{
				`signalbox.yaml:14: routes[2].methd: unknown key (known: apiKeys, cors, errorStatus, keepHeaders, mapping, maxBodyBytes, messageGroupId, method, mode, path, public, queue, rateLimit, stateMachine, timeout)`,
				`signalbox.yaml:22: routes[3].maxBodyBytes: must be a whole number, got the string "lots"`,
				`signalbox.yaml:24: routes[4]: must be an object, got the string "GET /y"`,
				`signalbox.yaml:12: routes[1].path: POST /orders/{orderId} takes the same requests as route 0 (POST /orders/{id})`,
				`signalbox.yaml:14: routes[2].method: required`,
				`signalbox.yaml:15: routes[2].path: "/api/v1/mine" is reserved for the management API (/api/v1)`,
				`signalbox.yaml:18: routes[2].cors.allowOrigins[0]: "example.com" is not an origin (scheme://host[:port]) nor "*"`,
				`signalbox.yaml:23: routes[3].rateLimit.requestsPerSecond: must be a positive number`,
				`signalbox.yaml:24: routes[4].method: required`,
				`signalbox.yaml:24: routes[4].path: required`,
				`signalbox.yaml:24: routes[4].stateMachine: required`,
				`signalbox.yaml:9: routes[0].mode: a sync route runs an EXPRESS state machine; orders is STANDARD`,
				`signalbox.yaml:10: routes[0].apiKeys[0]: the same key as one of api.keys: a route key must not be a management key`,
			},
		},
		{
			name:  "not YAML",
			files: map[string]string{"signalbox.yaml": "routes: [\n"},
			want:  []string{`signalbox.yaml: not YAML: line 1: did not find expected node content`},
		},
		{
			name:  "empty",
			files: map[string]string{"signalbox.yaml": "# nothing\n"},
			want:  []string{`signalbox.yaml: the file is empty`},
		},
		{
			name:  "not a mapping",
			files: map[string]string{"signalbox.yaml": "- a\n- b\n"},
			want:  []string{`signalbox.yaml:1: must be a mapping (key: value), got a list`},
		},
		{
			name:  "an unset variable",
			files: map[string]string{"signalbox.yaml": "api: {keys: [\"${SIGNALBOX_TEST_SURELY_UNSET}\"]}\n"},
			want: []string{
				`signalbox.yaml:1: api.keys[0]: the environment variable SIGNALBOX_TEST_SURELY_UNSET is not set`,
				`signalbox.yaml:1: api.keys[0]: an API key must be at least 8 characters long`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, cfgProblems(t, tc.files))
		})
	}
	_, ps := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	require.Len(t, ps, 1)
	require.Contains(t, ps[0].String(), "no such file or directory")
}

func TestConfigReadsAGoodFile(t *testing.T) {
	t.Setenv("SIGNALBOX_TEST_ROUTE_KEY", "route-key-0123456789")
	dir := writeFiles(t, map[string]string{
		"echo.asl.json": cfgEcho,
		"signalbox.yaml": `addr: 127.0.0.1:9999
region: eu-west-1
account: "210987654321"
redis: {url: "redis://127.0.0.1:6379/2", prefix: shop, timeout: 750ms}
api: {keys: [admin-key-0123456789]}
credentials:
  - {accessKeyId: AKIDEXAMPLE, secretAccessKey: "${SIGNALBOX_TEST_ROUTE_KEY}"}
stateMachines:
  - {name: echo, definition: echo.asl.json, type: express, roleArn: "arn:aws:iam::210987654321:role/r"}
queues: []
routes:
  - &base
    method: post
    path: /echo/{id}
    stateMachine: echo
    mode: sync
    errorStatus: 422
    timeout: 30s
    apiKeys: ["${SIGNALBOX_TEST_ROUTE_KEY}"]
    rateLimit: {requestsPerSecond: 5}
    cors: {allowOrigins: ["*"], maxAge: 60}
  - method: GET
    path: /files/{path+}
    stateMachine: other
    mapping: body
`})
	c, ps := Load(filepath.Join(dir, "signalbox.yaml"))
	require.Empty(t, ps)
	other := writeFiles(t, map[string]string{"signalbox.yaml": "stateMachines:\n  - {name: abs, definition: " + filepath.Join(dir, "echo.asl.json") + "}\n"})
	abs, ps := Load(filepath.Join(other, "signalbox.yaml"))
	require.Empty(t, ps, "an absolute definition path is taken as it is")
	require.Equal(t, cfgEcho, string(abs.StateMachines[0].Definition))
	require.Equal(t, "127.0.0.1:9999", c.Addr)
	require.Equal(t, "eu-west-1", c.Region)
	require.Equal(t, "210987654321", c.Account)
	require.Equal(t, "redis://127.0.0.1:6379/2", c.Redis.URL)
	require.Equal(t, "shop", c.Redis.Prefix)
	require.Equal(t, 750*time.Millisecond, c.Redis.Timeout)
	require.Equal(t, []string{"admin-key-0123456789"}, c.API.Keys)
	require.Equal(t, map[string]string{"AKIDEXAMPLE": "route-key-0123456789"}, c.Credentials)
	require.Len(t, c.StateMachines, 1)
	require.Equal(t, "EXPRESS", c.StateMachines[0].Type)
	require.Equal(t, cfgEcho, string(c.StateMachines[0].Definition))
	require.Equal(t, []gateway.Route{
		{Method: "post", Path: "/echo/{id}", StateMachine: "echo", Mode: "sync", ErrorStatus: 422, Timeout: 30 * time.Second,
			APIKeys: []string{"route-key-0123456789"}, RateLimit: &gateway.RateLimit{RequestsPerSecond: 5},
			CORS: &gateway.CORS{AllowOrigins: []string{"*"}, MaxAge: 60}},
		{Method: "GET", Path: "/files/{path+}", StateMachine: "other", Mapping: "body"},
	}, c.Routes)
	require.Empty(t, c.Warnings, "keys are set for the management API and the AWS protocol")
}

// TestConfigRefusesKeysOnRoutesOnly: keys on a route and none for the
// APIs that change routes would leave those APIs open; that is refused,
// unless api.public says it is meant.
func TestConfigRefusesKeysOnRoutesOnly(t *testing.T) {
	t.Parallel()
	load := func(extra string) (*Config, []Problem) {
		dir := writeFiles(t, map[string]string{"e.asl.json": cfgEcho, "signalbox.yaml": `stateMachines:
  - {name: e, definition: e.asl.json}
routes:
  - {method: POST, path: /open, stateMachine: e}
  - {method: POST, path: /keyed, stateMachine: e, apiKeys: [route-key-0123456789]}
` + extra})
		return Load(filepath.Join(dir, "signalbox.yaml"))
	}
	_, ps := load("")
	require.Len(t, ps, 1)
	require.Equal(t, "routes[1].apiKeys", ps[0].Path)
	require.Equal(t, 5, ps[0].Line)
	require.Contains(t, ps[0].Message, "neither api.keys nor credentials is set")

	c, ps := load("api: {public: true}\n")
	require.Empty(t, ps)
	require.Len(t, c.Warnings, 1)
	require.Contains(t, c.Warnings[0], "open to anyone")

	c, ps = load("api: {keys: [admin-key-0123456789]}\n")
	require.Empty(t, ps)
	require.Empty(t, c.Warnings)
}
