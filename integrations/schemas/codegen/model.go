package codegen

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// kind is what a schema node becomes in every language.
type kind int

const (
	kindAny      kind = iota // the language's generic JSON value
	kindString               // a string (an enum of strings too)
	kindInteger              // int64, Long, int, number
	kindNumber               // float64, Double, float, number
	kindBoolean              // bool, Boolean, bool, boolean
	kindDateTime             // a string of format date-time: time.Time, OffsetDateTime, datetime, Date
	kindArray                // elem
	kindMap                  // additionalProperties: string keys to elem
	kindClass                // class
)

type typ struct {
	kind  kind
	elem  *typ
	class *class
	enum  []string // a string enum's values, for the documentation
}

var anyType = &typ{kind: kindAny}

// class is an object schema with properties: a component, or an inline
// object named after where it appears.
type class struct {
	name   string // the component's key or the inline object's hint
	fields []*field
}

type field struct {
	json     string // the property's name in JSON
	typ      *typ
	required bool
	nullable bool
}

// model is a schema read into the classes the bindings hold.
type model struct {
	pkg        []string // the package name's segments: schema, aws, ec2, ...
	classes    []*class
	detail     *typ // the AWSEvent envelope's detail
	source     string
	detailType string
}

// builder reads a schema document into a model.
type builder struct {
	comps    *object // components.schemas (OpenAPI) or definitions (JSON Schema)
	root     *object
	types    map[string]*typ // resolved components by name (rootKey is a JSON Schema's root)
	inflight map[string]bool // components being resolved (cycles of aliases)
	classes  []*class
	props    int
	err      error
}

const awsEventName = "AWSEvent"

// rootKey names a JSON Schema's root among the components: no JSON key
// of a definition can be confused with it in a "#/definitions/" reference.
const rootKey = "\x00#"

func buildModel(in Input) (*model, error) {
	doc, err := parseDocument(in.Content)
	if err != nil {
		return nil, err
	}
	root, ok := doc.(*object)
	if !ok {
		return nil, errors.New("schema content is not a JSON object")
	}
	b := &builder{root: root, types: map[string]*typ{}, inflight: map[string]bool{}}
	m := &model{pkg: packageSegments(in.SchemaName)}
	openAPI := in.Type == "OpenApi3" || (in.Type == "" && root.get("openapi") != nil)
	switch {
	case in.Type != "" && in.Type != "OpenApi3" && in.Type != "JSONSchemaDraft4":
		return nil, fmt.Errorf("schema type %q is not OpenApi3 or JSONSchemaDraft4", in.Type)
	case openAPI:
		if c, ok := root.get("components").(*object); ok {
			b.comps, _ = c.get("schemas").(*object)
		}
		if b.comps == nil {
			return nil, errors.New("an OpenApi3 schema needs components.schemas")
		}
		env, _ := b.comps.get(awsEventName).(*object)
		if env != nil {
			m.source, _ = env.get("x-amazon-events-source").(string)
			m.detailType, _ = env.get("x-amazon-events-detail-type").(string)
			props, _ := env.get("properties").(*object)
			m.detail = b.typeOf(props.get("detail"), "Detail", 0)
		}
		for _, k := range b.comps.keys {
			if k == awsEventName && env != nil {
				continue
			}
			t := b.component(k)
			if m.detail == nil && t.kind == kindClass {
				m.detail = t
			}
		}
	default:
		b.comps, _ = root.get("definitions").(*object)
		props, _ := root.get("properties").(*object)
		if props != nil && props.get("detail") != nil && props.get("detail-type") != nil {
			m.detail = b.typeOf(props.get("detail"), "Detail", 0)
		} else {
			m.detail = b.component(rootKey)
		}
		if b.comps != nil {
			for _, k := range b.comps.keys {
				b.component(k)
			}
		}
	}
	if b.err != nil {
		return nil, b.err
	}
	if m.detail == nil || m.detail.kind != kindClass {
		m.detail = anyType
	}
	m.classes = b.classes
	return m, nil
}

// component resolves a component (or rootKey, the JSON Schema's root) by name.
func (b *builder) component(name string) *typ {
	if t, ok := b.types[name]; ok {
		return t
	}
	if b.inflight[name] {
		return anyType // an alias that refers to itself
	}
	var node any
	hint := name
	if name == rootKey {
		node = b.root
		hint, _ = b.root.get("title").(string)
		if hint == "" {
			hint = "Event"
		}
	} else {
		node = b.comps.get(name)
		if node == nil {
			return anyType
		}
	}
	b.inflight[name] = true
	defer delete(b.inflight, name)
	if o, ok := node.(*object); ok && isClass(o) {
		// Registered before its fields are read so that a recursive
		// reference finds it.
		c := b.newClass(hint)
		t := &typ{kind: kindClass, class: c}
		b.types[name] = t
		b.fillClass(c, o, 0)
		return t
	}
	t := b.typeOf(node, hint, 0)
	b.types[name] = t
	return t
}

func isClass(o *object) bool {
	props, ok := o.get("properties").(*object)
	if !ok || len(props.keys) == 0 {
		return false
	}
	switch t := o.get("type").(type) {
	case nil:
		return true
	case string:
		return t == "object"
	case []any:
		nonNull := typeNames(t)
		return len(nonNull) == 1 && nonNull[0] == "object"
	}
	return false
}

func (b *builder) newClass(name string) *class {
	c := &class{name: name}
	if len(b.classes) >= MaxClasses {
		b.fail(fmt.Errorf("the schema has more than %d classes (components and inline objects)", MaxClasses))
		return c
	}
	b.classes = append(b.classes, c)
	return c
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) fillClass(c *class, o *object, depth int) {
	props := o.get("properties").(*object)
	required := map[string]bool{}
	if r, ok := o.get("required").([]any); ok {
		for _, v := range r {
			if s, ok := v.(string); ok {
				required[s] = true
			}
		}
	}
	for _, k := range props.keys {
		if b.err != nil {
			return
		}
		b.props++
		if b.props > MaxProperties {
			b.fail(fmt.Errorf("the schema has more than %d properties", MaxProperties))
			return
		}
		if len(c.fields) >= MaxClassFields {
			b.fail(fmt.Errorf("%q has more than %d properties", c.name, MaxClassFields))
			return
		}
		f := &field{json: k, required: required[k]}
		f.typ = b.typeOf(props.vals[k], c.name+"_"+k, depth+1)
		f.nullable = isNullable(props.vals[k])
		c.fields = append(c.fields, f)
	}
}

func isNullable(node any) bool {
	o, ok := node.(*object)
	if !ok {
		return false
	}
	if n, ok := o.get("nullable").(bool); ok && n {
		return true
	}
	if ts, ok := o.get("type").([]any); ok {
		for _, v := range ts {
			if v == "null" {
				return true
			}
		}
	}
	return false
}

// typeNames returns a type array's names other than "null".
func typeNames(ts []any) []string {
	var out []string
	for _, v := range ts {
		if s, ok := v.(string); ok && s != "null" {
			out = append(out, s)
		}
	}
	return out
}

// typeOf maps a schema node to a type; what it does not understand
// becomes the generic JSON value. hint names an inline object's class.
func (b *builder) typeOf(node any, hint string, depth int) *typ {
	o, ok := node.(*object)
	if !ok || b.err != nil || depth > MaxDepth {
		return anyType
	}
	if ref, ok := o.get("$ref").(string); ok {
		return b.ref(ref)
	}
	if all, ok := o.get("allOf").([]any); ok && len(all) == 1 {
		return b.typeOf(all[0], hint, depth+1)
	}
	if o.get("allOf") != nil || o.get("anyOf") != nil || o.get("oneOf") != nil || o.get("not") != nil {
		return anyType
	}
	var name string
	switch t := o.get("type").(type) {
	case string:
		name = t
	case []any:
		names := typeNames(t)
		if len(names) != 1 {
			return anyType
		}
		name = names[0]
	case nil:
		if o.get("properties") != nil || o.get("additionalProperties") != nil {
			name = "object"
		} else if e, ok := o.get("enum").([]any); ok && allStrings(e) {
			name = "string"
		}
	}
	switch name {
	case "string":
		if f, _ := o.get("format").(string); f == "date-time" {
			return &typ{kind: kindDateTime}
		}
		t := &typ{kind: kindString}
		if e, ok := o.get("enum").([]any); ok {
			if !allStrings(e) {
				return anyType
			}
			for _, v := range e {
				t.enum = append(t.enum, v.(string))
			}
		}
		return t
	case "integer":
		return &typ{kind: kindInteger}
	case "number":
		return &typ{kind: kindNumber}
	case "boolean":
		return &typ{kind: kindBoolean}
	case "array":
		items, ok := o.get("items").(*object)
		if !ok {
			return &typ{kind: kindArray, elem: anyType}
		}
		return &typ{kind: kindArray, elem: b.typeOf(items, hint+"_item", depth+1)}
	case "object":
		if isClass(o) {
			c := b.newClass(hint)
			b.fillClass(c, o, depth)
			return &typ{kind: kindClass, class: c}
		}
		if ap, ok := o.get("additionalProperties").(*object); ok {
			return &typ{kind: kindMap, elem: b.typeOf(ap, hint+"_value", depth+1)}
		}
		return &typ{kind: kindMap, elem: anyType}
	}
	return anyType
}

func allStrings(vs []any) bool {
	for _, v := range vs {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return len(vs) > 0
}

// ref resolves a local reference to a component; any other reference
// (another document, a path into a property) is the generic value.
func (b *builder) ref(ref string) *typ {
	if ref == "#" {
		return b.component(rootKey)
	}
	for _, prefix := range []string{"#/components/schemas/", "#/definitions/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok && b.comps != nil {
			if u, err := url.PathUnescape(name); err == nil {
				name = u
			}
			if strings.Contains(name, "/") {
				return anyType
			}
			name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
			return b.component(name)
		}
	}
	return anyType
}
