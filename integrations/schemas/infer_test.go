package schemas

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const ec2Event = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",
"source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1",
"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
"detail":{"instance-id":"i-abcd1111","state":"pending","launch":{"count":2,"at":"2015-11-11T21:29:54.120Z","zones":[{"name":"a","weight":0.5}]},"tags":[],"previous":null}}`

const ec2Schema = `{
  "components": {
    "schemas": {
      "AWSEvent": {
        "properties": {
          "account": {
            "type": "string"
          },
          "detail": {
            "$ref": "#/components/schemas/EC2InstanceStateChangeNotification"
          },
          "detail-type": {
            "type": "string"
          },
          "id": {
            "type": "string"
          },
          "region": {
            "type": "string"
          },
          "resources": {
            "items": {
              "type": "string"
            },
            "type": "array"
          },
          "source": {
            "type": "string"
          },
          "time": {
            "format": "date-time",
            "type": "string"
          },
          "version": {
            "type": "string"
          }
        },
        "required": [
          "account",
          "detail",
          "detail-type",
          "id",
          "region",
          "resources",
          "source",
          "time",
          "version"
        ],
        "type": "object",
        "x-amazon-events-detail-type": "EC2 Instance State-change Notification",
        "x-amazon-events-source": "aws.ec2"
      },
      "EC2InstanceStateChangeNotification": {
        "properties": {
          "instance-id": {
            "type": "string"
          },
          "launch": {
            "$ref": "#/components/schemas/Launch"
          },
          "previous": {
            "nullable": true
          },
          "state": {
            "type": "string"
          },
          "tags": {
            "items": {},
            "type": "array"
          }
        },
        "required": [
          "instance-id",
          "launch",
          "previous",
          "state",
          "tags"
        ],
        "type": "object"
      },
      "Launch": {
        "properties": {
          "at": {
            "format": "date-time",
            "type": "string"
          },
          "count": {
            "type": "integer"
          },
          "zones": {
            "items": {
              "$ref": "#/components/schemas/ZonesItem"
            },
            "type": "array"
          }
        },
        "required": [
          "at",
          "count",
          "zones"
        ],
        "type": "object"
      },
      "ZonesItem": {
        "properties": {
          "name": {
            "type": "string"
          },
          "weight": {
            "type": "number"
          }
        },
        "required": [
          "name",
          "weight"
        ],
        "type": "object"
      }
    }
  },
  "info": {
    "title": "EC2InstanceStateChangeNotification",
    "version": "1.0.0"
  },
  "openapi": "3.0.0",
  "paths": {}
}`

func TestInferAWSForm(t *testing.T) {
	doc, err := inferEvents([]string{ec2Event})
	require.NoError(t, err)
	require.Equal(t, ec2Schema, string(doc))
	require.Empty(t, checkContent(TypeOpenAPI3, string(doc)), "the inferred schema is a valid OpenApi3 schema")
	ev, err := parseEvent([]byte(ec2Event))
	require.NoError(t, err)
	require.Equal(t, "aws.ec2@EC2InstanceStateChangeNotification", discoveredName(ev.source, ev.detailType))
}

func TestTypeName(t *testing.T) {
	for in, want := range map[string]string{
		"EC2 Instance State-change Notification": "EC2InstanceStateChangeNotification",
		"order.created":                          "OrderCreated",
		"AWS API Call via CloudTrail":            "AWSAPICallViaCloudTrail",
		"":                                       "Event",
		"3d-print":                               "N3dPrint",
		"résumé_posted":                          "RSumPosted",
	} {
		require.Equal(t, want, typeName(in), in)
	}
}

// event builds an event of source s and detail-type "Order Placed".
func event(detail string) string {
	return `{"version":"0","id":"1","detail-type":"Order Placed","source":"shop","account":"123456789012","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
}

// discovered merges events into a schema one at a time, as discovery
// does: the document after each, and whether it changed.
func discovered(t *testing.T, details ...string) (docs []string, changed []bool) {
	var cur *shape
	prev := ""
	for _, d := range details {
		ev, err := parseEvent([]byte(event(d)))
		require.NoError(t, err)
		if prev != "" {
			old, ok := parseDiscovered([]byte(prev))
			require.True(t, ok, "reads back its own document")
			cur = old
		}
		doc := string(renderOpenAPI(ev.source, ev.detailType, merge(cur, ev.detail)))
		changed = append(changed, doc != prev)
		docs = append(docs, doc)
		prev = doc
	}
	return docs, changed
}

func TestInferVersions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		details []string
		changed []bool
		has     []string // in the last document
		hasNot  []string
	}{
		{"same shape, other values: no version", []string{`{"id":1,"sku":"a"}`, `{"id":2,"sku":"b"}`, `{"sku":"c","id":3}`},
			[]bool{true, false, false}, []string{`"integer"`}, nil},
		{"a new field: a version, the field optional", []string{`{"id":1}`, `{"id":1,"note":"x"}`, `{"id":5}`},
			[]bool{true, true, false}, []string{`"note"`}, nil},
		{"integer then number widens", []string{`{"n":1}`, `{"n":1.5}`, `{"n":2}`},
			[]bool{true, true, false}, []string{`"number"`}, []string{`"integer"`}},
		{"a nested object's new field", []string{`{"a":{"b":1}}`, `{"a":{"b":2,"c":true}}`},
			[]bool{true, true}, []string{`"A"`, `"boolean"`}, nil},
		{"null then a string: nullable string", []string{`{"x":null}`, `{"x":"s"}`, `{"x":null}`},
			[]bool{true, true, false}, []string{`"nullable": true`, `"string"`}, nil},
		{"a date-time then another string: the format goes", []string{`{"t":"2024-01-01T00:00:00Z"}`, `{"t":"later"}`, `{"t":"2024-01-02T00:00:00Z"}`},
			[]bool{true, true, false}, []string{"\"t\": {\n            \"type\": \"string\"\n          }"}, nil},
		{"conflicting kinds: any value", []string{`{"v":1}`, `{"v":"x"}`, `{"v":[1]}`},
			[]bool{true, true, false}, []string{`"v": {}`}, nil},
		{"empty array, then items", []string{`{"a":[]}`, `{"a":[{"k":1}]}`, `{"a":[]}`},
			[]bool{true, true, false}, []string{`"AItem"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, changed := discovered(t, tc.details...)
			require.Equal(t, tc.changed, changed)
			last := docs[len(docs)-1]
			for _, s := range tc.has {
				require.Contains(t, last, s)
			}
			for _, s := range tc.hasNot {
				require.NotContains(t, last, s)
			}
			require.Empty(t, checkContent(TypeOpenAPI3, last))
		})
	}
}

func TestInferOptionalField(t *testing.T) {
	docs, _ := discovered(t, `{"id":1,"note":"x"}`, `{"id":2}`)
	var d struct {
		Components struct {
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal([]byte(docs[1]), &d))
	require.Equal(t, []string{"id"}, d.Components.Schemas["OrderPlaced"].Required, "a field missing from an event is optional")
}

func TestInferNameCollisions(t *testing.T) {
	doc, err := inferEvents([]string{event(`{"item":{"x":1},"other":{"item":{"y":"s"}}}`)})
	require.NoError(t, err)
	require.Contains(t, string(doc), `"Item"`)
	require.Contains(t, string(doc), `"Item_1"`)
	again, err := inferEvents([]string{event(`{"other":{"item":{"y":"s"}},"item":{"x":1}}`)})
	require.NoError(t, err)
	require.Equal(t, string(doc), string(again), "deterministic")
}

func TestInferRefusals(t *testing.T) {
	for in, want := range map[string]string{
		`[]`:                                   "not a JSON object",
		`{"source":"a"}`:                       "no source and detail-type",
		`{"source":"a","detail-type":"b"} {}`:  "data after",
		`{"source":"a","detail-type":"b"`:      "not a JSON object",
		`{"source":1,"detail-type":"b"}`:       "no source",
		`{"source":"a","detail-type":"b","x":`: "not a JSON object",
	} {
		_, err := inferEvents([]string{in})
		require.ErrorContains(t, err, want, in)
	}
	_, err := inferEvents([]string{event(`{}`), strings.Replace(event(`{}`), "Order Placed", "Other", 1)})
	require.ErrorContains(t, err, "must be of one type")
}

func TestInferDepthBound(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500)
	doc, err := inferEvents([]string{event(deep)})
	require.NoError(t, err)
	require.Empty(t, checkContent(TypeOpenAPI3, string(doc)))
	require.Less(t, strings.Count(string(doc), `"$ref"`), maxInferDepth+3)
}

func TestExportDraft4(t *testing.T) {
	doc, err := inferEvents([]string{ec2Event})
	require.NoError(t, err)
	out, err := exportDraft4(string(doc))
	require.NoError(t, err)
	require.Empty(t, checkContent(TypeJSONSchemaDraft4, string(out)))
	var d map[string]any
	require.NoError(t, json.Unmarshal(out, &d))
	require.Equal(t, draft4, d["$schema"])
	require.Equal(t, "EC2InstanceStateChangeNotification", d["title"])
	require.Equal(t, "aws.ec2", d["x-amazon-events-source"])
	props := d["properties"].(map[string]any)
	require.Equal(t, "#/definitions/EC2InstanceStateChangeNotification", props["detail"].(map[string]any)["$ref"])
	defs := d["definitions"].(map[string]any)
	require.Contains(t, defs, "Launch")
	require.NotContains(t, defs, "AWSEvent")
	require.NotContains(t, string(out), "#/components/")
	detail := defs["EC2InstanceStateChangeNotification"].(map[string]any)["properties"].(map[string]any)
	require.Equal(t, map[string]any{}, detail["previous"], "nullable without a type stays any")

	nul, err := exportDraft4(`{"openapi":"3.0.0","info":{"title":"T","version":"1"},"components":{"schemas":{"T":{"type":"object","properties":{"a":{"type":"string","nullable":true}}}}}}`)
	require.NoError(t, err)
	require.Contains(t, string(nul), `"type": [
        "string",
        "null"
      ]`)
	_, err = exportDraft4(`{"openapi":"3.0.0","info":{"title":"T","version":"1"},"components":{"schemas":{"A":{},"B":{}}}}`)
	require.ErrorContains(t, err, "no root")
}

func TestCheckContent(t *testing.T) {
	ok := `{"openapi":"3.0.0","info":{"title":"T","version":"1"},"paths":{}}`
	require.Empty(t, checkContent(TypeOpenAPI3, ok))
	require.Empty(t, checkContent(TypeJSONSchemaDraft4, `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"a":{"type":["string","null"]}},"required":["a"]}`))
	for _, tc := range []struct{ typ, content, want string }{
		{TypeOpenAPI3, "", "empty"},
		{TypeOpenAPI3, "{", "not valid JSON"},
		{TypeOpenAPI3, "[]", "JSON object"},
		{TypeOpenAPI3, `{"openapi":"2.0","info":{"title":"T","version":"1"}}`, `"openapi": "3.x.y"`},
		{TypeOpenAPI3, `{"openapi":"3.0.0"}`, `"info" object`},
		{TypeOpenAPI3, `{"openapi":"3.0.0","info":{"title":"T"}}`, "info.version"},
		{TypeOpenAPI3, `{"openapi":"3.0.0","info":{"title":"T","version":"1"},"components":{"schemas":{"A":{"type":"strin"}}}}`, `type "strin"`},
		{TypeOpenAPI3, `{"openapi":"3.0.0","info":{"title":"T","version":"1"},"components":{"schemas":{"A":{"properties":{"x":1}}}}}`, "must be a schema object"},
		{TypeJSONSchemaDraft4, `{"$schema":"http://json-schema.org/draft-07/schema#"}`, "$schema"},
		{TypeJSONSchemaDraft4, `{"required":"a"}`, "array of strings"},
		{TypeJSONSchemaDraft4, `{"type":5}`, "string or an array"},
		{TypeJSONSchemaDraft4, `{"allOf":[]}`, "non-empty array"},
		{TypeJSONSchemaDraft4, strings.Repeat(`{"not":`, 70) + "{}" + strings.Repeat("}", 70), "deeper than"},
		{TypeJSONSchemaDraft4, `{"description":"` + strings.Repeat("é", maxContent) + `"}`, "maximum is 100000"},
		{"Avro", `{}`, "Type must be"},
	} {
		require.Contains(t, checkContent(tc.typ, tc.content), tc.want, tc.content[:min(len(tc.content), 60)])
	}
}

// FuzzInfer: any JSON event in, a valid OpenApi3 schema out that reads
// back to the same document; merging it with itself changes nothing.
func FuzzInfer(f *testing.F) {
	f.Add(ec2Event)
	f.Add(event(`{"a":[1,"x",null,{"b":[[]]}],"c":1e400,"d":-0}`))
	f.Add(event(`{"a":{"b":{"c":{"d":{"e":[{"f":null}]}}}}}`))
	f.Add(`{"source":"{x}","detail-type":"\u0000","detail":"str"}`)
	f.Add(`{"source":"s","detail-type":"t","detail":[1,2]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		ev, err := parseEvent([]byte(raw))
		if err != nil {
			return
		}
		doc := renderOpenAPI(ev.source, ev.detailType, ev.detail)
		if msg := checkContent(TypeOpenAPI3, string(doc)); msg != "" && !strings.Contains(msg, "maximum is") {
			t.Fatalf("invalid schema (%s) for %q:\n%s", msg, raw, doc)
		}
		back, ok := parseDiscovered(doc)
		if !ok {
			t.Fatalf("does not read back:\n%s", doc)
		}
		if again := renderOpenAPI(ev.source, ev.detailType, merge(back, ev.detail)); string(again) != string(doc) {
			t.Fatalf("merging the same event changed the schema:\n%s\n---\n%s", doc, again)
		}
		if _, err := exportDraft4(string(doc)); err != nil {
			t.Fatalf("export: %v", err)
		}
		name := discoveredName(ev.source, ev.detailType)
		if e := checkSchemaName(name); e != nil {
			t.Fatalf("name %q is not one the API accepts: %v", name, e)
		}
	})
}
