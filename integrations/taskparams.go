package integrations

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"

	"github.com/signalbox/signalbox/asl"
)

// ParamError is the failure of a Task whose Parameters its integration
// cannot use: States.Runtime, worded as Step Functions words it, with the
// parameters shown (up to 1 KiB).
func ParamError(params any, format string, args ...any) *Error {
	shown := asl.EncodeJSON(params)
	if len(shown) > 1024 {
		shown = shown[:1024] + "..."
	}
	return &Error{Name: "States.Runtime", Cause: fmt.Sprintf("The Parameters '%s' could not be used to start the Task: [%s]", shown, fmt.Sprintf(format, args...))}
}

// MessageAttribute is a message attribute a Task gives: DataType (String,
// Number, Binary, String.Array, maybe with a custom suffix) and its value.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// TaskAttributes reads a Task's MessageAttributes (sqs:sendMessage's,
// sns:publish's): {"name": {"DataType": "String", "StringValue": "..."}},
// a BinaryValue in base64 as the SDKs' JSON takes it. Whether the names,
// types and values are ones the service accepts is the service's to say.
func TaskAttributes(params, v any) (map[string]MessageAttribute, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, ParamError(params, "The value for the field 'MessageAttributes' must be an OBJECT")
	}
	out := make(map[string]MessageAttribute, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) { // the first problem in name order: the same every time
		av := m[name]
		o, ok := av.(map[string]any)
		if !ok {
			return nil, ParamError(params, "The value for the field 'MessageAttributes.%s' must be an OBJECT with DataType and StringValue or BinaryValue", name)
		}
		var a MessageAttribute
		for _, k := range slices.Sorted(maps.Keys(o)) {
			fv := o[k]
			s, isStr := fv.(string)
			switch {
			case k != "DataType" && k != "StringValue" && k != "BinaryValue":
				return nil, ParamError(params, "The field 'MessageAttributes.%s.%s' is not supported (DataType, StringValue, BinaryValue)", name, k)
			case !isStr:
				return nil, ParamError(params, "The value for the field 'MessageAttributes.%s.%s' must be a STRING", name, k)
			case k == "DataType":
				a.DataType = s
			case k == "StringValue":
				a.StringValue = s
			default:
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, ParamError(params, "The value for the field 'MessageAttributes.%s.BinaryValue' must be base64: %v", name, err)
				}
				a.BinaryValue = b
			}
		}
		out[name] = a
	}
	return out, nil
}
