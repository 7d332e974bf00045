package gateway

import "github.com/gin-gonic/gin"

// routeAWS adds the AWS JSON 1.0 protocol endpoint of Step Functions.
func (s *Server) routeAWS(e *gin.Engine) {}
