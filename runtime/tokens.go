package runtime

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/store"
)

// ErrTaskDoesNotExist is AWS's TaskDoesNotExist: no task waits for this
// token (it was used, timed out, or never existed).
var ErrTaskDoesNotExist = errors.New("TaskDoesNotExist")

// ErrInvalidToken is AWS's InvalidToken: the token is not one of ours.
var ErrInvalidToken = errors.New("InvalidToken")

// newTaskToken makes the token of a .waitForTaskToken task: it names the
// execution and thread, so SendTask* finds its way without a lookup key,
// and carries a random part the thread's record must match.
func newTaskToken(execID, thread string, c *asl.Context) string {
	nonce := fmt.Sprintf("%016x", c.Rand.Uint64())
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + execID + "|" + thread + "|" + nonce))
}

// parseTaskToken returns the execution and thread a token names. Only what
// newTaskToken makes is accepted: an execution id of 32 lower-case hex
// digits (store.ExecutionID), a thread id of numbers joined by "/"
// (store.RootThread and the fork children's ids) and a nonce of 16 hex
// digits, so a forged token cannot name keys outside an execution's.
func parseTaskToken(token string) (execID, thread string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	f := strings.Split(string(b), "|")
	if err != nil || len(f) != 4 || f[0] != "v1" || !isLowerHex(f[1], 32) || !isThreadID(f[2]) || !isLowerHex(f[3], 16) {
		return "", "", fmt.Errorf("%w: %.40q", ErrInvalidToken, token)
	}
	return f[1], f[2], nil
}

func isLowerHex(s string, n int) bool { return len(s) == n && isHex(s) }

// isThreadID reports whether s is numbers joined by "/", as thread ids are.
func isThreadID(s string) bool {
	for seg := range strings.SplitSeq(s, "/") {
		if seg == "" || strings.Trim(seg, "0123456789") != "" {
			return false
		}
	}
	return true
}

// sendTaskSuccess completes the task waiting for token with output.
func (d *Durable) sendTaskSuccess(ctx context.Context, token string, output any) error {
	return d.sendTask(ctx, token, &external{token: token, output: output})
}

// sendTaskFailure fails the task waiting for token; Retry and Catch apply.
func (d *Durable) sendTaskFailure(ctx context.Context, token, errName, cause string) error {
	return d.sendTask(ctx, token, &external{token: token, failure: &aslerr.Error{Name: errName, Cause: cause}})
}

// sendTaskHeartbeat tells the task waiting for token that its worker is
// alive: its HeartbeatSeconds start again.
func (d *Durable) sendTaskHeartbeat(ctx context.Context, token string) error {
	return d.sendTask(ctx, token, &external{token: token, heartbeat: true})
}

// ErrTaskTimedOut is AWS's TaskTimedOut: the token's task, or its
// execution, has ended.
var ErrTaskTimedOut = errors.New("TaskTimedOut")

func (d *Durable) sendTask(ctx context.Context, token string, ext *external) error {
	execID, thread, err := parseTaskToken(token)
	if err != nil {
		return err
	}
	err = d.process(ctx, store.WorkItem{Exec: execID, Thread: thread, Kind: kindStep}, ext, nil)
	if errors.Is(err, store.ErrNotFound) {
		return ErrTaskDoesNotExist
	}
	return err
}
