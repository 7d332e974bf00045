// Package jpath compiles the JSONPath expressions of the Amazon States
// Language once, at parse time, and evaluates them many times.
//
// Three roots are recognised: "$" (the state's input), "$$" (the Context
// object) and "$name" (a workflow variable). Paths are compiled with
// github.com/ohler55/ojg/jp; simple paths made only of names and indexes
// take a fast path that walks the value directly.
package jpath

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ohler55/ojg/jp"
)

// Root says which document a path starts from.
type Root uint8

const (
	Input    Root = iota // $
	Context              // $$
	Variable             // $name
)

// Scope is what a path is evaluated against.
type Scope struct {
	Input   any
	Context any
	// LazyContext builds the Context object on first use when Context is
	// nil, so that states which never read "$$" never build it.
	LazyContext ContextSource
	// Vars resolves a workflow variable by name; nil means no variables.
	Vars func(name string) (any, bool)
}

// ContextSource builds the Context object when a path first needs it.
type ContextSource interface{ Object() any }

// segment is one step of a simple path: a member name or an array index.
type segment struct {
	name  string
	index int
	isIdx bool
}

// Path is a compiled JSONPath.
type Path struct {
	src      string
	root     Root
	varName  string
	expr     jp.Expr   // evaluated against the root document, rooted at '$'
	simple   []segment // non-nil when the path is only names and indexes
	definite bool
	// merge holds the names of a union that ends the path ("$.a[*]['b','c']"),
	// taken off expr: each object expr selects yields one object of those
	// members, as in Jayway (see mergeNames).
	merge []string
	// never is set for a path ending in a JSONPath function
	// ("$.Jobs.sum()", "$.items.length()"): AWS creates a state machine
	// holding one and fails the execution, the path found nowhere.
	never bool
}

// String returns the path as written.
func (p *Path) String() string { return p.src }

// Root returns the document the path starts from.
func (p *Path) Root() Root { return p.root }

// Definite reports whether the path selects at most one node (no wildcards,
// slices, filters, unions or descent). An indefinite path yields an array.
func (p *Path) Definite() bool { return p.definite }

// IsSimple reports whether the path is made only of names and indexes, as a
// reference path must be.
func (p *Path) IsSimple() bool { return p.simple != nil }

// Compile parses any JSONPath that ASL accepts: "$...", "$$..." or
// "$var...". Indefinite paths (wildcards, slices, filters) are allowed.
func Compile(src string) (*Path, error) {
	p := &Path{src: src}
	// AWS takes a path with white space after it: "$$.Execution.Name " is
	// in a published AWS sample. White space before the '$' it refuses.
	src = strings.TrimRight(src, " \t\n\r")
	var rest string
	switch {
	case strings.HasPrefix(src, "$$"):
		p.root, rest = Context, "$"+src[2:]
	case src == "$" || strings.HasPrefix(src, "$.") || strings.HasPrefix(src, "$["):
		p.root, rest = Input, src
	case strings.HasPrefix(src, "$") && len(src) > 1 && isIdentStart(src[1]):
		i := 1
		for i < len(src) && isIdentPart(src[i]) {
			i++
		}
		p.root, p.varName, rest = Variable, src[1:i], "$"+src[i:]
	default:
		return nil, fmt.Errorf("invalid JSONPath %q: a path must start with '$'", src)
	}
	if at := functionCall.FindStringIndex(rest); at != nil {
		base, err := Compile(src[:len(src)-(len(rest)-at[0])])
		if err != nil {
			return nil, err
		}
		return &Path{src: p.src, root: base.root, varName: base.varName, never: true}, nil
	}
	segs, ojgSrc, err := scan(rest)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %v", src, err)
	}
	if segs != nil {
		p.simple = segs
	} else {
		expr, err := parseExpr(quoteBareLiterals(ojgSrc))
		if err != nil {
			return nil, fmt.Errorf("invalid JSONPath %q: %v", src, err)
		}
		p.expr, p.merge = splitMergedUnion(expr)
	}
	p.definite = p.simple != nil
	return p, nil
}

// functionCall is a JSONPath function ending a path (".length()",
// ".sum()", Jayway's): AWS takes a definition holding one and finds
// nothing at run time ("could not be found in the input", a repost.aws
// question's "$.Jobs.sum()"), so Signalbox compiles it to a path that
// finds nothing.
var functionCall = regexp.MustCompile(`\.[A-Za-z_][A-Za-z0-9_]*\(\)$`)

// CompileReference parses a reference path: a path that selects exactly one
// node, made only of names and indexes. ResultPath, ErrorPath and the
// ...Path fields of Choice rules, Wait and Map take reference paths.
func CompileReference(src string) (*Path, error) {
	p, err := Compile(src)
	if err != nil {
		return nil, err
	}
	if !p.definite {
		return nil, fmt.Errorf("invalid reference path %q: a reference path may not contain wildcards, slices, filters, unions or '..'", src)
	}
	return p, nil
}

// MustCompile is Compile for paths known to be valid; it panics otherwise.
func MustCompile(src string) *Path {
	p, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return p
}

func parseExpr(rest string) (expr jp.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	expr, err = jp.ParseString(rest)
	if err == nil && (len(expr) == 0 || !isRoot(expr[0])) {
		err = fmt.Errorf("a path must start with '$'")
	}
	return expr, err
}

// quoteBareLiterals quotes the bare words that filters compare with, as
// AWS's JSONPath (Jayway) reads them as strings: "$.items[?(@.lang==fr)]"
// is in published AWS samples. A word is bare when it is not a number,
// true, false or null, a path (@, $) or quoted. A number compared with
// that has no digit before its point (".85", which Jayway reads as 0.85
// and an aws-samples definition compares with) gets its 0, which ojg
// needs.
func quoteBareLiterals(src string) string {
	if !strings.Contains(src, "?(") {
		return src
	}
	var b strings.Builder
	var quote byte // the quote of the string being copied, or 0
	afterOp := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(src) {
				i++
				b.WriteByte(src[i])
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '\'' || c == '"':
			quote = c
			afterOp = false
		case c == '=' || c == '!' || c == '<' || c == '>':
			afterOp = true
		case c == ' ':
		case afterOp && c == '.' && i+1 < len(src) && '0' <= src[i+1] && src[i+1] <= '9':
			b.WriteByte('0')
			afterOp = false
		case afterOp && isIdentStart(c):
			j := i
			for j < len(src) && (isIdentPart(src[j]) || src[j] == '-') {
				j++
			}
			word := src[i:j]
			if word != "true" && word != "false" && word != "null" {
				b.WriteString("'" + word + "'")
				i = j - 1
				afterOp = false
				continue
			}
			afterOp = false
		default:
			afterOp = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isRoot(f jp.Frag) bool {
	_, ok := f.(jp.Root)
	return ok
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }

func (p *Path) doc(s Scope) (any, bool) {
	switch p.root {
	case Context:
		if s.Context == nil && s.LazyContext != nil {
			return s.LazyContext.Object(), true
		}
		return s.Context, true
	case Variable:
		if s.Vars == nil {
			return nil, false
		}
		return s.Vars(p.varName)
	default:
		return s.Input, true
	}
}

// VarName returns the variable a "$name" path reads, or "".
func (p *Path) VarName() string { return p.varName }

// Get evaluates the path. A definite path returns the node it selects, and
// false when there is none. An indefinite path returns every match as an
// array, empty when nothing matches, and true.
func (p *Path) Get(s Scope) (any, bool) {
	if p.never {
		return nil, false
	}
	doc, ok := p.doc(s)
	if !ok {
		return nil, false
	}
	if p.simple != nil {
		return walk(doc, p.simple)
	}
	res := p.expr.Get(doc)
	if p.merge != nil {
		res = mergeNames(res, p.merge)
	}
	if res == nil {
		res = []any{}
	}
	return res, true
}

// splitMergedUnion takes a union of two or more names off the end of expr.
// AWS's JSONPath is Jayway's (the ASL specification's JsonPath links to
// it), and Jayway reads such a union, when it ends the path, as one object
// per node it applies to, holding the named members that node has:
// "$.[*].['bucket', 'key']" (in the published aws-samples
// s3-glacier-multi-file-restore-sam) yields [{"bucket":..,"key":..}, ...],
// where a union elsewhere, or one with an index, selects the members one by
// one. After a descent ("..") the union keeps its per-member reading.
func splitMergedUnion(expr jp.Expr) (jp.Expr, []string) {
	n := len(expr)
	if n < 2 {
		return expr, nil
	}
	u, ok := expr[n-1].(jp.Union)
	if !ok || len(u) < 2 {
		return expr, nil
	}
	if _, descent := expr[n-2].(jp.Descent); descent {
		return expr, nil
	}
	names := make([]string, len(u))
	for i, k := range u {
		name, ok := k.(string)
		if !ok {
			return expr, nil
		}
		names[i] = name
	}
	return expr[:n-1], names
}

// mergeNames makes, for every object among nodes, an object of the named
// members it has (none: an empty object); other nodes select nothing, as
// in Jayway.
func mergeNames(nodes []any, names []string) []any {
	out := make([]any, 0, len(nodes))
	for _, n := range nodes {
		m, ok := n.(map[string]any)
		if !ok {
			continue
		}
		merged := make(map[string]any, len(names))
		for _, name := range names {
			if v, ok := m[name]; ok {
				merged[name] = v
			}
		}
		out = append(out, merged)
	}
	return out
}

func walk(v any, segs []segment) (any, bool) {
	for _, sg := range segs {
		if sg.isIdx {
			a, ok := v.([]any)
			if !ok {
				return nil, false
			}
			i := sg.index
			if i < 0 {
				i += len(a)
			}
			if i < 0 || i >= len(a) {
				return nil, false
			}
			v = a[i]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[sg.name]; !ok {
			return nil, false
		}
	}
	return v, true
}

// Set returns a copy of root with value placed at the path, creating
// missing objects on the way; root itself is never modified (values are
// shared, not mutated, across states). Only Input-rooted reference paths can
// be set. It fails when an intermediate node is not an object, or an index
// is out of range.
func (p *Path) Set(root, value any) (any, error) {
	if p.simple == nil || p.root != Input {
		return nil, fmt.Errorf("%q is not a reference path into the input", p.src)
	}
	return set(root, p.simple, value)
}

func set(v any, segs []segment, value any) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	sg := segs[0]
	if sg.isIdx {
		a, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("cannot index a non-array value")
		}
		i := sg.index
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, fmt.Errorf("index %d out of range", sg.index)
		}
		child, err := set(a[i], segs[1:], value)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(a))
		copy(out, a)
		out[i] = child
		return out, nil
	}
	var m map[string]any
	switch x := v.(type) {
	case map[string]any:
		m = x
	case nil:
		// Missing intermediate nodes are created, as AWS does.
	default:
		return nil, fmt.Errorf("cannot set field %q of a non-object value", sg.name)
	}
	child, err := set(m[sg.name], segs[1:], value)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[sg.name] = child
	return out, nil
}

// Normalized renders a simple path in bracket notation, as AWS's error
// messages do: $['a']['b'][0]. Other paths render as written.
func (p *Path) Normalized() string {
	if p.simple == nil {
		return p.src
	}
	return p.normalized(len(p.simple))
}

// normalized renders the root and the first n segments of a simple path.
func (p *Path) normalized(n int) string {
	var b strings.Builder
	switch p.root {
	case Context:
		b.WriteString("$$")
	case Variable:
		b.WriteString("$" + p.varName)
	default:
		b.WriteString("$")
	}
	for _, sg := range p.simple[:n] {
		if sg.isIdx {
			fmt.Fprintf(&b, "[%d]", sg.index)
		} else {
			b.WriteString("['")
			b.WriteString(sg.name)
			b.WriteString("']")
		}
	}
	return b.String()
}

// NotFound says, in the words of AWS's error messages, why the path selects
// nothing in s: "Missing property in path $['a']" when a member before the
// last one is missing from an object, else "No results for path: " and the
// normalized path.
func (p *Path) NotFound(s Scope) string {
	doc, ok := p.doc(s)
	for i := 0; ok && i < len(p.simple)-1; i++ {
		sg := p.simple[i]
		if sg.isIdx {
			doc, ok = walk(doc, p.simple[i:i+1])
			continue
		}
		m, isObj := doc.(map[string]any)
		if !isObj {
			break
		}
		if doc, ok = m[sg.name]; !ok {
			return "Missing property in path " + p.normalized(i+1)
		}
	}
	return "No results for path: " + p.Normalized()
}
