package runtime

import (
	"strings"
	"testing"

	"github.com/signalbox/signalbox/store"
)

// FuzzMapRunARN: parsing any text neither panics nor answers what a map
// run ARN could not hold, and every ARN mapRunARN makes parses back to
// its execution and fork.
func FuzzMapRunARN(f *testing.F) {
	exec := store.ExecutionID("arn:aws:states:us-east-1:123456789012:stateMachine:m", "e")
	good := mapRunARN("arn:aws:states:us-east-1:123456789012:execution:m:e", "m", "Map", mapRunID(exec, "0/5"))
	for _, s := range []string{good, "", ":mapRun:", "arn:aws:states:r:a:mapRun:m/l:x", good + "-", good[:len(good)-4],
		strings.Repeat(":mapRun:", 300), "arn:aws:states:r:a:mapRun:m/l:" + strings.Repeat("-", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		execID, fork, err := parseMapRunARN(arn)
		if err != nil {
			if execID != "" || fork != "" {
				t.Fatalf("an error with values: %q %q", execID, fork)
			}
			return
		}
		if !isLowerHex(execID, 32) || !isThreadID("0/"+fork) {
			t.Fatalf("%q parsed to %q, %q", arn, execID, fork)
		}
	})
}

func TestMapRunARNRoundTrip(t *testing.T) {
	exec := store.ExecutionID("arn:aws:states:us-east-1:123456789012:stateMachine:m", "e")
	for _, fork := range []string{"0/5", "0/3/12/7"} {
		arn := mapRunARN("arn:aws:states:us-east-1:123456789012:execution:m:e", "m", "L", mapRunID(exec, fork))
		e, f, err := parseMapRunARN(arn)
		if err != nil || e != exec || f != fork {
			t.Fatalf("%s: %q %q %v", arn, e, f, err)
		}
	}
}
