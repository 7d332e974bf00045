package apidest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A connection of type OAUTH_CLIENT_CREDENTIALS gets its token from the
// authorization endpoint ("Connections for HTTP endpoint targets",
// "OAuth client credentials"): a request with the client ID and secret
// (HTTP Basic, RFC 6749 section 2.3.1) and the connection's
// OAuthHttpParameters (headers, query string and body fields; a body is
// JSON unless those headers ask for a form), answered with
// {"access_token", "expires_in"}. The token is kept until expires_in has
// passed, or until an endpoint refuses it (401 or 407): then one new
// token is fetched and the call made once more.

// tokenEntry is one connection's token. mu is held while a token is
// fetched, so that concurrent calls wait for one fetch.
type tokenEntry struct {
	mu      sync.Mutex
	key     string // the auth the token was fetched with: a changed connection fetches anew
	token   string
	expires time.Time // zero: until refused
}

// maxTokenResponse bounds the authorization endpoint's answer read.
const maxTokenResponse = 64 << 10

// token returns c's connection's token, fetching one when there is none.
// When it cannot, ok is false and res says why.
func (v *Invoker) token(ctx context.Context, c *Call) (tok string, res Result, ok bool) {
	key := authKey(&c.Auth)
	v.mu.Lock()
	e := v.tokens[c.Connection]
	if e == nil {
		e = &tokenEntry{}
		v.tokens[c.Connection] = e
	}
	v.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token != "" && e.key == key && (e.expires.IsZero() || v.now().Before(e.expires)) {
		return e.token, Result{}, true
	}
	tok, ttl, res, ok := v.fetchToken(ctx, &c.Auth)
	if !ok {
		return "", res, false
	}
	e.key, e.token, e.expires = key, tok, time.Time{}
	if ttl > 0 {
		e.expires = v.now().Add(ttl)
	}
	return tok, Result{}, true
}

// dropToken forgets connection's token if it is still tok (another call
// may have replaced it already).
func (v *Invoker) dropToken(connection, tok string) {
	v.mu.Lock()
	e := v.tokens[connection]
	v.mu.Unlock()
	if e == nil {
		return
	}
	e.mu.Lock()
	if e.token == tok {
		e.token = ""
	}
	e.mu.Unlock()
}

// authKey identifies the auth a token was fetched with.
func authKey(a *Auth) string {
	return a.AuthorizationEndpoint + "\x00" + a.HTTPMethod + "\x00" + a.ClientID + "\x00" + a.ClientSecret
}

// fetchToken asks the authorization endpoint for a token.
func (v *Invoker) fetchToken(ctx context.Context, a *Auth) (string, time.Duration, Result, bool) {
	req, err := tokenRequest(ctx, a, v.timeout())
	if err != nil {
		return "", 0, Result{Reason: err.Error()}, false
	}
	defer req.cancel()
	resp, err := v.client.Do(req.Request)
	if err != nil {
		return "", 0, Result{Retryable: true, Reason: "authorization endpoint: " + err.Error()}, false
	}
	defer drain(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A refusal of the client's credentials is not retried (AWS
		// deauthorizes such a connection); a busy or failing server is.
		r := classify(resp.StatusCode)
		r.Reason = "authorization endpoint: " + r.Reason
		r.Retryable = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		return "", 0, r, false
	}
	var body struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return "", 0, Result{Retryable: true, Reason: "authorization endpoint: " + err.Error()}, false
	}
	if err := json.Unmarshal(data, &body); err != nil || body.AccessToken == "" {
		return "", 0, Result{Status: resp.StatusCode, Reason: "authorization endpoint: the answer has no access_token"}, false
	}
	return body.AccessToken, expiresIn(body.ExpiresIn), Result{}, true
}

// expiresIn reads expires_in, a number of seconds (some servers send it as
// a string); 0 when absent or unreadable.
func expiresIn(raw json.RawMessage) time.Duration {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 || n > 1e9 {
		return 0
	}
	return time.Duration(n * float64(time.Second))
}

type timedRequest struct {
	*http.Request
	cancel context.CancelFunc
}

// tokenRequest is the request to the authorization endpoint.
func tokenRequest(ctx context.Context, a *Auth, timeout time.Duration) (*timedRequest, error) {
	method := strings.ToUpper(a.HTTPMethod)
	if method == "" {
		method = http.MethodPost
	}
	u, err := url.Parse(a.AuthorizationEndpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("apidest: authorization endpoint %q is not an HTTP(S) URL", a.AuthorizationEndpoint)
	}
	p := a.OAuthParameters
	q := u.Query()
	for _, x := range p.QueryStringParameters {
		q.Set(x.Key, x.Value)
	}
	h := http.Header{}
	for _, x := range p.HeaderParameters {
		setHeader(h, x.Key, x.Value)
	}
	var body []byte
	if method != http.MethodGet {
		form := strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "application/x-www-form-urlencoded")
		if form {
			f := url.Values{}
			for _, x := range p.BodyParameters {
				f.Set(x.Key, x.Value)
			}
			if f.Get("grant_type") == "" {
				f.Set("grant_type", "client_credentials")
			}
			body = []byte(f.Encode())
		} else {
			m := map[string]string{}
			for _, x := range p.BodyParameters {
				m[x.Key] = x.Value
			}
			if m["grant_type"] == "" {
				m["grant_type"] = "client_credentials"
			}
			body, _ = json.Marshal(m)
			if h.Get("Content-Type") == "" {
				h.Set("Content-Type", defaultContentType)
			}
		}
	} else if q.Get("grant_type") == "" {
		q.Set("grant_type", "client_credentials")
	}
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("apidest: %w", err)
	}
	req.Header = h
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(a.ClientID)+":"+url.QueryEscape(a.ClientSecret))))
	return &timedRequest{Request: req, cancel: cancel}, nil
}
