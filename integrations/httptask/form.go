package httptask

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// encodeForm renders an object as application/x-www-form-urlencoded text:
// fields in key order, a nested object's fields as key[field], and arrays
// in format (INDICES, BRACKETS, REPEAT or COMMAS). Names and values are
// percent-encoded; the brackets that structure a name are not. Empty
// objects and arrays add nothing; null is the empty value.
func encodeForm(body map[string]any, format string) (string, error) {
	var pairs []string
	for _, k := range sortedKeys(body) {
		var err error
		if pairs, err = appendForm(pairs, url.QueryEscape(k), body[k], format); err != nil {
			return "", err
		}
	}
	return strings.Join(pairs, "&"), nil
}

// appendForm appends the pairs of one named value. name is already
// escaped.
func appendForm(pairs []string, name string, v any, format string) ([]string, error) {
	var err error
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if pairs, err = appendForm(pairs, name+"["+url.QueryEscape(k)+"]", x[k], format); err != nil {
				return nil, err
			}
		}
		return pairs, nil
	case []any:
		if format == arrayCommas {
			if len(x) == 0 {
				return pairs, nil
			}
			items := make([]string, len(x))
			for i, e := range x {
				s, ok := formScalar(e)
				if !ok {
					return nil, errors.New("the ArrayFormat COMMAS encodes arrays of strings, numbers and booleans only; an item is " + kind(e))
				}
				// An item's own commas are escaped: only the separators
				// are bare.
				items[i] = url.QueryEscape(s)
			}
			return append(pairs, name+"="+strings.Join(items, ",")), nil
		}
		for i, e := range x {
			item := name
			switch format {
			case arrayBrackets:
				item += "[]"
			case arrayIndices:
				item += "[" + strconv.Itoa(i) + "]"
			}
			if pairs, err = appendForm(pairs, item, e, format); err != nil {
				return nil, err
			}
		}
		return pairs, nil
	}
	s, ok := formScalar(v)
	if !ok {
		return nil, errors.New("a value is " + kind(v))
	}
	return append(pairs, name+"="+url.QueryEscape(s)), nil
}

// formScalar renders a scalar as form text; null is empty.
func formScalar(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	return scalar(v)
}
