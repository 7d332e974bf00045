package awsproto

import (
	"bytes"
	"encoding/xml"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The query protocol (SNS, SQS's older clients, IAM, STS): a request is a
// form of parameters, Action=<Action>&Version=<API version>&..., in a POST
// body (application/x-www-form-urlencoded) or a GET's query string; nested
// members are spelled in the parameter names (Tags.member.1.Key,
// Attributes.entry.1.value). The answer is XML:
//
//	<ActionResponse xmlns="..."><ActionResult>...</ActionResult>
//	<ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></ActionResponse>
//
// and an error is
//
//	<ErrorResponse><Error><Type>Sender</Type><Code>...</Code>
//	<Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
//
// as https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html
// shows them.

// QueryContentType is the content type of the protocol's answers.
const QueryContentType = "text/xml"

// QueryRequest is a query-protocol request: its action, its API version
// and its other parameters.
type QueryRequest struct {
	Action  string
	Version string
	Params  url.Values
}

// A ParsedQuery is a query-protocol request's body and parameters as the
// first API to look at it (SQS's, which shares POST / with SNS's) read
// them, kept in the request's gin context under ParsedQueryKey for the
// next (SNS's), which would otherwise read and parse them again: 4 µs of
// a Publish's 120 in serve's CPU profile.
type ParsedQuery struct {
	Body  []byte
	Query *QueryRequest
}

// ParsedQueryKey is the gin context key of a request's ParsedQuery.
const ParsedQueryKey = "signalbox.awsproto.query"

// ParseQuery reads a query-protocol request from r (body is its body, read
// already): a POST's form body, or a GET's query string. A request without
// an Action is MissingAction.
func ParseQuery(r *http.Request, body []byte) (*QueryRequest, error) {
	var params url.Values
	switch r.Method {
	case http.MethodPost:
		if !IsForm(r.Header.Get("Content-Type")) {
			return nil, Errorf(Serialization, "unsupported content type %q: the query protocol takes application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		}
		var err error
		if params, err = url.ParseQuery(string(body)); err != nil {
			return nil, Errorf(Serialization, "the request body is not a valid form: %v", err)
		}
	case http.MethodGet:
		params = r.URL.Query()
	default:
		return nil, Errorf(InvalidAction, "the query protocol takes GET or POST, not %s", r.Method)
	}
	q := &QueryRequest{Action: params.Get("Action"), Version: params.Get("Version"), Params: params}
	params.Del("Action")
	params.Del("Version")
	if q.Action == "" {
		return nil, Errorf(MissingAction, "the request has no Action parameter")
	}
	return q, nil
}

// IsForm reports whether a Content-Type is a form's,
// application/x-www-form-urlencoded (whatever its parameters and case):
// the query protocol's.
func IsForm(contentType string) bool {
	const form = "application/x-www-form-urlencoded"
	if contentType == form {
		return true // as the SDKs send it: without parsing (and its allocations)
	}
	ct, _, _ := mime.ParseMediaType(contentType)
	return ct == form
}

// DecodeQuery fills in, a pointer to a struct, from a request's
// parameters. A field's parameter name is its tag `query:"Name"` (default
// the field's name), with options after commas:
//
//   - a slice is Name.member.1, Name.member.2, ...; with "flat",
//     Name.1, Name.2, ... (SQS's flattened lists);
//   - a map[string]T is Name.entry.N.key and Name.entry.N.value; "flat"
//     drops ".entry", and key=K, value=V rename the two (SNS's
//     MessageAttributes.entry.1.Name and .Value);
//   - a struct's fields are Name.Field; a pointer is set when any of its
//     parameters is there.
//
// Strings, booleans and numbers are parsed from the text; a value that
// does not parse is InvalidParameterValue. Unknown parameters are ignored,
// as AWS ignores them.
func DecodeQuery(params url.Values, in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("awsproto.DecodeQuery: in must be a pointer to a struct")
	}
	return decodeStruct(newQueryParams(params), "", v.Elem())
}

// queryParams are a request's parameters with every name's prefixes (up
// to each dot), so that whether a list has an Nth member is one lookup.
// Scanning every name for each member made a list cost n²: 612 ms to
// decode 5,000 members of a structure (an 89 KB body), against 10 ms with
// the prefixes; url.ParseQuery refuses more than 10,000 parameters, which
// bounded the scan at about 2.5 s a request.
type queryParams struct {
	url.Values
	prefixes map[string]bool
}

func newQueryParams(v url.Values) queryParams {
	p := queryParams{Values: v}
	for k := range v {
		for i := range len(k) {
			if k[i] == '.' {
				if p.prefixes == nil {
					p.prefixes = map[string]bool{}
				}
				p.prefixes[k[:i]] = true
			}
		}
	}
	return p
}

// present reports whether the parameter name, or one below it, is there.
func (p queryParams) present(name string) bool {
	return p.Has(name) || p.prefixes[name]
}

type queryField struct {
	name             string
	flat             bool
	keyName, valName string
}

func parseQueryTag(f reflect.StructField) (queryField, bool) {
	tag := f.Tag.Get("query")
	if tag == "-" || !f.IsExported() {
		return queryField{}, false
	}
	parts := strings.Split(tag, ",")
	qf := queryField{name: parts[0], keyName: "key", valName: "value"}
	if qf.name == "" {
		qf.name = f.Name
	}
	for _, o := range parts[1:] {
		switch {
		case o == "flat":
			qf.flat = true
		case strings.HasPrefix(o, "key="):
			qf.keyName = o[len("key="):]
		case strings.HasPrefix(o, "value="):
			qf.valName = o[len("value="):]
		}
	}
	return qf, true
}

// structField is a field DecodeQuery fills: its index and its tag.
type structField struct {
	index int
	qf    queryField
}

// structFields caches each struct type's fields to fill (reflect.Type →
// []structField): their tags parsed once, not at each request.
var structFields sync.Map

func fieldsOf(t reflect.Type) []structField {
	if fs, ok := structFields.Load(t); ok {
		return fs.([]structField)
	}
	var fs []structField
	for i := range t.NumField() {
		if qf, ok := parseQueryTag(t.Field(i)); ok {
			fs = append(fs, structField{i, qf})
		}
	}
	structFields.Store(t, fs)
	return fs
}

func decodeStruct(params queryParams, prefix string, v reflect.Value) error {
	for _, f := range fieldsOf(v.Type()) {
		if err := decodeQueryValue(params, prefix+f.qf.name, f.qf, v.Field(f.index)); err != nil {
			return err
		}
	}
	return nil
}

func decodeQueryValue(params queryParams, name string, qf queryField, v reflect.Value) error {
	invalid := func(want string) error {
		return Errorf(InvalidParameterValue, "Value (%s) for parameter %s is invalid. Must be %s.", params.Get(name), name, want)
	}
	switch v.Kind() {
	case reflect.String:
		if params.Has(name) {
			v.SetString(params.Get(name))
		}
	case reflect.Bool:
		if params.Has(name) {
			b, err := strconv.ParseBool(params.Get(name))
			if err != nil {
				return invalid("a boolean")
			}
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if params.Has(name) {
			n, err := strconv.ParseInt(params.Get(name), 10, v.Type().Bits())
			if err != nil {
				return invalid("an integer")
			}
			v.SetInt(n)
		}
	case reflect.Float32, reflect.Float64:
		if params.Has(name) {
			f, err := strconv.ParseFloat(params.Get(name), v.Type().Bits())
			if err != nil {
				return invalid("a number")
			}
			v.SetFloat(f)
		}
	case reflect.Pointer:
		if params.present(name) {
			p := reflect.New(v.Type().Elem())
			if err := decodeQueryValue(params, name, qf, p.Elem()); err != nil {
				return err
			}
			v.Set(p)
		}
	case reflect.Struct:
		return decodeStruct(params, name+".", v)
	case reflect.Slice:
		prefix := name + ".member."
		if qf.flat {
			prefix = name + "."
		}
		for n := 1; params.present(prefix + strconv.Itoa(n)); n++ {
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := decodeQueryValue(params, prefix+strconv.Itoa(n), queryField{keyName: "key", valName: "value"}, elem); err != nil {
				return err
			}
			v.Set(reflect.Append(v, elem))
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			panic("awsproto.DecodeQuery: a map's key must be a string")
		}
		prefix := name + ".entry."
		if qf.flat {
			prefix = name + "."
		}
		for n := 1; params.present(prefix + strconv.Itoa(n)); n++ {
			entry := prefix + strconv.Itoa(n) + "."
			if !params.Has(entry + qf.keyName) {
				return Errorf(InvalidParameterValue, "parameter %s has no %s", strings.TrimSuffix(entry, "."), qf.keyName)
			}
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := decodeQueryValue(params, entry+qf.valName, queryField{keyName: "key", valName: "value"}, elem); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(params.Get(entry+qf.keyName)).Convert(v.Type().Key()), elem)
		}
	default:
		panic("awsproto.DecodeQuery: no parameter form for a field of kind " + v.Kind().String())
	}
	return nil
}

// EncodeQueryResponse is the answer to action: result (a struct whose xml
// tags name its members, or nil for an action without one) in
// <ActionResult>, in <ActionResponse xmlns=xmlns> with the request id.
func EncodeQueryResponse(action, xmlns string, result any, requestID string) ([]byte, error) {
	if a, ok := result.(XMLAppender); ok {
		return appendQueryResponse(action, xmlns, a, requestID), nil
	}
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}}
	if xmlns != "" {
		start.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlns}}
	}
	if err := enc.EncodeToken(start); err != nil {
		return nil, err
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, err
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{requestID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return nil, err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// An XMLAppender is a result that writes its members itself, as
// encoding/xml would from its tags, for the actions a client calls most
// (SNS's Publish): encoding/xml's reflection cost 6.5 µs of a Publish's 120
// in serve's CPU profile. A test holds each to encoding/xml's output.
type XMLAppender interface {
	AppendXML(b []byte) []byte
}

// appendQueryResponse is EncodeQueryResponse's answer with a result that
// writes itself.
func appendQueryResponse(action, xmlns string, result XMLAppender, requestID string) []byte {
	b := make([]byte, 0, 256)
	b = append(b, '<')
	b = append(b, action...)
	b = append(b, "Response"...)
	if xmlns != "" {
		b = append(b, ` xmlns="`...)
		b = AppendXMLText(b, xmlns)
		b = append(b, '"')
	}
	b = append(b, "><"...)
	b = append(b, action...)
	b = append(b, "Result>"...)
	b = result.AppendXML(b)
	b = append(b, "</"...)
	b = append(b, action...)
	b = append(b, "Result><ResponseMetadata><RequestId>"...)
	b = AppendXMLText(b, requestID)
	b = append(b, "</RequestId></ResponseMetadata></"...)
	b = append(b, action...)
	return append(b, "Response>"...)
}

// AppendXMLElement appends <name>text</name>, text escaped as
// encoding/xml escapes it.
func AppendXMLElement(b []byte, name, text string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = AppendXMLText(b, text)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// AppendXMLText appends s escaped as encoding/xml's EscapeText escapes it
// (which EncodeElement uses for character data and attribute values).
func AppendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' {
			b = append(b, c)
			continue
		}
		// rare: let encoding/xml escape the rest, byte for byte as it would
		var w bytes.Buffer
		_ = xml.EscapeText(&w, []byte(s[i:]))
		return append(b, w.Bytes()...)
	}
	return b
}

// queryError is <ErrorResponse>.
type queryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// QueryErrorBody is e as the query protocol answers it, with its status
// e.Status.
func QueryErrorBody(e *Error, requestID string) []byte {
	var q queryError
	q.Error.Type, q.Error.Code, q.Error.Message, q.RequestID = e.Fault(), e.Code, e.Message, requestID
	b, _ := xml.Marshal(q) // strings only: it cannot fail
	return b
}

// QueryCode is the query protocol's name of one of this package's errors
// (named in the JSON protocols' spelling): InvalidAction for an unknown
// operation, SignatureDoesNotMatch for a bad signature, ...; a code it
// does not rename is its own.
func QueryCode(code string) string {
	if q, ok := queryCodes[code]; ok {
		return q
	}
	return code
}

var queryCodes = map[string]string{
	UnknownOperation:      "InvalidAction",
	MissingAuthToken:      "MissingAuthenticationToken",
	IncompleteSignature:   "IncompleteSignature",
	InvalidSignature:      "SignatureDoesNotMatch",
	UnrecognizedClient:    "InvalidClientTokenId",
	Serialization:         "MalformedQueryString",
	RequestEntityTooLarge: "RequestEntityTooLarge",
	Validation:            "ValidationError",
	InternalFailure:       "InternalError",
}
