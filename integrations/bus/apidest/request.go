package apidest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// UserAgent is the User-Agent EventBridge sends and does not let a caller
// replace.
const UserAgent = "Amazon/EventBridge/ApiDestinations"

// The headers EventBridge sets itself: a default Content-Type, and the
// range of the answer it reads ("API destinations as targets in Amazon
// EventBridge", "Headers in requests to API destinations").
const (
	defaultContentType = "application/json; charset=utf-8"
	rangeHeader        = "bytes=0-1048575"
)

// dropped are the headers EventBridge removes from a call's and a
// connection's header parameters (same page, "Headers that EventBridge
// removes from requests"): hop-by-hop and transport headers, conditional
// requests, and the ones it sets itself.
var dropped = map[string]bool{}

func init() {
	for _, h := range []string{
		"A-IM", "Accept-Charset", "Accept-Datetime", "Accept-Encoding", "Cache-Control", "Connection",
		"Content-Encoding", "Content-Length", "Content-MD5", "Date", "Expect", "Forwarded", "From", "Host",
		"HTTP2-Settings", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since",
		"Max-Forwards", "Origin", "Pragma", "Proxy-Authorization", "Range", "Referer", "TE", "Trailer",
		"Transfer-Encoding", "User-Agent", "Upgrade", "Via", "Warning",
	} {
		dropped[http.CanonicalHeaderKey(h)] = true
	}
}

// request is a call ready to send: every part but the OAuth token, which
// may change between the first try and the one after a 401.
type request struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// build checks a call and assembles its request. Where a connection's
// invocation parameter and the call's (the target's HttpParameters) name
// the same key, the connection's wins ("Connections for HTTP endpoint
// targets": the connection's parameters take precedence).
func build(c *Call) (*request, error) {
	method := strings.ToUpper(c.Method)
	if method == "" || method == http.MethodConnect || method == http.MethodTrace || !token(method) {
		return nil, fmt.Errorf("apidest: HTTP method %q is not supported (any but CONNECT and TRACE)", c.Method)
	}
	endpoint, err := fillPath(c.Endpoint, c.PathParams)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("apidest: invocation endpoint %q is not an HTTP(S) URL", c.Endpoint)
	}
	inv := c.Auth.Invocation

	q := u.Query()
	for k, val := range c.Query {
		q.Set(k, val)
	}
	for _, p := range inv.QueryStringParameters {
		q.Set(p.Key, p.Value)
	}
	u.RawQuery = q.Encode()

	h := http.Header{}
	for k, val := range c.Headers {
		setHeader(h, k, val)
	}
	for _, p := range inv.HeaderParameters {
		setHeader(h, p.Key, p.Value)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", defaultContentType)
	}
	h.Set("User-Agent", UserAgent)
	h.Set("Range", rangeHeader)
	switch c.Auth.Type {
	case AuthBasic:
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.Auth.Username+":"+c.Auth.Password)))
	case AuthAPIKey:
		h.Set(c.Auth.APIKeyName, c.Auth.APIKeyValue)
	}

	for k, vs := range h {
		if !token(k) || strings.ContainsAny(vs[0], "\r\n\x00") {
			return nil, fmt.Errorf("apidest: header %q is not a valid HTTP header", k)
		}
	}

	body := mergeBody(c.Body, inv.BodyParameters)
	if method == http.MethodGet || method == http.MethodHead {
		body = nil
	}
	return &request{method: method, url: u.String(), header: h, body: body}, nil
}

// setHeader sets a caller's header unless EventBridge removes it.
func setHeader(h http.Header, k, v string) {
	if k == "" || dropped[http.CanonicalHeaderKey(k)] {
		return
	}
	h.Set(k, v)
}

// fillPath replaces the endpoint's * wildcards with the path parameter
// values, in order ("PathParameterValues": "The path parameter values to
// be used to populate API Gateway API or EventBridge ApiDestination path
// wildcards ("*")"). Each value is escaped as one path segment.
func fillPath(endpoint string, params []string) (string, error) {
	n := strings.Count(endpoint, "*")
	if n != len(params) {
		return "", fmt.Errorf("apidest: the invocation endpoint has %d path wildcards and the call %d path parameter values", n, len(params))
	}
	if n == 0 {
		return endpoint, nil
	}
	var b strings.Builder
	i := 0
	for _, r := range endpoint {
		if r == '*' {
			b.WriteString(url.PathEscape(params[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// mergeBody adds the connection's body parameters to a body that is a JSON
// object (or empty); another body is sent as it is.
func mergeBody(body []byte, params []Parameter) []byte {
	if len(params) == 0 {
		return body
	}
	obj := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
			return body
		}
	}
	for _, p := range params {
		v, _ := json.Marshal(p.Value)
		obj[p.Key] = v
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// http is the request for one try, with bearer token tok when set.
func (r *request) http(ctx context.Context, tok string) (*http.Request, error) {
	var body *bytes.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	var hr *http.Request
	var err error
	if body != nil {
		hr, err = http.NewRequestWithContext(ctx, r.method, r.url, body)
	} else {
		hr, err = http.NewRequestWithContext(ctx, r.method, r.url, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("apidest: %w", err)
	}
	hr.Header = r.header.Clone()
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	return hr, nil
}

// token reports whether s is an HTTP token (a method's characters).
func token(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
