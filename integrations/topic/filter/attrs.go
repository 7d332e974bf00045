package filter

import "strings"

// MatchAttributes reports whether a message with these attributes is
// delivered under a MessageAttributes policy (false for a MessageBody
// policy; a nil policy matches every message).
//
// A message without attributes matches no policy (AWS: "exists": false
// "only matches if at least one attribute is present"). A String
// attribute is a string, a Number attribute a number (never a string), a
// String.Array attribute each of its elements; a Binary attribute is
// ignored, as if absent.
func (p *Policy) MatchAttributes(attrs map[string]Attribute) bool {
	if p == nil {
		return true
	}
	if p.scope != MessageAttributes || len(attrs) == 0 {
		return false
	}
	vals := make([][]value, len(p.paths))
	for i, name := range p.paths {
		if a, ok := attrs[name]; ok {
			vals[i] = attributeValues(a)
		}
	}
	for _, b := range p.branches {
		if b.matchFlat(vals) {
			return true
		}
	}
	return false
}

// matchFlat reports whether every field of the branch matches one of
// the values of its key.
func (b *branch) matchFlat(vals [][]value) bool {
	for _, f := range b.fields {
		if !f.matchValues(vals[f.path]) {
			return false
		}
	}
	return true
}

func (f *field) matchValues(vs []value) bool {
	present := false
	for i := range vs {
		if f.matchValue(&vs[i]) {
			return true
		}
		present = present || vs[i].present()
	}
	return f.existsFalse && !present
}

// maxArrayValues bounds the elements read from one String.Array
// attribute (SNS bounds a message, attributes included, to 256 KiB).
const maxArrayValues = 1 << 17

// attributeValues are the values an attribute gives its key.
func attributeValues(a Attribute) []value {
	if a.DataType == "String.Array" || a.DataType == "Number.Array" {
		// Number.Array: the guide's numeric anything-but example
		return arrayValues(a.StringValue)
	}
	base, _, _ := strings.Cut(a.DataType, ".")
	switch base {
	case "String":
		return []value{stringValue(a.StringValue)}
	case "Number":
		return []value{numberValue(a.StringValue)}
	}
	return nil // Binary, or a type SNS does not know: ignored
}

// arrayValues are a String.Array's scalar elements: strings, numbers,
// true, false and null. Nested arrays and objects give no values (AWS:
// "nesting may produce unexpected results"); a value that is not a JSON
// array gives none.
func arrayValues(s string) []value {
	l := lexer{s: s}
	if k, _ := l.next(false); k != tkArrOpen {
		return nil
	}
	var out []value
	depth := 1
	for {
		k, text := l.next(depth == 1)
		switch k {
		case tkErr, tkEOF:
			return nil
		case tkObjOpen, tkArrOpen:
			if depth++; depth > MaxBodyDepth {
				return nil
			}
		case tkObjClose, tkArrClose:
			if depth--; depth == 0 {
				if k, _ := l.next(false); k != tkEOF {
					return nil
				}
				return out
			}
		case tkKey:
		default:
			if depth == 1 && len(out) < maxArrayValues {
				out = append(out, scalarValue(k, text))
			}
		}
	}
}

// scalarValue is a scalar token as a message value.
func scalarValue(k tkind, text string) value {
	switch k {
	case tkString:
		return stringValue(text)
	case tkNumber:
		return numberValue(text)
	case tkTrue, tkFalse:
		return value{kind: vBool, b: k == tkTrue}
	}
	return value{kind: vNull}
}
