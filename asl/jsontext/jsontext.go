// Package jsontext writes JSON string literals, the one piece of JSON
// rendering that asl, its intrinsic functions and its JSONata engine share
// (each renders numbers and objects its own way: Jackson's for AWS's
// payloads, JavaScript's for JSONata's $string).
package jsontext

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Hex digit sets for \u escapes: Jackson (AWS's serializer) writes upper
// case, JavaScript's JSON.stringify lower case.
const (
	UpperHex = "0123456789ABCDEF"
	LowerHex = "0123456789abcdef"
)

// WriteString writes s as a JSON string literal: the quote, the backslash
// and control characters escaped (the short forms where JSON has them,
// else \u00XX with the given hex digits), everything else as is. Invalid
// UTF-8 is written as U+FFFD, so the output is always valid JSON.
func WriteString(b *strings.Builder, s string, hex string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString(s[start:i])
				b.WriteString("\uFFFD")
				start = i + 1
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		i++
		start = i
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// plain marks the bytes WriteString writes as they are: printable ASCII
// but '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// StringLen is the number of bytes WriteString writes for s.
func StringLen(s string) int {
	// Most strings are plain ASCII: their length is theirs and the quotes.
	i := 0
	for i < len(s) && plain[s[i]] {
		i++
	}
	if i == len(s) {
		return len(s) + 2
	}
	n := 2 + i
	for i < len(s) {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				n += len("\uFFFD")
			} else {
				n += size
			}
			i += size
			continue
		}
		switch {
		case c >= 0x20 && c != '"' && c != '\\':
			n++
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			n += 2
		default:
			n += len(`\u00XX`)
		}
		i++
	}
	return n
}

// KindPhrase names a decoded JSON value's type for a message: "null", "an
// object", "an array", "a string", "a boolean", "a number" (float64,
// int64, int or json.Number), else "a <Go type>".
func KindPhrase(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int64, int, json.Number:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
