package codegen

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The two schemas every language's test compiles and round-trips: a
// discovered-style OpenAPI 3 schema (AWSEvent envelope, components with
// nested objects, arrays of objects, arrays of arrays, integers, numbers,
// booleans, date-times, a map, an enum, a nullable property, an inline
// object, a oneOf, a recursive reference and names that are keywords,
// start with a digit, hold a comma or non-ASCII letters, or differ only in
// case) and a JSON Schema draft 4 one in AWS's form (definitions, the
// envelope's properties at the root), each with a real event; and, to be
// compiled only, a schema of awkward names (every language's keywords and
// its bindings' own names, control characters, comment ends, escapes,
// non-ASCII, names alike but for case or punctuation, over-long names),
// types (arrays of arrays of classes, maps of arrays, enums, a null type)
// and references (to the root, to a class through allOf).
type testSchema struct {
	in    Input
	event string // testdata file; "" for the awkward schema
}

func testSchemas(t *testing.T) []testSchema {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []testSchema{
		{Input{RegistryName: "discovered-schemas", SchemaName: "com.example.shop@OrderPlaced", SchemaVersion: "1", Type: "OpenApi3", Content: read("discovered.json")}, "event.json"},
		{Input{RegistryName: "shipping", SchemaName: "ShipmentDelivered", SchemaVersion: "1", Type: "JSONSchemaDraft4", Content: read("draft4.json")}, "draft4-event.json"},
		{Input{RegistryName: "aws.events", SchemaName: "aws.partner-weird.com/1@Weird Event", SchemaVersion: "1", Type: "JSONSchemaDraft4", Content: read("awkward.json")}, ""},
		// compiled only: what the registry's discovery infers from event.json
		// (kept equal to it by integrations/schemas' TestDiscoveredSchemaGolden)
		{Input{RegistryName: "discovered-schemas", SchemaName: "com.example.shop.inferred@OrderPlaced", SchemaVersion: "1", Type: "OpenApi3", Content: read("inferred.json")}, ""},
	}
}

// writeBindings writes language's bindings of both schemas under dir.
func writeBindings(t *testing.T, language, dir string) []string {
	t.Helper()
	var paths []string
	for _, s := range testSchemas(t) {
		files, err := Generate(language, s.in)
		if err != nil {
			t.Fatalf("Generate(%s, %s): %v", language, s.in.SchemaName, err)
		}
		for p, src := range files {
			full := filepath.Join(dir, filepath.FromSlash(p))
			writeFile(t, full, string(src))
			paths = append(paths, full)
		}
	}
	return paths
}

// writeFile writes a file of a test's program, making its directory.
func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tool finds a language's tool; a missing one skips the test unless
// SIGNALBOX_CODEGEN_REQUIRE is set (CI sets it), where it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SIGNALBOX_CODEGEN_REQUIRE") != "" {
		t.Fatalf("%s is not installed (%v) and SIGNALBOX_CODEGEN_REQUIRE is set", name, err)
	}
	t.Skipf("%s is not installed (%v); set SIGNALBOX_CODEGEN_REQUIRE to make this a failure", name, err)
	return ""
}

// run runs a command in dir, failing the test with its output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// roundTrip runs the program (given the event file and the output file
// for each schema, in testSchemas' order) and compares each output with
// its event as JSON values; fix adjusts an expected event for a language's
// known difference.
func roundTrip(t *testing.T, dir string, fix func(i int, want map[string]any), name string, args ...string) {
	t.Helper()
	var outs []string
	for i, s := range testSchemas(t) {
		if s.event == "" {
			continue
		}
		ev, err := filepath.Abs(filepath.Join("testdata", s.event))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out"+string(rune('0'+i))+".json")
		args = append(args, ev, out)
		outs = append(outs, out)
	}
	run(t, dir, nil, name, args...)
	for i, s := range testSchemas(t) {
		if s.event == "" {
			continue
		}
		var want, got map[string]any
		b, _ := os.ReadFile(filepath.Join("testdata", s.event))
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if fix != nil {
			fix(i, want)
		}
		g, err := os.ReadFile(outs[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(g, &got); err != nil {
			t.Fatalf("%s: the marshalled event is not JSON: %v\n%s", s.event, err, g)
		}
		if !reflect.DeepEqual(want, got) {
			w, _ := json.MarshalIndent(want, "", " ")
			gi, _ := json.MarshalIndent(got, "", " ")
			t.Fatalf("%s: the round trip changed the event\nwant %s\ngot  %s", s.event, w, gi)
		}
	}
}
