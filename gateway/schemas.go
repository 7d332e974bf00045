package gateway

import (
	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/schemas"
)

// The EventBridge Schemas API (gateway/schemas) is REST-JSON: its
// operations are methods on paths of their own (/v1/registries/...,
// /v1/discoverers/..., /v1/discover, /v1/policy, /tags/{arn}), which no gin
// route takes. A request whose method and path are one of its operations
// goes to it before the user routes: the API's paths are fixed (AWS's
// SDKs and CLI build them), and a user route such as GET /v1/{thing} would
// otherwise hide an operation. Every other request under /v1/ or /tags/
// (another method, another depth) goes on to the user routes. Every
// Schemas request is checked as Step Functions' are (awsCaller, signing
// service schemas) and bounded by schemas.MaxBodyBytes.

// serveSchemas serves a request of the Schemas API, and reports whether
// it did.
func (s *Server) serveSchemas(c *gin.Context) bool {
	if s.schemas == nil || !s.schemas.ServePath(c) {
		return false
	}
	if route := c.GetString(schemas.RouteKey); route != "" {
		labelRoute(c, route)
	}
	return true
}
