package asl

import "github.com/signalbox/signalbox/asl/aslerr"

// Step runs a state on its raw input and decides what happens next.
// ctx.StateName, EnteredTime, EnteredEventID and Retries must describe this
// visit of the state.
func Step(s State, input any, ctx *Context) Outcome {
	e := &ctx.step
	e.input, e.ctx = input, ctx
	return withinLimits(ctx, s.enter(e))
}

// Complete finishes a Task, Parallel or Map state whose work produced
// result: ResultSelector, ResultPath and OutputPath apply, and the state
// moves on. input is the state's raw input, as given to Step.
func Complete(s State, input, result any, ctx *Context) Outcome {
	if !ctx.fitsPayload(result) {
		return dataLimit(ctx.StateName)
	}
	b := s.base()
	e := &env{input: input, ctx: ctx}
	out, vars, err := b.finishResult(e, input, result)
	if err != nil {
		return HandleError(s, input, asError(err), ctx)
	}
	return withinLimits(ctx, b.then(out, vars))
}

// HandleError decides what a state does with an error: retry it (the first
// retrier whose ErrorEquals matches, while it has attempts left), catch it
// (the first matching catcher), or fail. States.Runtime and
// States.DataLimitExceeded are never retried or caught.
func HandleError(s State, input any, err *aslerr.Error, ctx *Context) Outcome {
	return withinLimits(ctx, handleError(s, input, err, ctx))
}

func handleError(s State, input any, err *aslerr.Error, ctx *Context) Outcome {
	b := s.base()
	retrier, catcher := Handlers(s, err.Name)
	if retrier >= 0 {
		r := b.Retry[retrier]
		attempt := 0
		if retrier < len(ctx.Retries) {
			attempt = ctx.Retries[retrier]
		}
		if int64(attempt) < r.MaxAttempts {
			rnd := 1.0
			if r.JitterFull && ctx.Rand != nil {
				rnd = ctx.Rand.Float64()
			}
			return Retry{Delay: r.Backoff(attempt, rnd), Retrier: retrier}
		}
	}
	if catcher >= 0 {
		c := b.Catch[catcher]
		e := &env{input: input, ctx: ctx}
		errOut := ErrorOutput(err)
		if b.lang == langJSONata {
			bind := e.bindings(input, map[string]any{"errorOutput": errOut})
			vars, aerr := evalJAssign(e, c.JAssign, bind)
			out := any(errOut)
			if aerr == nil && c.Output != nil {
				out, aerr = c.Output.eval(e, bind)
			}
			if aerr != nil {
				return failWith(asError(aerr))
			}
			return Next{State: c.Next, Output: out, Assign: vars}
		}
		vars, aerr := e.assign(c.Assign, errOut)
		if aerr != nil {
			return failWith(asError(aerr))
		}
		out, perr := c.ResultPath.apply(e, input, errOut)
		if perr != nil {
			return failWith(asError(perr))
		}
		return Next{State: c.Next, Output: out, Assign: vars}
	}
	return failWith(err)
}

// ErrorOutput is the value a Catch passes on: {"Error": ..., "Cause": ...}.
func ErrorOutput(err *aslerr.Error) map[string]any {
	return map[string]any{"Error": err.Name, "Cause": err.Cause}
}

// MapThresholdError is the error of a Map whose failed iterations exceeded
// its tolerated failure threshold.
func MapThresholdError() *aslerr.Error {
	return &aslerr.Error{Name: aslerr.ExceedToleratedFailureThreshold, Cause: "The specified tolerated failure threshold was exceeded"}
}
