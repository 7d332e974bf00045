package cli

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

var testHelp = Help{
	Synopsis: "signalbox thing [--n N] FILE...",
	Summary:  "Do the thing to every FILE.",
	Example:  "signalbox thing --n 2 a.json\nsignalbox thing b.json",
}

func parse(args ...string) (rest []string, code int, ok bool, stdout, stderr string, n int) {
	var out, errOut bytes.Buffer
	fs := flag.NewFlagSet("thing", flag.ContinueOnError)
	fs.SetOutput(&errOut)
	np := fs.Int("n", 1, "how many times")
	rest, code, ok = Parse(fs, testHelp, args, &out)
	return rest, code, ok, out.String(), errOut.String(), *np
}

func TestParseHelpGoesToStdoutWithExitZero(t *testing.T) {
	for _, flag := range []string{"-h", "--help", "-help"} {
		_, code, ok, stdout, stderr, _ := parse("a.json", flag)
		require.False(t, ok)
		require.Equal(t, 0, code)
		require.Empty(t, stderr)
		require.Equal(t, `usage: signalbox thing [--n N] FILE...

Do the thing to every FILE.

example:
  signalbox thing --n 2 a.json
  signalbox thing b.json

flags:
  -n int
    	how many times (default 1)
`, stdout)
	}
}

func TestParseWrongFlagExitsTwoWithTheSynopsis(t *testing.T) {
	_, code, ok, stdout, stderr, _ := parse("--m", "3")
	require.False(t, ok)
	require.Equal(t, 2, code)
	require.Empty(t, stdout)
	require.Equal(t, "flag provided but not defined: -m\nusage: signalbox thing [--n N] FILE...\nRun 'signalbox thing --help' for what it does, an example and its flags.\n", stderr)
}

func TestParseFlagsAmongArguments(t *testing.T) {
	rest, code, ok, _, _, n := parse("a.json", "--n", "3", "b.json", "--", "--n")
	require.True(t, ok)
	require.Equal(t, 0, code)
	require.Equal(t, 3, n)
	require.Equal(t, []string{"a.json", "b.json", "--n"}, rest)
}

func TestHelpCommandName(t *testing.T) {
	require.Equal(t, "signalbox bench durable", Help{Synopsis: "signalbox bench durable [--persistence P]"}.command())
	require.Equal(t, "signalbox start", Help{Synopsis: "signalbox start NAME|ARN [--input JSON]"}.command())
	require.Equal(t, "signalbox version", Help{Synopsis: "signalbox version"}.command())
}
