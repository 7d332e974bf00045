package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMetaRoundTrip(t *testing.T) {
	t.Parallel()
	for _, values := range [][]string{
		nil,
		{"arn:aws:states:us-east-1:123456789012:stateMachine:sm"},
		{"a", "", "c"}, // an empty value in the middle keeps its place
		{"12:34", "5:", ":", "\x00\x1f\xff", "ünïcödé"},
		{"a", "b", "", "", ""}, // trailing empties are dropped, read back as absent
	} {
		h := map[string]string{}
		require.NoError(t, unpackMeta(packMeta(values...), h))
		kept := len(values)
		for kept > 0 && values[kept-1] == "" {
			kept--
		}
		want := map[string]string{}
		for i, v := range values[:kept] {
			want[metaFields[i]] = v
		}
		require.Equal(t, want, h, "values %q", values)
	}
	all := make([]string, len(metaFields))
	for i := range all {
		all[i] = metaFields[i] + "-value"
	}
	h := map[string]string{}
	require.NoError(t, unpackMeta(packMeta(all...), h))
	require.Len(t, h, len(metaFields))
	require.Equal(t, "ptoken-value", h[fieldParentToken])
}

func TestMetaCorrupt(t *testing.T) {
	t.Parallel()
	full := make([]string, len(metaFields))
	for i := range full {
		full[i] = "v"
	}
	for _, s := range []string{"x", "3:ab", "-1:", "2", ":a", "99999999999999999999:a", packMeta(full...) + "1:a"} {
		require.Error(t, unpackMeta(s, map[string]string{}), "%q", s)
	}
}

// An execution hash written before fieldMeta, with each field apart,
// reads as it did.
func TestExecutionGetFieldsApart(t *testing.T) {
	t.Parallel()
	c := openTest(t, Options{Embedded: true})
	ctx := context.Background()
	id := ExecutionID(testARN, "old")
	require.NoError(t, c.rdb.HSet(ctx, c.keys.ExecutionKey(id),
		fieldARN, testARN, fieldName, "old", fieldDefinition, "d3f", fieldStatus, "SUCCEEDED",
		fieldInput, `{"a":1}`, fieldOutput, `{"b":2}`, fieldError, "", fieldCause, "",
		fieldStart, "1767323045006", fieldStop, "1767323046006", fieldTrace, "t1", fieldSpan, "s1",
		fieldRole, "arn:aws:iam::123456789012:role/r", fieldEvents, "7", fieldOutbox, "0",
		fieldParent, "arn:parent", fieldParentToken, "tok", fieldParentMode, "sync").Err())
	x, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, testARN, x.StateMachineARN)
	require.Equal(t, "old", x.Name)
	require.Equal(t, "d3f", x.DefinitionSHA)
	require.Equal(t, int64(1767323045006), x.StartDate.UnixMilli())
	require.Equal(t, int64(1767323046006), x.StopDate.UnixMilli())
	require.Equal(t, "t1", x.TraceID)
	require.Equal(t, "arn:aws:iam::123456789012:role/r", x.RoleARN)
	require.Equal(t, int64(7), x.Events)
	require.Equal(t, &ParentLink{ExecutionARN: "arn:parent", Token: "tok", Mode: "sync"}, x.Parent)

	require.NoError(t, c.rdb.HSet(ctx, c.keys.ExecutionKey(id), fieldMeta, "5:ab").Err())
	_, err = c.ExecutionGet(ctx, id)
	require.ErrorIs(t, err, ErrCorrupt)
}

func FuzzUnpackMeta(f *testing.F) {
	f.Add(packMeta("arn:aws:states:us-east-1:1:stateMachine:sm", "name", "sha", "1767323045006"))
	f.Add("3:abc0:")
	f.Add("1:")
	f.Fuzz(func(t *testing.T, s string) {
		h := map[string]string{}
		if err := unpackMeta(s, h); err != nil {
			return
		}
		values := make([]string, len(metaFields))
		for i, k := range metaFields {
			values[i] = h[k]
		}
		h2 := map[string]string{}
		require.NoError(t, unpackMeta(packMeta(values...), h2))
		for k, v := range h2 {
			require.Equal(t, h[k], v)
		}
	})
}
