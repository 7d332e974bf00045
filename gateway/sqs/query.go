package sqs

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// The query protocol. Its requests name their action in the body (a POST's
// form) or the query string (a GET), so the gateway cannot tell SQS's from
// another service's by a header: ServeQuery reads the form and takes the
// request when its Action is SQS's, and puts the body back otherwise.

// QueuePathRoute is the route of requests POSTed to a queue's URL, for
// spans and metrics.
const QueuePathRoute = "/{account}/{queueName}"

// MayBeQuery reports whether r has the shape of a query-protocol request:
// a POST of a form, or a GET whose query string names an Action.
func MayBeQuery(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost:
		return awsproto.IsForm(r.Header.Get("Content-Type"))
	case http.MethodGet:
		return r.URL.Query().Get("Action") != ""
	}
	return false
}

// ServeQuery serves r when it is a query-protocol request of SQS's, sent to
// / or to a queue's URL (/<account>/<name>): its Action is one of SQS's and
// its Version SQS's or none. It returns false, the request untouched (its
// body put back), when it is not.
func (s *API) ServeQuery(c *gin.Context) bool {
	r := c.Request
	route, pathQueue := "/", ""
	if r.URL.Path != "/" {
		account, name, ok := queuePath(r.URL.Path)
		if !ok {
			return false
		}
		route, pathQueue = QueuePathRoute, name
		if account != s.opts.AccountID {
			pathQueue = "" // answered QueueDoesNotExist below
		}
	}
	if !MayBeQuery(r) {
		return false
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		if body, err = awsproto.ReadBody(r, MaxBodyBytes); err != nil {
			c.Set(Served, true)
			c.Header("x-amzn-RequestId", awsproto.NewRequestID())
			writeQueryError(c, s.logError(c, "", err), c.Writer.Header().Get("x-amzn-RequestId"))
			return true
		}
		r.Body = io.NopCloser(bytes.NewReader(body)) // for the next handler, when not SQS's
	}
	q, err := awsproto.ParseQuery(r, body)
	if err != nil {
		return false
	}
	a, known := actions[q.Action]
	if !(q.Version == Version || (q.Version == "" && known)) {
		c.Set(awsproto.ParsedQueryKey, &awsproto.ParsedQuery{Body: body, Query: q}) // for SNS's API
		return false
	}
	c.Set(Served, true)
	id := awsproto.NewRequestID()
	c.Header("x-amzn-RequestId", id)
	nameSpan(c, route, q.Action)
	out, err := s.callQuery(c, body, q, a, known, route, pathQueue)
	if err == nil {
		var result any = out
		if _, ok := out.(*empty); ok {
			result = nil
		}
		var b []byte
		if b, err = awsproto.EncodeQueryResponse(q.Action, XMLNS, result, id); err == nil {
			c.Data(http.StatusOK, awsproto.QueryContentType, b)
			return true
		}
	}
	writeQueryError(c, s.logError(c, q.Action, err), id)
	return true
}

func (s *API) callQuery(c *gin.Context, body []byte, q *awsproto.QueryRequest, a action, known bool, route, pathQueue string) (any, error) {
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(c.Request, body); err != nil {
			return nil, err
		}
	}
	if !known {
		return nil, errorf("InvalidAction", "The action %s is not valid for this web service.", truncate(q.Action, 100))
	}
	if route == QueuePathRoute && q.Params.Get("QueueUrl") == "" {
		// the queue is the one whose URL the request was POSTed to
		if pathQueue == "" {
			return nil, errorf("QueueDoesNotExist", "The specified queue does not exist.")
		}
		q.Params.Set("QueueUrl", s.queueURL(c.Request, pathQueue))
	}
	return a.query(s, context.WithValue(c.Request.Context(), requestKey{}, c.Request), q.Params)
}

// writeQueryError answers e in the query protocol's shape.
func writeQueryError(c *gin.Context, e *sqsError, id string) {
	c.Data(e.status, awsproto.QueryContentType, awsproto.QueryErrorBody(&awsproto.Error{Status: e.status, Code: e.query, Message: e.message}, id))
}
