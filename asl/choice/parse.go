package choice

import (
	"sort"
	"strings"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
	"github.com/signalbox/signalbox/asl/jsontext"
)

// Parse compiles one Choice rule: the decoded JSON object of an element of
// a Choice state's "Choices" (top is true) or of a rule nested in And, Or
// or Not (top is false). ptr is the JSON pointer of that object, such as
// "/States/Check/Choices/0"; diagnostics point below it.
//
// Top-level rules must have a non-empty "Next" and may have "Assign";
// nested rules may have neither. Every rule has exactly one operator, an
// operand of the type the operator takes, a "Variable" when the operator
// is a comparison or type test and none when it is And, Or or Not, and may
// have a "Comment". "Condition" (a JSONata rule) is reported as not
// supported.
//
// Every problem is reported, in a stable order; the rule is nil when there
// is any.
func Parse(raw any, ptr string, top bool) (*Rule, diag.List) {
	var p parser
	r := p.rule(raw, ptr, top)
	if len(p.diags) > 0 {
		return nil, p.diags
	}
	return r, nil
}

type parser struct {
	diags diag.List
}

func (p *parser) add(ptr, code, format string, args ...any) {
	p.diags.Add(ptr, code, format, args...)
}

func (p *parser) rule(raw any, ptr string, top bool) *Rule {
	obj, ok := raw.(map[string]any)
	if !ok {
		p.add(ptr, diag.SchemaValidationFailed, "a Choice rule must be an object, not %s", jsonType(raw))
		return nil
	}
	r := &Rule{}
	var ops []string // operator fields, in sorted order
	_, hasCondition := obj["Condition"]
	for _, k := range sortedKeys(obj) {
		v, fp := obj[k], diag.Pointer(ptr, k)
		switch k {
		case "Variable":
			// Checked below, once the operator is known.
		case "Next":
			if !top {
				p.add(fp, diag.SchemaValidationFailed, "field 'Next' is only allowed in a top-level Choice rule, not in a rule nested in And, Or or Not")
				continue
			}
			r.Next = p.nonEmptyString(v, fp, k)
		case "Comment":
			if s, ok := v.(string); ok {
				r.Comment = s
			} else {
				p.add(fp, diag.SchemaValidationFailed, "field 'Comment' must be a string, not %s", jsonType(v))
			}
		case "Assign":
			if !top {
				p.add(fp, diag.SchemaValidationFailed, "field 'Assign' is only allowed in a top-level Choice rule")
				continue
			}
			if m, ok := v.(map[string]any); ok {
				r.Assign = m
			} else {
				p.add(fp, diag.SchemaValidationFailed, "field 'Assign' must be an object, not %s", jsonType(v))
			}
		case "Condition":
			p.add(fp, diag.Unsupported, "field 'Condition' is a JSONata Choice rule; the JSONata query language is not supported yet")
		default:
			if _, ok := operatorFields[k]; ok {
				ops = append(ops, k)
			} else {
				p.add(fp, diag.SchemaValidationFailed, "field '%s' is not supported in a Choice rule", k)
			}
		}
	}
	if _, ok := obj["Next"]; top && !ok {
		p.add(ptr, diag.SchemaValidationFailed, "these fields are required: [Next]")
	}

	switch {
	case len(ops) == 0 && !hasCondition:
		p.add(ptr, diag.InvalidChoiceRule, "a Choice rule must have exactly one comparison operator (such as StringEquals or NumericLessThanPath), type test (such as IsPresent) or And, Or or Not; it has none")
	case len(ops) > 1:
		p.add(ptr, diag.InvalidChoiceRule, "a Choice rule must have exactly one operator; it has %d: %s", len(ops), strings.Join(ops, ", "))
	}
	comparisons := 0
	for _, name := range ops {
		f := operatorFields[name]
		if f.op.kind() != kindLogical {
			comparisons++
		}
		if len(ops) == 1 {
			r.op = f.op
			p.operand(r, f, obj[name], diag.Pointer(ptr, name), name)
		} else {
			p.operand(&Rule{}, f, obj[name], diag.Pointer(ptr, name), name)
		}
	}
	p.variable(r, obj, ptr, ops, comparisons)
	return r
}

// variable checks the "Variable" field against the rule's operators and
// compiles it.
func (p *parser) variable(r *Rule, obj map[string]any, ptr string, ops []string, comparisons int) {
	v, has := obj["Variable"]
	fp := diag.Pointer(ptr, "Variable")
	if comparisons < len(ops) && has {
		p.add(fp, diag.InvalidChoiceRule, "field 'Variable' is not allowed in an And, Or or Not rule")
		return
	}
	if comparisons > 0 && !has {
		p.add(ptr, diag.InvalidChoiceRule, "a Choice rule with operator %s must have a 'Variable' field", firstComparison(ops))
		return
	}
	if !has {
		return
	}
	src, ok := v.(string)
	if !ok {
		p.add(fp, diag.SchemaValidationFailed, "field 'Variable' must be a string, not %s", jsonType(v))
		return
	}
	path, err := jpath.Compile(src)
	if err != nil {
		p.add(fp, diag.InvalidJSONPath, "field 'Variable': %v", err)
		return
	}
	r.variable = path
}

func firstComparison(ops []string) string {
	for _, name := range ops {
		if operatorFields[name].op.kind() != kindLogical {
			return name
		}
	}
	return ""
}

// operand checks and converts the value of an operator field into r.
func (p *parser) operand(r *Rule, f operatorField, v any, fp, name string) {
	if f.path {
		src, ok := v.(string)
		if !ok {
			p.add(fp, diag.SchemaValidationFailed, "field '%s' must be a string holding a reference path, not %s", name, jsonType(v))
			return
		}
		path, err := jpath.CompileReference(src)
		if err != nil {
			p.add(fp, diag.InvalidJSONPath, "field '%s': %v", name, err)
			return
		}
		r.path = path
		return
	}
	switch f.op.kind() {
	case kindLogical:
		p.logical(r, f.op, v, fp)
	case kindString:
		r.operand.str, _ = p.typed(v, fp, name, "a string", isString).(string)
	case kindMatches:
		if s, ok := p.typed(v, fp, name, "a string", isString).(string); ok {
			r.operand.pattern = compilePattern(s)
		}
	case kindNumeric:
		if v := p.typed(v, fp, name, "a number", isNumber); v != nil {
			r.operand.num, _ = toNumber(v)
		}
	case kindBoolean, kindTypeTest:
		r.operand.flag, _ = p.typed(v, fp, name, "a boolean", isBool).(bool)
	case kindTimestamp:
		s, ok := p.typed(v, fp, name, "a timestamp string", isString).(string)
		if !ok {
			return
		}
		t, ok := parseTimestamp(s)
		if !ok {
			p.add(fp, diag.SchemaValidationFailed, "field '%s' must be an RFC 3339 timestamp such as \"2016-08-18T17:33:00Z\", not %q", name, s)
			return
		}
		r.operand.str, r.operand.ts = s, t
	}
}

// typed returns v when ok(v), and reports and returns nil otherwise.
func (p *parser) typed(v any, fp, name, want string, ok func(any) bool) any {
	if ok(v) {
		return v
	}
	p.add(fp, diag.SchemaValidationFailed, "field '%s' must be %s, not %s", name, want, jsonType(v))
	return nil
}

// logical compiles the operands of And, Or (a non-empty array of rules) and
// Not (one rule).
func (p *parser) logical(r *Rule, op Operator, v any, fp string) {
	if op == Not {
		if c := p.rule(v, fp, false); c != nil {
			r.rules = []*Rule{c}
		}
		return
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		what := jsonType(v)
		if ok {
			what = "an empty array"
		}
		p.add(fp, diag.SchemaValidationFailed, "field '%s' must be a non-empty array of Choice rules, not %s", op, what)
		return
	}
	r.rules = make([]*Rule, 0, len(arr))
	for i, e := range arr {
		if c := p.rule(e, diag.Pointer(fp, i), false); c != nil {
			r.rules = append(r.rules, c)
		}
	}
}

func (p *parser) nonEmptyString(v any, fp, name string) string {
	s, ok := v.(string)
	switch {
	case !ok:
		p.add(fp, diag.SchemaValidationFailed, "field '%s' must be a string, not %s", name, jsonType(v))
	case s == "":
		p.add(fp, diag.SchemaValidationFailed, "field '%s' must not be empty", name)
	}
	return s
}

func isString(v any) bool { _, ok := v.(string); return ok }
func isBool(v any) bool   { _, ok := v.(bool); return ok }
func isNumber(v any) bool { _, ok := toNumber(v); return ok }

// jsonType names the JSON type of a decoded value, for messages.
func jsonType(v any) string { return jsontext.KindPhrase(v) }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
