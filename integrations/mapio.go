package integrations

import (
	"context"
	"time"
)

// Distributed Map's I/O. The handler of an ItemReader's Resource
// (arn:aws:states:::s3:getObject, s3:listObjectsV2, ...) also implements
// ItemReader, and the handler of a ResultWriter's Resource
// (arn:aws:states:::s3:putObject) ResultWriter: the runtime finds them in
// the Mux by resource and asserts the interface.
//
// CONTRACT (session 10): shared by integrations/bucket (the
// implementations) and runtime (the caller). Change only with a note.

// ItemReader reads a Distributed Map's items.
type ItemReader interface {
	ReadItems(ctx context.Context, req *ReadItemsRequest) ([]any, error)
}

// ReadItemsRequest is an ItemReader field, evaluated.
type ReadItemsRequest struct {
	Resource   string // e.g. "arn:aws:states:::s3:getObject"
	Parameters any    // the evaluated Parameters/Arguments: Bucket, Key, Prefix, ...
	// ReaderConfig, AWS's names: InputType JSON, JSONL, CSV, MANIFEST
	// ("" for an S3 listing); CSVHeaderLocation FIRST_ROW or GIVEN;
	// CSVHeaders when GIVEN; CSVDelimiter COMMA (default), PIPE,
	// SEMICOLON, SPACE, TAB; MaxItems (0: all).
	InputType         string
	CSVHeaderLocation string
	CSVHeaders        []string
	CSVDelimiter      string
	MaxItems          int64
	// ItemsPointer (InputType JSON) is a JSON Pointer to the array of
	// items inside the object ("": the object is the array); Transformation
	// is LOAD_AND_FLATTEN (an S3 listing: every listed object read as
	// InputType, its items in turn) or "" (NONE). Added compatibly by
	// integrations/bucket; asl and runtime fill them when they parse them.
	ItemsPointer   string
	Transformation string
	// MaxBytes bounds what is read (the runtime's limit); past it the
	// read fails with States.ItemReaderFailed.
	MaxBytes int64
}

// ResultWriter writes a Distributed Map's results and returns the
// ResultWriterDetails the Map's output carries ({"Bucket", "Key"} of the
// manifest).
type ResultWriter interface {
	WriteResults(ctx context.Context, req *WriteResultsRequest) (any, error)
}

// WriteResultsRequest is a ResultWriter field, evaluated, with the results.
type WriteResultsRequest struct {
	Resource   string // "arn:aws:states:::s3:putObject"
	Parameters any    // Bucket, Prefix
	// WriterConfig: OutputType JSON (default) or JSONL; Transformation
	// NONE (default), COMPACT or FLATTEN.
	OutputType     string
	Transformation string
	MapRunARN      string
	Results        []MapItemResult // in item order
}

// MapItemResult is how one child (an item or a batch) of a map run ended.
type MapItemResult struct {
	Index        int
	Status       string // SUCCEEDED, FAILED, ABORTED, TIMED_OUT, PENDING
	ExecutionARN string
	Name         string
	Input        any
	Output       any    // SUCCEEDED
	Error, Cause string // FAILED
	StartDate    time.Time
	StopDate     time.Time
}
