package codegen

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var safePath = regexp.MustCompile(`^schema(/[A-Za-z0-9_]+)+\.(java|py|ts|go)$`)

// FuzzGenerate feeds schema documents to every language's generator
// (without Generate's recover, so a panic fails): none may panic, and the
// Go bindings of any schema accepted must parse as Go.
func FuzzGenerate(f *testing.F) {
	for _, name := range []string{"discovered.json", "draft4.json", "awkward.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, name == "discovered.json", "com.example@Ev")
	}
	for _, seed := range []string{
		`{"openapi":"3.0.0","components":{"schemas":{"AWSEvent":{"properties":{"detail":{"$ref":"#/components/schemas/D"}}},"D":{"properties":{"a b":{"type":["integer","null"]},"":{"items":{"items":{}}},"😀":{"additionalProperties":{"$ref":"#/components/schemas/D"}}}}}}}`,
		`{"properties":{"x":{"$ref":"#/definitions/A"}},"definitions":{"A":{"$ref":"#/definitions/B"},"B":{"allOf":[{"$ref":"#/definitions/A"}]}}}`,
		`{"properties":{"\u0000\"*/\\u000a":{"type":"string","enum":["*/","\n"]},"class":{"properties":{"class":{"type":"object","properties":{"Class":{}}}}}}}`,
		`{"properties":{"x":{"$ref":"#/definitions/a~1b%20c"}},"definitions":{"a/b c":{"properties":{"y":{"type":"number"}}}}}`,
		`{"title":"2","properties":{"AWSEvent":{},"aws_event":{},"Marshal":{"properties":{"MarshalJSON":{},"a,b":{}}}}}`,
	} {
		f.Add([]byte(seed), strings.HasPrefix(seed, `{"openapi"`), "2fa@class")
	}
	f.Fuzz(func(t *testing.T, content []byte, openAPI bool, name string) {
		in := Input{SchemaName: name, Type: "JSONSchemaDraft4", Content: content}
		if openAPI {
			in.Type = "OpenApi3"
		}
		for _, l := range Languages() {
			start := time.Now()
			files, err := generate(l, in)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%s took %v", l, d)
			}
			if err != nil {
				continue
			}
			if len(files) == 0 {
				t.Fatalf("%s: no files and no error", l)
			}
			for p := range files {
				// The paths go into a zip users unpack: relative, plain.
				if !safePath.MatchString(p) || strings.Contains(p, "..") {
					t.Fatalf("%s: path %q", l, p)
				}
			}
			if l != Go1 {
				continue
			}
			fset := token.NewFileSet()
			for p, src := range files {
				if _, err := parser.ParseFile(fset, p, src, parser.AllErrors); err != nil {
					t.Fatalf("%s does not parse: %v\n%s", p, err, src)
				}
			}
		}
	})
}
