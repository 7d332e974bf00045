package runtime_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

func TestStatusTransition(t *testing.T) {
	t.Parallel()
	all := []runtime.Status{
		runtime.StatusRunning, runtime.StatusSucceeded, runtime.StatusFailed,
		runtime.StatusTimedOut, runtime.StatusAborted, runtime.StatusPendingRedrive,
	}
	allowed := map[[2]runtime.Status]bool{
		{runtime.StatusRunning, runtime.StatusSucceeded}:       true,
		{runtime.StatusRunning, runtime.StatusFailed}:          true,
		{runtime.StatusRunning, runtime.StatusTimedOut}:        true,
		{runtime.StatusRunning, runtime.StatusAborted}:         true,
		{runtime.StatusRunning, runtime.StatusPendingRedrive}:  true,
		{runtime.StatusFailed, runtime.StatusPendingRedrive}:   true,
		{runtime.StatusTimedOut, runtime.StatusPendingRedrive}: true,
		{runtime.StatusAborted, runtime.StatusPendingRedrive}:  true,
		{runtime.StatusPendingRedrive, runtime.StatusRunning}:  true,
	}
	for _, from := range all {
		for _, to := range all {
			err := from.Transition(to)
			if allowed[[2]runtime.Status{from, to}] {
				require.NoError(t, err, "%s -> %s", from, to)
			} else {
				require.Error(t, err, "%s -> %s", from, to)
			}
		}
	}
}

func TestStatusClosed(t *testing.T) {
	t.Parallel()
	closed := map[runtime.Status]bool{
		runtime.StatusRunning:        false,
		runtime.StatusPendingRedrive: false,
		runtime.StatusSucceeded:      true,
		runtime.StatusFailed:         true,
		runtime.StatusTimedOut:       true,
		runtime.StatusAborted:        true,
	}
	for s, want := range closed {
		require.Equal(t, want, s.Closed(), "%s", s)
	}
}
