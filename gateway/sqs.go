package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/sns"
	"github.com/signalbox/signalbox/gateway/sqs"
)

// SQS's requests arrive where Step Functions' do, and at queue URLs:
//
//   - POST / with X-Amz-Target: AmazonSQS.<Action> (the JSON protocol of
//     today's SDKs and CLIs) goes to SQS, any other X-Amz-Target to Step
//     Functions, as before;
//   - POST / with a form body (the query protocol) goes to SQS when its
//     Action is SQS's (and its Version 2012-11-05 or none); Step Functions
//     speaks no query protocol, and answers the others as before;
//   - a request to a queue URL's path, /<account>/<name> (the query
//     protocol's older clients POST there; a GET with the form in its query
//     string, and the JSON protocol, are taken there too), goes to SQS only
//     when no user route takes the path: a user route (configured, so
//     chosen) wins over SQS there. Such a request reaches SQS by POST / in
//     every client that takes an endpoint override.
//
// Every SQS request is checked as Step Functions' are (awsCaller, signing
// service sqs) and bounded by sqs.MaxBodyBytes, which fits a full batch.

// awsPost serves POST /: SQS's requests, else EventBridge's (events.go),
// else SNS's (sns.go), else Step Functions'.
func (s *Server) awsPost(c *gin.Context) {
	if s.serveEvents(c) {
		return
	}
	if s.sqs != nil {
		if sqs.IsJSON(c.Request) {
			s.sqs.HandleJSON(c)
			return
		}
		if sqs.MayBeQuery(c.Request) && s.sqs.ServeQuery(c) {
			return
		}
	}
	if s.sns != nil && sns.MayBeQuery(c.Request) && s.sns.ServeQuery(c) {
		return
	}
	s.sfn.Handle(c)
}

// serveSQS serves a request no route took when it is SQS's (a queue URL's
// path, or a GET / of the query protocol), and reports whether it did.
func (s *Server) serveSQS(c *gin.Context) bool {
	if s.sqs == nil {
		return false
	}
	r := c.Request
	if sqs.IsJSON(r) && r.Method == http.MethodPost && sqs.IsQueuePath(r.URL.Path) {
		labelRoute(c, sqs.QueuePathRoute)
		s.sqs.HandleJSON(c)
		return true
	}
	if !sqs.MayBeQuery(r) || !(r.URL.Path == "/" || sqs.IsQueuePath(r.URL.Path)) {
		return false
	}
	route := "/"
	if r.URL.Path != "/" {
		route = sqs.QueuePathRoute
	}
	if !s.sqs.ServeQuery(c) {
		return false
	}
	labelRoute(c, route)
	return true
}
