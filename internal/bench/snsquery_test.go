package bench

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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

// The publisher reads HTTP/1.1 itself: it keeps a connection for the next
// request, opens a new one after an answer with Connection: close, and
// refuses an answer it cannot frame (chunked) rather than misread it.
func TestTopicQueryPublisherConnections(t *testing.T) {
	const arn = "arn:aws:sns:us-east-1:123456789012:sbbench-t"
	var mu sync.Mutex
	var closeNext, chunked bool
	opened := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		message := r.PostFormValue("Message") // before any answer: net/http closes the body then
		mu.Lock()
		defer mu.Unlock()
		if closeNext {
			w.Header().Set("Connection", "close")
			closeNext = false
		}
		if chunked {
			w.(http.Flusher).Flush() // an answer of unknown length: chunked
		}
		_, _ = w.Write([]byte("<PublishResponse><PublishResult><MessageId>id-" + strconv.Itoa(len(message)) + "</MessageId></PublishResult></PublishResponse>"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			opened++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	p := newQueryPublisher(srv.URL, 1)
	conns := func() int {
		mu.Lock()
		defer mu.Unlock()
		return opened
	}
	for i := range 3 {
		require.NoError(t, p.publish(context.Background(), arn, i, i+1, true))
	}
	require.Equal(t, 1, conns(), "one connection kept for every request")
	mu.Lock()
	closeNext = true
	mu.Unlock()
	require.NoError(t, p.publish(context.Background(), arn, 3, 4, true))
	require.NoError(t, p.publish(context.Background(), arn, 4, 5, true))
	require.Equal(t, 2, conns(), "a new connection after Connection: close")
	mu.Lock()
	chunked = true
	mu.Unlock()
	require.ErrorContains(t, p.publish(context.Background(), arn, 5, 6, true), "Content-Length framed answers only")
}
