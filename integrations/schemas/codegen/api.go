// Package codegen writes code bindings for a schema, as the EventBridge
// schema registry's PutCodeBinding / GetCodeBindingSource do: typed event
// classes with marshalling helpers for Java 8+, Python 3.6+, TypeScript 3+
// and Go, from a schema in OpenAPI 3 form (the registry's discovered
// schemas: components.schemas.AWSEvent wrapping the detail's type, with
// x-amazon-events-source and x-amazon-events-detail-type) or JSON Schema
// draft 4.
//
// The schema is read into classes (model.go) once per call; each language
// writes them (golang.go, java.go, python.go, typescript.go). Names follow
// naming.go; what a language cannot type becomes its generic JSON value.
package codegen

import (
	"fmt"
)

// The languages, as the Schemas API names them.
const (
	Java8       = "Java8"
	Python36    = "Python36"
	TypeScript3 = "TypeScript3"
	Go1         = "Go1"
)

// Languages lists the languages Generate writes.
func Languages() []string { return []string{Java8, Python36, TypeScript3, Go1} }

// Input is the schema to write bindings for.
type Input struct {
	RegistryName  string
	SchemaName    string
	SchemaVersion string
	Type          string // "OpenApi3" or "JSONSchemaDraft4"
	Content       []byte
}

// Generate returns the bindings for in in language: the source files by
// their path in the archive GetCodeBindingSource serves (a zip of them).
// A schema over the limits in document.go, or not a JSON object, is an
// error; Generate never panics.
func Generate(language string, in Input) (files map[string][]byte, err error) {
	// A bug here must not take the registry down with it: a panic is
	// reported as the failed generation AWS's CodeGenerationStatus has.
	defer func() {
		if r := recover(); r != nil {
			files, err = nil, fmt.Errorf("codegen: %s bindings of %s failed: %v", language, in.SchemaName, r)
		}
	}()
	return generate(language, in)
}

// generate is Generate without the recover, which the fuzz test calls.
func generate(language string, in Input) (map[string][]byte, error) {
	var gen func(*model) (map[string][]byte, error)
	switch language {
	case Java8:
		gen = generateJava
	case Python36:
		gen = generatePython
	case TypeScript3:
		gen = generateTypeScript
	case Go1:
		gen = generateGo
	default:
		return nil, fmt.Errorf("codegen: language %q is not one of Java8, Python36, TypeScript3, Go1", language)
	}
	m, err := buildModel(in)
	if err != nil {
		return nil, fmt.Errorf("codegen: %w", err)
	}
	return gen(m)
}
