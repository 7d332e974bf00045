// Package codegen writes code bindings for a schema, as the EventBridge
// schema registry's PutCodeBinding / GetCodeBindingSource do: typed event
// classes with marshalling helpers for Java 8+, Python 3.6+, TypeScript 3+
// and Go, from a schema in OpenAPI 3 form (the registry's discovered
// schemas: components.schemas.AWSEvent wrapping the detail's type, with
// x-amazon-events-source and x-amazon-events-detail-type) or JSON Schema
// draft 4.
//
// This file is the package's contract; the implementation replaces the
// bodies.
package codegen

import "errors"

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
func Generate(language string, in Input) (map[string][]byte, error) {
	return nil, errors.New("codegen: not implemented")
}
