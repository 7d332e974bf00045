package transform

import (
	"encoding/json"
	"strings"
)

// template is a compiled InputTemplate: literal text between placeholders,
// each placeholder knowing whether it sits inside a JSON string.
//
// AWS's rules ("Amazon EventBridge input transformation", its examples and
// "Common issues with transforming input"; API reference, InputTransformer):
//   - a template that is JSON gives JSON: a placeholder outside quotes
//     becomes the value as JSON (a string with its quotes, an object as
//     is); inside quotes, the value's text with the string's escaping (an
//     object or array as its JSON text, escaped);
//   - a template that is not JSON ("<instance> is in state <status>")
//     gives text: each placeholder becomes the value's text, a string
//     without quotes, an object or array as its JSON;
//   - "If InputTemplate is a JSON object (surrounded by curly braces) ...
//     The placeholder cannot be used as an object key": such a template
//     that is not JSON with its placeholders as values is refused;
//   - a path that selects nothing gives null outside quotes and nothing
//     inside them (and in text).
//
// A "<name>" whose name is neither a key of InputPathsMap nor a reserved
// variable is left as written ("The characters < and > cannot be
// escaped").
type template struct {
	pieces []piece
	vars   []variable
	tail   string
	json   bool // the template is JSON: Apply's output is JSON
	decode bool // some placeholder names a path: Apply decodes the event
}

type piece struct {
	lit      string // the literal text before the placeholder
	v        int    // index into vars
	inString bool
}

// variable is one name a template uses: a path of InputPathsMap or a
// reserved variable.
type variable struct {
	path     *path
	reserved reserved
}

type reserved uint8

const (
	notReserved reserved = iota
	ruleArn
	ruleName
	ingestionTime
	eventNoDetail
	eventJSON
)

var reservedNames = map[string]reserved{
	"aws.events.rule-arn":             ruleArn,
	"aws.events.rule-name":            ruleName,
	"aws.events.event.ingestion-time": ingestionTime,
	"aws.events.event":                eventNoDetail,
	"aws.events.event.json":           eventJSON,
}

// maxName bounds the text scanned for a placeholder's name: the longest
// key (256) or reserved name.
const maxName = MaxPathMapKey

func compileTemplate(id string, pathsMap map[string]string, src string) (*template, error) {
	if err := checkPathsMap(pathsMap); err != nil {
		return nil, err
	}
	if src == "" {
		return nil, constraint(src, "inputTransformer.inputTemplate", "Member must have length greater than or equal to 1")
	}
	if n := len([]rune(src)); n > MaxTemplate {
		return nil, constraint(src, "inputTransformer.inputTemplate", "Member must have length less than or equal to 8192")
	}
	paths := make(map[string]*path, len(pathsMap))
	for k, v := range pathsMap {
		p, err := compilePath(v)
		if err != nil {
			return nil, constraint(v, "inputTransformer.inputPathsMap", "Map value "+err.Error())
		}
		paths[k] = p
	}
	t := &template{}
	index := map[string]int{}
	var lit, probe strings.Builder
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case inString && c == '\\' && i+1 < len(src):
			lit.WriteString(src[i : i+2])
			probe.WriteString(src[i : i+2])
			i++
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			end := strings.IndexByte(src[i+1:min(len(src), i+2+maxName)], '>')
			if end < 0 {
				break
			}
			name := src[i+1 : i+1+end]
			v := variable{path: paths[name], reserved: reservedNames[name]}
			if v.path == nil && v.reserved == notReserved {
				break
			}
			n, seen := index[name]
			if !seen {
				n = len(t.vars)
				index[name] = n
				t.vars = append(t.vars, v)
				t.decode = t.decode || v.path != nil
			}
			t.pieces = append(t.pieces, piece{lit: lit.String(), v: n, inString: inString})
			lit.Reset()
			if !inString {
				probe.WriteString("null")
			}
			i += end + 1
			continue
		}
		lit.WriteByte(c)
		probe.WriteByte(c)
	}
	t.tail = lit.String()
	t.json = json.Valid([]byte(probe.String()))
	if !t.json && strings.HasPrefix(strings.TrimSpace(src), "{") {
		return nil, errorf("InputTemplate%s is not a valid JSON text: a JSON template's placeholders may only be values.", forTarget(id))
	}
	return t, nil
}
