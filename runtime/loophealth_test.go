package runtime

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A failing store is logged once per change of state, not once per tick,
// and the loop backs off exponentially up to a cap.
func TestLoopHealthLogsOncePerStateChange(t *testing.T) {
	var buf bytes.Buffer
	h := newLoopHealth("firing timers", slog.New(slog.NewTextHandler(&buf, nil)))
	var waits []time.Duration
	for range 20 {
		waits = append(waits, h.failed(errors.New("dial tcp: connection refused")))
	}
	require.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second}, waits[:7])
	require.Equal(t, 5*time.Second, waits[19])
	h.ok()
	h.ok()
	h.failed(errors.New("again"))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, buf.String())
	require.Contains(t, lines[0], "store unavailable: firing timers")
	require.Contains(t, lines[1], "store available again: firing timers resumes")
	require.Contains(t, lines[1], "failures=20")
	require.Contains(t, lines[2], "store unavailable")
	require.Equal(t, 200*time.Millisecond, h.failed(errors.New("x")), "the back-off starts again")
}
