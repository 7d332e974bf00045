package filter

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// field is one key of a branch: the conditions a path's values must meet
// (any one of them).
type field struct {
	path  int // index in Policy.paths
	depth int // nesting level of the key: 1 at the top
	conds []cond
	// exists true / false among conds, kept apart: they test the path,
	// not one value.
	existsTrue, existsFalse bool
}

// compiler turns a parsed policy into branches, validating it as AWS
// does, in document order.
type compiler struct {
	scope   Scope
	paths   []string
	pathIdx map[string]int
	nested  bool // an object value was met: a nested policy
}

// reserved are the names AWS's rule compiler reserves (match types,
// numeric operators, names kept for later): an "$or" whose objects use
// one as a key is no $or (AWS: it is "treated as a regular attribute
// name").
var reserved = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true,
	"anything-but": true, "exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true,
	"in-date-range": true, "ip-address-in-range": true, "ip-address-not-in-range": true,
}

// isOr reports whether an "$or" member's value makes it an OR operator:
// an array of at least two objects, none with a match type as a key.
func isOr(v *jnode) bool {
	if v.kind != jArray || len(v.arr) < 2 {
		return false
	}
	for _, o := range v.arr {
		if o.kind != jObject {
			return false
		}
		for _, m := range o.obj {
			if reserved[m.key] {
				return false
			}
		}
	}
	return true
}

// maxBranches bounds the branches while $or expands: every branch counts
// at least 1 towards the combinations, so more than MaxCombinations of
// them is too complex already.
const maxBranches = MaxCombinations

// object compiles an object's members onto the branches in (each a
// conjunction of fields), returning the branches that result: an $or
// forks every branch once per alternative, as AWS's rule compiler does.
// A later field on a path replaces an earlier one in a branch.
func (c *compiler) object(n *jnode, prefix string, depth int, in [][]*field) ([][]*field, *Error) {
	if len(n.obj) == 0 {
		return nil, policyError("Empty objects are not allowed")
	}
	for _, m := range n.obj {
		if m.key == "$or" && isOr(m.val) {
			var out [][]*field
			for _, alt := range m.val.arr {
				bs, err := c.object(alt, prefix, depth, copyBranches(in))
				if err != nil {
					return nil, err
				}
				out = append(out, bs...)
				if len(out) > maxBranches {
					return nil, policyError("Filter policy is too complex")
				}
			}
			in = out
			continue
		}
		path := m.key
		if prefix != "" || depth > 1 {
			path = prefix + "." + m.key
		}
		switch m.val.kind {
		case jObject:
			// refused in MessageAttributes scope once the whole policy
			// parsed: AWS reports the parser's errors first
			c.nested = true
			var err *Error
			if in, err = c.object(m.val, path, depth+1, in); err != nil {
				return nil, err
			}
		case jArray:
			f, err := c.field(path, depth, m.val.arr)
			if err != nil {
				return nil, err
			}
			if len(c.paths) > MaxKeys {
				continue // refused once parsed; keep the branches small
			}
			for i, b := range in {
				in[i] = put(b, f)
			}
		default:
			return nil, policyError("\"%s\" must be an object or an array", clip(m.key, 128))
		}
	}
	return in, nil
}

func errNested() *Error {
	return &Error{Code: CodeInvalidParameter, Message: "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"}
}

func copyBranches(bs [][]*field) [][]*field {
	out := make([][]*field, len(bs))
	for i, b := range bs {
		out[i] = append([]*field(nil), b...)
	}
	return out
}

// put sets f in a branch, replacing a field on the same path.
func put(b []*field, f *field) []*field {
	for i, g := range b {
		if g.path == f.path {
			b[i] = f
			return b
		}
	}
	return append(b, f)
}

// field compiles a key's array of values.
func (c *compiler) field(path string, depth int, vals []*jnode) (*field, *Error) {
	f := &field{depth: depth}
	for _, v := range vals {
		switch v.kind {
		case jObject:
			cd, err := matchExpression(v)
			if err != nil {
				return nil, err
			}
			if e, ok := cd.(condExists); ok {
				if e {
					f.existsTrue = true
				} else {
					f.existsFalse = true
				}
			}
			f.conds = append(f.conds, cd)
		case jString:
			f.conds = append(f.conds, condExact(v.s))
		case jNumber:
			k, err := policyNumber(v.s)
			if err != nil {
				return nil, err
			}
			f.conds = append(f.conds, condNumEq(k))
		case jBool:
			f.conds = append(f.conds, condBool(v.b))
		case jNull:
			f.conds = append(f.conds, condNull{})
		default:
			return nil, policyError("Match value must be String, number, true, false, or null")
		}
	}
	if len(f.conds) == 0 {
		return nil, policyError("Empty arrays are not allowed")
	}
	i, ok := c.pathIdx[path]
	if !ok {
		i = len(c.paths)
		c.pathIdx[path] = i
		c.paths = append(c.paths, path)
	}
	f.path = i
	return f, nil
}

// matchExpression compiles one {"operator": ...} value.
func matchExpression(n *jnode) (cond, *Error) {
	if len(n.obj) == 0 {
		return nil, policyError("Match expression name not found")
	}
	name, v := n.obj[0].key, n.obj[0].val
	extra := len(n.obj) > 1
	onlyOne := func(c cond) (cond, *Error) {
		if extra {
			return nil, policyError("Only one key allowed in match expression")
		}
		return c, nil
	}
	switch name {
	case "prefix", "suffix", "equals-ignore-case":
		if v.kind != jString {
			return nil, policyError("%s match pattern must be a string", name)
		}
		switch name {
		case "prefix":
			return onlyOne(condPrefix(v.s))
		case "suffix":
			return onlyOne(condSuffix(v.s))
		}
		return onlyOne(condIgnoreCase(v.s))
	case "exists":
		if v.kind != jBool {
			return nil, policyError("exists match pattern must be either true or false.")
		}
		return onlyOne(condExists(v.b))
	case "cidr":
		if v.kind != jString {
			// sic: AWS answers with the prefix operator's words
			return nil, policyError("prefix match pattern must be a string")
		}
		pfx, err := parseCIDR(v.s)
		if err != nil {
			return nil, err
		}
		return onlyOne(condCIDR{pfx})
	case "numeric":
		if v.kind != jArray {
			return nil, policyError("Value of numeric must be an array.")
		}
		r, err := numericRange(v.arr)
		if err != nil {
			return nil, err
		}
		if extra {
			return nil, policyError("Too many elements in numeric expression")
		}
		return r, nil
	case "anything-but":
		c, err := anythingBut(v)
		if err != nil {
			return nil, err
		}
		if extra {
			// sic: AWS's rule compiler reuses the numeric words here
			return nil, policyError("Too many elements in numeric expression")
		}
		return c, nil
	}
	return nil, policyError("Unrecognized match type %s", clip(name, 128))
}

func anythingBut(v *jnode) (cond, *Error) {
	switch v.kind {
	case jObject:
		if len(v.obj) == 0 {
			return nil, policyError("Anything-But expression name not found")
		}
		op, val := v.obj[0].key, v.obj[0].val
		if op != "prefix" && op != "suffix" {
			return nil, policyError("Unsupported anything-but pattern: %s", clip(op, 128))
		}
		if val.kind != jString {
			return nil, policyError("%s match pattern must be a string", op)
		}
		if val.s == "" {
			return nil, policyError("Null prefix/suffix not allowed")
		}
		if len(v.obj) > 1 {
			return nil, policyError("Only one key allowed in match expression")
		}
		if op == "prefix" {
			return condNotPrefix(val.s), nil
		}
		return condNotSuffix(val.s), nil
	case jString:
		return condNotStrings{v.s: true}, nil
	case jNumber:
		k, err := policyNumber(v.s)
		if err != nil {
			return nil, err
		}
		return condNotNumbers{k: true}, nil
	case jArray:
		strs, nums := condNotStrings{}, condNotNumbers{}
		for _, e := range v.arr {
			switch e.kind {
			case jString:
				strs[e.s] = true
			case jNumber:
				k, err := policyNumber(e.s)
				if err != nil {
					return nil, err
				}
				nums[k] = true
			default:
				return nil, policyError("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		switch {
		case len(strs) > 0 && len(nums) == 0:
			return strs, nil
		case len(nums) > 0 && len(strs) == 0:
			return nums, nil
		}
		return nil, policyError("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	return nil, policyError("Value of anything-but must be an array or single string/number value.")
}

// numericRange compiles {"numeric": [op, n]} and [">"|">=", n, "<"|"<=", m],
// refusing a malformed one in the words of AWS's rule compiler.
func numericRange(a []*jnode) (cond, *Error) {
	if len(a) == 0 {
		return nil, policyError("Invalid member in numeric match: ]")
	}
	if a[0].kind != jString {
		return nil, policyError("Invalid member in numeric match: %s", a[0].text())
	}
	op := a[0].s
	valueOf := func(i int, name string) (int64, *Error) {
		if i >= len(a) || a[i].kind != jNumber {
			return 0, policyError("Value of %s must be numeric", name)
		}
		return policyNumber(a[i].s)
	}
	switch op {
	case "=":
		if len(a) < 2 || a[1].kind != jNumber {
			return nil, policyError("Value of equals must be numeric")
		}
		if len(a) > 2 {
			return nil, policyError("Too many elements in numeric expression")
		}
		k, err := policyNumber(a[1].s)
		if err != nil {
			return nil, err
		}
		return condNumEq(k), nil
	case "<", "<=":
		if len(a) < 2 || a[1].kind != jNumber {
			return nil, policyError("Value of %s must be numeric", op)
		}
		if len(a) > 2 {
			return nil, policyError("Too many elements in numeric expression")
		}
		k, err := policyNumber(a[1].s)
		if err != nil {
			return nil, err
		}
		return condRange{hasHi: true, hi: k, hiOpen: op == "<"}, nil
	case ">", ">=":
		lo, err := valueOf(1, op)
		if err != nil {
			return nil, err
		}
		r := condRange{hasLo: true, lo: lo, loOpen: op == ">"}
		if len(a) == 2 {
			return r, nil
		}
		if a[2].kind != jString {
			return nil, policyError("Bad value in numeric range: %s", a[2].text())
		}
		op2 := a[2].s
		if op2 != "<" && op2 != "<=" {
			return nil, policyError("Bad numeric range operator: %s", clip(op2, 128))
		}
		if len(a) < 4 || a[3].kind != jNumber {
			return nil, policyError("Value of %s must be numeric", op2)
		}
		if len(a) > 4 {
			return nil, policyError("Too many terms in numeric range expression")
		}
		hi, err := policyNumber(a[3].s)
		if err != nil {
			return nil, err
		}
		if lo >= hi {
			return nil, policyError("Bottom must be less than top")
		}
		r.hasHi, r.hi, r.hiOpen = true, hi, op2 == "<"
		return r, nil
	}
	return nil, policyError("Unrecognized numeric range operator: %s", clip(op, 128))
}

// policyNumber is a policy's number as a comparable key, refused outside
// AWS's range (AWS answers an out-of-range plain value with an internal
// error; Signalbox refuses it with the operators' message).
func policyNumber(lit string) (int64, *Error) {
	k, ok := numberKey(lit)
	if !ok {
		return 0, policyError("Value must be between -1.0E9 and 1.0E9, inclusive")
	}
	return k, nil
}

// numberKey turns a number into a comparable fixed-point key: the value
// plus 1e9, times 1e6, as AWS's matcher does (it promises five digits
// after the point; six are kept). AWS's matcher truncates; numberKey
// rounds, so that values six digits apart never meet through a binary
// rounding error. ok is false for a value outside -1e9..1e9 or not a
// number.
func numberKey(lit string) (int64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(lit), 64)
	if err != nil || math.IsNaN(f) || f < -numLimit || f > numLimit {
		return 0, false
	}
	return int64(math.Round((f + numLimit) * 1e6)), true
}

// parseCIDR parses a cidr operator's network, refusing it in the words
// of AWS's rule compiler.
func parseCIDR(s string) (netip.Prefix, *Error) {
	ip, bits, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(bits, "/") {
		return netip.Prefix{}, policyError("Malformed CIDR, one '/' required")
	}
	n, err := strconv.Atoi(bits)
	if err != nil {
		return netip.Prefix{}, policyError("Malformed CIDR, mask bits must be an integer")
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil || addr.Zone() != "" {
		return netip.Prefix{}, policyError("Nonstandard IP address: %s", clip(ip, 128))
	}
	if n < 0 || n > addr.BitLen() {
		return netip.Prefix{}, policyError("Malformed CIDR, mask bits must be between 0 and %d", addr.BitLen())
	}
	return netip.PrefixFrom(addr, n).Masked(), nil
}
