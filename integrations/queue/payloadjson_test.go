package queue

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

var payloadSamples = []payload{
	{Body: "hello", MD5Body: md5Hex([]byte("hello")), Sent: 1767323045000, Sender: "123456789012"},
	{Body: "", MD5Body: "x", Sent: 0},
	{Body: "héllo wörld ✓ 𝄞", MD5Body: "m", Sent: -5, Group: "g1", Dedup: "d1", SourceARN: "arn:aws:sqs:us-east-1:1:src"},
	{Body: `quote " and \ back`, MD5Body: "m", Sent: 1},
	{Body: "<tag> & amp", MD5Body: "m", Sent: 1},
	{Body: "line\nbreak\ttab", MD5Body: "m", Sent: 1},
	{Body: "sep\u2028sep\u2029", MD5Body: "m", Sent: 1},
	{Body: "bad \xff utf8", MD5Body: "m", Sent: 1},
	{Body: "b", MD5Body: "m", Sent: 1, Attrs: map[string]MessageAttribute{"k": {DataType: "String", StringValue: "v"}}},
	{Body: "b", MD5Body: "m", Sent: 1, Sys: map[string]MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: "Root=1"}}},
}

// marshalPayload writes what json.Marshal writes, and unmarshalPayload
// reads it back as json.Unmarshal does, escapes and attributes included.
func TestPayloadJSONAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, p := range payloadSamples {
		want, err := json.Marshal(&p)
		require.NoError(t, err)
		got, err := marshalPayload(&p)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))

		var a, b payload
		require.NoError(t, json.Unmarshal(want, &a))
		require.NoError(t, unmarshalPayload(want, &b))
		require.Equal(t, a, b)
	}
	// the fast path takes the common payload, and leaves the others
	var p payload
	b, _ := json.Marshal(&payloadSamples[0])
	require.True(t, fastUnmarshalPayload(b, &p))
	require.Equal(t, payloadSamples[0], p)
	for _, s := range []string{`{"b":"x\"y"}`, `{"a":{}}`, `{"b":"x","zz":1}`, `{"t":01}`, `{"t":1.5}`, `{ "b":"x"}`, `{"b":"x"} `, `{"b":"x",}`} {
		require.False(t, fastUnmarshalPayload([]byte(s), &p), s)
	}
}

// unmarshalPayload agrees with json.Unmarshal on any input: the same
// error or none, the same payload.
func FuzzUnmarshalPayload(f *testing.F) {
	for _, p := range payloadSamples {
		b, _ := json.Marshal(&p)
		f.Add(b)
	}
	for _, s := range []string{`{}`, `{"t":-0}`, `{"t":-}`, `{"b":"x","b":"y"}`, `null`, `{"t":1e3}`, `{"t":99999999999999999999}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got payload
		werr := json.Unmarshal(b, &want)
		gerr := unmarshalPayload(b, &got)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: json.Unmarshal %v, unmarshalPayload %v", b, werr, gerr)
		}
		if werr == nil {
			require.Equal(t, want, got)
		}
	})
}
