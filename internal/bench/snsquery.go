package bench

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// queryPublisher is `bench topic --client http`'s publisher: SNS's query
// protocol spoken with net/http directly, the same for signalbox and goaws
// (which speaks it natively). The AWS SDK for Go v2's Publish costs its
// caller ~150 µs of CPU per call, more than either server's own cost (goaws
// 94 µs): on a loopback micro-benchmark against a trivial server, the SDK's
// Publish took 99 µs/op at 2 parallel and a bare net/http POST of the same
// form 44 µs/op. So the SDK bounds the bench's figure, not the server
// (--client sdk keeps it, to see by how much).
//
// Each request's form is appended once into one buffer (no url.Values, no
// sorting), unsigned (neither server checks a signature in the bench),
// over a keep-alive transport with an idle connection per publishing
// goroutine. The answer's status is checked (else its AWS error code is
// the error) and its MessageId (PublishBatch: its Successful and Failed
// entries) found by a scan of the bytes, not by encoding/xml.
type queryPublisher struct {
	hc  *http.Client
	url string // the server's /
}

func newQueryPublisher(base string, clients int) *queryPublisher {
	return &queryPublisher{url: base + "/", hc: &http.Client{Transport: &http.Transport{
		MaxIdleConns: clients, MaxIdleConnsPerHost: clients, IdleConnTimeout: time.Minute,
		DisableCompression: true, // the answers are a few hundred bytes
	}}}
}

// publish publishes messages lo..hi-1 to topic arn: one Publish when
// single, else one PublishBatch (entry ids m<i>), every entry required to
// have succeeded with a MessageId.
func (p *queryPublisher) publish(ctx context.Context, arn string, lo, hi int, single bool) error {
	action := "PublishBatch"
	if single {
		action = "Publish"
	}
	form := make([]byte, 0, 128+(hi-lo)*(2*topicBodySize+80))
	form = append(form, "Action="+action+"&Version=2010-03-31&TopicArn="...)
	form = append(form, url.QueryEscape(arn)...)
	if single {
		form = append(form, "&Message="...)
		form = append(form, url.QueryEscape(benchTopicBody(lo))...)
	} else {
		for i := lo; i < hi; i++ {
			member := "&PublishBatchRequestEntries.member." + strconv.Itoa(i-lo+1)
			form = append(form, member+".Id=m"+strconv.Itoa(i)...)
			form = append(form, member+".Message="...)
			form = append(form, url.QueryEscape(benchTopicBody(i))...)
		}
	}
	answer, err := p.post(ctx, form)
	if err == nil {
		if single {
			err = checkPublishAnswer(answer)
		} else {
			err = checkBatchAnswer(answer, lo, hi)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// post posts form to the server and returns the answer of a 200, else an
// error with the answer's AWS error code and message.
func (p *queryPublisher) post(ctx context.Context, form []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d, %s: %s", resp.StatusCode, cmp.Or(xmlText(answer, "Code"), "no AWS error code"), xmlText(answer, "Message"))
	}
	return answer, nil
}

// checkPublishAnswer checks that a Publish's answer has a MessageId.
func checkPublishAnswer(answer []byte) error {
	if xmlText(answer, "MessageId") == "" {
		return fmt.Errorf("an answer without a MessageId: %.300q", answer)
	}
	return nil
}

// checkBatchAnswer checks that a PublishBatch's answer has no Failed entry
// and, among its Successful, each entry m<lo>..m<hi-1> once, with a
// MessageId.
func checkBatchAnswer(answer []byte, lo, hi int) error {
	ok, failed, _ := bytes.Cut(answer, []byte("<Failed>"))
	if m := xmlText(failed, "member"); m != "" {
		return fmt.Errorf("entry %s failed: %s: %s", xmlText([]byte(m), "Id"), xmlText([]byte(m), "Code"), xmlText([]byte(m), "Message"))
	}
	seen := make([]bool, hi-lo)
	for n := 0; ; n++ {
		_, member, found := bytes.Cut(ok, []byte("<member>"))
		if !found {
			if n != hi-lo {
				return fmt.Errorf("%d of %d entries in Successful: %.300q", n, hi-lo, answer)
			}
			return nil
		}
		member, ok, _ = bytes.Cut(member, []byte("</member>"))
		id := xmlText(member, "Id")
		i, err := strconv.Atoi(id[min(1, len(id)):])
		if err != nil || id[0] != 'm' || i < lo || i >= hi || seen[i-lo] || xmlText(member, "MessageId") == "" {
			return fmt.Errorf("a Successful entry not sent, twice, or without a MessageId: %q", member)
		}
		seen[i-lo] = true
	}
}

// xmlText is the text of the first <name> element in b, "" when there is
// none (the answers' values need no unescaping: ids, codes).
func xmlText(b []byte, name string) string {
	_, rest, found := bytes.Cut(b, []byte("<"+name+">"))
	if !found {
		return ""
	}
	text, _, _ := bytes.Cut(rest, []byte("</"+name+">"))
	return string(text)
}
