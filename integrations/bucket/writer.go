package bucket

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// ErrResultWriterFailed is the error a Distributed Map fails with when its
// results cannot be written.
const ErrResultWriterFailed = "States.ResultWriterFailed"

func writerFailed(format string, args ...any) *integrations.Error {
	return &integrations.Error{Name: ErrResultWriterFailed, Cause: fmt.Sprintf(format, args...)}
}

// The result files' kinds, in the manifest's order.
var resultKinds = []string{"FAILED", "PENDING", "SUCCEEDED"}

// kindOf is the file a child's result goes to: failed, timed out and
// aborted children to FAILED, those never started to PENDING.
func kindOf(status string) string {
	switch status {
	case "SUCCEEDED":
		return "SUCCEEDED"
	case "PENDING":
		return "PENDING"
	}
	return "FAILED"
}

// WriteResults writes a Map Run's results as AWS's ResultWriter does:
// under Prefix/<map run id>/, the files SUCCEEDED_n, FAILED_n and
// PENDING_n (a JSON array each, or JSON Lines; a new file past the
// configured size) and then manifest.json naming them. It returns the
// ResultWriterDetails {"Bucket", "Key"} of the manifest. Each file is
// written atomically; any failure is States.ResultWriterFailed.
func (s *Service) WriteResults(ctx context.Context, req *integrations.WriteResultsRequest) (any, error) {
	if action(req.Resource) != "putObject" {
		return nil, writerFailed("The ResultWriter's Resource %q is not supported (arn:aws:states:::s3:putObject is)", req.Resource)
	}
	m, ok := req.Parameters.(map[string]any)
	if !ok {
		return nil, writerFailed("The ResultWriter's Parameters must be an object with Bucket and Prefix")
	}
	for k, v := range m {
		if k != "Bucket" && k != "Prefix" {
			return nil, writerFailed("The ResultWriter's Parameters field %q is not supported (Bucket and Prefix are)", k)
		}
		if _, ok := v.(string); !ok {
			return nil, writerFailed("The ResultWriter's Parameters field %q must be a string", k)
		}
	}
	b, _ := m["Bucket"].(string)
	prefix, _ := m["Prefix"].(string)
	if b == "" {
		return nil, writerFailed("The ResultWriter's Parameters need Bucket")
	}
	ext := ".json"
	switch req.OutputType {
	case "", "JSON":
	case "JSONL":
		ext = ".jsonl"
	default:
		return nil, writerFailed("WriterConfig.OutputType %q is not one of JSON, JSONL", req.OutputType)
	}
	switch req.Transformation {
	case "", "NONE", "COMPACT", "FLATTEN":
	default:
		return nil, writerFailed("WriterConfig.Transformation %q is not one of NONE, COMPACT, FLATTEN", req.Transformation)
	}
	id := req.MapRunARN[strings.LastIndexByte(req.MapRunARN, ':')+1:]
	if id == "" {
		return nil, writerFailed("The Map Run has no ARN to name its results' folder by")
	}
	base := id
	if prefix != "" {
		base = strings.TrimSuffix(prefix, "/") + "/" + id
	}
	w := &resultFiles{s: s, bucket: b, base: base, ext: ext, jsonl: req.OutputType == "JSONL", max: s.opts.ResultFileBytes,
		files: map[string][]any{}, open: map[string]*strings.Builder{}, count: map[string]int{}, entries: map[string]int{}}
	for i := range req.Results {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, writerFailed("Writing the results was interrupted: %v", ctx.Err())
		}
		r := &req.Results[i]
		kind := kindOf(r.Status)
		for _, e := range entries(r, req.Transformation) {
			if err := w.add(kind, asl.EncodeJSON(e)); err != nil {
				return nil, err
			}
		}
	}
	for _, kind := range resultKinds {
		if err := w.flush(kind); err != nil {
			return nil, err
		}
	}
	rf := map[string]any{}
	for _, kind := range resultKinds {
		rf[kind] = append([]any{}, w.files[kind]...)
	}
	key := base + "/manifest.json"
	man := map[string]any{"DestinationBucket": b, "MapRunArn": req.MapRunARN, "ResultFiles": rf}
	if _, err := s.store.Put(b, key, []byte(asl.EncodeJSON(man))); err != nil {
		return nil, writeError(err)
	}
	return map[string]any{"Bucket": b, "Key": key}, nil
}

func writeError(err error) error {
	var se *S3Error
	if errors.As(err, &se) {
		return writerFailed("%s", se.Error())
	}
	return writerFailed("%v", err)
}

// resultFiles collects the entries of each kind into files of at most max
// bytes (one entry may make a file larger), written as they fill.
type resultFiles struct {
	s                 *Service
	bucket, base, ext string
	jsonl             bool
	max               int64
	files             map[string][]any // kind → [{"Key", "Size"}]
	open              map[string]*strings.Builder
	count, entries    map[string]int // files written, entries in the open file
}

func (w *resultFiles) add(kind, entry string) error {
	buf := w.open[kind]
	if buf == nil {
		buf = &strings.Builder{}
		w.open[kind] = buf
	}
	if w.entries[kind] > 0 && int64(buf.Len()+len(entry)+2) > w.max {
		if err := w.flush(kind); err != nil {
			return err
		}
	}
	switch {
	case w.jsonl:
	case w.entries[kind] == 0:
		buf.WriteByte('[')
	default:
		buf.WriteByte(',')
	}
	buf.WriteString(entry)
	if w.jsonl {
		buf.WriteByte('\n')
	}
	w.entries[kind]++
	return nil
}

func (w *resultFiles) flush(kind string) error {
	buf := w.open[kind]
	if buf == nil || w.entries[kind] == 0 {
		return nil
	}
	if !w.jsonl {
		buf.WriteByte(']')
	}
	key := fmt.Sprintf("%s/%s_%d%s", w.base, kind, w.count[kind], w.ext)
	if _, err := w.s.store.Put(w.bucket, key, []byte(buf.String())); err != nil {
		return writeError(err)
	}
	w.files[kind] = append(w.files[kind], map[string]any{"Key": key, "Size": int64(buf.Len())})
	w.count[kind]++
	w.entries[kind] = 0
	buf.Reset()
	return nil
}

// resultTime renders a child's start or stop date as AWS's result files do.
func resultTime(t time.Time) string { return t.UTC().Format(asl.TimeFormat) }

// entries are what a child's result writes: with NONE (and for every
// child that did not succeed) its execution's record, Input and Output as
// JSON text; with COMPACT its output; with FLATTEN its output, an array's
// elements one by one.
func entries(r *integrations.MapItemResult, transformation string) []any {
	if r.Status == "SUCCEEDED" && (transformation == "COMPACT" || transformation == "FLATTEN") {
		if a, ok := r.Output.([]any); ok && transformation == "FLATTEN" {
			return a
		}
		return []any{r.Output}
	}
	e := map[string]any{
		"Input":        asl.EncodeJSON(r.Input),
		"InputDetails": map[string]any{"Included": true},
		"RedriveCount": int64(0),
		"Status":       r.Status,
	}
	if r.ExecutionARN != "" {
		e["ExecutionArn"] = r.ExecutionARN
		if sm := childStateMachine(r.ExecutionARN); sm != "" {
			e["StateMachineArn"] = sm
		}
	}
	if r.Name != "" {
		e["Name"] = r.Name
	}
	if !r.StartDate.IsZero() {
		e["StartDate"] = resultTime(r.StartDate)
	}
	if !r.StopDate.IsZero() {
		e["StopDate"] = resultTime(r.StopDate)
	}
	switch r.Status {
	case "SUCCEEDED":
		e["Output"] = asl.EncodeJSON(r.Output)
		e["OutputDetails"] = map[string]any{"Included": true}
		e["RedriveStatus"] = "NOT_REDRIVABLE"
		e["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
	case "PENDING":
	default:
		if r.Error != "" {
			e["Error"] = r.Error
		}
		if r.Cause != "" {
			e["Cause"] = r.Cause
		}
		e["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
	}
	return []any{e}
}

// childStateMachine is the state machine ARN of a Map Run's child
// execution: arn:...:execution:Parent/Label:name → arn:...:stateMachine:Parent/Label.
func childStateMachine(execARN string) string {
	i := strings.Index(execARN, ":execution:")
	j := strings.LastIndexByte(execARN, ':')
	if i < 0 || j <= i+len(":execution:") {
		return ""
	}
	return execARN[:i] + ":stateMachine:" + execARN[i+len(":execution:"):j]
}
