package filter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Scope is a subscription's FilterPolicyScope: what its policy reads.
type Scope int

const (
	MessageAttributes Scope = iota // FilterPolicyScope "MessageAttributes" (the default)
	MessageBody                    // FilterPolicyScope "MessageBody"
)

func (s Scope) String() string {
	if s == MessageBody {
		return "MessageBody"
	}
	return "MessageAttributes"
}

// ParseScope maps the FilterPolicyScope attribute's value ("" →
// MessageAttributes); an unknown value is an *Error.
func ParseScope(s string) (Scope, error) {
	switch s {
	case "", "MessageAttributes":
		return MessageAttributes, nil
	case "MessageBody":
		return MessageBody, nil
	}
	return 0, &Error{Code: CodeInvalidParameter,
		Message: fmt.Sprintf("Invalid parameter: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", clip(s, 256))}
}

// Attribute is one SNS message attribute as Publish received it.
// DataType is String, String.Array, Number or Binary, optionally with a
// custom label after a dot ("Number.float", "String.uuid").
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// The limits AWS documents for a filter policy ("Filter policy
// constraints" in the SNS developer guide).
const (
	// MaxPolicyBytes is the largest FilterPolicy: 256 KB.
	MaxPolicyBytes = 256 * 1024
	// MaxKeys bounds the distinct keys (attribute names, or leaf paths
	// of a body policy) of a policy.
	MaxKeys = 5
	// MaxCombinations bounds a policy's total combination of values.
	MaxCombinations = 150
	// numLimit bounds every number of a policy: -1e9..1e9.
	numLimit = 1e9
	// maxPolicyDepth bounds the nesting of a policy's JSON while it is
	// parsed; a body policy this deep is refused as too complex long
	// before (every level multiplies the combinations).
	maxPolicyDepth = 1000
	// MaxBodyDepth bounds the nesting of a message body MatchBody reads
	// (Jackson's default, which AWS's parser applies): a deeper body
	// matches no body policy.
	MaxBodyDepth = 1000
)

// Error codes.
const (
	CodeInvalidParameter = "InvalidParameter"
)

// Error is a refused FilterPolicy or FilterPolicyScope, in AWS's words:
// Code is InvalidParameter (HTTP 400) and Message is what SNS answers to
// SetSubscriptionAttributes ("Invalid parameter: FilterPolicy: ...").
// Subscribe words the same errors "Invalid parameter: Attributes Reason:
// FilterPolicy: ..."; ForSubscribe rewrites a message that way.
//
// FilterPolicyLimitExceeded (too many policies on a topic or an account)
// is a count across subscriptions, not a property of one policy: Compile
// never returns it; the topic router does.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ForSubscribe returns the error as Subscribe words it.
func (e *Error) ForSubscribe() *Error {
	const p = "Invalid parameter: "
	if !strings.HasPrefix(e.Message, p) || strings.HasPrefix(e.Message, p+"Attributes Reason: ") {
		return e
	}
	return &Error{Code: e.Code, Message: p + "Attributes Reason: " + strings.TrimPrefix(e.Message, p)}
}

// policyError is an InvalidParameter about the FilterPolicy attribute.
func policyError(format string, a ...any) *Error {
	return &Error{Code: CodeInvalidParameter, Message: "Invalid parameter: FilterPolicy: " + fmt.Sprintf(format, a...)}
}

// clip shortens user text quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// Policy is a compiled filter policy: parsed and validated once, matched
// against every message published to the subscription's topic. A nil
// *Policy is "no policy": it matches every message. A Policy is
// immutable and safe for concurrent use.
type Policy struct {
	scope Scope
	// paths are the policy's distinct keys (at most MaxKeys): attribute
	// names, or dotted leaf paths of the body ("a.b.c").
	paths []string
	// branches are the policy in disjunctive form ($or expanded): the
	// policy matches when every field of one branch matches.
	branches []branch
}

// branch is one conjunction: at most one field per path.
type branch struct {
	fields []*field
	// byPath[p] is the index in fields of the field on paths[p], or -1.
	byPath []int8
}

// Scope is the scope the policy was compiled for.
func (p *Policy) Scope() Scope {
	if p == nil {
		return MessageAttributes
	}
	return p.scope
}

// Match reports whether a message is delivered: it reads the attributes
// or the body, as the policy's scope says.
func (p *Policy) Match(attrs map[string]Attribute, body string) bool {
	if p == nil {
		return true
	}
	if p.scope == MessageBody {
		return p.MatchBody(body)
	}
	return p.MatchAttributes(attrs)
}

// Compile parses and validates a FilterPolicy for scope, applying every
// limit and rule AWS documents; a refusal is an *Error with SNS's
// InvalidParameter message. An empty policy ("" or "{}", blanks
// allowed) is no policy: Compile returns nil, nil, and a nil *Policy
// matches every message (AWS: setting FilterPolicy to "" removes it, and
// "{}" lets every message through).
func Compile(policy string, scope Scope) (*Policy, error) {
	if scope != MessageAttributes && scope != MessageBody {
		return nil, &Error{Code: CodeInvalidParameter, Message: "Invalid parameter: FilterPolicyScope: unknown scope"}
	}
	if len(policy) > MaxPolicyBytes {
		return nil, policyError("Filter policy is too long")
	}
	if strings.TrimSpace(policy) == "" {
		return nil, nil
	}
	if !utf8.ValidString(policy) {
		return nil, policyError("failed to parse JSON. Invalid UTF-8")
	}
	root, err := parseJSON(policy, maxPolicyDepth)
	if err != nil {
		return nil, policyError("failed to parse JSON. %s", err.Error())
	}
	if root.kind != jObject {
		return nil, policyError("Filter is not an object")
	}
	if len(root.obj) == 0 {
		return nil, nil
	}
	c := compiler{scope: scope, pathIdx: map[string]int{}}
	branches, perr := c.object(root, "", 1, [][]*field{{}})
	if perr != nil {
		return nil, perr
	}
	if c.nested && scope == MessageAttributes {
		return nil, errNested()
	}
	if len(c.paths) > MaxKeys {
		return nil, policyError("Filter policy can not have more than %d keys", MaxKeys)
	}
	if combinations(branches) > MaxCombinations {
		return nil, policyError("Filter policy is too complex")
	}
	p := &Policy{scope: scope, paths: c.paths, branches: make([]branch, len(branches))}
	for i, fs := range branches {
		b := branch{fields: fs, byPath: make([]int8, len(c.paths))}
		for j := range b.byPath {
			b.byPath[j] = -1
		}
		for j, f := range fs {
			b.byPath[f.path] = int8(j)
		}
		p.branches[i] = b
	}
	return p, nil
}

// combinations is AWS's measure of a policy's complexity: over the
// branches of its disjunctive form ($or expanded), the sum of the product,
// over each branch's keys, of the key's number of values times the key's
// nesting depth (1 at the top; MessageAttributes policies are flat). The
// result saturates just above MaxCombinations.
//
// AWS's examples: {"key_a":[3 values],"key_b":[1],"key_c":[2]} is
// 3x1x2 = 6; key_c four values three levels down and key_e three values
// two levels down make 3x4 x 2x3 = 72; with $or, (source x metricName) +
// (source x metricType x metricId) + (source x metricType x spaceId).
func combinations(branches [][]*field) int {
	total := 0
	for _, fs := range branches {
		prod := 1
		for _, f := range fs {
			prod *= len(f.conds) * f.depth
			if prod > MaxCombinations {
				return MaxCombinations + 1
			}
		}
		total += prod
		if total > MaxCombinations {
			return MaxCombinations + 1
		}
	}
	return total
}
