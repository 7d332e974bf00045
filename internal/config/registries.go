package config

import (
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// The registries section: the schema registry's registries and their
// schemas (the EventBridge Schemas API's), and discovery per bus:
//
//	registries:
//	  - name: shop
//	    description: Events of the shop
//	    tags: {team: shop}
//	    schemas:
//	      - name: com.example.shop@OrderPlaced
//	        type: OpenApi3                  # the default; or JSONSchemaDraft4
//	        content: schemas/order.json     # a file, relative to this file's directory
//	        description: An order was placed
//	      - name: Refund
//	        type: JSONSchemaDraft4
//	        content: {$schema: "http://json-schema.org/draft-04/schema#", type: object}   # a mapping, sent as JSON
//	buses:
//	  - name: orders
//	    discovery: true                     # a discoverer on the bus, STARTED; false: stopped
//
// ApplyRegistries (registryapply.go) applies them after the buses.

// SchemaRegistry is a registry of the file. Description nil when the file
// leaves it out (the stored registry's is kept).
type SchemaRegistry struct {
	Name        string
	Description *string
	Tags        map[string]string
	Schemas     []RegistrySchema
	index       int // in registries, for ApplyRegistries' problems
}

// RegistrySchema is a schema of a registry of the file: its latest
// version is the file's content and type. Description nil when the file
// leaves it out.
type RegistrySchema struct {
	Name, Type, Content string
	// File is the path content was read from; "" for a mapping.
	File        string
	Description *string
	Tags        map[string]string
	index       int // in its registry's schemas
}

// maxSchemaFile bounds a schema's file as read: the registry takes
// 100,000 characters of content, at most 4 bytes each.
const maxSchemaFile = 400_000

// typeOpenAPI3 is the schema type a schema of the file has when it names
// none (the one discovery infers).
const typeOpenAPI3 = "OpenApi3"

// decodeRegistries reads the registries section. Only the file's shape is
// checked here (names present and distinct, content given and readable):
// whether the registry takes a name, a type or a content is its to say
// when the file is applied (ApplyRegistries), at the line of the field.
func decodeRegistries(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		r := SchemaRegistry{index: len(c.Registries), Tags: map[string]string{}}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":        func(n *yaml.Node, p string) { r.Name = d.str(n, p) },
			"description": func(n *yaml.Node, p string) { r.Description = ptr(d.str(n, p)) },
			"tags":        func(n *yaml.Node, p string) { d.tags(n, p, r.Tags) },
			"schemas":     func(n *yaml.Node, p string) { r.Schemas = decodeSchemas(d, n, p, filepath.Dir(c.File)) },
		})
		switch {
		case r.Name == "":
			d.fail(item, p+".name", "required")
		case seen[r.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", r.Name, seen[r.Name])
		default:
			seen[r.Name] = p
		}
		c.Registries = append(c.Registries, r)
	})
}

// decodeSchemas reads a registry's schemas; a content given as a path is
// read from dir.
func decodeSchemas(d *decoder, n *yaml.Node, path, dir string) []RegistrySchema {
	var ss []RegistrySchema
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		s := RegistrySchema{index: len(ss), Tags: map[string]string{}}
		var contentGiven bool
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":        func(n *yaml.Node, p string) { s.Name = d.str(n, p) },
			"type":        func(n *yaml.Node, p string) { s.Type = d.str(n, p) },
			"description": func(n *yaml.Node, p string) { s.Description = ptr(d.str(n, p)) },
			"tags":        func(n *yaml.Node, p string) { d.tags(n, p, s.Tags) },
			"content": func(n *yaml.Node, p string) {
				contentGiven = true
				if r := resolve(n); r.Kind == yaml.MappingNode {
					s.Content = d.jsonText(r, p)
					return
				}
				if s.File = d.str(n, p); s.File != "" {
					s.Content = readSchemaFile(d, n, p, dir, s.File)
				}
			},
		})
		switch {
		case s.Name == "":
			d.fail(item, p+".name", "required")
		case seen[s.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", s.Name, seen[s.Name])
		default:
			seen[s.Name] = p
		}
		if !contentGiven {
			d.fail(item, p+".content", "required: the path of the schema's file, or the schema as a mapping")
		}
		if s.Type == "" {
			s.Type = typeOpenAPI3
		}
		ss = append(ss, s)
	})
	return ss
}

// readSchemaFile reads a schema's content from its file (relative to
// dir), bounded.
func readSchemaFile(d *decoder, n *yaml.Node, path, dir, file string) string {
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	// a regular file only: a pipe or a device (a path such as /dev/stdin)
	// would block the start, or never end
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		d.fail(n, path, "%s is not a regular file", file)
		return ""
	}
	f, err := os.Open(file)
	if err != nil {
		d.fail(n, path, "%v", err)
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSchemaFile+1))
	switch {
	case err != nil:
		d.fail(n, path, "reading %s: %v", file, err)
		return ""
	case len(data) > maxSchemaFile:
		d.fail(n, path, "%s is larger than %d bytes: a schema's content has at most 100,000 characters", file, maxSchemaFile)
		return ""
	case len(data) == 0:
		d.fail(n, path, "%s is empty", file)
		return ""
	}
	return string(data)
}
