package apidest

import (
	"io"
	"net/http"
	"strconv"
)

// classify says what an answer means ("API destinations as targets in
// Amazon EventBridge", "API destination error codes"): 2xx is delivered;
// 401, 407, 409, 429 and 5xx are retried; every other status (1xx, 3xx,
// the other 4xx) is not.
func classify(status int) Result {
	r := Result{Status: status, Reason: "HTTP " + strconv.Itoa(status) + " " + http.StatusText(status)}
	switch {
	case status >= 200 && status < 300:
		r.Reason = ""
	case status == http.StatusUnauthorized, status == http.StatusProxyAuthRequired,
		status == http.StatusConflict, status == http.StatusTooManyRequests, status >= 500:
		r.Retryable = true
	}
	return r
}

// Delivered reports whether the call reached the endpoint and it took it.
func (r Result) Delivered() bool { return r.Status >= 200 && r.Status < 300 }

// maxResponse is what is read of an answer before the connection is
// closed: EventBridge asks for no more ("Range: bytes=0-1048575").
const maxResponse = 1 << 20

// drain reads what is left of the answer (up to maxResponse), so that the
// connection can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	_ = resp.Body.Close()
}
