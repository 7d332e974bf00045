package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations/queue"
)

// Routes to queues (Route.Queue), as API Gateway's SQS integration: the
// request's body, as it came, is the message's body, and the answer is
// SQS's SendMessage answer:
//
//	POST /jobs  {"job": 7}
//	200 {"MessageId": "...", "MD5OfMessageBody": "...", "SequenceNumber": "..."}
//
// A FIFO queue's message group is the request's X-Message-Group-Id header,
// else the route's messageGroupId; its deduplication id the
// X-Message-Deduplication-Id header (else the queue's content-based
// deduplication, when it has it). No other header is sent. The message
// carries the request's trace context (its server span's, else its
// traceparent header) as the sqs:sendMessage task's messages do. What SQS
// refuses (an empty body, characters SQS does not take, a FIFO message
// without a group) is a 400 with SQS's code and message; a route whose
// queue no longer exists, a 500.

// Headers a request to a queue route may carry.
const (
	HeaderMessageGroupID = "X-Message-Group-Id"
	HeaderMessageDedupID = "X-Message-Deduplication-Id"
)

// serveQueue sends a request's body to its route's queue.
func (s *Server) serveQueue(c *gin.Context, r *liveRoute, body []byte) {
	if s.opts.Queues == nil {
		routeFail(c, http.StatusInternalServerError, "Internal server error: this server has no queue router for the route's queue "+r.Queue)
		return
	}
	in := queue.SendInput{Body: string(body), GroupID: r.MessageGroupID, DedupID: c.GetHeader(HeaderMessageDedupID)}
	if g := c.GetHeader(HeaderMessageGroupID); g != "" {
		in.GroupID = g
	}
	res, err := s.opts.Queues.SendWithTrace(c.Request.Context(), r.Queue, in, requestTraceParent(c))
	var qe *queue.Error
	switch {
	case errors.As(err, &qe) && qe.Code == "QueueDoesNotExist":
		s.opts.Logger.Error("user route", "route", r.Key(), "queue", r.Queue, "requestId", c.Writer.Header().Get("x-amzn-RequestId"), "err", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"message": "Internal server error: the queue " + r.Queue + " of this route does not exist", "__type": qe.Code})
	case errors.As(err, &qe) && !qe.Server:
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"message": qe.Message, "__type": qe.Code})
	case err != nil:
		s.opts.Logger.Error("user route", "route", r.Key(), "queue", r.Queue, "requestId", c.Writer.Header().Get("x-amzn-RequestId"), "err", err)
		c.Header("Retry-After", "1")
		routeFail(c, http.StatusServiceUnavailable, "Service Unavailable (request id "+c.Writer.Header().Get("x-amzn-RequestId")+")")
	default:
		out := gin.H{"MessageId": res.MessageID, "MD5OfMessageBody": res.MD5OfBody}
		if res.MD5OfAttributes != "" {
			out["MD5OfMessageAttributes"] = res.MD5OfAttributes
		}
		if res.SequenceNumber != "" {
			out["SequenceNumber"] = res.SequenceNumber
		}
		c.JSON(http.StatusOK, out)
	}
}

// requestTraceParent is the trace context a request's work joins: its
// server span's when the server traces, else the traceparent header it
// came with ("" for none).
func requestTraceParent(c *gin.Context) string {
	if sc := trace.SpanContextFromContext(c.Request.Context()); sc.IsValid() {
		return fmt.Sprintf("00-%s-%s-%s", sc.TraceID(), sc.SpanID(), sc.TraceFlags())
	}
	return c.GetHeader("traceparent")
}

// checkRouteQueue checks that a route's queue exists (a route added
// through the management API).
func (s *Server) checkRouteQueue(ctx context.Context, r Route) []FieldError {
	if s.opts.Queues == nil {
		return []FieldError{{"queue", "this server has no queue router"}}
	}
	_, err := s.opts.Queues.GetQueue(ctx, r.Queue)
	var qe *queue.Error
	switch {
	case errors.As(err, &qe) && qe.Code == "QueueDoesNotExist":
		return []FieldError{{"queue", fmt.Sprintf("no queue %q", r.Queue)}}
	case err != nil:
		return []FieldError{{"queue", err.Error()}}
	}
	return nil
}
