package gateway

import (
	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/events"
)

// EventBridge's requests arrive where Step Functions', SQS's and SNS's do:
// POST / with X-Amz-Target: AWSEvents.<Action> (AWS JSON 1.1, the only
// protocol of EventBridge's) goes to EventBridge's API (gateway/events),
// checked as Step Functions' are (awsCaller, signing service events) and
// bounded by events.MaxBodyBytes, which fits a full PutEvents. The
// X-Amz-Target prefixes of the services are disjoint, so the header alone
// chooses.

// serveEvents serves a request of EventBridge's, and reports whether it
// was one.
func (s *Server) serveEvents(c *gin.Context) bool {
	if s.events == nil || !events.IsJSON(c.Request) {
		return false
	}
	s.events.Handle(c)
	return true
}
