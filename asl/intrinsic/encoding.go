package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strings"
	"unicode/utf8"
)

// maxEncodeLen is the longest string, in Java characters (UTF-16 code
// units), that States.Base64Encode, Base64Decode and Hash accept.
const maxEncodeLen = 10000

// javaLen returns the length of s as Java counts it: in UTF-16 code units.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// shortString returns v when it is a string of at most maxEncodeLen Java
// characters.
func shortString(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || len(s) > 4*maxEncodeLen || javaLen(s) > maxEncodeLen {
		return "", false
	}
	return s, true
}

// evalBase64Encode implements States.Base64Encode(string): the UTF-8 bytes
// of the string in standard Base64 with padding.
func evalBase64Encode(c *call, env *Env) (any, error) {
	v, err := c.args1(env)
	if err != nil {
		return nil, err
	}
	s, ok := shortString(v)
	if !ok {
		return nil, c.fn.invalid
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// evalBase64Decode implements States.Base64Decode(string). Padding is
// optional, as for Java's decoder; bytes that are not UTF-8 decode to
// U+FFFD.
func evalBase64Decode(c *call, env *Env) (any, error) {
	v, err := c.args1(env)
	if err != nil {
		return nil, err
	}
	s, ok := shortString(v)
	if !ok || strings.ContainsAny(s, "\r\n") { // Java's basic decoder takes no line breaks
		return nil, c.fn.invalid
	}
	enc := base64.StdEncoding
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, c.fn.invalid
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

// hashes maps the algorithm names States.Hash accepts to their functions.
var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// evalHash implements States.Hash(data, algorithm): the lowercase hex
// digest of the UTF-8 bytes of data.
func evalHash(c *call, env *Env) (any, error) {
	d, a, err := c.args2(env)
	if err != nil {
		return nil, err
	}
	data, ok := shortString(d)
	alg, _ := a.(string)
	newHash := hashes[alg]
	if !ok || newHash == nil {
		return nil, c.fn.invalid
	}
	h := newHash()
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}
