package queue

import (
	"strings"
)

// AWSTraceHeader renders a W3C traceparent ("00-<32 hex trace id>-<16 hex
// parent id>-<2 hex flags>") as X-Ray's trace header, the value of SQS's
// AWSTraceHeader system attribute: "Root=1-<8 hex>-<24 hex>;Parent=<16
// hex>;Sampled=<0|1>", the trace id's first 8 digits (X-Ray's epoch
// seconds) and its other 24. ok is false for a value that is not a
// version-00 traceparent, or whose ids are all zeros (invalid in W3C).
func AWSTraceHeader(traceparent string) (header string, ok bool) {
	p := strings.Split(traceparent, "-")
	if len(p) != 4 || p[0] != "00" || !lowerHex(p[1], 32) || !lowerHex(p[2], 16) || !lowerHex(p[3], 2) ||
		p[1] == strings.Repeat("0", 32) || p[2] == strings.Repeat("0", 16) {
		return "", false
	}
	sampled := "0"
	if strings.IndexByte("13579bdf", p[3][1]) >= 0 {
		sampled = "1"
	}
	return "Root=1-" + p[1][:8] + "-" + p[1][8:] + ";Parent=" + p[2] + ";Sampled=" + sampled, true
}

func lowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// addTrace makes the message carry the trace context traceparent: the
// AWSTraceHeader system attribute, and the traceparent message attribute
// when the sender did not set one (in any letter case) and it fits: an
// eleventh attribute would break SQS's limit of ten, and the message must
// stay within 256 KiB (counted as SQS counts it: the body, and each
// attribute's name, type and value). An attribute the sender did not ask
// for must not turn a message SQS takes into one it refuses. It reports
// whether it added the traceparent attribute.
func addTrace(in *SendInput, traceparent string) bool {
	header, ok := AWSTraceHeader(traceparent)
	if !ok {
		return false
	}
	in.SystemAttributes = map[string]MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: header}}
	if len(in.Attributes) >= maxMessageAttributes {
		return false
	}
	size := len(in.Body)
	for name, a := range in.Attributes {
		if strings.EqualFold(name, TraceParentAttribute) {
			return false
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if size+len(TraceParentAttribute)+len("String")+len(traceparent) > maxMessageBytes {
		return false
	}
	attrs := make(map[string]MessageAttribute, len(in.Attributes)+1)
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	attrs[TraceParentAttribute] = MessageAttribute{DataType: "String", StringValue: traceparent}
	in.Attributes = attrs
	return true
}
