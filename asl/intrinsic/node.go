package intrinsic

import (
	"fmt"
	"strings"

	"github.com/signalbox/signalbox/asl/jpath"
)

// node is one element of a parsed call tree: a literal, a path or a call.
type node interface {
	eval(env *Env) (any, error)
	write(b *strings.Builder) // canonical text
}

// literal is a string, number, boolean or null written in the call.
type literal struct {
	value any
	raw   string // as written, quotes included for strings
}

func (l *literal) eval(*Env) (any, error)   { return l.value, nil }
func (l *literal) write(b *strings.Builder) { b.WriteString(l.raw) }

// pathArg is a JSONPath argument: "$.a", "$$.Execution.Id", "$var".
type pathArg struct {
	path *jpath.Path
	// reported is the path as AWS names it when it selects nothing: a
	// Context path is reported rewritten against "$".
	reported string
}

func newPathArg(p *jpath.Path) *pathArg {
	reported := p.String()
	if p.Root() == jpath.Context {
		reported = "$" + strings.TrimPrefix(reported, "$$")
	}
	return &pathArg{path: p, reported: reported}
}

func (a *pathArg) eval(env *Env) (any, error) {
	v, ok := a.path.Get(env.Scope)
	if !ok {
		return nil, &missingPathError{path: a.reported}
	}
	return v, nil
}

func (a *pathArg) write(b *strings.Builder) { b.WriteString(a.path.String()) }

// call is a call of one intrinsic function.
type call struct {
	fn   *function
	args []node
	// tmpl is the parsed template of a States.Format whose first argument
	// is a string literal; nil otherwise.
	tmpl *template
}

func (c *call) eval(env *Env) (any, error) {
	v, err := c.fn.eval(c, env)
	if err == nil {
		err = checkBuilt(v)
	}
	return v, err
}

// MaxValueBytes bounds a string one function call builds (and, at 16 bytes
// an item, an array): calls nest, and each States.Format('{}{}', x, x)
// doubles what it is given. The state's output is held to the 256 KiB
// payload limit later; this bounds what is built on the way.
const MaxValueBytes = 4 << 20

func checkBuilt(v any) error {
	n := 0
	switch x := v.(type) {
	case string:
		n = len(x)
	case []any:
		n = 16 * len(x)
	}
	if n > MaxValueBytes {
		return &evalError{msg: fmt.Sprintf("the result would be more than %d bytes", MaxValueBytes)}
	}
	return nil
}

func (c *call) write(b *strings.Builder) {
	b.WriteString(c.fn.name)
	b.WriteByte('(')
	for i, a := range c.args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.write(b)
	}
	b.WriteByte(')')
}
