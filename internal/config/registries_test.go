package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConfigReadsRegistries(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "schemas"), 0o755))
	const order = `{"openapi":"3.0.0","info":{"title":"Order","version":"1.0.0"},"paths":{}}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "schemas", "order.json"), []byte(order), 0o644))
	c, ps := Decode(filepath.Join(dir, "signalbox.yaml"), []byte(`
registries:
  - name: shop
    description: Events of the shop
    tags: {team: shop}
    schemas:
      - name: com.example.shop@OrderPlaced
        content: schemas/order.json
        description: An order was placed
        tags: {kind: order}
      - name: Refund
        type: JSONSchemaDraft4
        content: {$schema: "http://json-schema.org/draft-04/schema#", type: object, properties: {n: {type: integer}}}
  - name: empty
buses:
  - {name: orders, discovery: true}
  - {name: quiet, discovery: false}
  - {name: other}
`))
	require.Empty(t, ps)
	require.Len(t, c.Registries, 2)
	r := c.Registries[0]
	require.Equal(t, "shop", r.Name)
	require.Equal(t, "Events of the shop", *r.Description)
	require.Equal(t, map[string]string{"team": "shop"}, r.Tags)
	require.Len(t, r.Schemas, 2)
	require.Equal(t, RegistrySchema{Name: "com.example.shop@OrderPlaced", Type: "OpenApi3", Content: order, File: "schemas/order.json",
		Description: ptr("An order was placed"), Tags: map[string]string{"kind": "order"}}, r.Schemas[0], "OpenApi3 when the type is left out")
	require.Equal(t, "JSONSchemaDraft4", r.Schemas[1].Type)
	require.JSONEq(t, `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"n":{"type":"integer"}}}`, r.Schemas[1].Content)
	require.Empty(t, r.Schemas[1].File)
	require.Nil(t, c.Registries[1].Description, "left out: nil, the stored one is kept")
	require.Equal(t, ptr(true), c.Buses[0].Discovery)
	require.Equal(t, ptr(false), c.Buses[1].Discovery)
	require.Nil(t, c.Buses[2].Discovery, "left out: the discoverer, if any, is left alone")
}

// The file's shape is checked at decode, each problem at its line: what
// the registry refuses (a name, a type, a content) is ApplyRegistries'.
func TestConfigRegistryProblems(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, []byte(strings.Repeat(" ", maxSchemaFile+1)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty.json"), nil, 0o644))
	_, ps := Decode(filepath.Join(dir, "signalbox.yaml"), []byte(`registries:
  - name: shop
    schemas:
      - name: a
        content: absent.json
      - name: a
        content: big.json
      - content: empty.json
      - name: b
      - {name: d, content: /dev/zero}
      - name: c
        content: [1, 2]
        type: 3
        tags: [x]
  - description: no name
  - name: shop
    color: blue
buses:
  - {name: orders, discovery: yes please}
`))
	var got []string
	for _, p := range ps {
		got = append(got, strings.TrimPrefix(p.String(), filepath.Join(dir, "signalbox.yaml")))
	}
	require.Equal(t, []string{
		":5: registries[0].schemas[0].content: open " + filepath.Join(dir, "absent.json") + ": no such file or directory",
		":7: registries[0].schemas[1].content: " + big + " is larger than 400000 bytes: a schema's content has at most 100,000 characters",
		`:6: registries[0].schemas[1].name: "a" is also the name of registries[0].schemas[0]`,
		":8: registries[0].schemas[2].content: " + filepath.Join(dir, "empty.json") + " is empty",
		":8: registries[0].schemas[2].name: required",
		":9: registries[0].schemas[3].content: required: the path of the schema's file, or the schema as a mapping",
		":10: registries[0].schemas[4].content: /dev/zero is not a regular file",
		":12: registries[0].schemas[5].content: must be a string, got a list",
		":13: registries[0].schemas[5].type: must be a string, got the number 3 (quote it)",
		":14: registries[0].schemas[5].tags: must be a mapping (key: value), got a list",
		":15: registries[1].name: required",
		":17: registries[2].color: unknown key (known: description, name, schemas, tags)",
		`:16: registries[2].name: "shop" is also the name of registries[0]`,
		`:19: buses[0].discovery: must be true or false, got "yes please"`,
	}, got)
}

// A value read through aliases is bounded: an alias inside what it names
// (which never ended) and aliases of aliases (2^40 values from a few
// lines) are refused at the value's path, at once.
func TestConfigBoundsValuesOfAliases(t *testing.T) {
	laughs := "x0: &x0 [a, a, a, a]\n"
	for i := 1; i <= 20; i++ {
		laughs += fmt.Sprintf("x%d: &x%d [*x%d, *x%d, *x%d, *x%d]\n", i, i, i-1, i-1, i-1, i-1)
	}
	for _, tc := range []struct{ file, want string }{
		{"registries: [{name: r, schemas: [{name: s, content: &a {x: *a}}]}]\n",
			"x.yaml:1: registries[0].schemas[0].content: nests deeper than 100 levels (an alias inside what it names?)"},
		{"buses: [{name: b, rules: [{name: r, eventPattern: &a {x: [*a, *a]}}]}]\n",
			"x.yaml:1: buses[0].rules[0].eventPattern: nests deeper than 100 levels (an alias inside what it names?)"},
		{"topics:\n  - name: t\n    attributes:\n      Policy:\n        " + strings.ReplaceAll(strings.TrimSuffix(laughs, "\n"), "\n", "\n        ") + "\n",
			"x.yaml:5: topics[0].attributes.Policy: holds more than 100000 values (aliases repeat what they name)"},
	} {
		start := time.Now()
		_, ps := Decode("x.yaml", []byte(tc.file))
		require.Less(t, time.Since(start), 10*time.Second)
		require.NotEmpty(t, ps)
		require.Equal(t, tc.want, ps[0].String())
	}
}
