package mock

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/jsontext"
)

// Field names of the mock configuration format.
const (
	fieldStateMachines   = "StateMachines"
	fieldMockedResponses = "MockedResponses"
	fieldTestCases       = "TestCases"
	fieldReturn          = "Return"
	fieldThrow           = "Throw"
	fieldError           = "Error"
	fieldCause           = "Cause"
)

// Parse reads a mock configuration from JSON and validates it. On invalid
// input it returns a *ValidationError listing every problem found, each
// with the JSON pointer of the offending value.
func Parse(data []byte) (*Config, error) {
	root, err := asl.DecodeJSON(data)
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{Message: "not valid JSON: " + err.Error()}}}
	}
	var p parser
	cfg := p.config(root)
	if len(p.problems) > 0 {
		return nil, &ValidationError{Problems: p.problems}
	}
	return cfg, nil
}

// parser turns decoded JSON into a Config, collecting problems rather than
// stopping at the first.
type parser struct {
	problems []Problem
}

func (p *parser) addf(ptr, format string, args ...any) {
	p.problems = append(p.problems, Problem{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

// object returns v as an object, or reports that the value at ptr must be
// one.
func (p *parser) object(ptr string, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		p.addf(ptr, "must be an object, not %s", kind(v))
	}
	return m, ok
}

// fields checks that obj has every required field and no field outside
// allowed.
func (p *parser) fields(ptr string, obj map[string]any, required []string, allowed ...string) {
	for _, f := range required {
		if _, ok := obj[f]; !ok {
			p.addf(ptr, "missing the field %q", f)
		}
	}
	for _, f := range sortedKeys(obj) {
		if !slices.Contains(required, f) && !slices.Contains(allowed, f) {
			p.addf(pointer(ptr, f), "unknown field %q", f)
		}
	}
}

func (p *parser) config(root any) *Config {
	obj, ok := p.object("", root)
	if !ok {
		return nil
	}
	p.fields("", obj, []string{fieldStateMachines, fieldMockedResponses})
	cfg := &Config{
		responses:     map[string]*mockedResponse{},
		stateMachines: map[string]map[string]testCase{},
	}
	if v, ok := obj[fieldMockedResponses]; ok {
		p.responses(cfg, v)
	}
	if v, ok := obj[fieldStateMachines]; ok {
		p.stateMachines(cfg, v)
	}
	return cfg
}

func (p *parser) responses(cfg *Config, v any) {
	ptr := pointer("", fieldMockedResponses)
	obj, ok := p.object(ptr, v)
	if !ok {
		return
	}
	for _, name := range sortedKeys(obj) {
		if r, ok := p.response(pointer(ptr, name), name, obj[name]); ok {
			cfg.responses[name] = r
		}
	}
}

func (p *parser) response(ptr, name string, v any) (*mockedResponse, bool) {
	obj, ok := p.object(ptr, v)
	if !ok {
		return nil, false
	}
	if len(obj) == 0 {
		p.addf(ptr, "has no entries: a mocked response needs one per invocation, keyed \"0\", \"1\" or \"0-2\"")
		return nil, false
	}
	valid := true
	r := &mockedResponse{name: name}
	for _, key := range sortedKeys(obj) {
		e, ok := p.entry(pointer(ptr, key), key, obj[key])
		valid = valid && ok
		if ok {
			r.entries = append(r.entries, e)
		}
	}
	slices.SortFunc(r.entries, func(a, b entry) int { return cmp.Compare(a.first, b.first) })
	for i := 1; i < len(r.entries); i++ {
		prev, e := r.entries[i-1], r.entries[i]
		if e.first <= prev.last {
			p.addf(pointer(ptr, e.key()), "overlaps the entry %q: each invocation has one response", prev.key())
			valid = false
		}
	}
	return r, valid
}

func (p *parser) entry(ptr, key string, v any) (entry, bool) {
	var e entry
	first, last, err := parseRangeKey(key)
	if err != nil {
		p.addf(ptr, "%v", err)
	}
	obj, ok := p.object(ptr, v)
	if !ok {
		return e, false
	}
	p.fields(ptr, obj, nil, fieldReturn, fieldThrow)
	ret, hasReturn := obj[fieldReturn]
	throw, hasThrow := obj[fieldThrow]
	switch {
	case hasReturn && hasThrow:
		p.addf(ptr, "has both %q and %q: an entry has exactly one", fieldReturn, fieldThrow)
		return e, false
	case !hasReturn && !hasThrow:
		p.addf(ptr, "has neither %q nor %q: an entry has exactly one", fieldReturn, fieldThrow)
		return e, false
	case hasThrow:
		t, ok := p.throw(pointer(ptr, fieldThrow), throw)
		if !ok {
			return e, false
		}
		e.fail = t
	default:
		e.ret = ret
	}
	e.first, e.last = first, last
	return e, err == nil
}

func (p *parser) throw(ptr string, v any) (*failure, bool) {
	obj, ok := p.object(ptr, v)
	if !ok {
		return nil, false
	}
	p.fields(ptr, obj, []string{fieldError}, fieldCause)
	t := &failure{}
	valid := true
	if v, ok := obj[fieldError]; ok {
		switch s, isString := v.(string); {
		case !isString:
			p.addf(pointer(ptr, fieldError), "must be an error name (a string), not %s", kind(v))
			valid = false
		case s == "":
			p.addf(pointer(ptr, fieldError), "must not be empty")
			valid = false
		default:
			t.name = s
		}
	} else {
		valid = false
	}
	if v, ok := obj[fieldCause]; ok {
		if s, isString := v.(string); isString {
			t.cause = s
		} else {
			p.addf(pointer(ptr, fieldCause), "must be a string, not %s", kind(v))
			valid = false
		}
	}
	return t, valid
}

func (p *parser) stateMachines(cfg *Config, v any) {
	ptr := pointer("", fieldStateMachines)
	obj, ok := p.object(ptr, v)
	if !ok {
		return
	}
	for _, name := range sortedKeys(obj) {
		smPtr := pointer(ptr, name)
		sm, ok := p.object(smPtr, obj[name])
		if !ok {
			continue
		}
		p.fields(smPtr, sm, []string{fieldTestCases})
		cases, ok := sm[fieldTestCases]
		if !ok {
			continue
		}
		casesPtr := pointer(smPtr, fieldTestCases)
		casesObj, ok := p.object(casesPtr, cases)
		if !ok {
			continue
		}
		tcs := map[string]testCase{}
		for _, tcName := range sortedKeys(casesObj) {
			tcs[tcName] = p.testCase(cfg, pointer(casesPtr, tcName), casesObj[tcName])
		}
		cfg.stateMachines[name] = tcs
	}
}

// testCase reads a test case: state name → mocked response name.
func (p *parser) testCase(cfg *Config, ptr string, v any) testCase {
	tc := testCase{}
	obj, ok := p.object(ptr, v)
	if !ok {
		return tc
	}
	for _, state := range sortedKeys(obj) {
		statePtr := pointer(ptr, state)
		name, ok := obj[state].(string)
		if !ok {
			p.addf(statePtr, "must be the name of a mocked response (a string), not %s", kind(obj[state]))
			continue
		}
		r, ok := cfg.responses[name]
		if !ok {
			// A response that is defined but invalid has been reported
			// already; only report a missing one.
			if !p.reported(pointer("", fieldMockedResponses, name)) {
				p.addf(statePtr, "the mocked response %q is not defined in %s", name, fieldMockedResponses)
			}
			continue
		}
		tc[state] = r
	}
	return tc
}

// reported tells whether a problem was found at ptr or below it.
func (p *parser) reported(ptr string) bool {
	for _, pr := range p.problems {
		if pr.Pointer == ptr || strings.HasPrefix(pr.Pointer, ptr+"/") {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// kind names the JSON type of v for messages.
func kind(v any) string { return jsontext.KindPhrase(v) }
