package jsonata

// builtinFn is the Go implementation of a built-in function.
type builtinFn func(ev *evaluator, c *callCtx, args []any) (any, error)

// builtins holds the built-in functions by name (without the $).
var builtins = map[string]any{}

// define registers a built-in function with its signature and the number
// of arguments it takes when passed to a higher-order function.
func define(name, sig string, arity int, fn builtinFn) {
	s, err := parseSignature(sig)
	if err != nil {
		panic("jsonata: bad signature for $" + name + ": " + err.Error())
	}
	builtins[name] = &native{name: name, sig: s, arity: arity, fn: fn}
}

func init() {
	// strings
	define("string", "<x-b?:s>", 1, fnString)
	define("length", "<s-:n>", 1, fnLength)
	define("substring", "<s-nn?:s>", 2, fnSubstring)
	define("substringBefore", "<s-s:s>", 2, fnSubstringBefore)
	define("substringAfter", "<s-s:s>", 2, fnSubstringAfter)
	define("lowercase", "<s-:s>", 1, fnLowercase)
	define("uppercase", "<s-:s>", 1, fnUppercase)
	define("trim", "<s-:s>", 1, fnTrim)
	define("pad", "<s-ns?:s>", 2, fnPad)
	define("contains", "<s-(sf):b>", 2, fnContains)
	define("split", "<s-(sf)n?:a<s>>", 2, fnSplit)
	define("join", "<a<s>s?:s>", 1, fnJoin)
	define("match", "<s-f<s:o>n?:a<o>>", 2, fnMatch)
	define("replace", "<s-(sf)(sf)n?:s>", 3, fnReplace)
	define("base64encode", "<s-:s>", 1, fnBase64Encode)
	define("base64decode", "<s-:s>", 1, fnBase64Decode)
	define("encodeUrlComponent", "<s-:s>", 1, fnEncodeURLComponent)
	define("encodeUrl", "<s-:s>", 1, fnEncodeURL)
	define("decodeUrlComponent", "<s-:s>", 1, fnDecodeURLComponent)
	define("decodeUrl", "<s-:s>", 1, fnDecodeURL)
	define("formatNumber", "<n-so?:s>", 2, fnFormatNumber)
	define("formatBase", "<n-n?:s>", 1, fnFormatBase)
	define("formatInteger", "<n-s:s>", 2, fnFormatInteger)
	define("parseInteger", "<s-s:n>", 2, fnParseInteger)

	// numbers
	define("number", "<(nsb)-:n>", 1, fnNumber)
	define("abs", "<n-:n>", 1, fnAbs)
	define("floor", "<n-:n>", 1, fnFloor)
	define("ceil", "<n-:n>", 1, fnCeil)
	define("round", "<n-n?:n>", 1, fnRound)
	define("power", "<n-n:n>", 2, fnPower)
	define("sqrt", "<n-:n>", 1, fnSqrt)
	define("random", "<:n>", 0, fnRandom)
	define("sum", "<a<n>:n>", 1, fnSum)
	define("max", "<a<n>:n>", 1, fnMax)
	define("min", "<a<n>:n>", 1, fnMin)
	define("average", "<a<n>:n>", 1, fnAverage)

	// booleans
	define("boolean", "<x-:b>", 1, fnBoolean)
	define("not", "<x-:b>", 1, fnNot)
	define("exists", "<x:b>", 1, fnExists)

	// arrays
	define("count", "<a:n>", 1, fnCount)
	define("append", "<xx:a>", 2, fnAppend)
	define("reverse", "<a:a>", 1, fnReverse)
	define("shuffle", "<a:a>", 1, fnShuffle)
	define("sort", "<af?:a>", 1, fnSort)
	define("distinct", "<x:x>", 1, fnDistinct)
	define("zip", "<a+>", 1, fnZip)

	// objects
	define("keys", "<x-:a<s>>", 1, fnKeys)
	define("lookup", "<x-s:x>", 2, fnLookup)
	define("spread", "<x-:a<o>>", 1, fnSpread)
	define("merge", "<a<o>:o>", 1, fnMerge)
	define("each", "<o-f?:a>", 2, fnEach)
	define("sift", "<o-f?:o>", 2, fnSift)
	define("type", "<x:s>", 1, fnType)
	define("clone", "<(oa)-:(oa)>", 1, fnClone)
	define("error", "<s?:x>", 1, fnError)
	define("assert", "<bs?:x>", 2, fnAssert)

	// higher-order functions
	define("map", "<af>", 2, fnMap)
	define("filter", "<af>", 2, fnFilter)
	define("single", "<af?>", 2, fnSingle)
	define("reduce", "<afj?:j>", 2, fnReduce)

	// date and time
	define("now", "<s?s?:s>", 0, fnNow)
	define("millis", "<:n>", 0, fnMillis)
	define("fromMillis", "<n-s?s?:s>", 1, fnFromMillis)
	define("toMillis", "<s-s?:n>", 1, fnToMillis)
}

// arg returns argument i, or Undefined when it was not supplied.
func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return Undefined
}
