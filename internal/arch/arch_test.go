package arch

import (
	"bytes"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/signalbox/signalbox"

// anything stands for every package of ours.
const anything = "*"

// rule says which of our packages (by path below the module, each with
// the packages below it) the packages under from may import.
type rule struct {
	from string
	may  []string
}

// imports are the arrows of DESIGN.md for non-test files; the longest
// matching from wins. A package of ours no rule covers is a violation, so
// a new top-level folder has to be placed here on purpose.
var imports = []rule{
	{"asl", []string{"asl"}},
	{"store", []string{"store"}},
	{"integrations", []string{"integrations", "asl", "store"}},
	{"runtime", []string{"runtime", "integrations", "asl", "store"}},
	{"gateway", []string{"gateway", "runtime", "integrations", "asl"}},
	// the AWS protocols know no service and no runtime
	{"gateway/awsproto", nil},
	{"cmd", []string{anything}},
	{"examples", []string{anything}},
	// the internal helpers, where they are used today
	{"internal/conformance", []string{"asl"}}, // replays recorded AWS runs through asl
	{"internal/redisproc", nil},
	{"internal/managedredis", nil}, // serve --data-dir's redis-server
	{"internal/testclock", nil},
	{"internal/testbin", nil},
	{"internal/snstest", nil}, // an SNS http subscriber for tests, checking signatures on its own
	{"internal/arch", nil},
	{"internal/cli", nil},
	{"internal/aslfile", nil},                                          // definition files: JSON or YAML, and their lines
	{"internal/telemetry", []string{"runtime", "integrations", "asl"}}, // OTEL_* setup; the runtime's span ids, the span writer integrations define (its benchmark runs a machine)
	// the configuration file: the parts decode their sections (routes by
	// the gateway), so it sits where cmd does, below it
	{"internal/config", []string{"gateway", "runtime", "integrations", "asl", "internal/aslfile"}},
	// the bench tool: wiring, as cmd is
	{"internal/bench", []string{anything}},
}

// testImports are what test files may import besides imports: the test
// helpers, and the wiring a test needs to run its package for real.
var testImports = []rule{
	{"", []string{"internal/redisproc", "internal/testclock", "internal/testbin", "internal/snstest"}},
	// the gateway's tests build a runtime on a store of their own
	// (storetest) and damage that store (storefaults_test.go)
	{"gateway", []string{"store"}},
	// the runtime's tests read and damage stored records directly
	{"runtime", []string{"store"}},
	// the HTTP task's tests run it inside a durable runtime, end to end
	{"integrations/httptask", []string{"runtime", "store"}},
	// so do the sqs:sendMessage task's (.waitForTaskToken, Catch)
	{"integrations/queue", []string{"runtime"}},
	// the function tasks' tests run definitions calling functions in the
	// in-memory and durable runtimes, end to end
	{"integrations/function", []string{"runtime", "store"}},
	{"cmd", []string{anything}},
}

// listedPackage is one package of ours as `go list` describes it.
type listedPackage struct {
	path        string // below the module: "gateway/sfn"
	imports     []string
	testImports []string // of its _test.go files, both packages
}

// within reports whether path is prefix or a package below it; "" is the
// prefix of everything.
func within(path, prefix string) bool {
	return prefix == "" || prefix == anything || path == prefix || strings.HasPrefix(path, prefix+"/")
}

// ruleFor returns the may of the longest from matching path, and whether
// one did.
func ruleFor(rules []rule, path string) ([]string, bool) {
	best, found := -1, false
	var may []string
	for _, r := range rules {
		if within(path, r.from) && len(r.from) > best {
			best, may, found = len(r.from), r.may, true
		}
	}
	return may, found
}

func allowed(imp string, may []string) bool {
	return slices.ContainsFunc(may, func(p string) bool { return within(imp, p) })
}

// violations returns every import of ours that breaks the rules.
func violations(pkgs []listedPackage) []string {
	var bad []string
	for _, p := range pkgs {
		may, ok := ruleFor(imports, p.path)
		if !ok {
			bad = append(bad, p.path+": no rule places it")
			continue
		}
		for _, imp := range p.imports {
			if !allowed(imp, may) {
				bad = append(bad, p.path+" imports "+imp)
			}
		}
		extra := []string{}
		for _, r := range testImports {
			if within(p.path, r.from) {
				extra = append(extra, r.may...)
			}
		}
		for _, imp := range p.testImports {
			if imp != p.path && !allowed(imp, may) && !allowed(imp, extra) {
				bad = append(bad, p.path+" (tests) imports "+imp)
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// goList lists every package of the module with its imports of ours.
func goList(t *testing.T) []listedPackage {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not available")
	}
	cmd := exec.Command(goTool, "list", "-f", `{{.ImportPath}}|{{join .Imports ","}}|{{join .TestImports ","}},{{join .XTestImports ","}}`, "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	ours := func(list string) []string {
		var r []string
		for _, imp := range strings.Split(list, ",") {
			if within(imp, module) && imp != module {
				r = append(r, strings.TrimPrefix(imp, module+"/"))
			}
		}
		return r
	}
	var pkgs []listedPackage
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		require.Len(t, f, 3, line)
		pkgs = append(pkgs, listedPackage{path: strings.TrimPrefix(f[0], module+"/"), imports: ours(f[1]), testImports: ours(f[2])})
	}
	return pkgs
}

func TestImportsFollowTheArrows(t *testing.T) {
	t.Parallel()
	pkgs := goList(t)
	var listed []string
	for _, p := range pkgs {
		listed = append(listed, p.path)
	}
	for _, p := range []string{"asl", "store", "integrations", "runtime", "gateway", "cmd/signalbox"} {
		require.Contains(t, listed, p, "go list did not list every package")
	}
	require.Empty(t, violations(pkgs))
}

// TestViolations shows that each rule can fail, on synthetic packages.
func TestViolations(t *testing.T) {
	t.Parallel()
	pkgs := []listedPackage{
		{path: "asl", imports: []string{"asl/jpath", "runtime"}},
		{path: "asl/jpath", imports: []string{"store"}},
		{path: "store", imports: []string{"runtime", "gateway", "integrations"}, testImports: []string{"store/storetest", "internal/redisproc"}},
		{path: "integrations/queue", imports: []string{"store", "asl", "runtime"}},
		{path: "runtime", imports: []string{"store", "integrations", "asl", "gateway"}, testImports: []string{"store/storetest", "internal/testclock", "cmd/signalbox"}},
		{path: "gateway", imports: []string{"runtime", "store"}, testImports: []string{"store/storetest", "internal/redisproc", "internal/conformance"}},
		{path: "gateway/sfn", imports: []string{"gateway/awsproto", "runtime", "store/storetest"}},
		{path: "gateway/awsproto", imports: []string{"runtime"}},
		{path: "cmd/signalbox", imports: []string{"store", "gateway", "internal/redisproc"}, testImports: []string{"internal/conformance"}},
		{path: "internal/conformance", imports: []string{"asl", "runtime"}},
		{path: "console", imports: []string{"runtime"}},
	}
	require.Equal(t, []string{
		"asl imports runtime",
		"asl/jpath imports store",
		"console: no rule places it",
		"gateway (tests) imports internal/conformance",
		"gateway imports store",
		"gateway/awsproto imports runtime",
		"gateway/sfn imports store/storetest",
		"integrations/queue imports runtime",
		"internal/conformance imports runtime",
		"runtime (tests) imports cmd/signalbox",
		"runtime imports gateway",
		"store imports gateway",
		"store imports integrations",
		"store imports runtime",
	}, violations(pkgs))
}
