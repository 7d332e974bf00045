package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
)

// serveConfig is the configuration file of `signalbox serve --config FILE`
// (YAML). Every key is optional:
//
//	addr: 127.0.0.1:8080          # --addr wins
//	region: us-east-1             # in ARNs; --region wins
//	account: "123456789012"       # in ARNs; --account wins
//	redis: {url: redis://..., prefix: sb}   # --redis-url, then $SIGNALBOX_REDIS_URL, win
//	                              # timeout: 2s: each store call's deadline; --redis-timeout wins
//	api: {keys: [...]}            # the management API's keys
//	credentials:                  # SigV4 access keys of the AWS-protocol endpoints
//	  - {accessKeyId: ..., secretAccessKey: ...}
//	stateMachines:                # created, or updated, at start
//	  - {name: orders, definition: orders.asl.json, type: STANDARD, roleArn: ...}
//	routes:                       # user routes: see gateway.DecodeRoute
//	  - {method: POST, path: /orders, stateMachine: orders, mode: async}
//
// queues, topics, buses and functions are reserved for later milestones:
// an empty one is accepted, anything in one is refused as not supported
// yet. A string may name an environment
// variable as ${NAME}, which keeps secrets out of the file. Definition
// paths are relative to the file's directory.
type serveConfig struct {
	Addr, Region, Account string
	RedisURL, RedisPrefix string
	RedisTimeout          time.Duration // 0: store.DefaultTimeout
	APIKeys               []string
	PublicAPI             bool // api.public: the management API open although keys or credentials are set
	Credentials           map[string]string
	StateMachines         []configMachine
	Routes                []gateway.Route
	// Warnings are not errors, but the log says them at start.
	Warnings []string

	file  string
	nodes map[string]*yaml.Node // "routes[2]" → its node, for the lines of later problems
}

// configMachine is a state machine of the file.
type configMachine struct {
	Name, File, Type, RoleARN string
	Definition                []byte
	index                     int
}

// configProblem is one problem of a configuration: the file, the line
// (0 when unknown), the path of the key in the file (routes[2].path), or
// in a definition its JSON pointer, and a message.
type configProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p configProblem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Path == "" {
		return loc + ": " + p.Message
	}
	return loc + ": " + p.Path + ": " + p.Message
}

// reservedKeys are the keys of later milestones.
var reservedKeys = []string{"queues", "topics", "buses", "functions"}

// loadConfig reads and checks a configuration file, and every definition
// it names, reporting every problem found; nothing is started or stored.
// Whether the state machines routes name but the file does not exist is
// checked against the store, later (configApply).
func loadConfig(path string) (*serveConfig, []configProblem) {
	c := &serveConfig{file: path, nodes: map[string]*yaml.Node{}, Credentials: map[string]string{}}
	r := &configReader{file: path}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []configProblem{{File: path, Message: err.Error()}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []configProblem{{File: path, Message: "not YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		return nil, []configProblem{{File: path, Message: "the file is empty"}}
	}
	fields := map[string]func(*yaml.Node, string){
		"addr": func(n *yaml.Node, p string) {
			if c.Addr = r.str(n, p); c.Addr != "" {
				if _, _, err := net.SplitHostPort(c.Addr); err != nil {
					r.fail(n, p, "%q is not host:port", c.Addr)
				}
			}
		},
		"region": func(n *yaml.Node, p string) {
			if c.Region = r.str(n, p); c.Region != "" && !regionRE.MatchString(c.Region) {
				r.fail(n, p, "%q is not a region (such as us-east-1)", c.Region)
			}
		},
		"account": func(n *yaml.Node, p string) {
			if c.Account = r.str(n, p); c.Account != "" && !accountRE.MatchString(c.Account) {
				r.fail(n, p, "%q is not an account id (12 digits)", c.Account)
			}
		},
		"redis": func(n *yaml.Node, p string) {
			r.mapping(n, p, map[string]func(*yaml.Node, string){
				"url":    func(n *yaml.Node, p string) { c.RedisURL = r.str(n, p) },
				"prefix": func(n *yaml.Node, p string) { c.RedisPrefix = r.str(n, p) },
				"timeout": func(n *yaml.Node, p string) {
					s := r.str(n, p)
					if d, err := time.ParseDuration(s); err != nil || d <= 0 {
						r.fail(n, p, "%q is not a positive duration (such as 2s or 500ms)", s)
					} else {
						c.RedisTimeout = d
					}
				},
			})
		},
		"api": func(n *yaml.Node, p string) {
			r.mapping(n, p, map[string]func(*yaml.Node, string){
				"keys": func(n *yaml.Node, p string) {
					r.list(n, p, func(item *yaml.Node, p string) {
						k := r.str(item, p)
						if len(k) < 8 {
							r.fail(item, p, "an API key must be at least 8 characters long")
						}
						c.APIKeys = append(c.APIKeys, k)
					})
				},
				"public": func(n *yaml.Node, p string) {
					b, ok := r.value(n, p).(bool)
					if !ok {
						r.fail(n, p, "must be true or false")
					}
					c.PublicAPI = b
				},
			})
		},
		"credentials":   func(n *yaml.Node, p string) { c.readCredentials(r, n, p) },
		"stateMachines": func(n *yaml.Node, p string) { c.readMachines(r, n, p) },
		"routes":        func(n *yaml.Node, p string) { c.readRoutes(r, n, p) },
	}
	for _, k := range reservedKeys {
		fields[k] = func(n *yaml.Node, p string) {
			if n = resolve(n); len(n.Content) > 0 || (n.Kind == yaml.ScalarNode && n.Tag != "!!null") {
				r.fail(n, p, "%s are not supported yet (a later milestone adds them)", k)
			}
		}
	}
	r.mapping(doc.Content[0], "", fields)
	c.check(r)
	return c, r.problems
}

// check checks what needs the whole file: the routes together, their keys,
// and the state machines they name.
func (c *serveConfig) check(r *configReader) {
	for _, e := range gateway.CheckRoutes(c.Routes) {
		c.routeProblem(r, e.Index, e.Field, e.Message)
	}
	machines := map[string]configMachine{}
	for _, m := range c.StateMachines {
		machines[m.Name] = m
	}
	keyed := -1 // the first route with keys
	for i, rt := range c.Routes {
		if keyed < 0 && len(rt.APIKeys) > 0 {
			keyed = i
		}
		if m, ok := machines[rt.StateMachine]; ok && rt.Mode == gateway.ModeSync && m.Type != runtime.TypeExpress {
			c.routeProblem(r, i, "mode", fmt.Sprintf("a sync route runs an EXPRESS state machine; %s is %s", m.Name, m.Type))
		}
		for j, k := range rt.APIKeys {
			if slices.Contains(c.APIKeys, k) {
				c.routeProblem(r, i, fmt.Sprintf("apiKeys[%d]", j), "the same key as one of api.keys: a route key must not be a management key")
			}
		}
	}
	switch {
	case keyed < 0 || len(c.APIKeys) > 0 || len(c.Credentials) > 0:
	case c.PublicAPI:
		c.Warnings = append(c.Warnings, "routes require API keys but neither api.keys nor credentials is set: the management API (api.public) and the Step Functions API (POST /) are open to anyone who can reach them")
	default:
		// Keys on a route and none anywhere else would leave the API that
		// changes those routes open: a half-configured server.
		c.routeProblem(r, keyed, "apiKeys", "routes require API keys but neither api.keys nor credentials is set, so the management API (/api/v1) and the Step Functions API (POST /) would be open to anyone: set api.keys or credentials, or api.public: true to leave them open on purpose")
	}
}

// routeProblem reports a problem of routes[i], at the line of the field
// when the file has it.
func (c *serveConfig) routeProblem(r *configReader, i int, field, msg string) {
	path := fmt.Sprintf("routes[%d]", i)
	n := c.nodes[path]
	if field != "" {
		path += "." + field
		if fn := lookupNode(n, field); fn != nil {
			n = fn
		}
	}
	r.fail(n, path, "%s", msg)
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

func (c *serveConfig) readCredentials(r *configReader, n *yaml.Node, path string) {
	r.list(n, path, func(item *yaml.Node, p string) {
		var id, secret string
		r.mapping(item, p, map[string]func(*yaml.Node, string){
			"accessKeyId":     func(n *yaml.Node, p string) { id = r.str(n, p) },
			"secretAccessKey": func(n *yaml.Node, p string) { secret = r.str(n, p) },
		})
		switch {
		case id == "":
			r.fail(item, p+".accessKeyId", "required")
		case secret == "":
			r.fail(item, p+".secretAccessKey", "required")
		case c.Credentials[id] != "":
			r.fail(item, p+".accessKeyId", "%q is listed twice", id)
		default:
			c.Credentials[id] = secret
		}
	})
}

func (c *serveConfig) readMachines(r *configReader, n *yaml.Node, path string) {
	dir := filepath.Dir(c.file)
	seen := map[string]string{}
	r.list(n, path, func(item *yaml.Node, p string) {
		m := configMachine{index: len(c.StateMachines)}
		var typeNode *yaml.Node
		r.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":       func(n *yaml.Node, p string) { m.Name = r.str(n, p) },
			"definition": func(n *yaml.Node, p string) { m.File = r.str(n, p) },
			"type":       func(n *yaml.Node, p string) { m.Type, typeNode = strings.ToUpper(r.str(n, p)), n },
			"roleArn":    func(n *yaml.Node, p string) { m.RoleARN = r.str(n, p) },
		})
		switch err := runtime.CheckExecutionName(m.Name); {
		case m.Name == "":
			r.fail(item, p+".name", "required")
		case err != nil:
			r.fail(item, p+".name", "%s", strings.Replace(strings.TrimPrefix(err.Error(), "InvalidName: "), "an execution name", "a state machine name", 1))
		case seen[m.Name] != "":
			r.fail(item, p+".name", "%q is also the name of %s", m.Name, seen[m.Name])
		default:
			seen[m.Name] = p
		}
		switch m.Type {
		case "":
			m.Type = runtime.TypeStandard
		case runtime.TypeStandard, runtime.TypeExpress:
		default:
			r.fail(typeNode, p+".type", "%q is neither STANDARD nor EXPRESS", m.Type)
		}
		if m.File == "" {
			r.fail(item, p+".definition", "required: the path of the definition file")
		} else {
			file := m.File
			if !filepath.IsAbs(file) {
				file = filepath.Join(dir, file)
			}
			m.Definition = c.readDefinition(r, item, p, file)
		}
		c.StateMachines = append(c.StateMachines, m)
	})
}

// readDefinition reads a definition file and reports its diagnostics, each
// at its JSON pointer in that file.
func (c *serveConfig) readDefinition(r *configReader, item *yaml.Node, path, file string) []byte {
	data, err := os.ReadFile(file)
	if err != nil {
		r.fail(lookupNode(item, "definition"), path+".definition", "%v", err)
		return nil
	}
	for _, d := range asl.Validate(data) {
		r.problems = append(r.problems, configProblem{File: file, Path: cmp.Or(d.Path, "/"), Message: d.Code + " " + d.Message})
	}
	return data
}

func (c *serveConfig) readRoutes(r *configReader, n *yaml.Node, path string) {
	r.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		v := r.value(item, p)
		rt, errs := gateway.DecodeRoute(v)
		for _, e := range errs {
			c.routeProblem(r, len(c.Routes), e.Field, e.Message)
		}
		c.Routes = append(c.Routes, rt)
	})
}

// configReader reads YAML nodes, collecting a problem for each key,
// value or type it cannot take.
type configReader struct {
	file     string
	problems []configProblem
}

func (r *configReader) fail(n *yaml.Node, path, format string, args ...any) {
	p := configProblem{File: r.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line = n.Line
	}
	r.problems = append(r.problems, p)
}

func configPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// resolve follows an alias (*anchor) to its node.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping calls fields[key] for each key of a mapping, and reports unknown
// and repeated keys.
func (r *configReader) mapping(n *yaml.Node, path string, fields map[string]func(*yaml.Node, string)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return // an empty section
		}
		r.fail(n, path, "must be a mapping (key: value), got %s", nodeKind(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := configPath(path, k.Value)
		f, ok := fields[k.Value]
		switch {
		case seen[k.Value]:
			r.fail(k, p, "the key is repeated")
		case !ok:
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			slices.Sort(known)
			r.fail(k, p, "unknown key (known: %s)", strings.Join(known, ", "))
		default:
			f(v, p)
		}
		seen[k.Value] = true
	}
}

// list calls each for each item of a sequence, with its path (name[i]).
func (r *configReader) list(n *yaml.Node, path string, each func(*yaml.Node, string)) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		if n.Tag == "!!null" {
			return
		}
		r.fail(n, path, "must be a list, got %s", nodeKind(n))
		return
	}
	for i, item := range n.Content {
		each(resolve(item), fmt.Sprintf("%s[%d]", path, i))
	}
}

// str reads a string, with ${NAME} replaced by the environment variable.
func (r *configReader) str(n *yaml.Node, path string) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.fail(n, path, "must be a string, got %s", nodeKind(n))
		return ""
	}
	if n.Tag != "!!str" {
		r.fail(n, path, "must be a string, got %s (quote it)", nodeKind(n))
		return ""
	}
	return r.expand(n, path, n.Value)
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func (r *configReader) expand(n *yaml.Node, path, s string) string {
	return envRE.ReplaceAllStringFunc(s, func(m string) string {
		name := envRE.FindStringSubmatch(m)[1]
		v, ok := os.LookupEnv(name)
		if !ok {
			r.fail(n, path, "the environment variable %s is not set", name)
		}
		return v
	})
}

// value converts a node to the generic form DecodeRoute reads: maps,
// lists, strings (expanded), int, float64, bool and nil.
func (r *configReader) value(n *yaml.Node, path string) any {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				r.fail(n.Content[i], configPath(path, k), "the key is repeated")
			}
			m[k] = r.value(n.Content[i+1], configPath(path, k))
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, item := range n.Content {
			a[i] = r.value(item, fmt.Sprintf("%s[%d]", path, i))
		}
		return a
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			return r.expand(n, path, n.Value)
		}
		var v any
		if err := n.Decode(&v); err != nil {
			r.fail(n, path, "%v", err)
		}
		return v
	}
	return nil
}

// lookupNode finds the node of a field path (cors.allowOrigins[1]) under n.
func lookupNode(n *yaml.Node, field string) *yaml.Node {
	for _, part := range strings.Split(field, ".") {
		name, idx, _ := strings.Cut(part, "[")
		n = resolve(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				next = n.Content[i+1]
				if idx == "" {
					next = n.Content[i] // the key's line reads best
					if resolve(n.Content[i+1]).Kind != yaml.ScalarNode {
						next = n.Content[i+1]
					}
				}
			}
		}
		n = next
		for idx != "" {
			var s string
			s, idx, _ = strings.Cut(idx, "]")
			i, err := strconv.Atoi(s)
			n = resolve(n)
			if err != nil || n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
			idx = strings.TrimPrefix(idx, "[")
		}
	}
	return n
}

// nodeKind names a node's type for a message.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "nothing"
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return n.Value
	}
	return strconv.Quote(n.Value)
}

// configApply makes the store hold the file's state machines: each is
// created, or updated when its definition or role differ (an unchanged
// one is left alone, so that a restart changes nothing). It first checks,
// against the store, what the file alone cannot say (a state machine
// whose stored type differs; a route to a state machine not in the file),
// and when anything is wrong it reports every problem and writes nothing.
func configApply(ctx context.Context, d *runtime.Durable, c *serveConfig) ([]string, []configProblem) {
	r := &configReader{file: c.file}
	stored := map[string]*runtime.StateMachineInfo{}
	for _, m := range c.StateMachines {
		info, err := d.DescribeStateMachine(ctx, m.Name)
		switch {
		case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
		case err != nil:
			r.fail(nil, fmt.Sprintf("stateMachines[%d]", m.index), "reading the stored state machine: %v", err)
		case info.Type != m.Type:
			r.fail(nil, fmt.Sprintf("stateMachines[%d].type", m.index), "the stored state machine %s is %s: its type cannot change (delete it first)", m.Name, info.Type)
		default:
			stored[m.Name] = info
		}
	}
	inFile := map[string]bool{}
	for _, m := range c.StateMachines {
		inFile[m.Name] = true
	}
	for i, rt := range c.Routes {
		if inFile[rt.StateMachine] {
			continue
		}
		info, err := d.DescribeStateMachine(ctx, rt.StateMachine)
		switch {
		case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
			c.routeProblem(r, i, "stateMachine", fmt.Sprintf("no state machine %q in stateMachines nor in the store", rt.StateMachine))
		case err != nil:
			c.routeProblem(r, i, "stateMachine", err.Error())
		case rt.Mode == gateway.ModeSync && info.Type != runtime.TypeExpress:
			c.routeProblem(r, i, "mode", fmt.Sprintf("a sync route runs an EXPRESS state machine; %s is %s", rt.StateMachine, info.Type))
		}
	}
	if len(r.problems) > 0 {
		return nil, r.problems
	}
	var done []string
	for _, m := range c.StateMachines {
		p := runtime.StateMachineParams{Name: m.Name, Definition: m.Definition, Type: m.Type, RoleARN: m.RoleARN}
		old := stored[m.Name]
		var err error
		switch {
		case old == nil:
			_, err = d.CreateStateMachine(ctx, p)
			if errors.Is(err, runtime.ErrStateMachineAlreadyExists) { // another process created it meanwhile
				_, err = d.UpdateStateMachine(ctx, p)
			}
			done = append(done, "created "+m.Name)
		case !bytes.Equal(old.Definition, m.Definition) || (m.RoleARN != "" && m.RoleARN != old.RoleARN):
			_, err = d.UpdateStateMachine(ctx, p)
			done = append(done, "updated "+m.Name)
		default:
			done = append(done, "unchanged "+m.Name)
		}
		if err != nil {
			r.fail(nil, fmt.Sprintf("stateMachines[%d]", m.index), "%v", err)
		}
	}
	return done, r.problems
}
