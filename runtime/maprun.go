package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
)

// Distributed Map: map runs, item readers and result writers, shared by
// both engines. A DISTRIBUTED Map is a map run: MapRunStarted names it in
// the history (mapRunStartedEventDetails.mapRunArn), its iterations are
// the map run's "child executions" (here threads, whose events are not
// written to the parent's history, as AWS writes them to each child's
// own), and MapRunSucceeded, MapRunFailed end it. The durable engine keeps
// the map run's record and counters with its fork (store/maprun.go):
// DescribeMapRun, ListMapRuns and UpdateMapRun read and change them.

// MaxItemReaderBytes bounds what an ItemReader reads for one Map (AWS
// reads S3 objects of up to 10 GB; the items are kept in Redis here).
const MaxItemReaderBytes = 64 << 20

// The map run history events.
const (
	MapRunStarted   EventType = "MapRunStarted"
	MapRunSucceeded EventType = "MapRunSucceeded"
	MapRunFailed    EventType = "MapRunFailed"
	MapRunAborted   EventType = "MapRunAborted"
)

// ioHandler finds the handler of an ItemReader's or ResultWriter's
// resource in mux (or in tasks, when that is the Mux itself).
func ioHandler(mux *integrations.Mux, tasks integrations.Handler, resource string) (integrations.Handler, bool) {
	if mux == nil {
		mux, _ = tasks.(*integrations.Mux)
	}
	if mux == nil {
		return nil, false
	}
	return mux.Lookup(resource)
}

// readItems returns a Map's items: x.Items, or, with an ItemReader, the
// items it reads, shaped (ItemSelector, ItemBatcher) by x.Shape. A failure
// is States.ItemReaderFailed (or the shaping's own ASL error).
func readItems(ctx context.Context, mux *integrations.Mux, tasks integrations.Handler, x asl.RunMap) ([]any, *aslerr.Error) {
	r := x.Reader
	if r == nil {
		return x.Items, nil
	}
	h, ok := ioHandler(mux, tasks, r.Resource)
	if !ok {
		return nil, &aslerr.Error{Name: aslerr.ItemReaderFailed, Cause: fmt.Sprintf("No integration serves the ItemReader resource %q", r.Resource)}
	}
	reader, ok := h.(integrations.ItemReader)
	if !ok {
		return nil, &aslerr.Error{Name: aslerr.ItemReaderFailed, Cause: fmt.Sprintf("The integration of %q cannot read items (it is no ItemReader)", r.Resource)}
	}
	raw, err := reader.ReadItems(ctx, &integrations.ReadItemsRequest{
		Resource: r.Resource, Parameters: r.Parameters, InputType: r.InputType,
		CSVHeaderLocation: r.CSVHeaderLocation, CSVHeaders: r.CSVHeaders, CSVDelimiter: r.CSVDelimiter,
		MaxItems: r.MaxItems, MaxBytes: MaxItemReaderBytes,
		ItemsPointer: r.ItemsPointer, Transformation: r.Transformation,
	})
	if err != nil {
		return nil, ioError(err, aslerr.ItemReaderFailed)
	}
	if r.MaxItems > 0 && int64(len(raw)) > r.MaxItems {
		raw = raw[:r.MaxItems]
	}
	if x.Shape == nil {
		return raw, nil
	}
	items, err := x.Shape(raw)
	if err != nil {
		var ae *aslerr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, &aslerr.Error{Name: aslerr.ItemReaderFailed, Cause: err.Error()}
	}
	return items, nil
}

// ioError is the ASL error of a reader's or writer's failure: an
// integration's own error name when it gave one of the States.* family,
// else name with the error as its cause.
func ioError(err error, name string) *aslerr.Error {
	var ie *integrations.Error
	if errors.As(err, &ie) && strings.HasPrefix(ie.Name, "States.") {
		return &aslerr.Error{Name: ie.Name, Cause: ie.Cause}
	}
	if errors.As(err, &ie) {
		return &aslerr.Error{Name: name, Cause: ie.Name + ": " + ie.Cause}
	}
	return &aslerr.Error{Name: name, Cause: err.Error()}
}

// mapRunLabel is what names a map run and its children in their ARNs.
func mapRunLabel(x asl.RunMap, state string) string {
	if x.Label != "" {
		return x.Label
	}
	return state
}

// mapRunARN is a map run's ARN: arn:aws:states:<region>:<account>:mapRun:
// <state machine>/<label>:<id>, from its execution's ARN.
func mapRunARN(execARN, smName, label, id string) string {
	prefix, _, _ := strings.Cut(execARN, ":execution:")
	prefix, _, _ = strings.Cut(prefix, ":express:")
	return prefix + ":mapRun:" + smName + "/" + label + ":" + id
}

// childExecutionARN is the ARN of the map run's child i, as AWS names
// child executions (execution:<state machine>/<label>:<name>); its name is
// stable per map run and index.
func childExecutionARN(runARN string, i int) (arn, name string) {
	h := sha256.Sum256(fmt.Appendf(nil, "%s#%d", runARN, i))
	x := hex.EncodeToString(h[:16])
	name = x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
	prefix, rest, _ := strings.Cut(runARN, ":mapRun:")
	k := strings.LastIndexByte(rest, ':')
	if k < 0 {
		k = len(rest)
	}
	return prefix + ":execution:" + rest[:k] + ":" + name, name
}

// mapItemResult is what the ResultWriter and DescribeMapRun's readers see
// of child i.
func mapItemResult(runARN string, i int, input, output any, failure *aslerr.Error, aborted bool, start, stop time.Time) integrations.MapItemResult {
	arn, name := childExecutionARN(runARN, i)
	r := integrations.MapItemResult{Index: i, ExecutionARN: arn, Name: name, Input: input, StartDate: start, StopDate: stop}
	switch {
	case aborted:
		r.Status = string(StatusAborted)
	case failure != nil:
		r.Status, r.Error, r.Cause = string(StatusFailed), failure.Name, failure.Cause
	default:
		r.Status, r.Output = string(StatusSucceeded), output
	}
	return r
}

// writeResults hands a map run's results to its ResultWriter and returns
// the Map's output: {"MapRunArn", "ResultWriterDetails"} as AWS returns it;
// with only a WriterConfig (no Resource), the results transformed as it
// asks, written nowhere. A failure is States.ResultWriterFailed. Writing
// again (a join carried out twice) writes the same objects again.
func writeResults(ctx context.Context, mux *integrations.Mux, tasks integrations.Handler, w *asl.WriteResults, runARN, smARN string, results []integrations.MapItemResult) (any, *aslerr.Error) {
	if w.Resource == "" {
		return transformResults(w.Transformation, smARN, results), nil
	}
	h, ok := ioHandler(mux, tasks, w.Resource)
	if !ok {
		return nil, &aslerr.Error{Name: aslerr.ResultWriterFailed, Cause: fmt.Sprintf("No integration serves the ResultWriter resource %q", w.Resource)}
	}
	writer, ok := h.(integrations.ResultWriter)
	if !ok {
		return nil, &aslerr.Error{Name: aslerr.ResultWriterFailed, Cause: fmt.Sprintf("The integration of %q cannot write results (it is no ResultWriter)", w.Resource)}
	}
	details, err := writer.WriteResults(ctx, &integrations.WriteResultsRequest{
		Resource: w.Resource, Parameters: w.Parameters, OutputType: w.OutputType, Transformation: w.Transformation,
		MapRunARN: runARN, Results: results,
	})
	if err != nil {
		return nil, ioError(err, aslerr.ResultWriterFailed)
	}
	return map[string]any{"MapRunArn": runARN, "ResultWriterDetails": details}, nil
}

// transformResults is a WriterConfig's Transformation of the results:
// NONE, each child's metadata with its input and output (as AWS's
// result files hold them); COMPACT (the default), the outputs; FLATTEN,
// the outputs with arrays flattened one level. A failed child is
// described unchanged, as with NONE.
func transformResults(transformation, smARN string, results []integrations.MapItemResult) []any {
	out := make([]any, 0, len(results))
	for _, r := range results {
		if transformation == "NONE" || r.Status != string(StatusSucceeded) {
			out = append(out, resultMetadata(smARN, r))
			continue
		}
		if a, ok := r.Output.([]any); ok && transformation == "FLATTEN" {
			out = append(out, a...)
			continue
		}
		out = append(out, r.Output)
	}
	return out
}

// resultMetadata describes a child as AWS's NONE transformation does.
func resultMetadata(smARN string, r integrations.MapItemResult) map[string]any {
	m := map[string]any{
		"ExecutionArn": r.ExecutionARN, "Name": r.Name, "StateMachineArn": smARN, "Status": r.Status,
		"Input": asl.EncodeJSON(r.Input), "InputDetails": map[string]any{"Included": true},
		"RedriveCount": int64(0), "RedriveStatus": "NOT_REDRIVABLE",
	}
	if !r.StartDate.IsZero() {
		m["StartDate"] = r.StartDate.UTC().Format(asl.TimeFormat)
	}
	if !r.StopDate.IsZero() {
		m["StopDate"] = r.StopDate.UTC().Format(asl.TimeFormat)
	}
	if r.Status == string(StatusSucceeded) {
		m["Output"], m["OutputDetails"] = asl.EncodeJSON(r.Output), map[string]any{"Included": true}
	}
	if r.Error != "" || r.Status == string(StatusFailed) {
		m["Error"], m["Cause"] = r.Error, r.Cause
	}
	return m
}
