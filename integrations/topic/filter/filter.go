// Package filter is SNS's subscription filter policies (being built on
// branch m10-filter; this placeholder refuses every policy).
package filter

import "errors"

type Scope int

const (
	MessageAttributes Scope = iota
	MessageBody
)

func ParseScope(s string) (Scope, error) {
	switch s {
	case "", "MessageAttributes":
		return MessageAttributes, nil
	case "MessageBody":
		return MessageBody, nil
	}
	return 0, errors.New("unknown scope")
}

type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

type Policy struct{}

type Error struct{ Code, Message string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func Compile(policy string, scope Scope) (*Policy, error) {
	return nil, &Error{Code: "InvalidParameter", Message: "Invalid parameter: FilterPolicy: not built yet"}
}

func (p *Policy) MatchAttributes(attrs map[string]Attribute) bool { return false }
func (p *Policy) MatchBody(body string) bool                      { return false }
