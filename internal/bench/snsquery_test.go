package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// queryPublisher sends SNS's query protocol and takes a publish as done
// only when the answer says so: a 200 with a MessageId, each entry of a
// batch among the Successful with one. Each answer below is one a server
// could give; all but the good ones are refused.
func TestTopicQueryPublisherChecksAnswers(t *testing.T) {
	const arn = "arn:aws:sns:us-east-1:123456789012:sbbench-t"
	var mu sync.Mutex // the handler's goroutine and the test's
	var status int
	var answer string
	var forms []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // an unparsed form is an empty one: the comparisons below fail
		mu.Lock()
		defer mu.Unlock()
		forms = append(forms, r.PostForm)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(answer))
	}))
	defer srv.Close()
	p := newQueryPublisher(srv.URL, 1)
	publish := func(st int, ans string, lo, hi int, single bool) error {
		mu.Lock()
		status, answer = st, ans
		mu.Unlock()
		return p.publish(context.Background(), arn, lo, hi, single)
	}
	lastForm := func() url.Values {
		mu.Lock()
		defer mu.Unlock()
		return forms[len(forms)-1]
	}

	// goaws's answer, indented
	require.NoError(t, publish(200, "<PublishResponse>\n  <PublishResult>\n    <MessageId>5b2e</MessageId>\n  </PublishResult>\n</PublishResponse>", 7, 8, true))
	require.Equal(t, url.Values{"Action": {"Publish"}, "Version": {"2010-03-31"}, "TopicArn": {arn}, "Message": {benchTopicBody(7)}}, lastForm())
	require.ErrorContains(t, publish(200, "<PublishResponse><PublishResult><MessageId></MessageId></PublishResult></PublishResponse>", 7, 8, true), "Publish: an answer without a MessageId")
	require.ErrorContains(t, publish(200, "", 7, 8, true), "without a MessageId")
	require.EqualError(t, publish(404, `<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>`, 7, 8, true),
		"Publish: status 404, NotFound: Topic does not exist")
	require.EqualError(t, publish(500, "oops", 7, 8, true), "Publish: status 500, no AWS error code: ")

	ok := func(ids ...string) string {
		s := `<PublishBatchResponse><PublishBatchResult><Successful>`
		for _, id := range ids {
			s += `<member><Id>` + id + `</Id><MessageId>x-` + id + `</MessageId></member>`
		}
		return s + `</Successful><Failed></Failed></PublishBatchResult></PublishBatchResponse>`
	}
	require.NoError(t, publish(200, ok("m4", "m3"), 3, 5, false))
	require.Equal(t, url.Values{"Action": {"PublishBatch"}, "Version": {"2010-03-31"}, "TopicArn": {arn},
		"PublishBatchRequestEntries.member.1.Id": {"m3"}, "PublishBatchRequestEntries.member.1.Message": {benchTopicBody(3)},
		"PublishBatchRequestEntries.member.2.Id": {"m4"}, "PublishBatchRequestEntries.member.2.Message": {benchTopicBody(4)}}, lastForm())
	require.ErrorContains(t, publish(200, ok("m3"), 3, 5, false), "PublishBatch: 1 of 2 entries in Successful")
	require.ErrorContains(t, publish(200, ok("m3", "m3"), 3, 5, false), "not sent, twice")
	require.ErrorContains(t, publish(200, ok("m3", "m5"), 3, 5, false), "not sent")
	require.ErrorContains(t, publish(200, ok("m3", ""), 3, 5, false), "not sent")
	require.ErrorContains(t, publish(200, `<Successful><member><Id>m3</Id><MessageId>a</MessageId></member><member><Id>m4</Id></member></Successful>`, 3, 5, false), "without a MessageId")
	require.EqualError(t, publish(200, `<Successful><member><Id>m3</Id><MessageId>a</MessageId></member></Successful>`+
		`<Failed><member><Id>m4</Id><Code>InternalError</Code><Message>no</Message><SenderFault>false</SenderFault></member></Failed>`, 3, 5, false),
		"PublishBatch: entry m4 failed: InternalError: no")
}
