package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations/bus/apidest"
)

// A connection holds the authorization of API destinations: BASIC,
// API_KEY or OAUTH_CLIENT_CREDENTIALS, and parameters added to every call.
// Its secrets are kept in its record (the store is as trusted as the
// process: AWS keeps them in Secrets Manager) and never shown back. A
// connection is AUTHORIZED as soon as it is created or updated, OAuth's
// too: its token is fetched at the first invocation (apidest.Invoker), and
// a refused token is fetched again.

// The connection states AWS has; CREATING, UPDATING, AUTHORIZING and
// DEAUTHORIZING pass at once here.
const (
	ConnectionAuthorized   = "AUTHORIZED"
	ConnectionDeauthorized = "DEAUTHORIZED"
	ConnectionDeleting     = "DELETING"
)

// MaxConnections bounds the connections (AWS's quota: 50 per account and
// region; raisable).
const MaxConnections = 1000

// BasicAuthParameters, APIKeyAuthParameters, OAuthParameters and
// ConnectionAuthParameters are AWS's shapes of a connection's
// authorization (CreateConnection's AuthParameters).
type BasicAuthParameters struct {
	Username string `json:"Username,omitempty"`
	Password string `json:"Password,omitempty"`
}

type APIKeyAuthParameters struct {
	APIKeyName  string `json:"ApiKeyName,omitempty"`
	APIKeyValue string `json:"ApiKeyValue,omitempty"`
}

type OAuthClientParameters struct {
	ClientID     string `json:"ClientID,omitempty"`
	ClientSecret string `json:"ClientSecret,omitempty"`
}

type OAuthParameters struct {
	AuthorizationEndpoint string                        `json:"AuthorizationEndpoint,omitempty"`
	HTTPMethod            string                        `json:"HttpMethod,omitempty"`
	ClientParameters      *OAuthClientParameters        `json:"ClientParameters,omitempty"`
	OAuthHTTPParameters   *apidest.InvocationParameters `json:"OAuthHttpParameters,omitempty"`
}

type ConnectionAuthParameters struct {
	BasicAuthParameters      *BasicAuthParameters          `json:"BasicAuthParameters,omitempty"`
	APIKeyAuthParameters     *APIKeyAuthParameters         `json:"ApiKeyAuthParameters,omitempty"`
	OAuthParameters          *OAuthParameters              `json:"OAuthParameters,omitempty"`
	InvocationHTTPParameters *apidest.InvocationParameters `json:"InvocationHttpParameters,omitempty"`
}

// Connection is a connection as its record holds it (secrets included).
type Connection struct {
	Name               string                   `json:"Name"`
	ConnectionArn      string                   `json:"ConnectionArn"`
	Description        string                   `json:"Description,omitempty"`
	ConnectionState    string                   `json:"ConnectionState"`
	StateReason        string                   `json:"StateReason,omitempty"`
	AuthorizationType  string                   `json:"AuthorizationType"`
	AuthParameters     ConnectionAuthParameters `json:"AuthParameters"`
	SecretArn          string                   `json:"SecretArn"`
	CreationTime       time.Time                `json:"CreationTime"`
	LastModifiedTime   time.Time                `json:"LastModifiedTime"`
	LastAuthorizedTime time.Time                `json:"LastAuthorizedTime,omitzero"`
}

// CreateConnectionInput is CreateConnection's request.
type CreateConnectionInput struct {
	Name              string
	Description       string
	AuthorizationType string
	AuthParameters    ConnectionAuthParameters
}

func connectionErrMissing(name string) *Error {
	return notFoundf("Failed to describe the connection(s). Connection '%s' does not exist.", name)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// checkAuth checks that the parameters of the authorization type are
// given, and only those.
func checkAuth(typ string, p *ConnectionAuthParameters) *Error {
	n := 0
	for _, set := range []bool{p.BasicAuthParameters != nil, p.APIKeyAuthParameters != nil, p.OAuthParameters != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return validationf("Exactly one of BasicAuthParameters, ApiKeyAuthParameters or OAuthParameters must be specified, matching the AuthorizationType.")
	}
	switch typ {
	case "BASIC":
		b := p.BasicAuthParameters
		if b == nil || b.Username == "" || b.Password == "" {
			return validationf("BasicAuthParameters must be specified with a Username and a Password for AuthorizationType BASIC.")
		}
	case "API_KEY":
		k := p.APIKeyAuthParameters
		if k == nil || k.APIKeyName == "" || k.APIKeyValue == "" {
			return validationf("ApiKeyAuthParameters must be specified with an ApiKeyName and an ApiKeyValue for AuthorizationType API_KEY.")
		}
	case "OAUTH_CLIENT_CREDENTIALS":
		o := p.OAuthParameters
		if o == nil || o.AuthorizationEndpoint == "" || o.ClientParameters == nil || o.ClientParameters.ClientID == "" || o.ClientParameters.ClientSecret == "" {
			return validationf("OAuthParameters must be specified with an AuthorizationEndpoint, an HttpMethod and ClientParameters for AuthorizationType OAUTH_CLIENT_CREDENTIALS.")
		}
		if !strings.HasPrefix(o.AuthorizationEndpoint, "https://") && !strings.HasPrefix(o.AuthorizationEndpoint, "http://") {
			return validationf("Parameter AuthorizationEndpoint is not valid: it must be an HTTP(S) URL.")
		}
		switch o.HTTPMethod {
		case "GET", "POST", "PUT":
		default:
			return constraint(o.HTTPMethod, "authParameters.oAuthParameters.httpMethod", "Member must satisfy enum value set: [GET, PUT, POST]")
		}
	default:
		return constraint(typ, "authorizationType", "Member must satisfy enum value set: [OAUTH_CLIENT_CREDENTIALS, BASIC, API_KEY]")
	}
	return nil
}

// CreateConnection creates a connection, AUTHORIZED at once.
func (s *Service) CreateConnection(ctx context.Context, in *CreateConnectionInput) (*Connection, error) {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	if e := checkDescription(in.Description); e != nil {
		return nil, e
	}
	if e := checkAuth(in.AuthorizationType, &in.AuthParameters); e != nil {
		return nil, e
	}
	now := s.now().UTC()
	id := newID()
	c := &Connection{Name: in.Name, ConnectionArn: s.arn("connection/" + in.Name + "/" + id), Description: in.Description,
		ConnectionState: ConnectionAuthorized, AuthorizationType: in.AuthorizationType, AuthParameters: in.AuthParameters,
		SecretArn:    "arn:aws:secretsmanager:" + s.cfg.Region + ":" + s.cfg.AccountID + ":secret:events!connection/" + in.Name + "/" + id,
		CreationTime: now, LastModifiedTime: now, LastAuthorizedTime: now}
	if _, err := connectionRecords.create(ctx, s, c); err != nil {
		return nil, err
	}
	return c, nil
}

// connection reads a connection's record, secrets included.
func (s *Service) connection(ctx context.Context, name string) (*Connection, string, error) {
	return connectionRecords.read(ctx, s, name)
}

// hideSecrets returns c without its secrets, as DescribeConnection shows
// it: passwords, key values, client secrets and secret parameters' values
// go.
func hideSecrets(c *Connection) *Connection {
	out := *c
	p := c.AuthParameters
	if b := p.BasicAuthParameters; b != nil {
		p.BasicAuthParameters = &BasicAuthParameters{Username: b.Username}
	}
	if k := p.APIKeyAuthParameters; k != nil {
		p.APIKeyAuthParameters = &APIKeyAuthParameters{APIKeyName: k.APIKeyName}
	}
	if o := p.OAuthParameters; o != nil {
		oc := *o
		if o.ClientParameters != nil {
			oc.ClientParameters = &OAuthClientParameters{ClientID: o.ClientParameters.ClientID}
		}
		oc.OAuthHTTPParameters = hideParams(o.OAuthHTTPParameters)
		p.OAuthParameters = &oc
	}
	p.InvocationHTTPParameters = hideParams(p.InvocationHTTPParameters)
	out.AuthParameters = p
	return &out
}

func hideParams(ip *apidest.InvocationParameters) *apidest.InvocationParameters {
	if ip == nil {
		return nil
	}
	hide := func(ps []apidest.Parameter) []apidest.Parameter {
		out := make([]apidest.Parameter, len(ps))
		for i, p := range ps {
			out[i] = p
			if p.IsValueSecret {
				out[i].Value = ""
			}
		}
		return out
	}
	return &apidest.InvocationParameters{HeaderParameters: hide(ip.HeaderParameters),
		QueryStringParameters: hide(ip.QueryStringParameters), BodyParameters: hide(ip.BodyParameters)}
}

// connectionName is the connection a name or ARN names.
func (s *Service) connectionName(nameOrARN string) (string, *Error) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		n, ok := s.nameWithID(nameOrARN, "connection")
		if !ok {
			return "", connectionErrMissing(nameOrARN)
		}
		return n, nil
	}
	return nameOrARN, checkName(nameOrARN, "name", maxConnectionName)
}

// DescribeConnection returns a connection without its secrets.
func (s *Service) DescribeConnection(ctx context.Context, name string) (*Connection, error) {
	c, err := connectionRecords.describe(ctx, s, name)
	if err != nil {
		return nil, err
	}
	return hideSecrets(c), nil
}

// ConnectionAuth is a connection's authorization as apidest calls with
// it, secrets included: the data plane's (an API destination's call).
func (s *Service) ConnectionAuth(ctx context.Context, connectionARN string) (apidest.Auth, error) {
	name, e := s.connectionName(connectionARN)
	if e != nil {
		return apidest.Auth{}, e
	}
	c, _, err := s.connection(ctx, name)
	if err != nil {
		return apidest.Auth{}, err
	}
	if c.ConnectionState != ConnectionAuthorized {
		return apidest.Auth{}, validationf("Connection %s is %s.", name, c.ConnectionState)
	}
	p := c.AuthParameters
	a := apidest.Auth{Type: c.AuthorizationType}
	if b := p.BasicAuthParameters; b != nil {
		a.Username, a.Password = b.Username, b.Password
	}
	if k := p.APIKeyAuthParameters; k != nil {
		a.APIKeyName, a.APIKeyValue = k.APIKeyName, k.APIKeyValue
	}
	if o := p.OAuthParameters; o != nil {
		a.AuthorizationEndpoint, a.HTTPMethod = o.AuthorizationEndpoint, o.HTTPMethod
		if o.ClientParameters != nil {
			a.ClientID, a.ClientSecret = o.ClientParameters.ClientID, o.ClientParameters.ClientSecret
		}
		if o.OAuthHTTPParameters != nil {
			a.OAuthParameters = *o.OAuthHTTPParameters
		}
	}
	if p.InvocationHTTPParameters != nil {
		a.Invocation = *p.InvocationHTTPParameters
	}
	return a, nil
}

// UpdateConnectionInput is UpdateConnection's request: what is given
// replaces the connection's.
type UpdateConnectionInput struct {
	Name              string
	Description       *string
	AuthorizationType string
	AuthParameters    *ConnectionAuthParameters
}

// UpdateConnection changes a connection and authorizes it again.
func (s *Service) UpdateConnection(ctx context.Context, in *UpdateConnectionInput) (*Connection, error) {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	if in.Description != nil {
		if e := checkDescription(*in.Description); e != nil {
			return nil, e
		}
	}
	return s.changeConnection(ctx, in.Name, func(c *Connection) *Error {
		if in.Description != nil {
			c.Description = *in.Description
		}
		typ := c.AuthorizationType
		if in.AuthorizationType != "" {
			typ = in.AuthorizationType
		}
		if in.AuthParameters != nil || typ != c.AuthorizationType {
			p := mergeAuth(c.AuthParameters, in.AuthParameters, typ != c.AuthorizationType)
			if e := checkAuth(typ, &p); e != nil {
				return e
			}
			c.AuthorizationType, c.AuthParameters = typ, p
		}
		c.ConnectionState, c.StateReason = ConnectionAuthorized, ""
		c.LastAuthorizedTime = s.now().UTC()
		return nil
	})
}

// mergeAuth is cur with the fields upd gives; a change of type drops the
// old type's parameters.
func mergeAuth(cur ConnectionAuthParameters, upd *ConnectionAuthParameters, typeChanged bool) ConnectionAuthParameters {
	if typeChanged {
		cur.BasicAuthParameters, cur.APIKeyAuthParameters, cur.OAuthParameters = nil, nil, nil
	}
	if upd == nil {
		return cur
	}
	or := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	if u := upd.BasicAuthParameters; u != nil {
		b := BasicAuthParameters{}
		if cur.BasicAuthParameters != nil {
			b = *cur.BasicAuthParameters
		}
		cur.BasicAuthParameters = &BasicAuthParameters{Username: or(u.Username, b.Username), Password: or(u.Password, b.Password)}
	}
	if u := upd.APIKeyAuthParameters; u != nil {
		k := APIKeyAuthParameters{}
		if cur.APIKeyAuthParameters != nil {
			k = *cur.APIKeyAuthParameters
		}
		cur.APIKeyAuthParameters = &APIKeyAuthParameters{APIKeyName: or(u.APIKeyName, k.APIKeyName), APIKeyValue: or(u.APIKeyValue, k.APIKeyValue)}
	}
	if u := upd.OAuthParameters; u != nil {
		o := OAuthParameters{}
		if cur.OAuthParameters != nil {
			o = *cur.OAuthParameters
		}
		o.AuthorizationEndpoint, o.HTTPMethod = or(u.AuthorizationEndpoint, o.AuthorizationEndpoint), or(u.HTTPMethod, o.HTTPMethod)
		if u.ClientParameters != nil {
			cp := OAuthClientParameters{}
			if o.ClientParameters != nil {
				cp = *o.ClientParameters
			}
			o.ClientParameters = &OAuthClientParameters{ClientID: or(u.ClientParameters.ClientID, cp.ClientID), ClientSecret: or(u.ClientParameters.ClientSecret, cp.ClientSecret)}
		}
		if u.OAuthHTTPParameters != nil {
			o.OAuthHTTPParameters = u.OAuthHTTPParameters
		}
		cur.OAuthParameters = &o
	}
	if upd.InvocationHTTPParameters != nil {
		cur.InvocationHTTPParameters = upd.InvocationHTTPParameters
	}
	return cur
}

// changeConnection is a compare-and-set of a connection's record; it
// returns the connection without its secrets.
func (s *Service) changeConnection(ctx context.Context, name string, f func(c *Connection) *Error) (*Connection, error) {
	c, err := connectionRecords.change(ctx, s, name, func(c *Connection) error {
		if e := f(c); e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invoker.Forget(c.ConnectionArn) // its token was for the old authorization
	return hideSecrets(c), nil
}

// DeauthorizeConnection removes a connection's authorization: it is
// DEAUTHORIZED (its API destinations' calls fail) until updated.
func (s *Service) DeauthorizeConnection(ctx context.Context, name string) (*Connection, error) {
	if e := checkName(name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	return s.changeConnection(ctx, name, func(c *Connection) *Error {
		c.ConnectionState, c.StateReason = ConnectionDeauthorized, "Deauthorized by DeauthorizeConnection"
		return nil
	})
}

// DeleteConnection deletes a connection; it returns it as DELETING, as
// AWS does.
func (s *Service) DeleteConnection(ctx context.Context, name string) (*Connection, error) {
	if e := checkName(name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	c, err := connectionRecords.change(ctx, s, name, func(*Connection) error { return errRecordDeleted })
	if err != nil {
		return nil, err
	}
	c = hideSecrets(c)
	c.ConnectionState = ConnectionDeleting
	return c, nil
}

// ListConnectionsInput is ListConnections's request.
type ListConnectionsInput struct {
	NamePrefix      string
	ConnectionState string
	NextToken       string
	Limit           int
}

// ListConnectionsOutput is a page of connections, without secrets.
type ListConnectionsOutput struct {
	Connections []Connection
	NextToken   string
}

// ListConnections lists the connections by name.
func (s *Service) ListConnections(ctx context.Context, in *ListConnectionsInput) (*ListConnectionsOutput, error) {
	limit, e := listLimit(in.Limit)
	if e != nil {
		return nil, e
	}
	conns, next, err := connectionRecords.list(ctx, s, in.NamePrefix, in.NextToken, limit, func(c *Connection) bool {
		return in.ConnectionState == "" || c.ConnectionState == in.ConnectionState
	})
	if err != nil {
		return nil, err
	}
	for i := range conns {
		conns[i] = *hideSecrets(&conns[i])
	}
	return &ListConnectionsOutput{Connections: conns, NextToken: next}, nil
}

// Authorize adds the credentials and invocation parameters of the
// connection connectionARN names to a request made elsewhere (the HTTP
// Task's): see apidest.Invoker.Authorize. Errors are *Error
// (ResourceNotFoundException: no such connection; ValidationException: a
// connection not AUTHORIZED) or the token's fetch's.
func (s *Service) Authorize(ctx context.Context, connectionARN string, h http.Header, q url.Values, body []byte) ([]byte, error) {
	auth, err := s.ConnectionAuth(ctx, connectionARN)
	if err != nil {
		return nil, err
	}
	return s.invoker.Authorize(ctx, connectionARN, auth, h, q, body)
}
