package runtime

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/store"
)

// Chunks. A Map whose processor only decides (pureMachine: Pass, Choice,
// Succeed, Fail, no variables) has nothing to wait for in its
// iterations: when it is a map run, or an inline Map that cannot run
// inline (durable_inline.go), each of its children carries out a chunk of
// consecutive items, in item order, in the one transition that begins it
// and joins it (their results in one value), instead of one thread with
// two transitions per item. A map run's children write no history; an
// inline Map's chunks write their iterations' events. Nothing of an item
// is lost to the chunking: the map run
// counts items (<fork>#ended, failures per item), the tolerance judges
// items, and the ResultWriter gets one result per item. Measured with
// bench durable (dmap20000, appendfsync everysec): one thread per item
// carried out 2,080 items/s at 103 µs of Redis CPU per item; see
// docs/durable.md for the chunks' figures.
const (
	// chunk sizes: about maxChunks children per map run, at least
	// minChunkItems items each (fewer only when the Map has fewer), at
	// most maxChunkItems, and about maxChunkBytes of items
	minChunkItems = 10
	maxChunkItems = 1000
	maxChunks     = 1000
	maxChunkBytes = 1 << 20
	// maxChunkSteps bounds the states one item of a chunk runs through (a
	// Choice loop): past it, the item fails with States.Runtime.
	maxChunkSteps = 10000
)

// chunkSize is how many items each child of a map run over items carries
// out.
func chunkSize(items [][]byte) int {
	n, size := len(items), 0
	for _, it := range items {
		size += len(it)
	}
	c := min(max((n+maxChunks-1)/maxChunks, minChunkItems), maxChunkItems)
	if avg := size / n; avg > 0 {
		c = min(c, max(1, maxChunkBytes/avg))
	}
	return max(1, min(c, n))
}

// chunkItems groups items into JSON arrays of c items (the last one
// shorter).
func chunkItems(items [][]byte, c int) [][]byte {
	out := make([][]byte, 0, (len(items)+c-1)/c)
	for k := 0; k < len(items); k += c {
		end := min(k+c, len(items))
		size := 2
		for _, it := range items[k:end] {
			size += len(it) + 1
		}
		b := make([]byte, 0, size)
		b = append(b, '[')
		for i, it := range items[k:end] {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, it...)
		}
		out = append(out, append(b, ']'))
	}
	return out
}

// runChunk carries out a chunk's items and ends the child with their
// results (a JSON array of childResult, one per item).
func (t *transition) runChunk() error {
	ch := t.rec.Child
	v, err := decodeRaw(ch.Item)
	if err != nil {
		return err
	}
	items, ok := v.([]any)
	if !ok {
		return fmt.Errorf("execution %s: chunk %d of fork %s holds no array", t.x.id, ch.Index, ch.ID)
	}
	x := asl.RunMap{Processor: t.m}
	results := make([]childResult, len(items))
	failures := 0
	for j, item := range items {
		i := ch.Index*ch.Chunk + j
		began := t.d.now()
		out, failure, err := t.iterate(x, ch.MapState, i, item, 0, maxChunkSteps)
		if errors.Is(err, errNotInline) {
			failure, err = &aslerr.Error{Name: aslerr.Runtime, Cause: fmt.Sprintf("the iteration passed %d states", maxChunkSteps)}, nil
		}
		if err != nil {
			return err
		}
		r := childResult{Error: failure}
		if failure == nil {
			r.Output = rawJSON(out)
		} else {
			failures++
		}
		if ch.Writer {
			r.Input, r.Began, r.Ended = rawJSON(item), began.UnixMilli(), t.d.now().UnixMilli()
		}
		results[j] = r
	}
	b, err := json.Marshal(results)
	if err != nil {
		return err
	}
	t.joinEnd = &store.Join{
		Fork: ch.ID, Index: ch.Index, Result: b, Failed: failures > 0, Failures: failures, Items: len(items),
		TolerancePer: ch.Items, N: ch.N, ToleratedCount: ch.TolCnt, ToleratedPercentage: ch.TolPct,
		Limited: ch.Limited, NextKind: kindBegin,
		Parent: ch.Parent, ParentSeq: ch.ParentSeq, ParentKind: kindJoin, Run: ch.Run != "",
	}
	t.rec.Phase = phaseDone
	return nil
}

// chunkResults spreads the results of a map run's chunks over its items:
// nil for an item whose chunk did not run.
func chunkResults(raw [][]byte, chunk, n int) ([]*childResult, error) {
	out := make([]*childResult, n)
	for k, r := range raw {
		if r == nil {
			continue
		}
		var rs []childResult
		if err := json.Unmarshal(r, &rs); err != nil {
			return nil, fmt.Errorf("chunk %d: %w", k, err)
		}
		for j := range rs {
			if i := k*chunk + j; i < n {
				out[i] = &rs[j]
			}
		}
	}
	return out, nil
}

// joinChunks is join for a Map (not a map run) whose children are chunks
// of items: its outputs per item, or its failure past the tolerance.
func (t *transition) joinChunks(raw [][]byte) (asl.Outcome, error) {
	f := t.rec.Fork
	spread, err := chunkResults(raw, f.Chunk, f.Total)
	if err != nil {
		return nil, fmt.Errorf("fork %s: %w", f.ID, err)
	}
	outputs := make([]any, f.Total)
	failed := 0
	var first *aslerr.Error
	for i, r := range spread {
		switch {
		case r == nil: // its chunk did not run: a failure joined the fork first
		case r.Error != nil:
			failed++
			if first == nil {
				first = r.Error
			}
			outputs[i] = failedIteration(r.Error)
		default:
			if outputs[i], err = decodeRaw(r.Output); err != nil {
				return nil, err
			}
		}
	}
	t.rec.Phase, t.rec.Fork = phaseEnter, nil
	tol := asl.RunMap{ToleratedFailureCount: f.TolCnt, ToleratedFailurePercentage: f.TolPct}
	if failed > 0 && !tol.Tolerates(failed, f.Total) {
		return forkEnded(t, t.st, t.input, t.c, true, nil, tol.Failure(first), 0), nil
	}
	return forkEnded(t, t.st, t.input, t.c, true, outputs, nil, 0), nil
}
