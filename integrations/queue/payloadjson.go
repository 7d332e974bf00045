package queue

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A payload's JSON, read and written on every receive and send. The
// common payload (no message attributes, no character JSON escapes) is
// read and written here directly; any other falls back to encoding/json,
// which wrote every payload stored before. A receive of 10 messages spent
// ~35 µs of serve's CPU in json.Unmarshal (bench queue's profile).

// unmarshalPayload reads a payload as json.Unmarshal would.
func unmarshalPayload(b []byte, p *payload) error {
	if fastUnmarshalPayload(b, p) {
		return nil
	}
	*p = payload{}
	return json.Unmarshal(b, p)
}

// fastUnmarshalPayload reads b, an object of payload's string and integer
// fields in encoding/json's compact form, whose strings hold no escape;
// false for anything else (p is then left partly set).
func fastUnmarshalPayload(b []byte, p *payload) bool {
	*p = payload{}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	i := 1
	if b[i] == '}' {
		return i == len(b)-1
	}
	for {
		key, next, ok := plainString(b, i)
		if !ok || next >= len(b) || b[next] != ':' {
			return false
		}
		i = next + 1
		if key == "t" {
			j := i
			for j < len(b) && (b[j] == '-' || (b[j] >= '0' && b[j] <= '9')) {
				j++
			}
			n, err := strconv.ParseInt(string(b[i:j]), 10, 64)
			if err != nil || (j-i > 1 && b[i] == '0') || (j-i > 2 && b[i] == '-' && b[i+1] == '0') {
				return false
			}
			p.Sent, i = n, j
		} else {
			v, next, ok := plainString(b, i)
			if !ok {
				return false
			}
			i = next
			switch key {
			case "b":
				p.Body = v
			case "mb":
				p.MD5Body = v
			case "u":
				p.Sender = v
			case "g":
				p.Group = v
			case "d":
				p.Dedup = v
			case "q":
				p.SourceARN = v
			default: // "a", "s" (objects), or a key not ours
				return false
			}
		}
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i == len(b)-1
		default:
			return false
		}
	}
}

// plainString reads the JSON string at b[i:] that needs no unescaping
// (no backslash, no control character, valid UTF-8): its text and the
// index after its closing quote.
func plainString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s := b[i+1 : j]
			if !ascii && !utf8.Valid(s) {
				return "", 0, false
			}
			return string(s), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", 0, false
}

// marshalPayload writes a payload as json.Marshal would (byte for byte
// for the payloads it writes itself: those without message attributes
// whose strings need no escape).
func marshalPayload(p *payload) ([]byte, error) {
	if len(p.Attrs) > 0 || len(p.Sys) > 0 {
		return json.Marshal(p)
	}
	b := make([]byte, 0, 64+len(p.Body)+len(p.MD5Body)+len(p.Sender)+len(p.Group)+len(p.Dedup)+len(p.SourceARN))
	b = append(b, '{')
	var ok bool
	if b, ok = appendPlain(b, `"b":`, p.Body); !ok {
		return json.Marshal(p)
	}
	if b, ok = appendPlain(b, `,"mb":`, p.MD5Body); !ok {
		return json.Marshal(p)
	}
	b = strconv.AppendInt(append(b, `,"t":`...), p.Sent, 10)
	for _, f := range []struct{ key, v string }{{`,"u":`, p.Sender}, {`,"g":`, p.Group}, {`,"d":`, p.Dedup}, {`,"q":`, p.SourceARN}} {
		if f.v == "" {
			continue
		}
		if b, ok = appendPlain(b, f.key, f.v); !ok {
			return json.Marshal(p)
		}
	}
	return append(b, '}'), nil
}

// appendPlain appends key and s as a JSON string, false when s needs an
// escape in encoding/json's form (a quote, a backslash, a control
// character, <, >, &, U+2028, U+2029, invalid UTF-8).
func appendPlain(b []byte, key, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c < 0x20 || c == '<' || c == '>' || c == '&':
			return b, false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
				return b, false
			}
			i += size - 1
		}
	}
	b = append(b, key...)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}
