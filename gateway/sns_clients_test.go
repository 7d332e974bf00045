package gateway_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	snsapi "github.com/signalbox/signalbox/gateway/sns"
)

// SNS's API through the official SDK for Go v2, with only an endpoint
// override, over the real topic router: topics, fanout to the built-in
// queues, webhooks and the URLs SNS gives a subscriber, and the wire's own
// rules (TestSNSBatchRulesThroughTheSDK).

// listAllTopics pages through ListTopics.
func listAllTopics(t *testing.T, c *sns.Client) []string {
	t.Helper()
	var arns []string
	var token *string
	for range 100 {
		page, err := c.ListTopics(context.Background(), &sns.ListTopicsInput{NextToken: token})
		require.NoError(t, err)
		for _, tp := range page.Topics {
			arns = append(arns, aws.ToString(tp.TopicArn))
		}
		if token = page.NextToken; token == nil {
			return arns
		}
	}
	t.Fatal("ListTopics did not end in 100 pages")
	return nil
}

// A topic's life: create (again, the same), list, attributes, tags,
// delete.
func TestSNSTopicsThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSNS(t)
	ctx := context.Background()
	c := b.client

	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"),
		Attributes: map[string]string{"DisplayName": "Orders"}, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)
	arn := aws.ToString(created.TopicArn)
	require.Equal(t, snsArnPrefix+"orders", arn)
	again, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"DisplayName": "Orders"}})
	require.NoError(t, err, "CreateTopic is idempotent")
	require.Equal(t, arn, aws.ToString(again.TopicArn))
	fifo, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("jobs.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	require.NoError(t, err)
	require.Equal(t, snsArnPrefix+"jobs.fifo", aws.ToString(fifo.TopicArn))
	require.ElementsMatch(t, []string{arn, aws.ToString(fifo.TopicArn)}, listAllTopics(t, c))

	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	require.NoError(t, err)
	require.Equal(t, arn, attrs.Attributes["TopicArn"])
	require.Equal(t, "Orders", attrs.Attributes["DisplayName"])
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("Orders & more")})
	require.NoError(t, err)
	attrs, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	require.NoError(t, err)
	require.Equal(t, "Orders & more", attrs.Attributes["DisplayName"])

	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	require.Equal(t, []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}, tags.Tags)
	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: &arn, Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err = c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	require.Equal(t, []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}, tags.Tags)

	_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &arn})
	require.NoError(t, err)
	require.Equal(t, []string{aws.ToString(fifo.TopicArn)}, listAllTopics(t, c))
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	var nf *snstypes.NotFoundException
	require.ErrorAs(t, err, &nf)
	requireSNSCode(t, err, "NotFound", 404)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &arn, Message: aws.String("x")})
	requireSNSCode(t, err, "NotFound", 404)
}

// receiveOne long-polls the queue for one message (a bounded wait on the
// queue router, not a sleep).
func receiveOne(t *testing.T, c *sqs.Client, qurl string) sqstypes.Message {
	t.Helper()
	deadline := time.Now().Add(sqsSafety)
	for time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &qurl, WaitTimeSeconds: 5,
			MaxNumberOfMessages: 1, MessageAttributeNames: []string{"All"}})
		require.NoError(t, err)
		if len(out.Messages) == 1 {
			_, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &qurl, ReceiptHandle: out.Messages[0].ReceiptHandle})
			require.NoError(t, err)
			return out.Messages[0]
		}
	}
	t.Fatalf("no message on %s in %v", qurl, sqsSafety)
	return sqstypes.Message{}
}

// A topic fans out to a built-in queue: the JSON envelope, then the raw
// message with its attributes (RawMessageDelivery), a batch, a filter
// policy, and nothing after Unsubscribe.
func TestSNSFanoutToSQSThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSNS(t)
	ctx := context.Background()
	q, err := b.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	require.NoError(t, err)
	qurl, qarn := aws.ToString(q.QueueUrl), "arn:aws:sqs:us-east-1:"+sqsAccount+":inbox"
	created, err := b.client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	require.NoError(t, err)
	arn := created.TopicArn

	sub, err := b.client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: arn, Protocol: aws.String("sqs"), Endpoint: &qarn})
	require.NoError(t, err)
	subARN := aws.ToString(sub.SubscriptionArn)
	require.True(t, strings.HasPrefix(subARN, aws.ToString(arn)+":"), subARN)
	subs, err := b.client.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: arn})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	require.Equal(t, snstypes.Subscription{SubscriptionArn: &subARN, Owner: aws.String(sqsAccount), Protocol: aws.String("sqs"), Endpoint: &qarn, TopicArn: arn}, subs.Subscriptions[0])
	all, err := b.client.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	require.NoError(t, err)
	require.Equal(t, subs.Subscriptions, all.Subscriptions)
	subAttrs, err := b.client.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &subARN})
	require.NoError(t, err)
	require.Equal(t, subARN, subAttrs.Attributes["SubscriptionArn"])
	require.Equal(t, qarn, subAttrs.Attributes["Endpoint"])

	// the envelope
	pub, err := b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("hello <ünï>"), Subject: aws.String("greeting"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String("blue")}}})
	require.NoError(t, err)
	m := receiveOne(t, b.sqs, qurl)
	var env map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &env), aws.ToString(m.Body))
	require.Equal(t, "Notification", env["Type"])
	require.Equal(t, aws.ToString(pub.MessageId), env["MessageId"])
	require.Equal(t, aws.ToString(arn), env["TopicArn"])
	require.Equal(t, "greeting", env["Subject"])
	require.Equal(t, "hello <ünï>", env["Message"])
	require.Equal(t, map[string]any{"color": map[string]any{"Type": "String", "Value": "blue"}}, env["MessageAttributes"])

	// raw: the message as it was published, its attributes the queue
	// message's
	_, err = b.client.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &subARN,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
	require.NoError(t, err)
	_, err = b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("raw"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String("blue")}}})
	require.NoError(t, err)
	m = receiveOne(t, b.sqs, qurl)
	require.Equal(t, "raw", aws.ToString(m.Body))
	require.Equal(t, "blue", aws.ToString(m.MessageAttributes["color"].StringValue))

	// a batch
	batch, err := b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("one"), Message: aws.String("b1")}, {Id: aws.String("two"), Message: aws.String("b2")}}})
	require.NoError(t, err)
	require.Empty(t, batch.Failed)
	require.Len(t, batch.Successful, 2)
	got := []string{aws.ToString(receiveOne(t, b.sqs, qurl).Body), aws.ToString(receiveOne(t, b.sqs, qurl).Body)}
	require.ElementsMatch(t, []string{"b1", "b2"}, got)

	// a filter policy: the blue message is not delivered, the red one is
	_, err = b.client.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &subARN,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"color":["red"]}`)})
	require.NoError(t, err)
	for _, color := range []string{"blue", "red"} {
		_, err = b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String(color),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String(color)}}})
		require.NoError(t, err)
	}
	require.Equal(t, "red", aws.ToString(receiveOne(t, b.sqs, qurl).Body))

	_, err = b.client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &subARN})
	require.NoError(t, err)
	subs, err = b.client.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: arn})
	require.NoError(t, err)
	require.Empty(t, subs.Subscriptions)
	_, err = b.client.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &subARN})
	requireSNSCode(t, err, "NotFound", 404)
}

// A FIFO topic: a publish needs a group, and answers a sequence number.
func TestSNSFIFOTopicThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSNS(t)
	ctx := context.Background()
	created, err := b.client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("jobs.fifo"),
		Attributes: map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}})
	require.NoError(t, err)
	arn := created.TopicArn
	_, err = b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("x")})
	requireSNSCode(t, err, "InvalidParameter", 400)
	pub, err := b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("x"), MessageGroupId: aws.String("g")})
	require.NoError(t, err)
	require.NotEmpty(t, aws.ToString(pub.SequenceNumber))
	batch, err := b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("1"), MessageGroupId: aws.String("g")},
		{Id: aws.String("b"), Message: aws.String("2"), MessageGroupId: aws.String("g")},
	}})
	require.NoError(t, err)
	require.Empty(t, batch.Failed)
	require.Len(t, batch.Successful, 2)
	for _, r := range batch.Successful {
		require.NotEmpty(t, aws.ToString(r.SequenceNumber))
		require.NotEmpty(t, aws.ToString(r.MessageId))
	}
}

// The batch's rules hold at the wire, before the topic router: typed
// errors in the SDK. (No router behaviour is needed: no skip.)
func TestSNSBatchRulesThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSNS(t)
	ctx := context.Background()
	arn := aws.String(snsArnPrefix + "t")
	entries := func(ids ...string) []snstypes.PublishBatchRequestEntry {
		var out []snstypes.PublishBatchRequestEntry
		for _, id := range ids {
			out = append(out, snstypes.PublishBatchRequestEntry{Id: aws.String(id), Message: aws.String("m")})
		}
		return out
	}
	var eleven []string
	for i := range 11 {
		eleven = append(eleven, "e"+strconv.Itoa(i))
	}
	_, err := b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: entries(eleven...)})
	var tooMany *snstypes.TooManyEntriesInBatchRequestException
	require.ErrorAs(t, err, &tooMany)
	_, err = b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: entries("a", "a")})
	var dup *snstypes.BatchEntryIdsNotDistinctException
	require.ErrorAs(t, err, &dup)
	_, err = b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: entries("a b")})
	var badID *snstypes.InvalidBatchEntryIdException
	require.ErrorAs(t, err, &badID)
	_, err = b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{}})
	var empty *snstypes.EmptyBatchRequestException
	require.ErrorAs(t, err, &empty)
	big := strings.Repeat("x", snsapi.MaxPayload/2)
	_, err = b.client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: arn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String(big)}, {Id: aws.String("b"), Message: aws.String(big + "x")}}})
	var tooLong *snstypes.BatchRequestTooLongException
	require.ErrorAs(t, err, &tooLong)
	_, err = b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String(big + big + "x")})
	var inv *snstypes.InvalidParameterException
	require.ErrorAs(t, err, &inv)
	require.Equal(t, "Invalid parameter: Message too long", inv.ErrorMessage())
	_, err = b.client.GetSMSAttributes(ctx, &sns.GetSMSAttributesInput{})
	require.Contains(t, requireSNSCode(t, err, "InvalidAction", 400), "not supported by Signalbox")
}

// webhook is an http subscriber: it hands each message SNS posts to the
// test, and answers 200.
type webhook struct {
	url      string
	messages chan map[string]string
}

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	w := &webhook{messages: make(chan map[string]string, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]string
		if err := json.Unmarshal(body, &m); err == nil {
			m["header:x-amz-sns-message-type"] = r.Header.Get("x-amz-sns-message-type")
			w.messages <- m
		}
		rw.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	w.url = srv.URL + "/hook"
	return w
}

func (w *webhook) next(t *testing.T, typ string) map[string]string {
	t.Helper()
	select {
	case m := <-w.messages:
		require.Equal(t, typ, m["Type"], "%v", m)
		require.Equal(t, typ, m["header:x-amz-sns-message-type"])
		return m
	case <-time.After(sqsSafety):
		t.Fatalf("no %s in %v", typ, sqsSafety)
		return nil
	}
}

// verifySignature checks a message's signature with the certificate its
// SigningCertURL serves, as AWS documents a subscriber's check: the
// string to sign is the named fields' "Name\nValue\n", SHA1withRSA for
// SignatureVersion 1, SHA256withRSA for 2.
func verifySignature(t *testing.T, m map[string]string) {
	t.Helper()
	resp, err := http.Get(m["SigningCertURL"]) // unsigned, as a subscriber fetches it
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/x-pem-file", resp.Header.Get("Content-Type"))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	block, _ := pem.Decode(b)
	require.NotNil(t, block, "%s", b)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	fields := []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	if m["Type"] != "Notification" {
		fields = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var text strings.Builder
	for _, f := range fields {
		if v, ok := m[f]; ok {
			text.WriteString(f + "\n" + v + "\n")
		}
	}
	sig, err := base64.StdEncoding.DecodeString(m["Signature"])
	require.NoError(t, err)
	pub := cert.PublicKey.(*rsa.PublicKey)
	if m["SignatureVersion"] == "2" {
		sum := sha256.Sum256([]byte(text.String()))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig))
		return
	}
	require.Equal(t, "1", m["SignatureVersion"])
	sum := sha1.Sum([]byte(text.String()))
	require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig))
}

// An http subscriber's life with credentials configured: it confirms by
// a GET of its SubscribeURL, unsigned; verifies each message with the
// certificate at SigningCertURL, unsigned; and leaves by a GET of its
// UnsubscribeURL, unsigned, unless it was confirmed with
// AuthenticateOnUnsubscribe.
func TestSNSWebhookSubscriberURLs(t *testing.T) {
	t.Parallel()
	b := newSNS(t, func(o *gateway.Options) { o.Credentials = map[string]string{"AKIDTEST": "secret"} })

	ctx := context.Background()
	hook := newWebhook(t)
	created, err := b.client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("hooks")})
	require.NoError(t, err)
	arn := created.TopicArn

	sub, err := b.client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: arn, Protocol: aws.String("http"), Endpoint: aws.String(hook.url)})
	require.NoError(t, err)
	require.Equal(t, "pending confirmation", aws.ToString(sub.SubscriptionArn))
	conf := hook.next(t, "SubscriptionConfirmation")
	verifySignature(t, conf)
	u, err := url.Parse(conf["SubscribeURL"])
	require.NoError(t, err)
	require.Equal(t, b.url, u.Scheme+"://"+u.Host)
	require.Equal(t, "ConfirmSubscription", u.Query().Get("Action"))
	resp, err := http.Get(conf["SubscribeURL"])
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	subARN := between(string(body), "<SubscriptionArn>", "</SubscriptionArn>")
	require.True(t, strings.HasPrefix(subARN, aws.ToString(arn)+":"), "%s", body)

	_, err = b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("ping"), Subject: aws.String("s")})
	require.NoError(t, err)
	n := hook.next(t, "Notification")
	require.Equal(t, "ping", n["Message"])
	verifySignature(t, n)

	resp, err = http.Get(n["UnsubscribeURL"])
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	subs, err := b.client.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: arn})
	require.NoError(t, err)
	require.Empty(t, subs.Subscriptions)
	verifySignature(t, hook.next(t, "UnsubscribeConfirmation"))

	// confirmed (signed) with AuthenticateOnUnsubscribe: the URL is refused
	_, err = b.client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: arn, Protocol: aws.String("http"), Endpoint: aws.String(hook.url)})
	require.NoError(t, err)
	conf = hook.next(t, "SubscriptionConfirmation")
	confirmed, err := b.client.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: arn, Token: aws.String(conf["Token"]),
		AuthenticateOnUnsubscribe: aws.String("true")})
	require.NoError(t, err)
	_, err = b.client.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("ping")})
	require.NoError(t, err)
	n = hook.next(t, "Notification")
	resp, err = http.Get(n["UnsubscribeURL"])
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s", body)
	require.Contains(t, string(body), "<Code>AuthorizationError</Code>")
	subs, err = b.client.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: arn})
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(subs.Subscriptions, func(s snstypes.Subscription) bool {
		return aws.ToString(s.SubscriptionArn) == aws.ToString(confirmed.SubscriptionArn)
	}))
	// signed, it goes
	_, err = b.client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: confirmed.SubscriptionArn})
	require.NoError(t, err)
}

// The certificate that signs SNS's messages is served, unsigned although
// credentials are set, at the path the router names, as PEM; HEAD too.
func TestSNSSigningCertificate(t *testing.T) {
	t.Parallel()
	b := newSNS(t, func(o *gateway.Options) { o.Credentials = map[string]string{"AKIDTEST": "secret"} })
	p := b.topics.SigningCertPath()
	require.True(t, strings.HasSuffix(p, ".pem"), p)
	resp, err := http.Get(b.url + p)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	require.Equal(t, "application/x-pem-file", resp.Header.Get("Content-Type"))
	block, _ := pem.Decode(body)
	require.NotNil(t, block, "%s", body)
	require.Equal(t, "CERTIFICATE", block.Type)
	_, err = x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	want, err := b.topics.SigningCert(context.Background())
	require.NoError(t, err)
	require.Equal(t, want, body)

	resp, err = http.Head(b.url + p)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// another .pem is no one's
	resp, err = http.Get(b.url + "/SimpleNotificationService-0.pem")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, gateway.New(gateway.Options{Runtime: b.d, Topics: b.topics, Credentials: map[string]string{"AKIDTEST": "secret"}}).OpenEndpoints(),
		"GET "+p+" (SNS's signing certificate)")
}

// between is the text of s between open and close.
func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, close)
	return v
}
