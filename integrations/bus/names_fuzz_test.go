package bus

import (
	"strings"
	"testing"
)

// FuzzNames: the name and ARN parsers take anything without a panic; a
// bus name they accept has AWS's shape; a rule ARN they make parses back;
// a page token round-trips and a made-up one is a ValidationException.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"", "default", "orders", "arn:aws:events:us-east-1:123456789012:event-bus/orders",
		"arn:aws:events:us-east-1:123456789012:rule/b/r", "arn:aws:events:us-east-1:123456789012:rule/r",
		"arn:aws:events:us-east-1:123456789012:api-destination/d/1", "arn:aws:sqs:us-east-1:1:q", "arn:aws:states:x:y:stateMachine:",
		"arn:", "a/b", "\xff", "djEAYnVzZXMAYQ"} {
		f.Add(s)
	}
	s := New(nil, Config{})
	f.Fuzz(func(t *testing.T, in string) {
		if name, e := s.busNameOf(in); e == nil {
			if !busNamePattern.MatchString(name) || len(name) > maxBusName {
				t.Fatalf("busNameOf(%q) = %q", in, name)
			}
		} else if e.Code != "ValidationException" && e.Code != "ResourceNotFoundException" {
			t.Fatalf("busNameOf(%q): %v", in, e)
		}
		if bus, name, ok := s.ruleOfARN(in); ok {
			if bus == "" || name == "" || strings.Contains(name, "/") {
				t.Fatalf("ruleOfARN(%q) = %q %q", in, bus, name)
			}
		}
		if k, name := ParseTargetARN(in); k != TargetUnsupported && name == "" {
			t.Fatalf("ParseTargetARN(%q) = %v with no name", in, k)
		}
		_, _ = s.nameWithID(in, "connection")
		if _, e := parsePageToken("rules/default", in); e != nil && e.Code != "ValidationException" {
			t.Fatalf("parsePageToken(%q): %v", in, e)
		}
		if in != "" && len(in) < 1024 { // a longer token is refused by design
			if got, e := parsePageToken("k", pageToken("k", in)); e != nil || got != in {
				t.Fatalf("page token of %q: %q %v", in, got, e)
			}
		}
		if e := checkName(in, "name", maxRuleName); e == nil && !namePattern.MatchString(in) {
			t.Fatalf("checkName(%q) accepted it", in)
		}
	})
}
