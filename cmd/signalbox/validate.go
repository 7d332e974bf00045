package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/internal/aslfile"
	"github.com/signalbox/signalbox/internal/cli"
)

// fileDiagnostic is a diagnostic of one file, at its line (0: unknown).
type fileDiagnostic struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	diag.Diagnostic
}

// String is the diagnostic as a line of text: "FILE:LINE: PATH CODE
// MESSAGE", as compilers and `serve --config` put it.
func (d fileDiagnostic) String() string {
	loc := d.File
	if d.Line > 0 {
		loc += ":" + strconv.Itoa(d.Line)
	}
	return loc + ": " + cmp.Or(d.Path, "/") + " " + d.Code + " " + d.Message
}

// validateFile reads a definition file, JSON or YAML (aslfile), and
// returns its diagnostics, each at its line in the file.
func validateFile(file string) []fileDiagnostic {
	data, err := os.ReadFile(file)
	if err != nil {
		return []fileDiagnostic{{File: file, Diagnostic: diag.Diagnostic{Code: "FILE_UNREADABLE", Message: err.Error()}}}
	}
	def, err := aslfile.Parse(file, data)
	var ye *aslfile.Error
	if errors.As(err, &ye) {
		return []fileDiagnostic{{File: file, Line: ye.Line, Diagnostic: diag.Diagnostic{Code: aslfile.InvalidYAML, Message: ye.Message}}}
	}
	var out []fileDiagnostic
	for _, d := range asl.Validate(def.JSON) {
		line := def.Line(d.Path)
		if d.Code == diag.InvalidJSON {
			line = aslfile.JSONErrorLine(def.JSON)
		}
		out = append(out, fileDiagnostic{File: file, Line: line, Diagnostic: d})
	}
	return out
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the diagnostics as a JSON array")
	files, code, ok := cli.Parse(fs, helpValidate, args, stdout)
	if !ok {
		return code
	}
	if len(files) == 0 {
		cli.Usage(stderr, helpValidate)
		return 2
	}
	all := []fileDiagnostic{}
	for _, f := range files {
		all = append(all, validateFile(f)...)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(all)
	} else {
		for _, d := range all {
			fmt.Fprintln(stdout, d.String())
		}
	}
	if len(all) > 0 {
		return 1
	}
	return 0
}
