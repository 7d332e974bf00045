package config

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/integrations/function"
)

// The functions section: functions (AWS Lambda's semantics,
// integrations/function), created or updated at start:
//
//	functions:
//	  - name: resize
//	    endpoint: http://127.0.0.1:9000/resize   # an HTTP function: the event is POSTed there
//	  - name: thumbnail
//	    executable: bin/thumbnail                # a Runtime API program (relative to this file)
//	  - name: orders
//	    zip: build/orders.zip                    # a .zip deployment package: its bootstrap runs
//	    handler: bootstrap                       # or the file it names
//	    runtime: provided.al2023                 # the default for a package
//	    description: Takes orders
//	    environment: {STAGE: dev, API_KEY: "${API_KEY}"}
//	    timeout: 30                              # seconds, 1-900 (3)
//	    memorySize: 256                          # MB, 128-10240 (128)
//	    reservedConcurrency: 10                  # left out: none set by the file
//	    tags: {team: shop}
//	    publish: true                            # publish $LATEST as a version (none when unchanged)
//	    aliases:
//	      - {name: live, version: published}     # the version publish made (or the latest one)
//	      - {name: dev, version: $LATEST}        # or a version number
//
// Exactly one of endpoint, executable and zip is given. ApplyFunctions
// (below) applies them before the state machines' other sections need
// them.

// Function is a function of the file.
type Function struct {
	Name string
	// Endpoint, Executable (absolute) and Zip (the package's bytes): one
	// is set. ZipFile is the path the package was read from.
	Endpoint, Executable string
	Zip                  []byte
	ZipFile              string
	Handler, Runtime     string
	Description          *string
	Environment          map[string]string
	Timeout, MemorySize  *int
	ReservedConcurrency  *int
	Tags                 map[string]string
	Publish              bool
	Aliases              []FunctionAlias
	index                int // in functions, for ApplyFunctions' problems
}

// FunctionAlias is an alias of a function of the file: Version is
// "$LATEST", a version number, or "published" (the version publish made,
// or the function's latest).
type FunctionAlias struct {
	Name, Version string
	index         int
}

// versionPublished names the version publish made.
const versionPublished = "published"

// decodeFunctions reads the functions section. The file's shape is
// checked here (names present and distinct, one kind of code, files
// readable); what the function service takes is its to say when the file
// is applied (ApplyFunctions).
func decodeFunctions(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	dir := filepath.Dir(c.File)
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		f := Function{index: len(c.Functions), Tags: map[string]string{}}
		if resolve(item).Kind != yaml.MappingNode {
			d.mapping(item, p, nil) // says what it is
			return
		}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":     func(n *yaml.Node, p string) { f.Name = d.str(n, p) },
			"endpoint": func(n *yaml.Node, p string) { f.Endpoint = d.str(n, p) },
			"executable": func(n *yaml.Node, p string) {
				if f.Executable = d.str(n, p); f.Executable != "" && !filepath.IsAbs(f.Executable) {
					f.Executable = filepath.Join(dir, f.Executable)
				}
			},
			"zip": func(n *yaml.Node, p string) {
				if f.ZipFile = d.str(n, p); f.ZipFile != "" {
					f.Zip = readPackage(d, n, p, dir, f.ZipFile)
				}
			},
			"handler":     func(n *yaml.Node, p string) { f.Handler = d.str(n, p) },
			"runtime":     func(n *yaml.Node, p string) { f.Runtime = d.str(n, p) },
			"description": func(n *yaml.Node, p string) { f.Description = ptr(d.str(n, p)) },
			"environment": func(n *yaml.Node, p string) {
				f.Environment = map[string]string{}
				d.pairs(n, p, func(k string, n *yaml.Node, p string) { f.Environment[k] = d.scalar(n, p) })
			},
			"timeout":             func(n *yaml.Node, p string) { f.Timeout = ptr(d.integer(n, p)) },
			"memorySize":          func(n *yaml.Node, p string) { f.MemorySize = ptr(d.integer(n, p)) },
			"reservedConcurrency": func(n *yaml.Node, p string) { f.ReservedConcurrency = ptr(d.integer(n, p)) },
			"tags":                func(n *yaml.Node, p string) { d.tags(n, p, f.Tags) },
			"publish":             func(n *yaml.Node, p string) { f.Publish = d.boolean(n, p) },
			"aliases":             func(n *yaml.Node, p string) { f.Aliases = decodeFunctionAliases(d, n, p) },
		})
		switch {
		case f.Name == "":
			d.fail(item, p+".name", "required")
		case seen[f.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", f.Name, seen[f.Name])
		default:
			seen[f.Name] = p
		}
		kinds := 0
		for _, set := range []bool{f.Endpoint != "", f.Executable != "", f.ZipFile != ""} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			d.fail(item, p, "give exactly one of endpoint (an HTTP function), executable (a Runtime API program) and zip (a deployment package)")
		}
		if f.Runtime != "" && f.ZipFile == "" {
			d.fail(lookupNode(item, "runtime"), p+".runtime", "a runtime is a deployment package's (zip); an endpoint or executable has none")
		}
		if f.Handler != "" && f.ZipFile == "" {
			d.fail(lookupNode(item, "handler"), p+".handler", "a handler is a deployment package's (zip): it names the program in it")
		}
		for _, a := range f.Aliases {
			if a.Version == versionPublished && !f.Publish {
				d.fail(lookupNode(item, "aliases"), fmt.Sprintf("%s.aliases[%d].version", p, a.index), "version published needs publish: true")
			}
		}
		c.Functions = append(c.Functions, f)
	})
}

func decodeFunctionAliases(d *decoder, n *yaml.Node, path string) []FunctionAlias {
	var out []FunctionAlias
	seen := map[string]bool{}
	d.list(n, path, func(item *yaml.Node, p string) {
		a := FunctionAlias{index: len(out)}
		if resolve(item).Kind != yaml.MappingNode {
			d.mapping(item, p, nil)
			return
		}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":    func(n *yaml.Node, p string) { a.Name = d.str(n, p) },
			"version": func(n *yaml.Node, p string) { a.Version = d.scalar(n, p) },
		})
		switch {
		case a.Name == "":
			d.fail(item, p+".name", "required")
		case seen[a.Name]:
			d.fail(lookupNode(item, "name"), p+".name", "the alias %q is given twice", a.Name)
		}
		seen[a.Name] = true
		if a.Version == "" {
			d.fail(item, p+".version", "required: $LATEST, a version number, or published")
		}
		out = append(out, a)
	})
	return out
}

// readPackage reads a deployment package (relative to dir), bounded by
// the direct upload's limit.
func readPackage(d *decoder, n *yaml.Node, path, dir, file string) []byte {
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		d.fail(n, path, "%s is not a regular file", file)
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		d.fail(n, path, "%v", err)
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, function.MaxZipBytes+1))
	switch {
	case err != nil:
		d.fail(n, path, "reading %s: %v", file, err)
		return nil
	case len(data) > function.MaxZipBytes:
		d.fail(n, path, "%s is larger than %d bytes, Lambda's limit of a package uploaded directly", file, function.MaxZipBytes)
		return nil
	}
	return data
}

// FunctionService is what ApplyFunctions needs of the function service
// (a *function.Service).
type FunctionService interface {
	CheckFunction(in *function.CreateFunctionInput) error
	FunctionARN(name string) string
	CreateFunction(ctx context.Context, in *function.CreateFunctionInput) (*function.FunctionConfiguration, error)
	GetFunction(ctx context.Context, name, qualifier string) (*function.GetFunctionOutput, error)
	UpdateFunctionCode(ctx context.Context, in *function.UpdateFunctionCodeInput) (*function.FunctionConfiguration, error)
	UpdateFunctionConfiguration(ctx context.Context, in *function.UpdateFunctionConfigurationInput) (*function.FunctionConfiguration, error)
	PublishVersion(ctx context.Context, in *function.PublishVersionInput) (*function.FunctionConfiguration, error)
	ListVersionsByFunction(ctx context.Context, name, marker string, maxItems int) (*function.ListFunctionsOutput, error)
	PutFunctionConcurrency(ctx context.Context, name string, n *int) (*function.Concurrency, error)
	TagResource(ctx context.Context, arn string, tags map[string]string) error
	GetAlias(ctx context.Context, name, alias string) (*function.AliasConfiguration, error)
	CreateAlias(ctx context.Context, in *function.AliasInput) (*function.AliasConfiguration, error)
	UpdateAlias(ctx context.Context, in *function.AliasInput) (*function.AliasConfiguration, error)
}

// createInput is the CreateFunction request a function of the file makes.
func (f *Function) createInput() *function.CreateFunctionInput {
	in := &function.CreateFunctionInput{FunctionName: f.Name, Description: f.Description, Timeout: f.Timeout,
		MemorySize: f.MemorySize, Tags: f.Tags, ReservedConcurrency: f.ReservedConcurrency}
	if f.Environment != nil {
		in.Environment = &function.Environment{Variables: f.Environment}
	}
	switch {
	case f.Endpoint != "":
		in.Runtime, in.Handler = function.RuntimeHTTP, f.Endpoint
	case f.Executable != "":
		in.Runtime, in.Handler = function.RuntimeExecutable, f.Executable
	default:
		in.Runtime, in.Handler = cmp.Or(f.Runtime, "provided.al2023"), cmp.Or(f.Handler, "bootstrap")
		in.Code = &function.FunctionCode{ZipFile: f.Zip}
	}
	return in
}

// ApplyFunctions makes the function service hold the file's functions.
// It first checks every function with the service's own checks (what
// CreateFunction would refuse), and when anything is wrong reports every
// problem and writes nothing. Then a missing function is created; an
// existing one gets the file's package (UpdateFunctionCode) when its
// CodeSha256 differs, and the file's configuration
// (UpdateFunctionConfiguration) when any of it differs; its reserved
// concurrency is set when the file gives one, tags missing are added;
// publish publishes $LATEST (a version is made only when it changed), and
// the aliases are created or pointed at their version. Nothing is
// deleted; applying an unchanged file changes nothing.
//
// It returns what it did to each function ("created orders", "updated
// orders: code, configuration", "unchanged resize").
func (c *Config) ApplyFunctions(ctx context.Context, svc FunctionService) ([]string, []Problem) {
	d := &decoder{file: c.File}
	for i := range c.Functions {
		f := &c.Functions[i]
		if err := svc.CheckFunction(f.createInput()); err != nil {
			c.itemProblem(d, "functions", f.index, functionField(err, f), err.Error())
		}
		for _, a := range f.Aliases {
			if a.Version != versionPublished && a.Version != "$LATEST" && strings.Trim(a.Version, "0123456789") != "" {
				c.itemProblem(d, "functions", f.index, fmt.Sprintf("aliases[%d].version", a.index), fmt.Sprintf("%q is not $LATEST, a version number, or published", a.Version))
			}
		}
	}
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	var done []string
	for i := range c.Functions {
		f := &c.Functions[i]
		what, err := applyFunction(ctx, svc, f)
		if err != nil {
			c.itemProblem(d, "functions", f.index, "", err.Error())
			continue
		}
		done = append(done, what)
	}
	return done, d.problems
}

// functionField is the field of a function of the file a service error
// is about, "" for the function's line.
func functionField(err error, f *Function) string {
	msg := err.Error()
	for _, m := range []struct{ word, field string }{{"'timeout'", "timeout"}, {"'memorySize'", "memorySize"},
		{"environment", "environment"}, {"'description'", "description"}, {"ReservedConcurrentExecutions", "reservedConcurrency"},
		{"tag", "tags"}, {"'functionName'", "name"}, {"'runtime'", "runtime"}} {
		if strings.Contains(msg, m.word) {
			return m.field
		}
	}
	switch {
	case f.Endpoint != "":
		return "endpoint"
	case f.Executable != "":
		return "executable"
	}
	return "zip"
}

// applyFunction creates or updates one function, and says what it did.
func applyFunction(ctx context.Context, svc FunctionService, f *Function) (string, error) {
	in := f.createInput()
	var changes []string
	got, err := svc.GetFunction(ctx, f.Name, "")
	switch {
	case errors.Is(err, function.ErrNotFound):
		if _, err := svc.CreateFunction(ctx, in); err != nil {
			return "", err
		}
		changes = append(changes, "created")
	case err != nil:
		return "", err
	default:
		cfg := got.Configuration
		if (cfg.Runtime == function.RuntimeHTTP || cfg.Runtime == function.RuntimeExecutable || in.Runtime == function.RuntimeHTTP ||
			in.Runtime == function.RuntimeExecutable) && cfg.Runtime != in.Runtime {
			return "", fmt.Errorf("the stored function %s is of runtime %s, the file's of %s: the kind of a function does not change (delete it first)", f.Name, cfg.Runtime, in.Runtime)
		}
		if in.Code != nil && cfg.CodeSha256 != function.PackageSha256(f.Zip) {
			if _, err := svc.UpdateFunctionCode(ctx, &function.UpdateFunctionCodeInput{FunctionName: f.Name, ZipFile: f.Zip}); err != nil {
				return "", err
			}
			changes = append(changes, "code")
		}
		if up, differs := configChanges(cfg, in); differs {
			if _, err := svc.UpdateFunctionConfiguration(ctx, up); err != nil {
				return "", err
			}
			changes = append(changes, "configuration")
		}
		if f.ReservedConcurrency != nil && (got.Concurrency == nil || got.Concurrency.ReservedConcurrentExecutions == nil ||
			*got.Concurrency.ReservedConcurrentExecutions != *f.ReservedConcurrency) {
			if _, err := svc.PutFunctionConcurrency(ctx, f.Name, f.ReservedConcurrency); err != nil {
				return "", err
			}
			changes = append(changes, "concurrency")
		}
		missing := map[string]string{}
		for k, v := range f.Tags {
			if have, ok := got.Tags[k]; !ok || have != v {
				missing[k] = v
			}
		}
		if len(missing) > 0 {
			if err := svc.TagResource(ctx, svc.FunctionARN(f.Name), missing); err != nil {
				return "", err
			}
			changes = append(changes, "tags")
		}
	}
	published := ""
	if f.Publish {
		before, err := latestVersion(ctx, svc, f.Name)
		if err != nil {
			return "", err
		}
		v, err := svc.PublishVersion(ctx, &function.PublishVersionInput{FunctionName: f.Name})
		if err != nil {
			return "", err
		}
		published = v.Version
		if published != before {
			changes = append(changes, "published "+published)
		}
	}
	for _, a := range f.Aliases {
		version := a.Version
		if version == versionPublished {
			version = published
		}
		cur, err := svc.GetAlias(ctx, f.Name, a.Name)
		switch {
		case errors.Is(err, function.ErrNotFound):
			if _, err := svc.CreateAlias(ctx, &function.AliasInput{FunctionName: f.Name, Name: a.Name, FunctionVersion: &version}); err != nil {
				return "", err
			}
			changes = append(changes, "alias "+a.Name)
		case err != nil:
			return "", err
		case cur.FunctionVersion != version:
			if _, err := svc.UpdateAlias(ctx, &function.AliasInput{FunctionName: f.Name, Name: a.Name, FunctionVersion: &version}); err != nil {
				return "", err
			}
			changes = append(changes, "alias "+a.Name)
		}
	}
	switch {
	case len(changes) == 0:
		return "unchanged " + f.Name, nil
	case changes[0] == "created":
		return strings.Join(append([]string{"created " + f.Name}, changes[1:]...), ", "), nil
	}
	return "updated " + f.Name + ": " + strings.Join(changes, ", "), nil
}

// latestVersion is the function's last published version ("" for none).
func latestVersion(ctx context.Context, svc FunctionService, name string) (string, error) {
	last, marker := "", ""
	for {
		page, err := svc.ListVersionsByFunction(ctx, name, marker, 10000)
		if err != nil {
			return "", err
		}
		if n := len(page.Versions); n > 0 && page.Versions[n-1].Version != "$LATEST" {
			last = page.Versions[n-1].Version
		}
		if page.NextMarker == "" {
			return last, nil
		}
		marker = page.NextMarker
	}
}

// configChanges is the UpdateFunctionConfiguration request that makes a
// stored configuration the file's, and whether anything differs. What the
// file leaves out is left as it is stored.
func configChanges(cfg *function.FunctionConfiguration, in *function.CreateFunctionInput) (*function.UpdateFunctionConfigurationInput, bool) {
	up := &function.UpdateFunctionConfigurationInput{FunctionName: in.FunctionName}
	differs := false
	if in.Runtime != cfg.Runtime {
		up.Runtime, differs = &in.Runtime, true
	}
	if in.Handler != cfg.Handler {
		up.Handler, differs = &in.Handler, true
	}
	if in.Description != nil && *in.Description != cfg.Description {
		up.Description, differs = in.Description, true
	}
	if in.Timeout != nil && *in.Timeout != cfg.Timeout {
		up.Timeout, differs = in.Timeout, true
	}
	if in.MemorySize != nil && *in.MemorySize != cfg.MemorySize {
		up.MemorySize, differs = in.MemorySize, true
	}
	if in.Environment != nil {
		var stored map[string]string
		if cfg.Environment != nil {
			stored = cfg.Environment.Variables
		}
		if !maps.Equal(stored, in.Environment.Variables) {
			up.Environment, differs = in.Environment, true
		}
	}
	return up, differs
}
