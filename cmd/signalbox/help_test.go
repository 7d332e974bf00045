package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// commandsWithHelp is every command of the binary, each with its help.
var commandsWithHelp = [][]string{
	{"validate"}, {"run"}, {"serve"}, {"worker"}, {"start"}, {"describe"}, {"history"}, {"list"}, {"version"},
	{"bench"}, {"bench", "durable"}, {"bench", "gateway"}, {"bench", "queue"}, {"bench", "topic"}, {"bench", "bus"}, {"bench", "jsonata"},
}

// requireHelp runs `BIN COMMAND... FLAG` for --help and -h, and requires
// exit status 0 and, on stdout, the synopsis, what the command does, an
// example and the flags.
func requireHelp(t *testing.T, bin string, command []string) {
	t.Helper()
	for _, flag := range []string{"--help", "-h"} {
		cmd := exec.Command(bin, append(append([]string{}, command...), flag)...)
		res := runCmd(t, cmd)
		name := strings.Join(command, " ")
		require.Equal(t, 0, res.code, "%s %s: stderr %s", name, flag, res.stderr)
		require.True(t, strings.HasPrefix(res.stdout, "usage: signalbox "+name), "%s %s: no synopsis first:\n%s", name, flag, res.stdout)
		require.Contains(t, res.stdout, "\nexample:\n  signalbox "+command[0], "%s %s", name, flag)
		require.Empty(t, res.stderr, "%s %s", name, flag)
		if name != "version" {
			require.Contains(t, res.stdout, "\nflags:\n  -", "%s %s", name, flag)
		}
		// the summary: a paragraph between the synopsis and the example
		summary := strings.TrimSpace(res.stdout[strings.Index(res.stdout, "\n"):strings.Index(res.stdout, "\nexample:")])
		require.Greater(t, len(summary), 40, "%s %s: no summary", name, flag)
	}
}

func TestEveryCommandsHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, command := range commandsWithHelp {
		requireHelp(t, signalbox(t), command)
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		res := runCLI(t, "", args...)
		require.Equal(t, 0, res.code, "%v", args)
		require.Contains(t, res.stdout, "usage: signalbox <command>", "%v", args)
		require.Contains(t, res.stdout, "--data-dir")
	}
	// help COMMAND is COMMAND --help
	require.Equal(t, runCLI(t, "", "start", "--help"), runCLI(t, "", "help", "start"))
	// no command: the usage on stderr, exit 2
	res := runCLI(t, "")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "usage: signalbox <command>")
	// a wrong flag: exit 2, the synopsis and the way to the help on stderr
	res = runCLI(t, "", "list", "--bogus")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "flag provided but not defined: -bogus\nusage: signalbox list [STATE_MACHINE]")
	require.Contains(t, res.stderr, "Run 'signalbox list --help'")
	require.Empty(t, res.stdout)
}

// The version line: the module version and commit Go recorded.
func TestDescribeBuild(t *testing.T) {
	t.Parallel()
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", rev, "vcs.time", "2026-12-06T18:59:00Z", "vcs.modified", "true")},
			"signalbox (devel), commit " + rev + " (2026-12-06T18:59:00Z, modified), go1.26.0"},
		{debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}},
			"signalbox v1.2.3, commit unknown, go1.26.0"},
		{debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20261206185900-0123456789ab"}},
			"signalbox v0.0.0-20261206185900-0123456789ab, commit 0123456789ab, go1.26.0"},
		{debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.4-0.20261206185900-0123456789ab"}},
			"signalbox v1.2.4-0.20261206185900-0123456789ab, commit 0123456789ab, go1.26.0"},
		{debug.BuildInfo{GoVersion: "go1.26.0"}, "signalbox (devel), commit unknown, go1.26.0"},
	} {
		require.Equal(t, tt.want, describeBuild(&tt.info))
	}
}

// A binary built with VCS stamping in a git checkout names the checkout's
// commit; `version` and `--version` print the same line.
func TestVersionNamesTheCommit(t *testing.T) {
	t.Parallel()
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout, or no git: ", err)
	}
	bin := filepath.Join(t.TempDir(), "signalbox")
	out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	res := runCmd(t, exec.Command(bin, "version"))
	require.Equal(t, 0, res.code)
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	require.NoError(t, err)
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err == nil && !fi.IsDir() {
		// go finds a git checkout by its .git directory; a worktree's is a file
		require.Contains(t, res.stdout, ", commit unknown")
		t.Skip("a git worktree: go build records no VCS information")
	}
	require.Regexp(t, `^signalbox v\S+, commit `+strings.TrimSpace(string(head))+` \(\d{4}-\d\d-\d\dT[^)]*\), go1\.\d+`, res.stdout)
	require.Equal(t, res, runCmd(t, exec.Command(bin, "--version")))
}
