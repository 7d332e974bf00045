package sns

import (
	"encoding/base64"
	"encoding/xml"
	"sort"

	"github.com/signalbox/signalbox/integrations/topic"
)

// The members several actions share. SNS's lists are wrapped: a request
// spells them Name.member.N (Tags.member.1.Key), an answer
// <Name><member>...</member></Name>; its maps are Name.entry.N.key and
// .value (Attributes), or .Name and .Value (MessageAttributes), answered
// <Name><entry><key/><value/></entry></Name>, as the service model's
// traits spell them.

// entryMap is a map of strings (topic and subscription attributes) that
// XML writes as <entry><key/><value/></entry>, sorted by key.
type entryMap map[string]string

func (m entryMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range sortedKeys(m) {
		entry := struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// members is a list an answer writes wrapped, <Name><member>...</member>
// </Name>; an empty list is an empty <Name/>, as AWS writes it (the SDKs
// read it as an empty list, not an absent one).
type members[T any] []T

func (m members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range m {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// tag is one tag, in requests (Tags.member.N.Key) and answers.
type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// tagMap turns a request's tags into a map; a key given twice is refused.
func tagMap(tags []tag) (map[string]string, error) {
	if tags == nil {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if _, dup := m[t.Key]; dup {
			return nil, invalid("Duplicated keys are not allowed.")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// tagList is tags as an answer lists them, sorted by key.
func tagList(m map[string]string) members[tag] {
	out := make(members[tag], 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, tag{k, m[k]})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// attributeValue is a message attribute as a request carries it
// (MessageAttributes.entry.N.Value.DataType, .StringValue, .BinaryValue,
// the last in base64).
type attributeValue struct {
	DataType    string
	StringValue *string
	BinaryValue *string
}

// toAttributes turns a request's message attributes into the topic
// router's, decoding binary values; it also returns their size as SNS
// counts it against the 256 KiB of a message: each name, data type and
// value.
func toAttributes(in map[string]attributeValue) (map[string]topic.MessageAttribute, int, error) {
	if in == nil {
		return nil, 0, nil
	}
	out := make(map[string]topic.MessageAttribute, len(in))
	size := 0
	for name, v := range in {
		a := topic.MessageAttribute{DataType: v.DataType}
		if v.StringValue != nil {
			a.StringValue = *v.StringValue
		}
		if v.BinaryValue != nil {
			b, err := base64.StdEncoding.DecodeString(*v.BinaryValue)
			if err != nil {
				return nil, 0, errorf("ParameterValueInvalid", "The message attribute '%s' has an invalid binary value: it is not base64.", truncate(name, 256))
			}
			a.BinaryValue = b
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
		out[name] = a
	}
	return out, size, nil
}

// batchResultError is a batch's failed entry (BatchResultErrorEntry).
type batchResultError struct {
	ID          string `xml:"Id"`
	Code        string `xml:"Code"`
	Message     string `xml:"Message,omitempty"`
	SenderFault bool   `xml:"SenderFault"`
}

// truncate shortens s, which an error message quotes, to n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
