package queue

import (
	"strings"
	"testing"
)

// The parsers of user text: none panics, and what they accept they
// accept consistently. Run each briefly: go test -fuzz FuzzX -fuzztime 20s.

func FuzzRedrivePolicy(f *testing.F) {
	for _, s := range []string{redrive("dlq", 3), `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":"5"}`,
		`{}`, `[]`, `{"maxReceiveCount":1e3}`, `{"a":1}`, `{"deadLetterTargetArn":1}`, `null`, `{"maxReceiveCount":" 5"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseRedrivePolicy(s)
		if err == nil && (p.MaxReceive < 1 || p.MaxReceive > 1000 || p.Target == "") {
			t.Fatalf("accepted %q as %+v", s, p)
		}
		if err != nil && err.Code != "InvalidAttributeValue" {
			t.Fatalf("code %s", err.Code)
		}
		a, aerr := parseRedriveAllowPolicy(s)
		if aerr == nil && a.Permission != "allowAll" && a.Permission != "denyAll" && a.Permission != "byQueue" {
			t.Fatalf("accepted %q as %+v", s, a)
		}
	})
}

func FuzzReceiptHandle(f *testing.F) {
	f.Add("q", encodeReceipt("q", newUUID(), 7))
	f.Add("q", "garbage")
	f.Add("q", base64URL("1:q:x:1"))
	f.Add("q", "")
	f.Fuzz(func(t *testing.T, queue, h string) {
		id, token, ok := decodeReceipt(queue, h)
		if !ok {
			return
		}
		id2, token2, ok2 := decodeReceipt(queue, encodeReceipt(queue, id, token))
		if !ok2 || id2 != id || token2 != token || token <= 0 || strings.ContainsAny(id, "|\n") {
			t.Fatalf("%q: %q %d", h, id, token)
		}
	})
}

func FuzzQueueAttributes(f *testing.F) {
	for _, c := range [][2]string{{"DelaySeconds", "5"}, {"VisibilityTimeout", "-1"}, {"MaximumMessageSize", "99999999999999999999"},
		{"Policy", "{"}, {"RedriveAllowPolicy", `{"redrivePermission":"byQueue","sourceQueueArns":[]}`}, {"FifoQueue", "true"},
		{"DeduplicationScope", "messageGroup"}, {"Bogus", ""}} {
		f.Add(c[0], c[1], true)
	}
	f.Fuzz(func(t *testing.T, name, value string, fifo bool) {
		err := checkAttrs(map[string]string{name: value}, fifo, true)
		if err != nil && err.Code != "InvalidAttributeName" && err.Code != "InvalidAttributeValue" {
			t.Fatalf("%s=%q: code %s", name, value, err.Code)
		}
		if err == nil && !settable(name) {
			t.Fatalf("accepted unknown %q", name)
		}
	})
}

func FuzzMessageAttribute(f *testing.F) {
	f.Add("name", "Number.x", "1.5", []byte(nil))
	f.Add("a..b", "String", "", []byte(nil))
	f.Add("b", "Binary", "", []byte{0})
	f.Fuzz(func(t *testing.T, name, dataType, value string, bin []byte) {
		a := MessageAttribute{DataType: dataType, StringValue: value, BinaryValue: bin}
		if checkAttrName(name) == nil && checkAttribute(name, a, "user") == nil {
			if md5OfAttributes(map[string]MessageAttribute{name: a}) == "" {
				t.Fatal("no digest")
			}
		}
		_ = checkNumber(value)
		_, _, _ = parseTaskHandle(value)
		_, _ = decodeToken(value)
	})
}
