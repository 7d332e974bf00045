package gateway

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/sns"
)

// SNS's requests arrive where Step Functions' and SQS's do, at /, in the
// query protocol (SNS has no other):
//
//   - POST / with a form body goes to SQS when its Action is SQS's (and its
//     Version 2012-11-05 or none), else to SNS when its Version is
//     2010-03-31, or it has none and its Action is SNS's (sns.Takes), else
//     to Step Functions as before. SQS's and SNS's action names are
//     disjoint but for AddPermission and RemovePermission (both refused as
//     not supported by either): without a Version those go to SQS when it
//     is served. Every SDK and CLI sends the Version.
//   - GET / with the form in its query string goes the same way, when no
//     user route takes GET /; but the URLs SNS hands its subscribers,
//     GET /?Action=ConfirmSubscription (SubscribeURL) and
//     GET /?Action=Unsubscribe (UnsubscribeURL), go to SNS before the user
//     routes: a subscriber has no other way in, and a route at GET / would
//     silently break every webhook's confirmation.
//   - GET <topic.Service.SigningCertPath()> serves the certificate that
//     signs SNS's messages (SigningCertURL), to anyone: subscribers verify
//     signatures with it. The path is asked of the router at each GET
//     ending in .pem that no gin route takes (it names the store's key,
//     which the router loads when it is first asked: no other request
//     waits on that), and is served before the user routes: a route such
//     as GET /{name} would otherwise hide it, and every signature with it.
//
// Every SNS request is checked as Step Functions' are (awsCaller, signing
// service sns) and bounded by sns.MaxBodyBytes, which fits a full publish
// batch, except a subscriber's GETs of the URLs SNS gives it, which carry
// no credentials: its SubscribeURL (ConfirmSubscription: the token is the
// secret) and UnsubscribeURL (Unsubscribe, which the topic router refuses
// for a subscription confirmed with AuthenticateOnUnsubscribe), as AWS
// lets them in.

// serveSNS serves a request of SNS's that no route took (a GET / of the
// query protocol), and reports whether it did.
func (s *Server) serveSNS(c *gin.Context) bool {
	if s.sns == nil || c.Request.Method != http.MethodGet || !sns.MayBeQuery(c.Request) {
		return false
	}
	if !s.sns.ServeQuery(c) {
		return false
	}
	labelRoute(c, "/")
	return true
}

// serveSigningCert serves a GET of the signing certificate's path, and
// reports whether it did.
func (s *Server) serveSigningCert(c *gin.Context) bool {
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead || !strings.HasSuffix(c.Request.URL.Path, ".pem") {
		return false
	}
	p := s.signingCertPath()
	if p == "" || c.Request.URL.Path != p {
		return false
	}
	labelRoute(c, p)
	if span := trace.SpanFromContext(c.Request.Context()); span.IsRecording() {
		span.SetName(c.Request.Method + " " + p)
	}
	s.signingCert(c)
	return true
}

// serveSubscriberURL serves a GET of a URL SNS hands a subscriber (its
// SubscribeURL or UnsubscribeURL), before the user routes, and reports
// whether it did.
func (s *Server) serveSubscriberURL(c *gin.Context) bool {
	if s.sns == nil || c.Request.Method != http.MethodGet || c.Request.URL.Path != "/" {
		return false
	}
	switch c.Request.URL.Query().Get("Action") {
	case "ConfirmSubscription", "Unsubscribe":
		return s.serveSNS(c)
	}
	return false
}

// signingCertPath is the path of the topic router's signing certificate,
// when it is one the gateway may serve: absolute, neither / nor under the
// management API; "" for none.
func (s *Server) signingCertPath() string {
	if s.opts.Topics == nil {
		return ""
	}
	p := s.opts.Topics.SigningCertPath()
	if !strings.HasSuffix(p, ".pem") || !strings.HasPrefix(p, "/") || p == "/" || p == "/api/v1" || strings.HasPrefix(p, "/api/v1/") ||
		strings.ContainsAny(p, ":*?#") {
		return ""
	}
	return p
}

// signingCert serves the certificate that signs SNS's messages, as PEM.
func (s *Server) signingCert(c *gin.Context) {
	pem, err := s.opts.Topics.SigningCert(c.Request.Context())
	if err != nil {
		s.opts.Logger.Error("sns signing certificate", "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("the signing certificate is not available: the server's log has the details\n"))
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/x-pem-file", pem)
}
