package jsonata

import (
	"strings"
	"unicode/utf8"
)

const uriUnreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
const uriReserved = ";/?:@&=+$,#"

// encodeURI percent-encodes s as JavaScript's encodeURIComponent (keep is
// uriUnreserved) or encodeURI (keep also has uriReserved) do.
func encodeURI(s, keep string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return "", false
		}
		if r >= 0xD800 && r <= 0xDFFF {
			return "", false
		}
		if r < utf8.RuneSelf && strings.IndexByte(keep, byte(r)) >= 0 {
			b.WriteByte(byte(r))
		} else {
			for j := 0; j < size; j++ {
				c := s[i+j]
				b.WriteByte('%')
				b.WriteByte("0123456789ABCDEF"[c>>4])
				b.WriteByte("0123456789ABCDEF"[c&0xf])
			}
		}
		i += size
	}
	return b.String(), true
}

// decodeURI decodes percent escapes as decodeURIComponent does, or, when
// reservedKept, as decodeURI does (escapes of reserved characters stay).
func decodeURI(s string, reservedKept bool) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b.WriteByte(s[i])
			i++
			continue
		}
		// collect a run of escapes forming one UTF-8 character
		var buf []byte
		start := i
		for len(buf) == 0 || !utf8.FullRune(buf) {
			if i+3 > len(s) || s[i] != '%' || !isHex(s[i+1:i+3]) {
				return "", false
			}
			buf = append(buf, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 3
			if len(buf) == 1 && buf[0] < utf8.RuneSelf {
				break
			}
			if len(buf) > 4 {
				return "", false
			}
		}
		r, _ := utf8.DecodeRune(buf)
		if r == utf8.RuneError {
			return "", false
		}
		if reservedKept && r < utf8.RuneSelf && strings.IndexRune(uriReserved, r) >= 0 {
			b.WriteString(s[start:i])
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func urlFunction(name string, f func(string) (string, bool)) builtinFn {
	return func(ev *evaluator, c *callCtx, args []any) (any, error) {
		s, ok := arg(args, 0).(string)
		if !ok {
			return Undefined, nil
		}
		r, ok := f(s)
		if !ok {
			return nil, newError("D3140", c.pos, name, s)
		}
		return r, nil
	}
}

var (
	fnEncodeURLComponent = urlFunction("encodeUrlComponent", func(s string) (string, bool) { return encodeURI(s, uriUnreserved) })
	fnEncodeURL          = urlFunction("encodeUrl", func(s string) (string, bool) { return encodeURI(s, uriUnreserved+uriReserved) })
	fnDecodeURLComponent = urlFunction("decodeUrlComponent", func(s string) (string, bool) { return decodeURI(s, false) })
	fnDecodeURL          = urlFunction("decodeUrl", func(s string) (string, bool) { return decodeURI(s, true) })
)
