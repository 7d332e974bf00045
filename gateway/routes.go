package gateway

import "github.com/gin-gonic/gin"

// Route is a user route: method + path template → state machine.
type Route struct{}

// routeUser adds the user routes.
func (s *Server) routeUser(e *gin.Engine) {}
