package sns

import (
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// xmlReflected is EncodeQueryResponse's answer by encoding/xml, for a
// result whose AppendXML it checks: the same type without the method.
type xmlReflected publishResult

// TestPublishResultXML holds Publish's hand-written answer to what
// encoding/xml writes from its tags, for ids plain and odd (escapes,
// control characters, invalid UTF-8, non-ASCII), with and without a
// sequence number, and a request id that needs escaping.
func TestPublishResultXML(t *testing.T) {
	for _, r := range []publishResult{
		{MessageID: "94f20ce6-13c5-43a0-9a9e-ca52d816e90b"},
		{MessageID: "94f20ce6-13c5-43a0-9a9e-ca52d816e90b", SequenceNumber: "10000000000000000001"},
		{MessageID: `<a&b>"c'd`, SequenceNumber: "\t\n\r"},
		{MessageID: "é\x00\xff\u2028x", SequenceNumber: "ok then <"},
		{},
	} {
		for _, id := range []string{"f187a3c1-376f-11df-8963-01868b7c937a", "<&>\"'"} {
			fast, err := awsproto.EncodeQueryResponse("Publish", XMLNS, &r, id)
			require.NoError(t, err)
			slow, err := awsproto.EncodeQueryResponse("Publish", XMLNS, (*xmlReflected)(&r), id)
			require.NoError(t, err)
			require.Equal(t, string(slow), string(fast))
			var back struct {
				Result struct {
					MessageID string `xml:"MessageId"`
				} `xml:"PublishResult"`
			}
			require.NoError(t, xml.Unmarshal(fast, &back))
		}
	}
}

// FuzzPublishResultXML: for any id and sequence number, the hand-written
// answer is encoding/xml's.
func FuzzPublishResultXML(f *testing.F) {
	f.Add("94f20ce6-13c5-43a0-9a9e-ca52d816e90b", "", "req")
	f.Add("<&>", "\xff\x00", "é")
	f.Fuzz(func(t *testing.T, id, seq, req string) {
		r := publishResult{MessageID: id, SequenceNumber: seq}
		fast, err := awsproto.EncodeQueryResponse("Publish", XMLNS, &r, req)
		require.NoError(t, err)
		slow, err := awsproto.EncodeQueryResponse("Publish", XMLNS, (*xmlReflected)(&r), req)
		require.NoError(t, err)
		require.Equal(t, string(slow), string(fast))
	})
}
