package sqs

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// FuzzQueryParams: any form decodes into every action's input, or is an
// InvalidParameterValue (or, converting a batch's entries, one of SQS's
// 4xx errors); never a panic or another error.
func FuzzQueryParams(f *testing.F) {
	for _, s := range []string{
		"SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Binary&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.BinaryValue=AAEC",
		"Attribute.1.Name=DelaySeconds&Attribute.1.Value=1&Attribute.3.Name=x",
		"Attribute.1.Value=orphan", "Tag.1.Key=k&Tag.1.Value=v&Tag.2.Value=nokey",
		"MessageAttribute.1.Name=a&MessageAttribute.1.Value.BinaryValue=%%%",
		"AttributeName.1=All&AttributeName.2=&MaxNumberOfMessages=99999999999999999999",
		"DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.2.ReceiptHandle=h",
		"ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=x", "DelaySeconds=-1", "",
	} {
		f.Add(s)
	}
	inputs := func() []any {
		return []any{&createQueueInput{}, &sendEntry{}, &sendMessageBatchInput{}, &receiveMessageInput{}, &handleEntry{},
			&deleteMessageBatchInput{}, &changeMessageVisibilityBatchInput{}, &tagQueueInput{}, &untagQueueInput{},
			&setQueueAttributesInput{}, &getQueueAttributesInput{}, &listQueuesInput{}, &startMessageMoveTaskInput{}}
	}
	f.Fuzz(func(t *testing.T, form string) {
		params, err := url.ParseQuery(form)
		if err != nil {
			return // awsproto.ParseQuery refuses it before decoding
		}
		for _, in := range inputs() {
			if err := awsproto.DecodeQuery(params, in); err != nil {
				if e := toSQSError(err); e.query != "InvalidParameterValue" {
					t.Fatalf("DecodeQuery(%q) into %T: %v", form, in, err)
				}
				continue
			}
			var entries []sendEntry
			switch v := in.(type) {
			case *sendEntry:
				entries = []sendEntry{*v}
			case *sendMessageBatchInput:
				entries = v.Entries
			}
			for _, e := range entries {
				if _, err := e.input(""); err != nil && toSQSError(err).status != http.StatusBadRequest {
					t.Fatalf("entry of %q: %v", form, err)
				}
			}
		}
	})
}

// FuzzQueueURL: any queue URL names a queue or is refused with one of
// SQS's errors; a name it gives is one path segment, and the URL this
// server makes of it names it again.
func FuzzQueueURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:8080/123456789012/orders", "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo",
		"https://us-east-1.queue.amazonaws.com/123456789012/q", "/123456789012/q/", "http://h/1/q", "http://h/123456789012",
		"http://[::1]:80/123456789012/%2F", "%", "http://h/123456789012/a b", "",
	} {
		f.Add(s)
	}
	s := testAPI()
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := s.parseQueueURL(raw)
		if err != nil {
			if e := toSQSError(err); e.status >= 500 || !e.modeled {
				t.Fatalf("parseQueueURL(%q): %v", raw, err)
			}
			return
		}
		if name == "" || strings.Contains(name, "/") {
			t.Fatalf("parseQueueURL(%q) = %q", raw, name)
		}
		if strings.ContainsAny(name, "?#%") {
			return // not a queue name the router accepts; no URL of ours names it
		}
		again, err := s.parseQueueURL(s.queueURL(&http.Request{Host: "h:1"}, name))
		if err != nil || again != name {
			t.Fatalf("round trip of %q (from %q): %q %v", name, raw, again, err)
		}
	})
}

// FuzzJSONRequest: any JSON body decodes into the inputs of SQS's JSON
// protocol, or is a SerializationException (and a batch's entries convert,
// or are one of SQS's 4xx errors); never a panic or another error.
func FuzzJSONRequest(f *testing.F) {
	for _, s := range []string{
		`{"QueueUrl":"http://h/123456789012/q","Entries":[{"Id":"a","MessageBody":"x","MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAEC"}}}]}`,
		`{"Entries":[{"MessageAttributes":{"b":{"BinaryValue":"not base64"}}}]}`, `{"Entries":{}}`, `{"MaxNumberOfMessages":1e99}`,
		`{"MessageSystemAttributeNames":["All"],"AttributeNames":"All"}`, `{"tags":{"a":1}}`, "\xff", `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		batch := &sendMessageBatchInput{}
		for _, in := range []any{&createQueueInput{}, batch, &receiveMessageInput{}, &changeMessageVisibilityBatchInput{}} {
			if err := awsproto.DecodeJSON(body, in); err != nil {
				if e := toSQSError(err); e.json != awsproto.Serialization {
					t.Fatalf("DecodeJSON(%q) into %T: %v", body, in, err)
				}
			}
		}
		for _, e := range batch.Entries {
			if _, err := e.input(""); err != nil && toSQSError(err).status != http.StatusBadRequest {
				t.Fatalf("entry of %q: %v", body, err)
			}
		}
	})
}
