package filter

import "strings"

// The table: a policy, the message it is matched against (as attributes,
// as a body, or both: the same policy read in both scopes) and the
// outcome. A case with err expects Compile to refuse the policy with
// that reason ("Invalid parameter: FilterPolicy: " + err) in the scopes
// errIn names (both when empty). Examples marked AWS are the SNS
// developer guide's or were recorded against AWS (localstack's
// snapshot tests).

type tcase struct {
	name   string
	policy string
	attrs  map[string]Attribute // matched in MessageAttributes scope when non-nil
	body   string               // matched in MessageBody scope when not ""
	want   bool
	err    string
	errIn  string // "attrs", "body" or "" (both)
}

const nestedErr = "!Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"

// Attribute builders.
func S(v string) Attribute  { return Attribute{DataType: "String", StringValue: v} }
func N(v string) Attribute  { return Attribute{DataType: "Number", StringValue: v} }
func SA(v string) Attribute { return Attribute{DataType: "String.Array", StringValue: v} }
func B() Attribute          { return Attribute{DataType: "Binary", BinaryValue: []byte{1, 2}} }

// A builds attributes from name, attribute pairs.
func A(kv ...any) map[string]Attribute {
	m := map[string]Attribute{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(Attribute)
	}
	return m
}

const yes, no = true, false

// values renders n strings "v0".."vn-1" as JSON array members.
func values(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"v`)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(strings.Repeat("y", i/26))
		b.WriteString(`"`)
	}
	return b.String()
}

var cases = []tcase{
	// Exact string matching.
	{name: "exact", policy: `{"k":["a"]}`, attrs: A("k", S("a")), body: `{"k":"a"}`, want: yes},
	{name: "exact is case-sensitive", policy: `{"k":["a"]}`, attrs: A("k", S("A")), body: `{"k":"A"}`, want: no},
	{name: "exact one of several (OR)", policy: `{"k":["a","b","c"]}`, attrs: A("k", S("b")), body: `{"k":"b"}`, want: yes},
	{name: "exact none of several", policy: `{"k":["a","b","c"]}`, attrs: A("k", S("d")), body: `{"k":"d"}`, want: no},
	{name: "exact key missing", policy: `{"k":["a"]}`, attrs: A("j", S("a")), body: `{"j":"a"}`, want: no},
	{name: "exact other keys ignored", policy: `{"k":["a"]}`, attrs: A("k", S("a"), "z", S("q")), body: `{"k":"a","z":"q"}`, want: yes},
	{name: "exact empty string", policy: `{"k":[""]}`, attrs: A("k", S("")), body: `{"k":""}`, want: yes},
	{name: "exact unicode", policy: `{"k":["é✓"]}`, attrs: A("k", S("é✓")), body: `{"k":"\u00e9\u2713"}`, want: yes},
	{name: "exact escaped quote", policy: `{"k":["a\"b"]}`, attrs: A("k", S(`a"b`)), body: `{"k":"a\"b"}`, want: yes},
	{name: "exact string never matches a number", policy: `{"k":["5"]}`, attrs: A("k", N("5")), body: `{"k":5}`, want: no},
	{name: "exact string never matches a boolean", policy: `{"k":["true"]}`, body: `{"k":true}`, want: no},
	{name: "exact in String.Array, any element (AWS)", policy: `{"customer_interests":["rugby","tennis"]}`, attrs: A("customer_interests", SA(`["rugby","tennis"]`)), body: `{"customer_interests":["rugby","tennis"]}`, want: yes},
	{name: "exact in String.Array, one element", policy: `{"k":["a"]}`, attrs: A("k", SA(`["x","a"]`)), body: `{"k":["x","a"]}`, want: yes},
	{name: "exact in String.Array, none (AWS)", policy: `{"customer_interests":["rugby","tennis"]}`, attrs: A("customer_interests", SA(`["baseball"]`)), body: `{"customer_interests":["baseball"]}`, want: no},
	{name: "exact String with custom type", policy: `{"k":["a"]}`, attrs: A("k", Attribute{DataType: "String.uuid", StringValue: "a"}), want: yes},
	{name: "exact Binary attribute ignored", policy: `{"k":["a"]}`, attrs: A("k", B()), want: no},
	{name: "exact String.Array text is not a string", policy: `{"k":["[\"a\"]"]}`, attrs: A("k", SA(`["a"]`)), want: no},
	{name: "exact broken String.Array", policy: `{"k":["a"]}`, attrs: A("k", SA(`["a"`)), want: no},
	{name: "exact AND of two keys", policy: `{"k":["a"],"j":["b"]}`, attrs: A("k", S("a"), "j", S("b")), body: `{"k":"a","j":"b"}`, want: yes},
	{name: "exact AND, one key wrong", policy: `{"k":["a"],"j":["b"]}`, attrs: A("k", S("a"), "j", S("c")), body: `{"k":"a","j":"c"}`, want: no},
	{name: "exact AND, one key missing", policy: `{"k":["a"],"j":["b"]}`, attrs: A("k", S("a")), body: `{"k":"a"}`, want: no},
	{name: "AND logic (AWS)", policy: `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}`, attrs: A("customer_interests", S("rugby"), "price_usd", N("101")), body: `{"customer_interests":"rugby","price_usd":101}`, want: yes},
	{name: "AND logic, price too low (AWS)", policy: `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}`, attrs: A("customer_interests", S("rugby"), "price_usd", N("100")), body: `{"customer_interests":"rugby","price_usd":100}`, want: no},
	{name: "key with a dot, flat attribute", policy: `{"a.b":["x"]}`, attrs: A("a.b", S("x")), want: yes},
	{name: "duplicate policy key, last wins", policy: `{"k":["a"],"k":["b"]}`, attrs: A("k", S("b")), body: `{"k":"b"}`, want: yes},
	{name: "duplicate policy key, first lost", policy: `{"k":["a"],"k":["b"]}`, attrs: A("k", S("a")), body: `{"k":"a"}`, want: no},
	{name: "duplicate body key, any value", policy: `{"k":["a"]}`, body: `{"k":"x","k":"a"}`, want: yes},

	{name: "mixed match values, string", policy: `{"k":["a",1,true,null]}`, attrs: A("k", S("a")), body: `{"k":"a"}`, want: yes},
	{name: "mixed match values, number", policy: `{"k":["a",1,true,null]}`, attrs: A("k", N("1")), body: `{"k":1}`, want: yes},
	{name: "mixed match values, boolean", policy: `{"k":["a",1,true,null]}`, attrs: A("k", SA(`[true]`)), body: `{"k":true}`, want: yes},
	{name: "mixed match values, none", policy: `{"k":["a",1,true,null]}`, attrs: A("k", S("b")), body: `{"k":false}`, want: no},
	{name: "equals-ignore-case never matches a number", policy: `{"k":[{"equals-ignore-case":"1"}]}`, attrs: A("k", N("1")), body: `{"k":1}`, want: no},
	{name: "cidr never matches a number", policy: `{"k":[{"cidr":"10.0.0.0/8"}]}`, attrs: A("k", N("10")), body: `{"k":10}`, want: no},

	// Numbers.
	{name: "number equals", policy: `{"k":[5]}`, attrs: A("k", N("5")), body: `{"k":5}`, want: yes},
	{name: "number equals other spelling", policy: `{"k":[5]}`, attrs: A("k", N("5.0")), body: `{"k":5.0e0}`, want: yes},
	{name: "number differs", policy: `{"k":[5]}`, attrs: A("k", N("6")), body: `{"k":6}`, want: no},
	{name: "number never matches a string", policy: `{"k":[5]}`, attrs: A("k", S("5")), body: `{"k":"5"}`, want: no},
	{name: "number in a String.Array", policy: `{"k":[5]}`, attrs: A("k", SA(`[1,5]`)), body: `{"k":[1,5]}`, want: yes},
	{name: "numeric = (AWS)", policy: `{"price_usd":[{"numeric":["=",301.5]}]}`, attrs: A("price_usd", N("301.5")), body: `{"price_usd":301.5}`, want: yes},
	{name: "numeric = exponent (AWS)", policy: `{"price_usd":[{"numeric":["=",301.5]}]}`, attrs: A("price_usd", N("3.015e2")), body: `{"price_usd":3.015e2}`, want: yes},
	{name: "numeric = differs", policy: `{"price_usd":[{"numeric":["=",301.5]}]}`, attrs: A("price_usd", N("301.6")), body: `{"price_usd":301.6}`, want: no},
	{name: "numeric = fifth decimal counts", policy: `{"k":[{"numeric":["=",0.1]}]}`, attrs: A("k", N("0.10001")), body: `{"k":0.10001}`, want: no},
	{name: "numeric = sixth decimal counts", policy: `{"k":[{"numeric":["=",0.1]}]}`, attrs: A("k", N("0.100001")), body: `{"k":0.100001}`, want: no},
	{name: "numeric = beyond sixth decimal equal", policy: `{"k":[{"numeric":["=",0.1]}]}`, attrs: A("k", N("0.1000000001")), body: `{"k":0.1000000001}`, want: yes},
	{name: "numeric < 0 (AWS)", policy: `{"price_usd":[{"numeric":["<",0]}]}`, attrs: A("price_usd", N("-1")), body: `{"price_usd":-1}`, want: yes},
	{name: "numeric < 0 at zero", policy: `{"price_usd":[{"numeric":["<",0]}]}`, attrs: A("price_usd", N("0")), body: `{"price_usd":0}`, want: no},
	{name: "numeric <= at bound", policy: `{"k":[{"numeric":["<=",10]}]}`, attrs: A("k", N("10")), body: `{"k":10}`, want: yes},
	{name: "numeric > at bound", policy: `{"k":[{"numeric":[">",10]}]}`, attrs: A("k", N("10")), body: `{"k":10}`, want: no},
	{name: "numeric >= at bound", policy: `{"k":[{"numeric":[">=",10]}]}`, attrs: A("k", N("10")), body: `{"k":10}`, want: yes},
	{name: "numeric range inside (AWS)", policy: `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, attrs: A("price_usd", N("150")), body: `{"price_usd":150}`, want: yes},
	{name: "numeric range at open bottom", policy: `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, attrs: A("price_usd", N("0")), body: `{"price_usd":0}`, want: no},
	{name: "numeric range above top", policy: `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, attrs: A("price_usd", N("150.00001")), body: `{"price_usd":150.00001}`, want: no},
	{name: "numeric range >= <", policy: `{"k":[{"numeric":[">=",10,"<",20]}]}`, attrs: A("k", N("19.99999")), body: `{"k":19.99999}`, want: yes},
	{name: "numeric range >= < at top", policy: `{"k":[{"numeric":[">=",10,"<",20]}]}`, attrs: A("k", N("20")), body: `{"k":20}`, want: no},
	{name: "numeric negative range", policy: `{"k":[{"numeric":[">",-10.5,"<",-1]}]}`, attrs: A("k", N("-5")), body: `{"k":-5}`, want: yes},
	{name: "numeric at the limits", policy: `{"k":[{"numeric":[">=",-1e9,"<=",1e9]}]}`, attrs: A("k", N("1000000000")), body: `{"k":1000000000}`, want: yes},
	{name: "numeric message beyond the limits", policy: `{"k":[{"numeric":[">=",-1e9,"<=",1e9]}]}`, attrs: A("k", N("1000000001")), body: `{"k":1000000001}`, want: no},
	{name: "numeric never matches a string", policy: `{"k":[{"numeric":[">",0]}]}`, attrs: A("k", S("5")), body: `{"k":"5"}`, want: no},
	{name: "numeric unparsable Number attribute", policy: `{"k":[{"numeric":[">",0]}]}`, attrs: A("k", N("abc")), want: no},
	{name: "numeric Number with custom type", policy: `{"k":[{"numeric":[">",0]}]}`, attrs: A("k", Attribute{DataType: "Number.float", StringValue: "0.5"}), want: yes},
	{name: "numeric any element of an array", policy: `{"k":[{"numeric":[">",100]}]}`, attrs: A("k", SA(`[1,200]`)), body: `{"k":[1,200]}`, want: yes},
	{name: "numeric no element of an array", policy: `{"k":[{"numeric":[">",100]}]}`, attrs: A("k", SA(`[1,2]`)), body: `{"k":[1,2]}`, want: no},
	{name: "numeric never matches a boolean", policy: `{"k":[{"numeric":[">",0]}]}`, body: `{"k":true}`, want: no},
	{name: "numeric OR exact", policy: `{"k":[{"numeric":["<",0]},"none"]}`, attrs: A("k", S("none")), body: `{"k":"none"}`, want: yes},
	{name: "numeric two ranges (OR)", policy: `{"k":[{"numeric":[">",100,"<=",200]},{"numeric":[">",300]}]}`, attrs: A("k", N("301")), body: `{"k":301}`, want: yes},
	{name: "numeric two ranges, between them", policy: `{"k":[{"numeric":[">",100,"<=",200]},{"numeric":[">",300]}]}`, attrs: A("k", N("250")), body: `{"k":250}`, want: no},

	// anything-but.
	{name: "anything-but list, other value (AWS)", policy: `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, attrs: A("customer_interests", S("baseball")), body: `{"customer_interests":"baseball"}`, want: yes},
	{name: "anything-but list, named value (AWS)", policy: `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, attrs: A("customer_interests", S("rugby")), body: `{"customer_interests":"rugby"}`, want: no},
	{name: "anything-but list, array with another value (AWS)", policy: `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, attrs: A("customer_interests", SA(`["rugby","baseball"]`)), body: `{"customer_interests":["rugby","baseball"]}`, want: yes},
	{name: "anything-but list, array of named values", policy: `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, attrs: A("customer_interests", SA(`["rugby","tennis"]`)), body: `{"customer_interests":["rugby","tennis"]}`, want: no},
	{name: "anything-but, key missing", policy: `{"k":[{"anything-but":["x"]}]}`, attrs: A("j", S("y")), body: `{"j":"y"}`, want: no},
	{name: "anything-but single string", policy: `{"k":[{"anything-but":"x"}]}`, attrs: A("k", S("y")), body: `{"k":"y"}`, want: yes},
	{name: "anything-but single string, named", policy: `{"k":[{"anything-but":"x"}]}`, attrs: A("k", S("x")), body: `{"k":"x"}`, want: no},
	{name: "anything-but strings, a number is other", policy: `{"k":[{"anything-but":["5"]}]}`, attrs: A("k", N("5")), body: `{"k":5}`, want: yes},
	{name: "anything-but numbers, other (AWS)", policy: `{"price":[{"anything-but":[100,500]}]}`, attrs: A("price", N("101")), body: `{"price":101}`, want: yes},
	{name: "anything-but numbers, fraction (AWS)", policy: `{"price":[{"anything-but":[100,500]}]}`, attrs: A("price", N("100.1")), body: `{"price":100.1}`, want: yes},
	{name: "anything-but numbers, named (AWS)", policy: `{"price":[{"anything-but":[100,500]}]}`, attrs: A("price", N("100")), body: `{"price":100}`, want: no},
	{name: "anything-but numbers, named other spelling", policy: `{"price":[{"anything-but":[100,500]}]}`, attrs: A("price", N("1e2")), body: `{"price":5e2}`, want: no},
	{name: "anything-but numbers, array with other (AWS)", policy: `{"price":[{"anything-but":[100,500]}]}`, attrs: A("price", SA(`[100,50]`)), body: `{"price":[100,50]}`, want: yes},
	{name: "anything-but single number", policy: `{"k":[{"anything-but":5}]}`, attrs: A("k", N("5")), body: `{"k":5}`, want: no},
	{name: "anything-but single number, other", policy: `{"k":[{"anything-but":5}]}`, attrs: A("k", N("6")), body: `{"k":6}`, want: yes},
	{name: "anything-but numbers, a string is other", policy: `{"k":[{"anything-but":[5]}]}`, attrs: A("k", S("5")), body: `{"k":"5"}`, want: yes},
	{name: "anything-but never matches null", policy: `{"k":[{"anything-but":["x"]}]}`, attrs: A("k", SA(`[null]`)), body: `{"k":null}`, want: no},
	{name: "anything-but prefix, other (AWS)", policy: `{"event":[{"anything-but":{"prefix":"order-"}}]}`, attrs: A("event", S("data-entry")), body: `{"event":"data-entry"}`, want: yes},
	{name: "anything-but prefix, underscore (AWS)", policy: `{"event":[{"anything-but":{"prefix":"order-"}}]}`, attrs: A("event", S("order_number")), body: `{"event":"order_number"}`, want: yes},
	{name: "anything-but prefix, prefixed (AWS)", policy: `{"event":[{"anything-but":{"prefix":"order-"}}]}`, attrs: A("event", S("order-cancelled")), body: `{"event":"order-cancelled"}`, want: no},
	{name: "anything-but suffix, other", policy: `{"f":[{"anything-but":{"suffix":".png"}}]}`, attrs: A("f", S("a.jpg")), body: `{"f":"a.jpg"}`, want: yes},
	{name: "anything-but suffix, suffixed", policy: `{"f":[{"anything-but":{"suffix":".png"}}]}`, attrs: A("f", S("a.png")), body: `{"f":"a.png"}`, want: no},
	{name: "anything-but or exists false, absent", policy: `{"k":[{"anything-but":["x"]},{"exists":false}]}`, attrs: A("j", S("y")), body: `{"j":"y"}`, want: yes},
	{name: "anything-but or exists false, named", policy: `{"k":[{"anything-but":["x"]},{"exists":false}]}`, attrs: A("k", S("x")), body: `{"k":"x"}`, want: no},
	{name: "anything-but or exists false, other", policy: `{"k":[{"anything-but":["x"]},{"exists":false}]}`, attrs: A("k", S("y")), body: `{"k":"y"}`, want: yes},
	{name: "anything-but Binary ignored", policy: `{"k":[{"anything-but":["x"]}]}`, attrs: A("k", B()), want: no},

	{name: "anything-but numbers, Number.Array (AWS)", policy: `{"price":[{"anything-but":[100,500]}]}`, attrs: A("price", Attribute{DataType: "Number.Array", StringValue: "[100, 50]"}), body: `{"price":[100,50]}`, want: yes},
	{name: "number in a Number.Array", policy: `{"price":[50]}`, attrs: A("price", Attribute{DataType: "Number.Array", StringValue: "[100, 50]"}), want: yes},

	// prefix, suffix, equals-ignore-case.
	{name: "prefix (AWS)", policy: `{"customer_interests":[{"prefix":"bas"}]}`, attrs: A("customer_interests", S("baseball")), body: `{"customer_interests":"baseball"}`, want: yes},
	{name: "prefix basketball (AWS)", policy: `{"customer_interests":[{"prefix":"bas"}]}`, attrs: A("customer_interests", S("basketball")), body: `{"customer_interests":"basketball"}`, want: yes},
	{name: "prefix no (AWS)", policy: `{"customer_interests":[{"prefix":"bas"}]}`, attrs: A("customer_interests", S("rugby")), body: `{"customer_interests":"rugby"}`, want: no},
	{name: "prefix is case-sensitive", policy: `{"k":[{"prefix":"bas"}]}`, attrs: A("k", S("Baseball")), body: `{"k":"Baseball"}`, want: no},
	{name: "prefix longer than value", policy: `{"k":[{"prefix":"basket"}]}`, attrs: A("k", S("bask")), body: `{"k":"bask"}`, want: no},
	{name: "prefix never matches a number", policy: `{"k":[{"prefix":"1"}]}`, attrs: A("k", N("123")), body: `{"k":123}`, want: no},
	{name: "prefix empty matches any string", policy: `{"k":[{"prefix":""}]}`, attrs: A("k", S("x")), body: `{"k":"x"}`, want: yes},
	{name: "prefix in String.Array", policy: `{"k":[{"prefix":"bas"}]}`, attrs: A("k", SA(`["rugby","basketball"]`)), body: `{"k":["rugby","basketball"]}`, want: yes},
	{name: "suffix (AWS)", policy: `{"customer_interests":[{"suffix":"ball"}]}`, attrs: A("customer_interests", S("baseball")), body: `{"customer_interests":"baseball"}`, want: yes},
	{name: "suffix no (AWS)", policy: `{"customer_interests":[{"suffix":"ball"}]}`, attrs: A("customer_interests", S("rugby")), body: `{"customer_interests":"rugby"}`, want: no},
	{name: "suffix unicode", policy: `{"k":[{"suffix":"✓"}]}`, attrs: A("k", S("done ✓")), body: `{"k":"done ✓"}`, want: yes},
	{name: "prefix or suffix", policy: `{"k":[{"prefix":"a"},{"suffix":"z"}]}`, attrs: A("k", S("xyz")), body: `{"k":"xyz"}`, want: yes},
	{name: "equals-ignore-case (AWS)", policy: `{"customer_interests":[{"equals-ignore-case":"tennis"}]}`, attrs: A("customer_interests", S("TENNIS")), body: `{"customer_interests":"TENNIS"}`, want: yes},
	{name: "equals-ignore-case mixed (AWS)", policy: `{"customer_interests":[{"equals-ignore-case":"tennis"}]}`, attrs: A("customer_interests", S("Tennis")), body: `{"customer_interests":"Tennis"}`, want: yes},
	{name: "equals-ignore-case no (AWS)", policy: `{"customer_interests":[{"equals-ignore-case":"tennis"}]}`, attrs: A("customer_interests", S("baseball")), body: `{"customer_interests":"baseball"}`, want: no},
	{name: "equals-ignore-case is not a prefix", policy: `{"k":[{"equals-ignore-case":"ten"}]}`, attrs: A("k", S("TENNIS")), body: `{"k":"TENNIS"}`, want: no},
	{name: "equals-ignore-case unicode", policy: `{"k":[{"equals-ignore-case":"ÉTÉ"}]}`, attrs: A("k", S("été")), body: `{"k":"été"}`, want: yes},
	{name: "equals-ignore-case in array", policy: `{"k":[{"equals-ignore-case":"x"}]}`, attrs: A("k", SA(`["a","X"]`)), body: `{"k":["a","X"]}`, want: yes},

	// exists.
	{name: "exists true (AWS)", policy: `{"store":[{"exists":true}]}`, attrs: A("store", S("fans")), body: `{"store":"fans"}`, want: yes},
	{name: "exists true, absent (AWS)", policy: `{"store":[{"exists":true}]}`, attrs: A("customer_interests", SA(`["baseball","basketball"]`)), body: `{"customer_interests":["baseball","basketball"]}`, want: no},
	{name: "exists true, Number attribute (AWS)", policy: `{"store":[{"exists":true}]}`, attrs: A("store", N("99"), "def", N("99")), body: `{"store":99}`, want: yes},
	{name: "exists true, Binary ignored", policy: `{"store":[{"exists":true}]}`, attrs: A("store", B()), want: no},
	{name: "exists true, empty array", policy: `{"store":[{"exists":true}]}`, attrs: A("store", SA(`[]`)), body: `{"store":[]}`, want: no},
	{name: "exists true, null", policy: `{"store":[{"exists":true}]}`, attrs: A("store", SA(`[null]`)), body: `{"store":null}`, want: no},
	{name: "exists true, empty string", policy: `{"store":[{"exists":true}]}`, attrs: A("store", S("")), body: `{"store":""}`, want: no},
	{name: "exists true, intermediate node", policy: `{"store":[{"exists":true}]}`, body: `{"store":{"name":"x"}}`, want: no},
	{name: "exists true, false is a value", policy: `{"store":[{"exists":true}]}`, attrs: A("store", SA(`[false]`)), body: `{"store":false}`, want: yes},
	{name: "exists false, absent (AWS)", policy: `{"store":[{"exists":false}]}`, attrs: A("def", N("99")), body: `{"def":99}`, want: yes},
	{name: "exists false, present (AWS)", policy: `{"store":[{"exists":false}]}`, attrs: A("store", N("99"), "def", N("99")), body: `{"store":99,"def":99}`, want: no},
	{name: "exists false, no attributes at all (AWS)", policy: `{"store":[{"exists":false}]}`, attrs: A(), want: no},
	{name: "exists false, empty body", policy: `{"store":[{"exists":false}]}`, body: `{}`, want: yes},
	{name: "exists false, null", policy: `{"store":[{"exists":false}]}`, body: `{"store":null}`, want: yes},
	{name: "exists false, intermediate node", policy: `{"store":[{"exists":false}]}`, body: `{"store":{"name":"x"}}`, want: yes},
	{name: "exists false, Binary ignored", policy: `{"store":[{"exists":false}]}`, attrs: A("store", B()), want: yes},
	{name: "exists false AND exact", policy: `{"store":[{"exists":false}],"k":["a"]}`, attrs: A("k", S("a")), body: `{"k":"a"}`, want: yes},
	{name: "exists false AND exact, store present", policy: `{"store":[{"exists":false}],"k":["a"]}`, attrs: A("k", S("a"), "store", S("s")), body: `{"k":"a","store":"s"}`, want: no},

	// null and booleans.
	{name: "null matches null", policy: `{"k":[null]}`, attrs: A("k", SA(`[null]`)), body: `{"k":null}`, want: yes},
	{name: "null is not the string null", policy: `{"k":[null]}`, attrs: A("k", S("null")), body: `{"k":"null"}`, want: no},
	{name: "null never matches absence (AWS)", policy: `{"attr1":[null,{"anything-but":"whatever"}]}`, attrs: A("other", S("x")), body: `{"other":"x"}`, want: no},
	{name: "null or anything-but, other", policy: `{"attr1":[null,{"anything-but":"whatever"}]}`, attrs: A("attr1", S("x")), body: `{"attr1":"x"}`, want: yes},
	{name: "true matches true", policy: `{"k":[true]}`, attrs: A("k", SA(`[true]`)), body: `{"k":true}`, want: yes},
	{name: "true is not false", policy: `{"k":[true]}`, attrs: A("k", SA(`[false]`)), body: `{"k":false}`, want: no},
	{name: "true is not the string true", policy: `{"k":[true]}`, attrs: A("k", S("true")), body: `{"k":"true"}`, want: no},
	{name: "false matches false", policy: `{"k":[false]}`, body: `{"k":false}`, want: yes},

	// cidr.
	{name: "cidr inside", policy: `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, attrs: A("source_ip", S("10.0.0.255")), body: `{"source_ip":"10.0.0.255"}`, want: yes},
	{name: "cidr network address", policy: `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, attrs: A("source_ip", S("10.0.0.0")), body: `{"source_ip":"10.0.0.0"}`, want: yes},
	{name: "cidr outside", policy: `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, attrs: A("source_ip", S("10.1.1.0")), body: `{"source_ip":"10.1.1.0"}`, want: no},
	{name: "cidr not an address", policy: `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, attrs: A("source_ip", S("ten")), body: `{"source_ip":"ten"}`, want: no},
	{name: "cidr ipv6", policy: `{"ip":[{"cidr":"2001:db8::/32"}]}`, attrs: A("ip", S("2001:db8::1")), body: `{"ip":"2001:db8::1"}`, want: yes},
	{name: "cidr ipv6 outside", policy: `{"ip":[{"cidr":"2001:db8::/32"}]}`, attrs: A("ip", S("2001:db9::1")), body: `{"ip":"2001:db9::1"}`, want: no},

	// $or.
	{name: "$or first (AWS)", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, attrs: A("source", S("aws.cloudwatch"), "metricName", S("CPUUtilization")), body: `{"source":"aws.cloudwatch","metricName":"CPUUtilization"}`, want: yes},
	{name: "$or second (AWS)", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, attrs: A("source", S("aws.cloudwatch"), "namespace", S("AWS/EC2")), body: `{"source":"aws.cloudwatch","namespace":"AWS/EC2"}`, want: yes},
	{name: "$or neither (AWS)", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, attrs: A("source", S("aws.cloudwatch")), body: `{"source":"aws.cloudwatch"}`, want: no},
	{name: "$or without the AND key (AWS)", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`, attrs: A("metricName", S("CPUUtilization")), body: `{"metricName":"CPUUtilization"}`, want: no},
	{name: "$or nested, inner first (AWS)", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234,4321]},{"spaceId":[1000,2000,3000]}]}]}`, attrs: A("source", S("aws.cloudwatch"), "metricType", S("MetricType"), "metricId", N("4321")), body: `{"source":"aws.cloudwatch","metricType":"MetricType","metricId":4321}`, want: yes},
	{name: "$or nested, inner second (AWS)", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234,4321]},{"spaceId":[1000,2000,3000]}]}]}`, attrs: A("source", S("aws.cloudwatch"), "metricType", S("MetricType"), "spaceId", N("3000")), body: `{"source":"aws.cloudwatch","metricType":"MetricType","spaceId":3000}`, want: yes},
	{name: "$or nested, inner missing", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234,4321]},{"spaceId":[1000,2000,3000]}]}]}`, attrs: A("source", S("aws.cloudwatch"), "metricType", S("MetricType")), body: `{"source":"aws.cloudwatch","metricType":"MetricType"}`, want: no},
	{name: "$or nested, outer first", policy: `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234,4321]},{"spaceId":[1000,2000,3000]}]}]}`, attrs: A("source", S("aws.cloudwatch"), "metricName", S("ReadLatency")), body: `{"source":"aws.cloudwatch","metricName":"ReadLatency"}`, want: yes},
	{name: "$or of three", policy: `{"$or":[{"a":["1"]},{"b":["2"]},{"c":["3"]}]}`, attrs: A("c", S("3")), body: `{"c":"3"}`, want: yes},
	{name: "$or of three, none", policy: `{"$or":[{"a":["1"]},{"b":["2"]},{"c":["3"]}]}`, attrs: A("c", S("4")), body: `{"c":"4"}`, want: no},
	{name: "$or with exists false", policy: `{"$or":[{"a":[{"exists":false}]},{"b":["2"]}]}`, attrs: A("a", S("1"), "b", S("2")), body: `{"a":"1","b":"2"}`, want: yes},
	{name: "$or with exists false, neither", policy: `{"$or":[{"a":[{"exists":false}]},{"b":["2"]}]}`, attrs: A("a", S("1"), "b", S("3")), body: `{"a":"1","b":"3"}`, want: no},
	{name: "$or followed by a key applies to every branch", policy: `{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}`, attrs: A("b", S("2")), body: `{"b":"2"}`, want: no},
	{name: "$or followed by a key, both", policy: `{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}`, attrs: A("b", S("2"), "c", S("3")), body: `{"b":"2","c":"3"}`, want: yes},
	{name: "$or as a plain key (one object)", policy: `{"$or":["x"]}`, attrs: A("$or", S("x")), body: `{"$or":"x"}`, want: yes},
	{name: "$or nested in a body object (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`, body: `{"metricName":"CPUUtilization","detail":{"scope":"Service","source":"aws.cloudwatch"}}`, want: yes},
	{name: "$or nested in a body object, type (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`, body: `{"namespace":"AWS/ES","detail":{"scope":"Service","type":"CloudWatch Alarm State Change"}}`, want: yes},
	{name: "$or nested in a body object, wrong scope (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`, body: `{"metricName":"CPUUtilization","detail":{"scope":"aws.cloudwatch","type":"CloudWatch Alarm State Change"}}`, want: no},
	{name: "$or nested in a body object, wrong type (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`, body: `{"metricName":"CPUUtilization","detail":{"scope":"Service","type":"CPUUtilization"}}`, want: no},
	{name: "$or nested in a body object, no source or type (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`, body: `{"metricName":"CPUUtilization","detail":{"scope":"Service"}}`, want: no},
	{name: "$or nested in a body object, scope at the top (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`, body: `{"metricName":"CPUUtilization","scope":"Service"}`, want: no},

	// Nested keys in a body.
	{name: "nested key (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"}]}}`, body: `{"object":{"key":"auto-test"}}`, want: yes},
	{name: "nested key, value mismatch (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"}]}}`, body: `{"object":{"key":"test-auto"}}`, want: no},
	{name: "nested key at the wrong level", policy: `{"object":{"key":["x"]}}`, body: `{"key":"x"}`, want: no},
	{name: "nested key, body key with a dot", policy: `{"a":{"b":["x"]}}`, body: `{"a.b":"x"}`, want: yes},
	{name: "dotted key, nested body (AWS)", policy: `{"object.nested":["string.value"]}`, body: `{"object":{"nested":"string.value"}}`, want: yes},
	{name: "dotted key, dotted body (AWS)", policy: `{"object.nested":["string.value"]}`, body: `{"object.nested":"string.value"}`, want: yes},
	{name: "dotted key, mismatch (AWS)", policy: `{"object.nested":["string.value"]}`, body: `{"object":{"nested":"test-auto"}}`, want: no},
	{name: "deep dotted key, mixed body 1 (AWS)", policy: `{"object.nested.test":["string.value"]}`, body: `{"object.nested":{"test":"string.value"}}`, want: yes},
	{name: "deep dotted key, mixed body 2 (AWS)", policy: `{"object.nested.test":["string.value"]}`, body: `{"object":{"nested.test":"string.value"}}`, want: yes},
	{name: "deep dotted key, mismatch (AWS)", policy: `{"object.nested.test":["string.value"]}`, body: `{"object":{"nested":{"test":"string.notvalue"}}}`, want: no},
	{name: "key is not a prefix of a longer body key", policy: `{"a":{"b":["x"]}}`, body: `{"a":{"bc":"x"}}`, want: no},
	{name: "nested exists false and prefix (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}`, body: `{"object":{"key":"hardcodedvalue"}}`, want: yes},
	{name: "nested exists false, top key present (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}`, body: `{"object":{"key":"auto-test"},"test":"just-exists"}`, want: no},
	{name: "nested exists false, nested key present (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}`, body: `{"object":{"key":"auto-test","nested_key":"just-exists"}}`, want: no},
	{name: "nested exists false, key missing (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}`, body: `{"object":{"test":"auto-test"}}`, want: no},
	{name: "array of values, one matches (AWS)", policy: `{"headers":{"route-to":["queue1"]}}`, body: `{"headers":{"route-to":["queue1","queue2"]}}`, want: yes},
	{name: "array of values, none (AWS)", policy: `{"headers":{"route-to":["queue1"]}}`, body: `{"headers":{"route-to":["queue3"]}}`, want: no},
	{name: "array of arrays", policy: `{"k":["x"]}`, body: `{"k":[["y"],["x"]]}`, want: yes},
	{name: "array of objects, one element matches", policy: `{"r":{"a":["1"]}}`, body: `{"r":[{"a":"0"},{"a":"1"}]}`, want: yes},
	{name: "array of objects, same element (AWS)", policy: `{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`, body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"auto-insurance-2314.xml","size":17}}}]}`, want: yes},
	{name: "array of objects, removed (AWS)", policy: `{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`, body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"auto-insurance-2314.xml","size":17}}}]}`, want: no},
	{name: "array of objects, other key (AWS)", policy: `{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`, body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"home-insurance-2314.xml","size":17}}}]}`, want: no},
	{name: "array of objects, list of lists (AWS)", policy: `{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`, body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":[[{"key":"auto-insurance-2314.xml","size":17}]]}},{"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"home-insurance-2314.xml"}}}]}`, want: yes},
	{name: "array of objects, keys from two elements", policy: `{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`, body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"home-1.xml"}}},{"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"auto-1.xml"}}}]}`, want: no},
	{name: "array of objects, keys from two elements, flat", policy: `{"r":{"a":["1"],"b":["2"]}}`, body: `{"r":[{"a":"1","b":"x"},{"a":"y","b":"2"}]}`, want: no},
	{name: "array of objects, keys from one element, flat", policy: `{"r":{"a":["1"],"b":["2"]}}`, body: `{"r":[{"a":"1","b":"x"},{"a":"1","b":"2"}]}`, want: yes},
	{name: "array of objects and a key outside it", policy: `{"r":{"a":["1"]},"t":["2"]}`, body: `{"r":[{"a":"0"},{"a":"1"}],"t":"2"}`, want: yes},
	{name: "nested array, inner elements join", policy: `{"r":{"a":["1"],"b":["2"]}}`, body: `{"r":[{"a":["0","1"],"b":["2"]}]}`, want: yes},
	{name: "nested number in an object", policy: `{"order":{"price":[{"numeric":[">",100]}]}}`, body: `{"order":{"price":150}}`, want: yes},
	{name: "nested number as string", policy: `{"order":{"price":[{"numeric":[">",100]}]}}`, body: `{"order":{"price":"150"}}`, want: no},
	{name: "deep nesting accepted", policy: `{"a":{"b":{"c":{"d":{"e":["x"]}}}}}`, body: `{"a":{"b":{"c":{"d":{"e":"x"}}}}}`, want: yes},
	{name: "policy on a key whose value is skipped", policy: `{"k":["a"]}`, body: `{"big":{"x":[1,2,{"y":[3]}]},"k":"a"}`, want: yes},

	// Bodies that are not JSON objects.
	{name: "body a string", policy: `{"k":["a"]}`, body: `"Regular string message"`, want: no},
	{name: "body JSON string (AWS)", policy: `{"k":["a"]}`, body: `"{\"k\":\"a\"}"`, want: no},
	{name: "body an array", policy: `{"k":["a"]}`, body: `[{"k":"a"}]`, want: no},
	{name: "body not JSON", policy: `{"k":["a"]}`, body: `k=a`, want: no},
	{name: "body truncated", policy: `{"k":["a"]}`, body: `{"k":"a"`, want: no},
	{name: "body with trailing data", policy: `{"k":["a"]}`, body: `{"k":"a"} {}`, want: no},
	{name: "body invalid after the match", policy: `{"k":["a"]}`, body: `{"k":"a","j":tru}`, want: no},
	{name: "body null", policy: `{"k":[{"exists":false}]}`, body: `null`, want: no},

	// Errors: the words of AWS.
	{name: "nested array value (AWS)", policy: `{"key":[["value"]]}`, err: "Match value must be String, number, true, false, or null"},
	{name: "array in array value", policy: `{"key":["a",["b"]]}`, err: "Match value must be String, number, true, false, or null"},
	{name: "unknown operator (AWS)", policy: `{"key":[{"wrong-operator":true}]}`, err: "Unrecognized match type wrong-operator"},
	{name: "wildcard not supported", policy: `{"key":[{"wildcard":"a*"}]}`, err: "Unrecognized match type wildcard"},
	{name: "exactly not supported", policy: `{"key":[{"exactly":"a"}]}`, err: "Unrecognized match type exactly"},
	{name: "$or with a numeric operator key is a plain key", policy: `{"$or":[{">":["1"]},{"b":["2"]}]}`, err: "Unrecognized match type >"},
	{name: "two operators (AWS)", policy: `{"key":[{"suffix":"value","prefix":"value2"}]}`, err: "Only one key allowed in match expression"},
	{name: "empty match expression", policy: `{"key":[{}]}`, err: "Match expression name not found"},
	{name: "suffix number (AWS)", policy: `{"key":[{"suffix":100}]}`, err: "suffix match pattern must be a string"},
	{name: "suffix null (AWS)", policy: `{"key":[{"suffix":null}]}`, err: "suffix match pattern must be a string"},
	{name: "suffix empty list (AWS)", policy: `{"key":[{"suffix":[]}]}`, err: "suffix match pattern must be a string"},
	{name: "suffix list (AWS)", policy: `{"key":[{"suffix":["test","test2"]}]}`, err: "suffix match pattern must be a string"},
	{name: "prefix number", policy: `{"key":[{"prefix":1}]}`, err: "prefix match pattern must be a string"},
	{name: "prefix with another key", policy: `{"key":[{"prefix":"a","x":1}]}`, err: "Only one key allowed in match expression"},
	{name: "equals-ignore-case number", policy: `{"key":[{"equals-ignore-case":5}]}`, err: "equals-ignore-case match pattern must be a string"},
	{name: "operator not in a list (AWS)", policy: `{"key":{"suffix":"value"}}`, err: `"suffix" must be an object or an array`},
	{name: "two operators not in a list (AWS)", policy: `{"key":{"suffix":"value","prefix":"value"}}`, err: `"suffix" must be an object or an array`},
	{name: "no operator not in a list (AWS)", policy: `{"key":{"not-an-operator":"value"}}`, err: `"not-an-operator" must be an object or an array`},
	{name: "value not in a list (AWS)", policy: `{"key_a":"value_one"}`, err: `"key_a" must be an object or an array`},
	{name: "number not in a list", policy: `{"key_a":5}`, err: `"key_a" must be an object or an array`},
	{name: "empty list", policy: `{"key":[]}`, err: "Empty arrays are not allowed"},
	{name: "empty nested object", policy: `{"a":{}}`, err: "Empty objects are not allowed"},
	{name: "nested policy in attribute scope (AWS)", policy: `{"object":{"key":[{"prefix":"auto-"}]}}`, err: nestedErr, errIn: "attrs"},
	{name: "nested policy in attribute scope under $or", policy: `{"$or":[{"a":["1"]},{"b":{"c":["2"]}}]}`, err: nestedErr, errIn: "attrs"},
	{name: "numeric empty (AWS)", policy: `{"key":[{"numeric":[]}]}`, err: "Invalid member in numeric match: ]"},
	{name: "numeric unknown operator (AWS)", policy: `{"key":[{"numeric":["operator"]}]}`, err: "Unrecognized numeric range operator: operator"},
	{name: "numeric number first (AWS)", policy: `{"key":[{"numeric":[1,"<="]}]}`, err: "Invalid member in numeric match: 1"},
	{name: "numeric = string (AWS)", policy: `{"key":[{"numeric":["=","000"]}]}`, err: "Value of equals must be numeric"},
	{name: "numeric >= missing (AWS)", policy: `{"key":[{"numeric":[">="]}]}`, err: "Value of >= must be numeric"},
	{name: "numeric < then > (AWS)", policy: `{"key":[{"numeric":["<",100,">",10]}]}`, err: "Too many elements in numeric expression"},
	{name: "numeric >= then > (AWS)", policy: `{"key":[{"numeric":[">=",1,">",2]}]}`, err: "Bad numeric range operator: >"},
	{name: "numeric bottom above top (AWS)", policy: `{"key":[{"numeric":[">",3,"<",1]}]}`, err: "Bottom must be less than top"},
	{name: "numeric bottom equals top", policy: `{"key":[{"numeric":[">=",3,"<=",3]}]}`, err: "Bottom must be less than top"},
	{name: "numeric range top missing (AWS)", policy: `{"key":[{"numeric":[">",20,"<="]}]}`, err: "Value of <= must be numeric"},
	{name: "numeric range operator missing (AWS)", policy: `{"key":[{"numeric":[">",20,30]}]}`, err: "Bad value in numeric range: 30"},
	{name: "numeric range operator unknown (AWS)", policy: `{"key":[{"numeric":[">",20,"test"]}]}`, err: "Bad numeric range operator: test"},
	{name: "numeric range string bottom (AWS)", policy: `{"key":[{"numeric":[">","20","<","30"]}]}`, err: "Value of > must be numeric"},
	{name: "numeric range string top (AWS)", policy: `{"key":[{"numeric":[">",20,"<","30"]}]}`, err: "Value of < must be numeric"},
	{name: "numeric range too long (AWS)", policy: `{"key":[{"numeric":[">",20,"<",30,"<",50]}]}`, err: "Too many terms in numeric range expression"},
	{name: "numeric = too long", policy: `{"key":[{"numeric":["=",1,2]}]}`, err: "Too many elements in numeric expression"},
	{name: "numeric not an array", policy: `{"key":[{"numeric":5}]}`, err: "Value of numeric must be an array."},
	{name: "numeric with another key", policy: `{"key":[{"numeric":[">",1],"x":1}]}`, err: "Too many elements in numeric expression"},
	{name: "numeric above the limit", policy: `{"key":[{"numeric":["=",1000000001]}]}`, err: "Value must be between -1.0E9 and 1.0E9, inclusive"},
	{name: "numeric below the limit", policy: `{"key":[{"numeric":[">",-1e10]}]}`, err: "Value must be between -1.0E9 and 1.0E9, inclusive"},
	{name: "plain number above the limit", policy: `{"key":[5e9]}`, err: "Value must be between -1.0E9 and 1.0E9, inclusive"},
	{name: "anything-but number above the limit", policy: `{"key":[{"anything-but":[1,2e9]}]}`, err: "Value must be between -1.0E9 and 1.0E9, inclusive"},
	{name: "exists null (AWS)", policy: `{"key":[{"exists":null}]}`, err: "exists match pattern must be either true or false."},
	{name: "exists string (AWS)", policy: `{"key":[{"exists":"no"}]}`, err: "exists match pattern must be either true or false."},
	{name: "exists with another key", policy: `{"key":[{"exists":true,"prefix":"a"}]}`, err: "Only one key allowed in match expression"},
	{name: "anything-but unknown operator (AWS)", policy: `{"key":[{"anything-but":{"wrong-operator":null}}]}`, err: "Unsupported anything-but pattern: wrong-operator"},
	{name: "anything-but exists (AWS)", policy: `{"key":[{"anything-but":{"exists":false}}]}`, err: "Unsupported anything-but pattern: exists"},
	{name: "anything-but equals-ignore-case not supported", policy: `{"key":[{"anything-but":{"equals-ignore-case":"x"}}]}`, err: "Unsupported anything-but pattern: equals-ignore-case"},
	{name: "anything-but prefix boolean (AWS)", policy: `{"key":[{"anything-but":{"prefix":false}}]}`, err: "prefix match pattern must be a string"},
	{name: "anything-but suffix number", policy: `{"key":[{"anything-but":{"suffix":1}}]}`, err: "suffix match pattern must be a string"},
	{name: "anything-but empty prefix", policy: `{"key":[{"anything-but":{"prefix":""}}]}`, err: "Null prefix/suffix not allowed"},
	{name: "anything-but empty object", policy: `{"key":[{"anything-but":{}}]}`, err: "Anything-But expression name not found"},
	{name: "anything-but two inner keys", policy: `{"key":[{"anything-but":{"prefix":"a","suffix":"b"}}]}`, err: "Only one key allowed in match expression"},
	{name: "anything-but mixed list", policy: `{"key":[{"anything-but":[1,"a"]}]}`, err: "Inside anything but list, either all values are number or string, mixed type is not supported"},
	{name: "anything-but empty list", policy: `{"key":[{"anything-but":[]}]}`, err: "Inside anything but list, either all values are number or string, mixed type is not supported"},
	{name: "anything-but boolean in list", policy: `{"key":[{"anything-but":[true]}]}`, err: "Inside anything but list, start|null|boolean is not supported."},
	{name: "anything-but boolean", policy: `{"key":[{"anything-but":true}]}`, err: "Value of anything-but must be an array or single string/number value."},
	{name: "anything-but with another key", policy: `{"key":[{"anything-but":"a","prefix":"b"}]}`, err: "Too many elements in numeric expression"},
	{name: "cidr number", policy: `{"ip":[{"cidr":5}]}`, err: "prefix match pattern must be a string"},
	{name: "cidr no mask", policy: `{"ip":[{"cidr":"10.0.0.0"}]}`, err: "Malformed CIDR, one '/' required"},
	{name: "cidr bad mask", policy: `{"ip":[{"cidr":"10.0.0.0/x"}]}`, err: "Malformed CIDR, mask bits must be an integer"},
	{name: "cidr bad address", policy: `{"ip":[{"cidr":"10.0.0/24"}]}`, err: "Nonstandard IP address: 10.0.0"},
	{name: "cidr mask too long", policy: `{"ip":[{"cidr":"10.0.0.0/33"}]}`, err: "Malformed CIDR, mask bits must be between 0 and 32"},
	{name: "$or with a reserved key is a plain key (AWS)", policy: `{"$or":[{"numeric":123},{"prefix":"abc"}]}`, err: "Value of numeric must be an array."},
	{name: "$or of one object is a plain key", policy: `{"$or":[{"a":["x"]}]}`, err: "Unrecognized match type a"},
	{name: "$or with a string is a plain key", policy: `{"$or":[{"a":["x"]},"b"]}`, err: "Unrecognized match type a"},
	{name: "$or with an empty object", policy: `{"$or":[{"a":["x"]},{}]}`, err: "Empty objects are not allowed"},
	{name: "not JSON (AWS)", policy: `{invalidjson}`, err: "failed to parse JSON."},
	{name: "truncated JSON", policy: `{"k":["a"]`, err: "failed to parse JSON."},
	{name: "trailing data", policy: `{"k":["a"]} x`, err: "failed to parse JSON."},
	{name: "not an object", policy: `["k"]`, err: "Filter is not an object"},
	{name: "a string", policy: `"k"`, err: "Filter is not an object"},
	{name: "null policy", policy: `null`, err: "Filter is not an object"},

	// Limits.
	{name: "150 values accepted", policy: `{"key":[` + values(150) + `]}`, attrs: A("key", S("va")), body: `{"key":"va"}`, want: yes},
	{name: "151 values (AWS)", policy: `{"key":[` + values(151) + `]}`, err: "Filter policy is too complex"},
	{name: "100 x 51 values (AWS)", policy: `{"key1":[` + values(100) + `],"key2":[` + values(51) + `]}`, err: "Filter policy is too complex"},
	{name: "5 x 5 x 6 values accepted", policy: `{"a":[` + values(5) + `],"b":[` + values(5) + `],"c":[` + values(6) + `]}`, attrs: A("a", S("va"), "b", S("vxb"), "c", S("vxxxxxf")), body: `{"a":"va","b":"vxb","c":"vxxxxxf"}`, want: yes},
	{name: "5 x 5 x 7 values", policy: `{"a":[` + values(5) + `],"b":[` + values(5) + `],"c":[` + values(7) + `]}`, err: "Filter policy is too complex"},
	{name: "5 keys accepted", policy: `{"k1":["1"],"k2":["2"],"k3":["3"],"k4":["4"],"k5":["5"]}`, attrs: A("k1", S("1"), "k2", S("2"), "k3", S("3"), "k4", S("4"), "k5", S("5")), body: `{"k1":"1","k2":"2","k3":"3","k4":"4","k5":"5"}`, want: yes},
	{name: "6 keys (AWS)", policy: `{"key1":["value1"],"key2":["value2"],"key3":["value3"],"key4":["value4"],"key5":["value5"],"key6":["value6"]}`, err: "Filter policy can not have more than 5 keys"},
	{name: "6 keys across $or", policy: `{"$or":[{"k1":["1"],"k2":["2"],"k3":["3"]},{"k4":["4"],"k5":["5"],"k6":["6"]}]}`, err: "Filter policy can not have more than 5 keys"},
	{name: "6 leaf keys nested", policy: `{"state":["SUCCESS"],"severity":[{"exists":true}],"message":[{"exists":true}],"finding":{"standard_control":[{"exists":true}],"region":[{"exists":true}],"account":[{"exists":true}]}}`, err: "Filter policy can not have more than 5 keys", errIn: "body"},
	{name: "$or complexity 152 (AWS)", policy: `{"source":["aws.cloudwatch","aws.events","aws.test","aws.test2"],"$or":[{"metricName":["CPUUtilization","ReadLatency","t1","t2","t3","t4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4]}]}]}`, err: "Filter policy is too complex"},
	{name: "$or complexity 150 accepted (AWS)", policy: `{"source":["aws.cloudwatch","aws.events","aws.test"],"$or":[{"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]}`, attrs: A("source", S("aws.test"), "metricType", S("TestType3"), "spaceId", N("7")), body: `{"source":"aws.test","metricType":"TestType3","spaceId":7}`, want: yes},
	{name: "$or complexity nested 160 (AWS)", policy: `{"$or":[{"metricName":["CPUUtilization","ReadLatency","TestValue"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service","Test"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change","TestValue","TestValue2"]}]}}`, err: "Filter policy is too complex", errIn: "body"},
	{name: "nested complexity 72 accepted (AWS)", policy: `{"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},"key_d":{"key_e":["value_one","value_two","value_three"]}}`, body: `{"key_a":{"key_b":{"key_c":"value_four"}},"key_d":{"key_e":"value_one"}}`, want: yes},
	{name: "nested complexity 216 (AWS)", policy: `{"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},"key_d":{"key_e":["value_one","value_two","value_three"]},"key_f":["value_one","value_two","value_three"]}`, err: "Filter policy is too complex", errIn: "body"},
	{name: "depth counts: 151 levels", policy: strings.Repeat(`{"a":`, 151) + `["x"]` + strings.Repeat(`}`, 151), err: "Filter policy is too complex", errIn: "body"},
	{name: "depth counts: 150 levels accepted", policy: strings.Repeat(`{"a":`, 150) + `["x"]` + strings.Repeat(`}`, 150), body: strings.Repeat(`{"a":`, 150) + `"x"` + strings.Repeat(`}`, 150), want: yes},
	{name: "$or branches add up: 151", policy: `{"$or":[{"a":[` + values(75) + `]},{"b":[` + values(76) + `]}]}`, err: "Filter policy is too complex"},
	{name: "$or branches add up: 150 accepted", policy: `{"$or":[{"a":[` + values(75) + `]},{"b":[` + values(75) + `]}]}`, attrs: A("b", S("va")), body: `{"b":"va"}`, want: yes},
	{name: "$or nesting multiplies branches", policy: `{"k":{` + strings.Repeat(`"$or":[{"a":["1"]},{"b":["2"]}],`, 7) + `"c":["3"]}}`, err: "Filter policy is too complex", errIn: "body"},
}
