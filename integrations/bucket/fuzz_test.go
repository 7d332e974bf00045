package bucket

import (
	"context"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// Fuzz targets: the readers and the key check take any bytes without a
// panic, and fail only with States.ItemReaderFailed.

func requireReaderFailure(t *testing.T, err error) {
	t.Helper()
	var ie *integrations.Error
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, ErrItemReaderFailed, ie.Name)
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,b\r\n\"x,\"\"y\"\"\",2", `{""k"":1},"[1]"`, `a\,b,c\\d,\e`, "\"unterminated", "a,a\n", ",\n,,,\n", "\\", "\"\"\"\"",
	} {
		f.Add(s, byte(','), false)
		f.Add(s, byte('|'), true)
	}
	f.Fuzz(func(t *testing.T, in string, delim byte, given bool) {
		c := &readConfig{inputType: "CSV", delim: delim, maxItems: 1000}
		if given {
			c.headers = []string{"x", "y", "z"}
		}
		items, err := parseCSV(context.Background(), strings.NewReader(in), c, nil)
		if err != nil {
			requireReaderFailure(t, err)
			return
		}
		for _, it := range items {
			m := it.(map[string]any)
			if given {
				require.Len(t, m, 3)
			}
			for _, v := range m {
				require.IsType(t, "", v) // every value a string
			}
		}
	})
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{"{\"a\":1}\n{\"a\":2}\n", "\n\n1\n", "[1,2]\r\n\"x\"", "{", "\xff\n", "1 2\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items, err := parseJSONL(context.Background(), strings.NewReader(in), 0, nil)
		if err != nil {
			requireReaderFailure(t, err)
			return
		}
		n := 0
		for line := range strings.SplitSeq(in, "\n") {
			if strings.TrimSpace(line) != "" {
				n++
			}
		}
		require.LessOrEqual(t, len(items), n)
	})
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{`[1,"a",{"b":[null]}]`, `[]`, `{"a":1}`, `[1,]`, `[1] x`, `[`, `["\ud800"]`, "[1e999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items, err := parseJSON(context.Background(), strings.NewReader(in), 0, nil)
		if err != nil {
			requireReaderFailure(t, err)
			return
		}
		// What streams in must be what the whole document decodes to.
		whole, err := asl.DecodeJSON([]byte(in))
		require.NoError(t, err, "streamed %q but it does not decode whole", in)
		if items == nil {
			items = []any{}
		}
		require.Equal(t, asl.EncodeJSON(whole), asl.EncodeJSON(items))
	})
}

func FuzzCheckKey(f *testing.F) {
	for _, s := range []string{"a", "a/b.json", "../x", "a//b", "/a", "a/./b", "a\x00", "ü/ß", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		if CheckKey(k) != nil {
			return
		}
		// An accepted key is a clean relative path that stays in its bucket.
		require.Equal(t, "/"+k, path.Clean("/"+k))
		require.False(t, strings.HasPrefix(k, "/"))
		require.LessOrEqual(t, len(k), MaxKeyBytes)
		require.NotContains(t, k, "\x00")
		for seg := range strings.SplitSeq(k, "/") {
			require.NotEqual(t, "..", seg)
		}
	})
}
