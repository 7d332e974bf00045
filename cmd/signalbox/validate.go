package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/internal/cli"
)

// fileDiagnostic is a diagnostic of one file, for --json.
type fileDiagnostic struct {
	File string `json:"file"`
	diag.Diagnostic
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
		data, err := os.ReadFile(f)
		if err != nil {
			all = append(all, fileDiagnostic{File: f, Diagnostic: diag.Diagnostic{Code: "FILE_UNREADABLE", Message: err.Error()}})
			continue
		}
		for _, d := range asl.Validate(data) {
			all = append(all, fileDiagnostic{File: f, Diagnostic: d})
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(all)
	} else {
		for _, d := range all {
			p := d.Path
			if p == "" {
				p = "/"
			}
			if len(files) > 1 {
				fmt.Fprintf(stdout, "%s: ", d.File)
			}
			fmt.Fprintf(stdout, "%s %s %s\n", p, d.Code, d.Message)
		}
	}
	if len(all) > 0 {
		return 1
	}
	return 0
}
