package bench

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// queryPublisher is `bench topic --client http`'s publisher: SNS's query
// protocol spoken over HTTP/1.1 directly, the same for signalbox and goaws
// (which speaks it natively). The AWS SDK for Go v2's Publish costs its
// caller ~150 µs of CPU per call, more than either server's own cost (goaws
// 94 µs): on a loopback micro-benchmark against a trivial server, the SDK's
// Publish took 99 µs/op at 2 parallel and a bare net/http POST of the same
// form 44 µs/op. So the SDK bounds the bench's figure, not the server
// (--client sdk keeps it, to see by how much). net/http's client still
// cost the bench 53-58 µs of CPU per Publish (its transport's two
// goroutines per connection and the hand-offs between them, the header
// maps), as much as half of what serve spends: so the requests are written
// and the answers read on the connections themselves, as a load generator
// such as wrk does, one request at a time per connection (no pipelining).
//
// Each request's form is appended once into one buffer (no url.Values, no
// sorting), unsigned (neither server checks a signature in the bench),
// over keep-alive connections, one per publishing goroutine at most. The
// answer's status is checked (else its AWS error code is the error) and its
// MessageId (PublishBatch: its Successful and Failed entries) found by a
// scan of the bytes, not by encoding/xml.
type queryPublisher struct {
	addr, host string            // the server's host:port, and its Host header
	idle       chan *publishConn // keep-alive connections not in use
}

// publishConn is a keep-alive connection to the server and its buffers.
type publishConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

// publishTimeout bounds a request without a deadline of its own.
const publishTimeout = 30 * time.Second

func newQueryPublisher(base string, clients int) *queryPublisher {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		panic("bench: newQueryPublisher: not an http:// URL: " + base)
	}
	return &queryPublisher{addr: u.Host, host: u.Host, idle: make(chan *publishConn, clients)}
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

// post posts form to the server's / and returns the answer of a 200, else
// an error with the answer's AWS error code and message.
func (p *queryPublisher) post(ctx context.Context, form []byte) ([]byte, error) {
	var pc *publishConn
	select {
	case pc = <-p.idle:
	default:
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", p.addr)
		if err != nil {
			return nil, err
		}
		pc = &publishConn{c: c, r: bufio.NewReaderSize(c, 4096), w: bufio.NewWriterSize(c, 4096)}
	}
	status, answer, keep, err := pc.roundTrip(ctx, p.host, form)
	if err != nil || !keep {
		pc.c.Close()
	} else {
		select {
		case p.idle <- pc:
		default:
			pc.c.Close()
		}
	}
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("status %d, %s: %s", status, cmp.Or(xmlText(answer, "Code"), "no AWS error code"), xmlText(answer, "Message"))
	}
	return answer, nil
}

// roundTrip writes a POST of form to / and reads the answer: its status,
// its body (Content-Length framed: both servers' answers are), and whether
// the connection may be kept.
func (pc *publishConn) roundTrip(ctx context.Context, host string, form []byte) (status int, body []byte, keep bool, err error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(publishTimeout)
	}
	if err := pc.c.SetDeadline(deadline); err != nil {
		return 0, nil, false, err
	}
	w := pc.w
	w.WriteString("POST / HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.WriteString("\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: ")
	w.WriteString(strconv.Itoa(len(form)))
	w.WriteString("\r\n\r\n")
	w.Write(form)
	if err := w.Flush(); err != nil {
		return 0, nil, false, err
	}
	line, err := pc.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, fmt.Errorf("not an HTTP/1.x status line: %.100q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, false, fmt.Errorf("a status line without a status: %.100q", line)
	}
	length, keep := -1, true
	for {
		line, err := pc.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, false, fmt.Errorf("a bad Content-Length: %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, false, fmt.Errorf("an answer of Transfer-Encoding %q: the publisher reads Content-Length framed answers only", value)
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return 0, nil, false, errors.New("an answer without a Content-Length")
	}
	body = make([]byte, length)
	if _, err := io.ReadFull(pc.r, body); err != nil {
		return 0, nil, false, err
	}
	return status, body, keep, nil
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
