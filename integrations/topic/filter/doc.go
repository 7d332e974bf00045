// Package filter is Amazon SNS's subscription filter policies: Compile
// parses and validates a FilterPolicy for its FilterPolicyScope once
// (Subscribe, SetSubscriptionAttributes), and the compiled Policy
// decides, for every message published to the topic, whether the
// subscription receives it. The package is pure: standard library only,
// no I/O.
//
// The reference is the SNS developer guide ("Amazon SNS subscription
// filter policies" and its pages on AND/OR logic, key matching, numeric
// and string value matching, filter policy scope and constraints); where
// the guide is silent, the behaviour of AWS's matcher (SNS uses AWS's
// Event Ruler: its rule compiler's error messages are SNS's) and
// requests recorded against AWS by public SNS emulators.
//
// # Supported
//
// A policy is a JSON object whose keys name message attributes
// (MessageAttributes scope, the default) or properties of a JSON message
// body (MessageBody scope), each with an array of match values; the
// message must match every key (AND), each key by any one of its values
// (OR). The values:
//
//   - "string": exact, case-sensitive match of a string value;
//   - 5, -1.5e3: numeric equality with a number value (301.5 matches 3.015e2);
//   - true, false, null: a body's (or a String.Array's) boolean or null;
//   - {"prefix": "x"}, {"suffix": "x"}: a string value's start or end;
//   - {"equals-ignore-case": "x"}: a string value, case folded;
//   - {"numeric": ["=", 5]}, {"numeric": ["<", 0]}, {"numeric": [">", 0, "<=", 150]}:
//     a number value, exact or in a range (operators =, <, <=, >, >=; a range is
//     a lower bound > or >= then an upper bound < or <=);
//   - {"anything-but": "x" | 5 | ["x", "y"] | [1, 2] | {"prefix": "x"} | {"suffix": "x"}}:
//     any value (but null) other than those named;
//   - {"exists": true | false}: whether the key holds a non-null, non-empty value;
//   - {"cidr": "10.0.0.0/24"}: a string value that is an IP address in the network;
//   - "$or": [{...}, {...}]: OR across keys, nested at will, in either scope.
//
// Numbers in a policy lie within -1e9..1e9; they compare to six digits
// after the decimal point (AWS promises five).
//
// MessageAttributes scope: a String attribute is a string, a Number
// attribute a number (it never matches a string value), a String.Array
// attribute each of its elements (a key matches when any element does,
// anything-but included: ["rugby","baseball"] is anything but "rugby";
// the guide's Number.Array example is read the same way), and a Binary
// attribute is ignored. A message without attributes
// matches no policy (AWS: "exists": false "only matches if at least one
// attribute is present"). A nested policy is refused in this scope.
//
// MessageBody scope: keys nest ({"a":{"b":["x"]}}); "a.b" is the same key
// as a nested under b, in the policy and in the body, as at AWS. A body
// array gives its key several values (any may match; arrays of arrays
// too); the values one branch of the policy reads under one array of
// objects must come from the same element. A body that is not a JSON
// object never matches. "exists" applies to leaves only.
//
// # Limits (errors at Compile, never at match time)
//
//   - at most 256 KB of policy (MaxPolicyBytes), valid UTF-8 JSON;
//   - at most five keys (MaxKeys): attribute names, or leaf paths of a
//     body policy ("only leaf keys are counted");
//   - at most 150 combinations (MaxCombinations), counted as AWS
//     documents: per branch of the $or expansion, the product over its
//     keys of the key's number of values times its nesting depth; the
//     branches' products add up;
//   - every rule of AWS's rule compiler: arrays not empty, values scalars
//     or one-key match expressions, operators known, "exists" a boolean,
//     numeric expressions well formed and ordered, anything-but lists of
//     one type, and so on, each refused in AWS's words.
//
// An empty policy ("" or "{}") is no policy: Compile returns nil and a
// nil *Policy matches every message. FilterPolicyLimitExceeded (200
// policies per topic, 10,000 per account) counts subscriptions: the
// topic router applies it, not Compile.
//
// Matching reads a body once, with a validating lexer held to
// encoding/json by a fuzz test: linear in the body's size, memory in its
// nesting (at most MaxBodyDepth), no allocation for plain strings.
//
// # Not supported, or different
//
//   - AWS appends the parser's position to some messages ("\n at
//     [Source: ...; line: 1, column: 22]"); these messages stop before it.
//   - A plain number outside -1e9..1e9 makes AWS answer InternalError;
//     Compile refuses it as InvalidParameter, like the operators do.
//   - Operators AWS's SNS does not document are refused: "wildcard" and
//     "exactly" as unrecognized match types, anything-but with
//     "equals-ignore-case" or "exists" as unsupported anything-but patterns.
//   - anything-but with "suffix" is accepted (AWS answered "Unsupported
//     anything-but pattern: suffix" in May 2024; newer Event Ruler has it).
//   - {"exists": false} in a body is decided over the whole body, not per
//     element of an array of objects.
//   - Not recorded against AWS, so chosen here: the words for a policy over
//     256 KB ("Filter policy is too long"); "exists" ignoring null and ""
//     (the guide: "a non-null and non-empty value"); anything-but never
//     matching null; numbers rounded at the sixth decimal (AWS's matcher
//     truncates).
package filter
