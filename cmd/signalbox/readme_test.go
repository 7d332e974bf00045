package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// repoRoot is the top of the repository, where the README's commands run.
const repoRoot = "../.."

// readmeSection returns the README's section under the heading (a "## "
// line), up to the next one.
func readmeSection(t *testing.T, readme, heading string) string {
	t.Helper()
	start := strings.Index(readme, "\n"+heading+"\n")
	require.GreaterOrEqual(t, start, 0, "the README has no %q", heading)
	body := readme[start+len(heading)+2:]
	if end := strings.Index(body, "\n## "); end >= 0 {
		body = body[:end]
	}
	return body
}

// The README tells a newcomer how to get the binary on its first screen;
// the binary built as it says runs every client command against a serve it
// started, and every command's --help; the tour section runs as written.
func TestREADME(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	readme := string(data)
	const install = "go install github.com/signalbox/signalbox/cmd/signalbox@latest"
	const build = "go build -o signalbox ./cmd/signalbox"
	firstScreen := strings.Join(strings.SplitN(readme, "\n", 41)[:40], "\n")
	require.Contains(t, firstScreen, install, "the README's first screen says how to install the binary")
	require.Contains(t, firstScreen, build, "the README's first screen says how to build the binary")
	two := readmeSection(t, readme, "## The two commands")
	require.Contains(t, two, "\n    go test ./...\n", "the test command, as .ci/run runs it")
	ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	require.NoError(t, err)
	require.Contains(t, string(ci), "\ngo test ./...\n")

	// The binary, built as the README says.
	bin := filepath.Join(t.TempDir(), "signalbox")
	cmd := exec.Command("go", strings.Fields(strings.Replace(build, "-o signalbox", "-o "+bin, 1))[1:]...)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s: %s", build, out)

	t.Run("client commands", func(t *testing.T) {
		t.Parallel()
		readmeClientCommands(t, bin)
	})
	t.Run("help", func(t *testing.T) {
		t.Parallel()
		for _, command := range commandsWithHelp {
			requireHelp(t, bin, command)
		}
	})
	t.Run("tour", func(t *testing.T) {
		t.Parallel()
		runTour(t, readmeSection(t, readme, "## A five-minute tour"))
	})
}

// readmeClientCommands runs start, describe, history, list, validate, run
// and version with bin, the client commands against a serve of bin's.
func readmeClientCommands(t *testing.T, bin string) {
	dir := writeFiles(t, map[string]string{
		"echo.asl.json":  `{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","Result":{"echoed":true},"ResultPath":"$.echo","End":true}}}`,
		"signalbox.yaml": "stateMachines:\n  - {name: echo, definition: echo.asl.json}\n",
	})
	s := startServeBinary(t, bin, nil, "--config", filepath.Join(dir, "signalbox.yaml"))
	run := func(args ...string) cliRun {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), envEndpoint+"="+s.URL)
		res := runCmd(t, cmd)
		require.Equal(t, 0, res.code, "signalbox %s: %s", strings.Join(args, " "), res.stderr)
		return res
	}
	started := jsonObject(t, run("start", "echo", "--name", "x-1", "--input", `{"a":1}`, "--wait"))
	require.Equal(t, "SUCCEEDED", started["status"])
	require.JSONEq(t, `{"a":1,"echo":{"echoed":true}}`, started["output"].(string))
	arn := started["executionArn"].(string)
	require.Equal(t, "SUCCEEDED", jsonObject(t, run("describe", arn))["status"])
	require.Equal(t, "echo", jsonObject(t, run("describe", "echo"))["name"])
	history := jsonArray(t, run("history", arn))
	require.Equal(t, "ExecutionSucceeded", history[len(history)-1]["type"])
	require.Equal(t, []any{"echo"}, eachField(jsonArray(t, run("list")), "name"))
	require.Equal(t, []any{arn}, eachField(jsonArray(t, run("list", "echo")), "executionArn"))
	require.Empty(t, run("validate", filepath.Join(dir, "echo.asl.json")).stdout)
	var result map[string]any
	require.NoError(t, json.Unmarshal([]byte(run("run", filepath.Join(dir, "echo.asl.json"), "--input", `{"b":2}`).stdout), &result))
	require.Equal(t, map[string]any{"status": "SUCCEEDED", "output": map[string]any{"b": 2.0, "echo": map[string]any{"echoed": true}}}, result)
	require.Regexp(t, `^signalbox \S+, commit \S+`, run("version").stdout)
}

// tourBlock is one sh block of the tour, with the output lines shown after
// it.
type tourBlock struct {
	line  int // in the section, for messages
	code  string
	want  []string
	needs string // a program the block needs (<!-- tour: needs PROG -->); skipped without it
}

// tourBlocks reads the sh blocks of a README section.
func tourBlocks(section string) []tourBlock {
	lines := strings.Split(section, "\n")
	var blocks []tourBlock
	needs := ""
	fence := func(i int) (body []string, next int) {
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		return body, i + 1
	}
	for i := 0; i < len(lines); {
		line := lines[i]
		if m := regexp.MustCompile(`^<!-- tour: needs (\S+) -->$`).FindStringSubmatch(line); m != nil {
			needs = m[1]
			i++
			continue
		}
		if line != "```sh" {
			i++
			continue
		}
		b := tourBlock{line: i + 1, needs: needs}
		needs = ""
		var body []string
		body, i = fence(i)
		b.code = strings.Join(body, "\n")
		j := i
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j < len(lines) && lines[j] == "```text" {
			b.want, i = fence(j)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// runTour runs the section's sh blocks in order in one bash (-e, pipefail),
// the binary built into a directory of the test's and listening on a free
// port instead of 8080, and checks each block's output.
func runTour(t *testing.T, section string) {
	blocks := tourBlocks(section)
	require.GreaterOrEqual(t, len(blocks), 6, "the tour's sh blocks")
	bin := filepath.Join(t.TempDir(), "signalbox")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())
	var script strings.Builder
	for i, b := range blocks {
		if b.needs != "" {
			if _, err := exec.LookPath(b.needs); err != nil {
				t.Logf("tour block at line %d skipped: it needs %s, which is not installed", b.line, b.needs)
				continue
			}
		}
		code := strings.ReplaceAll(b.code, "-o signalbox ", "-o "+bin+" ")
		code = strings.ReplaceAll(code, "./signalbox", bin)
		code = strings.ReplaceAll(code, "8080", port)
		fmt.Fprintf(&script, "echo '@@tour %d@@'\n%s\n", i, code)
	}
	script.WriteString("echo '@@tour end@@'\n")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a net against a hang
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script.String())
	cmd.Dir = repoRoot
	// The environment of a newcomer's shell: none of Signalbox's or AWS's
	// settings (the AWS CLI's files included) from the test's.
	aws := t.TempDir()
	cmd.Env = []string{"AWS_CONFIG_FILE=" + filepath.Join(aws, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(aws, "credentials")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SIGNALBOX_") && !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the server it starts in the background too
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever a failed tour left running
	outputs := strings.Split(stdout.String(), "@@tour ")
	require.NoError(t, err, "the tour failed after block %s\nstdout:\n%s\nstderr:\n%s", lastBlock(outputs), stdout.String(), stderr.String())
	got := map[string]string{}
	for _, o := range outputs[1:] {
		n, text, _ := strings.Cut(o, "@@\n")
		got[n] = text
	}
	require.Contains(t, got, "end", "stdout:\n%s", stdout.String())
	for i, b := range blocks {
		text, ran := got[fmt.Sprint(i)]
		if !ran {
			continue
		}
		requireLinesInOrder(t, b, strings.ReplaceAll(text, port, "8080"))
	}
}

func lastBlock(outputs []string) string {
	n, _, _ := strings.Cut(outputs[len(outputs)-1], "@@")
	return n
}

// requireLinesInOrder requires each wanted line, "..." standing for any
// text, to be a line of out, in order.
func requireLinesInOrder(t *testing.T, b tourBlock, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	at := 0
	for _, w := range b.want {
		parts := strings.Split(w, "...")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
		found := false
		for ; at < len(lines); at++ {
			if re.MatchString(lines[at]) {
				found, at = true, at+1
				break
			}
		}
		require.True(t, found, "the tour block at line %d:\n%s\nprinted no line %q (in this order); it printed:\n%s", b.line, b.code, w, out)
	}
}
