// Package store is Signalbox's Redis layer: the key layout (keys.go), the
// Lua scripts of every transition (scripts.go), the embedded default server
// and the connection options (options.go, client.go).
//
// One code path serves every deployment: a Client wraps a
// redis.UniversalClient that talks to an in-process Redis-compatible server
// (miniredis, the default when no URL is given), a Redis server, or a Redis
// Cluster. The keys of one execution share the hash tag {executionID}, and
// every key a script touches is passed in KEYS, so each transition is one
// atomic script in one Cluster slot. Operations that span slots (the ready
// stream, the timers, the open-executions index) are ordered so that a crash
// between their steps leaves a duplicate, never a loss; duplicates are
// dropped by the thread's sequence number (see docs/durable.md).
//
// Methods put the noun first (ExecutionCreate, ThreadGet, WorkRead) and
// failed compare-and-set checks come back as typed errors: ErrStale,
// ErrClosed, ErrNotFound, ErrExecutionAlreadyExists.
package store
