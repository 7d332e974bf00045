package transform

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The limits of the Target and InputTransformer shapes (EventBridge API
// reference): Input and InputTemplate at most 8,192 characters, InputPath
// and every InputPathsMap value at most 256, InputPathsMap at most 100
// entries whose keys are 1-256 characters of [A-Za-z0-9_-].
const (
	MaxInput      = 8192
	MaxTemplate   = 8192
	MaxPath       = 256
	MaxPathsMap   = 100
	MaxPathMapKey = 256
)

// reservedPrefix starts the predefined variables' names: "These variables
// are reserved, and you can't create variables with these names" (Amazon
// EventBridge input transformation, "Predefined variables").
const reservedPrefix = "aws.events."

func checkInput(id, input string) error {
	if n := utf8.RuneCountInString(input); n > MaxInput {
		return constraint(input, "input", fmt.Sprintf("Member must have length less than or equal to %d", MaxInput))
	}
	return nil
}

// checkPathsMap checks InputPathsMap's size and keys.
func checkPathsMap(m map[string]string) error {
	if len(m) > MaxPathsMap {
		return errorf("1 validation error detected: Value at 'inputTransformer.inputPathsMap' failed to satisfy constraint: Member must have length less than or equal to %d", MaxPathsMap)
	}
	for k, v := range m {
		if strings.HasPrefix(strings.ToLower(k), reservedPrefix) {
			return errorf("InputTransformer's InputPathsMap may not use the reserved key %s.", k)
		}
		if k == "" || utf8.RuneCountInString(k) > MaxPathMapKey || !validKey(k) {
			return constraint(k, "inputTransformer.inputPathsMap", fmt.Sprintf("Map keys must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]", MaxPathMapKey))
		}
		if utf8.RuneCountInString(v) > MaxPath {
			return constraint(v, "inputTransformer.inputPathsMap", fmt.Sprintf("Map value must satisfy constraint: [Member must have length less than or equal to %d]", MaxPath))
		}
	}
	return nil
}

func validKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if !isKeyChar(k[i]) {
			return false
		}
	}
	return true
}

func isKeyChar(c byte) bool {
	return c == '_' || c == '-' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// constraint is AWS's message for a field that fails a constraint of the
// API's model.
func constraint(value, field, rule string) *Error {
	if len(value) > 64 {
		value = value[:64] + "..."
	}
	return errorf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, rule)
}
