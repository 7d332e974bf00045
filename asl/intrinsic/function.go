package intrinsic

// variadic marks a function without an upper bound on its arguments.
const variadic = -1

// function describes one intrinsic function.
type function struct {
	name    string
	minArgs int
	maxArgs int // or variadic
	eval    func(c *call, env *Env) (any, error)
	// invalid is the error for arguments of the wrong type or range.
	invalid *evalError
}

// functions holds every intrinsic function AWS documents, by name.
var functions = map[string]*function{}

func init() {
	for _, f := range []*function{
		{name: "States.Format", minArgs: 1, maxArgs: variadic, eval: evalFormat},
		{name: "States.StringToJson", minArgs: 1, maxArgs: 1, eval: evalStringToJSON},
		{name: "States.JsonToString", minArgs: 1, maxArgs: 1, eval: evalJSONToString},
		{name: "States.Array", minArgs: 0, maxArgs: variadic, eval: evalArray},
		{name: "States.ArrayPartition", minArgs: 2, maxArgs: 2, eval: evalArrayPartition},
		{name: "States.ArrayContains", minArgs: 2, maxArgs: 2, eval: evalArrayContains},
		{name: "States.ArrayRange", minArgs: 3, maxArgs: 3, eval: evalArrayRange},
		{name: "States.ArrayGetItem", minArgs: 2, maxArgs: 2, eval: evalArrayGetItem},
		{name: "States.ArrayLength", minArgs: 1, maxArgs: 1, eval: evalArrayLength},
		{name: "States.ArrayUnique", minArgs: 1, maxArgs: 1, eval: evalArrayUnique},
		{name: "States.Base64Encode", minArgs: 1, maxArgs: 1, eval: evalBase64Encode},
		{name: "States.Base64Decode", minArgs: 1, maxArgs: 1, eval: evalBase64Decode},
		{name: "States.Hash", minArgs: 2, maxArgs: 2, eval: evalHash},
		{name: "States.JsonMerge", minArgs: 3, maxArgs: 3, eval: evalJSONMerge},
		{name: "States.MathRandom", minArgs: 2, maxArgs: 3, eval: evalMathRandom},
		{name: "States.MathAdd", minArgs: 2, maxArgs: 2, eval: evalMathAdd},
		{name: "States.StringSplit", minArgs: 2, maxArgs: 2, eval: evalStringSplit},
		{name: "States.UUID", minArgs: 0, maxArgs: 0, eval: evalUUID},
	} {
		f.invalid = &evalError{msg: "Invalid arguments in " + f.name}
		functions[f.name] = f
	}
}

// arity describes the number of arguments f takes, for messages.
func (f *function) arity() string {
	switch {
	case f.maxArgs == variadic:
		return plural(f.minArgs, "at least %d argument")
	case f.minArgs == f.maxArgs:
		return plural(f.minArgs, "%d argument")
	default:
		return itoa(f.minArgs) + " to " + plural(f.maxArgs, "%d argument")
	}
}

// args1 evaluates the only argument of c.
func (c *call) args1(env *Env) (any, error) { return c.args[0].eval(env) }

// args2 evaluates the first two arguments of c, in order.
func (c *call) args2(env *Env) (any, any, error) {
	a, err := c.args[0].eval(env)
	if err != nil {
		return nil, nil, err
	}
	b, err := c.args[1].eval(env)
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// argsAll evaluates every argument of c, in order.
func (c *call) argsAll(env *Env) ([]any, error) {
	vals := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := a.eval(env)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}
