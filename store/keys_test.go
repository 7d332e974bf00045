package store

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExecutionID(t *testing.T) {
	t.Parallel()
	// printf 'arn:...:stateMachine:sm\0run-1' | sha256sum | cut -c1-32
	require.Equal(t, "9f9990420aea02e4e2d1a816462ca8a6", ExecutionID(testARN, "run-1"))
	require.NotEqual(t, ExecutionID(testARN, "run-1"), ExecutionID(testARN+":2", "run-1"))
	// The separator keeps ("a", "bc") and ("ab", "c") apart.
	require.NotEqual(t, ExecutionID("a", "bc"), ExecutionID("ab", "c"))
}

func TestKeys(t *testing.T) {
	t.Parallel()
	k := NewKeys("")
	tests := []struct{ got, want string }{
		{k.ExecutionKey("e1"), "sb:{e1}:x"},
		{k.HistoryKey("e1"), "sb:{e1}:h"},
		{k.ThreadsKey("e1"), "sb:{e1}:t"},
		{k.VarsKey("e1"), "sb:{e1}:v"},
		{k.JoinKey("e1"), "sb:{e1}:j"},
		{k.OutboxKey("e1"), "sb:{e1}:o"},
		{k.ReadyStream(), "sb:ready"},
		{k.TimersKey(), "sb:timers"},
		{k.OpenExecutionsKey(), "sb:open"},
		{k.DefinitionKey("f00"), "sb:def:f00"},
		{k.StateMachineKey("orders"), "sb:sm:{orders}"},
		{k.StateMachineVersionsKey("orders"), "sb:sm:{orders}:v"},
		{k.StateMachinesKey(), "sb:sms"},
		{NewKeys("app:sb").ReadyStream(), "app:sb:ready"},
		{k.TopicSigningKey(), "sb:topic:signing"},
		{k.BusKey("orders"), "sb:{b:orders}"},
		{k.BusDueKey("orders"), "sb:{b:orders}:due"},
		{k.ArchiveEventsKey("a1"), "sb:{ar:a1}:ev"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got)
	}
}

func TestKeySlots(t *testing.T) {
	t.Parallel()
	// The test vectors of the Redis Cluster specification, and slots that
	// CLUSTER KEYSLOT gave.
	require.EqualValues(t, 0x31c3, crc16([]byte("123456789")))
	require.Equal(t, 12739, slot("123456789"))
	require.Equal(t, 7638, slot("sb:{abc}:x"))
	require.Equal(t, 7638, slot("x{abc}y{def}"), "the first tag counts")
	require.Equal(t, 5980, slot("{}abc"), "an empty tag hashes the whole key")
	require.Equal(t, 14999, slot("sb:ready"))

	k := NewKeys("sb")
	// every key of a bus's data plane in one slot, and an archive's two
	busKeys := []string{k.BusKey("b"), k.BusRulesKey("b"), k.BusTagsKey("b"), k.BusEventsKey("b"), k.BusDueKey("b"), k.BusAttemptsKey("b"), k.BusLeftKey("b"), k.BusSchedulesKey("b")}
	for _, key := range busKeys {
		require.Equal(t, slot(busKeys[0]), slot(key), key)
	}
	require.Equal(t, slot(k.ArchiveKey("a")), slot(k.ArchiveEventsKey("a")))
	perExec := func(id string) []string {
		return []string{k.ExecutionKey(id), k.HistoryKey(id), k.ThreadsKey(id), k.VarsKey(id), k.JoinKey(id), k.OutboxKey(id)}
	}
	a, b := ExecutionID(testARN, "a"), ExecutionID(testARN, "b")
	slotA := slot(k.ExecutionKey(a))
	for _, key := range perExec(a) {
		require.Equal(t, slotA, slot(key), key)
	}
	require.NotEqual(t, slotA, slot(k.ExecutionKey(b)))
	// The scripts' KEYS are the execution's keys (outside direct mode,
	// which a Cluster does not use).
	for _, keys := range [][]string{k.createKeys(a, false, "m"), k.transitionKeys(a, false)} {
		for _, key := range keys {
			require.Equal(t, slotA, slot(key), key)
		}
	}
	// The global keys are spread, not all in one slot.
	globals := map[int]bool{}
	for _, key := range []string{k.ReadyStream(), k.TimersKey(), k.OpenExecutionsKey()} {
		globals[slot(key)] = true
	}
	require.Len(t, globals, 3)
}

// slot is a key's Redis Cluster hash slot: CRC16 of the key's hash tag (the
// text between the first '{' and the next '}', when not empty) or else of
// the whole key, modulo 16384.
func slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16([]byte(key)) % 16384)
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the checksum
// of the Redis Cluster specification.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// TestQueueKeySlots: every key a queue script or a move-task script
// touches is in the queue's slot.
func TestQueueKeySlots(t *testing.T) {
	t.Parallel()
	k := NewKeys("sb")
	s := slot(k.QueueKey("orders"))
	keys := append(k.queueKeys("orders"), k.QueueSourcesKey("orders"), k.QueueMoveTasksKey("orders"), k.QueueMoveTaskKey("orders", "t1"))
	require.Len(t, keys, 19)
	for _, key := range keys {
		require.Equal(t, s, slot(key), key)
	}
	require.NotEqual(t, s, slot(k.QueueKey("other")))
	require.NotEqual(t, slot(k.QueueKey("orders")), slot(k.QueuesKey()))
}
