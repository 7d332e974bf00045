package intrinsic

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJavaRandom pins the generator to java.util.Random, whose outputs for
// these seeds are well known.
func TestJavaRandom(t *testing.T) {
	t.Parallel()
	require.Equal(t, int32(-1170105035), newJavaRandom(42).next(32))
	require.Equal(t, int32(-1155484576), newJavaRandom(0).next(32))
	require.Equal(t, int64(0), newJavaRandom(42).intn(10))

	r := newJavaRandom(7)
	for range 1000 {
		for _, n := range []int64{1, 2, 3, 64, 1000, 1 << 31, 1<<32 - 1} {
			v := r.intn(n)
			require.True(t, 0 <= v && v < n, "intn(%d) = %d", n, v)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	t.Parallel()
	tests := map[float64]string{
		1:                   "1.0",
		-2.5:                "-2.5",
		0.001:               "0.001",
		0.0001:              "1.0E-4",
		1.5e-7:              "1.5E-7",
		9999999:             "9999999.0",
		1e7:                 "1.0E7",
		123456789.123:       "1.23456789123E8",
		1e21:                "1.0E21",
		0.30000000000000004: "0.30000000000000004",
		-1e-300:             "-1.0E-300",
	}
	for f, want := range tests {
		require.Equal(t, want, javaDouble(f), "%v", f)
	}
	var zero float64
	require.Equal(t, "0.0", javaDouble(zero))
	require.Equal(t, "-0.0", javaDouble(-zero))
}

func TestParseTemplate(t *testing.T) {
	t.Parallel()
	tm, err := parseTemplate(`a{}b\{\}{}\\`, true)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b{}", `\`}, tm.texts)
	require.Equal(t, 2, tm.placeholders)

	tm, err = parseTemplate(`C:\dir {}`, false) // a runtime template keeps other backslashes
	require.NoError(t, err)
	require.Equal(t, []string{`C:\dir `, ""}, tm.texts)

	_, err = parseTemplate(`{`, false)
	require.ErrorIs(t, err, errUnmatchedBrace)
	_, err = parseTemplate(`{x}`, false)
	require.ErrorIs(t, err, errUnmatchedBrace)
}
