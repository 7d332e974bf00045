package codegen

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestModel(t *testing.T) {
	t.Parallel()
	s := testSchemas(t)
	m, err := buildModel(s[0].in)
	if err != nil {
		t.Fatal(err)
	}
	if m.source != "com.example.shop" || m.detailType != "Order Placed" {
		t.Errorf("source, detail-type = %q, %q", m.source, m.detailType)
	}
	if m.detail.kind != kindClass || m.detail.class.name != "OrderPlaced" {
		t.Fatalf("detail = %+v", m.detail)
	}
	var names []string
	for _, c := range m.classes {
		names = append(names, c.name)
	}
	// Components in the schema's order, each inline object after its parent.
	want := []string{"OrderPlaced", "line-item", "Dimensions", "Customer", "Address", "OrderPlaced_gift", "Marshaller", "String", "class", "LINE_ITEM", "Node", "Pair"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("classes %q, want %q", names, want)
	}
	kinds := map[string]kind{}
	for _, f := range m.detail.class.fields {
		kinds[f.json] = f.typ.kind
	}
	for name, k := range map[string]kind{"order-id": kindString, "2fa": kindBoolean, "total": kindNumber, "quantity": kindInteger,
		"placed-at": kindDateTime, "items": kindArray, "customer": kindClass, "attributes": kindMap, "extra": kindAny,
		"gift": kindClass, "choice": kindAny, "status": kindString} {
		if kinds[name] != k {
			t.Errorf("%s: kind %d, want %d", name, kinds[name], k)
		}
	}
	for _, c := range m.classes {
		if c.name != "LINE_ITEM" {
			continue
		}
		// A ref to an array component is that array; a ref cycle of
		// aliases and a ref to another document are the generic value.
		got := map[string]kind{}
		for _, f := range c.fields {
			got[f.json] = f.typ.kind
		}
		if !reflect.DeepEqual(got, map[string]kind{"ref": kindClass, "alias": kindArray, "loop": kindAny, "remote": kindAny}) {
			t.Errorf("LINE_ITEM's kinds: %v", got)
		}
	}

	m, err = buildModel(s[1].in)
	if err != nil {
		t.Fatal(err)
	}
	if m.detail.kind != kindClass || m.detail.class.name != "ShipmentDelivered" || len(m.classes) != 3 {
		t.Errorf("draft 4: detail %+v, %d classes", m.detail, len(m.classes))
	}
	signed := m.detail.class.fields[3]
	if signed.json != "signed" || signed.typ.kind != kindBoolean || !signed.nullable || !signed.required {
		t.Errorf("signed: %+v %+v", signed, signed.typ)
	}
}

// TestNoEnvelope: a schema without AWSEvent still gets AWSEvent, its detail
// the first class (OpenAPI) or the root (JSON Schema).
func TestNoEnvelope(t *testing.T) {
	t.Parallel()
	m, err := buildModel(Input{Type: "OpenApi3", Content: []byte(`{"openapi":"3.0.0","components":{"schemas":{"S":{"type":"string"},"A":{"properties":{"x":{"type":"integer"}}}}}}`)})
	if err != nil || m.detail.kind != kindClass || m.detail.class.name != "A" {
		t.Fatalf("%v %+v", err, m)
	}
	m, err = buildModel(Input{Type: "JSONSchemaDraft4", Content: []byte(`{"title":"Thing","type":"object","properties":{"self":{"$ref":"#"}}}`)})
	if err != nil || m.detail.kind != kindClass || m.detail.class.name != "Thing" || m.detail.class.fields[0].typ.class != m.detail.class {
		t.Fatalf("%v %+v", err, m)
	}
	m, err = buildModel(Input{Type: "JSONSchemaDraft4", Content: []byte(`{"type":"string"}`)})
	if err != nil || m.detail.kind != kindAny || len(m.classes) != 0 {
		t.Fatalf("%v %+v", err, m)
	}
	for _, l := range Languages() {
		if _, err := Generate(l, Input{Type: "JSONSchemaDraft4", Content: []byte(`{"type":"string"}`)}); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	many := func(n int, one string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(one, i)
		}
		return strings.Join(parts, ",")
	}
	for name, c := range map[string]struct {
		in   Input
		want string
	}{
		"too large": {Input{Type: "OpenApi3", Content: bytes.Repeat([]byte(" "), MaxContent+1)}, "over the limit"},
		"too deep":  {Input{Type: "JSONSchemaDraft4", Content: []byte(strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1))}, "nested deeper"},
		"too many classes": {Input{Type: "OpenApi3", Content: []byte(`{"openapi":"3.0.0","components":{"schemas":{` +
			many(MaxClasses+1, `"C%d":{"properties":{"x":{"type":"string"}}}`) + `}}}`)}, "more than 1000 classes"},
		"too many properties": {Input{Type: "OpenApi3", Content: []byte(`{"openapi":"3.0.0","components":{"schemas":{` +
			many(11, `"C%d":{"properties":{`+many(MaxClassFields, `"p%d":{}`)+`}}`) + `}}}`)}, "more than 10000 properties"},
		"too many properties in a class": {Input{Type: "JSONSchemaDraft4", Content: []byte(`{"title":"Big","properties":{` + many(MaxClassFields+1, `"p%d":{}`) + `}}`)}, `"Big" has more than 1000 properties`},
		"not JSON":                       {Input{Type: "OpenApi3", Content: []byte(`{"openapi":`)}, "not valid JSON"},
		"trailing data":                  {Input{Type: "OpenApi3", Content: []byte(`{} {}`)}, "data after"},
		"not an object":                  {Input{Type: "OpenApi3", Content: []byte(`[1]`)}, "not a JSON object"},
		"no components":                  {Input{Type: "OpenApi3", Content: []byte(`{"openapi":"3.0.0"}`)}, "needs components.schemas"},
		"unknown type":                   {Input{Type: "Avro", Content: []byte(`{}`)}, "not OpenApi3 or JSONSchemaDraft4"},
	} {
		for _, l := range Languages() {
			_, err := Generate(l, c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s, %s: err %v, want one saying %q", name, l, err, c.want)
			}
		}
	}
	if _, err := Generate("Rust", testSchemas(t)[0].in); err == nil || !strings.Contains(err.Error(), "Rust") {
		t.Errorf("unknown language: %v", err)
	}
}

// TestDeterministic: the same schema gives the same files, byte for byte
// (the registry stores and serves them as a zip).
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, s := range testSchemas(t) {
		for _, l := range Languages() {
			a, err := Generate(l, s.in)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Generate(l, s.in)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s %s: two runs differ", l, s.in.SchemaName)
			}
		}
	}
}
