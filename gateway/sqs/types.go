package sqs

import (
	"encoding/base64"
	"encoding/xml"
	"sort"
	"strings"

	"github.com/signalbox/signalbox/integrations/queue"
)

// The members shared by several actions, in both protocols. The JSON
// protocol writes a map as an object and a blob as base64 text; the query
// protocol flattens both into numbered entries (Attribute.1.Name,
// Attribute.1.Value; MessageAttribute.1.Value.BinaryValue in base64) and
// answers them as repeated elements (<Attribute><Name/><Value/></Attribute>),
// as the service model's xmlName and xmlFlattened traits spell them.

// empty is the answer of an action that returns nothing: {} in JSON, no
// <ActionResult> in XML.
type empty struct{}

// nameValues is a map of strings (queue attributes; a message's system
// attributes) that XML writes as flattened <Name>/<Value> entries, sorted
// by name.
type nameValues map[string]string

func (m nameValues) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range sortedKeys(m) {
		entry := struct {
			Name  string `xml:"Name"`
			Value string `xml:"Value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, start); err != nil {
			return err
		}
	}
	return nil
}

// tagMap is a queue's tags, written in XML as flattened <Key>/<Value>
// entries.
type tagMap map[string]string

func (m tagMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range sortedKeys(m) {
		entry := struct {
			Key   string `xml:"Key"`
			Value string `xml:"Value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, start); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// attributeValue is a message attribute's value as a request carries it:
// BinaryValue in base64 in both protocols. (StringListValues and
// BinaryListValues are reserved by AWS and not implemented; they are
// ignored, as SQS ignores them.)
type attributeValue struct {
	DataType    string
	StringValue *string
	BinaryValue *string
}

// attributeOut is a message attribute's value as an answer carries it.
type attributeOut struct {
	StringValue *string `json:",omitempty" xml:",omitempty"`
	BinaryValue *string `json:",omitempty" xml:",omitempty"`
	DataType    string
}

// messageAttributes are a message's attributes, written in XML as
// flattened <Name>/<Value> entries.
type messageAttributes map[string]attributeOut

func (m messageAttributes) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range sortedKeys(m) {
		entry := struct {
			Name  string       `xml:"Name"`
			Value attributeOut `xml:"Value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, start); err != nil {
			return err
		}
	}
	return nil
}

// toAttributes turns a request's message attributes (member is their
// parameter's name for messages) into the queue router's, decoding binary
// values.
func toAttributes(in map[string]attributeValue, member string) (map[string]queue.MessageAttribute, error) {
	if in == nil {
		return nil, nil
	}
	out := make(map[string]queue.MessageAttribute, len(in))
	for name, v := range in {
		a := queue.MessageAttribute{DataType: v.DataType}
		if v.StringValue != nil {
			a.StringValue = *v.StringValue
		}
		if v.BinaryValue != nil {
			b, err := base64.StdEncoding.DecodeString(*v.BinaryValue)
			if err != nil {
				return nil, invalidValue("The binary value of the %s %s is not valid base64.", member, truncate(name, 256))
			}
			a.BinaryValue = b
		}
		out[name] = a
	}
	return out, nil
}

// fromAttributes is the answer's form of a message's attributes.
func fromAttributes(in map[string]queue.MessageAttribute) messageAttributes {
	if len(in) == 0 {
		return nil
	}
	out := make(messageAttributes, len(in))
	for name, a := range in {
		o := attributeOut{DataType: a.DataType}
		if strings.HasPrefix(a.DataType, "Binary") {
			b := base64.StdEncoding.EncodeToString(a.BinaryValue)
			o.BinaryValue = &b
		} else {
			sv := a.StringValue
			o.StringValue = &sv
		}
		out[name] = o
	}
	return out
}

// batchResultError is a batch's failed entry (BatchResultErrorEntry).
type batchResultError struct {
	ID          string `json:"Id" xml:"Id"`
	SenderFault bool
	Code        string
	Message     string `json:",omitempty" xml:",omitempty"`
}

// batchResultID is a successful entry of DeleteMessageBatch and
// ChangeMessageVisibilityBatch.
type batchResultID struct {
	ID string `json:"Id" xml:"Id"`
}

// deref is *p, or 0.
func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
