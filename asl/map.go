package asl

import (
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
	"math"
	"strconv"
	"strings"
)

// Map runs its processor once per item of an array.
type Map struct {
	Base
	ItemsPath        *jpath.Path // nil: "$"
	Processor        *StateMachine
	Distributed      bool
	MaxConcurrency   int64
	MaxConcurrencyAt *jpath.Path
	Label            string
	// unsupported says what of the Map Signalbox does not run (ItemsPath
	// beside an ItemReader): it fails when it runs
	unsupported string

	// -1 when unset.
	ToleratedFailureCount      int64
	ToleratedFailurePercentage float64
	ToleratedCountPath         *jpath.Path
	ToleratedPercentagePath    *jpath.Path

	Batcher *ItemBatcher
	// Reader and Writer are a Distributed Map's ItemReader and
	// ResultWriter; nil without them.
	Reader *ItemReader
	Writer *ResultWriter
	// ExecutionType is the ProcessorConfig's (STANDARD or EXPRESS).
	ExecutionType string
	// processorField is "ItemProcessor" or "Iterator", as written.
	processorField string

	// JSONata: Items, ItemSelector, and numbers given as expressions.
	items, itemSelector                        *jtemplate
	maxConcurrencyExpr, countExpr, percentExpr *jtemplate
}

// ItemBatcher groups items into batches: each iteration's input is
// {"Items": [...], "BatchInput": ...}.
type ItemBatcher struct {
	MaxItemsPerBatch      int64 // 0: no limit
	MaxItemsPath          *jpath.Path
	MaxInputBytesPerBatch int64 // 0: no limit
	MaxInputBytesPath     *jpath.Path
	BatchInput            *Template
	// JSONata: the numbers as expressions, and BatchInput with
	// expressions.
	maxItemsExpr, maxBytesExpr, batchInputExpr *jtemplate
}

func parseMap(b Base, o *object, d *diag.List) *Map {
	s := &Map{Base: b, ToleratedFailureCount: -1, ToleratedFailurePercentage: -1}
	parseBase(&s.Base, o, fNext|fInputPath|fOutputPath|fResultPath|fResultSelector|fRetryCatch|fAssign|fOutput, d)
	if s.lang == langJSONata {
		s.items = jfield(o, "Items", d)
		s.itemSelector = jfield(o, "ItemSelector", d)
		s.maxConcurrencyExpr = jexprOnly(o, "MaxConcurrency", d)
		s.countExpr = jexprOnly(o, "ToleratedFailureCount", d)
		s.percentExpr = jexprOnly(o, "ToleratedFailurePercentage", d)
		for _, k := range []string{"ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"} {
			if o.has(k) {
				o.get(k)
				d.Add(o.at(k), diag.SchemaValidationFailed, "the field %q is not supported in a JSONata state", k)
			}
		}
	} else {
		o.exclusive("ItemSelector", "Parameters")
		for _, k := range []string{"ItemSelector", "Parameters"} {
			if v, ok := o.get(k); ok {
				s.Parameters = compileTemplate(v, o.at(k), d)
			}
		}
		s.ItemsPath = referencePath(o, "ItemsPath", d)
	}
	o.exclusive("ItemProcessor", "Iterator")
	switch {
	case o.has("ItemProcessor"):
		s.processorField = "ItemProcessor"
		v, _ := o.get("ItemProcessor")
		o.get("Iterator") // if present too, exclusive has reported it
		s.Processor = parseMachine(v, o.at("ItemProcessor"), s.machineLang, func(p *object) { s.parseProcessorConfig(p, d) }, d)
	case o.has("Iterator"):
		s.processorField = "Iterator"
		v, _ := o.get("Iterator")
		s.Processor = parseMachine(v, o.at("Iterator"), s.machineLang, func(p *object) { s.parseProcessorConfig(p, d) }, d)
	default:
		d.Add(o.at("ItemProcessor"), diag.SchemaValidationFailed, "a Map state needs ItemProcessor (or the older Iterator)")
	}
	o.exclusive("MaxConcurrency", "MaxConcurrencyPath")
	if s.maxConcurrencyExpr == nil {
		if n, ok := o.integer("MaxConcurrency", 0); ok {
			s.MaxConcurrency = n
		}
	}
	s.MaxConcurrencyAt = referencePath(o, "MaxConcurrencyPath", d)
	o.exclusive("ToleratedFailureCount", "ToleratedFailureCountPath")
	if s.countExpr == nil {
		if n, ok := o.integer("ToleratedFailureCount", 0); ok {
			s.ToleratedFailureCount = n
		}
	}
	s.ToleratedCountPath = referencePath(o, "ToleratedFailureCountPath", d)
	o.exclusive("ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
	if s.percentExpr == nil {
		if f, ok := o.number("ToleratedFailurePercentage"); ok {
			if f < 0 || f > 100 {
				d.Add(o.at("ToleratedFailurePercentage"), diag.InvalidValue, "ToleratedFailurePercentage must be between 0 and 100")
			}
			s.ToleratedFailurePercentage = f
		}
	}
	s.ToleratedPercentagePath = referencePath(o, "ToleratedFailurePercentagePath", d)
	s.Label, _ = o.str("Label", false)
	if v, ok := o.get("ItemBatcher"); ok {
		s.Batcher = parseItemBatcher(v, o.at("ItemBatcher"), s.lang, d)
	}
	if s.Label != "" {
		checkLabel(s.Label, o.at("Label"), d)
	}
	if v, ok := o.get("ItemReader"); ok {
		if !s.Distributed {
			d.Add(o.at("ItemReader"), diag.SchemaValidationFailed, "ItemReader is allowed only in a Map state whose ProcessorConfig Mode is DISTRIBUTED")
		}
		// AWS documents ItemsPath (JSONata: Items) in a Distributed Map
		// for a JSON input passed from a previous state; what it does
		// beside an ItemReader is not documented.
		k := "ItemsPath"
		if s.lang == langJSONata {
			k = "Items"
		}
		if o.has(k) {
			// AWS takes the definition: the Map fails when it would read
			s.unsupported = k + " together with an ItemReader"
		}
		s.Reader = parseItemReader(v, o.at("ItemReader"), s.lang, d)
	}
	if v, ok := o.get("ResultWriter"); ok {
		if !s.Distributed {
			d.Add(o.at("ResultWriter"), diag.SchemaValidationFailed, "ResultWriter is allowed only in a Map state whose ProcessorConfig Mode is DISTRIBUTED")
		}
		s.Writer = parseResultWriter(v, o.at("ResultWriter"), s.lang, d)
	}
	return s
}

func (s *Map) parseProcessorConfig(p *object, d *diag.List) {
	v, ok := p.get("ProcessorConfig")
	if !ok {
		return
	}
	c, ok := newObject(v, p.at("ProcessorConfig"), d)
	if !ok {
		return
	}
	if mode, ok := c.str("Mode", false); ok {
		switch mode {
		case "INLINE":
		case "DISTRIBUTED":
			s.Distributed = true
		default:
			d.Add(c.at("Mode"), diag.InvalidValue, "Mode must be INLINE or DISTRIBUTED, got %q", mode)
		}
	}
	if et, ok := c.str("ExecutionType", false); ok {
		if et != "STANDARD" && et != "EXPRESS" {
			d.Add(c.at("ExecutionType"), diag.InvalidValue, "ExecutionType must be STANDARD or EXPRESS, got %q", et)
		} else {
			s.ExecutionType = et
		}
	} else if s.Distributed && !c.has("ExecutionType") {
		d.Add(c.at("ExecutionType"), diag.SchemaValidationFailed, "a Map state whose Mode is DISTRIBUTED needs ProcessorConfig ExecutionType (STANDARD or EXPRESS)")
	}
	c.finish()
}

func parseItemBatcher(v any, ptr string, lang queryLanguage, d *diag.List) *ItemBatcher {
	o, ok := newObject(v, ptr, d)
	if !ok {
		return nil
	}
	b := &ItemBatcher{}
	if lang == langJSONata {
		b.maxItemsExpr = batcherExpr(o, "MaxItemsPerBatch", d)
		b.maxBytesExpr = batcherExpr(o, "MaxInputBytesPerBatch", d)
		rejectJSONataPaths(o, d, "an expression in MaxItemsPerBatch or MaxInputBytesPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath")
		if v, ok := o.get("BatchInput"); ok {
			b.batchInputExpr = compileJTemplate(v, "ItemBatcher/BatchInput", o.at("BatchInput"), d)
		}
	}
	if b.maxItemsExpr == nil {
		if n, ok := o.integer("MaxItemsPerBatch", 1); ok {
			b.MaxItemsPerBatch = n
		}
	}
	if b.maxBytesExpr == nil {
		if n, ok := o.integer("MaxInputBytesPerBatch", 1); ok {
			b.MaxInputBytesPerBatch = n
		}
	}
	if lang == langJSONPath {
		b.MaxItemsPath = referencePath(o, "MaxItemsPerBatchPath", d)
		b.MaxInputBytesPath = referencePath(o, "MaxInputBytesPerBatchPath", d)
		if v, ok := o.get("BatchInput"); ok {
			b.BatchInput = compileTemplate(v, o.at("BatchInput"), d)
		}
	}
	o.finish()
	return b
}

// batcherExpr compiles an ItemBatcher number given as a JSONata
// expression; nil when the field holds anything else.
func batcherExpr(o *object, key string, d *diag.List) *jtemplate {
	s, ok := o.m[key].(string)
	if !ok {
		return nil
	}
	if _, isExpr := expression(s); !isExpr {
		return nil
	}
	o.get(key)
	return compileJTemplate(s, "ItemBatcher/"+key, o.at(key), d)
}

func (s *Map) enter(e *env) Outcome {
	raw := e.input
	out, err := s.prepare(e, raw)
	if err != nil {
		ae := asError(err)
		if ae.Name == aslerr.Runtime {
			return failWith(ae)
		}
		return HandleError(s, raw, ae, e.ctx)
	}
	return out
}

// prepareJSONata is prepare for a JSONata Map state.
func (s *Map) prepareJSONata(e *env, raw any) (Outcome, error) {
	bind := e.bindings(raw, nil)
	run := s.runMap()
	if err := s.prepareIO(e, bind, &run); err != nil {
		return nil, err
	}
	var items []any
	if s.Reader == nil {
		itemsV := raw
		if s.items != nil {
			v, err := s.items.eval(e, bind)
			if err != nil {
				return nil, err
			}
			itemsV = v
		}
		var ok bool
		items, ok = itemsV.([]any)
		if !ok {
			n := s.items
			if n == nil {
				n = &jtemplate{kind: tCall, src: "$states.input"}
			}
			return nil, jtypeError(e, n, "Items", "array", itemsV)
		}
		if !e.ctx.fitsPayload(items) {
			return dataLimit(e.ctx.StateName), nil
		}
	}
	if s.maxConcurrencyExpr != nil {
		n, err := evalIntIn(e, s.maxConcurrencyExpr, "MaxConcurrency", bind, 0, 0)
		if err != nil {
			return nil, err
		}
		run.MaxConcurrency = int(n)
	}
	if s.countExpr != nil {
		n, err := evalInt(e, s.countExpr, "ToleratedFailureCount", bind)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, e.runtimeErr("ToleratedFailureCount cannot be negative.")
		}
		run.ToleratedFailureCount = int(n)
	}
	if s.percentExpr != nil {
		v, err := s.percentExpr.eval(e, bind)
		if err != nil {
			return nil, err
		}
		f, isNum := AsFloat(v)
		if !isNum {
			// the type error every JSONata number field reports
			return nil, jtypeError(e, s.percentExpr, "ToleratedFailurePercentage", "number", v)
		}
		if f < 0 || f > 100 {
			return nil, e.runtimeErr("ToleratedFailurePercentage must be between 0 and 100.")
		}
		run.ToleratedFailurePercentage = f
	}
	return s.finishPrepare(e, raw, items, run)
}

// finishPrepare shapes an inline array of items (ItemSelector,
// ItemBatcher) into the iterations' inputs, or, with an ItemReader, hands
// the runtime the function that shapes the items it reads. in is what
// ItemSelector and ItemBatcher see as "$" (the effective input; JSONata:
// the state input).
func (s *Map) finishPrepare(e *env, in any, items []any, run RunMap) (Outcome, error) {
	if s.Reader != nil {
		run.Shape = s.shaper(e, in)
		return run, nil
	}
	// Items that passed fitsPayload as one array are within the limits.
	shaped, fits, err := s.shape(e, in, items, true)
	if err != nil {
		return nil, err
	}
	if !fits {
		return dataLimit(e.ctx.StateName), nil
	}
	run.Items = shaped
	return run, nil
}

// prepareIO evaluates the ItemReader and the ResultWriter into run.
func (s *Map) prepareIO(e *env, bind map[string]any, run *RunMap) error {
	if s.Reader != nil {
		rd, err := s.Reader.readItems(e, bind)
		if err != nil {
			return err
		}
		run.Reader = rd
	}
	if s.Writer != nil {
		wr, err := s.Writer.writeResults(e, bind)
		if err != nil {
			return err
		}
		run.Writer = wr
	}
	return nil
}

// shape applies ItemSelector and ItemBatcher to items, making each
// iteration's input. fits is false when an input is over the payload limit
// or all of them together over the bound on a Map's inputs; checked says
// the items were held to the payload limit as one array already (unchanged,
// they need no measuring).
func (s *Map) shape(e *env, in any, items []any, checked bool) (shaped []any, fits bool, err error) {
	fits = true
	measured := checked
	if s.Parameters != nil || s.itemSelector != nil {
		selected := make([]any, len(items))
		ctx := *e.ctx
		ctx.InMap = true
		ie := &env{input: in, ctx: &ctx}
		total := 0
		for i, item := range items {
			ctx.MapItemIndex, ctx.MapItemValue = i, item
			ctx.Invalidate()
			var v any
			if s.itemSelector != nil {
				v, err = s.itemSelector.eval(ie, ie.bindings(in, nil))
			} else {
				v, err = s.Parameters.evalPayload(ie)
			}
			if err != nil {
				return nil, false, err
			}
			selected[i] = v
			// JSONPath templates are measured as they are built
			// (evalPayload remembers their sizes).
			if s.Parameters != nil && fits {
				n := ctx.payloadSize(v)
				total += n
				fits = n <= ctx.payloadLimit() && total <= MaxMapInputs
			}
		}
		items = selected
		measured = s.Parameters != nil
	}
	if s.Batcher != nil {
		be := &env{input: in, ctx: e.ctx}
		batches, err := s.Batcher.batch(be, in, items)
		if err != nil {
			return nil, false, err
		}
		items = batches
		measured = false
		fits = true
	}
	if !measured {
		fits = e.ctx.mapInputs(items)
	}
	return items, fits, nil
}

// shaper is a Map's RunMap.Shape: s.shape over the items an ItemReader
// read, with the Context of the Map's entry (copied: the runtime may reuse
// its Context once Step returned). Each call works on its own copy of that
// copy, so Shape may be called again (after a restart, say); it reads the
// workflow variables through the Context's Vars when it runs, which the
// Map leaves unchanged until it completes. Calls must not overlap when the
// Context's Rand is not safe for concurrent use.
func (s *Map) shaper(e *env, in any) func(raw []any) ([]any, error) {
	entry := *e.ctx
	entry.Invalidate()
	entry.jsonataOpts = nil
	return func(raw []any) ([]any, error) {
		ctx := entry
		ctx.jsonataOpts = nil // bound to the Context they were built for
		se := &env{input: in, ctx: &ctx}
		items, fits, err := s.shape(se, in, raw, false)
		if err != nil {
			return nil, asError(err)
		}
		if !fits {
			f := dataLimit(ctx.StateName)
			return nil, &aslerr.Error{Name: f.Error, Cause: f.Cause}
		}
		return items, nil
	}
}

func (s *Map) runMap() RunMap {
	return RunMap{
		Processor:                  s.Processor,
		MaxConcurrency:             int(s.MaxConcurrency),
		ToleratedFailureCount:      int(s.ToleratedFailureCount),
		ToleratedFailurePercentage: s.ToleratedFailurePercentage,
		Distributed:                s.Distributed,
		Label:                      s.Label,
		ExecutionType:              s.ExecutionType,
	}
}

func (s *Map) prepare(e *env, raw any) (Outcome, error) {
	if s.unsupported != "" {
		return nil, e.runtimeErr("%s is not supported by Signalbox", s.unsupported)
	}
	if s.lang == langJSONata {
		return s.prepareJSONata(e, raw)
	}
	in, err := s.InputPath.apply(e, raw)
	if err != nil {
		return nil, err
	}
	e.note("afterInputPath", in)
	e.input = in
	run := s.runMap()
	if err := s.prepareIO(e, nil, &run); err != nil {
		return nil, err
	}
	var items []any
	if s.Reader == nil {
		itemsV := in
		if s.ItemsPath != nil {
			v, ok := s.ItemsPath.Get(e.scope())
			if !ok {
				return nil, e.runtimeErr("Invalid path '%s' : %s", s.ItemsPath, s.ItemsPath.NotFound(e.scope()))
			}
			itemsV = v
		}
		var ok bool
		items, ok = itemsV.([]any)
		if !ok {
			return nil, e.runtimeErr("Invalid path '%s' : The value at the path is not an array: %s", pathOrRoot(s.ItemsPath), EncodeJSON(itemsV))
		}
		if !e.ctx.fitsPayload(items) {
			return dataLimit(e.ctx.StateName), nil
		}
		e.note("afterItemsPath", items)
	}
	if s.MaxConcurrencyAt != nil {
		v, ok := s.MaxConcurrencyAt.Get(e.scope())
		n, isInt := intOrNumericString(v)
		if !ok || !isInt || n < 0 {
			return nil, e.runtimeErr("The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", plain(v), s.MaxConcurrencyAt)
		}
		run.MaxConcurrency = int(n)
	}
	if s.ToleratedCountPath != nil {
		v, ok := s.ToleratedCountPath.Get(e.scope())
		n, isInt := intOrNumericString(v)
		if !ok || !isInt {
			return nil, e.runtimeErr("The ToleratedFailureCountPath field refers to value \"%s\" which is not a valid integer: %s", plain(v), s.ToleratedCountPath)
		}
		if n < 0 {
			return nil, e.runtimeErr("ToleratedFailureCount cannot be negative.")
		}
		run.ToleratedFailureCount = int(n)
	}
	if s.ToleratedPercentagePath != nil {
		v, ok := s.ToleratedPercentagePath.Get(e.scope())
		f, isNum := floatOrNumericString(v)
		if !ok || !isNum {
			return nil, e.runtimeErr("The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid float: %s", plain(v), s.ToleratedPercentagePath)
		}
		if f < 0 || f > 100 {
			return nil, e.runtimeErr("ToleratedFailurePercentage must be between 0 and 100.")
		}
		run.ToleratedFailurePercentage = f
	}
	return s.finishPrepare(e, in, items, run)
}

func pathOrRoot(p *jpath.Path) string {
	if p == nil {
		return "$"
	}
	return p.String()
}

func (b *ItemBatcher) batch(e *env, in any, items []any) ([]any, error) {
	maxItems := b.MaxItemsPerBatch
	if b.MaxItemsPath != nil {
		v, ok := b.MaxItemsPath.Get(e.scope())
		n, isInt := AsInt(v)
		if !ok || !isInt || n < 1 {
			return nil, e.runtimeErr("The MaxItemsPerBatchPath field refers to value \"%s\" which is not a valid positive integer: %s", plain(v), b.MaxItemsPath)
		}
		maxItems = n
	}
	maxBytes := b.MaxInputBytesPerBatch
	if b.MaxInputBytesPath != nil {
		v, ok := b.MaxInputBytesPath.Get(e.scope())
		n, isInt := AsInt(v)
		if !ok || !isInt || n < 1 {
			return nil, e.runtimeErr("The MaxInputBytesPerBatchPath field refers to value \"%s\" which is not a valid positive integer: %s", plain(v), b.MaxInputBytesPath)
		}
		maxBytes = n
	}
	var bind map[string]any
	if b.maxItemsExpr != nil || b.maxBytesExpr != nil || b.batchInputExpr != nil {
		bind = e.bindings(in, nil)
	}
	for _, x := range []struct {
		t     *jtemplate
		field string
		dst   *int64
	}{{b.maxItemsExpr, "ItemBatcher/MaxItemsPerBatch", &maxItems}, {b.maxBytesExpr, "ItemBatcher/MaxInputBytesPerBatch", &maxBytes}} {
		if x.t == nil {
			continue
		}
		n, err := evalIntIn(e, x.t, x.field, bind, 1, 0)
		if err != nil {
			return nil, err
		}
		*x.dst = n
	}
	var batchInput any
	hasBatchInput := b.BatchInput != nil || b.batchInputExpr != nil
	switch {
	case b.BatchInput != nil:
		e.input = in
		v, err := b.BatchInput.Eval(e)
		if err != nil {
			return nil, err
		}
		batchInput = v
	case b.batchInputExpr != nil:
		v, err := b.batchInputExpr.eval(e, bind)
		if err != nil {
			return nil, err
		}
		batchInput = v
	}
	var batches []any
	var cur []any
	size := int64(0)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		batch := map[string]any{"Items": cur}
		if hasBatchInput {
			batch["BatchInput"] = batchInput
		}
		batches = append(batches, batch)
		cur, size = nil, 0
	}
	for _, it := range items {
		n := int64(len(EncodeJSON(it)))
		if len(cur) > 0 && ((maxItems > 0 && int64(len(cur)) >= maxItems) || (maxBytes > 0 && size+n > maxBytes)) {
			flush()
		}
		cur = append(cur, it)
		size += n
	}
	flush()
	if batches == nil {
		batches = []any{}
	}
	return batches, nil
}

// intOrNumericString reads an integer, also from a string holding one, as
// the Map's ...Path fields accept.
func intOrNumericString(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	}
	return AsInt(v)
}

// floatOrNumericString reads a number, also from a string holding one.
func floatOrNumericString(v any) (float64, bool) {
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return AsFloat(v)
}
