// Package testbin builds the signalbox binary for tests that run it as a
// child process: once per test binary, into a directory TestMain removes.
package testbin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	dir       string
	buildOnce sync.Once
	path      string
	buildErr  error
)

// Main runs a package's tests with a temporary directory for the binary,
// then removes it and exits: call it from TestMain.
func Main(m *testing.M) {
	d, err := os.MkdirTemp("", "signalbox-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir = d
	code := m.Run()
	_ = os.RemoveAll(d)
	os.Exit(code)
}

// Path returns the path of the signalbox binary, building it with go build
// on first use.
func Path(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if dir == "" {
			buildErr = errors.New("testbin: TestMain did not call testbin.Main")
			return
		}
		path = filepath.Join(dir, "signalbox")
		out, err := exec.Command("go", "build", "-o", path, "github.com/signalbox/signalbox/cmd/signalbox").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return path
}
