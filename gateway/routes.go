package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Route is a user route: method + path template → state machine. A request
// that matches it starts an execution (Mode async) or runs one to its end
// (Mode sync), with the request mapped into the execution's input. A route
// with a Queue instead sends the request's body to that queue, as API
// Gateway's SQS integration does (routes_queue.go).
type Route struct {
	// Method is an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD,
	// OPTIONS), or ANY for all of them.
	Method string
	// Path is the path template: literal segments, {name} parameters that
	// match one segment, and a last {name+} that matches the rest of the
	// path (one segment or more), as API Gateway's.
	Path string
	// StateMachine is the name of the state machine the route runs.
	StateMachine string
	// Queue is the name of the queue the route sends to (instead of a
	// state machine); MessageGroupID the message group of a FIFO queue's
	// messages, unless the request's X-Message-Group-Id header names one.
	Queue          string
	MessageGroupID string
	// Mode is async (default: 202 with the execution's ARN) or sync (the
	// execution runs to its end, its output is the response; the state
	// machine must be EXPRESS).
	Mode string
	// Mapping is how the request becomes the execution's input: "default"
	// ({"body","path","query","headers","context"}) or "body" (the body
	// alone). A body is JSON when it has no Content-Type, or
	// application/json or a +json type (malformed JSON is refused with a
	// 400), or application/x-www-form-urlencoded and parses as JSON (what
	// curl -d sends); any other body is a string. An empty body is null,
	// or {} with the "body" mapping.
	Mapping string
	// ErrorStatus is the status a sync route answers when the execution
	// fails; default 500.
	ErrorStatus int
	// APIKeys, when not empty, are the keys one of which a request must
	// carry in its x-api-key header.
	APIKeys []string
	// Public opens a route without keys of its own to anyone although the
	// server has keys or credentials (which it otherwise requires).
	Public bool
	// KeepHeaders names request headers the default mapping passes into
	// the execution's input although it drops them by default because
	// they carry secrets (authorization, cookie, proxy-authorization,
	// x-amz-security-token; x-api-key is always dropped): they would be
	// kept in the history.
	KeepHeaders []string
	// RateLimit, when set, bounds the request rate per API key (per client
	// address on a route without keys).
	RateLimit *RateLimit
	// CORS, when set, answers preflight requests and adds the CORS headers
	// to responses for the origins it allows.
	CORS *CORS
	// MaxBodyBytes bounds the request body; default DefaultRouteMaxBodyBytes.
	MaxBodyBytes int64
	// Timeout bounds a sync route's execution; default DefaultSyncTimeout.
	Timeout time.Duration
}

// RateLimit is a token bucket: Burst requests at once, refilled at
// RequestsPerSecond.
type RateLimit struct {
	RequestsPerSecond float64
	Burst             int // default: RequestsPerSecond rounded up, at least 1
}

// CORS is a route's cross-origin resource sharing policy.
type CORS struct {
	AllowOrigins     []string // origins ("https://app.example.com"), or "*"
	AllowMethods     []string // default: the route's method
	AllowHeaders     []string // default: content-type, x-api-key
	ExposeHeaders    []string
	MaxAge           int // seconds a preflight answer may be cached; 0: not said
	AllowCredentials bool
}

// Route modes and mappings.
const (
	ModeAsync      = "async"
	ModeSync       = "sync"
	MappingDefault = "default"
	MappingBody    = "body"
	// MethodAny is the method of a route that takes every method.
	MethodAny = "ANY"
)

// DefaultRouteMaxBodyBytes is a route's default body limit: Step Functions'
// 256 KiB limit on an execution's input.
const DefaultRouteMaxBodyBytes = 256 * 1024

// DefaultSyncTimeout is a sync route's default bound: an Express
// workflow's five minutes.
const DefaultSyncTimeout = 5 * time.Minute

// FieldError is a problem with one field of a route: Field is a path
// relative to the route ("path", "cors.allowOrigins[1]"), "" for the whole
// route.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// RouteError is a FieldError of the route at Index in a list of routes.
type RouteError struct {
	Index int
	FieldError
}

var routeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions, MethodAny}

// withDefaults fills the fields left empty.
func (r Route) withDefaults() Route {
	r.Method = strings.ToUpper(r.Method)
	if r.Mode == "" {
		r.Mode = ModeAsync
	}
	if r.Mapping == "" {
		r.Mapping = MappingDefault
	}
	if r.Mode == ModeSync && r.ErrorStatus == 0 {
		r.ErrorStatus = http.StatusInternalServerError
	}
	if r.Mode == ModeSync && r.Timeout == 0 {
		r.Timeout = DefaultSyncTimeout
	}
	if r.MaxBodyBytes == 0 {
		r.MaxBodyBytes = DefaultRouteMaxBodyBytes
	}
	if r.RateLimit != nil && r.RateLimit.Burst == 0 {
		rl := *r.RateLimit
		rl.Burst = max(1, int(math.Ceil(rl.RequestsPerSecond)))
		r.RateLimit = &rl
	}
	return r
}

// Key is the route's "METHOD /path" (API Gateway's route key).
func (r Route) Key() string { return strings.ToUpper(r.Method) + " " + r.Path }

// Validate reports every problem of one route on its own (not its
// conflicts with others: CheckRoutes; nor whether its state machine
// exists).
func (r Route) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if r.Method == "" {
		add("method", "required")
	} else if !slices.Contains(routeMethods, strings.ToUpper(r.Method)) {
		add("method", "%q is not one of %s", r.Method, strings.Join(routeMethods, ", "))
	}
	if r.Path == "" {
		add("path", "required")
	} else if _, err := parsePathTemplate(r.Path); err != nil {
		add("path", "%v", err)
	} else if r.Path == "/api/v1" || strings.HasPrefix(r.Path, "/api/v1/") {
		add("path", "%q is reserved for the management API (/api/v1)", r.Path)
	} else if r.Path == "/" && (strings.EqualFold(r.Method, http.MethodPost) || strings.EqualFold(r.Method, MethodAny)) {
		add("path", "POST / is the endpoint of the AWS protocols (Step Functions' API); a user route may not take it")
	}
	switch {
	case r.Queue != "" && r.StateMachine != "":
		add("queue", "a route runs a state machine or sends to a queue, not both")
	case r.Queue != "":
		for _, f := range []struct {
			name string
			set  bool
		}{{"mode", r.Mode != ""}, {"mapping", r.Mapping != ""}, {"errorStatus", r.ErrorStatus != 0}, {"timeout", r.Timeout != 0}} {
			if f.set {
				add(f.name, "applies to routes to state machines only")
			}
		}
	case r.StateMachine == "":
		add("stateMachine", "required")
	case r.MessageGroupID != "":
		add("messageGroupId", "applies to routes to queues only")
	}
	switch r.Mode {
	case "", ModeAsync:
		if r.Queue != "" {
			break // said above
		}
		if r.ErrorStatus != 0 {
			add("errorStatus", "applies to sync routes only")
		}
		if r.Timeout != 0 {
			add("timeout", "applies to sync routes only")
		}
	case ModeSync:
	default:
		add("mode", "%q is neither async nor sync", r.Mode)
	}
	switch r.Mapping {
	case "", MappingDefault, MappingBody:
	default:
		add("mapping", "%q is neither default nor body", r.Mapping)
	}
	if r.ErrorStatus != 0 && (r.ErrorStatus < 400 || r.ErrorStatus > 599) {
		add("errorStatus", "%d is not an error status (400 to 599)", r.ErrorStatus)
	}
	if r.Timeout < 0 {
		add("timeout", "must be positive")
	}
	if r.MaxBodyBytes < 0 {
		add("maxBodyBytes", "must be positive")
	}
	seen := map[string]int{}
	for i, k := range r.APIKeys {
		field := fmt.Sprintf("apiKeys[%d]", i)
		switch {
		case len(k) < 8:
			add(field, "an API key must be at least 8 characters long")
		case strings.ContainsFunc(k, func(c rune) bool { return c <= ' ' || c == 0x7f }):
			add(field, "an API key may not contain white space or control characters")
		}
		if j, ok := seen[k]; ok {
			add(field, "the same key as apiKeys[%d]", j)
		}
		seen[k] = i
	}
	if rl := r.RateLimit; rl != nil {
		if !(rl.RequestsPerSecond > 0) || math.IsInf(rl.RequestsPerSecond, 0) {
			add("rateLimit.requestsPerSecond", "must be a positive number")
		}
		if rl.Burst < 0 {
			add("rateLimit.burst", "must be positive")
		}
	}
	if c := r.CORS; c != nil {
		if len(c.AllowOrigins) == 0 {
			add("cors.allowOrigins", "required: the origins allowed, or \"*\"")
		}
		for i, o := range c.AllowOrigins {
			if o == "*" {
				if c.AllowCredentials {
					add(fmt.Sprintf("cors.allowOrigins[%d]", i), "\"*\" may not be used with allowCredentials")
				}
				continue
			}
			if !corsOriginRE.MatchString(o) {
				add(fmt.Sprintf("cors.allowOrigins[%d]", i), "%q is not an origin (scheme://host[:port]) nor \"*\"", o)
			}
		}
		for i, m := range c.AllowMethods {
			if m != "*" && !slices.Contains(routeMethods[:len(routeMethods)-1], strings.ToUpper(m)) {
				add(fmt.Sprintf("cors.allowMethods[%d]", i), "%q is not an HTTP method", m)
			}
		}
		for i, h := range append(slices.Clip(c.AllowHeaders), c.ExposeHeaders...) {
			if !corsHeaderRE.MatchString(h) {
				field := fmt.Sprintf("cors.allowHeaders[%d]", i)
				if i >= len(c.AllowHeaders) {
					field = fmt.Sprintf("cors.exposeHeaders[%d]", i-len(c.AllowHeaders))
				}
				add(field, "%q is not a header name", h)
			}
		}
		if c.MaxAge < 0 {
			add("cors.maxAge", "must be positive")
		}
	}
	return errs
}

var (
	corsOriginRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\s]+$`)
	corsHeaderRE = regexp.MustCompile("^(\\*|[!#$%&'*+.^_`|~0-9A-Za-z-]+)$")
)

// CheckRoutes reports every problem of a list of routes: each route's own
// (Validate) and the pairs that would take the same requests. It does not
// check that the state machines exist.
func CheckRoutes(routes []Route) []RouteError {
	var errs []RouteError
	shapes := map[string]int{}
	for i, r := range routes {
		for _, e := range r.Validate() {
			errs = append(errs, RouteError{i, e})
		}
		t, err := parsePathTemplate(r.Path)
		if err != nil {
			continue
		}
		key := strings.ToUpper(r.Method) + " " + t.shape()
		if j, ok := shapes[key]; ok {
			errs = append(errs, RouteError{i, FieldError{"path", fmt.Sprintf("%s takes the same requests as route %d (%s)", r.Key(), j, routes[j].Key())}})
			continue
		}
		shapes[key] = i
	}
	return errs
}

// routeKeyID names an API key without revealing it: the first 12 hex digits of
// its SHA-256. Executions started with a key carry it in their name, and
// that key may read them through the management API.
func routeKeyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

// Segment kinds, in increasing order of specificity.
const (
	segGreedy = iota
	segParam
	segLiteral
)

type pathSegment struct {
	kind int
	text string // the literal, or the parameter's name
}

// pathTemplate is a compiled path template.
type pathTemplate struct {
	segs []pathSegment
}

var pathParamRE = regexp.MustCompile(`^\{([A-Za-z0-9_.-]+)(\+?)\}$`)

// parsePathTemplate compiles a path template: "/", or "/" and segments joined by
// "/", each a literal, a {name} or, last, a {name+}.
func parsePathTemplate(p string) (pathTemplate, error) {
	if !strings.HasPrefix(p, "/") {
		return pathTemplate{}, fmt.Errorf("%q must start with /", p)
	}
	if p == "/" {
		return pathTemplate{}, nil
	}
	var t pathTemplate
	names := map[string]bool{}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		switch m := pathParamRE.FindStringSubmatch(s); {
		case s == "":
			return pathTemplate{}, fmt.Errorf("%q has an empty segment (a doubled or trailing /)", p)
		case m != nil:
			if names[m[1]] {
				return pathTemplate{}, fmt.Errorf("%q names the parameter {%s} twice", p, m[1])
			}
			names[m[1]] = true
			kind := segParam
			if m[2] == "+" {
				if i != len(parts)-1 {
					return pathTemplate{}, fmt.Errorf("%q: the greedy parameter {%s+} must be the last segment", p, m[1])
				}
				kind = segGreedy
			}
			t.segs = append(t.segs, pathSegment{kind, m[1]})
		case strings.ContainsAny(s, "{}"):
			return pathTemplate{}, fmt.Errorf("%q: the segment %q is neither a literal nor a whole {parameter} (names are letters, digits, _ . -)", p, s)
		case strings.ContainsFunc(s, func(c rune) bool { return c <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '%' }):
			return pathTemplate{}, fmt.Errorf("%q: the segment %q has a character a path template may not hold (space, control, ? # %%)", p, s)
		default:
			t.segs = append(t.segs, pathSegment{segLiteral, s})
		}
	}
	return t, nil
}

// shape is the template with its parameters' names erased: two templates
// of one shape match the same paths.
func (t pathTemplate) shape() string {
	var b strings.Builder
	for _, s := range t.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.text)
		case segParam:
			b.WriteString("{}")
		case segGreedy:
			b.WriteString("{+}")
		}
	}
	return b.String()
}

// match matches a request path's decoded segments; params holds the
// parameters' values when it matches.
func (t pathTemplate) match(segs []string) (params map[string]string, ok bool) {
	params = map[string]string{}
	for i, s := range t.segs {
		if s.kind == segGreedy {
			if i >= len(segs) {
				return nil, false
			}
			params[s.text] = strings.Join(segs[i:], "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if s.kind == segLiteral && s.text != segs[i] {
			return nil, false
		}
		if s.kind == segParam {
			params[s.text] = segs[i]
		}
	}
	return params, len(segs) == len(t.segs)
}

// moreSpecific reports whether t ranks before u for a path both match:
// at the first segment where they differ, a literal beats a parameter,
// which beats a greedy parameter.
func (t pathTemplate) moreSpecific(u pathTemplate) bool {
	for i := 0; i < len(t.segs) && i < len(u.segs); i++ {
		if t.segs[i].kind != u.segs[i].kind {
			return t.segs[i].kind > u.segs[i].kind
		}
	}
	return len(t.segs) > len(u.segs)
}
