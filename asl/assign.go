package asl

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl/diag"
)

// Workflow variables: the Assign field of Pass, Task, Choice (and its
// rules), Wait, Parallel and Map states and of Catch. Right-hand sides are
// evaluated after the state's other work, all against the values before
// the assignment; the runtime applies the result when the state moves on.

const (
	maxVariableName = 80
	// reservedVariable is the name JSONata states use for $states.
	reservedVariable = "states"
)

// parseAssign compiles an Assign object, checking the variable names.
func parseAssign(o *object, d *diag.List) *Template {
	v, ok := o.get("Assign")
	if !ok {
		return nil
	}
	return compileAssign(v, o.at("Assign"), d)
}

func compileAssign(v any, ptr string, d *diag.List) *Template {
	m, ok := v.(map[string]any)
	if !ok {
		d.Add(ptr, diag.SchemaValidationFailed, "Assign must be an object, got %s", TypeName(v))
		return nil
	}
	for k := range m {
		name := strings.TrimSuffix(k, ".$")
		if msg := checkVariableName(name); msg != "" {
			d.Add(diag.Pointer(ptr, k), diag.InvalidValue, "%s", msg)
		}
	}
	return compileTemplate(m, ptr, d)
}

// checkVariableName returns what is wrong with a variable name, or "".
func checkVariableName(name string) string {
	switch {
	case name == "":
		return "a variable name may not be empty"
	case name == reservedVariable:
		return "the variable name \"states\" is reserved"
	case utf8.RuneCountInString(name) > maxVariableName:
		return "the variable name \"" + name + "\" is longer than 80 characters"
	}
	for i, r := range name {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return "the variable name \"" + name + "\" must start with a letter or '_' and hold only letters, digits and '_'"
	}
	return ""
}

// assign evaluates an Assign template with "$" bound to v.
func (e *env) assign(t *Template, v any) (map[string]any, error) {
	if t == nil {
		return nil, nil
	}
	saved := e.input
	e.input = v
	out, err := t.Eval(e)
	e.input = saved
	if err != nil {
		return nil, err
	}
	m, _ := out.(map[string]any)
	return m, nil
}
