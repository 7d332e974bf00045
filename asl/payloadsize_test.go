package asl

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/diag"
)

// overPayload is the length every value longer than AWS's limit has for
// a Context holding to it.
const overPayload = MaxPayload + 1

// wantSize is the length the limits must see for v: its JSON text's,
// counted no further than overPayload.
func wantSize(v any) int { return min(len(EncodeJSON(v)), overPayload) }

// evalSized evaluates a template's root as evalPayload does.
func evalSized(tpl *Template, e *env) (any, int, error) { return tpl.root.evalSized(e, e.memo()) }

// compileTestTemplate compiles a Parameters-like template from JSON text.
func compileTestTemplate(t testing.TB, src string) *Template {
	t.Helper()
	var d diag.List
	tpl := compileTemplate(decode(t, src), "/Parameters", &d)
	require.Empty(t, d, "diagnostics for %s", src)
	return tpl
}

// A template's value comes with its JSON length, added up from its parts:
// the same as the length of the text it encodes to, for every kind of part.
func TestTemplateSizeIsTheEncodingsLength(t *testing.T) {
	input := decode(t, `{"id":42,"name":"bénch \"q\"\n","f":2.5,"whole":3.0,"big":1e300,"n":null,"t":true,
		"data":{"a":1,"b":"two","c":[1,2,3],"d":{"e":true}},"items":[{"x":1},{"x":"y"},{"z":0}],"empty":{},"none":[]}`)
	for _, src := range []string{
		`{"id.$":"$.id","name.$":"$.name","data.$":"$.data","step":1}`,
		`{"all.$":"$"}`,
		`{"a":1,"a.$":"$.data"}`, // a key given twice: the value holds it once
		`{"b.$":"$.name","b":[1,2]}`,
		`{"nested":{"x.$":"$.f","y":[{"z.$":"$.whole"},"lit",{"w.$":"$.big"}]},"n.$":"$.n","t.$":"$.t"}`,
		`{"xs.$":"$.items[*].x","e.$":"$.empty","no.$":"$.none"}`,
		`{"arr":["a",{"k.$":"$.id"},[]],"esc\"key\u00e9":{"v.$":"$.name"}}`,
		`{"sum.$":"States.MathAdd($.id, $.id)","fmt.$":"States.Format('{} and {}', $.name, $.id)","arr.$":"States.Array($.data, $.items)"}`,
		`{"ctx.$":"$$.Execution.Input","state.$":"$$.State.Name","in.$":"$$.Execution"}`,
		`{"static":{"a":[1,2,{"b":"c"}]},"s":"x"}`,
		`{}`,
	} {
		tpl := compileTestTemplate(t, src)
		c := newContext("S")
		// twice: the second time the parts are remembered
		for range 2 {
			v, n, err := evalSized(tpl, &env{input: input, ctx: c})
			require.NoError(t, err, src)
			require.Equal(t, wantSize(v), n, "%s gives %s", src, EncodeJSON(v))
		}
	}
}

// The length of a value past the limit is overPayload, however the value
// was built, and a value exactly at the limit fits.
func TestTemplateSizeAtTheLimit(t *testing.T) {
	tpl := compileTestTemplate(t, `{"s.$":"$.s","t":"x"}`)
	overhead := len(`{"s":"","t":"x"}`)
	for _, extra := range []int{-1, 0, 1, 1000} {
		input := map[string]any{"s": strings.Repeat("y", MaxPayload-overhead+extra)}
		c := newContext("S")
		v, n, err := evalSized(tpl, &env{input: input, ctx: c})
		require.NoError(t, err)
		require.Equal(t, wantSize(v), n, "extra %d", extra)
		require.Equal(t, extra <= 0, c.fitsPayload(v), "extra %d", extra)
	}
	// a part past the limit makes the whole past it
	big := map[string]any{"s": strings.Repeat("y", MaxPayload)}
	tpl = compileTestTemplate(t, `{"a.$":"$","b.$":"$","c":[1]}`)
	_, n, err := evalSized(tpl, &env{input: big, ctx: newContext("S")})
	require.NoError(t, err)
	require.Equal(t, overPayload, n)
}

// A Context measures each value as a walk would, whatever it remembers:
// remembered values, evicted ones, copies of the Context, arrays sharing
// their elements with others of another length.
func TestContextPayloadSize(t *testing.T) {
	c := newContext("S")
	shared := decode(t, `{"k":[1,2,{"deep":"v"}],"s":"text"}`)
	require.Equal(t, wantSize(shared), c.partSize(shared))
	arr := []any{1.5, "x", shared, []any{shared}, map[string]any{}}
	for i := range 3 * sizeRing {
		v := map[string]any{"i": int64(i), "shared": shared, "arr": arr[:1+i%len(arr)]}
		require.Equal(t, wantSize(v), c.payloadSize(v), "value %d", i)
		c.partSize(arr[:1+i%len(arr)])
		copied := *c
		require.Equal(t, wantSize(v), copied.payloadSize(v))
		require.Equal(t, wantSize(arr[:2]), copied.payloadSize(arr[:2]))
	}
	require.Equal(t, overPayload, c.payloadSize(strings.Repeat("x", MaxPayload)))
	require.Equal(t, MaxPayload, c.payloadSize(strings.Repeat("x", MaxPayload-2)))
	var nilCtx *Context
	require.Equal(t, wantSize(shared), nilCtx.payloadSize(shared))
}

// A chain of Pass states passing a part on: each output is checked
// exactly, the same before and after the part is remembered.
func TestPassChainOutputsAtTheLimit(t *testing.T) {
	m := mustCompile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"data.$":"$.data","pad.$":"$.pad","k":1},"End":true}}}`)
	st, _ := m.State("A")
	overhead := len(`{"data":,"k":1,"pad":""}`)
	data := decode(t, `{"a":[1,2,3],"b":"two"}`)
	for _, extra := range []int{-1, 0, 1} {
		pad := strings.Repeat("p", MaxPayload-overhead-len(EncodeJSON(data))+extra)
		c := newContext("A")
		for range 3 {
			o := Step(st, map[string]any{"data": data, "pad": pad}, c)
			if extra <= 0 {
				require.IsType(t, Succeed{}, o, "extra %d", extra)
				require.Equal(t, MaxPayload+extra, len(EncodeJSON(o.(Succeed).Output)))
			} else {
				require.Equal(t, dataLimit("A"), o, "extra %d", extra)
			}
		}
	}
}

func FuzzTemplateSize(f *testing.F) {
	f.Add(`{"id":1,"data":{"a":[1,"x\u0001",null,true,{"b":2.5}]},"items":[{"x":1}]}`)
	f.Add(`["\ud800", 1e400, -0.0, 12345678901234567890]`)
	f.Add(`{"data":"é€😀","id":"bad \xff"}`)
	tpl := compileTestTemplate(f, `{"id.$":"$.id","data.$":"$.data","all.$":"$","xs.$":"$..x","lit":[1,{"a":"b"}],"fmt.$":"States.JsonToString($)"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := DecodeJSON([]byte(doc))
		if err != nil {
			return
		}
		c := newContext("S")
		for range 2 {
			out, n, err := evalSized(tpl, &env{input: v, ctx: c})
			if err != nil {
				return
			}
			if want := wantSize(out); n != want {
				t.Fatalf("size %d, EncodeJSON renders %d bytes: %s", n, want, EncodeJSON(out))
			}
		}
	})
}

func TestIntLen(t *testing.T) {
	for _, x := range []int64{0, 1, 9, 10, -1, -9, -10, 99, 100, 12345, -12345, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		require.Equal(t, len(strconv.FormatInt(x, 10)), intLen(x), "%d", x)
	}
}

// A Map's outputs, measured by the iterations' Contexts, are measured by
// the Map's from the lengths they remembered, as a walk would.
func TestRememberArraySize(t *testing.T) {
	outs := []any{decode(t, `{"a":[1,2],"b":"x"}`), decode(t, `{"c":{"d":null}}`), decode(t, `[true,"\u0001"]`)}
	sizes := make([]int, len(outs))
	for i, o := range outs {
		it := newContext("P")
		_, ok := it.RememberedSize(o)
		require.False(t, ok, "not measured yet")
		require.True(t, it.fitsPayload(o))
		sizes[i], ok = it.RememberedSize(o)
		require.True(t, ok)
		require.Equal(t, wantSize(o), sizes[i])
	}
	for _, v := range []any{"s\n", int64(-12), 2.5, nil, false} {
		n, ok := newContext("P").RememberedSize(v)
		require.True(t, ok)
		require.Equal(t, wantSize(v), n)
	}
	c := newContext("M")
	c.RememberArraySize(outs, sizes)
	n, ok := c.RememberedSize(outs)
	require.True(t, ok)
	require.Equal(t, wantSize(outs), n)
	require.Equal(t, wantSize(outs), c.payloadSize(outs))
	require.Equal(t, 2, wantSize([]any{}))
	c.RememberArraySize(outs[:0], nil)
	require.Equal(t, 2, c.payloadSize(outs[:0]))
	// lengths past the limit stay past it
	c.RememberArraySize(outs, []int{overPayload, overPayload, overPayload})
	require.Equal(t, overPayload, c.payloadSize(outs))
}

// A Context's own payload limit (raised or lowered) is what lengths are
// counted to: exact up to it, one past it for every longer value, and a
// memory filled under another limit is not used.
func TestPayloadSizeUnderTheContextsLimit(t *testing.T) {
	tpl := compileTestTemplate(t, `{"s.$":"$.s","lit":"0123456789","d.$":"$.d"}`)
	d := decode(t, `{"k":[1,2,3]}`)
	for _, limit := range []int{10, 100, MaxPayload, 1 << 20} {
		for _, n := range []int{0, 50, 200_000, 300_000, 2 << 20} {
			c := newContext("S")
			c.MaxPayload = limit
			input := map[string]any{"s": strings.Repeat("y", n), "d": d}
			for range 2 {
				v, got, err := evalSized(tpl, &env{input: input, ctx: c})
				require.NoError(t, err)
				want := min(len(EncodeJSON(v)), limit+1)
				require.Equal(t, want, got, "limit %d, string of %d", limit, n)
				require.Equal(t, want <= limit, c.fitsPayload(v))
				require.Equal(t, min(len(EncodeJSON(d)), limit+1), c.payloadSize(d))
			}
		}
	}
	// the limit raised after measuring: measured again, not remembered
	c := newContext("S")
	big := map[string]any{"s": strings.Repeat("y", MaxPayload)}
	require.Equal(t, overPayload, c.payloadSize(big))
	c.MaxPayload = 1 << 20
	require.Equal(t, len(EncodeJSON(big)), c.payloadSize(big))
	sizes := []int{len(EncodeJSON(big)), len(EncodeJSON(big))}
	c.RememberArraySize([]any{big, big}, sizes)
	require.Equal(t, len(EncodeJSON([]any{big, big})), c.payloadSize([]any{big, big}))
}
