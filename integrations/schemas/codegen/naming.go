package codegen

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
)

// Names in the bindings. A schema's names may hold any character; every
// language gets identifiers made of ASCII letters, digits and underscores:
//
//   - words are the runs of letters and digits; anything else separates
//     them ("detail-type" is detail, type);
//   - a letter or digit outside ASCII is written U+hex ("größe" is
//     grU00f6U00dfe), so names that differ stay different, with no
//     normalisation (Python folds identifiers by NFKC) to merge them;
//   - a name that would start with a digit gets a prefix (X in Go's exported
//     names and in type names, _ in members elsewhere);
//   - a keyword or a name the bindings themselves use gets a _ suffix;
//   - names that still collide within their scope get 2, 3, ...; type names
//     compare without case, as they are file names and a checkout on a
//     case-insensitive file system must not merge two of them;
//   - names longer than 80 characters are cut, with a hash of the whole name.

// words splits a name into its words.
func words(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			cur.WriteRune(r)
		case r >= 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			fmt.Fprintf(&cur, "U%04x", r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func upperFirst(w string) string {
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// pascal is "detail-type" → "DetailType"; empty names become fallback.
func pascal(s, fallback string) string {
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(upperFirst(w))
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}

// camel is "detail-type" → "detailType", "EC2Instance" → "ec2Instance",
// "ID" → "id".
func camel(s, fallback string) string {
	p := pascal(s, fallback)
	// Lower the leading capitals, but not the first letter of the next
	// word ("URLValue" → "urlValue").
	n := 0
	for n < len(p) && p[n] >= 'A' && p[n] <= 'Z' {
		n++
	}
	switch {
	case n == 0:
		return p
	case n == 1 || n == len(p):
		return strings.ToLower(p[:n]) + p[n:]
	case p[n] >= 'a' && p[n] <= 'z':
		return strings.ToLower(p[:n-1]) + p[n-1:]
	default:
		return strings.ToLower(p[:n]) + p[n:]
	}
}

// snake is "detail-type" → "detail_type", "instanceId" → "instance_id",
// "EC2InstanceState" → "ec2_instance_state".
func snake(s, fallback string) string {
	var parts []string
	for _, w := range words(s) {
		start := 0
		for i := 1; i < len(w); i++ {
			prev, c := w[i-1], w[i]
			next := byte(0)
			if i+1 < len(w) {
				next = w[i+1]
			}
			isUp := func(x byte) bool { return x >= 'A' && x <= 'Z' }
			isLow := func(x byte) bool { return x >= 'a' && x <= 'z' }
			isDig := func(x byte) bool { return x >= '0' && x <= '9' }
			if isUp(c) && (isLow(prev) || isDig(prev) || (isUp(prev) && isLow(next))) {
				parts = append(parts, strings.ToLower(w[start:i]))
				start = i
			}
		}
		parts = append(parts, strings.ToLower(w[start:]))
	}
	if len(parts) == 0 {
		return fallback
	}
	return strings.Join(parts, "_")
}

// limitLen cuts a long identifier, keeping it distinct with a hash.
func limitLen(id string) string {
	if len(id) <= maxIdentifierLen {
		return id
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s_%08x", id[:maxIdentifierLen-9], h.Sum32())
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// scope hands out unique names. fold compares names without case.
type scope struct {
	used     map[string]bool
	next     map[string]int  // the next number to try after id (n names alike cost n, not n²)
	reserved map[string]bool // keywords and the bindings' own names: get a _ suffix
	fold     bool
}

func newScope(fold bool, reserved map[string]bool, taken ...string) *scope {
	s := &scope{used: map[string]bool{}, next: map[string]int{}, reserved: reserved, fold: fold}
	for _, t := range taken {
		s.used[s.key(t)] = true
	}
	return s
}

func (s *scope) key(n string) string {
	if s.fold {
		return strings.ToLower(n)
	}
	return n
}

// name makes id unique in the scope and records it.
func (s *scope) name(id string) string {
	id = limitLen(id)
	if s.reserved[id] || (s.fold && s.reserved[strings.ToLower(id)]) {
		id += "_"
	}
	cand := id
	i := max(s.next[s.key(id)], 2)
	for ; s.used[s.key(cand)] || s.reserved[cand]; i++ {
		cand = fmt.Sprintf("%s%d", id, i)
	}
	s.next[s.key(id)] = i
	s.used[s.key(cand)] = true
	return cand
}

// typeReserved is a language's reserved type names: its keywords, and
// the names (lowercased, for a folding scope) of what the bindings use
// that a class of the package would hide.
func typeReserved(keywords map[string]bool, used ...string) map[string]bool {
	m := make(map[string]bool, len(keywords)+len(used))
	for k := range keywords {
		m[k] = true
	}
	for _, n := range used {
		m[strings.ToLower(n)] = true
	}
	return m
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// packageSegments names the bindings' package as the AWS Toolkits do
// (schema.aws.ec2.ec2instancestatechangenotification for
// aws.ec2@EC2InstanceStateChangeNotification): "schema", then for an AWS
// event ("aws.…") each dot-separated part, for a partner event
// ("aws.partner-…") aws, partner and the rest, else the whole name; each
// part lowercased, characters other than letters, digits and _ made _, and
// @ starting a new part.
func packageSegments(schemaName string) []string {
	if schemaName == "" {
		schemaName = "event"
	}
	var parts []string
	switch {
	case strings.HasPrefix(schemaName, "aws.partner-"):
		parts = []string{"aws", "partner", strings.TrimPrefix(schemaName, "aws.partner-")}
	case strings.HasPrefix(schemaName, "aws."):
		parts = strings.Split(schemaName, ".")
	default:
		parts = []string{schemaName}
	}
	segs := []string{"schema"}
	for _, p := range parts {
		for _, s := range strings.Split(packageIdent(strings.ToLower(p)), "@") {
			switch {
			case s == "":
				continue
			case startsWithDigit(s):
				s = "_" + s
			case javaKeywords[s] || pythonKeywords[s] || goKeywords[s] || tsKeywords[s]:
				s += "_"
			}
			segs = append(segs, limitLen(s))
		}
	}
	if len(segs) == 1 {
		segs = append(segs, "event")
	}
	return segs
}

func packageIdent(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '@') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

var javaKeywords = set("abstract", "assert", "boolean", "break", "byte", "case", "catch", "char",
	"class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final",
	"finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
	"interface", "long", "native", "new", "package", "private", "protected", "public", "return",
	"short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
	"transient", "try", "void", "volatile", "while", "true", "false", "null", "var", "record",
	"yield", "sealed", "permits", "non", "_")

var pythonKeywords = set("False", "None", "True", "and", "as", "assert", "async", "await",
	"break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
	"from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
	"raise", "return", "try", "while", "with", "yield", "match", "case", "print", "exec")

var goKeywords = set("break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package",
	"range", "return", "select", "struct", "switch", "type", "var", "main")

var tsKeywords = set("break", "case", "catch", "class", "const", "continue", "debugger",
	"default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for",
	"function", "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch",
	"this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "implements",
	"interface", "let", "package", "private", "protected", "public", "static", "yield", "any",
	"boolean", "number", "string", "symbol", "type", "from", "of", "as", "async", "await",
	"constructor", "declare", "get", "set", "module", "namespace", "require", "undefined",
	"never", "unknown", "object", "readonly", "keyof", "infer", "is", "abstract", "arguments", "eval")
