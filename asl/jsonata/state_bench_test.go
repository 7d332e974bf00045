package jsonata

import (
	"errors"
	"testing"
	"time"
)

// BenchmarkState mirrors how a Step Functions JSONata state evaluates its
// expressions: the bindings hold $states (the state input and the Context
// object, nested maps) and the host adds seven native functions, as AWS
// adds $partition, $range, $hash, $random, $uuid, $parse and removes $eval.
// The functions come prepared once (Options.Prepared, as the asl package
// passes them) or as a map bound on every evaluation (Options.Functions).
//
//	go test -run '^$' -bench State -benchmem ./asl/jsonata/
func BenchmarkState(b *testing.B) {
	mapOpts := stateBenchOptions()
	prepared := *mapOpts
	prepared.Prepared = NewFunctions(mapOpts.Functions)
	prepared.Functions = nil
	for _, oc := range []struct {
		name string
		opts *Options
	}{{"prepared", &prepared}, {"map", mapOpts}} {
		for _, bc := range []struct{ name, src string }{
			{"field", `$states.input.id`},
			{"object", `$states.input.data`},
			{"sum", `$states.input.id + 1`},
		} {
			b.Run(oc.name+"/"+bc.name, func(b *testing.B) {
				e := MustCompile(bc.src)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Eval(Undefined, oc.opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// stateBenchOptions returns the options of a state's evaluation.
func stateBenchOptions() *Options {
	input := map[string]any{
		"id":   int64(42),
		"name": "order-42",
		"step": int64(7),
		"data": map[string]any{
			"items": []any{int64(1), int64(2), int64(3)},
			"total": 12.5,
			"tags":  map[string]any{"a": "x", "b": "y"},
		},
	}
	context := map[string]any{
		"Execution": map[string]any{
			"Id":        "arn:aws:states:us-east-1:123456789012:execution:m:e",
			"Name":      "e",
			"Input":     input,
			"StartTime": "2024-01-01T00:00:00.000Z",
			"RoleArn":   "arn:aws:iam::123456789012:role/r",
		},
		"State":        map[string]any{"Name": "P000", "EnteredTime": "2024-01-01T00:00:00.000Z"},
		"StateMachine": map[string]any{"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "Name": "m"},
	}
	stub := func([]any) (any, error) { return nil, errors.New("not called") }
	funcs := map[string]Function{}
	for name, sig := range map[string]string{
		"partition": "<an:a>", "range": "<nnn?:a>", "hash": "<ss:s>", "parse": "<s:x>",
		"random": "<n?:n>", "eval": "", "uuid": "<:s>",
	} {
		funcs[name] = Function{Signature: sig, Impl: stub}
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return &Options{
		Bindings: map[string]any{
			"states": map[string]any{"input": input, "context": context},
		},
		Functions:       funcs,
		Now:             func() time.Time { return now },
		Random:          func() float64 { return 0.5 },
		RejectFunctions: true,
	}
}
