package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// The typed errors of the store. Scripts return a small code; Go maps it to
// one of these, wrapped with detail, so callers test with errors.Is.
var (
	// ErrNotFound: the execution or thread does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrStale: the thread's sequence number is not the expected one, so the
	// work item or transition is a stale or duplicate delivery.
	ErrStale = errors.New("store: stale sequence number")
	// ErrClosed: the execution is no longer running.
	ErrClosed = errors.New("store: execution closed")
	// ErrExecutionAlreadyExists: StartExecution with the name of an
	// execution that is closed, or open with another input.
	ErrExecutionAlreadyExists = errors.New("store: execution already exists")
	// ErrInvalid: the caller passed a value the store cannot encode (an id
	// with a reserved character, an event that is not a JSON object, ...).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrCorrupt: a stored value does not have the store's format.
	ErrCorrupt = errors.New("store: corrupt value")
	// ErrCancelled: the thread belongs to a fork that has already joined
	// (a sibling failed): its work is dropped.
	ErrCancelled = errors.New("store: fork already joined")
	// ErrEventsMoved: a transition that assumed the execution's event
	// counter (TransitionParams.ExpectEvents) found another value.
	ErrEventsMoved = errors.New("store: event counter moved")
	// ErrHistoryLimit: the transition's events would take the history to
	// its limit (TransitionParams.MaxEvents) without ending the execution
	// successfully; nothing was written.
	ErrHistoryLimit = errors.New("store: history limit reached")
)

// The codes the scripts return first.
const (
	codeOK       = 0
	codeStale    = 1
	codeClosed   = 2
	codeNotFound = 3
	codeExisting = 4 // ExecutionCreate: open with the same input
	codeExists   = 5 // ExecutionCreate: closed, or open with another input
	codeCancel   = 6 // Transition: the thread's fork has joined
	codeMoved    = 7 // Transition: the event counter is not the expected one
	codeHistory  = 8 // Transition: the history would reach its limit
	// codeDeletedRecently: QueueCreate, the name's queue was deleted less
	// than QueueRecreateAfter ago
	codeDeletedRecently = 22
)

// ErrUnavailable marks a failure of the server rather than of the request:
// it did not answer in time, refused the connection, or refused the write
// (out of memory, read-only replica, loading, cluster down).
var ErrUnavailable = errors.New("store: the store is unavailable")

// Unavailable reports whether err is the server's failure (ErrUnavailable
// or one of the errors it stands for): the request may succeed later.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var re redis.Error
	if errors.As(err, &re) {
		msg := re.Error()
		for _, p := range []string{"OOM ", "EXECABORT", "LOADING", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "BUSY ", "NOREPLICAS", "MISCONF"} {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
	}
	return false
}
