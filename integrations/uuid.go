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
