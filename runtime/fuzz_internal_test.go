package runtime

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/store"
)

// FuzzTaskToken: parsing any text neither panics nor accepts what
// newTaskToken could not have made, and every token it makes parses back
// to its execution and thread.
func FuzzTaskToken(f *testing.F) {
	good := newTaskToken(store.ExecutionID("arn:aws:states:us-east-1:123456789012:stateMachine:m", "e"), "0/4/12", &asl.Context{Rand: rand.New(rand.NewPCG(1, 1))})
	for _, s := range []string{good, "", "v1", "djF8YXxifGM", good + "A", strings.Repeat("A", 3000),
		base64.RawURLEncoding.EncodeToString([]byte("v1|x}:other|0|0123456789abcdef"))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		execID, thread, err := parseTaskToken(token)
		if err != nil {
			if execID != "" || thread != "" {
				t.Fatalf("an error with values: %q %q", execID, thread)
			}
			return
		}
		if !isLowerHex(execID, 32) || !isThreadID(thread) {
			t.Fatalf("accepted %q, %q from %q", execID, thread, token)
		}
		again := newTaskToken(execID, thread, &asl.Context{Rand: rand.New(rand.NewPCG(2, 2))})
		if e2, t2, err := parseTaskToken(again); err != nil || e2 != execID || t2 != thread {
			t.Fatalf("round trip of %q %q: %q %q %v", execID, thread, e2, t2, err)
		}
	})
}

// TestParseTaskTokenRefusesForgedIDs: a token names an execution and a
// thread, which become Redis keys: only the forms the runtime makes pass.
func TestParseTaskTokenRefusesForgedIDs(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	id := store.ExecutionID("arn:aws:states:us-east-1:123456789012:stateMachine:m", "e")
	for _, tok := range []string{
		enc("v1|" + id + "}:x|0|0123456789abcdef"), // a key outside the execution's slot
		enc("v1|" + id + "|0|"),                    // no nonce
		enc("v1|" + id + "|0/|0123456789abcdef"),   // an empty thread segment
		enc("v1|" + id + "|a|0123456789abcdef"),    // not a thread id
		enc("v1|" + strings.ToUpper(id) + "|0|0123456789abcdef"),
	} {
		if _, _, err := parseTaskToken(tok); err == nil {
			t.Errorf("accepted %q", tok)
		}
	}
	if _, _, err := parseTaskToken(enc("v1|" + id + "|0/3/1|0123456789abcdef")); err != nil {
		t.Errorf("refused a well-formed token: %v", err)
	}
}

// FuzzARN: the ARN parsers never panic, and what they accept has the
// parts they promise.
func FuzzARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:states:us-east-1:123456789012:stateMachine:m",
		"arn:aws:states:us-east-1:123456789012:stateMachine:m:3",
		"arn:aws:states:us-east-1:123456789012:stateMachine:m:prod",
		"arn:aws:states:us-east-1:123456789012:activity:a",
		"arn:aws:states:us-east-1:123456789012:execution:m:e",
		"arn:aws:states:us-east-1:123456789012:express:m:e:r",
		"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"arn:aws:lambda:us-east-1:123456789012:function:f",
		"", ":", "arn::::::::::",
	} {
		f.Add(s)
	}
	d := &Durable{}
	f.Fuzz(func(t *testing.T, arn string) {
		if name, v, err := d.parseStateMachineARN(arn); err == nil && (name == "" || strings.Contains(name, ":") || v < 0) {
			t.Fatalf("parseStateMachineARN(%q) = %q, %d", arn, name, v)
		}
		if name, q, err := splitStateMachineARN(arn); err == nil && (name == "" || strings.Contains(name+q, ":")) {
			t.Fatalf("splitStateMachineARN(%q) = %q, %q", arn, name, q)
		}
		if sm, alias, err := parseAliasARN(arn); err == nil && (sm == "" || alias == "") {
			t.Fatalf("parseAliasARN(%q) = %q, %q", arn, sm, alias)
		}
		if name, err := parseActivityARN(arn); err == nil && (name == "" || strings.Contains(name, ":")) {
			t.Fatalf("parseActivityARN(%q) = %q", arn, name)
		}
		if id, sm, err := d.ExecutionIDOf(arn); err == nil && (!isLowerHex(id, 32) || strings.Contains(sm, ":")) {
			t.Fatalf("ExecutionIDOf(%q) = %q, %q", arn, id, sm)
		}
		_, _ = resourceParts(arn)
		_ = waitsForToken(arn)
	})
}
