package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// The schema types of the Schemas API.
const (
	TypeOpenAPI3         = "OpenApi3"
	TypeJSONSchemaDraft4 = "JSONSchemaDraft4"
)

// draft4 is JSON Schema draft 4's meta-schema URI.
const draft4 = "http://json-schema.org/draft-04/schema#"

// maxContent is AWS's bound on a schema's content: 100,000 characters
// (CreateSchema and UpdateSchema, Content: "Maximum length of 100000").
const maxContent = 100_000

// maxContentDepth bounds the nesting of a schema's content: the checks and
// the export walk it recursively.
const maxContentDepth = 64

// checkContent validates content as a schema of type typ: JSON, within
// AWS's size, and of that type's basic shape. It returns what is wrong, ""
// when nothing is.
func checkContent(typ, content string) string {
	if content == "" {
		return "Content must not be empty."
	}
	if n := utf8.RuneCountInString(content); n > maxContent {
		return fmt.Sprintf("Content is %d characters long; the maximum is %d.", n, maxContent)
	}
	d := json.NewDecoder(strings.NewReader(content))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil || d.More() {
		return "Content is not valid JSON."
	}
	if depth(doc, 0) > maxContentDepth {
		return fmt.Sprintf("Content nests deeper than %d levels.", maxContentDepth)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return "Content must be a JSON object."
	}
	switch typ {
	case TypeOpenAPI3:
		return checkOpenAPI(root)
	case TypeJSONSchemaDraft4:
		if s, ok := root["$schema"]; ok {
			if str, _ := s.(string); strings.TrimSuffix(str, "#") != strings.TrimSuffix(draft4, "#") {
				return fmt.Sprintf("Content's $schema must be %q for type %s.", draft4, TypeJSONSchemaDraft4)
			}
		}
		return checkJSONSchema(root, "#")
	}
	return fmt.Sprintf("Type must be %s or %s.", TypeOpenAPI3, TypeJSONSchemaDraft4)
}

func depth(v any, d int) int {
	if d > maxContentDepth {
		return d
	}
	m := d
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			m = max(m, depth(x, d+1))
		}
	case []any:
		for _, x := range v {
			m = max(m, depth(x, d+1))
		}
	}
	return m
}

func checkOpenAPI(root map[string]any) string {
	v, _ := root["openapi"].(string)
	if !strings.HasPrefix(v, "3.") {
		return `Content of type OpenApi3 must have "openapi": "3.x.y".`
	}
	info, ok := root["info"].(map[string]any)
	if !ok {
		return `Content of type OpenApi3 must have an "info" object.`
	}
	for _, k := range []string{"title", "version"} {
		if _, ok := info[k].(string); !ok {
			return fmt.Sprintf(`Content of type OpenApi3 must have a string "info.%s".`, k)
		}
	}
	if p, ok := root["paths"]; ok {
		if _, ok := p.(map[string]any); !ok {
			return `Content's "paths" must be an object.`
		}
	}
	if c, ok := root["components"]; ok {
		cm, ok := c.(map[string]any)
		if !ok {
			return `Content's "components" must be an object.`
		}
		if s, ok := cm["schemas"]; ok {
			sm, ok := s.(map[string]any)
			if !ok {
				return `Content's "components.schemas" must be an object.`
			}
			for _, k := range slices.Sorted(maps.Keys(sm)) {
				o, ok := sm[k].(map[string]any)
				if !ok {
					return fmt.Sprintf(`Content's "components.schemas.%s" must be an object.`, k)
				}
				if msg := checkJSONSchema(o, "#/components/schemas/"+k); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}

var jsonTypes = map[string]bool{"array": true, "boolean": true, "integer": true, "null": true, "number": true, "object": true, "string": true}

// checkJSONSchema checks the keywords of a schema object that have a
// fixed form (type, properties, items, required, definitions, allOf,
// anyOf, oneOf, not).
func checkJSONSchema(s map[string]any, at string) string {
	if t, ok := s["type"]; ok {
		switch t := t.(type) {
		case string:
			if !jsonTypes[t] {
				return fmt.Sprintf("%s: type %q is not a JSON Schema type.", at, t)
			}
		case []any:
			for _, e := range t {
				if str, _ := e.(string); !jsonTypes[str] {
					return fmt.Sprintf("%s: type must list JSON Schema types.", at)
				}
			}
		default:
			return fmt.Sprintf("%s: type must be a string or an array.", at)
		}
	}
	if r, ok := s["required"]; ok {
		arr, ok := r.([]any)
		if !ok {
			return fmt.Sprintf("%s: required must be an array of strings.", at)
		}
		for _, e := range arr {
			if _, ok := e.(string); !ok {
				return fmt.Sprintf("%s: required must be an array of strings.", at)
			}
		}
	}
	for _, kw := range []string{"properties", "definitions", "patternProperties"} {
		p, ok := s[kw]
		if !ok {
			continue
		}
		pm, ok := p.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %s must be an object.", at, kw)
		}
		for _, k := range slices.Sorted(maps.Keys(pm)) {
			o, ok := pm[k].(map[string]any)
			if !ok {
				return fmt.Sprintf("%s/%s/%s must be a schema object.", at, kw, k)
			}
			if msg := checkJSONSchema(o, at+"/"+kw+"/"+k); msg != "" {
				return msg
			}
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		p, ok := s[kw]
		if !ok {
			continue
		}
		arr, ok := p.([]any)
		if !ok || len(arr) == 0 {
			return fmt.Sprintf("%s: %s must be a non-empty array of schema objects.", at, kw)
		}
		for i, e := range arr {
			o, ok := e.(map[string]any)
			if !ok {
				return fmt.Sprintf("%s: %s must be a non-empty array of schema objects.", at, kw)
			}
			if msg := checkJSONSchema(o, fmt.Sprintf("%s/%s/%d", at, kw, i)); msg != "" {
				return msg
			}
		}
	}
	for _, kw := range []string{"items", "not", "additionalProperties"} {
		p, ok := s[kw]
		if !ok {
			continue
		}
		switch p := p.(type) {
		case map[string]any:
			if msg := checkJSONSchema(p, at+"/"+kw); msg != "" {
				return msg
			}
		case bool:
			if kw == "not" {
				return fmt.Sprintf("%s: not must be a schema object.", at)
			}
		case []any:
			if kw != "items" {
				return fmt.Sprintf("%s: %s must be a schema object.", at, kw)
			}
		default:
			return fmt.Sprintf("%s: %s must be a schema object.", at, kw)
		}
	}
	return ""
}

// exportDraft4 converts an OpenAPI 3 schema document to JSON Schema draft
// 4: the root is the component components.schemas.AWSEvent (a discovered
// schema's envelope), else the component info.title names, else the only
// component; the other components become definitions, their references
// #/definitions/<name>; OpenAPI's nullable becomes a "null" type.
func exportDraft4(content string) ([]byte, error) {
	d := json.NewDecoder(strings.NewReader(content))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the schema's content is not a JSON object")
	}
	comps := map[string]any{}
	if c, ok := doc["components"].(map[string]any); ok {
		if s, ok := c["schemas"].(map[string]any); ok {
			comps = s
		}
	}
	rootName := ""
	title := ""
	if info, ok := doc["info"].(map[string]any); ok {
		title, _ = info["title"].(string)
	}
	switch {
	case comps["AWSEvent"] != nil:
		rootName = "AWSEvent"
	case title != "" && comps[title] != nil:
		rootName = title
	case len(comps) == 1:
		for k := range comps {
			rootName = k
		}
	default:
		return nil, fmt.Errorf("the schema has no root component to export (components.schemas.AWSEvent, the one info.title names, or a single one)")
	}
	root, _ := convertNode(comps[rootName], 0).(map[string]any)
	if root == nil {
		root = map[string]any{}
	}
	defs := map[string]any{}
	for k, v := range comps {
		if k != rootName {
			defs[k] = convertNode(v, 0)
		}
	}
	root["$schema"] = draft4
	if title != "" {
		root["title"] = title
	} else {
		root["title"] = rootName
	}
	if len(defs) > 0 {
		root["definitions"] = defs
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// convertNode rewrites OpenAPI's forms in a schema node as draft 4's.
func convertNode(v any, d int) any {
	if d > maxContentDepth+2 {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = convertNode(x, d+1)
		}
		if ref, ok := v["$ref"].(string); ok {
			if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
				out["$ref"] = "#/definitions/" + name
			}
		}
		if n, ok := v["nullable"].(bool); ok {
			delete(out, "nullable")
			if t, ok := v["type"].(string); ok && n {
				out["type"] = []any{t, "null"}
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = convertNode(x, d+1)
		}
		return out
	}
	return v
}
