package awsproto

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// REST-JSON (Lambda, Schemas, API Gateway): the operation is the method
// and path; its members are bound to the path (`uri:"Name"`), the query
// string (`querystring:"Name"`), headers (`header:"X-Amz-Name"`) and the
// JSON body (the other fields, by their json tags: tag the bound ones
// json:"-"). The answer is JSON with the operation's status; an error is
// its status, the header X-Amzn-ErrorType: <Code> and a body
// {"message": ...} (with "__type" too, which older clients read).

// RESTContentType is the content type of REST-JSON bodies.
const RESTContentType = "application/json"

// PathSegments splits an escaped request path into its segments,
// unescaped, without the leading and a trailing "/": ok is false when it
// has more than max segments or one does not unescape.
func PathSegments(escaped string, max int) (segs []string, ok bool) {
	raw := strings.Split(strings.TrimSuffix(strings.TrimPrefix(escaped, "/"), "/"), "/")
	if len(raw) > max {
		return nil, false
	}
	segs = make([]string, len(raw))
	for i, p := range raw {
		s, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		segs[i] = s
	}
	return segs, true
}

// MatchPath matches a path's segments (PathSegments) against a route's
// pattern, whose segments are literal or "{Name}", a parameter that takes
// one non-empty segment: the parameters by name, or ok false.
func MatchPath(pattern, segs []string) (params map[string]string, ok bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	params = map[string]string{}
	for j, want := range pattern {
		if strings.HasPrefix(want, "{") {
			if segs[j] == "" {
				return nil, false
			}
			params[strings.Trim(want, "{}")] = segs[j]
		} else if want != segs[j] {
			return nil, false
		}
	}
	return params, true
}

// DecodeREST binds a REST-JSON request into in, a pointer to a struct:
// path holds the path's parameters by name (from the router), body the
// request's body. A member that does not parse is SerializationException,
// as for the JSON protocols.
func DecodeREST(r *http.Request, path map[string]string, body []byte, in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("awsproto.DecodeREST: in must be a pointer to a struct")
	}
	if err := DecodeJSON(body, in); err != nil {
		return err
	}
	v = v.Elem()
	t := v.Type()
	query := r.URL.Query()
	for i := range t.NumField() {
		f := t.Field(i)
		var (
			text, name string
			ok         bool
		)
		switch {
		case f.Tag.Get("uri") != "":
			name = f.Tag.Get("uri")
			text, ok = path[name]
		case f.Tag.Get("querystring") != "":
			name = f.Tag.Get("querystring")
			if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String {
				if vs, has := query[name]; has {
					v.Field(i).Set(reflect.ValueOf(append([]string(nil), vs...)))
				}
				continue
			}
			ok = query.Has(name)
			text = query.Get(name)
		case f.Tag.Get("header") != "":
			name = f.Tag.Get("header")
			_, ok = r.Header[http.CanonicalHeaderKey(name)]
			text = r.Header.Get(name)
		default:
			continue
		}
		if ok {
			if err := setText(v.Field(i), text); err != nil {
				return Errorf(Serialization, "'%s' must be %s, got %q", name, err.Error(), text)
			}
		}
	}
	return nil
}

type kindError string

func (e kindError) Error() string { return string(e) }

// setText sets a string, boolean, number or pointer to one from its text.
func setText(v reflect.Value, text string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return kindError("a boolean")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(text, 10, v.Type().Bits())
		if err != nil {
			return kindError("an integer")
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(text, v.Type().Bits())
		if err != nil {
			return kindError("a number")
		}
		v.SetFloat(f)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := setText(p.Elem(), text); err != nil {
			return err
		}
		v.Set(p)
	default:
		panic("awsproto.DecodeREST: no text form for a field of kind " + v.Kind().String())
	}
	return nil
}

// RESTErrorBody is e's body as REST-JSON answers it; the caller sets the
// X-Amzn-ErrorType header to e.Code (WriteRESTError does both).
func RESTErrorBody(e *Error) []byte {
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	return b
}

// WriteRESTError answers e in REST-JSON's shape.
func WriteRESTError(w http.ResponseWriter, e *Error, requestID string) {
	w.Header().Set("Content-Type", RESTContentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	if requestID != "" {
		w.Header().Set("X-Amzn-RequestId", requestID)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(RESTErrorBody(e))
}

// WriteREST answers out as JSON with status.
func WriteREST(w http.ResponseWriter, status int, out any, requestID string) error {
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", RESTContentType)
	if requestID != "" {
		w.Header().Set("X-Amzn-RequestId", requestID)
	}
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}
