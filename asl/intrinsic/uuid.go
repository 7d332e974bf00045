package intrinsic

import "encoding/hex"

// evalUUID implements States.UUID(): a version 4 UUID from env.Rand.
func evalUUID(_ *call, env *Env) (any, error) {
	if env.Rand == nil {
		return nil, errNoRandom
	}
	return UUIDv4(env.Rand.Uint64(), env.Rand.Uint64()), nil
}

// UUIDv4 formats 128 random bits as a version 4 UUID (its version and
// variant bits set).
func UUIDv4(hi, lo uint64) string {
	var out [36]byte
	return string(AppendUUIDv4(out[:0], hi, lo))
}

// AppendUUIDv4 appends UUIDv4(hi, lo) to dst.
func AppendUUIDv4(dst []byte, hi, lo uint64) []byte {
	var b [16]byte
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	n := len(dst)
	dst = append(dst, make([]byte, 36)...)
	out := dst[n:]
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return dst
}
