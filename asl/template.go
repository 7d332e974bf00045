package asl

import (
	"strings"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
	"github.com/signalbox/signalbox/asl/jsontext"
)

// Template is a compiled payload template (Parameters, ResultSelector,
// ItemSelector): a JSON value in which fields whose names end in ".$" take
// their value from a path or an intrinsic function call.
type Template struct {
	root *tnode
}

type tnodeKind uint8

const (
	tLiteral tnodeKind = iota // a value with nothing dynamic inside
	tObject
	tArray
	tPath
	tCall
)

type tnode struct {
	kind tnodeKind
	lit  any
	// size is a tLiteral's JSON length; fixed is what a tObject's or
	// tArray's JSON text adds to its elements' (brackets, commas, keys),
	// -1 when a tObject repeats a key (evalSized then measures the value).
	// Both are exact: the limit they are held to is the Context's.
	size, fixed int
	keys        []string // tObject: output keys, parallel to elems
	elems       []*tnode
	path        *jpath.Path
	call        *intrinsic.Call
	field       string // the template field ("name.$") for error messages
	source      string // the path or call text
}

// compileTemplate compiles v; dynamic parts are compiled once here.
func compileTemplate(v any, ptr string, d *diag.List) *Template {
	return &Template{root: compileNode(v, ptr, d)}
}

func compileNode(v any, ptr string, d *diag.List) *tnode {
	switch x := v.(type) {
	case map[string]any:
		n := &tnode{kind: tObject}
		dynamic := false
		keys := sortedKeys(x)
		for _, k := range keys {
			fptr := diag.Pointer(ptr, k)
			var child *tnode
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				child = compileDynamic(x[k], k, fptr, d)
				k = name
			} else {
				child = compileNode(x[k], fptr, d)
			}
			if child == nil {
				continue
			}
			if child.kind != tLiteral {
				dynamic = true
			}
			n.keys = append(n.keys, k)
			n.elems = append(n.elems, child)
		}
		if !dynamic {
			return literalNode(literalObject(n))
		}
		n.fixed = objectOverhead(n.keys)
		return n
	case []any:
		n := &tnode{kind: tArray}
		dynamic := false
		for i, e := range x {
			child := compileNode(e, diag.Pointer(ptr, i), d)
			if child == nil {
				child = literalNode(nil)
			}
			if child.kind != tLiteral {
				dynamic = true
			}
			n.elems = append(n.elems, child)
		}
		if !dynamic {
			return literalNode(x)
		}
		n.fixed = 2 + max(len(n.elems)-1, 0)
		return n
	default:
		return literalNode(v)
	}
}

func literalNode(v any) *tnode {
	return &tnode{kind: tLiteral, lit: v, size: EncodedLen(v, 0)}
}

// objectOverhead is the JSON length of an object with these keys, less its
// values', or -1 when a key repeats ({"a": 1, "a.$": "$.b"}: the value
// holds the key once).
func objectOverhead(keys []string) int {
	n := 2 + max(len(keys)-1, 0)
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			return -1
		}
		seen[k] = true
		n += jsontext.StringLen(k) + 1
	}
	return n
}

func literalObject(n *tnode) map[string]any {
	m := make(map[string]any, len(n.keys))
	for i, k := range n.keys {
		m[k] = n.elems[i].lit
	}
	return m
}

func compileDynamic(v any, field, ptr string, d *diag.List) *tnode {
	s, ok := v.(string)
	if !ok {
		d.Add(ptr, diag.SchemaValidationFailed, "the value of %q must be a string holding a path or an intrinsic function, got %s", field, TypeName(v))
		return nil
	}
	if intrinsic.IsCall(s) {
		call, err := intrinsic.Parse(s)
		if err != nil {
			d.Add(ptr, diag.InvalidIntrinsic, "%v", err)
			return nil
		}
		return &tnode{kind: tCall, call: call, field: field, source: s}
	}
	p, err := jpath.Compile(s)
	if err != nil {
		d.Add(ptr, diag.InvalidJSONPath, "%v", err)
		return nil
	}
	return &tnode{kind: tPath, path: p, field: field, source: s}
}

// Eval builds the template's value against a scope.
func (t *Template) Eval(e *env) (any, error) { return t.root.eval(e) }

// evalPayload is Eval for a template whose value the payload limit holds
// (Parameters, ResultSelector, ItemSelector): it adds up the value's JSON
// length as it builds it and leaves it with the Context, whose check of
// the value then finds it there instead of walking the value.
func (t *Template) evalPayload(e *env) (any, error) {
	m := e.memo()
	v, n, err := t.root.evalSized(e, m)
	if err == nil && e.ctx != nil {
		m.rememberLast(v, n)
	}
	return v, err
}

// evalSized is eval that also returns the JSON length of the value built,
// counted no further than m's over. The parts a path selects are measured
// through the Context (a part passed on from state to state is walked
// once).
func (n *tnode) evalSized(e *env, m *sizeMemo) (any, int, error) {
	switch n.kind {
	case tLiteral:
		return n.lit, min(n.size, m.over), nil
	case tObject:
		obj := make(map[string]any, len(n.keys))
		size := min(n.fixed, m.over)
		for i, k := range n.keys {
			v, vn, err := n.elems[i].evalSized(e, m)
			if err != nil {
				return nil, 0, err
			}
			obj[k] = v
			size = m.add(size, vn)
		}
		if n.fixed < 0 {
			return obj, m.size(obj), nil
		}
		return obj, size, nil
	case tArray:
		a := make([]any, len(n.elems))
		size := min(n.fixed, m.over)
		for i, c := range n.elems {
			v, vn, err := c.evalSized(e, m)
			if err != nil {
				return nil, 0, err
			}
			a[i] = v
			size = m.add(size, vn)
		}
		return a, size, nil
	case tPath:
		v, err := n.eval(e)
		if err != nil {
			return nil, 0, err
		}
		return v, m.part(v), nil
	}
	v, err := n.eval(e)
	if err != nil {
		return nil, 0, err
	}
	return v, m.size(v), nil
}

func (n *tnode) eval(e *env) (any, error) {
	switch n.kind {
	case tLiteral:
		return n.lit, nil
	case tObject:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := n.elems[i].eval(e)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case tArray:
		a := make([]any, len(n.elems))
		for i, c := range n.elems {
			v, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	case tPath:
		v, ok := n.path.Get(e.scope())
		if !ok {
			return nil, e.runtimeErr("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", n.source, n.field, EncodeJSON(e.input))
		}
		return v, nil
	case tCall:
		v, err := n.call.Eval(&intrinsic.Env{Scope: e.scope(), Rand: e.ctx.Rand})
		if err != nil {
			// The intrinsic package leaves naming the state to us.
			ae := asError(err)
			return nil, stateErr(e.ctx, ae.Name, ae.Cause)
		}
		return v, nil
	}
	return nil, aslerr.New(aslerr.Runtime, "unknown template node")
}
