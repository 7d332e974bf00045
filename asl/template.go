package asl

import (
	"strings"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
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
	kind   tnodeKind
	lit    any
	keys   []string // tObject: output keys, parallel to elems
	elems  []*tnode
	path   *jpath.Path
	call   *intrinsic.Call
	field  string // the template field ("name.$") for error messages
	source string // the path or call text
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
			return &tnode{kind: tLiteral, lit: literalObject(n)}
		}
		return n
	case []any:
		n := &tnode{kind: tArray}
		dynamic := false
		for i, e := range x {
			child := compileNode(e, diag.Pointer(ptr, i), d)
			if child == nil {
				child = &tnode{kind: tLiteral}
			}
			if child.kind != tLiteral {
				dynamic = true
			}
			n.elems = append(n.elems, child)
		}
		if !dynamic {
			return &tnode{kind: tLiteral, lit: x}
		}
		return n
	default:
		return &tnode{kind: tLiteral, lit: v}
	}
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
