package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"time"

	"github.com/signalbox/signalbox/asl/jsonata"
)

// The JSONata engine behind JSONata states, with the functions AWS adds:
// $partition, $range, $hash, $random (with an optional seed), $uuid and
// $parse. $eval is not available, as on AWS.

func init() { compileJSONata = compileEngine }

type engineExpr struct{ x *jsonata.Expr }

func compileEngine(src string) (jsonataExpr, error) {
	x, err := jsonata.Compile(src)
	if err != nil {
		return nil, err
	}
	return engineExpr{x}, nil
}

func (e engineExpr) eval(b map[string]any, c *Context) (any, bool, error) {
	base, ok := c.jsonataOpts.(*jsonata.Options)
	if !ok {
		base = &jsonata.Options{
			// prepared once: binding a map of functions would cost an
			// allocation per function on every evaluation
			Prepared: jsonata.NewFunctions(awsFunctions(c)),
			Now:      func() time.Time { return c.EnteredTime },
			// A function cannot be a state's data: AWS reports it as an
			// unsupported result type.
			RejectFunctions: true,
		}
		if c.Rand != nil {
			base.Random = c.Rand.Float64
		}
		c.jsonataOpts = base
	}
	opts := *base
	opts.Bindings = b
	if c.Interrupt != nil {
		opts.Done = c.Interrupt.Done()
	}
	v, err := e.x.Eval(jsonata.Undefined, &opts)
	if errors.Is(err, jsonata.ErrFunctionResult) {
		return nil, false, errUnsupportedResult
	}
	if err != nil {
		return nil, false, err
	}
	if v == jsonata.Undefined {
		return nil, false, nil
	}
	return v, true, nil
}

// maxRange bounds $range, as States.ArrayRange is bounded.
const maxRange = 1000

// awsFunctions are the functions AWS adds to JSONata, drawing randomness
// from the state's Context.
func awsFunctions(c *Context) map[string]jsonata.Function {
	return map[string]jsonata.Function{
		"partition": {Signature: "<an:a>", Impl: jsonataPartition},
		"range":     {Signature: "<nnn?:a>", Impl: jsonataRange},
		"hash":      {Signature: "<ss:s>", Impl: jsonataHash},
		"parse":     {Signature: "<s:x>", Impl: jsonataParse},
		"random": {Signature: "<n?:n>", Impl: func(args []any) (any, error) {
			if len(args) > 0 && args[0] != jsonata.Undefined {
				seed, ok := AsInt(args[0])
				if !ok {
					return nil, errors.New("the seed of $random must be an integer")
				}
				return rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)).Float64(), nil
			}
			if c.Rand == nil {
				return nil, errors.New("$random has no random source")
			}
			return c.Rand.Float64(), nil
		}},
		// AWS removes $eval from its JSONata.
		"eval": {Impl: func([]any) (any, error) {
			return nil, errors.New("the function $eval is not supported in Step Functions")
		}},
		"uuid": {Signature: "<:s>", Impl: func([]any) (any, error) {
			if c.Rand == nil {
				return nil, errors.New("$uuid has no random source")
			}
			return uuidV4(c.Rand.Uint64(), c.Rand.Uint64()), nil
		}},
	}
}

func jsonataPartition(args []any) (any, error) {
	arr, _ := args[0].([]any)
	size, ok := AsInt(args[1])
	if !ok || size < 1 {
		return nil, errors.New("the chunk size of $partition must be a positive integer")
	}
	out := make([]any, 0, (len(arr)+int(size)-1)/int(size))
	for i := 0; i < len(arr); i += int(size) {
		out = append(out, append([]any(nil), arr[i:min(i+int(size), len(arr))]...))
	}
	return out, nil
}

func jsonataRange(args []any) (any, error) {
	start, ok1 := AsInt(args[0])
	end, ok2 := AsInt(args[1])
	step := int64(1)
	ok3 := true
	if len(args) > 2 && args[2] != jsonata.Undefined {
		step, ok3 = AsInt(args[2])
	}
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return nil, errors.New("$range needs integer start, end and a non-zero integer step")
	}
	out := []any{}
	for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
		if len(out) == maxRange {
			return nil, fmt.Errorf("$range may produce at most %d items", maxRange)
		}
		out = append(out, v)
	}
	// AWS's $range answers a JSONata sequence, not an array: one value
	// comes out as the value itself ($range(1, 9, 9) is 1, as AWS records
	// it), none as undefined.
	return jsonata.Sequence(out), nil
}

func jsonataHash(args []any) (any, error) {
	data, _ := args[0].(string)
	alg, _ := args[1].(string)
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported hash algorithm %q: use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func jsonataParse(args []any) (any, error) {
	s, _ := args[0].(string)
	v, err := DecodeJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("$parse: the string is not valid JSON: %v", err)
	}
	return v, nil
}

// uuidV4 formats 128 random bits as a version 4 UUID.
func uuidV4(hi, lo uint64) string {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
