package runtime

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// MaxPayload is AWS's limit on an execution's input and on a state's
// input and output: 256 KiB of JSON text (asl holds the states to it).
const MaxPayload = asl.MaxPayload

// ErrInvalidName is AWS's InvalidName: an execution name it would refuse.
var ErrInvalidName = errors.New("InvalidName")

// ErrInvalidInput is AWS's InvalidExecutionInput.
var ErrInvalidInput = errors.New("InvalidExecutionInput")

// CheckExecutionName applies AWS's rules to an execution name: 1 to 80
// characters, none of them white space, a control character, or one of
// < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /
func CheckExecutionName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > 80 {
		return fmt.Errorf("%w: an execution name must be 1 to 80 characters long, got %d", ErrInvalidName, n)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return fmt.Errorf("%w: the execution name %q may not contain %q", ErrInvalidName, name, r)
		}
	}
	return nil
}

// checkPayload refuses a payload over MaxPayload.
// checkPayloadValue is checkPayload of v's JSON, without rendering it
// unless it is too large.
func checkPayloadValue(what string, v any) error {
	if asl.EncodedLen(v, MaxPayload) <= MaxPayload {
		return nil
	}
	return checkPayload(what, []byte(asl.EncodeJSON(v)))
}

func checkPayload(what string, json []byte) error {
	if len(json) > MaxPayload {
		return fmt.Errorf("%w: the %s is %d bytes, more than the %d AWS allows", ErrInvalidInput, what, len(json), MaxPayload)
	}
	return nil
}

// traceIDs returns the W3C trace and parent span ids of a traceparent
// header ("00-<32 hex>-<16 hex>-<2 hex>") or of an X-Ray trace header
// ("Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1", the trace id the
// Root's two hex parts joined, as the X-Ray propagators map it); a new
// random trace id and no parent ("") for what is missing or malformed:
// every execution is one trace.
func traceIDs(header string) (traceID, spanID string) {
	parts := strings.Split(header, "-")
	if len(parts) == 4 && len(parts[1]) == 32 && len(parts[2]) == 16 && isHex(parts[1]) && isHex(parts[2]) &&
		parts[1] != strings.Repeat("0", 32) && parts[2] != strings.Repeat("0", 16) {
		return parts[1], parts[2]
	}
	for field := range strings.SplitSeq(header, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch {
		case k == "Root":
			if r := strings.Split(v, "-"); len(r) == 3 && r[0] == "1" && len(r[1]) == 8 && len(r[2]) == 24 && isHex(r[1]+r[2]) &&
				r[1]+r[2] != strings.Repeat("0", 32) {
				traceID = r[1] + r[2]
			}
		case k == "Parent" && len(v) == 16 && isHex(v) && v != strings.Repeat("0", 16):
			spanID = v
		}
	}
	if traceID == "" {
		return randomTraceID().String(), ""
	}
	return traceID, spanID
}

// traceParent is the W3C traceparent header of a trace and span, sampled;
// "" when either is missing.
func traceParent(traceID, spanID string) string {
	if traceID == "" || spanID == "" {
		return ""
	}
	return "00-" + traceID + "-" + spanID + "-01"
}

// traceContext is the trace context an execution hands to its calls: the
// traceparent of its trace and starter's span ("" when it had none), the
// starter's tracestate and baggage.
func traceContext(traceID, spanID, state, baggage string) integrations.TraceContext {
	return integrations.TraceContext{Parent: traceParent(traceID, spanID), State: state, Baggage: baggage}
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
