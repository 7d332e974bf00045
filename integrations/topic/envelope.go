package topic

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The envelope's Type values.
const (
	typeNotification             = "Notification"
	typeSubscriptionConfirmation = "SubscriptionConfirmation"
	typeUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// timestampLayout is AWS's Timestamp: UTC, milliseconds, a Z.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// signingString is AWS's canonical string to sign ("Verifying the
// signatures of Amazon SNS messages"): for a Notification the keys
// Message, MessageId, Subject (only when there is one), Timestamp,
// TopicArn and Type; for the confirmations Message, MessageId,
// SubscribeURL, Timestamp, Token, TopicArn and Type; each as
// "Key\nValue\n", in that (byte) order.
func (e *envelope) signingString() string {
	var b strings.Builder
	add := func(k, v string) {
		b.WriteString(k)
		b.WriteByte('\n')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	ts := e.Timestamp.UTC().Format(timestampLayout)
	add("Message", e.Message)
	add("MessageId", e.MessageID)
	if e.Type == typeNotification {
		if e.Subject != "" {
			add("Subject", e.Subject)
		}
	} else {
		add("SubscribeURL", e.SubscribeURL)
	}
	add("Timestamp", ts)
	if e.Type != typeNotification {
		add("Token", e.Token)
	}
	add("TopicArn", e.TopicARN)
	add("Type", e.Type)
	return b.String()
}

// encode renders the envelope as SNS sends it: AWS's field names, order
// and layout (pretty-printed, "Key" : value, two spaces of indent; the
// message attributes one per line, each compact), Timestamp as
// 2006-01-02T15:04:05.000Z in UTC, message attributes as
// {"name":{"Type":...,"Value":...}} with a Binary value in base64, sorted by
// name.
//
//	Notification:  Type, MessageId, [SequenceNumber], TopicArn, [Subject], Message,
//	               Timestamp, [SignatureVersion, Signature, SigningCertURL],
//	               UnsubscribeURL, [MessageAttributes]
//	confirmations: Type, MessageId, Token, TopicArn, Message, SubscribeURL,
//	               Timestamp, SignatureVersion, Signature, SigningCertURL
//
// A FIFO topic's notification (SequenceNumber set) is not signed: AWS
// sends it with neither SignatureVersion, Signature nor SigningCertURL (its
// subscribers are SQS queues only), so sg may be nil for it. Otherwise
// sigVersion is the topic's SignatureVersion ("1" SHA1withRSA, the default
// when "", or "2" SHA256withRSA) and certURL the certificate's full URL.
//
// A field that is not valid UTF-8 has each bad byte replaced by U+FFFD
// before it is signed, as JSON carries it, so the signature holds for
// what the subscriber decodes.
func (e *envelope) encode(sg *signer, sigVersion string, certURL string) ([]byte, error) {
	b, _, err := e.encodeAt(sg, sigVersion, certURL)
	return b, err
}

// encodeAt is encode, and where the UnsubscribeURL's value (its JSON
// string) starts in what it returns (0 for a confirmation, which has
// none).
func (e *envelope) encodeAt(sg *signer, sigVersion string, certURL string) ([]byte, int, error) {
	ev := *e
	for _, p := range []*string{&ev.Type, &ev.MessageID, &ev.Token, &ev.TopicARN, &ev.Subject, &ev.Message,
		&ev.SubscribeURL, &ev.UnsubscribeURL, &ev.SequenceNumber} {
		*p = validUTF8(*p)
	}
	notification := ev.Type == typeNotification
	switch ev.Type {
	case typeNotification, typeSubscriptionConfirmation, typeUnsubscribeConfirmation:
	default:
		return nil, 0, fmt.Errorf("topic: envelope of type %q", e.Type)
	}
	if ev.SequenceNumber != "" && !notification {
		return nil, 0, fmt.Errorf("topic: a %s has no sequence number", ev.Type)
	}
	signed := ev.SequenceNumber == ""
	var sig string
	if signed {
		if sg == nil {
			return nil, 0, fmt.Errorf("topic: a %s must be signed: no signer", ev.Type)
		}
		if sigVersion == "" {
			sigVersion = sigVersion1
		}
		var err error
		if sig, err = sg.sign(sigVersion, ev.signingString()); err != nil {
			return nil, 0, err
		}
	}

	w := &envelopeWriter{}
	w.buf.WriteString("{")
	w.field("Type", ev.Type)
	w.field("MessageId", ev.MessageID)
	if notification {
		if ev.SequenceNumber != "" {
			w.field("SequenceNumber", ev.SequenceNumber)
		}
	} else {
		w.field("Token", ev.Token)
	}
	w.field("TopicArn", ev.TopicARN)
	if notification && ev.Subject != "" {
		w.field("Subject", ev.Subject)
	}
	w.field("Message", ev.Message)
	if !notification {
		w.field("SubscribeURL", ev.SubscribeURL)
	}
	w.field("Timestamp", ev.Timestamp.UTC().Format(timestampLayout))
	if signed {
		w.field("SignatureVersion", sigVersion)
		w.field("Signature", sig)
		w.field("SigningCertURL", validUTF8(certURL))
	}
	at := 0
	if notification {
		w.key("UnsubscribeURL")
		at = w.buf.Len()
		w.str(ev.UnsubscribeURL)
		if len(ev.Attributes) > 0 {
			w.attributes(ev.Attributes)
		}
	}
	w.buf.WriteString("\n}")
	return w.buf.Bytes(), at, nil
}

// envelopeWriter writes AWS's layout: "{\n  \"Key\" : value,\n ...\n}".
type envelopeWriter struct {
	buf bytes.Buffer
	n   int
}

func (w *envelopeWriter) key(k string) {
	if w.n > 0 {
		w.buf.WriteByte(',')
	}
	w.n++
	w.buf.WriteString("\n  ")
	w.str(k)
	w.buf.WriteString(" : ")
}

func (w *envelopeWriter) field(k, v string) {
	w.key(k)
	w.str(v)
}

// str writes s as a JSON string, with <, > and & as they are (AWS does not
// escape them).
func (w *envelopeWriter) str(s string) {
	if plainJSON(s) {
		w.buf.Grow(len(s) + 2)
		w.buf.WriteByte('"')
		w.buf.WriteString(s)
		w.buf.WriteByte('"')
		return
	}
	enc := json.NewEncoder(&w.buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)               // a string always encodes
	w.buf.Truncate(w.buf.Len() - 1) // Encode's newline
}

// plainJSON reports whether s is its own JSON string's content: printable
// ASCII other than '"' and '\\', which encoding/json writes as they are.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func (w *envelopeWriter) attributes(attrs map[string]MessageAttribute) {
	w.key("MessageAttributes")
	w.buf.WriteString("{")
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, n := range names {
		a := attrs[n]
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.buf.WriteString("\n    ")
		w.str(validUTF8(n))
		w.buf.WriteString(` : {"Type":`)
		w.str(validUTF8(a.DataType))
		w.buf.WriteString(`,"Value":`)
		if strings.HasPrefix(a.DataType, "Binary") {
			w.str(base64.StdEncoding.EncodeToString(a.BinaryValue))
		} else {
			w.str(validUTF8(a.StringValue))
		}
		w.buf.WriteString("}")
	}
	w.buf.WriteString("\n  }")
}

// validUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as encoding/json writes it.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
