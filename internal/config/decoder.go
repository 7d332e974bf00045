package config

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder reads YAML nodes, collecting a problem for each key, value or
// type it cannot take, at the node's line. The sections use it; it keeps
// the nodes (not a decoded tree) so that every problem has its line.
type decoder struct {
	file     string
	problems []Problem
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line = n.Line
	}
	d.problems = append(d.problems, p)
}

func keyPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// resolve follows an alias (*anchor) to its node.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping calls fields[key] for each key of a mapping, and reports unknown
// and repeated keys.
func (d *decoder) mapping(n *yaml.Node, path string, fields map[string]func(*yaml.Node, string)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return // an empty section
		}
		d.fail(n, path, "must be a mapping (key: value), got %s", nodeKind(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := keyPath(path, k.Value)
		f, ok := fields[k.Value]
		switch {
		case seen[k.Value]:
			d.fail(k, p, "the key is repeated")
		case !ok:
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			slices.Sort(known)
			d.fail(k, p, "unknown key (known: %s)", strings.Join(known, ", "))
		default:
			f(v, p)
		}
		seen[k.Value] = true
	}
}

// list calls each for each item of a sequence, with its path (name[i]).
func (d *decoder) list(n *yaml.Node, path string, each func(*yaml.Node, string)) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		if n.Tag == "!!null" {
			return
		}
		d.fail(n, path, "must be a list, got %s", nodeKind(n))
		return
	}
	for i, item := range n.Content {
		each(resolve(item), fmt.Sprintf("%s[%d]", path, i))
	}
}

// str reads a string, with ${NAME} replaced by the environment variable.
func (d *decoder) str(n *yaml.Node, path string) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, path, "must be a string, got %s", nodeKind(n))
		return ""
	}
	if n.Tag != "!!str" {
		d.fail(n, path, "must be a string, got %s (quote it)", nodeKind(n))
		return ""
	}
	return d.expand(n, path, n.Value)
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func (d *decoder) expand(n *yaml.Node, path, s string) string {
	return envRE.ReplaceAllStringFunc(s, func(m string) string {
		name := envRE.FindStringSubmatch(m)[1]
		v, ok := os.LookupEnv(name)
		if !ok {
			d.fail(n, path, "the environment variable %s is not set", name)
		}
		return v
	})
}

// value converts a node to the generic form the decoders of other parts
// (gateway.DecodeRoute) read: maps, lists, strings (expanded), int,
// float64, bool and nil. Aliases are followed, so a value is bounded: an
// alias to a node that holds it would never end, and aliases of aliases
// grow exponentially (a 1 KiB file can name 2^50 values).
func (d *decoder) value(n *yaml.Node, path string) any {
	return d.valueAt(n, path, 0, &valueBound{node: n, path: path, left: maxValueNodes})
}

// maxValueNodes and maxValueDepth bound a value read from the file: 100,000
// values (a schema's content, the largest value, is at most 100,000
// characters) nested at most 100 deep (a schema's content nests at most
// 64).
const (
	maxValueNodes = 100_000
	maxValueDepth = 100
)

// valueBound is what a value may still hold: its problems of size are
// said once, at the value's node and path.
type valueBound struct {
	node *yaml.Node
	path string
	left int
}

func (d *decoder) valueAt(n *yaml.Node, path string, depth int, b *valueBound) any {
	n = resolve(n)
	if b.left--; b.left < 0 {
		if b.left == -1 {
			d.fail(b.node, b.path, "holds more than %d values (aliases repeat what they name)", maxValueNodes)
		}
		return nil
	}
	if depth > maxValueDepth {
		d.fail(b.node, b.path, "nests deeper than %d levels (an alias inside what it names?)", maxValueDepth)
		b.left = -2 // one problem is enough
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				d.fail(n.Content[i], keyPath(path, k), "the key is repeated")
			}
			m[k] = d.valueAt(n.Content[i+1], keyPath(path, k), depth+1, b)
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, item := range n.Content {
			a[i] = d.valueAt(item, fmt.Sprintf("%s[%d]", path, i), depth+1, b)
		}
		return a
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			return d.expand(n, path, n.Value)
		}
		var v any
		if err := n.Decode(&v); err != nil {
			d.fail(n, path, "%v", err)
		}
		return v
	}
	return nil
}

// lookupNode finds the node of a field path (cors.allowOrigins[1]) under n.
func lookupNode(n *yaml.Node, field string) *yaml.Node {
	for _, part := range strings.Split(field, ".") {
		name, idx, _ := strings.Cut(part, "[")
		n = resolve(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				next = n.Content[i+1]
				if idx == "" {
					next = n.Content[i] // the key's line reads best
					if resolve(n.Content[i+1]).Kind != yaml.ScalarNode {
						next = n.Content[i+1]
					}
				}
			}
		}
		n = next
		for idx != "" {
			var s string
			s, idx, _ = strings.Cut(idx, "]")
			i, err := strconv.Atoi(s)
			n = resolve(n)
			if err != nil || n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
			idx = strings.TrimPrefix(idx, "[")
		}
	}
	return n
}

// nodeKind names a node's type for a message.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "nothing"
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return n.Value
	}
	return strconv.Quote(n.Value)
}
