package asl

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The definitions in testdata/public are state machines published in
// public repositories (AWS's sample collections and LocalStack's test
// templates, recorded against AWS); testdata/public/README.md names where
// each comes from. AWS accepts each of them, so each must validate and
// compile with no diagnostic. runtime/public_fixtures_test.go runs a few.

// publicFixtures lists testdata/public/*.json.
func publicFixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "public", "*.json"))
	require.NoError(t, err)
	sort.Strings(files)
	return files
}

func TestPublicSamplesValidate(t *testing.T) {
	t.Parallel()
	files := publicFixtures(t)
	require.GreaterOrEqual(t, len(files), 120)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.Empty(t, Validate(b))
			m, d := Compile(b)
			require.Empty(t, d)
			require.NotNil(t, m)
			s, ok := m.State(m.StartAt)
			require.True(t, ok)
			require.NotNil(t, s)
		})
	}
}

// publicCoverage is what the corpus exercises, counted over the raw JSON
// of every definition.
type publicCoverage struct {
	types      map[string]int // state Type
	jsonata    int            // definitions with a JSONata state
	jsonpath   int            // definitions with a JSONPath state
	resources  map[string]int // service (or "activity", "lambda-arn", "placeholder")
	patterns   map[string]int // ".sync", ".sync:2", ".waitForTaskToken"
	intrinsics map[string]int
	fields     map[string]int // Retry, Catch, Assign, Iterator, ItemProcessor, ItemReader, ...
	modes      map[string]int // Map ProcessorConfig Mode
}

var intrinsicCall = regexp.MustCompile(`States\.[A-Za-z0-9]+\(`)

func (c *publicCoverage) resource(r string) {
	switch {
	case strings.HasPrefix(r, "${"):
		c.resources["placeholder"]++
		return
	case strings.Contains(r, ":activity:"):
		c.resources["activity"]++
		return
	case strings.Contains(r, ":lambda:") && strings.Contains(r, ":function:"):
		c.resources["lambda-arn"]++
		return
	}
	_, rest, ok := strings.Cut(r, ":states:::")
	if !ok {
		c.resources["other"]++
		return
	}
	for _, p := range []string{".sync:2", ".sync", ".waitForTaskToken"} {
		if strings.HasSuffix(rest, p) {
			c.patterns[p]++
			rest = strings.TrimSuffix(rest, p)
			break
		}
	}
	if sdk, ok := strings.CutPrefix(rest, "aws-sdk:"); ok {
		svc, _, _ := strings.Cut(sdk, ":")
		c.resources["aws-sdk:"+svc]++
		return
	}
	svc, _, _ := strings.Cut(rest, ":")
	c.resources[svc]++
}

// walk counts a decoded state machine (or branch, or processor) with the
// query language it inherits.
func (c *publicCoverage) walk(sm map[string]any, lang string, seen map[string]bool) {
	if l, ok := sm["QueryLanguage"].(string); ok {
		lang = l
	}
	states, _ := sm["States"].(map[string]any)
	for _, v := range states {
		s, ok := v.(map[string]any)
		if !ok {
			continue
		}
		typ, _ := s["Type"].(string)
		c.types[typ]++
		l := lang
		if sl, ok := s["QueryLanguage"].(string); ok {
			l = sl
		}
		seen[l] = true
		if r, ok := s["Resource"].(string); ok && typ == "Task" {
			c.resource(r)
		}
		for _, f := range []string{"Retry", "Catch", "Assign", "Iterator", "ItemProcessor", "ItemReader", "ResultWriter", "ItemBatcher", "ItemSelector", "Parameters", "ResultSelector", "Arguments", "Output", "Credentials", "HeartbeatSeconds", "TimeoutSeconds"} {
			if _, ok := s[f]; ok {
				c.fields[f]++
			}
		}
		for _, b := range asSlice(s["Branches"]) {
			if bm, ok := b.(map[string]any); ok {
				c.walk(bm, l, seen)
			}
		}
		for _, k := range []string{"Iterator", "ItemProcessor"} {
			if p, ok := s[k].(map[string]any); ok {
				mode := "INLINE"
				if pc, ok := p["ProcessorConfig"].(map[string]any); ok {
					if m, ok := pc["Mode"].(string); ok {
						mode = m
					}
				}
				c.modes[mode]++
				c.walk(p, l, seen)
			}
		}
	}
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// TestPublicSamplesCoverage holds the corpus to what it is for: both query
// languages, every state type, intrinsic functions, Retry and Catch, both
// Map modes, Parallel, the task patterns and the service integrations most
// used. It fails when a change to the corpus loses one of them.
func TestPublicSamplesCoverage(t *testing.T) {
	t.Parallel()
	c := &publicCoverage{types: map[string]int{}, resources: map[string]int{}, patterns: map[string]int{}, intrinsics: map[string]int{}, fields: map[string]int{}, modes: map[string]int{}}
	for _, f := range publicFixtures(t) {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		v, err := DecodeJSON(b)
		require.NoError(t, err, f)
		seen := map[string]bool{}
		c.walk(v.(map[string]any), "JSONPath", seen)
		if seen["JSONata"] {
			c.jsonata++
		}
		if seen["JSONPath"] {
			c.jsonpath++
		}
		for _, m := range intrinsicCall.FindAllString(string(b), -1) {
			c.intrinsics[strings.TrimSuffix(m, "(")]++
		}
	}
	t.Logf("state types %v", c.types)
	t.Logf("definitions with JSONata states %d, with JSONPath states %d", c.jsonata, c.jsonpath)
	t.Logf("resources %v", c.resources)
	t.Logf("patterns %v", c.patterns)
	t.Logf("intrinsics %v", c.intrinsics)
	t.Logf("fields %v", c.fields)
	t.Logf("map modes %v", c.modes)
	for _, typ := range []string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"} {
		require.Positive(t, c.types[typ], "no %s state", typ)
	}
	require.GreaterOrEqual(t, c.jsonata, 30, "definitions with JSONata states")
	require.GreaterOrEqual(t, c.jsonpath, 60, "definitions with JSONPath states")
	for _, svc := range []string{"lambda", "dynamodb", "sqs", "sns", "events", "states", "glue", "batch", "elasticmapreduce", "athena", "bedrock", "apigateway", "http"} {
		require.Positive(t, c.resources[svc], "no %s task", svc)
	}
	aws := 0
	for r, n := range c.resources {
		if strings.HasPrefix(r, "aws-sdk:") {
			aws += n
		}
	}
	require.GreaterOrEqual(t, aws, 20, "aws-sdk tasks")
	for _, p := range []string{".sync", ".waitForTaskToken"} {
		require.Positive(t, c.patterns[p], "no %s task", p)
	}
	require.GreaterOrEqual(t, len(c.intrinsics), 10, "distinct intrinsic functions")
	for _, f := range []string{"Retry", "Catch", "Assign", "Iterator", "ItemProcessor", "ItemReader", "ResultWriter", "ItemSelector", "ResultSelector", "Arguments", "Output", "Credentials"} {
		require.Positive(t, c.fields[f], "no state with %s", f)
	}
	require.Positive(t, c.modes["INLINE"])
	require.Positive(t, c.modes["DISTRIBUTED"])
}

// publicInvalid are published definitions that AWS refuses too, each with
// the diagnostic (JSON pointer and code) that says why; README.md tells
// where each comes from. They live in testdata/public/invalid, out of
// TestPublicSamplesValidate's glob.
var publicInvalid = map[string]string{
	// AWS's own page puts JSONata's Arguments in a machine with no
	// QueryLanguage, so JSONPath: "JSONata states do not have
	// Parameters" and JSONPath states do not have Arguments
	// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
	"docs-connect-ecs.json": "/States/Run an ECS Task and wait for it to complete/Arguments SCHEMA_VALIDATION_FAILED",
}

func TestPublicSamplesInvalid(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "public", "invalid", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(publicInvalid), "every file in invalid/ has its expected diagnostic")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			want, ok := publicInvalid[filepath.Base(f)]
			require.True(t, ok, "no expected diagnostic")
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.Contains(t, found(Validate(b)), want)
			m, _ := Compile(b)
			require.Nil(t, m)
		})
	}
}
