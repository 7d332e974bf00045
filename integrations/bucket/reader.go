package bucket

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// ErrItemReaderFailed is the error a Distributed Map fails with when its
// items cannot be read.
const ErrItemReaderFailed = "States.ItemReaderFailed"

// MaxCSVHeaderBytes is AWS's bound on a CSV header (10 KiB).
const MaxCSVHeaderBytes = 10 << 10

// maxManifestBytes bounds an S3 inventory manifest.json.
const maxManifestBytes = 16 << 20

func readerFailed(format string, args ...any) *integrations.Error {
	return &integrations.Error{Name: ErrItemReaderFailed, Cause: fmt.Sprintf(format, args...)}
}

// readerError turns what a read met into States.ItemReaderFailed.
func readerError(err error) error {
	var ie *integrations.Error
	if errors.As(err, &ie) {
		return ie
	}
	var se *S3Error
	if errors.As(err, &se) {
		return readerFailed("%s", se.Error())
	}
	return readerFailed("%v", err)
}

// inObject names the object of a read that failed in its cause.
func inObject(what string, err error) error {
	e, ok := readerError(err).(*integrations.Error)
	if !ok {
		return err
	}
	return &integrations.Error{Name: e.Name, Cause: what + ": " + e.Cause}
}

// readConfig is a request's ReaderConfig, checked.
type readConfig struct {
	inputType string
	delim     byte
	headers   []string // GIVEN
	maxItems  int64    // 0: all
	pointer   string
	flatten   bool
}

var delimiters = map[string]byte{"": ',', "COMMA": ',', "PIPE": '|', "SEMICOLON": ';', "SPACE": ' ', "TAB": '\t'}

func checkReadConfig(req *integrations.ReadItemsRequest, listing bool) (*readConfig, error) {
	c := &readConfig{inputType: req.InputType, maxItems: req.MaxItems, pointer: req.ItemsPointer}
	switch req.InputType {
	case "JSON", "JSONL", "CSV", "MANIFEST":
	case "":
		if !listing {
			c.inputType = "JSON" // a getObject reader without InputType: a JSON array
		}
	case "PARQUET":
		return nil, readerFailed("ReaderConfig.InputType PARQUET is not supported by Signalbox's bucket store (JSON, JSONL, CSV and MANIFEST are)")
	default:
		return nil, readerFailed("ReaderConfig.InputType %q is not one of CSV, JSON, JSONL, MANIFEST", req.InputType)
	}
	switch req.Transformation {
	case "", "NONE":
	case "LOAD_AND_FLATTEN":
		if !listing {
			return nil, readerFailed("ReaderConfig.Transformation LOAD_AND_FLATTEN applies to an S3 listing (s3:listObjectsV2) only")
		}
		if c.inputType == "" || c.inputType == "MANIFEST" {
			return nil, readerFailed("ReaderConfig.Transformation LOAD_AND_FLATTEN needs an InputType of CSV, JSON or JSONL")
		}
		c.flatten = true
	default:
		return nil, readerFailed("ReaderConfig.Transformation %q is not one of NONE, LOAD_AND_FLATTEN", req.Transformation)
	}
	if listing && !c.flatten && c.inputType != "" {
		return nil, readerFailed("ReaderConfig.InputType %s does not apply to an S3 listing (s3:listObjectsV2) without Transformation LOAD_AND_FLATTEN", c.inputType)
	}
	if req.MaxItems < 0 || req.MaxItems > MaxItemsLimit {
		return nil, readerFailed("ReaderConfig.MaxItems %d is not between 0 and %d", req.MaxItems, MaxItemsLimit)
	}
	d, ok := delimiters[req.CSVDelimiter]
	if !ok {
		return nil, readerFailed("ReaderConfig.CSVDelimiter %q is not one of COMMA, PIPE, SEMICOLON, SPACE, TAB", req.CSVDelimiter)
	}
	c.delim = d
	if c.inputType == "CSV" {
		switch req.CSVHeaderLocation {
		case "", "FIRST_ROW":
			if len(req.CSVHeaders) > 0 {
				return nil, readerFailed("ReaderConfig.CSVHeaders is given only with CSVHeaderLocation GIVEN")
			}
		case "GIVEN":
			if len(req.CSVHeaders) == 0 {
				return nil, readerFailed("ReaderConfig.CSVHeaders must list the headers when CSVHeaderLocation is GIVEN")
			}
			if err := checkHeaders(req.CSVHeaders); err != nil {
				return nil, err
			}
			c.headers = req.CSVHeaders
		default:
			return nil, readerFailed("ReaderConfig.CSVHeaderLocation %q is not one of FIRST_ROW, GIVEN", req.CSVHeaderLocation)
		}
	}
	if c.pointer != "" && c.inputType != "JSON" {
		return nil, readerFailed("ReaderConfig.ItemsPointer applies to InputType JSON only")
	}
	return c, nil
}

// checkHeaders holds CSV headers to AWS's rules: at most 10 KiB, no
// duplicates.
func checkHeaders(h []string) error {
	n := 0
	seen := make(map[string]bool, len(h))
	for _, x := range h {
		n += len(x) + 1
		if seen[x] {
			return readerFailed("CSV headers cannot contain duplicates.")
		}
		seen[x] = true
	}
	if n-1 > MaxCSVHeaderBytes {
		return readerFailed("The CSV header has %d bytes, more than the %d Step Functions supports", n-1, MaxCSVHeaderBytes)
	}
	return nil
}

// ReadItems reads a Distributed Map's items: an object of a bucket (or a
// URL) read as JSON, JSONL, CSV or an S3 inventory MANIFEST, or a bucket's
// listing, with MaxItems and the request's byte limit. Any failure is
// States.ItemReaderFailed.
func (s *Service) ReadItems(ctx context.Context, req *integrations.ReadItemsRequest) ([]any, error) {
	act := action(req.Resource)
	if act != "getObject" && act != "listObjectsV2" {
		return nil, readerFailed("The ItemReader's Resource %q is not supported (arn:aws:states:::s3:getObject and arn:aws:states:::s3:listObjectsV2 are)", req.Resource)
	}
	c, err := checkReadConfig(req, act == "listObjectsV2")
	if err != nil {
		return nil, err
	}
	budget := &limited{limit: req.MaxBytes}
	if budget.limit <= 0 {
		budget.limit = s.opts.MaxReadBytes
	}
	var items []any
	if act == "listObjectsV2" {
		items, err = s.readListing(ctx, req.Parameters, c, budget)
	} else {
		items, err = s.readObject(ctx, req.Parameters, c, budget)
	}
	if err != nil {
		return nil, readerError(err)
	}
	return items, nil
}

// readerParams checks an ItemReader's Parameters.
func readerParams(params any, allowed ...string) (map[string]any, error) {
	m, ok := params.(map[string]any)
	if !ok {
		return nil, readerFailed("The ItemReader's Parameters must be an object with %s", strings.Join(allowed, ", "))
	}
	for k, v := range m {
		if k == "VersionId" {
			return nil, readerFailed("The ItemReader's Parameters field VersionId is not supported: Signalbox's bucket store keeps no versions")
		}
		found := false
		for _, a := range allowed {
			found = found || a == k
		}
		if !found {
			return nil, readerFailed("The ItemReader's Parameters field %q is not supported (%s are)", k, strings.Join(allowed, ", "))
		}
		if _, ok := v.(string); !ok {
			return nil, readerFailed("The ItemReader's Parameters field %q must be a string", k)
		}
	}
	return m, nil
}

func (s *Service) readObject(ctx context.Context, params any, c *readConfig, budget *limited) ([]any, error) {
	m, err := readerParams(params, "Bucket", "Key", "Url")
	if err != nil {
		return nil, err
	}
	if u, ok := m["Url"].(string); ok {
		if _, has := m["Bucket"]; has {
			return nil, readerFailed("The ItemReader's Parameters have either Url or Bucket and Key, not both")
		}
		if _, has := m["Key"]; has {
			return nil, readerFailed("The ItemReader's Parameters have either Url or Bucket and Key, not both")
		}
		if c.inputType == "MANIFEST" {
			return nil, readerFailed("InputType MANIFEST is not supported with a Url source")
		}
		return s.readURL(ctx, u, c, budget)
	}
	b, _ := m["Bucket"].(string)
	k, _ := m["Key"].(string)
	if b == "" || k == "" {
		return nil, readerFailed("The ItemReader's Parameters need Bucket and Key (or, Signalbox's extension, Url)")
	}
	if c.inputType == "MANIFEST" {
		return s.readManifest(ctx, b, k, c, budget)
	}
	f, _, err := s.store.Open(b, k)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	budget.r = f
	return parseItems(ctx, budget, c, nil)
}

// readURL reads the items of an HTTP(S) URL (Signalbox's extension).
func (s *Service) readURL(ctx context.Context, raw string, c *readConfig, budget *limited) ([]any, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, readerFailed("The ItemReader's Url %q is not an http or https URL", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.URLTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, readerFailed("The ItemReader's Url %q: %v", raw, err)
	}
	resp, err := s.opts.HTTPClient.Do(hreq)
	if err != nil {
		return nil, readerFailed("Reading the ItemReader's Url %q failed: %v", raw, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, readerFailed("Reading the ItemReader's Url %q failed: HTTP status %s", raw, resp.Status)
	}
	if resp.ContentLength > budget.limit {
		return nil, budget.tooBig()
	}
	budget.r = resp.Body
	items, err := parseItems(ctx, budget, c, nil)
	if err != nil && ctx.Err() != nil {
		return nil, readerFailed("Reading the ItemReader's Url %q took longer than %s", raw, s.opts.URLTimeout)
	}
	return items, err
}

// readListing reads a bucket's listing under a prefix: one item per
// object as AWS gives it ({"Etag", "Key", "LastModified" in epoch
// seconds, "Size", "StorageClass"}), or with LOAD_AND_FLATTEN each
// object's items in turn.
func (s *Service) readListing(ctx context.Context, params any, c *readConfig, budget *limited) ([]any, error) {
	m, err := readerParams(params, "Bucket", "Prefix")
	if err != nil {
		return nil, err
	}
	b, _ := m["Bucket"].(string)
	prefix, _ := m["Prefix"].(string)
	if b == "" {
		return nil, readerFailed("The ItemReader's Parameters need Bucket")
	}
	objs, err := s.store.List(b, prefix)
	if err != nil {
		return nil, err
	}
	if !c.flatten {
		if c.maxItems > 0 && int64(len(objs)) > c.maxItems {
			objs = objs[:c.maxItems]
		}
		s.store.WithETags(objs)
		items := make([]any, len(objs))
		for i, o := range objs {
			items[i] = map[string]any{
				"Etag": o.ETag, "Key": o.Key, "LastModified": o.LastModified.Unix(), "Size": o.Size, "StorageClass": "STANDARD",
			}
		}
		return items, nil
	}
	var items []any
	for _, o := range objs {
		if c.maxItems > 0 && int64(len(items)) >= c.maxItems {
			break
		}
		f, _, err := s.store.Open(b, o.Key)
		if err != nil {
			return nil, err
		}
		budget.r = f
		items, err = parseItems(ctx, budget, c, items)
		f.Close()
		if err != nil {
			return nil, inObject(fmt.Sprintf("The object %q", o.Key), err)
		}
	}
	return items, nil
}

// manifest is an S3 Inventory report's manifest.json (the fields read).
type manifest struct {
	DestinationBucket string `json:"destinationBucket"`
	FileFormat        string `json:"fileFormat"`
	FileSchema        string `json:"fileSchema"`
	Files             []struct {
		Key string `json:"key"`
	} `json:"files"`
}

// readManifest reads the items of an S3 Inventory report: its
// manifest.json names CSV files (gzip-compressed or not) in the
// destination bucket, with no header row; fileSchema names their columns.
func (s *Service) readManifest(ctx context.Context, b, k string, c *readConfig, budget *limited) ([]any, error) {
	data, _, err := s.store.Get(b, k, maxManifestBytes)
	if err != nil {
		return nil, err
	}
	var mf manifest
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, readerFailed("The manifest %q is not an S3 Inventory manifest.json: %v", k, err)
	}
	if mf.FileFormat != "CSV" {
		return nil, readerFailed("The manifest %q has fileFormat %q: only CSV inventories are supported", k, mf.FileFormat)
	}
	dest, ok := strings.CutPrefix(mf.DestinationBucket, "arn:aws:s3:::")
	if !ok {
		dest = mf.DestinationBucket
	}
	var schema []string
	for f := range strings.SplitSeq(mf.FileSchema, ",") {
		schema = append(schema, strings.TrimSpace(f))
	}
	if err := checkHeaders(schema); err != nil {
		return nil, err
	}
	csvc := &readConfig{inputType: "CSV", delim: ',', headers: schema, maxItems: c.maxItems}
	var items []any
	for _, file := range mf.Files {
		if c.maxItems > 0 && int64(len(items)) >= c.maxItems {
			break
		}
		f, _, err := s.store.Open(dest, file.Key)
		if err != nil {
			return nil, inObject(fmt.Sprintf("The inventory file %q of bucket %q", file.Key, dest), err)
		}
		var r io.Reader = f
		if strings.HasSuffix(file.Key, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				f.Close()
				return nil, readerFailed("The inventory file %q is not gzip: %v", file.Key, err)
			}
			r = zr
		}
		budget.r = r
		items, err = parseItems(ctx, budget, csvc, items)
		f.Close()
		if err != nil {
			return nil, inObject(fmt.Sprintf("The inventory file %q", file.Key), err)
		}
	}
	return items, nil
}

// limited counts what is read through it against a limit shared by every
// file of one read.
type limited struct {
	r     io.Reader
	n     int64
	limit int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, l.tooBig()
	}
	if rest := l.limit + 1 - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return n, l.tooBig()
	}
	return n, err
}

func (l *limited) tooBig() error {
	return readerFailed("The ItemReader's data is larger than %d bytes, the limit of what one Map Run reads", l.limit)
}

// parseItems appends the items of r, read as c says, to items, up to
// c.maxItems in all.
func parseItems(ctx context.Context, r io.Reader, c *readConfig, items []any) ([]any, error) {
	r = skipBOM(r)
	switch c.inputType {
	case "JSONL":
		return parseJSONL(ctx, r, c.maxItems, items)
	case "CSV":
		return parseCSV(ctx, r, c, items)
	default:
		if c.pointer != "" {
			return parseJSONPointer(r, c.pointer, c.maxItems, items)
		}
		return parseJSON(ctx, r, c.maxItems, items)
	}
}

// skipBOM drops a UTF-8 byte order mark starting r (spreadsheets write
// one at the start of CSV files), and buffers r for the parsers.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	return br
}

func full(items []any, max int64) bool { return max > 0 && int64(len(items)) >= max }

// parseJSON streams a JSON array, one element at a time.
func parseJSON(ctx context.Context, r io.Reader, max int64, items []any) ([]any, error) {
	if full(items, max) {
		return items, nil
	}
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, readerFailed("Attempting to map over non-iterable node.")
	}
	for i := 0; dec.More(); i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(err)
		}
		v, err := asl.DecodeJSON(raw)
		if err != nil {
			return nil, readerFailed("The item at index %d is not valid JSON: %v", i, err)
		}
		if items = append(items, v); full(items, max) {
			return items, nil
		}
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, readerFailed("The JSON file has more after its array")
		}
		return nil, jsonError(err)
	}
	return items, nil
}

func jsonError(err error) error {
	var ie *integrations.Error
	if errors.As(err, &ie) {
		return ie
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return readerFailed("The JSON file ends before its array does")
	}
	return readerFailed("The file is not valid JSON: %v", err)
}

// parseJSONPointer reads a JSON document whole and takes the array at a
// JSON Pointer (RFC 6901) inside it.
func parseJSONPointer(r io.Reader, pointer string, max int64, items []any) ([]any, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	v, err := asl.DecodeJSON(data)
	if err != nil {
		return nil, readerFailed("The file is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, readerFailed("ReaderConfig.ItemsPointer %q is not a JSON Pointer (it starts with \"/\")", pointer)
	}
	for tok := range strings.SplitSeq(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, readerFailed("ReaderConfig.ItemsPointer %q: no field %q", pointer, tok)
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) || (len(tok) > 1 && tok[0] == '0') {
				return nil, readerFailed("ReaderConfig.ItemsPointer %q: no index %q", pointer, tok)
			}
			v = x[i]
		default:
			return nil, readerFailed("ReaderConfig.ItemsPointer %q leads into a %T", pointer, v)
		}
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, readerFailed("Attempting to map over non-iterable node.")
	}
	for _, x := range arr {
		if full(items, max) {
			break
		}
		items = append(items, x)
	}
	return items, nil
}

// parseJSONL reads one JSON value per line; blank lines are skipped.
func parseJSONL(ctx context.Context, r io.Reader, max int64, items []any) ([]any, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	for line := 1; !full(items, max); line++ {
		if line%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer
			long = append(long[:0], b...)
			for err == bufio.ErrBufferFull {
				b, err = br.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			v, derr := asl.DecodeJSON(t)
			if derr != nil {
				return nil, readerFailed("Line %d of the JSONL file is not valid JSON: %v", line, derr)
			}
			items = append(items, v)
		}
		if err == io.EOF {
			break
		}
	}
	return items, nil
}

// parseCSV reads delimited text into objects of strings keyed by the
// header: a row with fewer fields gets empty strings for the missing ones,
// a row with more has its extra fields skipped, as AWS documents.
func parseCSV(ctx context.Context, r io.Reader, c *readConfig, items []any) ([]any, error) {
	if full(items, c.maxItems) {
		return items, nil
	}
	cr := newCSVReader(r, c.delim)
	headers := c.headers
	if headers == nil {
		rec, err := cr.Read()
		if err == io.EOF {
			return items, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		if cr.n > MaxCSVHeaderBytes {
			return nil, readerFailed("The CSV header has %d bytes, more than the %d Step Functions supports", cr.n, MaxCSVHeaderBytes)
		}
		headers = append([]string(nil), rec...)
		if err := checkHeaders(headers); err != nil {
			return nil, err
		}
	}
	for i := 0; !full(items, c.maxItems); i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		item := make(map[string]any, len(headers))
		for j, h := range headers {
			if j < len(rec) {
				item[h] = rec[j]
			} else {
				item[h] = ""
			}
		}
		items = append(items, item)
	}
	return items, nil
}

func csvError(err error) error {
	var ie *integrations.Error
	if errors.As(err, &ie) {
		return ie
	}
	return readerFailed("The CSV file cannot be read: %v", err)
}
