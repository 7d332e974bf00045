package apidest

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The authorization types of a connection.
const (
	AuthBasic  = "BASIC"
	AuthAPIKey = "API_KEY"
	AuthOAuth  = "OAUTH_CLIENT_CREDENTIALS"
)

// Error is a connection AWS refuses at CreateConnection or
// UpdateConnection: Message is AWS's text for ValidationException.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// The limits of CreateConnection's shapes (EventBridge API reference:
// CreateConnectionBasicAuthRequestParameters, ...ApiKeyAuth...,
// ...OAuthRequestParameters, ...OAuthClientRequestParameters,
// ConnectionHttpParameters).
const (
	maxCredential  = 512  // Username, Password, ApiKeyName, ApiKeyValue, ClientID, ClientSecret
	maxEndpoint    = 2048 // AuthorizationEndpoint
	maxParameters  = 100  // each list of ConnectionHttpParameters
	maxParamKeyVal = 512  // a parameter's key and value
)

// ValidateAuth checks a connection's authorization as CreateConnection
// does: the type is one of AWS's three, the fields its type needs are
// there and within their lengths and patterns, and the invocation (and
// OAuth) parameters are within theirs. Secret values never appear in a
// message (AWS leaves them out of its own).
func ValidateAuth(a *Auth) error {
	switch a.Type {
	case AuthBasic:
		if err := credential("authParameters.basicAuthParameters.username", a.Username, false); err != nil {
			return err
		}
		if err := credential("authParameters.basicAuthParameters.password", a.Password, false); err != nil {
			return err
		}
	case AuthAPIKey:
		if err := credential("authParameters.apiKeyAuthParameters.apiKeyName", a.APIKeyName, true); err != nil {
			return err
		}
		if err := credential("authParameters.apiKeyAuthParameters.apiKeyValue", a.APIKeyValue, true); err != nil {
			return err
		}
		if !token(a.APIKeyName) {
			return errorf("1 validation error detected: Value '%s' at 'authParameters.apiKeyAuthParameters.apiKeyName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$", a.APIKeyName)
		}
	case AuthOAuth:
		if err := checkEndpoint(a.AuthorizationEndpoint); err != nil {
			return err
		}
		switch a.HTTPMethod {
		case "GET", "POST", "PUT":
		default:
			return errorf("1 validation error detected: Value '%s' at 'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [GET, POST, PUT]", a.HTTPMethod)
		}
		if err := credential("authParameters.oAuthParameters.clientParameters.clientID", a.ClientID, true); err != nil {
			return err
		}
		if err := credential("authParameters.oAuthParameters.clientParameters.clientSecret", a.ClientSecret, true); err != nil {
			return err
		}
		if err := checkParameters("authParameters.oAuthParameters.oAuthHttpParameters", &a.OAuthParameters); err != nil {
			return err
		}
	default:
		return errorf("1 validation error detected: Value '%s' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]", a.Type)
	}
	return checkParameters("authParameters.invocationHttpParameters", &a.Invocation)
}

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// credential checks one required field of 1-512 characters; with noCtl,
// also the pattern of key names, values and client ids: no control
// characters, no surrounding-only white space.
func credential(field, v string, noCtl bool) error {
	n := utf8.RuneCountInString(v)
	if n < 1 {
		return errorf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", field)
	}
	if n > maxCredential {
		return errorf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field, maxCredential)
	}
	if noCtl && (strings.TrimSpace(v) == "" || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })) {
		return errorf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[ \\t]*[^\\x00-\\x1F\\x7F]+([ \\t]+[^\\x00-\\x1F\\x7F]+)*[ \\t]*$", field)
	}
	return nil
}

func checkEndpoint(e string) error {
	const field = "authParameters.oAuthParameters.authorizationEndpoint"
	if n := utf8.RuneCountInString(e); n < 1 || n > maxEndpoint {
		return errorf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", truncate(e), field, maxEndpoint)
	}
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errorf("Invalid authorization endpoint: %s. The endpoint must be an HTTPS URL.", truncate(e))
	}
	return nil
}

// checkParameters checks ConnectionHttpParameters: at most 100 of each
// kind; keys and values at most 512 characters; header keys HTTP tokens
// and values printable.
func checkParameters(field string, p *InvocationParameters) error {
	for _, list := range []struct {
		name   string
		params []Parameter
		header bool
	}{
		{"headerParameters", p.HeaderParameters, true},
		{"queryStringParameters", p.QueryStringParameters, false},
		{"bodyParameters", p.BodyParameters, false},
	} {
		at := field + "." + list.name
		if len(list.params) > maxParameters {
			return errorf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", at, maxParameters)
		}
		for _, x := range list.params {
			if n := utf8.RuneCountInString(x.Key); n < 1 || n > maxParamKeyVal {
				return errorf("1 validation error detected: Value '%s' at '%s.member.key' failed to satisfy constraint: Member must have length less than or equal to %d", truncate(x.Key), at, maxParamKeyVal)
			}
			if utf8.RuneCountInString(x.Value) > maxParamKeyVal {
				return errorf("1 validation error detected: Value at '%s.member.value' failed to satisfy constraint: Member must have length less than or equal to %d", at, maxParamKeyVal)
			}
			if list.header && !token(x.Key) {
				return errorf("1 validation error detected: Value '%s' at '%s.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[!#$%%&'*+-.^_`|~0-9a-zA-Z]+$", truncate(x.Key), at)
			}
			if list.header && strings.ContainsFunc(x.Value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
				return errorf("1 validation error detected: Value at '%s.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[ \\t]*[\\x20-\\x7E]+([ \\t]+[\\x20-\\x7E]+)*[ \\t]*$", at)
			}
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
