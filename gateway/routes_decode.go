package gateway

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// DecodeRoute builds a Route from its generic form: a JSON object decoded
// into map[string]any (the management API) or a YAML mapping decoded the
// same way (the configuration file). It reports every unknown key and
// every value of the wrong type; what the values mean is Validate's to
// check. The keys are the camelCase names of Route's fields: method, path,
// stateMachine (or queue and messageGroupId), mode, mapping, errorStatus, apiKeys, public, keepHeaders, rateLimit
// (requestsPerSecond, burst), cors (allowOrigins, allowMethods,
// allowHeaders, exposeHeaders, maxAge, allowCredentials), maxBodyBytes,
// timeout (a duration such as "30s", or seconds).
func DecodeRoute(v any) (Route, []FieldError) {
	d := &routeDecoder{}
	var r Route
	d.object("", v, map[string]func(string, any){
		"method":         func(f string, v any) { r.Method = d.str(f, v) },
		"path":           func(f string, v any) { r.Path = d.str(f, v) },
		"stateMachine":   func(f string, v any) { r.StateMachine = d.str(f, v) },
		"queue":          func(f string, v any) { r.Queue = d.str(f, v) },
		"messageGroupId": func(f string, v any) { r.MessageGroupID = d.str(f, v) },
		"mode":           func(f string, v any) { r.Mode = d.str(f, v) },
		"mapping":        func(f string, v any) { r.Mapping = d.str(f, v) },
		"errorStatus":    func(f string, v any) { r.ErrorStatus = int(d.integer(f, v)) },
		"apiKeys":        func(f string, v any) { r.APIKeys = d.strs(f, v) },
		"public":         func(f string, v any) { r.Public = d.boolean(f, v) },
		"keepHeaders":    func(f string, v any) { r.KeepHeaders = d.strs(f, v) },
		"maxBodyBytes":   func(f string, v any) { r.MaxBodyBytes = d.integer(f, v) },
		"timeout":        func(f string, v any) { r.Timeout = d.duration(f, v) },
		"rateLimit": func(f string, v any) {
			rl := &RateLimit{}
			d.object(f, v, map[string]func(string, any){
				"requestsPerSecond": func(f string, v any) { rl.RequestsPerSecond = d.number(f, v) },
				"burst":             func(f string, v any) { rl.Burst = int(d.integer(f, v)) },
			})
			r.RateLimit = rl
		},
		"cors": func(f string, v any) {
			c := &CORS{}
			d.object(f, v, map[string]func(string, any){
				"allowOrigins":     func(f string, v any) { c.AllowOrigins = d.strs(f, v) },
				"allowMethods":     func(f string, v any) { c.AllowMethods = d.strs(f, v) },
				"allowHeaders":     func(f string, v any) { c.AllowHeaders = d.strs(f, v) },
				"exposeHeaders":    func(f string, v any) { c.ExposeHeaders = d.strs(f, v) },
				"maxAge":           func(f string, v any) { c.MaxAge = int(d.integer(f, v)) },
				"allowCredentials": func(f string, v any) { c.AllowCredentials = d.boolean(f, v) },
			})
			r.CORS = c
		},
	})
	return r, d.errs
}

// routeDecoder reads generic values, collecting a FieldError for each value of
// the wrong type.
type routeDecoder struct{ errs []FieldError }

func (d *routeDecoder) fail(field, format string, args ...any) {
	d.errs = append(d.errs, FieldError{field, fmt.Sprintf(format, args...)})
}

func fieldPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// object calls fields[key] for each key of the object v, in key order, and
// reports the unknown keys.
func (d *routeDecoder) object(field string, v any, fields map[string]func(string, any)) {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(field, "must be an object, got %s", valueKind(v))
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			known := make([]string, 0, len(fields))
			for k := range fields {
				known = append(known, k)
			}
			slices.Sort(known)
			d.fail(fieldPath(field, k), "unknown key (known: %s)", strings.Join(known, ", "))
			continue
		}
		f(fieldPath(field, k), m[k])
	}
}

func (d *routeDecoder) str(field string, v any) string {
	s, ok := v.(string)
	if !ok {
		d.fail(field, "must be a string, got %s", valueKind(v))
	}
	return s
}

func (d *routeDecoder) strs(field string, v any) []string {
	a, ok := v.([]any)
	if !ok {
		d.fail(field, "must be a list of strings, got %s", valueKind(v))
		return nil
	}
	out := make([]string, 0, len(a))
	for i, x := range a {
		out = append(out, d.str(fmt.Sprintf("%s[%d]", field, i), x))
	}
	return out
}

func (d *routeDecoder) boolean(field string, v any) bool {
	b, ok := v.(bool)
	if !ok {
		d.fail(field, "must be true or false, got %s", valueKind(v))
	}
	return b
}

func (d *routeDecoder) number(field string, v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float64:
		return x
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
	}
	d.fail(field, "must be a number, got %s", valueKind(v))
	return 0
}

func (d *routeDecoder) integer(field string, v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
	}
	d.fail(field, "must be a whole number, got %s", valueKind(v))
	return 0
}

// duration reads "30s", "5m", ... or a number of seconds.
func (d *routeDecoder) duration(field string, v any) time.Duration {
	if s, ok := v.(string); ok {
		t, err := time.ParseDuration(s)
		if err != nil {
			d.fail(field, "%q is not a duration (such as 30s or 5m)", s)
		}
		return t
	}
	n := d.number(field, v)
	return time.Duration(n * float64(time.Second))
}

// valueKind names a generic value's type for a message.
func valueKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprint(x)
	case int, int64, uint64, float64, json.Number:
		return fmt.Sprintf("the number %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
