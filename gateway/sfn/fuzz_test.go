package sfn

import (
	"strings"
	"testing"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// FuzzPageToken: a made-up token is refused with InvalidToken; every
// token encodeToken makes decodes to its cursor.
func FuzzPageToken(f *testing.F) {
	f.Add("executions", "cursor-1", encodeToken("executions", "cursor-1"))
	f.Add("history", "0", "djEAaGlzdG9yeQAw")
	f.Add("x", "y", strings.Repeat("A", 2000))
	f.Fuzz(func(t *testing.T, kind, cursor, token string) {
		if got, err := decodeToken(kind, token); err != nil {
			if toAWSError(err).Code != excInvalidToken {
				t.Fatalf("decodeToken(%q): %v", token, err)
			}
		} else if token != "" && got == "" {
			t.Fatalf("decodeToken(%q) accepted an empty cursor", token)
		}
		if cursor == "" || strings.Contains(kind, "\x00") || strings.Contains(cursor, "\x00") {
			return
		}
		tok := encodeToken(kind, cursor)
		if len(tok) > 1024 {
			return // refused as too long, by design
		}
		if got, err := decodeToken(kind, tok); err != nil || got != cursor {
			t.Fatalf("round trip of %q %q: %q %v", kind, cursor, got, err)
		}
	})
}

// FuzzAWSJSONRequest: any body decodes into an action's input or is a
// SerializationException; never a panic or another error.
func FuzzAWSJSONRequest(f *testing.F) {
	for _, s := range []string{
		`{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:m","name":"e","input":"{\"a\":\"\\ud83c\\udd97\"}"}`,
		`{"name":1}`, `[]`, `{"input":null}`, "\xff", `{"a":1} x`, `{"maxResults":1e400}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, in := range []any{&startExecutionInput{}, &createStateMachineInput{}, &testStateInput{}} {
			if err := awsproto.DecodeJSON(body, in); err != nil && toAWSError(err).Code != excSerialization {
				t.Fatalf("DecodeJSON(%q): %v", body, err)
			}
		}
	})
}
