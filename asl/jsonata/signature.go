package jsonata

import (
	"regexp"
	"strings"
)

// signature is a parsed function signature such as "<s-nn?:s>": one
// parameter per type symbol, with the modifiers ? (optional), + (one or
// more) and - (use the context value when the argument is missing).
//
// Symbols: b boolean, n number, s string, l null, a array, o object,
// f function, j any JSON value, x anything, (..) a choice, a<t> an array of t.
type signature struct {
	src    string
	params []sigParam
	re     *regexp.Regexp
}

type sigParam struct {
	symbol   byte   // type symbol, or '(' for a choice
	choice   string // symbols of a choice
	subtype  string // item type of a<t>
	context  bool
	optional bool
	variadic bool
	regex    string
}

// parseSignature parses a signature in angle brackets.
func parseSignature(src string) (*signature, error) {
	s := &signature{src: src}
	body := strings.TrimSuffix(strings.TrimPrefix(src, "<"), ">")
	if i := topLevelColon(body); i >= 0 {
		body = body[:i]
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case strings.IndexByte("bnsloafxju", c) >= 0:
			p := sigParam{symbol: c}
			if i+1 < len(body) && body[i+1] == '<' {
				end := matchAngle(body, i+1)
				if end < 0 {
					return nil, newError("S0401", i, "", Undefined)
				}
				if c != 'a' && c != 'f' {
					return nil, newError("S0401", i, "", Undefined)
				}
				if c == 'a' {
					p.subtype = body[i+2 : end]
				}
				i = end
			}
			s.params = append(s.params, p)
		case c == '(':
			end := strings.IndexByte(body[i:], ')')
			if end < 0 {
				return nil, newError("S0401", i, "", Undefined)
			}
			choice := body[i+1 : i+end]
			if strings.ContainsAny(choice, "<>") {
				return nil, newError("S0402", i, "", Undefined)
			}
			s.params = append(s.params, sigParam{symbol: '(', choice: choice})
			i += end
		case c == '?' || c == '+' || c == '-':
			if len(s.params) == 0 {
				return nil, newError("S0401", i, "", Undefined)
			}
			p := &s.params[len(s.params)-1]
			switch c {
			case '?':
				p.optional = true
			case '+':
				p.variadic = true
			case '-':
				p.context = true
			}
		default:
			return nil, newError("S0401", i, string(c), Undefined)
		}
	}
	var full strings.Builder
	full.WriteString("^")
	for i := range s.params {
		p := &s.params[i]
		var r string
		switch p.symbol {
		case 'a', 'x':
			r = "[asnblfom]"
		case 'j':
			r = "[asnblom]"
		case 'u':
			r = "[bnslm]"
		case '(':
			r = "[" + p.choice + "m]"
		default:
			r = "[" + string(p.symbol) + "m]"
		}
		if p.context {
			p.regex = r
			r += "?"
		}
		if p.optional {
			r += "?"
		}
		if p.variadic {
			r += "+"
		}
		if !p.context {
			p.regex = r
		}
		full.WriteString("(" + r + ")")
	}
	full.WriteString("$")
	re, err := regexp.Compile(full.String())
	if err != nil {
		return nil, newError("S0401", 0, "", Undefined)
	}
	s.re = re
	return s, nil
}

// topLevelColon finds the ':' that starts the return type.
func topLevelColon(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
		case ':':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// matchAngle returns the index of the '>' closing the '<' at i.
func matchAngle(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// arity is the number of required parameters, used to decide how many
// arguments a higher-order function passes to a function.
func (s *signature) arity() int {
	n := 0
	for _, p := range s.params {
		if !p.optional {
			n++
		}
	}
	return n
}

// validate checks args against the signature, substituting the context
// value for a missing context argument and wrapping single values passed as
// arrays. It returns the arguments to call the function with.
func (s *signature) validate(args []any, context any, token string) ([]any, error) {
	var sb strings.Builder
	for _, a := range args {
		sb.WriteByte(typeSymbol(a))
	}
	supplied := sb.String()
	m := s.re.FindStringSubmatch(supplied)
	if m == nil {
		return nil, s.validationError(args, supplied, token)
	}
	out := make([]any, 0, len(s.params)+1)
	argIndex := 0
	for i, p := range s.params {
		match := m[i+1]
		if match == "" {
			if p.context {
				if s, ok := context.(*sequence); ok && s.outerWrapper && len(s.items) == 1 {
					context = s.items[0]
				}
				ctxSym := typeSymbol(context)
				if !strings.Contains(strings.Trim(p.regex, "[]?+"), string(ctxSym)) {
					return nil, argError("T0411", argIndex+1, token, context)
				}
				out = append(out, context)
				continue
			}
			if argIndex < len(args) {
				out = append(out, args[argIndex])
			} else {
				out = append(out, Undefined)
			}
			argIndex++
			continue
		}
		for j := 0; j < len(match); j++ {
			single := match[j]
			arg := args[argIndex]
			if p.symbol == 'a' && single != 'm' {
				if p.subtype != "" {
					ok := true
					if single != 'a' {
						ok = string(single) == p.subtype
					} else {
						items, _ := arrayItems(arg)
						if len(items) > 0 {
							first := typeSymbol(items[0])
							if first != p.subtype[0] {
								ok = false
							} else {
								for _, it := range items {
									if typeSymbol(it) != first {
										ok = false
										break
									}
								}
							}
						}
					}
					if !ok {
						e := &Error{Code: "T0412", Token: token, Value: arg}
						e.Message = e.render(map[string]any{"index": argIndex + 1, "type": arrayTypeName(p.subtype)})
						return nil, e
					}
				}
				if single != 'a' {
					arg = []any{arg}
				}
			}
			out = append(out, arg)
			argIndex++
		}
	}
	return out, nil
}

// validationError finds the first argument that does not match.
func (s *signature) validationError(args []any, supplied, token string) error {
	good := 0
	pattern := "^"
	for _, p := range s.params {
		r := p.regex
		if p.context {
			r += "?"
		}
		pattern += r
		loc := regexp.MustCompile(pattern).FindStringIndex(supplied)
		if loc == nil {
			break
		}
		good = loc[1]
	}
	var v any = Undefined
	if good < len(args) {
		v = args[good]
	}
	return argError("T0410", good+1, token, v)
}

// argError builds a signature error for argument index.
func argError(code string, index int, token string, value any) *Error {
	e := &Error{Code: code, Token: token, Value: value}
	e.Message = e.render(map[string]any{"index": index})
	return e
}

func arrayTypeName(sym string) string {
	switch sym {
	case "n":
		return "numbers"
	case "s":
		return "strings"
	case "b":
		return "booleans"
	case "o":
		return "objects"
	case "a":
		return "arrays"
	case "f":
		return "functions"
	}
	return sym
}
