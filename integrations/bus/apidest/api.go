// Package apidest invokes EventBridge API destinations: an HTTP endpoint
// with a connection's authorization (API key, basic, OAuth client
// credentials, the token fetched from the authorization endpoint, cached
// and renewed when it expires or is refused), the connection's invocation
// parameters (headers, query string, body fields) and a target's
// HttpParameters, at most InvocationRateLimitPerSecond per destination.
// An answer is classified as AWS classifies it: 2xx delivered; 401, 407,
// 409, 429 and 5xx retried; other 4xx not retried.
//
// The reference is AWS's "API destinations as targets in Amazon
// EventBridge" and "Connections for HTTP endpoint targets" pages, and the
// API reference's CreateConnection and CreateApiDestination.
package apidest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Parameter is a connection's invocation parameter (key, value; secret
// values are never shown back).
type Parameter struct {
	Key           string `json:"Key"`
	Value         string `json:"Value"`
	IsValueSecret bool   `json:"IsValueSecret,omitempty"`
}

// InvocationParameters are added to every call through a connection.
type InvocationParameters struct {
	HeaderParameters      []Parameter `json:"HeaderParameters,omitempty"`
	QueryStringParameters []Parameter `json:"QueryStringParameters,omitempty"`
	BodyParameters        []Parameter `json:"BodyParameters,omitempty"`
}

// Auth is a connection's authorization: exactly one of its kinds, by
// Type (BASIC, API_KEY, OAUTH_CLIENT_CREDENTIALS).
type Auth struct {
	Type string `json:"AuthorizationType"`
	// BASIC
	Username, Password string
	// API_KEY
	APIKeyName, APIKeyValue string
	// OAUTH_CLIENT_CREDENTIALS
	AuthorizationEndpoint string
	HTTPMethod            string // GET, POST or PUT
	ClientID              string
	ClientSecret          string
	OAuthParameters       InvocationParameters // sent to the authorization endpoint
	Invocation            InvocationParameters
}

// Call is one invocation of an API destination.
type Call struct {
	Destination string // the destination's ARN: rate limits and token caches are per destination / connection
	Connection  string // the connection's ARN
	Endpoint    string // InvocationEndpoint, with * wildcards for PathParameterValues
	Method      string
	Auth        Auth
	PathParams  []string
	Headers     map[string]string
	Query       map[string]string
	Body        []byte
	RateLimit   int // invocations per second, 0 for none
}

// Result is what a call came to.
type Result struct {
	Status    int
	Retryable bool
	Reason    string
}

// DefaultTimeout is how long a call may take: "EventBridge requests to an
// API destination endpoint must have a maximum client execution timeout
// of five seconds" (AWS re:Post, "I want to successfully invoke my
// EventBridge API destination target").
const DefaultTimeout = 5 * time.Second

// Invoker makes calls; one per process (it holds the tokens and the rate
// limiters).
type Invoker struct {
	client *http.Client
	// Timeout bounds one HTTP exchange (a token fetch or a call);
	// DefaultTimeout when zero.
	Timeout time.Duration
	// now is the clock tokens expire by (tests move it).
	now func() time.Time

	mu       sync.Mutex
	tokens   map[string]*tokenEntry   // by connection ARN
	limiters map[string]*rate.Limiter // by destination ARN
}

// NewInvoker returns an Invoker using client (http.DefaultClient when nil).
func NewInvoker(client *http.Client) *Invoker {
	if client == nil {
		client = http.DefaultClient
	}
	return &Invoker{client: client, now: time.Now, tokens: map[string]*tokenEntry{}, limiters: map[string]*rate.Limiter{}}
}

// Invoke makes a call. A transport error is a retryable Result, not an
// error; the error is for a call that cannot be made (bad endpoint).
func (v *Invoker) Invoke(ctx context.Context, c *Call) (Result, error) {
	req, err := build(c)
	if err != nil {
		return Result{}, err
	}
	if err := v.wait(ctx, c); err != nil {
		return Result{Retryable: true, Reason: "waiting for the destination's rate limit: " + err.Error()}, nil
	}
	if c.Auth.Type != AuthOAuth {
		return v.send(ctx, req, ""), nil
	}
	tok, res, ok := v.token(ctx, c)
	if !ok {
		return res, nil
	}
	res = v.send(ctx, req, tok)
	if res.Status == http.StatusUnauthorized || res.Status == http.StatusProxyAuthRequired {
		// The token was refused: fetch a new one, once ("Connections":
		// EventBridge refreshes the token when the endpoint refuses it).
		v.dropToken(c.Connection, tok)
		tok, res2, ok := v.token(ctx, c)
		if !ok {
			return res2, nil
		}
		res = v.send(ctx, req, tok)
	}
	return res, nil
}

// send makes one HTTP exchange of req (with bearer token tok when set).
func (v *Invoker) send(ctx context.Context, req *request, tok string) Result {
	ctx, cancel := context.WithTimeout(ctx, v.timeout())
	defer cancel()
	hr, err := req.http(ctx, tok)
	if err != nil {
		return Result{Reason: err.Error()} // unreachable: build checked the URL
	}
	resp, err := v.client.Do(hr)
	if err != nil {
		return Result{Retryable: true, Reason: fmt.Sprintf("%s %s: %v", req.method, req.url, errors.Unwrap(err))}
	}
	drain(resp)
	return classify(resp.StatusCode)
}

func (v *Invoker) timeout() time.Duration {
	if v.Timeout > 0 {
		return v.Timeout
	}
	return DefaultTimeout
}

// Forget drops what is cached for a connection (its token), as
// DeauthorizeConnection and UpdateConnection must.
func (v *Invoker) Forget(connectionARN string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.tokens, connectionARN)
}
