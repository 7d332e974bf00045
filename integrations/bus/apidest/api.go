// Package apidest invokes EventBridge API destinations: an HTTP endpoint
// with a connection's authorization (API key, basic, OAuth client
// credentials, the token fetched from the authorization endpoint, cached
// and renewed when it expires or is refused), the connection's invocation
// parameters (headers, query string, body fields) and a target's
// HttpParameters, at most InvocationRateLimitPerSecond per destination.
// An answer is classified as AWS classifies it: 2xx delivered; 401, 407,
// 409, 429 and 5xx retried; other 4xx not retried.
//
// This file is the package's contract; the implementation replaces the
// bodies.
package apidest

import (
	"context"
	"errors"
	"net/http"
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

// Invoker makes calls; one per process (it holds the tokens and the rate
// limiters).
type Invoker struct{ client *http.Client }

// NewInvoker returns an Invoker using client.
func NewInvoker(client *http.Client) *Invoker { return &Invoker{client: client} }

// Invoke makes a call. A transport error is a retryable Result, not an
// error; the error is for a call that cannot be made (bad endpoint).
func (v *Invoker) Invoke(ctx context.Context, c *Call) (Result, error) {
	return Result{}, errors.New("apidest: not implemented")
}

// Forget drops what is cached for a connection (its token), as
// DeauthorizeConnection and UpdateConnection must.
func (v *Invoker) Forget(connectionARN string) {}
