package sns

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// FuzzQueryParams: any form decodes into every action's input and runs
// through its action over a router that accepts everything: the answer is
// a result or one of SNS's 4xx errors (the wire's validation), never a
// panic, a 5xx or an error of another kind.
func FuzzQueryParams(f *testing.F) {
	for _, s := range []string{
		"TopicArn=t&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=m&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=n&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType=Binary&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.BinaryValue=AAEC",
		"TopicArn=t&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.2.Id=a",
		"Name=n&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x&Attributes.entry.3.key=y",
		"Attributes.entry.1.value=orphan", "ResourceArn=r&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Value=nokey",
		"TopicArn=t&Message=m&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.BinaryValue=%25%25%25",
		"TopicArn=t&Token=x&AuthenticateOnUnsubscribe=TRUE", "TopicArn=t&Protocol=sqs&ReturnSubscriptionArn=2",
		"ResourceArn=r&TagKeys.member.1=a&TagKeys.member.3=c", "TargetArn=t&Message=", "PhoneNumber=1&Message=m", "",
	} {
		f.Add(s)
	}
	topics := &fakeTopics{}
	s := New(Options{Topics: topics})
	ctx := context.WithValue(context.Background(), requestKey{}, &caller{r: &http.Request{Header: http.Header{}}, authenticated: true})
	f.Fuzz(func(t *testing.T, form string) {
		params, err := url.ParseQuery(form)
		if err != nil {
			return // awsproto.ParseQuery refuses it before decoding
		}
		for name, a := range actions {
			if _, no := unsupportedActions[name]; no {
				continue
			}
			p := url.Values{}
			for k, v := range params {
				p[k] = append([]string(nil), v...)
			}
			if _, err := a(s, ctx, p); err != nil {
				if e := toSNSError(err); e.status != http.StatusBadRequest && e.status != http.StatusForbidden {
					t.Fatalf("%s(%q): %v", name, form, err)
				}
			}
		}
	})
}
