package runtime

import (
	"encoding/binary"
	"hash/fnv"
	"testing"

	"github.com/stretchr/testify/require"
)

// spanIDOf is FNV-1a over the execution, a zero byte, the kind and each
// number big-endian, as hash/fnv computes it: the ids a span had before
// the hash was written out, so that processes of either version name the
// same parents.
func TestSpanIDOfIsFNV1a(t *testing.T) {
	for _, c := range []struct {
		exec, kind string
		nums       []int64
	}{
		{"arn:aws:states:us-east-1:123456789012:execution:m:e", "execution", nil},
		{"é✓", "state", []int64{1, -5, 1 << 40}},
		{"", "", []int64{0}},
	} {
		h := fnv.New64a()
		h.Write([]byte(c.exec + "\x00" + c.kind))
		for _, n := range c.nums {
			h.Write(binary.BigEndian.AppendUint64(nil, uint64(n)))
		}
		require.Equal(t, h.Sum64()|1, binary.BigEndian.Uint64(func() []byte { id := spanIDOf(c.exec, c.kind, c.nums...); return id[:] }()), c)
	}
}
