package conformance

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRecordedCasesMatchThemselves checks every case against its own
// expectation, and against results that differ from it.
func TestRecordedCasesMatchThemselves(t *testing.T) {
	t.Parallel()
	for _, c := range loadReal(t) {
		require.NoError(t, c.Check(c.Expected), c.Name)

		wrong := c.Expected
		wrong.Status = StatusTimedOut
		if c.Expected.Status == StatusTimedOut {
			wrong.Status = StatusFailed
		}
		require.ErrorContains(t, c.Check(wrong), "/status: ", c.Name)

		wrong = c.Expected
		wrong.HasOutput, wrong.Output = true, map[string]any{"wrapped": c.Expected.Output}
		require.Error(t, c.Check(wrong), c.Name)

		if c.Expected.Error != "" {
			wrong = c.Expected
			wrong.Error += "X"
			require.ErrorContains(t, c.Check(wrong), "/error: ", c.Name)
		}
		if m, ok := c.Expected.Output.(map[string]any); ok {
			wrong = c.Expected
			extra := make(map[string]any, len(m)+1)
			for k, v := range m {
				extra[k] = v
			}
			extra["signalbox-extra"] = true
			wrong.Output = extra
			require.EqualError(t, c.Check(wrong), "/output/signalbox-extra: unexpected, got true", c.Name)
		}
	}
}

// TestRecordedMasksMatchRealValues replaces every mask in the masked
// expectations with a value of the kind AWS would produce and checks that
// the result still matches.
func TestRecordedMasksMatchRealValues(t *testing.T) {
	t.Parallel()
	var masked int
	for _, c := range loadReal(t) {
		if !c.Placeholders {
			continue
		}
		m := newMasks(c.PlaceholderTokens)
		got := Result{
			Status:    c.Expected.Status,
			HasOutput: c.Expected.HasOutput,
			Output:    unmask(m, c.Expected.Output),
			Error:     unmaskString(m, c.Expected.Error),
			Cause:     unmaskString(m, c.Expected.Cause),
		}
		if got.Error != c.Expected.Error || got.Cause != c.Expected.Cause || !reflect.DeepEqual(got.Output, c.Expected.Output) {
			masked++
		}
		require.NoError(t, c.Check(got), c.Name)

		// Without its placeholders flag, the case no longer matches.
		strict := *c
		strict.Placeholders = false
		if !reflect.DeepEqual(got, c.Expected) {
			require.Error(t, strict.Check(got), c.Name)
		}
	}
	require.Equal(t, 101, masked, "every masked case holds a mask Check recognises")
}

// unmask returns v with every masked string replaced by a real-looking
// value.
func unmask(m *masks, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = unmask(m, x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = unmask(m, x)
		}
		return out
	case string:
		return unmaskString(m, v)
	}
	return v
}

func unmaskString(m *masks, s string) string {
	if m.whole[s] {
		return "Thu, 01 Jan 2026 10:00:00 GMT"
	}
	return m.inline.ReplaceAllStringFunc(s, func(token string) string {
		switch {
		case token == "<region>":
			return "eu-west-1"
		case token == "<partition>":
			return "aws"
		case token == "111111111111":
			return "123456789012"
		case strings.HasPrefix(token, "<uuid"):
			return "0b5c8c1e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
		}
		return "value-7f3a"
	})
}
