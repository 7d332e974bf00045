package gateway

import (
	"github.com/gin-gonic/gin"

	gwlambda "github.com/signalbox/signalbox/gateway/lambda"
)

// The Lambda API (gateway/lambda) is REST-JSON: its operations are
// methods on dated paths of their own (/2015-03-31/functions/...,
// /2017-03-31/tags/..., /2017-10-31/..., /2019-09-30/...), which no gin
// route takes. A request whose method and path are one of its operations
// goes to it before the user routes, as the Schemas API's do (schemas.go);
// every other request goes on to the user routes. Every Lambda request is
// checked as Step Functions' are (awsCaller, signing service lambda).

// serveLambda serves a request of the Lambda API, and reports whether it
// did.
func (s *Server) serveLambda(c *gin.Context) bool {
	if s.lambda == nil || !s.lambda.ServePath(c) {
		return false
	}
	if route := c.GetString(gwlambda.RouteKey); route != "" {
		labelRoute(c, route)
	}
	return true
}
