package conformance

import (
	"slices"
	"sort"
	"strings"
)

// Supported says what the engine under test provides.
type Supported struct {
	// Services are the services Task states can call, named as in a
	// case's needs: "lambda", "sqs", "sns", "events", "states",
	// "activity", "s3", ...
	Services map[string]bool
	// JSONata: the JSONata query language (and mixing it with JSONPath).
	JSONata bool
	// Variables: Assign and workflow variables.
	Variables bool
	// DistributedMap: a Map state's ItemReader and ResultWriter.
	DistributedMap bool
	// StandardOnly: the engine runs Standard executions only (the
	// durable one), so a case recorded as an Express execution is
	// skipped.
	StandardOnly bool
}

// Skip reasons; a reason about services names them after ReasonNeeds.
const (
	ReasonNeeds               = "needs "
	ReasonJSONata             = "uses JSONata"
	ReasonMixedQueryLanguages = "mixes JSONPath and JSONata"
	ReasonVariables           = "uses variables (Assign)"
	ReasonDistributedMap      = "uses Distributed Map ItemReader/ResultWriter"
	ReasonMaskedInput         = "input is masked (input_placeholders)"
	ReasonMaskedDefinition    = "definition is masked (definition_placeholders)"
	ReasonExpress             = "an Express execution (the engine runs Standard ones only)"
)

// Query languages as features.query_language records them.
const (
	queryLanguageJSONPath = "JSONPath"
	queryLanguageMixed    = "mixed"
)

// Skip says why the case cannot run on an engine that supports s, or ""
// when it can. When several reasons apply the first in this order is
// given: services not provided (all of them, sorted: "needs lambda, s3"),
// JSONata or mixed query languages, variables, Distributed Map I/O, an
// Express case on a Standard-only engine, a masked input, a masked
// definition.
func (c *Case) Skip(s Supported) string {
	var missing []string
	for _, n := range c.Needs {
		if !s.Services[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		missing = slices.Compact(missing)
		return ReasonNeeds + strings.Join(missing, ", ")
	}
	if !s.JSONata {
		switch ql := c.Features.QueryLanguage; {
		case ql == queryLanguageMixed:
			return ReasonMixedQueryLanguages
		case ql != "" && ql != queryLanguageJSONPath, c.Features.JSONataExpressions:
			return ReasonJSONata
		}
	}
	if !s.Variables && c.Features.Assign {
		return ReasonVariables
	}
	if !s.DistributedMap && (c.ItemReader || c.ResultWriter) {
		return ReasonDistributedMap
	}
	if s.StandardOnly && c.Express {
		return ReasonExpress
	}
	if c.InputPlaceholders {
		return ReasonMaskedInput
	}
	if c.DefinitionPlaceholders {
		return ReasonMaskedDefinition
	}
	return ""
}
