package gateway

import "github.com/gin-gonic/gin"

// routeAPI adds the management API under /api/v1.
func (s *Server) routeAPI(g *gin.RouterGroup) {}
