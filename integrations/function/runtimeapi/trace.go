package runtimeapi

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
)

// maxXRayHeader is the longest X-Ray trace header passed on as it came.
const maxXRayHeader = 256

// xrayTraceHeader is the Lambda-Runtime-Trace-Id of an invocation: its
// W3C traceparent as an X-Ray trace header (Root=1-<8 hex>-<24 hex>;
// Parent=<16 hex>;Sampled=<0|1>: the same trace id, split as X-Ray writes
// it), an X-Ray header passed on as it came, else a new root, unsampled,
// as Lambda makes for an untraced call (now is its epoch part).
func xrayTraceHeader(traceParent string, now time.Time) string {
	if strings.HasPrefix(traceParent, "Root=1-") && len(traceParent) <= maxXRayHeader && printableASCII(traceParent) {
		return traceParent
	}
	if sc, ok := integrations.SpanContextOf(integrations.TraceContext{Parent: traceParent}); ok {
		tid := sc.TraceID().String()
		sampled := "0"
		if sc.IsSampled() {
			sampled = "1"
		}
		return "Root=1-" + tid[:8] + "-" + tid[8:] + ";Parent=" + sc.SpanID().String() + ";Sampled=" + sampled
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	epoch := strconv.FormatInt(now.Unix()&0xffffffff, 16)
	return "Root=1-" + strings.Repeat("0", 8-len(epoch)) + epoch + "-" + hex.EncodeToString(b[:]) + ";Sampled=0"
}

// printableASCII: s is safe in a header.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// w3cTraceParent is traceParent when it is a valid W3C traceparent, for
// the traceparent header of /next; "" otherwise.
func w3cTraceParent(traceParent string) string {
	if _, ok := integrations.SpanContextOf(integrations.TraceContext{Parent: traceParent}); ok {
		return traceParent
	}
	return ""
}
