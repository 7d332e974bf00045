package codegen

import (
	"fmt"
	"strings"
)

// What the languages' writers share: the names of the classes, of their
// members, of the model's types, and how a JSON value is read as a type.
// Each language states its own as tables (its types, its marshaller's
// functions); the walks over a type are written here once.

// classNames names each class of m in types: PascalCase, X before a
// leading digit, unique in the scope.
func classNames(m *model, types *scope) map[*class]string {
	names := make(map[*class]string, len(m.classes))
	for _, c := range m.classes {
		id := pascal(c.name, "Object")
		if startsWithDigit(id) {
			id = "X" + id
		}
		names[c] = types.name(id)
	}
	return names
}

// memberName makes id a member of a class in members: _ before a leading
// digit, unique in the scope.
func memberName(members *scope, id string) string {
	if startsWithDigit(id) {
		id = "_" + id
	}
	return members.name(id)
}

// typeTable is a language's names of the model's types: its scalar types
// (and its generic JSON value, kindAny) by kind, and the formats of an
// array's and a map's type (of the element's) and of a class's (of its
// name).
type typeTable struct {
	scalar             map[kind]string
	array, dict, class string
}

func (n *typeTable) of(t *typ, classes map[*class]string) string {
	switch t.kind {
	case kindArray:
		return fmt.Sprintf(n.array, n.of(t.elem, classes))
	case kindMap:
		return fmt.Sprintf(n.dict, n.of(t.elem, classes))
	case kindClass:
		return fmt.Sprintf(n.class, classes[t.class])
	}
	return n.scalar[t.kind]
}

// decoders is how a language's bindings read a JSON value as a type: a
// call of its marshaller's function for a scalar, an array or a map (by
// kind; an array's and a map's take a function of one parameter, of the
// format lambda, reading each element), and of a class's own reader (the
// format class, of its name). A value of kindAny is read as it is.
type decoders struct {
	fn     map[kind]string
	lambda string
	class  string
}

// of is the expression reading x as t; depth names the elements'
// parameters apart (e0, e1, ...).
func (d *decoders) of(t *typ, x string, depth int, classes map[*class]string) string {
	switch t.kind {
	case kindAny:
		return x
	case kindArray, kindMap:
		e := fmt.Sprintf("e%d", depth)
		return d.fn[t.kind] + "(" + x + ", " + fmt.Sprintf(d.lambda, e, d.of(t.elem, e, depth+1, classes)) + ")"
	case kindClass:
		return fmt.Sprintf(d.class, classes[t.class]) + "(" + x + ")"
	}
	return d.fn[t.kind] + "(" + x + ")"
}

// fieldNote is what a member's documentation says of its property:
// "required, nullable; one of A, B" (the enum's values through quote, the
// language's safe text in a comment).
func fieldNote(f *field, quote func(string) string) string {
	note := "optional"
	if f.required {
		note = "required"
	}
	if f.nullable {
		note += ", nullable"
	}
	if len(f.typ.enum) > 0 {
		note += "; one of " + quote(strings.Join(f.typ.enum, ", "))
	}
	return note
}
