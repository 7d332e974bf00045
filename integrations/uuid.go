package integrations

import (
	"crypto/rand"
	"encoding/binary"
	"strings"

	"github.com/signalbox/signalbox/asl/intrinsic"
)

// NewUUID returns a random (version 4) UUID: the id of a message, an
// event, a subscription, a request.
func NewUUID() string { return NewUUIDs(1) }

// NewUUIDs returns n random (version 4) UUIDs, one after another in one
// string (36 bytes each: s[36*i:36*(i+1)] is the i-th), made from one read
// of the random source: the ids of a message's copies in several queues.
func NewUUIDs(n int) string {
	var small [16 * 16]byte
	b := small[:]
	if n > 16 {
		b = make([]byte, 16*n)
	}
	b = b[:16*n]
	_, _ = rand.Read(b)
	var out strings.Builder
	out.Grow(36 * n)
	var id [36]byte
	for i := range n {
		out.Write(intrinsic.AppendUUIDv4(id[:0], binary.BigEndian.Uint64(b[16*i:]), binary.BigEndian.Uint64(b[16*i+8:])))
	}
	return out.String()
}
