package integrations

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/signalbox/signalbox/asl/intrinsic"
)

// NewUUID returns a random (version 4) UUID: the id of a message, an
// event, a subscription, a request.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return intrinsic.UUIDv4(binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]))
}

// NewUUIDs returns n random (version 4) UUIDs, one after another in one
// string (36 bytes each: s[36*i:36*(i+1)] is the i-th), made from one read
// of the random source: the ids of a message's copies in several queues.
func NewUUIDs(n int) string {
	b := make([]byte, 16*n)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 36*n)
	for i := range n {
		out = intrinsic.AppendUUIDv4(out, binary.BigEndian.Uint64(b[16*i:]), binary.BigEndian.Uint64(b[16*i+8:]))
	}
	return string(out)
}
