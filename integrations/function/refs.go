package function

import (
	"errors"
	"net/http"
	"regexp"
)

// Lambda's names (API reference, CreateFunction, CreateAlias, Invoke): a
// function name is 1-64 of [a-zA-Z0-9-_]; a FunctionName (a name, a
// partial or a full ARN, with ":<qualifier>") is read by
// ParseFunctionRef (names.go); an alias name is 1-128 of [a-zA-Z0-9-_],
// not all digits; a version is digits.
const (
	maxFunctionName = 64
	latest          = "$LATEST"
	arnPrefix       = "arn:aws:lambda:"
)

var (
	nameRE      = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	qualifierRE = regexp.MustCompile(`^[a-zA-Z0-9$_-]{1,128}$`)
	aliasRE     = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
	versionRE   = regexp.MustCompile(`^[0-9]{1,10}$`)
)

// functionRef is a FunctionName taken apart (names.go's FunctionRef).
type functionRef = FunctionRef

// parseRef takes a FunctionName and a Qualifier apart with the package's
// one parser (ParseFunctionRef), its failures answered as the API's
// errors (ValidationException, InvalidParameterValueException).
func parseRef(s, qualifier string) (functionRef, error) {
	r, err := ParseFunctionRef(s, qualifier)
	var e *Error
	if errors.As(err, &e) {
		code, status := APICode(e)
		if code == "" {
			code, status = CodeValidation, http.StatusBadRequest
		}
		return r, &APIError{Code: code, Status: status, Message: e.Cause}
	}
	return r, err
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
