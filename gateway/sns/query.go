package sns

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// The query protocol. Its requests name their action in the body (a POST's
// form) or the query string (a GET), so the gateway cannot tell SNS's from
// another service's by a header: ServeQuery reads the form and takes the
// request when its Action is SNS's, and puts the body back otherwise.

// MayBeQuery reports whether r has the shape of a query-protocol request
// to SNS's path, /: a POST of a form, or a GET whose query string names an
// Action.
func MayBeQuery(r *http.Request) bool {
	if r.URL.Path != "/" {
		return false
	}
	switch r.Method {
	case http.MethodPost:
		return awsproto.IsForm(r.Header.Get("Content-Type"))
	case http.MethodGet:
		return r.URL.Query().Get("Action") != ""
	}
	return false
}

// Takes reports whether a query-protocol request of this action and
// version is SNS's: its Version is SNS's, or it has none and its Action is
// one of SNS's. (SQS's API, asked first, keeps the actions both APIs have,
// AddPermission and RemovePermission, when the request names no version.)
func Takes(action, version string) bool {
	_, known := actions[action]
	return version == Version || (version == "" && known)
}

// ServeQuery serves r when it is a query-protocol request of SNS's (see
// MayBeQuery and Takes). It returns false, the request untouched (its body
// put back), when it is not.
func (s *API) ServeQuery(c *gin.Context) bool {
	r := c.Request
	if !MayBeQuery(r) {
		return false
	}
	body, q, err := s.readQuery(c)
	if err != nil {
		c.Set(Served, true)
		id := awsproto.NewRequestID()
		c.Header("x-amzn-RequestId", id)
		writeError(c, s.logError(c, "", err), id)
		return true
	}
	if q == nil || !Takes(q.Action, q.Version) {
		return false
	}
	c.Set(Served, true)
	id := awsproto.NewRequestID()
	c.Header("x-amzn-RequestId", id)
	nameSpan(c, "/", q.Action)
	out, err := s.call(c, body, q)
	if err == nil {
		var result any = out
		switch out.(type) {
		case *empty:
			result = nil
		case *emptyResult:
			result = struct{}{}
		}
		var b []byte
		if b, err = awsproto.EncodeQueryResponse(q.Action, XMLNS, result, id); err == nil {
			c.Data(http.StatusOK, awsproto.QueryContentType, b)
			return true
		}
	}
	writeError(c, s.logError(c, q.Action, err), id)
	return true
}

// readQuery reads and parses the request's form, or takes them as SQS's
// API read them before (awsproto.ParsedQuery): its body, and its
// parameters (nil when they do not parse). The error is a body too large.
func (s *API) readQuery(c *gin.Context) ([]byte, *awsproto.QueryRequest, error) {
	if v, ok := c.Get(awsproto.ParsedQueryKey); ok {
		p := v.(*awsproto.ParsedQuery)
		if int64(len(p.Body)) > MaxBodyBytes {
			return nil, nil, awsproto.BodyTooLarge(MaxBodyBytes)
		}
		return p.Body, p.Query, nil
	}
	r := c.Request
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		if body, err = awsproto.ReadBody(r, MaxBodyBytes); err != nil {
			return nil, nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body)) // for the next handler, when not SNS's
	}
	q, err := awsproto.ParseQuery(r, body)
	if err != nil {
		return body, nil, nil
	}
	return body, q, nil
}

func (s *API) call(c *gin.Context, body []byte, q *awsproto.QueryRequest) (any, error) {
	r := c.Request
	signed := false
	if subscriberURL(r, q.Action) && !carriesCredentials(r) {
		// a subscriber's GET of its SubscribeURL or UnsubscribeURL: in
		// without a caller, as AWS lets it in (confirmSubscription and
		// unsubscribe treat it as unauthenticated)
	} else {
		if s.opts.Authorize != nil {
			if err := s.opts.Authorize(r, body); err != nil {
				return nil, err
			}
		}
		signed = carriesCredentials(r)
	}
	a, known := actions[q.Action]
	if !known {
		return nil, errorf("InvalidAction", "Could not find operation %s for version %s", truncate(q.Action, 100), Version)
	}
	ctx := context.WithValue(r.Context(), requestKey{}, &caller{r: r, authenticated: signed})
	return a(s, ctx, q.Params)
}

// subscriberURL reports whether r is a GET of a URL SNS gives a
// subscriber: its SubscribeURL (ConfirmSubscription) or UnsubscribeURL
// (Unsubscribe).
func subscriberURL(r *http.Request, action string) bool {
	return r.Method == http.MethodGet && (action == "ConfirmSubscription" || action == "Unsubscribe")
}

// carriesCredentials reports whether r names a caller: a signature (in
// Authorization or the query string) or a management key.
func carriesCredentials(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.Header.Get("x-api-key") != "" || awsproto.Presigned(r)
}

// requestKey is the context key of the request an action serves.
type requestKey struct{}

// caller is the request an action serves, and whether its caller was
// authenticated: credentials checked (or, with no credentials
// configured, carried).
type caller struct {
	r             *http.Request
	authenticated bool
}

func requestOf(ctx context.Context) *http.Request {
	if c, _ := ctx.Value(requestKey{}).(*caller); c != nil {
		return c.r
	}
	return nil
}

// authenticated reports whether the request ctx serves named its caller.
func authenticated(ctx context.Context) bool {
	c, _ := ctx.Value(requestKey{}).(*caller)
	return c != nil && c.authenticated
}
