package runtime

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/signalbox/signalbox/asl"
)

// Work item kinds of the durable runtime.
const (
	kindStep = "step" // run the thread's current state
	kindTask = "task" // call the integration of the thread's current Task
	kindWake = "wake" // a Wait ended, or a retry's backoff passed
	// kindTimeout ends the execution when its TimeoutSeconds pass; it is
	// not tied to a thread's seq.
	kindTimeout = "timeout"
	kindBegin   = "begin" // a child thread starts: its first state is entered
	kindJoin    = "join"  // a fork's children have ended (or one failed)
	// kindTaskTimeout and kindHeartbeat end a task waiting for its token
	// when its TimeoutSeconds or HeartbeatSeconds pass.
	kindTaskTimeout = "tasktimeout"
	kindHeartbeat   = "heartbeat"
)

// Thread phases: what the thread waits for at its current state.
const (
	phaseEnter = ""      // its state is to be run (kindStep)
	phaseTask  = "task"  // its task is to be called (kindTask)
	phaseWait  = "wait"  // a Wait state waits for Then (kindWake)
	phaseRetry = "retry" // the state runs again after a backoff (kindWake)
	phaseBegin = "begin" // a child thread not started yet (kindBegin)
	phaseFork  = "fork"  // a Parallel or Map waits for its children (kindJoin)
	phaseDone  = "done"  // a child thread that ended
	phaseToken = "token" // a .waitForTaskToken task waits for SendTask*
)

// threadRecord is a durable thread's record: where it stands, and the
// state visit's retry counters. Values are kept as JSON text.
type threadRecord struct {
	State      string          `json:"s"`
	Input      json.RawMessage `json:"in"`
	Entered    int64           `json:"et"`            // unix ms
	EnteredID  int64           `json:"eid,omitempty"` // the StateEntered event, once known
	Phase      string          `json:"ph,omitempty"`
	Retries    []int           `json:"r,omitempty"`
	RetryCount int             `json:"rc,omitempty"`
	RetryAt    int64           `json:"ra,omitempty"` // unix ms: when the retry's wait began (its span's)
	Call       *callRecord     `json:"call,omitempty"`
	Then       *thenRecord     `json:"then,omitempty"`

	// Machine is the path to the sub-machine the thread runs: one
	// element per level, "State#b<i>" for a Parallel branch, "State#p"
	// for a Map processor; empty for the top level.
	Machine []string     `json:"m,omitempty"`
	Fork    *forkRecord  `json:"f,omitempty"` // a parent waiting for its children
	Child   *childRecord `json:"c,omitempty"` // a child: its place in its fork
	// Redrives is the execution's redrive count when the thread's state
	// was entered ($$.Execution.RedriveCount).
	Redrives int `json:"rd,omitempty"`
	// Token is the task token of a .waitForTaskToken task, and Deadline
	// (unix ms, 0: none) when its TimeoutSeconds end.
	Token string `json:"tok,omitempty"`
	// Started: a worker took the activity task of Token (ActivityStarted);
	// the task queued again by a call delivered twice is then stale.
	Started  bool  `json:"sta,omitempty"`
	Deadline int64 `json:"dl,omitempty"`
	// Nested is the ARN of the nested execution a .sync task waits for
	// (nested.go): stopped when the task is abandoned.
	Nested string `json:"nx,omitempty"`
}

// forkRecord is the fork a Parallel or Map state waits for.
type forkRecord struct {
	ID      string  `json:"id"`
	N       int     `json:"n"`
	Map     bool    `json:"map,omitempty"`
	TolCnt  int     `json:"tc"`
	TolPct  float64 `json:"tp"`
	Limited bool    `json:"lim,omitempty"`
	// Run is the ARN of the map run the fork is (a Distributed Map), ""
	// for none; Writer: the map run has a ResultWriter, so its children
	// keep their input and dates with their results.
	Run    string `json:"run,omitempty"`
	Writer bool   `json:"w,omitempty"`
	// Chunk, when not 0, is how many items each child carries out (a map
	// run of a pure processor: durable_chunk.go).
	Chunk int `json:"ck,omitempty"`
	// Total is the Map's number of items when its children are chunks.
	Total int `json:"tot,omitempty"`
}

// childRecord places a child thread in its fork.
type childRecord struct {
	forkRecord
	Index     int             `json:"i"` // -1: a Map iteration not begun yet (forkMap)
	Parent    string          `json:"p"`
	ParentSeq int64           `json:"ps"`
	MapState  string          `json:"ms,omitempty"` // the Map state's name, for iteration events
	Item      json.RawMessage `json:"it,omitempty"` // the Map item ($$.Map.Item.Value)
	// ParentEntered is the StateEntered event of the fork's state, and
	// Began (unix ms) when the child began: its span's (trace.go).
	ParentEntered int64 `json:"pe,omitempty"`
	Began         int64 `json:"b,omitempty"`
	// Items is the map run's number of items when its children are
	// chunks of them.
	Items int `json:"its,omitempty"`
}

// callRecord is the task a thread is to call.
type callRecord struct {
	Resource         string          `json:"res"`
	Parameters       json.RawMessage `json:"p"`
	TimeoutSeconds   int             `json:"to,omitempty"`
	HeartbeatSeconds int             `json:"hb,omitempty"`
	Credentials      json.RawMessage `json:"cr,omitempty"`
}

// thenRecord is what a Wait does once it ends: move to Next (or succeed
// when Next is empty) with Output, assigning Assign.
type thenRecord struct {
	Next   string          `json:"n,omitempty"`
	Output json.RawMessage `json:"o"`
	Assign json.RawMessage `json:"a,omitempty"`
}

func rawJSON(v any) json.RawMessage { return json.RawMessage(asl.EncodeJSON(v)) }

func decodeRaw(r json.RawMessage) (any, error) {
	if len(r) == 0 {
		return nil, nil
	}
	return asl.DecodeJSON(r)
}

func newThreadRecord(state string, input any, entered time.Time) *threadRecord {
	return &threadRecord{State: state, Input: rawJSON(input), Entered: entered.UnixMilli()}
}

func (r *threadRecord) encode() ([]byte, error) { return json.Marshal(r) }

func decodeThreadRecord(b []byte) (*threadRecord, error) {
	var r threadRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("thread record: %w", err)
	}
	return &r, nil
}

func encodeThen(o asl.Outcome) (*thenRecord, error) {
	switch x := o.(type) {
	case asl.Next:
		return &thenRecord{Next: x.State, Output: rawJSON(x.Output), Assign: assignJSON(x.Assign)}, nil
	case asl.Succeed:
		return &thenRecord{Output: rawJSON(x.Output), Assign: assignJSON(x.Assign)}, nil
	}
	return nil, fmt.Errorf("a Wait cannot continue with %T", o)
}

func assignJSON(m map[string]any) json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	return rawJSON(m)
}

func (t *thenRecord) outcome() (asl.Outcome, error) {
	out, err := decodeRaw(t.Output)
	if err != nil {
		return nil, err
	}
	var assign map[string]any
	if len(t.Assign) > 0 {
		v, err := decodeRaw(t.Assign)
		if err != nil {
			return nil, err
		}
		assign, _ = v.(map[string]any)
	}
	if t.Next == "" {
		return asl.Succeed{Output: out, Assign: assign}, nil
	}
	return asl.Next{State: t.Next, Output: out, Assign: assign}, nil
}
