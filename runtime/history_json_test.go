package runtime

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signalbox/signalbox/asl"
)

// The common events' details are written without a map; they must render
// byte for byte as the general path (details, keys sorted) renders them.
func TestEventCommonDetailsRenderAsTheGeneralPath(t *testing.T) {
	at := time.Date(2026, 11, 26, 1, 2, 3, 456789000, time.FixedZone("x", 3600))
	payloads := []any{nil, map[string]any{"b": 1.5, "a": []any{"x\"y", true}}, "<\u2028>", int64(7)}
	var events []Event
	for _, p := range payloads {
		events = append(events,
			Event{Type: ExecutionStarted, Timestamp: at, Payload: p, Task: &TaskDetails{Resource: "arn:aws:iam::1:role/r"}},
			Event{Type: ExecutionStarted, Timestamp: at, Payload: p},
			Event{Type: ExecutionSucceeded, Timestamp: at, Payload: p},
		)
		for _, k := range []asl.Kind{asl.KindPass, asl.KindTask, asl.KindChoice, asl.KindWait, asl.KindSucceed, asl.KindFail, asl.KindParallel, asl.KindMap} {
			events = append(events,
				Event{Type: StateEntered(k), Timestamp: at, Name: "S \"1\"", Payload: p},
				Event{Type: StateExited(k), Timestamp: at, Name: "é", Payload: p})
		}
	}
	for _, ev := range events {
		var fast strings.Builder
		ev.appendBody(&fast)
		key, details := ev.details()
		want := `"timestamp":` + asl.EncodeJSON(ev.Timestamp.UTC().Format(asl.TimeFormat)) +
			`,"type":` + asl.EncodeJSON(string(ev.Type)) + `,"` + key + `":` + asl.EncodeJSON(details)
		if fast.String() != want {
			t.Errorf("%s:\n got %s\nwant %s", ev.Type, fast.String(), want)
		}
	}
}

func BenchmarkEventBodyJSON(b *testing.B) {
	ev := Event{Type: StateExited(asl.KindPass), Timestamp: time.Now(), Name: "Step", Payload: map[string]any{"order": "o-1", "n": 3.0}}
	b.ReportAllocs()
	for b.Loop() {
		_ = ev.bodyJSON()
	}
}

// BenchmarkEventBodyJSONGeneral is the general path, the baseline of
// BenchmarkEventBodyJSON.
func BenchmarkEventBodyJSONGeneral(b *testing.B) {
	ev := Event{Type: StateExited(asl.KindPass), Timestamp: time.Now(), Name: "Step", Payload: map[string]any{"order": "o-1", "n": 3.0}}
	b.ReportAllocs()
	for b.Loop() {
		key, details := ev.details()
		_ = asl.EncodeJSON(ev.Timestamp.UTC().Format(asl.TimeFormat)) + asl.EncodeJSON(string(ev.Type)) + key + asl.EncodeJSON(details)
	}
}

func TestNewUUIDIsVersion4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		u := newUUID()
		if !re.MatchString(u) || seen[u] {
			t.Fatalf("%q: not a fresh version 4 UUID", u)
		}
		seen[u] = true
	}
}

func TestEngineNoHistoryKeepsTheOutcome(t *testing.T) {
	m, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"Next":"B"},"B":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	kept := (&Engine{}).Run(context.Background(), m, Execution{Input: map[string]any{}})
	res := (&Engine{}).Run(context.Background(), m, Execution{Input: map[string]any{}, NoHistory: true})
	if res.Status != StatusSucceeded || asl.EncodeJSON(res.Output) != asl.EncodeJSON(kept.Output) {
		t.Fatalf("without history: %s %s", res.Status, asl.EncodeJSON(res.Output))
	}
	if len(res.History()) != 0 || len(kept.History()) != 6 {
		t.Fatalf("history kept: %d events without, %d with", len(res.History()), len(kept.History()))
	}
}
