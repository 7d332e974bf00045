package gateway_test

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/runtime"
)

// sqsBundle is one SQS endpoint under test: the queue router on a store of
// the test's own, gateway.New over it (and a runtime on the same store,
// for Step Functions beside it) on a loopback server, and the official
// SDK's client (AWS JSON 1.0) pointed at it.
type sqsBundle struct {
	url    string
	client *sqs.Client
	d      *runtime.Durable
}

// sqsAccount is the account in the tests' queue URLs: the runtime's
// default.
const sqsAccount = "123456789012"

// newSQS starts the bundle; opts adjust the gateway's options.
func newSQS(t *testing.T, opts ...func(*gateway.Options)) *sqsBundle {
	t.Helper()
	st := sfnOpenStore(t)
	b := &sqsBundle{d: runtime.NewDurable(st, &runtime.Durable{})}
	b.url = serveGateway(t, gateway.Options{Runtime: b.d, Queues: queue.New(st, queue.Config{}), Logger: testLogger(t)}, opts)
	b.client = sqsClient(b.url, "AKIDTEST", "secret")
	return b
}

// sqsClient is the SDK's client for url, signing with the given key.
func sqsClient(url, keyID, secret string) *sqs.Client {
	return sqs.NewFromConfig(sdkConfig(keyID, secret), func(o *sqs.Options) { o.BaseEndpoint = aws.String(url) })
}

// queueURL is the URL this server gives the queue name.
func (b *sqsBundle) queueURL(name string) string { return b.url + "/" + sqsAccount + "/" + name }

// requireSQSType asserts that err is the SDK's typed error T, with the
// query protocol's code (from x-amzn-query-error) and the HTTP status, and
// returns its message.
func requireSQSType[T interface {
	error
	ErrorCode() string
	ErrorMessage() string
}](t *testing.T, err error, queryCode string, status int) string {
	t.Helper()
	var typed T
	require.ErrorAs(t, err, &typed)
	require.Equal(t, queryCode, typed.ErrorCode(), "%v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "%v", err)
	return typed.ErrorMessage()
}

// requireSQSCode asserts an error the model does not type (a common error
// such as MissingParameter): its code and fault, from x-amzn-query-error.
func requireSQSCode(t *testing.T, err error, code string) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
	return ae.ErrorMessage()
}

// md5Hex is the hex MD5 of s.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// attributesMD5 is the digest AWS computes over message attributes
// (MD5OfMessageAttributes), computed here from the attributes the test
// sent, independently of the server: for each attribute, by name, its
// name, data type, a transport byte (1 string, 2 binary) and value, each
// length-prefixed (4 bytes, big-endian).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
func attributesMD5(attrs map[string]types.MessageAttributeValue) string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	field := func(b []byte) {
		_ = binary.Write(h, binary.BigEndian, uint32(len(b)))
		h.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		field([]byte(n))
		field([]byte(aws.ToString(a.DataType)))
		if strings.HasPrefix(aws.ToString(a.DataType), "Binary") {
			h.Write([]byte{2})
			field(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			field([]byte(aws.ToString(a.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// postForm POSTs a query-protocol form to path and returns the status and
// the body.
func postForm(t *testing.T, base, path string, form url.Values) (int, string) {
	t.Helper()
	r := sendRaw(t, http.MethodPost, base+path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r.status, string(r.body)
}

// sqsSafety bounds a test's long polls: a net against a hang, not a way
// to synchronise.
const sqsSafety = 20 * time.Second
