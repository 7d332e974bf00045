package function

import (
	"fmt"
	"strings"
)

// Limits of a FunctionName and a Qualifier, as Lambda's Invoke documents
// them: a name alone is at most 64 characters, a whole FunctionName (an
// ARN with its qualifier) at most 170; a qualifier at most 128.
const (
	MaxNameLength         = 64
	MaxFunctionNameLength = 170
	MaxQualifierLength    = 128
	// LatestVersion is the unpublished version of a function.
	LatestVersion = "$LATEST"
)

// FunctionRef is what a FunctionName and a Qualifier name: a function,
// maybe in a region and account (when an ARN names them), maybe with a
// version or alias.
type FunctionRef struct {
	Partition string // "" unless a full ARN gave it, e.g. "aws"
	Region    string // "" unless a full ARN gave it
	Account   string // "" unless a (partial) ARN gave it
	Name      string
	Qualifier string // "" for none: $LATEST, or what the caller defaults to
}

// ParseFunctionName reads a FunctionName as Lambda's API takes it (a name,
// "name:qualifier", a partial ARN "<account>:function:<name>[:qualifier]"
// or a full ARN "arn:<partition>:lambda:<region>:<account>:function:
// <name>[:qualifier]") and a Qualifier (""), and returns the function's
// name and the qualifier the two give. A qualifier both in the name and
// in qualifier must be the same. A malformed name is an *Error named
// Lambda.ValidationException; conflicting qualifiers, one named
// Lambda.InvalidParameterValueException (with Lambda's messages).
//
// This is the one parser of function names: the Task integrations, the
// StaticResolver and the Lambda API's management plane all use it.
func ParseFunctionName(name, qualifier string) (fn, qual string, err error) {
	ref, err := ParseFunctionRef(name, qualifier)
	if err != nil {
		return "", "", err
	}
	return ref.Name, ref.Qualifier, nil
}

// ParseFunctionRef is ParseFunctionName with the region, account and
// partition an ARN names.
func ParseFunctionRef(name, qualifier string) (FunctionRef, error) {
	var ref FunctionRef
	if name == "" {
		return ref, validationError("functionName", name, "Member must have length greater than or equal to 1")
	}
	if len(name) > MaxFunctionNameLength {
		return ref, validationError("functionName", name, fmt.Sprintf("Member must have length less than or equal to %d", MaxFunctionNameLength))
	}
	if len(qualifier) > MaxQualifierLength {
		return ref, validationError("qualifier", qualifier, fmt.Sprintf("Member must have length less than or equal to %d", MaxQualifierLength))
	}
	if qualifier != "" && !validQualifier(qualifier) {
		return ref, validationError("qualifier", qualifier, "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
	}
	parts := strings.Split(name, ":")
	var rest []string // name [qualifier]
	switch {
	case parts[0] == "arn":
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" ||
			!validPartition(parts[1]) || !validRegion(parts[3]) || !validAccount(parts[4]) {
			return ref, badName(name)
		}
		ref.Partition, ref.Region, ref.Account = parts[1], parts[3], parts[4]
		rest = parts[6:]
	case len(parts) >= 3 && parts[1] == "function":
		if len(parts) > 4 || !validAccount(parts[0]) {
			return ref, badName(name)
		}
		ref.Account = parts[0]
		rest = parts[2:]
	case len(parts) <= 2:
		rest = parts
	default:
		return ref, badName(name)
	}
	ref.Name = rest[0]
	if ref.Name == "" || len(ref.Name) > MaxNameLength || !validName(ref.Name) {
		return ref, badName(name)
	}
	if len(rest) == 2 {
		q := rest[1]
		if q == "" || len(q) > MaxQualifierLength || !validQualifier(q) || (strings.Contains(q, "$") && q != LatestVersion) {
			return ref, badName(name)
		}
		if qualifier != "" && qualifier != q {
			return ref, &Error{Name: "Lambda.InvalidParameterValueException", Cause: "The derived qualifier from the function name does not match the specified qualifier."}
		}
		ref.Qualifier = q
	} else {
		ref.Qualifier = qualifier
	}
	return ref, nil
}

// String is the ref as a FunctionName: an ARN when it has a region and
// account, else the name; with ":<qualifier>" when it has one.
func (r FunctionRef) String() string {
	s := r.Name
	switch {
	case r.Region != "" && r.Account != "":
		s = FunctionARN(cmpOr(r.Partition, "aws"), r.Region, r.Account, r.Name)
	case r.Account != "":
		s = r.Account + ":function:" + r.Name
	}
	if r.Qualifier != "" {
		s += ":" + r.Qualifier
	}
	return s
}

// FunctionARN is a function's unqualified ARN.
func FunctionARN(partition, region, account, name string) string {
	return "arn:" + partition + ":lambda:" + region + ":" + account + ":function:" + name
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func badName(name string) *Error {
	return validationError("functionName", name,
		`Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`)
}

// validationError is Lambda's answer to a field its model refuses.
func validationError(field, value, constraint string) *Error {
	if len(value) > 256 {
		value = value[:256] + "..."
	}
	return &Error{Name: "Lambda.ValidationException", Cause: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)}
}

// validName: [a-zA-Z0-9-_.]+ (Invoke's pattern; CreateFunction's has no
// dot, which the management plane checks).
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// validQualifier: [a-zA-Z0-9$_-]+.
func validQualifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '$' {
			return false
		}
	}
	return s != ""
}

// validPartition: aws[a-zA-Z-]*.
func validPartition(s string) bool {
	if !strings.HasPrefix(s, "aws") {
		return false
	}
	for i := 3; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

// validRegion: [a-z]{2}(-gov)?-[a-z]+-\d{1}.
func validRegion(s string) bool {
	p := strings.Split(s, "-")
	if len(p) == 4 && p[1] == "gov" {
		p = []string{p[0], p[2], p[3]}
	}
	if len(p) != 3 || len(p[0]) != 2 || !lower(p[0]) || p[1] == "" || !lower(p[1]) || len(p[2]) != 1 || p[2][0] < '0' || p[2][0] > '9' {
		return false
	}
	return true
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func lower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
