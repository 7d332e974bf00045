package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// value is a variable's value for one event: v (ok false when its path
// selects nothing), or raw JSON text for the event variables.
type value struct {
	v   any
	ok  bool
	raw []byte
}

var errTooLarge = fmt.Errorf("transform: the transformed input is larger than %d bytes", MaxOutput)

func (t *template) render(event []byte, ctx Context) ([]byte, error) {
	var doc any
	if t.decode {
		var err error
		if doc, err = decode(event); err != nil {
			return nil, err
		}
	}
	vals := make([]value, len(t.vars))
	for i, v := range t.vars {
		var err error
		if vals[i], err = v.value(doc, event, ctx); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	for _, p := range t.pieces {
		out.WriteString(p.lit)
		if err := t.write(&out, vals[p.v], p.inString); err != nil {
			return nil, err
		}
		if out.Len() > MaxOutput {
			return nil, errTooLarge
		}
	}
	out.WriteString(t.tail)
	if out.Len() > MaxOutput {
		return nil, errTooLarge
	}
	return out.Bytes(), nil
}

func (v variable) value(doc any, event []byte, ctx Context) (value, error) {
	switch v.reserved {
	case ruleArn:
		return value{v: ctx.RuleArn, ok: true}, nil
	case ruleName:
		return value{v: ctx.RuleName, ok: true}, nil
	case ingestionTime:
		return value{v: ctx.IngestionTime, ok: true}, nil
	case eventJSON:
		var b bytes.Buffer
		if err := json.Compact(&b, event); err != nil {
			return value{}, fmt.Errorf("transform: the event is not JSON: %w", err)
		}
		return value{raw: b.Bytes(), ok: true}, nil
	case eventNoDetail:
		raw, err := withoutDetail(event)
		return value{raw: raw, ok: true}, err
	}
	x, ok := v.path.get(doc)
	return value{v: x, ok: ok}, nil
}

// write writes one placeholder's value: in a JSON template outside quotes
// as JSON (null when nothing was selected), inside quotes as the string's
// escaped text; in a text template as text.
func (t *template) write(out *bytes.Buffer, v value, inString bool) error {
	if !v.ok {
		if t.json && !inString {
			out.WriteString("null")
		}
		return nil
	}
	js := v.raw
	if js == nil {
		if s, isStr := v.v.(string); isStr && (!t.json || inString) {
			if !t.json {
				out.WriteString(s)
				return nil
			}
			return writeEscaped(out, s)
		}
		var err error
		if js, err = marshal(v.v); err != nil {
			return err
		}
	}
	if t.json && inString {
		return writeEscaped(out, string(js))
	}
	out.Write(js)
	return nil
}

// writeEscaped writes s as the inside of a JSON string.
func writeEscaped(out *bytes.Buffer, s string) error {
	q, err := marshal(s)
	if err != nil {
		return err
	}
	out.Write(q[1 : len(q)-1])
	return nil
}

// withoutDetail is the event without its top-level "detail" member, the
// other members in their order: <aws.events.event> is "the original event
// payload as JSON (without the detail field)".
func withoutDetail(event []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(event))
	d.UseNumber()
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("transform: the event is not a JSON object")
	}
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("transform: the event is not JSON: %w", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return nil, fmt.Errorf("transform: the event is not JSON: %w", err)
		}
		if key == "detail" {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		k, _ := marshal(key)
		out.Write(k)
		out.WriteByte(':')
		if err := json.Compact(&out, raw); err != nil {
			return nil, fmt.Errorf("transform: the event is not JSON: %w", err)
		}
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
