package intrinsic

import (
	"strings"

	"github.com/signalbox/signalbox/asl/jsontext"
)

// evalStringToJSON implements States.StringToJson(string): the JSON value
// the string holds. A blank string is null.
func evalStringToJSON(c *call, env *Env) (any, error) {
	v, err := c.args1(env)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, c.fn.invalid
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out, err := jsontext.Decode([]byte(s))
	if err != nil {
		return nil, c.fn.invalid
	}
	return out, nil
}

// evalJSONToString implements States.JsonToString(value): the value as
// compact JSON text.
func evalJSONToString(c *call, env *Env) (any, error) {
	v, err := c.args1(env)
	if err != nil {
		return nil, err
	}
	return compactJSON(v), nil
}

// evalJSONMerge implements States.JsonMerge(a, b, deep): a shallow merge
// of two objects in which b's members win. AWS supports only deep=false.
func evalJSONMerge(c *call, env *Env) (any, error) {
	vals, err := c.argsAll(env)
	if err != nil {
		return nil, err
	}
	a, ok1 := vals[0].(map[string]any)
	b, ok2 := vals[1].(map[string]any)
	deep, ok3 := vals[2].(bool)
	if !ok1 || !ok2 || !ok3 || deep {
		return nil, c.fn.invalid
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}
