package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// patternCase is one row of the pattern package's table
// (integrations/bus/pattern/testdata/cases.json).
type patternCase struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	Event   string `json:"event"`
	Want    string `json:"want"`  // match, nomatch or invalid
	Error   string `json:"error"` // for invalid: a part of the message
}

// testEventFields are the fields TestEventPattern requires of its event,
// with the value given to one a case's event lacks.
var testEventFields = []struct{ name, value string }{
	{"id", `"e2e-table"`}, {"account", `"123456789012"`}, {"source", `"e2e.table"`}, {"time", `"2026-01-02T03:04:05Z"`},
	{"region", `"us-east-1"`}, {"resources", `[]`}, {"detail-type", `"e2e.table"`},
}

// patternFields are the top-level fields a pattern looks at, through
// $or too; nil when it is not a JSON object.
func patternFields(pat string) map[string]bool {
	var v any
	if json.Unmarshal([]byte(pat), &v) != nil {
		return nil
	}
	out := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, sub := range m {
			if k != "$or" {
				out[k] = true
				continue
			}
			if alts, ok := sub.([]any); ok {
				for _, a := range alts {
					walk(a)
				}
			}
		}
	}
	walk(v)
	return out
}

// completeEvent is the case's event with the fields TestEventPattern
// requires added where it lacks them, its own text kept as it is (the
// fields go in after its opening brace), or why that cannot be done
// without changing what the case tests: a missing field the pattern looks
// at, or a field present that TestEventPattern refuses. An invalid
// pattern's answer does not depend on the event: its event gets every
// missing field.
func completeEvent(c patternCase) (string, string) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(c.Event), &m); err != nil {
		return "", "the event is not a JSON object"
	}
	looks := patternFields(c.Pattern)
	var add []string
	for _, f := range testEventFields {
		raw, ok := m[f.name]
		if !ok {
			if c.Want != "invalid" && looks[f.name] {
				return "", "the pattern looks at '" + f.name + "', which the event lacks"
			}
			add = append(add, `"`+f.name+`":`+f.value)
			continue
		}
		var str string
		switch f.name {
		case "resources":
			var rs []string
			if json.Unmarshal(raw, &rs) != nil {
				return "", "its 'resources' is not an array of strings"
			}
		case "time":
			if json.Unmarshal(raw, &str) != nil {
				return "", "its 'time' is not a string"
			}
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				return "", "its 'time' is not an RFC 3339 timestamp"
			}
		default:
			if json.Unmarshal(raw, &str) != nil {
				return "", "its '" + f.name + "' is not a string"
			}
		}
	}
	if len(add) == 0 {
		return c.Event, ""
	}
	text := strings.TrimSpace(c.Event)
	rest := strings.TrimSpace(text[1:])
	sep := ","
	if strings.HasPrefix(rest, "}") {
		sep = ""
	}
	return "{" + strings.Join(add, ",") + sep + text[1:], ""
}

// TestEventPattern gives the pattern package's answers: every case of its
// table (integrations/bus/pattern/testdata/cases.json) sent through the
// SDK's TestEventPattern to a real `signalbox serve`, its event completed
// with the fields the API requires (completeEvent; the cases that cannot
// be are skipped and counted), answers exactly what the table says:
// match is Result true, nomatch false, invalid an
// InvalidEventPatternException whose message holds the table's.
func TestEventPatternTable(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../integrations/bus/pattern/testdata/cases.json")
	require.NoError(t, err)
	var cases []patternCase
	require.NoError(t, json.Unmarshal(raw, &cases))
	require.GreaterOrEqual(t, len(cases), 400)

	s := startServe(t)
	eb := eventsServeClient(s.URL, nil)
	ctx := context.Background()

	type job struct {
		c     patternCase
		event string
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var failures []string
	sent := map[string]int{}
	check := func(j job) {
		res, err := eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(j.c.Pattern), Event: aws.String(j.event)})
		var got string
		switch {
		case err == nil && res.Result:
			got = "match"
		case err == nil:
			got = "nomatch"
		default:
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				got = "error " + err.Error()
			} else if ae.ErrorCode() == "InvalidEventPatternException" && strings.Contains(ae.ErrorMessage(), j.c.Error) {
				got = "invalid"
			} else {
				got = ae.ErrorCode() + ": " + ae.ErrorMessage()
			}
		}
		mu.Lock()
		defer mu.Unlock()
		sent[j.c.Want]++
		if got != j.c.Want {
			failures = append(failures, j.c.Name+": want "+j.c.Want+" (message holding "+j.c.Error+"), got "+got+
				"\n  pattern "+j.c.Pattern+"\n  event   "+j.event)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for j := range jobs {
				check(j)
			}
		})
	}
	began := time.Now()
	skipped := map[string][]string{}
	for _, c := range cases {
		event, why := completeEvent(c)
		if why != "" {
			skipped[why] = append(skipped[why], c.Name)
			continue
		}
		jobs <- job{c, event}
	}
	close(jobs)
	wg.Wait()

	nSkipped := 0
	for why, names := range skipped {
		nSkipped += len(names)
		t.Logf("skipped %d: %s: %s", len(names), why, strings.Join(names, ", "))
	}
	t.Logf("TestEventPattern table: %d cases, %d sent (match %d, nomatch %d, invalid %d), %d skipped, in %v",
		len(cases), sent["match"]+sent["nomatch"]+sent["invalid"], sent["match"], sent["nomatch"], sent["invalid"], nSkipped, time.Since(began).Round(time.Millisecond))
	require.Empty(t, failures, "%d cases answered otherwise than the table:\n%s", len(failures), strings.Join(failures, "\n"))
	require.LessOrEqual(t, nSkipped, len(cases)/20, "more than 5%% of the table could not be sent")
	require.Equal(t, len(cases), sent["match"]+sent["nomatch"]+sent["invalid"]+nSkipped)
}
