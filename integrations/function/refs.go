package function

import (
	"regexp"
	"strings"
)

// Lambda's names (API reference, CreateFunction, CreateAlias, Invoke):
//
//   - a function name: 1-64 of [a-zA-Z0-9-_];
//   - a FunctionName: the name, a partial ARN (<account>:function:<name>)
//     or a full ARN (arn:aws:lambda:<region>:<account>:function:<name>),
//     each possibly with ":<qualifier>", at most 170 characters in all
//     (Invoke's own limit, the longest of the operations');
//   - a qualifier: $LATEST, a version ([0-9]+) or an alias, 1-128 of
//     [a-zA-Z0-9$_-];
//   - an alias name: 1-128 of [a-zA-Z0-9-_], not all digits.
const (
	maxFunctionName  = 64
	maxFunctionRef   = 170
	maxQualifier     = 128
	maxAliasName     = 128
	latest           = "$LATEST"
	arnPrefix        = "arn:aws:lambda:"
	functionSegment  = "function"
	maxVersionDigits = 10
)

var (
	nameRE      = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	qualifierRE = regexp.MustCompile(`^[a-zA-Z0-9$_-]{1,128}$`)
	aliasRE     = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
	versionRE   = regexp.MustCompile(`^[0-9]{1,10}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d{1}$`)
	accountRE   = regexp.MustCompile(`^\d{12}$`)
)

// functionRef is a FunctionName taken apart.
type functionRef struct {
	Name      string
	Qualifier string // "" when none was given
	// Region and Account are the ARN's, "" for a bare name (Account only
	// for a partial ARN).
	Region, Account string
}

// parseRef takes a FunctionName (a name, a partial or full ARN,
// each possibly with ":<qualifier>") and a Qualifier apart: the
// qualifier is the one in the name, or the one given, and both given
// must be the same. Errors are InvalidParameterValueException.
func parseRef(s, qualifier string) (functionRef, error) {
	var r functionRef
	if s == "" {
		return r, invalidParam("FunctionName is required.")
	}
	if len(s) > maxFunctionRef {
		return r, validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to %d", clip(s), maxFunctionRef)
	}
	parts := strings.Split(s, ":")
	var q string
	switch {
	case strings.HasPrefix(s, arnPrefix):
		// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
		if len(parts) < 7 || len(parts) > 8 || parts[5] != functionSegment {
			return r, badRef(s)
		}
		r.Region, r.Account, r.Name = parts[3], parts[4], parts[6]
		if len(parts) == 8 {
			q = parts[7]
			if q == "" {
				return r, badRef(s)
			}
		}
		if !regionRE.MatchString(r.Region) || !accountRE.MatchString(r.Account) {
			return r, badRef(s)
		}
	case len(parts) >= 3 && parts[1] == functionSegment:
		// <account>:function:<name>[:<qualifier>]
		if len(parts) > 4 || !accountRE.MatchString(parts[0]) {
			return r, badRef(s)
		}
		r.Account, r.Name = parts[0], parts[2]
		if len(parts) == 4 {
			if q = parts[3]; q == "" {
				return r, badRef(s)
			}
		}
	case len(parts) <= 2:
		r.Name = parts[0]
		if len(parts) == 2 {
			if q = parts[1]; q == "" {
				return r, badRef(s)
			}
		}
	default:
		return r, badRef(s)
	}
	if !nameRE.MatchString(r.Name) {
		return r, badRef(s)
	}
	if q != "" && !qualifierRE.MatchString(q) {
		return r, badRef(s)
	}
	if qualifier != "" {
		if !qualifierRE.MatchString(qualifier) {
			return r, validation("1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)", clip(qualifier))
		}
		if q != "" && q != qualifier {
			return r, invalidParam("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = qualifier
	}
	r.Qualifier = q
	return r, nil
}

func badRef(s string) error {
	return validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", clip(s))
}

// clip shortens what a message quotes of a caller's value.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// isVersion reports whether q names a published version (digits).
func isVersion(q string) bool { return versionRE.MatchString(q) }

// checkAliasName checks an alias's name as CreateAlias does.
func checkAliasName(name string) error {
	if !aliasRE.MatchString(name) || isVersion(name) {
		return validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", clip(name))
	}
	return nil
}
