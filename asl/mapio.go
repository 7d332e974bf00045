package asl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
)

// A Distributed Map's I/O: the ItemReader its items come from and the
// ResultWriter its results go to. asl validates and evaluates them; the
// runtime reads and writes through integrations.ItemReader and
// integrations.ResultWriter.

// MaxReaderItems is the largest ReaderConfig MaxItems AWS accepts. A
// MaxItemsPath value above it reads every item, as AWS does.
const MaxReaderItems = 100_000_000

// maxLabel is the longest Label AWS accepts for a Distributed Map.
const maxLabel = 40

// ItemReader is a Distributed Map's ItemReader.
type ItemReader struct {
	Resource   string
	Parameters *Template // JSONPath; nil without one
	arguments  *jtemplate

	InputType         string // "" for an S3 listing
	CSVHeaderLocation string
	CSVHeaders        []string
	CSVDelimiter      string
	MaxItems          int64 // 0: all
	MaxItemsPath      *jpath.Path
	maxItemsExpr      *jtemplate // JSONata: MaxItems as an expression
	// ItemsPointer is a JSON Pointer to the array of a JSON object
	// (InputType JSON); Transformation LOAD_AND_FLATTEN makes an S3
	// listing's items the contents of the objects listed (read as
	// InputType says).
	ItemsPointer   string
	Transformation string
	// unsupported says what of the reader Signalbox does not read (a
	// PARQUET input, a ManifestType): AWS takes such a definition, so
	// Signalbox does too, and the Map fails when it would read
	unsupported string
}

// ResultWriter is a Distributed Map's ResultWriter.
type ResultWriter struct {
	Resource   string    // "" with only WriterConfig
	Parameters *Template // JSONPath
	arguments  *jtemplate
	OutputType string
	// Transformation is as written ("" when absent): the runtime applies
	// AWS's default, which depends on whether the results are exported.
	Transformation string
}

// The S3 actions AWS accepts as an ItemReader's and a ResultWriter's
// Resource, in any partition (aws, aws-cn, aws-us-gov, ...).
var (
	readerResource = regexp.MustCompile(`^arn:aws(-[a-z]+)*:states:::s3:(getObject|listObjectsV2)$`)
	writerResource = regexp.MustCompile(`^arn:aws(-[a-z]+)*:states:::s3:putObject$`)
)

var (
	inputTypes         = []string{"CSV", "JSON", "JSONL", "MANIFEST"}
	csvHeaderLocations = []string{"FIRST_ROW", "GIVEN"}
	csvDelimiters      = []string{"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"}
	outputTypes        = []string{"JSON", "JSONL"}
	transformations    = []string{"NONE", "COMPACT", "FLATTEN"}
	// readerTransformations are ReaderConfig's (a ResultWriter's are
	// transformations)
	readerTransformations = []string{"NONE", "LOAD_AND_FLATTEN"}
)

// enum reads an optional string field that must be one of values.
func enum(o *object, key string, values []string) (string, bool) {
	s, ok := o.str(key, false)
	if !ok {
		return "", false
	}
	for _, v := range values {
		if s == v {
			return s, true
		}
	}
	o.d.Add(o.at(key), diag.InvalidValue, "%s must be one of %s, got %q", key, strings.Join(values, ", "), s)
	return "", false
}

// ioParameters reads the Parameters (JSONPath) or Arguments (JSONata) of an
// ItemReader or ResultWriter: an object, with paths or expressions.
func ioParameters(o *object, lang queryLanguage, field string, d *diag.List) (*Template, *jtemplate) {
	key, other := "Parameters", "Arguments"
	if lang == langJSONata {
		key, other = other, key
	}
	if o.has(other) {
		o.get(other)
		d.Add(o.at(other), diag.SchemaValidationFailed, "the field %q is not supported in a %s state: use %s", other, lang, key)
	}
	v, ok := o.get(key)
	if !ok {
		return nil, nil
	}
	if _, isObj := v.(map[string]any); !isObj {
		if s, isStr := v.(string); !isStr || lang != langJSONata {
			d.Add(o.at(key), diag.SchemaValidationFailed, "%s must be an object, got %s", key, TypeName(v))
			return nil, nil
		} else if _, isExpr := expression(s); !isExpr {
			d.Add(o.at(key), diag.SchemaValidationFailed, "%s must be an object or an expression, got a string", key)
			return nil, nil
		}
	}
	if lang == langJSONata {
		return nil, compileJTemplate(v, field+"/"+key, o.at(key), d)
	}
	return compileTemplate(v, o.at(key), d), nil
}

func parseItemReader(v any, ptr string, lang queryLanguage, d *diag.List) *ItemReader {
	o, ok := newObject(v, ptr, d)
	if !ok {
		return nil
	}
	r := &ItemReader{}
	if res, ok := o.str("Resource", true); ok {
		if !readerResource.MatchString(res) {
			d.Add(o.at("Resource"), diag.InvalidValue, "an ItemReader's Resource must be arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2, got %q", res)
		}
		r.Resource = res
	}
	r.Parameters, r.arguments = ioParameters(o, lang, "ItemReader", d)
	known := readerResource.MatchString(r.Resource)
	listing := known && strings.HasSuffix(r.Resource, ":listObjectsV2")
	if cv, ok := o.get("ReaderConfig"); ok {
		r.parseConfig(cv, o.at("ReaderConfig"), lang, listing, d)
	}
	if known && !listing && !hasKey(o.m["ReaderConfig"], "InputType") {
		d.Add(diag.Pointer(o.at("ReaderConfig"), "InputType"), diag.SchemaValidationFailed, "an ItemReader reading an object (s3:getObject) needs ReaderConfig InputType")
	}
	o.finish()
	return r
}

func hasKey(v any, key string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}

func (r *ItemReader) parseConfig(v any, ptr string, lang queryLanguage, listing bool, d *diag.List) {
	c, ok := newObject(v, ptr, d)
	if !ok {
		return
	}
	if c.has("InputType") {
		s, _ := c.m["InputType"].(string)
		switch {
		case s == "PARQUET":
			c.get("InputType")
			r.InputType, r.unsupported = s, "ReaderConfig InputType PARQUET"
		case listing && c.m["Transformation"] != "LOAD_AND_FLATTEN":
			c.get("InputType")
			d.Add(c.at("InputType"), diag.SchemaValidationFailed, "ReaderConfig InputType with an S3 listing (s3:listObjectsV2) needs Transformation LOAD_AND_FLATTEN")
		default:
			r.InputType, _ = enum(c, "InputType", inputTypes)
		}
	}
	if c.has("ManifestType") {
		if _, ok := c.str("ManifestType", false); ok && r.unsupported == "" {
			r.unsupported = "ReaderConfig ManifestType"
		}
	}
	if p, ok := c.str("ItemsPointer", false); ok {
		switch {
		case r.InputType != "JSON":
			d.Add(c.at("ItemsPointer"), diag.SchemaValidationFailed, "ReaderConfig ItemsPointer is allowed only with InputType JSON")
		case p != "" && !strings.HasPrefix(p, "/"):
			d.Add(c.at("ItemsPointer"), diag.InvalidValue, "ReaderConfig ItemsPointer must be a JSON Pointer (starting with \"/\"), got %q", p)
		}
		r.ItemsPointer = p
	}
	if t, ok := enum(c, "Transformation", readerTransformations); ok {
		switch {
		case t == "LOAD_AND_FLATTEN" && !listing:
			d.Add(c.at("Transformation"), diag.SchemaValidationFailed, "ReaderConfig Transformation LOAD_AND_FLATTEN applies to an S3 listing (s3:listObjectsV2) only")
		case t == "LOAD_AND_FLATTEN" && r.InputType == "":
			d.Add(c.at("Transformation"), diag.SchemaValidationFailed, "ReaderConfig Transformation LOAD_AND_FLATTEN needs InputType CSV, JSON or JSONL")
		}
		r.Transformation = t
	}
	csv := r.InputType == "CSV"
	for _, k := range []string{"CSVHeaderLocation", "CSVHeaders", "CSVDelimiter"} {
		if c.has(k) && !csv && (r.InputType != "" || !c.has("InputType")) {
			d.Add(c.at(k), diag.SchemaValidationFailed, "ReaderConfig %s is allowed only with InputType CSV", k)
		}
	}
	if loc, ok := enum(c, "CSVHeaderLocation", csvHeaderLocations); ok {
		r.CSVHeaderLocation = loc
	}
	if hs, ok := c.array("CSVHeaders", false); ok {
		if c.has("CSVHeaderLocation") && r.CSVHeaderLocation != "GIVEN" {
			d.Add(c.at("CSVHeaders"), diag.SchemaValidationFailed, "ReaderConfig CSVHeaders is allowed only with CSVHeaderLocation GIVEN")
		}
		for i, h := range hs {
			s, isStr := h.(string)
			if !isStr {
				d.Add(diag.Pointer(c.at("CSVHeaders"), fmt.Sprint(i)), diag.SchemaValidationFailed, "a CSV header must be a string, got %s", TypeName(h))
				continue
			}
			r.CSVHeaders = append(r.CSVHeaders, s)
		}
		if len(hs) == 0 {
			d.Add(c.at("CSVHeaders"), diag.SchemaValidationFailed, "ReaderConfig CSVHeaders may not be empty")
		}
	} else if r.CSVHeaderLocation == "GIVEN" {
		d.Add(c.at("CSVHeaders"), diag.SchemaValidationFailed, "ReaderConfig CSVHeaderLocation GIVEN needs CSVHeaders")
	}
	if dl, ok := enum(c, "CSVDelimiter", csvDelimiters); ok {
		r.CSVDelimiter = dl
	}
	if csv {
		if r.CSVHeaderLocation == "" {
			r.CSVHeaderLocation = "FIRST_ROW"
		}
		if r.CSVDelimiter == "" {
			r.CSVDelimiter = "COMMA"
		}
	}
	c.exclusive("MaxItems", "MaxItemsPath")
	if lang == langJSONata {
		r.maxItemsExpr = jexprOnly(c, "MaxItems", d)
		rejectJSONataPaths(c, d, "an expression in MaxItems", "MaxItemsPath")
	} else {
		r.MaxItemsPath = referencePath(c, "MaxItemsPath", d)
	}
	if r.maxItemsExpr == nil {
		if n, ok := c.integer("MaxItems", 0); ok {
			if n > MaxReaderItems {
				d.Add(c.at("MaxItems"), diag.InvalidValue, "ReaderConfig MaxItems must be at most %d, got %d", MaxReaderItems, n)
			}
			r.MaxItems = n
		}
	}
	c.finish()
}

func parseResultWriter(v any, ptr string, lang queryLanguage, d *diag.List) *ResultWriter {
	o, ok := newObject(v, ptr, d)
	if !ok {
		return nil
	}
	w := &ResultWriter{}
	if res, ok := o.str("Resource", false); ok {
		if !writerResource.MatchString(res) {
			d.Add(o.at("Resource"), diag.InvalidValue, "a ResultWriter's Resource must be arn:aws:states:::s3:putObject, got %q", res)
		}
		w.Resource = res
	}
	w.Parameters, w.arguments = ioParameters(o, lang, "ResultWriter", d)
	params := "Parameters"
	if lang == langJSONata {
		params = "Arguments"
	}
	if cv, ok := o.get("WriterConfig"); ok {
		if c, ok := newObject(cv, o.at("WriterConfig"), d); ok {
			w.OutputType, _ = enum(c, "OutputType", outputTypes)
			w.Transformation, _ = enum(c, "Transformation", transformations)
			c.finish()
		}
	}
	// AWS's combinations: WriterConfig alone, Resource and Parameters,
	// or all three.
	switch {
	case !o.has("Resource") && !o.has(params) && !o.has("WriterConfig"):
		d.Add(ptr, diag.SchemaValidationFailed, "a ResultWriter needs WriterConfig, or Resource and %s, or all three", params)
	case o.has("Resource") && !o.has(params):
		d.Add(o.at(params), diag.SchemaValidationFailed, "a ResultWriter with a Resource needs %s (Bucket and Prefix)", params)
	case o.has(params) && !o.has("Resource"):
		d.Add(o.at("Resource"), diag.SchemaValidationFailed, "a ResultWriter with %s needs a Resource", params)
	}
	o.finish()
	return w
}

// checkLabel reports a Label AWS would refuse: longer than 40 characters,
// or holding white space, brackets, wildcards, special or control
// characters.
func checkLabel(label, ptr string, d *diag.List) {
	if n := len([]rune(label)); n > maxLabel {
		d.Add(ptr, diag.InvalidValue, "Label must be at most %d characters, got %d", maxLabel, n)
	}
	for _, r := range label {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) || r == '\u00a0' || r == '\u2028' || r == '\u2029' {
			d.Add(ptr, diag.InvalidValue, "Label may not contain white space, brackets, wildcards, special or control characters, got %q", label)
			return
		}
	}
}

// readItems evaluates the ItemReader at Map entry: its Parameters or
// Arguments and its MaxItems. e.input is the effective input (JSONPath);
// bind the JSONata bindings.
func (r *ItemReader) readItems(e *env, bind map[string]any) (*ReadItems, error) {
	if r.unsupported != "" {
		return nil, e.runtimeErr("%s is not supported by Signalbox", r.unsupported)
	}
	ri := &ReadItems{
		Resource:          r.Resource,
		InputType:         r.InputType,
		CSVHeaderLocation: r.CSVHeaderLocation,
		CSVHeaders:        r.CSVHeaders,
		CSVDelimiter:      r.CSVDelimiter,
		MaxItems:          r.MaxItems,
		ItemsPointer:      r.ItemsPointer,
		Transformation:    r.Transformation,
	}
	switch {
	case r.Parameters != nil:
		v, err := r.Parameters.Eval(e)
		if err != nil {
			return nil, err
		}
		ri.Parameters = v
	case r.arguments != nil:
		v, err := r.arguments.eval(e, bind)
		if err != nil {
			return nil, err
		}
		ri.Parameters = v
	}
	if r.MaxItemsPath != nil {
		v, ok := r.MaxItemsPath.Get(e.scope())
		n, isInt := intOrNumericString(v)
		if !ok || !isInt {
			return nil, e.runtimeErr("The MaxItemsPath field refers to value \"%s\" which is not a valid integer: %s", plain(v), r.MaxItemsPath)
		}
		if err := ri.setMaxItems(n); err != nil {
			return nil, err
		}
	}
	if r.maxItemsExpr != nil {
		n, err := evalInt(e, r.maxItemsExpr, "MaxItems", bind)
		if err != nil {
			return nil, err
		}
		if err := ri.setMaxItems(n); err != nil {
			return nil, err
		}
	}
	if r.CSVHeaderLocation == "GIVEN" {
		seen := make(map[string]bool, len(r.CSVHeaders))
		for _, h := range r.CSVHeaders {
			if seen[h] {
				return nil, &aslerr.Error{Name: aslerr.ItemReaderFailed, Cause: "CSV headers cannot contain duplicates."}
			}
			seen[h] = true
		}
	}
	return ri, nil
}

// setMaxItems takes a MaxItems evaluated at Map entry, in AWS's words and
// bounds: negative fails the read, above MaxReaderItems reads all.
func (ri *ReadItems) setMaxItems(n int64) error {
	if n < 0 {
		return &aslerr.Error{Name: aslerr.ItemReaderFailed, Cause: "field MaxItems must be positive"}
	}
	if n > MaxReaderItems {
		n = MaxReaderItems
	}
	ri.MaxItems = n
	return nil
}

// writeResults evaluates the ResultWriter at Map entry.
func (w *ResultWriter) writeResults(e *env, bind map[string]any) (*WriteResults, error) {
	wr := &WriteResults{Resource: w.Resource, OutputType: w.OutputType, Transformation: w.Transformation}
	switch {
	case w.Parameters != nil:
		v, err := w.Parameters.Eval(e)
		if err != nil {
			return nil, err
		}
		wr.Parameters = v
	case w.arguments != nil:
		v, err := w.arguments.eval(e, bind)
		if err != nil {
			return nil, err
		}
		wr.Parameters = v
	}
	return wr, nil
}
