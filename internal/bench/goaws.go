package bench

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// goaws is the peer of `signalbox bench queue`: github.com/Admiral-Piett/goaws
// v0.4.5, an in-memory SQS emulator in Go. It is built from the tools
// module .ci/tools/goaws (a module of its own, so that the project's
// go.mod carries none of its dependencies), once, into
// ${XDG_CACHE_HOME:-~/.cache}/signalbox-ci, as .ci/jaeger.sh builds Jaeger.
//
// goaws v0.4.5 speaks only SQS's query protocol (form-encoded requests,
// XML answers), and the AWS SDK for Go v2 speaks only AWS JSON 1.0 to SQS
// since service/sqs v1.30. So the bench's client reaches goaws through
// queryAdapter, an HTTP client that turns each JSON request into the
// query protocol and each XML answer back into JSON, in the bench's
// process: the same SDK client with the same settings drives both
// servers, and goaws's figures include the adapter's cost on the client's
// side (the bench reports it: queryAdapter.cost).
const goawsVersion = "v0.4.5"

// goawsBinary returns the goaws binary: path when given, else the cached
// build, built first from the repository's tools module when missing.
func goawsBinary(path string, log io.Writer) (string, error) {
	if path != "" {
		return path, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("goaws: no cache directory: %w", err)
		}
		cache = filepath.Join(home, ".cache")
	}
	bin := filepath.Join(cache, "signalbox-ci", "goaws-"+goawsVersion)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	root, err := findRepoRoot()
	if err != nil {
		return "", fmt.Errorf("goaws is not built at %s and its tools module is not found (%v): give --goaws PATH", bin, err)
	}
	fmt.Fprintf(log, "goaws: building github.com/Admiral-Piett/goaws/app/cmd@%s into %s (once)\n", goawsVersion, bin)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", bin+".tmp", "github.com/Admiral-Piett/goaws/app/cmd")
	cmd.Dir = filepath.Join(root, ".ci", "tools", "goaws")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building goaws: %v\n%s", err, out)
	}
	return bin, os.Rename(bin+".tmp", bin)
}

// goawsConfig is goaws's YAML configuration: one environment, "Bench", on
// a loopback port, its queues' URLs on 127.0.0.1. (goaws listens on every
// interface; the bench only ever connects to loopback.)
const goawsConfig = `Bench:
  Host: 127.0.0.1
  Port: %d
  AccountId: "100010001000"
  LogToFile: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
`

// startGoaws runs goaws on a free loopback port and returns its base URL
// once it answers GET /health, and a function that stops it. goaws logs
// every message it handles to stdout (its default, info level): that goes
// to /dev/null.
func startGoaws(bin, dir string) (base string, stop func(), err error) {
	base, _, stop, err = startGoawsPID(bin, dir)
	return base, stop, err
}

// startGoawsPID is startGoaws, which also returns goaws's process id (for
// its CPU time).
func startGoawsPID(bin, dir string) (base string, pid int, stop func(), err error) {
	port, err := freeLoopbackPort()
	if err != nil {
		return "", 0, nil, err
	}
	conf := filepath.Join(dir, "goaws.yaml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, goawsConfig, port), 0o644); err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(bin, "-config", conf, "Bench")
	cmd.Dir = dir
	var log bytes.Buffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		return "", 0, nil, fmt.Errorf("goaws: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() { _ = cmd.Process.Kill(); <-exited }
	base = "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(30 * time.Second) // a safety net: the loop ends when goaws answers
	for {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, cmd.Process.Pid, stop, nil
			}
		}
		select {
		case <-exited:
			return "", 0, nil, fmt.Errorf("goaws exited before answering: %s", lastLine(log.String()+"\n(no output)"))
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return "", 0, nil, fmt.Errorf("goaws did not answer on %s within 30s", base)
		}
		time.Sleep(20 * time.Millisecond) // waiting for a child process to listen
	}
}

func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// queryAdapter is an HTTP client for the AWS SDK (its HTTPClient option)
// that sends each AWS JSON 1.0 request of SQS to the server in the query
// protocol and hands the SDK the answer in JSON. It knows the operations
// the bench calls: CreateQueue, GetQueueUrl, GetQueueAttributes, SendMessage,
// SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch,
// PurgeQueue, DeleteQueue.
type queryAdapter struct {
	hc interface {
		Do(*http.Request) (*http.Response, error)
	}
	// samples keeps the first request and answer of each action, on
	// which cost times the translations.
	mu      sync.Mutex
	samples map[string]adapterSample
}

type adapterSample struct {
	in     map[string]any
	answer []byte
}

// sqsQueryEntries names the query protocol's batch entries.
var sqsQueryEntries = map[string]string{
	"SendMessageBatch":   "SendMessageBatchRequestEntry",
	"DeleteMessageBatch": "DeleteMessageBatchRequestEntry",
}

func (a *queryAdapter) Do(req *http.Request) (*http.Response, error) {
	action, ok := strings.CutPrefix(req.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if !ok {
		return nil, fmt.Errorf("queryAdapter: not an SQS JSON request (X-Amz-Target %q)", req.Header.Get("X-Amz-Target"))
	}
	var in map[string]any
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, fmt.Errorf("queryAdapter: %w", err)
			}
		}
	}
	form, err := queryForm(action, in)
	if err != nil {
		return nil, err
	}
	out, err := http.NewRequestWithContext(req.Context(), http.MethodPost, req.URL.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	out.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.hc.Do(out)
	if err != nil {
		return nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	js, err := queryAnswerJSON(action, resp.StatusCode, answer)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		a.mu.Lock()
		if _, ok := a.samples[action]; !ok {
			if a.samples == nil {
				a.samples = map[string]adapterSample{}
			}
			a.samples[action] = adapterSample{in, answer}
		}
		a.mu.Unlock()
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("Content-Length", strconv.Itoa(len(js)))
	return &http.Response{Status: resp.Status, StatusCode: resp.StatusCode, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
		Header: h, Body: io.NopCloser(bytes.NewReader(js)), ContentLength: int64(len(js)), Request: req}, nil
}

// queryForm flattens a JSON request into the query protocol's form:
// scalars by name, Attributes as Attribute.N.Name/Value, lists of strings
// as Name.N (AttributeNames → AttributeName.N), batch entries as
// <Entry>.N.<Field>.
func queryForm(action string, in map[string]any) (url.Values, error) {
	form := url.Values{"Action": {action}, "Version": {"2012-11-05"}}
	for k, v := range in {
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case float64:
			form.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			form.Set(k, strconv.FormatBool(v))
		case map[string]any:
			if k != "Attributes" {
				return nil, fmt.Errorf("queryAdapter: %s: %s is not supported", action, k)
			}
			names := make([]string, 0, len(v))
			for name := range v {
				names = append(names, name)
			}
			sort.Strings(names)
			for i, name := range names {
				form.Set(fmt.Sprintf("Attribute.%d.Name", i+1), name)
				form.Set(fmt.Sprintf("Attribute.%d.Value", i+1), fmt.Sprint(v[name]))
			}
		case []any:
			entry, isBatch := sqsQueryEntries[action]
			for i, e := range v {
				switch e := e.(type) {
				case string:
					form.Set(fmt.Sprintf("%s.%d", strings.TrimSuffix(k, "s"), i+1), e)
				case map[string]any:
					if !isBatch || k != "Entries" {
						return nil, fmt.Errorf("queryAdapter: %s: %s is not supported", action, k)
					}
					for f, fv := range e {
						form.Set(fmt.Sprintf("%s.%d.%s", entry, i+1, f), fmt.Sprint(fv))
					}
				}
			}
		}
	}
	return form, nil
}

// The query protocol's answers, as far as the bench reads them.
type (
	queryError struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	queryBatchError struct {
		ID          string `xml:"Id" json:"Id"`
		Code        string `xml:"Code" json:"Code"`
		Message     string `xml:"Message" json:"Message,omitempty"`
		SenderFault bool   `xml:"SenderFault" json:"SenderFault"`
	}
	querySendResult struct {
		ID             string `xml:"Id" json:"Id,omitempty"`
		MessageID      string `xml:"MessageId" json:"MessageId"`
		MD5OfBody      string `xml:"MD5OfMessageBody" json:"MD5OfMessageBody"`
		MD5OfAttrs     string `xml:"MD5OfMessageAttributes" json:"MD5OfMessageAttributes,omitempty"`
		SequenceNumber string `xml:"SequenceNumber" json:"SequenceNumber,omitempty"`
	}
	queryAnswer struct {
		CreatedURL string `xml:"CreateQueueResult>QueueUrl"`
		QueueAttrs []struct {
			Name  string `xml:"Name"`
			Value string `xml:"Value"`
		} `xml:"GetQueueAttributesResult>Attribute"`
		QueueURL string            `xml:"GetQueueUrlResult>QueueUrl"`
		Send     querySendResult   `xml:"SendMessageResult"`
		Sent     []querySendResult `xml:"SendMessageBatchResult>SendMessageBatchResultEntry"`
		SendErrs []queryBatchError `xml:"SendMessageBatchResult>BatchResultErrorEntry"`
		Deleted  []struct {
			ID string `xml:"Id" json:"Id"`
		} `xml:"DeleteMessageBatchResult>DeleteMessageBatchResultEntry"`
		DeleteErrs []queryBatchError `xml:"DeleteMessageBatchResult>BatchResultErrorEntry"`
		Messages   []struct {
			MessageID     string `xml:"MessageId"`
			ReceiptHandle string `xml:"ReceiptHandle"`
			MD5OfBody     string `xml:"MD5OfBody"`
			Body          string `xml:"Body"`
			Attributes    []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"Attribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
)

// queryAnswerJSON turns a query-protocol answer into the JSON answer of
// action (errors as AWS JSON's {"__type", "message"}).
func queryAnswerJSON(action string, status int, answer []byte) ([]byte, error) {
	if status >= 300 {
		var e queryError
		if err := xml.Unmarshal(answer, &e); err != nil || e.Code == "" {
			return nil, fmt.Errorf("queryAdapter: %s: HTTP %d: %.200s", action, status, answer)
		}
		return json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	}
	var a queryAnswer
	if err := xml.Unmarshal(answer, &a); err != nil {
		return nil, fmt.Errorf("queryAdapter: %s: %w: %.200s", action, err, answer)
	}
	var out any
	switch action {
	case "CreateQueue":
		out = map[string]string{"QueueUrl": a.CreatedURL}
	case "GetQueueUrl":
		out = map[string]string{"QueueUrl": a.QueueURL}
	case "GetQueueAttributes":
		attrs := map[string]string{}
		for _, at := range a.QueueAttrs {
			attrs[at.Name] = at.Value
		}
		out = map[string]any{"Attributes": attrs}
	case "SendMessage":
		out = a.Send
	case "SendMessageBatch":
		out = map[string]any{"Successful": nonNil(a.Sent), "Failed": nonNil(a.SendErrs)}
	case "DeleteMessageBatch":
		out = map[string]any{"Successful": nonNil(a.Deleted), "Failed": nonNil(a.DeleteErrs)}
	case "ReceiveMessage":
		msgs := make([]map[string]any, 0, len(a.Messages))
		for _, m := range a.Messages {
			attrs := map[string]string{}
			for _, at := range m.Attributes {
				attrs[at.Name] = at.Value
			}
			msgs = append(msgs, map[string]any{"MessageId": m.MessageID, "ReceiptHandle": m.ReceiptHandle,
				"MD5OfBody": m.MD5OfBody, "Body": m.Body, "Attributes": attrs})
		}
		out = map[string]any{"Messages": msgs}
	case "DeleteMessage", "PurgeQueue", "DeleteQueue":
		out = map[string]any{}
	default:
		return nil, errors.New("queryAdapter: " + action + " is not supported")
	}
	return json.Marshal(out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// cost times the translations of each action's sample (the request into a
// form, the answer into JSON) in CPU time of one thread: what the adapter
// adds to each of goaws's requests, in µs of the client's CPU.
func (a *queryAdapter) cost() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var parts []string
	for _, action := range []string{"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessageBatch"} {
		s, ok := a.samples[action]
		if !ok {
			continue
		}
		const n = 1000
		spent := threadCPU(func() {
			for range n {
				_, _ = queryForm(action, s.in)
				_, _ = queryAnswerJSON(action, http.StatusOK, s.answer)
			}
		})
		parts = append(parts, fmt.Sprintf("%s %.1f µs", action, float64(spent.Nanoseconds())/n/1e3))
	}
	if len(parts) == 0 {
		return "no request made"
	}
	return strings.Join(parts, ", ")
}

// wallTime is how long f took.
func wallTime(f func()) time.Duration {
	begin := time.Now()
	f()
	return time.Since(begin)
}
