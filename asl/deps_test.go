package asl

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The asl packages are pure (see DESIGN.md): they import nothing of ours
// outside asl/, no third-party module but ojg, no standard package that
// does I/O, and they never read the clock nor draw randomness of their own.

const module = "github.com/signalbox/signalbox"

// allowedThirdParty are the module paths asl may depend on.
var allowedThirdParty = []string{"github.com/ohler55/ojg"}

// ioPackages are standard packages that do I/O or run processes. None may
// appear among asl's dependencies, direct or indirect. (os and syscall
// cannot be in this list: fmt imports os, which imports syscall. They are
// banned as direct imports instead.)
var ioPackages = []string{
	"crypto/rand", "database/sql", "io/ioutil", "log/syslog", "net",
	"os/exec", "os/signal", "os/user", "plugin",
}

// directlyBanned are standard packages asl's own files may not import:
// file and process access, logging, and the operating system's randomness.
// math/rand may be imported for seeded generators (a JSONata $random(seed)
// must repeat); its global functions are banned by TestNoClockNorGlobalRandom's AST
// check instead.
var directlyBanned = []string{
	"crypto/rand", "database/sql", "io/fs", "io/ioutil", "log",
	"net", "os", "path/filepath", "plugin", "runtime/cgo", "syscall", "unsafe",
}

// clockCalls are the functions of package time that read the wall clock or
// wait on it.
var clockCalls = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

// randConstructors are the functions of math/rand and math/rand/v2 that do
// not use the global source.
var randConstructors = map[string]bool{
	"New": true, "NewSource": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
}

// listedPackage is one line of `go list -deps`.
type listedPackage struct {
	path     string
	standard bool
	depOnly  bool // a dependency, not one of the packages listed
	imports  []string
}

// within reports whether path is prefix or a package below it.
func within(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func withinAny(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if within(path, p) {
			return true
		}
	}
	return false
}

// dependencyViolations returns what is wrong with the listed packages.
func dependencyViolations(pkgs []listedPackage) []string {
	var bad []string
	for _, p := range pkgs {
		switch {
		case within(p.path, module):
			if !within(p.path, module+"/asl") {
				bad = append(bad, p.path+": a package of ours outside asl/")
			}
		case !p.standard:
			if !withinAny(p.path, allowedThirdParty) {
				bad = append(bad, p.path+": a third-party package other than ojg")
			}
		case withinAny(p.path, ioPackages):
			bad = append(bad, p.path+": a standard package that does I/O")
		}
		if p.depOnly {
			continue
		}
		for _, imp := range p.imports {
			if withinAny(imp, directlyBanned) {
				bad = append(bad, p.path+" imports "+imp)
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// goList runs `go list -deps` on the asl packages from the module root.
func goList(t *testing.T) []listedPackage {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not available")
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", `{{.ImportPath}}|{{.Standard}}|{{.DepOnly}}|{{join .Imports ","}}`, "./asl/...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var pkgs []listedPackage
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		require.Len(t, f, 4, line)
		p := listedPackage{path: f[0], standard: f[1] == "true", depOnly: f[2] == "true"}
		if f[3] != "" {
			p.imports = strings.Split(f[3], ",")
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestASLDependencies(t *testing.T) {
	t.Parallel()
	pkgs := goList(t)
	var listed []string
	for _, p := range pkgs {
		if !p.depOnly {
			listed = append(listed, p.path)
		}
	}
	require.Contains(t, listed, module+"/asl", "go list did not list the asl packages")
	require.Contains(t, listed, module+"/asl/jpath")
	require.Empty(t, dependencyViolations(pkgs))
}

// TestDependencyViolations shows that each rule of TestASLDependencies can
// fail.
func TestDependencyViolations(t *testing.T) {
	t.Parallel()
	pkgs := []listedPackage{
		{path: module + "/asl", imports: []string{"fmt", "os", "math/rand/v2", module + "/asl/jpath", "github.com/ohler55/ojg/oj"}},
		{path: module + "/asl/jpath", imports: []string{"net/http"}},
		{path: module + "/aslx", depOnly: true},
		{path: module + "/runtime", depOnly: true},
		{path: "github.com/ohler55/ojg/oj", depOnly: true},
		{path: "github.com/ohler55/ojgx", depOnly: true},
		{path: "github.com/redis/go-redis/v9", depOnly: true},
		{path: "fmt", standard: true, depOnly: true, imports: []string{"os"}},
		{path: "os", standard: true, depOnly: true, imports: []string{"syscall"}},
		{path: "net/http", standard: true, depOnly: true},
		{path: "os/exec", standard: true, depOnly: true},
		{path: "crypto/internal/sysrand", standard: true, depOnly: true},
	}
	require.Equal(t, []string{
		"github.com/ohler55/ojgx: a third-party package other than ojg",
		"github.com/redis/go-redis/v9: a third-party package other than ojg",
		module + "/asl imports os",
		module + "/asl/jpath imports net/http",
		module + "/aslx: a package of ours outside asl/",
		module + "/runtime: a package of ours outside asl/",
		"net/http: a standard package that does I/O",
		"os/exec: a standard package that does I/O",
	}, dependencyViolations(pkgs))
}

// clockViolations returns, as "file:line: call", every use in the Go files
// under dir (test files and testdata excluded) of a time function that
// reads the clock or of a global math/rand function.
func clockViolations(t *testing.T, dir string) []string {
	t.Helper()
	var bad []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		bad = append(bad, fileClockViolations(fset, f)...)
		return nil
	})
	require.NoError(t, err)
	return bad
}

func fileClockViolations(fset *token.FileSet, f *ast.File) []string {
	var bad []string
	report := func(n ast.Node, what string) {
		pos := fset.Position(n.Pos())
		bad = append(bad, filepath.Base(pos.Filename)+":"+strconv.Itoa(pos.Line)+": "+what)
	}
	// The names under which the file imports time and math/rand.
	timeName, randName := "", ""
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := ""
		if imp.Name != nil {
			name = imp.Name.Name
		}
		switch path {
		case "time":
			timeName = cmpOr(name, "time")
		case "math/rand", "math/rand/v2":
			randName = cmpOr(name, "rand")
		default:
			continue
		}
		if name == "." {
			report(imp, "dot import of "+path)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		switch {
		case x.Name == timeName && clockCalls[sel.Sel.Name]:
			report(sel, "time."+sel.Sel.Name)
		case x.Name == randName && ast.IsExported(sel.Sel.Name) && !randConstructors[sel.Sel.Name] && !isRandType(sel.Sel.Name):
			report(sel, "rand."+sel.Sel.Name)
		}
		return true
	})
	return bad
}

// isRandType reports whether name is a type of math/rand(/v2), whose use
// (as in a parameter of type *rand.Rand) draws nothing.
func isRandType(name string) bool {
	switch name {
	case "Rand", "Source", "Source64", "PCG", "ChaCha8", "Zipf":
		return true
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestNoClockNorGlobalRandom checks every non-test Go file under asl/.
func TestNoClockNorGlobalRandom(t *testing.T) {
	t.Parallel()
	require.Empty(t, clockViolations(t, "."))
}

// TestClockViolations shows that the check finds each kind of use, in a
// synthetic source kept in testdata.
func TestClockViolations(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{
		"clock.go:13: time.Now",
		"clock.go:14: time.Since",
		"clock.go:15: time.Sleep",
		"clock.go:16: time.After",
		"clock.go:17: time.NewTicker",
		"clock.go:18: time.Now",
		"clock.go:19: rand.Intn",
		"clock.go:20: rand.Float64",
	}, clockViolations(t, filepath.Join("testdata", "clock")))
	require.Equal(t, []string{"dot.go:4: dot import of time"}, clockViolations(t, filepath.Join("testdata", "dotimport")))
}
