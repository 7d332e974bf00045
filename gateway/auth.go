package gateway

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// Who may call what. When Options.APIKeys or Options.Credentials is set,
// every endpoint that reads or changes anything requires a caller: one of
// the management keys (x-api-key, or Authorization: Bearer KEY), or an AWS
// Signature Version 4 by one of the credentials. That holds for the Step
// Functions API, SQS's and SNS's (awsCaller: with keys and no credentials an SDK's
// signature cannot be checked, and is refused), the management API and the
// user routes. The exceptions are named: health, readiness and the OpenAPI
// document; SNS's signing certificate, and a subscriber's GETs of its
// SubscribeURL and UnsubscribeURL (sns.go); the management API (not the
// Step Functions API) when
// Options.PublicAPI is set; a route with Public set; a route with keys of
// its own takes those instead. With neither keys nor credentials
// everything is open, and serve says so at start-up (OpenEndpoints).

// sigV4Services are the signing services the management API and user
// routes accept: Step Functions' and API Gateway's.
var sigV4Services = []string{"states", "execute-api"}

// verifier checks SigV4 signatures by the configured credentials, scoped
// to services (the first is the one error messages name).
func (s *Server) verifier(services ...string) *awsproto.Verifier {
	return &awsproto.Verifier{Credentials: s.opts.Credentials, Region: s.region(), Services: services}
}

// authConfigured reports whether the server has callers to check.
func (s *Server) authConfigured() bool {
	return len(s.opts.APIKeys) > 0 || len(s.opts.Credentials) > 0
}

// managementKeyOf is the key a request carries: x-api-key, or
// Authorization: Bearer KEY; "" for none.
func managementKeyOf(r *http.Request) string {
	key := r.Header.Get("x-api-key")
	if key == "" {
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			key = strings.TrimSpace(b)
		}
	}
	return key
}

// awsCaller checks the caller of an AWS API (POST /: Step Functions',
// signing service states; SQS's, sqs; SNS's, sns) when keys or credentials are set: a
// Signature Version 4 by one of the credentials for that service, or a
// management key. With api.keys and no credentials the API was open to
// anyone, an SDK's signature unchecked.
func (s *Server) awsCaller(service string) func(r *http.Request, body []byte) error {
	return func(r *http.Request, body []byte) error {
		if key := managementKeyOf(r); key != "" {
			if s.isManagementKey(key) {
				return nil
			}
			return awsproto.Errorf(awsproto.UnrecognizedClient, "The security token included in the request is invalid.")
		}
		if len(s.opts.Credentials) == 0 {
			if r.Header.Get("Authorization") == "" {
				return awsproto.Errorf(awsproto.MissingAuthToken, "Missing Authentication Token")
			}
			// a signature, but no credentials configured to check it by
			return awsproto.Errorf(awsproto.UnrecognizedClient, "The security token included in the request is invalid.")
		}
		return s.verifier(service).Verify(r, body)
	}
}

// callerProblem is why a request may not call a guarded endpoint: "" when
// it may. status is 401 for no credentials, 403 for wrong ones, 413 for a
// signed body beyond the bound. body is the
// request's body when the caller has read it already (a route, whose bound
// is its own), nil to read it here, up to Options.MaxBodyBytes.
func (s *Server) callerProblem(r *http.Request, body []byte) (status int, msg string) {
	if key := managementKeyOf(r); key != "" {
		if s.isManagementKey(key) {
			return 0, ""
		}
		return http.StatusForbidden, "this key may not use this endpoint"
	}
	if len(s.opts.Credentials) > 0 && strings.HasPrefix(r.Header.Get("Authorization"), awsproto.Algorithm) {
		if body == nil {
			var err error
			body, err = io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
			if err != nil {
				return http.StatusBadRequest, "reading the request body: " + err.Error()
			}
			r.Body = io.NopCloser(bytes.NewReader(body)) // for the handler
			if int64(len(body)) > s.opts.MaxBodyBytes {
				// cut at the bound, the body cannot match its signature
				return http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is more than %d bytes", s.opts.MaxBodyBytes)
			}
		}
		if err := s.verifier(sigV4Services...).Verify(r, body); err != nil {
			msg := err.Error()
			if e, ok := awsproto.As(err); ok {
				msg = e.Message
			}
			return http.StatusForbidden, msg
		}
		return 0, ""
	}
	if len(s.opts.Credentials) > 0 && awsproto.Presigned(r) {
		return http.StatusUnauthorized, s.howToAuthenticate() + ": " + awsproto.PresignedNotSupported
	}
	return http.StatusUnauthorized, s.howToAuthenticate()
}

// howToAuthenticate says what a guarded endpoint takes.
func (s *Server) howToAuthenticate() string {
	var ways []string
	if len(s.opts.APIKeys) > 0 {
		ways = append(ways, "a key in x-api-key or as Authorization: Bearer KEY")
	}
	if len(s.opts.Credentials) > 0 {
		ways = append(ways, "an AWS Signature Version 4 signature (service states or execute-api)")
	}
	return "this endpoint requires " + strings.Join(ways, ", or ")
}

func (s *Server) isManagementKey(key string) bool {
	sum := sha256.Sum256([]byte(key))
	ok := false
	for _, k := range s.keySums {
		if subtle.ConstantTimeCompare(sum[:], k[:]) == 1 {
			ok = true
		}
	}
	return ok
}

// OpenEndpoints lists what anyone may call, for serve's start-up log.
func (s *Server) OpenEndpoints() []string {
	open := []string{"GET /api/v1/health", "GET /api/v1/ready", "GET /api/v1/openapi.json"}
	if !s.authConfigured() {
		return append(open, "everything else: no api.keys or credentials are configured")
	}
	if s.sns != nil {
		open = append(open, "GET /?Action=ConfirmSubscription (SNS's SubscribeURL: the token is the secret)",
			"GET /?Action=Unsubscribe (SNS's UnsubscribeURL, unless the subscription requires authentication)")
		if p := s.signingCertPath(); p != "" {
			open = append(open, "GET "+p+" (SNS's signing certificate)")
		}
	}
	if s.opts.PublicAPI {
		open = append(open, "/api/v1 (the management API: api.public)")
	}
	for _, r := range s.users.list() {
		if r.Public && len(r.APIKeys) == 0 {
			open = append(open, r.Key()+" (public)")
		}
	}
	return open
}

// guard answers 401 or 403 and aborts when the request may not go on.
func (s *Server) guard(c *gin.Context, body []byte, fail func(c *gin.Context, status int, msg string)) bool {
	status, msg := s.callerProblem(c.Request, body)
	if status == 0 {
		return true
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="signalbox"`)
	}
	fail(c, status, msg)
	return false
}
