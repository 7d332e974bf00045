package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Schema inference: what EventBridge's schema discovery writes into the
// discovered-schemas registry, and GetDiscoveredSchema answers. Its form
// follows the discovered schemas AWS shows (docs: "Schema discovery",
// the EventBridge user guide's discovered schema example):
//
//	{"openapi": "3.0.0",
//	 "info": {"version": "1.0.0", "title": "<DetailTypeName>"},
//	 "paths": {},
//	 "components": {"schemas": {
//	   "AWSEvent": {"type": "object", "required": [the envelope's fields],
//	     "x-amazon-events-source": "<source>", "x-amazon-events-detail-type": "<detail-type>",
//	     "properties": {"account": {"type": "string"}, "detail": {"$ref": "#/components/schemas/<DetailTypeName>"},
//	       "detail-type": ..., "id": ..., "region": ..., "resources": {"type": "array", "items": {"type": "string"}},
//	       "source": ..., "time": {"type": "string", "format": "date-time"}, "version": ...}},
//	   "<DetailTypeName>": the detail's object,
//	   "<PropertyName>": each nested object, named after its property
//	 }}}
//
// <DetailTypeName> is the detail-type with each word capitalised and
// everything but letters and digits dropped ("EC2 Instance State-change
// Notification" → "EC2InstanceStateChangeNotification"); the schema is
// named "<source>@<DetailTypeName>" ("aws.ec2@EC2InstanceStateChangeNotification").
// Whole numbers are integers, others numbers; strings that parse as RFC
// 3339 date-times have the format date-time; an object's required fields
// are those every event seen had. Events of one schema are merged: the
// properties of all, the required fields common to all; an event whose
// shape the latest version covers makes no new version, one that adds a
// field or a type makes one (AWS: "If the contents of events on the event
// bus change, EventBridge creates new versions of the related schema").
// The output is deterministic: keys sorted (encoding/json sorts maps).

// Kinds of shape.
const (
	kindAny     = "" // values of kinds that do not merge
	kindNull    = "null"
	kindObject  = "object"
	kindArray   = "array"
	kindString  = "string"
	kindInteger = "integer"
	kindNumber  = "number"
	kindBoolean = "boolean"
)

// maxInferDepth bounds how deep inference follows nested values: deeper
// values are left without a type (any value). EventBridge's events are at
// most 256 KiB; this bounds the schema's depth whatever the event holds.
const maxInferDepth = 32

// shape is what the events seen say of a JSON value.
type shape struct {
	kind     string
	nullable bool
	format   string // strings: "date-time" when every value was one
	props    map[string]*shape
	required map[string]bool
	items    *shape // arrays: nil until an item was seen
}

// inferValue returns the shape of v (decoded with UseNumber).
func inferValue(v any, depth int) *shape {
	if depth > maxInferDepth {
		return &shape{kind: kindAny}
	}
	switch v := v.(type) {
	case nil:
		return &shape{kind: kindNull}
	case bool:
		return &shape{kind: kindBoolean}
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return &shape{kind: kindNumber}
		}
		return &shape{kind: kindInteger}
	case float64:
		if v == float64(int64(v)) {
			return &shape{kind: kindInteger}
		}
		return &shape{kind: kindNumber}
	case string:
		s := &shape{kind: kindString}
		if isDateTime(v) {
			s.format = "date-time"
		}
		return s
	case []any:
		s := &shape{kind: kindArray}
		for _, it := range v {
			s.items = merge(s.items, inferValue(it, depth+1))
		}
		return s
	case map[string]any:
		s := &shape{kind: kindObject, props: make(map[string]*shape, len(v)), required: make(map[string]bool, len(v))}
		for k, pv := range v {
			s.props[k] = inferValue(pv, depth+1)
			s.required[k] = true
		}
		return s
	}
	return &shape{kind: kindAny}
}

// isDateTime reports whether s is an RFC 3339 date-time, as JSON Schema's
// and OpenAPI's format date-time is.
func isDateTime(s string) bool {
	if len(s) < 20 || len(s) > 40 || s[4] != '-' || (s[10] != 'T' && s[10] != 't') {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// merge returns the shape covering both a and b (either may be nil).
func merge(a, b *shape) *shape {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.kind == kindNull && b.kind == kindNull:
		return &shape{kind: kindNull}
	case a.kind == kindNull:
		r := *b
		r.nullable = true
		return &r
	case b.kind == kindNull:
		r := *a
		r.nullable = true
		return &r
	}
	r := &shape{nullable: a.nullable || b.nullable}
	switch {
	case a.kind == b.kind:
		r.kind = a.kind
	case (a.kind == kindInteger || a.kind == kindNumber) && (b.kind == kindInteger || b.kind == kindNumber):
		r.kind = kindNumber
		return r
	default:
		r.kind = kindAny
		return r
	}
	switch r.kind {
	case kindString:
		if a.format == b.format {
			r.format = a.format
		}
	case kindArray:
		r.items = merge(a.items, b.items)
	case kindObject:
		r.props = make(map[string]*shape, len(a.props)+len(b.props))
		r.required = map[string]bool{}
		for k, p := range a.props {
			r.props[k] = merge(p, b.props[k])
		}
		for k, p := range b.props {
			if _, ok := a.props[k]; !ok {
				r.props[k] = p
			}
		}
		for k := range a.required {
			if b.required[k] {
				r.required[k] = true
			}
		}
	}
	return r
}

// typeName turns text (a detail-type, a property's name) into a name of
// letters and digits, each word capitalised: "EC2 Instance State-change
// Notification" → "EC2InstanceStateChangeNotification".
func typeName(text string) string {
	var b strings.Builder
	up := true
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	s := b.String()
	if s == "" {
		return "Event"
	}
	if unicode.IsDigit(rune(s[0])) {
		s = "N" + s
	}
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}

// envelope is what inference reads of an event.
type envelope struct {
	source, detailType string
	detail             *shape
}

// parseEvent reads an event (EventBridge's envelope, as buses deliver it)
// for inference.
func parseEvent(raw []byte) (*envelope, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var ev map[string]any
	if err := d.Decode(&ev); err != nil {
		return nil, fmt.Errorf("the event is not a JSON object: %v", err)
	}
	if d.More() {
		return nil, fmt.Errorf("the event has data after its JSON object")
	}
	src, _ := ev["source"].(string)
	dt, _ := ev["detail-type"].(string)
	if src == "" || dt == "" {
		return nil, fmt.Errorf("the event has no source and detail-type")
	}
	detail, ok := ev["detail"]
	if !ok {
		detail = map[string]any{}
	}
	return &envelope{source: src, detailType: dt, detail: inferValue(detail, 1)}, nil
}

// discoveredName is the name of the schema of events of source and
// detailType.
// A character of the source that a schema name may not hold becomes "_",
// and the source is cut at EventBridge's 256 characters, so that the name
// (at most 256 + 1 + 128 = 385 characters, AWS's bound) is one the API
// accepts.
func discoveredName(source, detailType string) string {
	src := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("._@:/+=,#-", r):
			return r
		}
		return '_'
	}, source)
	if len(src) > 256 {
		src = src[:256]
	}
	return src + "@" + typeName(detailType)
}

// envelopeFields are the properties of AWSEvent but the detail.
var envelopeFields = map[string]any{
	"account":     map[string]any{"type": "string"},
	"detail-type": map[string]any{"type": "string"},
	"id":          map[string]any{"type": "string"},
	"region":      map[string]any{"type": "string"},
	"resources":   map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	"source":      map[string]any{"type": "string"},
	"time":        map[string]any{"type": "string", "format": "date-time"},
	"version":     map[string]any{"type": "string"},
}

// renderOpenAPI writes the OpenAPI 3 document of events of source and
// detailType whose details have shape detail.
func renderOpenAPI(source, detailType string, detail *shape) []byte {
	title := typeName(detailType)
	r := &renderer{components: map[string]any{}, taken: map[string]bool{"AWSEvent": true}}
	props := map[string]any{}
	for k, v := range envelopeFields {
		props[k] = v
	}
	props["detail"] = r.node(detail, title)
	required := []string{"account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"}
	r.components["AWSEvent"] = map[string]any{
		"type":                        "object",
		"required":                    required,
		"x-amazon-events-source":      source,
		"x-amazon-events-detail-type": detailType,
		"properties":                  props,
	}
	r.flush()
	doc := map[string]any{
		"openapi":    "3.0.0",
		"info":       map[string]any{"version": "1.0.0", "title": title},
		"paths":      map[string]any{},
		"components": map[string]any{"schemas": r.components},
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return b
}

// renderer names the nested objects as components, breadth first in
// property order, so that the same shape always gets the same names.
type renderer struct {
	components map[string]any
	taken      map[string]bool
	queue      []pending
}

type pending struct {
	name string
	s    *shape
	out  map[string]any
}

// node returns the schema of s, an object named name becoming a
// component (rendered by flush).
func (r *renderer) node(s *shape, name string) map[string]any {
	if s == nil {
		return map[string]any{}
	}
	var out map[string]any
	switch s.kind {
	case kindObject:
		if len(s.props) == 0 {
			out = map[string]any{"type": "object"}
			break
		}
		n := name
		for i := 1; r.taken[n]; i++ {
			n = name + "_" + strconv.Itoa(i)
		}
		r.taken[n] = true
		body := map[string]any{}
		r.components[n] = body
		r.queue = append(r.queue, pending{name: n, s: s, out: body})
		return map[string]any{"$ref": "#/components/schemas/" + n}
	case kindArray:
		out = map[string]any{"type": "array", "items": r.node(s.items, name+"Item")}
	case kindString:
		out = map[string]any{"type": "string"}
		if s.format != "" {
			out["format"] = s.format
		}
	case kindInteger, kindNumber, kindBoolean:
		out = map[string]any{"type": s.kind}
	default: // any, null
		out = map[string]any{}
	}
	if s.kind != kindAny && (s.nullable || s.kind == kindNull) { // any value includes null
		out["nullable"] = true
	}
	return out
}

// flush renders the objects named so far, and those they name.
func (r *renderer) flush() {
	for len(r.queue) > 0 {
		p := r.queue[0]
		r.queue = r.queue[1:]
		p.out["type"] = "object"
		props := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(p.s.props)) {
			props[k] = r.node(p.s.props[k], typeName(k))
		}
		p.out["properties"] = props
		if req := slices.Sorted(maps.Keys(p.s.required)); len(req) > 0 {
			p.out["required"] = req
		}
	}
}

// parseDiscovered reads back a document renderOpenAPI wrote: the detail's
// shape, or false when doc is not of that form.
func parseDiscovered(doc []byte) (*shape, bool) {
	var d struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil || d.Components.Schemas == nil {
		return nil, false
	}
	nodes := map[string]map[string]any{}
	for k, raw := range d.Components.Schemas {
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			return nil, false
		}
		nodes[k] = m
	}
	ev, ok := nodes["AWSEvent"]
	if !ok {
		return nil, false
	}
	props, _ := ev["properties"].(map[string]any)
	detail, ok := props["detail"].(map[string]any)
	if !ok {
		return nil, false
	}
	return shapeOf(detail, nodes, 0)
}

// shapeOf is the shape a rendered node says.
func shapeOf(n map[string]any, nodes map[string]map[string]any, depth int) (*shape, bool) {
	if depth > maxInferDepth+2 {
		return nil, false
	}
	if ref, ok := n["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		target, found := nodes[name]
		if !ok || !found {
			return nil, false
		}
		return shapeOf(target, nodes, depth+1)
	}
	s := &shape{}
	s.nullable, _ = n["nullable"].(bool)
	t, _ := n["type"].(string)
	switch t {
	case "":
		if s.nullable {
			s.kind, s.nullable = kindNull, false
		}
	case kindObject:
		s.kind = kindObject
		s.props, s.required = map[string]*shape{}, map[string]bool{}
		props, _ := n["properties"].(map[string]any)
		for k, pv := range props {
			pm, ok := pv.(map[string]any)
			if !ok {
				return nil, false
			}
			ps, ok := shapeOf(pm, nodes, depth+1)
			if !ok {
				return nil, false
			}
			s.props[k] = ps
		}
		req, _ := n["required"].([]any)
		for _, r := range req {
			if k, ok := r.(string); ok {
				s.required[k] = true
			}
		}
	case kindArray:
		s.kind = kindArray
		if it, ok := n["items"].(map[string]any); ok && len(it) > 0 {
			is, ok := shapeOf(it, nodes, depth+1)
			if !ok {
				return nil, false
			}
			s.items = is
		}
	case kindString, kindInteger, kindNumber, kindBoolean:
		s.kind = t
		s.format, _ = n["format"].(string)
	default:
		return nil, false
	}
	return s, true
}

// inferEvents returns the schema of events, which must all be of one
// source and detail-type, in OpenAPI 3 form.
func inferEvents(events []string) ([]byte, error) {
	var first *envelope
	var detail *shape
	for i, raw := range events {
		ev, err := parseEvent([]byte(raw))
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i+1, err)
		}
		if first == nil {
			first = ev
		} else if discoveredName(ev.source, ev.detailType) != discoveredName(first.source, first.detailType) {
			return nil, fmt.Errorf("event %d is of source %q and detail-type %q, event 1 of %q and %q: the events must be of one type",
				i+1, ev.source, ev.detailType, first.source, first.detailType)
		}
		detail = merge(detail, ev.detail)
	}
	if first == nil {
		return nil, fmt.Errorf("no events")
	}
	return renderOpenAPI(first.source, first.detailType, detail), nil
}
