package jsonata

// The parser is a Pratt (top-down operator precedence) parser producing a raw
// tree, which build (in build.go) turns into the final AST.

// bindingPower is the left binding power of the infix operators; every other
// token binds with 0.
var bindingPower = map[string]int{
	".": 75, "[": 80, "{": 70, "(": 80, "@": 80, "#": 80,
	"?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60,
	"=": 40, "<": 40, ">": 40, "^": 40, "!=": 40, "<=": 40, ">=": 40,
	"~>": 40, "in": 40, "&": 50, "and": 30, "or": 25, ":=": 10,
}

type parser struct {
	lex  lexer
	tok  token // lookahead
	prev token // last consumed token
}

// operandEnd reports whether t ends an operand, so that a following / is
// division rather than the start of a regular expression.
func operandEnd(t token) bool {
	switch t.kind {
	case tokName, tokVariable, tokString, tokNumber, tokValue, tokRegex:
		return true
	case tokOperator:
		switch t.value {
		case ")", "]", "}":
			return true
		}
	}
	return false
}

// advance consumes the lookahead token and reads the next one.
func (p *parser) advance() error {
	p.prev = p.tok
	t, err := p.lex.next(!operandEnd(p.prev))
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// isOp reports whether the lookahead is operator op.
func (p *parser) isOp(op string) bool {
	return p.tok.kind == tokOperator && p.tok.value == op
}

// expect consumes operator op or fails.
func (p *parser) expect(op string) error {
	if !p.isOp(op) {
		if p.tok.kind == tokEnd {
			return newError("S0203", p.tok.pos, "", op)
		}
		return newError("S0202", p.tok.pos, tokenText(p.tok), op)
	}
	return p.advance()
}

// tokenText renders a token for error messages.
func tokenText(t token) string {
	switch t.kind {
	case tokEnd:
		return "(end)"
	case tokNumber, tokRegex:
		return t.value
	}
	return t.value
}

func (p *parser) lbp() int {
	if p.tok.kind != tokOperator {
		return 0
	}
	return bindingPower[p.tok.value]
}

// expression parses an expression whose operators bind tighter than rbp.
func (p *parser) expression(rbp int) (*node, error) {
	t := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	left, err := p.nud(t)
	if err != nil {
		return nil, err
	}
	for rbp < p.lbp() {
		t = p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		if left, err = p.led(t, left); err != nil {
			return nil, err
		}
	}
	return left, nil
}

// nud parses a token in operand position.
func (p *parser) nud(t token) (*node, error) {
	switch t.kind {
	case tokEnd:
		return nil, newError("S0207", t.pos, "", Undefined)
	case tokNumber:
		return &node{kind: kNumber, pos: t.pos, num: t.num}, nil
	case tokString:
		return &node{kind: kString, pos: t.pos, str: t.value}, nil
	case tokValue:
		return &node{kind: kValue, pos: t.pos, val: t.lit}, nil
	case tokRegex:
		return &node{kind: kRegex, pos: t.pos, re: t.re}, nil
	case tokVariable:
		return &node{kind: kVariable, pos: t.pos, str: t.value}, nil
	case tokName:
		return &node{kind: kName, pos: t.pos, str: t.value}, nil
	}
	switch t.value {
	case "and", "or", "in":
		return &node{kind: kName, pos: t.pos, str: t.value}, nil
	case "-":
		e, err := p.expression(70)
		if err != nil {
			return nil, err
		}
		return &node{kind: kNegate, pos: t.pos, lhs: e}, nil
	case "*":
		return &node{kind: kWildcard, pos: t.pos}, nil
	case "**":
		return &node{kind: kDescendant, pos: t.pos}, nil
	case "%":
		return &node{kind: kParent, pos: t.pos}, nil
	case "?":
		return &node{kind: kPlaceholder, pos: t.pos}, nil
	case "(":
		n := &node{kind: kBlock, pos: t.pos}
		for !p.isOp(")") {
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, e)
			if !p.isOp(";") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		return n, p.expect(")")
	case "[":
		n := &node{kind: kArray, pos: t.pos}
		if !p.isOp("]") {
			for {
				item, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				if p.isOp("..") {
					pos := p.tok.pos
					if err := p.advance(); err != nil {
						return nil, err
					}
					rhs, err := p.expression(0)
					if err != nil {
						return nil, err
					}
					item = &node{kind: kBinary, op: "..", pos: pos, lhs: item, rhs: rhs}
				}
				n.items = append(n.items, item)
				if !p.isOp(",") {
					break
				}
				if err := p.advance(); err != nil {
					return nil, err
				}
			}
		}
		return n, p.expect("]")
	case "{":
		pairs, err := p.objectPairs()
		if err != nil {
			return nil, err
		}
		return &node{kind: kObject, pos: t.pos, pairs: pairs}, nil
	case "|":
		n := &node{kind: kTransform, pos: t.pos}
		var err error
		if n.pattern, err = p.expression(0); err != nil {
			return nil, err
		}
		if err := p.expect("|"); err != nil {
			return nil, err
		}
		if n.update, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.isOp(",") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if n.del, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		return n, p.expect("|")
	}
	return nil, newError("S0211", t.pos, t.value, Undefined)
}

// objectPairs parses the key: value pairs of an object constructor after its
// opening brace, and the closing brace.
func (p *parser) objectPairs() ([][2]*node, error) {
	var pairs [][2]*node
	if !p.isOp("}") {
		for {
			k, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, [2]*node{k, v})
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	return pairs, p.expect("}")
}

// led parses infix operator t whose left operand is left.
func (p *parser) led(t token, left *node) (*node, error) {
	switch t.value {
	case ".":
		rhs, err := p.expression(75)
		if err != nil {
			return nil, err
		}
		return &node{kind: rDot, pos: t.pos, lhs: left, rhs: rhs}, nil
	case "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in":
		rhs, err := p.expression(bindingPower[t.value])
		if err != nil {
			return nil, err
		}
		return &node{kind: kBinary, op: t.value, pos: t.pos, lhs: left, rhs: rhs}, nil
	case ":=":
		rhs, err := p.expression(bindingPower[":="] - 1)
		if err != nil {
			return nil, err
		}
		if left.kind != kVariable {
			return nil, newError("S0212", t.pos, t.value, Undefined)
		}
		return &node{kind: kBind, pos: t.pos, str: left.str, rhs: rhs}, nil
	case "~>":
		rhs, err := p.expression(40)
		if err != nil {
			return nil, err
		}
		return &node{kind: kApply, pos: t.pos, lhs: left, rhs: rhs}, nil
	case "?":
		n := &node{kind: kCondition, pos: t.pos, cond: left}
		var err error
		if n.then, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.isOp(":") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if n.els, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		return n, nil
	case "(":
		return p.call(t, left)
	case "[":
		if p.isOp("]") {
			step := left
			for step.kind == rPredicate {
				step = step.lhs
			}
			step.keepArray = true
			return left, p.advance()
		}
		rhs, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		return &node{kind: rPredicate, pos: t.pos, lhs: left, rhs: rhs}, p.expect("]")
	case "{":
		pairs, err := p.objectPairs()
		if err != nil {
			return nil, err
		}
		return &node{kind: rGroup, pos: t.pos, lhs: left, pairs: pairs}, nil
	case "^":
		if err := p.expect("("); err != nil {
			return nil, err
		}
		n := &node{kind: rOrderBy, pos: t.pos, lhs: left}
		for {
			desc := false
			if p.isOp("<") {
				if err := p.advance(); err != nil {
					return nil, err
				}
			} else if p.isOp(">") {
				desc = true
				if err := p.advance(); err != nil {
					return nil, err
				}
			}
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			n.terms = append(n.terms, sortTerm{expr: e, descending: desc})
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		return n, p.expect(")")
	case "@", "#":
		if p.tok.kind != tokVariable {
			return nil, newError("S0214", p.tok.pos, t.value, Undefined)
		}
		k := rFocus
		if t.value == "#" {
			k = rIndex
		}
		n := &node{kind: k, pos: t.pos, lhs: left, str: p.tok.value}
		return n, p.advance()
	}
	return nil, newError("S0201", t.pos, t.value, Undefined)
}

// call parses a function call, partial application or lambda definition
// after its opening parenthesis.
func (p *parser) call(t token, left *node) (*node, error) {
	n := &node{kind: kCall, pos: t.pos, lhs: left}
	if !p.isOp(")") {
		for {
			if p.isOp("?") {
				n.kind = kPartial
				n.items = append(n.items, &node{kind: kPlaceholder, pos: p.tok.pos})
				if err := p.advance(); err != nil {
					return nil, err
				}
			} else {
				arg, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, arg)
			}
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if left.kind != kName || (left.str != "function" && left.str != "λ") {
		return n, nil
	}
	// a lambda definition: function($a, $b)<signature>{ body }
	lam := &node{kind: kLambda, pos: t.pos}
	for i, a := range n.items {
		if a.kind != kVariable {
			// jsonata-js numbers the parameter (from 1) in the message
			return nil, newError("S0208", a.pos, describeParam(a), float64(i+1))
		}
		lam.params = append(lam.params, a.str)
	}
	if p.isOp("<") {
		src := p.lex.src
		start := p.tok.start
		depth, i := 0, start
		for ; i < len(src); i++ {
			if src[i] == '<' {
				depth++
			} else if src[i] == '>' {
				depth--
				if depth == 0 {
					break
				}
			} else if src[i] == '{' {
				break
			}
		}
		if depth != 0 {
			return nil, newError("S0401", i, "", Undefined)
		}
		sig, err := parseSignature(src[start : i+1])
		if err != nil {
			return nil, withPosition(err, i, "")
		}
		lam.sig = sig
		p.lex.pos = i + 1
		p.tok = token{kind: tokOperator, value: ">", start: i, pos: i + 1}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	body, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	lam.body = body
	return lam, p.expect("}")
}

func describeParam(n *node) string {
	switch n.kind {
	case kName:
		return n.str
	case kString:
		return n.str
	case kNumber:
		return formatNumber(n.num)
	}
	return "?"
}

// parse parses src into a raw tree.
func parse(src string) (*node, error) {
	p := &parser{lex: lexer{src: src}}
	t, err := p.lex.next(true)
	if err != nil {
		return nil, err
	}
	p.tok = t
	n, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEnd {
		return nil, newError("S0201", p.tok.pos, tokenText(p.tok), Undefined)
	}
	return n, nil
}
