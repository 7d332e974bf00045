package topic

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// testSigner is one signer for the tests that need any (a 2,048-bit key
// takes a while to make on a loaded machine).
var testSigner = sync.OnceValues(func() (*signer, error) {
	b, err := newSigningPEM(time.Now())
	if err != nil {
		return nil, err
	}
	return parseSigningPEM(b)
})

func mustSigner(t *testing.T) *signer {
	t.Helper()
	sg, err := testSigner()
	require.NoError(t, err)
	return sg
}

var testTime = time.Date(2026, 12, 7, 1, 2, 3, 456_789_000, time.FixedZone("CET", 3600))

const testTopic = "arn:aws:sns:us-east-1:123456789012:orders"

// keysInOrder returns the top-level keys of a JSON object in document order.
func keysInOrder(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

// verifyDoc checks a signed document the way a subscriber does, from the
// decoded JSON alone: the string to sign rebuilt from AWS's rule, the
// certificate's public key, the version's hash.
func verifyDoc(t *testing.T, doc []byte, certPEM []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(doc, &m))
	fields := []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	if m["Type"] != "Notification" {
		fields = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var text strings.Builder
	for _, f := range fields {
		if v, ok := m[f]; ok {
			text.WriteString(f + "\n" + v.(string) + "\n")
		}
	}
	block, _ := pem.Decode(certPEM)
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(m["Signature"].(string))
	require.NoError(t, err)
	var h crypto.Hash
	var digest []byte
	switch m["SignatureVersion"] {
	case "1":
		s := sha1.Sum([]byte(text.String()))
		h, digest = crypto.SHA1, s[:]
	case "2":
		s := sha256.Sum256([]byte(text.String()))
		h, digest = crypto.SHA256, s[:]
	default:
		t.Fatalf("SignatureVersion %v", m["SignatureVersion"])
	}
	require.NoError(t, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), h, digest, sig))
	return m
}

func TestSigningString(t *testing.T) {
	t.Parallel()
	n := &envelope{Type: typeNotification, MessageID: "m-1", TopicARN: testTopic, Subject: "Hi",
		Message: "hello\nworld", Timestamp: testTime, UnsubscribeURL: "http://x/?Action=Unsubscribe"}
	require.Equal(t, "Message\nhello\nworld\nMessageId\nm-1\nSubject\nHi\nTimestamp\n2026-12-07T00:02:03.456Z\n"+
		"TopicArn\n"+testTopic+"\nType\nNotification\n", n.signingString())
	n.Subject = ""
	require.Equal(t, "Message\nhello\nworld\nMessageId\nm-1\nTimestamp\n2026-12-07T00:02:03.456Z\n"+
		"TopicArn\n"+testTopic+"\nType\nNotification\n", n.signingString())
	for _, typ := range []string{typeSubscriptionConfirmation, typeUnsubscribeConfirmation} {
		c := &envelope{Type: typ, MessageID: "m-2", Token: "tok", TopicARN: testTopic, Message: "m",
			SubscribeURL: "http://x/?Action=ConfirmSubscription", Timestamp: testTime, Subject: "ignored"}
		require.Equal(t, "Message\nm\nMessageId\nm-2\nSubscribeURL\nhttp://x/?Action=ConfirmSubscription\n"+
			"Timestamp\n2026-12-07T00:02:03.456Z\nToken\ntok\nTopicArn\n"+testTopic+"\nType\n"+typ+"\n", c.signingString())
	}
}

func TestEncodeNotificationSignsAndVerifies(t *testing.T) {
	t.Parallel()
	sg := mustSigner(t)
	for _, version := range []string{"1", "2"} {
		t.Run("v"+version, func(t *testing.T) {
			t.Parallel()
			e := &envelope{Type: typeNotification, MessageID: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", TopicARN: testTopic,
				Subject: "My <First> & Message", Message: "Hello \"world\"!\n\u00e9\u2603 </script>",
				Timestamp: testTime, UnsubscribeURL: "http://127.0.0.1:8080/?Action=Unsubscribe&SubscriptionArn=" + testTopic + ":abc",
				Attributes: map[string]MessageAttribute{
					"b":   {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 255}},
					"a":   {DataType: "String", StringValue: "x\"y"},
					"n":   {DataType: "Number.int", StringValue: "42"},
					"arr": {DataType: "String.Array", StringValue: `["a",1]`},
				}}
			certURL := "http://127.0.0.1:8080" + sg.certPath()
			doc, err := e.encode(sg, version, certURL)
			require.NoError(t, err)
			require.Equal(t, []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
				"SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}, keysInOrder(t, doc))
			m := verifyDoc(t, doc, sg.cert())
			require.Equal(t, "2026-12-07T00:02:03.456Z", m["Timestamp"])
			require.Equal(t, version, m["SignatureVersion"])
			require.Equal(t, certURL, m["SigningCertURL"])
			require.Equal(t, e.Message, m["Message"])
			require.Equal(t, e.Subject, m["Subject"])
			require.Equal(t, map[string]any{
				"a":   map[string]any{"Type": "String", "Value": "x\"y"},
				"arr": map[string]any{"Type": "String.Array", "Value": `["a",1]`},
				"b":   map[string]any{"Type": "Binary", "Value": "AAEC/w=="},
				"n":   map[string]any{"Type": "Number.int", "Value": "42"},
			}, m["MessageAttributes"])
			// AWS's layout, <, > and & as they are.
			require.True(t, bytes.HasPrefix(doc, []byte("{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"22b80b92-")), string(doc))
			require.Contains(t, string(doc), `"Subject" : "My <First> & Message"`)
			require.Contains(t, string(doc), "\n  \"MessageAttributes\" : {\n    \"a\" : {\"Type\":\"String\",\"Value\":\"x\\\"y\"},\n    \"arr\" : ")
			require.True(t, bytes.HasSuffix(doc, []byte("\"}\n  }\n}")), string(doc))

			// A changed field breaks the signature.
			tampered := bytes.Replace(doc, []byte("Hello"), []byte("Jello"), 1)
			var m2 map[string]any
			require.NoError(t, json.Unmarshal(tampered, &m2))
			block, _ := pem.Decode(sg.cert())
			cert, _ := x509.ParseCertificate(block.Bytes)
			sig, _ := base64.StdEncoding.DecodeString(m2["Signature"].(string))
			e2 := *e
			e2.Message = m2["Message"].(string)
			h, d := crypto.SHA1, sha1Sum(e2.signingString())
			if version == "2" {
				h, d = crypto.SHA256, sha256Sum(e2.signingString())
			}
			require.Error(t, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), h, d, sig))
		})
	}
}

func sha1Sum(s string) []byte   { b := sha1.Sum([]byte(s)); return b[:] }
func sha256Sum(s string) []byte { b := sha256.Sum256([]byte(s)); return b[:] }

func TestEncodeNotificationWithoutSubjectOrAttributes(t *testing.T) {
	t.Parallel()
	sg := mustSigner(t)
	e := &envelope{Type: typeNotification, MessageID: "m", TopicARN: testTopic, Message: "x", Timestamp: testTime,
		UnsubscribeURL: "u"}
	doc, err := e.encode(sg, "", "c")
	require.NoError(t, err)
	require.Equal(t, []string{"Type", "MessageId", "TopicArn", "Message", "Timestamp",
		"SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"}, keysInOrder(t, doc))
	m := verifyDoc(t, doc, sg.cert())
	require.Equal(t, "1", m["SignatureVersion"]) // AWS's default
}

func TestEncodeConfirmations(t *testing.T) {
	t.Parallel()
	sg := mustSigner(t)
	for _, typ := range []string{typeSubscriptionConfirmation, typeUnsubscribeConfirmation} {
		for _, version := range []string{"1", "2"} {
			e := &envelope{Type: typ, MessageID: "165545c9", Token: "2336412f37", TopicARN: testTopic,
				Message:      "You have chosen to subscribe to the topic " + testTopic + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
				SubscribeURL: "http://127.0.0.1:8080/?Action=ConfirmSubscription&TopicArn=" + testTopic + "&Token=2336412f37",
				Timestamp:    testTime, Subject: "not sent", UnsubscribeURL: "not sent"}
			doc, err := e.encode(sg, version, "http://127.0.0.1:8080"+sg.certPath())
			require.NoError(t, err)
			require.Equal(t, []string{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
				"SignatureVersion", "Signature", "SigningCertURL"}, keysInOrder(t, doc))
			m := verifyDoc(t, doc, sg.cert())
			require.Equal(t, typ, m["Type"])
			require.Equal(t, e.SubscribeURL, m["SubscribeURL"])
		}
	}
}

func TestEncodeFIFONotificationIsUnsigned(t *testing.T) {
	t.Parallel()
	e := &envelope{Type: typeNotification, MessageID: "m", SequenceNumber: "10000000000000003000", TopicARN: testTopic + ".fifo",
		Subject: "s", Message: "x", Timestamp: testTime, UnsubscribeURL: "u",
		Attributes: map[string]MessageAttribute{"coin": {DataType: "String", StringValue: "bitcoin"}}}
	doc, err := e.encode(nil, "2", "ignored")
	require.NoError(t, err)
	require.Equal(t, "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"m\",\n  \"SequenceNumber\" : \"10000000000000003000\",\n"+
		"  \"TopicArn\" : \""+testTopic+".fifo\",\n  \"Subject\" : \"s\",\n  \"Message\" : \"x\",\n"+
		"  \"Timestamp\" : \"2026-12-07T00:02:03.456Z\",\n  \"UnsubscribeURL\" : \"u\",\n"+
		"  \"MessageAttributes\" : {\n    \"coin\" : {\"Type\":\"String\",\"Value\":\"bitcoin\"}\n  }\n}", string(doc))
}

func TestEncodeRefuses(t *testing.T) {
	t.Parallel()
	sg := mustSigner(t)
	_, err := (&envelope{Type: "Other"}).encode(sg, "1", "c")
	require.ErrorContains(t, err, `type "Other"`)
	_, err = (&envelope{Type: typeNotification}).encode(sg, "3", "c")
	require.ErrorContains(t, err, "must be 1 or 2")
	_, err = (&envelope{Type: typeNotification}).encode(nil, "1", "c")
	require.ErrorContains(t, err, "no signer")
	_, err = (&envelope{Type: typeSubscriptionConfirmation, SequenceNumber: "1"}).encode(sg, "1", "c")
	require.ErrorContains(t, err, "no sequence number")
}

func TestEncodeInvalidUTF8StillVerifies(t *testing.T) {
	t.Parallel()
	sg := mustSigner(t)
	e := &envelope{Type: typeNotification, MessageID: "m", TopicARN: testTopic, Subject: "a\xffb",
		Message: "x\xc3\x28y\xe2\x82", Timestamp: testTime, UnsubscribeURL: "u"}
	doc, err := e.encode(sg, "2", "c")
	require.NoError(t, err)
	m := verifyDoc(t, doc, sg.cert())
	require.Equal(t, "x\uFFFD(y\uFFFD\uFFFD", m["Message"])
	require.Equal(t, "a\uFFFDb", m["Subject"])
}

func TestSignerCertificate(t *testing.T) {
	t.Parallel()
	sg := mustSigner(t)
	block, rest := pem.Decode(sg.cert())
	require.Empty(t, bytes.TrimSpace(rest), "the certificate alone, no key")
	require.Equal(t, "CERTIFICATE", block.Type)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.Equal(t, signingKeyBits, cert.PublicKey.(*rsa.PublicKey).N.BitLen())
	require.NoError(t, cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature), "self-signed")
	require.True(t, cert.NotAfter.After(time.Now().AddDate(50, 0, 0)))
	require.Regexp(t, `^/SimpleNotificationService-[0-9a-f]{32}\.pem$`, sg.certPath())
	sum := sha256.Sum256(cert.Raw)
	require.Contains(t, sg.certPath(), strings.ToLower(base16(sum[:16])))
}

func base16(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestParseSigningPEMRefusesCorrupt(t *testing.T) {
	t.Parallel()
	good, err := newSigningPEM(time.Now())
	require.NoError(t, err)
	other, err := newSigningPEM(time.Now())
	require.NoError(t, err)
	keyOf := func(b []byte) []byte { blk, _ := pem.Decode(b); return pem.EncodeToMemory(blk) }
	certOf := func(b []byte) []byte { _, rest := pem.Decode(b); return rest }
	for name, b := range map[string][]byte{
		"empty":          nil,
		"garbage":        []byte("not a pem"),
		"key only":       keyOf(good),
		"cert only":      certOf(good),
		"another's cert": append(keyOf(good), certOf(other)...),
	} {
		_, err := parseSigningPEM(b)
		require.ErrorIs(t, err, store.ErrCorrupt, name)
	}
	_, err = parseSigningPEM(good)
	require.NoError(t, err)
}

func TestSignersShareTheStoresKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "topicsign")
	// Two processes start at once: both sign with the key that won.
	var (
		wg     sync.WaitGroup
		sgs    [2]*signer
		errs   [2]error
		starts = make(chan struct{})
	)
	for i := range sgs {
		wg.Go(func() {
			<-starts
			sgs[i], errs[i] = newSigner(ctx, st)
		})
	}
	close(starts)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Equal(t, sgs[0].cert(), sgs[1].cert())
	require.Equal(t, sgs[0].certPath(), sgs[1].certPath())
	require.True(t, sgs[0].key.Equal(sgs[1].key))

	// A third, later, reads it; a message one signs, the other's cert verifies.
	third, err := newSigner(ctx, st)
	require.NoError(t, err)
	require.Equal(t, sgs[0].certPath(), third.certPath())
	doc, err := (&envelope{Type: typeNotification, MessageID: "m", TopicARN: testTopic, Message: "x",
		Timestamp: testTime, UnsubscribeURL: "u"}).encode(third, "2", "c")
	require.NoError(t, err)
	verifyDoc(t, doc, sgs[1].cert())

	// Another store has another key.
	elsewhere, err := newSigner(ctx, storetest.Open(t, "topicsign"))
	require.NoError(t, err)
	require.NotEqual(t, sgs[0].certPath(), elsewhere.certPath())
}

func TestTopicSigningKeyStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "topicsign")
	_, err := st.TopicSigningKey(ctx, nil)
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err := st.TopicSigningKey(ctx, []byte("first"))
	require.NoError(t, err)
	require.Equal(t, "first", string(got))
	got, err = st.TopicSigningKey(ctx, []byte("second"))
	require.NoError(t, err)
	require.Equal(t, "first", string(got), "SET NX: the first one stays")
	got, err = st.TopicSigningKey(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, "first", string(got))
	_, err = st.TopicSigningKey(ctx, make([]byte, store.MaxTopicSigningKey+1))
	require.ErrorIs(t, err, store.ErrInvalid)
}

func TestSignerMemo(t *testing.T) {
	t.Parallel()
	b, err := newSigningPEM(time.Now())
	require.NoError(t, err)
	sg, err := parseSigningPEM(b) // a signer of this test's own: its memo is this test's
	require.NoError(t, err)
	e := &envelope{Type: typeNotification, MessageID: "m", TopicARN: testTopic, Message: "fanout", Timestamp: testTime}
	var docs [][]byte
	for _, sub := range []string{"a", "b", "c"} {
		e.UnsubscribeURL = "http://x/?Action=Unsubscribe&SubscriptionArn=" + testTopic + ":" + sub
		doc, err := e.encode(sg, "2", "c")
		require.NoError(t, err)
		verifyDoc(t, doc, sg.cert())
		docs = append(docs, doc)
	}
	require.Len(t, sg.memo, 1, "one signature for the three subscriptions' documents")
	_, err = e.encode(sg, "", "c")
	require.NoError(t, err)
	_, err = e.encode(sg, "1", "c")
	require.NoError(t, err)
	require.Len(t, sg.memo, 2, `version "" is version 1`)
	e.Message = "another"
	doc, err := e.encode(sg, "2", "c")
	require.NoError(t, err)
	verifyDoc(t, doc, sg.cert())
	require.Len(t, sg.memo, 3)

	// Full, the memo starts over.
	for i := range maxSignMemo - len(sg.memo) {
		sg.memo[fmt.Sprint(i)] = "x"
	}
	e.Message = "one more"
	_, err = e.encode(sg, "2", "c")
	require.NoError(t, err)
	require.Len(t, sg.memo, 1)
}

func FuzzParseSigningPEM(f *testing.F) {
	good, err := newSigningPEM(time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		sg, err := parseSigningPEM(b)
		if err != nil {
			require.ErrorIs(t, err, store.ErrCorrupt)
			return
		}
		// Whatever parses signs, and its certificate verifies it.
		doc, err := (&envelope{Type: typeNotification, MessageID: "m", TopicARN: testTopic, Message: "x",
			Timestamp: testTime, UnsubscribeURL: "u"}).encode(sg, "2", "c")
		require.NoError(t, err)
		verifyDoc(t, doc, sg.cert())
	})
}
