package conformance

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSkip(t *testing.T) {
	t.Parallel()
	all := Supported{Services: map[string]bool{"lambda": true, "s3": true}, JSONata: true, Variables: true, DistributedMap: true}
	none := Supported{}
	tests := []struct {
		name string
		c    Case
		s    Supported
		want string
	}{
		{"pure case", Case{Features: Features{QueryLanguage: "JSONPath"}}, none, ""},
		{"no query language recorded", Case{}, none, ""},
		{"service provided", Case{Needs: []string{"lambda"}}, all, ""},
		{"service missing", Case{Needs: []string{"sqs"}}, all, "needs sqs"},
		{"services missing, sorted, once", Case{Needs: []string{"sqs", "lambda", "events", "sqs"}}, Supported{Services: map[string]bool{"lambda": true}}, "needs events, sqs"},
		{"JSONata", Case{Features: Features{QueryLanguage: "JSONata"}}, none, ReasonJSONata},
		{"JSONata expressions", Case{Features: Features{QueryLanguage: "JSONPath", JSONataExpressions: true}}, none, ReasonJSONata},
		{"mixed", Case{Features: Features{QueryLanguage: "mixed", JSONataExpressions: true}}, none, ReasonMixedQueryLanguages},
		{"JSONata supported", Case{Features: Features{QueryLanguage: "mixed", JSONataExpressions: true}}, Supported{JSONata: true}, ""},
		{"Assign", Case{Features: Features{Assign: true}}, Supported{JSONata: true}, ReasonVariables},
		{"Assign supported", Case{Features: Features{Assign: true}}, Supported{Variables: true}, ""},
		{"ItemReader", Case{ItemReader: true, Features: Features{DistributedMap: true}}, none, ReasonDistributedMap},
		{"ResultWriter", Case{ResultWriter: true}, none, ReasonDistributedMap},
		{"distributed map without I/O", Case{Features: Features{DistributedMap: true}}, none, ""},
		{"distributed map supported", Case{ItemReader: true}, Supported{DistributedMap: true}, ""},
		{"express on a Standard-only engine", Case{Express: true, InputPlaceholders: true}, Supported{StandardOnly: true}, ReasonExpress},
		{"express elsewhere", Case{Express: true}, none, ""},
		{"masked input", Case{InputPlaceholders: true}, all, ReasonMaskedInput},
		{"masked definition", Case{DefinitionPlaceholders: true}, all, ReasonMaskedDefinition},
		{"services come first", Case{Needs: []string{"sqs"}, InputPlaceholders: true, Features: Features{QueryLanguage: "JSONata", Assign: true}}, none, "needs sqs"},
		{"query language before variables", Case{Features: Features{QueryLanguage: "JSONata", Assign: true}}, none, ReasonJSONata},
		{"masked expectation runs", Case{Placeholders: true}, none, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.c.Skip(tt.s))
		})
	}
}

func TestSkipRecordedCases(t *testing.T) {
	t.Parallel()
	cases := loadReal(t)
	reasons := make(map[string]int)
	for _, c := range cases {
		reasons[c.Skip(Supported{})]++
	}
	// Counted independently from the case files.
	require.Equal(t, map[string]int{
		"":                        511,
		ReasonJSONata:             79,
		ReasonMixedQueryLanguages: 9,
		ReasonVariables:           19,
		ReasonMaskedInput:         1,
		"needs lambda":            65,
		"needs s3":                26,
		"needs states":            14,
		"needs apigateway":        11,
		"needs sqs":               9,
		"needs events":            4,
		"needs activity":          3,
		"needs dynamodb":          3,
		"needs sns":               3,
		"needs secretsmanager":    2,
		"needs stop_execution":    1,
	}, reasons)
}
