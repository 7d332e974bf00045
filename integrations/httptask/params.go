package httptask

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl/jsontext"
	"github.com/signalbox/signalbox/integrations"
)

// The values of Transform's fields.
const (
	encodingNone = "NONE"
	encodingURL  = "URL_ENCODED"

	arrayIndices  = "INDICES"
	arrayBrackets = "BRACKETS"
	arrayRepeat   = "REPEAT"
	arrayCommas   = "COMMAS"
)

// methods are the methods an HTTP Task may use.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, http.MethodHead}

// forbiddenHeaders are the headers AWS refuses in an HTTP Task (lower
// case); forbiddenPrefixes are the prefixes it refuses.
var (
	forbiddenHeaders = []string{
		"a-im", "accept-charset", "accept-datetime", "accept-encoding", "authorization", "cache-control",
		"connection", "content-encoding", "content-md5", "date", "expect", "forwarded", "from", "host",
		"http2-settings", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
		"max-forwards", "origin", "pragma", "proxy-authorization", "referer", "server", "te", "trailer",
		"transfer-encoding", "upgrade", "via", "warning",
	}
	forbiddenPrefixes = []string{"x-forwarded-", "x-amz-", "x-amzn-"}
)

// call is a validated HTTP Task call.
type call struct {
	method      string
	endpoint    *url.URL // with QueryParameters appended
	header      http.Header
	body        []byte
	hasBody     bool
	contentType string // the body's default Content-Type
	connection  string // the ConnectionArn, if any
}

// clone is a copy of c that changes to c leave alone.
func (c *call) clone() *call {
	d := *c
	u := *c.endpoint
	d.endpoint = &u
	d.header = c.header.Clone()
	d.body = bytes.Clone(c.body)
	return &d
}

// invalid is the failure of a task whose parameters are wrong.
func invalid(format string, args ...any) *integrations.Error {
	return &integrations.Error{Name: "States.Runtime", Cause: "http:invoke: " + fmt.Sprintf(format, args...)}
}

// parse validates an HTTP Task's parameters.
func parse(params any) (*call, error) {
	p, ok := params.(map[string]any)
	if !ok {
		return nil, invalid("the parameters must be an object with ApiEndpoint and Method, not %s", kind(params))
	}
	for _, k := range sortedKeys(p) {
		switch k {
		case "ApiEndpoint", "Method", "Headers", "QueryParameters", "RequestBody", "Transform", "Authentication", "InvocationConfig":
		default:
			return nil, invalid("the parameter %q is not a field of an HTTP Task (ApiEndpoint, Method, Authentication, Headers, QueryParameters, RequestBody, Transform)", k)
		}
	}
	c := &call{header: http.Header{}}
	if err := c.parseEndpoint(p); err != nil {
		return nil, err
	}
	m, ok := p["Method"].(string)
	if !ok {
		return nil, invalid("Method is required: a string, one of %s", strings.Join(methods, ", "))
	}
	if !slices.Contains(methods, m) {
		return nil, invalid("Method %q is not supported: use one of %s", m, strings.Join(methods, ", "))
	}
	c.method = m
	if err := c.parseConnection(p); err != nil {
		return nil, err
	}
	if err := c.parseHeaders(p["Headers"]); err != nil {
		return nil, err
	}
	if err := c.parseQuery(p["QueryParameters"]); err != nil {
		return nil, err
	}
	return c, c.parseBody(p)
}

func (c *call) parseEndpoint(p map[string]any) error {
	s, ok := p["ApiEndpoint"].(string)
	if !ok || s == "" {
		return invalid("ApiEndpoint is required: the URL to call, a string")
	}
	u, err := url.Parse(s)
	if err != nil {
		return invalid("ApiEndpoint %q is not a URL: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("ApiEndpoint %q is not an http or https URL", s)
	}
	u.Fragment, u.RawFragment = "", ""
	c.endpoint = u
	return nil
}

func (c *call) parseConnection(p map[string]any) error {
	for _, field := range []string{"Authentication", "InvocationConfig"} {
		v, ok := p[field]
		if !ok {
			continue
		}
		o, ok := v.(map[string]any)
		if !ok {
			return invalid("%s must be an object with a ConnectionArn, not %s", field, kind(v))
		}
		for k := range o {
			if k != "ConnectionArn" {
				return invalid("%s.%s is not supported: %s has only ConnectionArn", field, k, field)
			}
		}
		arn, ok := o["ConnectionArn"].(string)
		if !ok || arn == "" {
			return invalid("%s.ConnectionArn is required: the ARN of an EventBridge connection, a string", field)
		}
		c.connection = arn
	}
	return nil
}

func (c *call) parseHeaders(v any) error {
	if v == nil {
		return nil
	}
	h, ok := v.(map[string]any)
	if !ok {
		return invalid("Headers must be an object of header values, not %s", kind(v))
	}
	for _, name := range sortedKeys(h) {
		if !validHeaderName(name) {
			return invalid("Headers: %q is not a valid header name", name)
		}
		lower := strings.ToLower(name)
		if slices.Contains(forbiddenHeaders, lower) || slices.ContainsFunc(forbiddenPrefixes, func(p string) bool { return strings.HasPrefix(lower, p) }) {
			return invalid("Headers: the header %q is not allowed in an HTTP Task", name)
		}
		if strings.EqualFold(name, IdempotencyHeader) {
			return invalid("Headers: the header %q is set by Signalbox, not by the task", name)
		}
		values, err := scalars(h[name])
		if err != nil {
			return invalid("Headers: %s: %v", name, err)
		}
		for _, s := range values {
			if strings.ContainsAny(s, "\r\n\x00") {
				return invalid("Headers: the value of %q holds a line break or NUL", name)
			}
			c.header.Add(name, s)
		}
	}
	return nil
}

func (c *call) parseQuery(v any) error {
	if v == nil {
		return nil
	}
	q, ok := v.(map[string]any)
	if !ok {
		return invalid("QueryParameters must be an object of parameter values, not %s", kind(v))
	}
	values := c.endpoint.Query()
	for _, name := range sortedKeys(q) {
		list, err := scalars(q[name])
		if err != nil {
			return invalid("QueryParameters: %s: %v", name, err)
		}
		for _, s := range list {
			values.Add(name, s)
		}
	}
	c.endpoint.RawQuery = values.Encode()
	return nil
}

func (c *call) parseBody(p map[string]any) error {
	encoding, format := encodingNone, arrayIndices
	if v, ok := p["Transform"]; ok {
		t, ok := v.(map[string]any)
		if !ok {
			return invalid("Transform must be an object, not %s", kind(v))
		}
		for _, k := range sortedKeys(t) {
			if k != "RequestBodyEncoding" && k != "RequestEncodingOptions" {
				return invalid("Transform.%s is not supported: Transform has RequestBodyEncoding and RequestEncodingOptions", k)
			}
		}
		if v, ok := t["RequestBodyEncoding"]; ok {
			s, _ := v.(string)
			if s != encodingNone && s != encodingURL {
				return invalid("Transform.RequestBodyEncoding must be NONE or URL_ENCODED, not %s", show(v))
			}
			encoding = s
		}
		if v, ok := t["RequestEncodingOptions"]; ok {
			o, ok := v.(map[string]any)
			if !ok {
				return invalid("Transform.RequestEncodingOptions must be an object, not %s", kind(v))
			}
			for k, v := range o {
				if k != "ArrayFormat" {
					return invalid("Transform.RequestEncodingOptions.%s is not supported: the options have ArrayFormat", k)
				}
				s, _ := v.(string)
				if !slices.Contains([]string{arrayIndices, arrayBrackets, arrayRepeat, arrayCommas}, s) {
					return invalid("Transform.RequestEncodingOptions.ArrayFormat must be BRACKETS, COMMAS, REPEAT or INDICES, not %s", show(v))
				}
				format = s
			}
		}
	}
	body, ok := p["RequestBody"]
	if !ok {
		return nil
	}
	c.hasBody = true
	if encoding == encodingURL {
		o, ok := body.(map[string]any)
		if !ok {
			return invalid("RequestBody must be an object to be URL_ENCODED, not %s", kind(body))
		}
		s, err := encodeForm(o, format)
		if err != nil {
			return invalid("RequestBody: %v", err)
		}
		c.body, c.contentType = []byte(s), "application/x-www-form-urlencoded"
		return nil
	}
	if s, ok := body.(string); ok {
		c.body, c.contentType = []byte(s), "text/plain; charset=UTF-8"
		return nil
	}
	b, err := marshal(body)
	if err != nil {
		return invalid("RequestBody cannot be sent as JSON: %v", err)
	}
	c.body, c.contentType = b, "application/json; charset=UTF-8"
	return nil
}

// scalars renders a header or query value: a scalar, or an array of them.
func scalars(v any) ([]string, error) {
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := scalar(e)
			if !ok {
				return nil, fmt.Errorf("an array's items must be strings, numbers or booleans, not %s", kind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, fmt.Errorf("a value must be a string, a number, a boolean or an array of them, not %s", kind(v))
	}
	return []string{s}, nil
}

// scalar renders a string, number or boolean as text.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		b, err := marshal(x)
		return string(b), err == nil
	}
	return "", false
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// kind names a decoded JSON value's type for an error message.
func kind(v any) string { return jsontext.KindPhrase(v) }

// show renders a value for an error message.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return kind(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
