package queue

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMD5OfAttributes: digests that moto's SQS tests pin as what AWS
// returns (tests/test_sqs/test_sqs.py).
func TestMD5OfAttributes(t *testing.T) {
	t.Parallel()
	num := func(v string) MessageAttribute { return MessageAttribute{DataType: "Number", StringValue: v} }
	require.Equal(t, "235c5c510d26fb653d073faed50ae77c", md5OfAttributes(map[string]MessageAttribute{"timestamp": num("1493147359900")}))
	require.Equal(t, "994258b45346a2cc3f9cbb611aa7af30", md5OfAttributes(map[string]MessageAttribute{"timestamp": num("1493147359901")}))
	require.Equal(t, "36655e7e9d7c0e8479fa3f3f42247ae7", md5OfAttributes(map[string]MessageAttribute{"SOME_Valid.attribute-Name": num("1493147359900")}))
	require.Equal(t, "8ae21a7957029ef04146b42aeaa18a22", md5OfAttributes(map[string]MessageAttribute{
		"ccc":             {DataType: "String", StringValue: "testjunk"},
		"aaa":             {DataType: "Binary", BinaryValue: []byte{2, 3, 4}},
		"zzz":             num("0230.01"),
		"öther_encodings": {DataType: "String", StringValue: "Tüst"},
	}))
	require.Equal(t, "", md5OfAttributes(nil))
	require.Equal(t, "58fd9edd83341c29f1aebba81c31e257", md5Hex([]byte("derp")))
}

func TestMessageValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.create(t, "q", map[string]string{"MaximumMessageSize": "1024"})
	for name, c := range map[string]struct {
		in   SendInput
		code string
	}{
		"empty body":        {SendInput{}, "MissingParameter"},
		"control char":      {SendInput{Body: "a\x00b"}, "InvalidMessageContents"},
		"bad utf8":          {SendInput{Body: "a\xffb"}, "InvalidMessageContents"},
		"surrogate":         {SendInput{Body: "\uFFFE"}, "InvalidMessageContents"},
		"too big":           {SendInput{Body: string(repeat('a', 1025))}, "InvalidParameterValue"},
		"too big with attr": {SendInput{Body: string(repeat('a', 1000)), Attributes: map[string]MessageAttribute{"name": {DataType: "String", StringValue: string(repeat('b', 30))}}}, "InvalidParameterValue"},
		"11 attributes":     {SendInput{Body: "x", Attributes: attrs(11)}, "InvalidParameterValue"},
		"bad type":          {SendInput{Body: "x", Attributes: map[string]MessageAttribute{"a": {DataType: "Strin", StringValue: "v"}}}, "InvalidParameterValue"},
		"bad number":        {SendInput{Body: "x", Attributes: map[string]MessageAttribute{"a": {DataType: "Number", StringValue: "1e"}}}, "InvalidParameterValue"},
		"empty binary":      {SendInput{Body: "x", Attributes: map[string]MessageAttribute{"a": {DataType: "Binary"}}}, "InvalidParameterValue"},
		"amazon prefix":     {SendInput{Body: "x", Attributes: map[string]MessageAttribute{"Amazon.x": {DataType: "String", StringValue: "v"}}}, "InvalidParameterValue"},
		"double period":     {SendInput{Body: "x", Attributes: map[string]MessageAttribute{"a..b": {DataType: "String", StringValue: "v"}}}, "InvalidParameterValue"},
		"system attribute":  {SendInput{Body: "x", SystemAttributes: map[string]MessageAttribute{"Other": {DataType: "String", StringValue: "v"}}}, "InvalidParameterValue"},
	} {
		_, err := b.svc.Send(b.ctx, "q", []SendInput{c.in})
		require.Equal(t, c.code, codeOf(t, err), name)
	}
	// Accepted: custom types, a trace header, the largest body.
	res, err := b.svc.Send(b.ctx, "q", []SendInput{{Body: string(repeat('a', 1024)),
		SystemAttributes: map[string]MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793"}}}})
	require.NoError(t, err)
	require.NotEmpty(t, res[0].MD5OfSystemAttributes)
	_, err = b.svc.Send(b.ctx, "q", []SendInput{{Body: "x", Attributes: map[string]MessageAttribute{
		"n": {DataType: "Number.float", StringValue: "-1.5e10"}, "b": {DataType: "Binary.gif", BinaryValue: []byte{1}}}}})
	require.NoError(t, err)
	msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10, AttributeNames: []string{"AWSTraceHeader"}, MessageAttributeNames: []string{"n"}})
	require.Len(t, msgs, 2)
	if msgs[0].Body == "x" { // a standard queue: messages sent in one millisecond come in any order
		msgs[0], msgs[1] = msgs[1], msgs[0]
	}
	require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793", msgs[0].Attributes["AWSTraceHeader"])
	require.Equal(t, map[string]MessageAttribute{"n": {DataType: "Number.float", StringValue: "-1.5e10"}}, msgs[1].MessageAttributes)
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

func attrs(n int) map[string]MessageAttribute {
	m := map[string]MessageAttribute{}
	for i := range n {
		m[string(rune('a'+i))] = MessageAttribute{DataType: "String", StringValue: "v"}
	}
	return m
}

func TestCheckNumber(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"0", "-1", "1.5", ".5", "0230.01", "1e126", "-1e128", "12345678901234567890123456789012345678"} {
		require.True(t, checkNumber(v), v)
	}
	for _, v := range []string{"", "x", "1e127", "-1e129", "1.2.3", "123456789012345678901234567890123456789", "NaN", "Inf"} {
		require.False(t, checkNumber(v), v)
	}
}
