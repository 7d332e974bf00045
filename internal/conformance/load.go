package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/signalbox/signalbox/asl"
)

// caseFile is the on-disk layout of a case (see the README).
type caseFile struct {
	Name                        string          `json:"name"`
	Definition                  json.RawMessage `json:"definition"`
	Input                       json.RawMessage `json:"input"`
	Expected                    expectedFile    `json:"expected"`
	Needs                       []string        `json:"needs"`
	Placeholders                bool            `json:"placeholders"`
	PlaceholderTokens           []string        `json:"placeholder_tokens"`
	InputPlaceholders           bool            `json:"input_placeholders"`
	InputPlaceholderTokens      []string        `json:"input_placeholder_tokens"`
	DefinitionPlaceholders      bool            `json:"definition_placeholders"`
	DefinitionPlaceholderTokens []string        `json:"definition_placeholder_tokens"`
	ResourceBindings            []string        `json:"resource_bindings"`
	RecordedServiceEvents       json.RawMessage `json:"recorded_service_events"`
	Features                    featuresFile    `json:"features"`
	Express                     bool            `json:"express"`
	AlsoIn                      []string        `json:"also_in"`
	Source                      sourceFile      `json:"source"`
}

type expectedFile struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  json.RawMessage `json:"error"`
	Cause  json.RawMessage `json:"cause"`
}

type featuresFile struct {
	QueryLanguage      string   `json:"query_language"`
	StateTypes         []string `json:"state_types"`
	IntrinsicFunctions []string `json:"intrinsic_functions"`
	Assign             bool     `json:"assign"`
	JSONataExpressions bool     `json:"jsonata_expressions"`
	DistributedMap     bool     `json:"distributed_map"`
	ContextObject      bool     `json:"context_object"`
	Retry              bool     `json:"retry"`
	Catch              bool     `json:"catch"`
}

type sourceFile struct {
	Repo         string `json:"repo"`
	Commit       string `json:"commit"`
	Test         string `json:"test"`
	Template     string `json:"template"`
	Snapshot     string `json:"snapshot"`
	Recorded     string `json:"recorded"`
	Validated    string `json:"validated"`
	IDResolution string `json:"id_resolution"`
}

// Load reads every *.json case in dir and returns them sorted by name.
// A file that cannot be read or decoded, or that lacks a name, a
// definition object, an input or a known expected status, is an error
// naming the file; so is a name used twice. Load returns no cases when
// any file is malformed.
func Load(dir string) ([]*Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("conformance: no *.json cases in %s", dir)
	}
	var (
		cases []*Case
		errs  []error
		files = make(map[string]string, len(paths))
	)
	for _, path := range paths {
		c, err := LoadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := files[c.Name]; dup {
			errs = append(errs, fmt.Errorf("conformance: %s: name %q already used by %s", path, c.Name, other))
			continue
		}
		files[c.Name] = path
		cases = append(cases, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	return cases, nil
}

// LoadFile reads one case file.
func LoadFile(path string) (*Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	c, err := decodeCase(data)
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", path, err)
	}
	c.File = path
	return c, nil
}

// decodeCase decodes and validates the text of one case file.
func decodeCase(data []byte) (*Case, error) {
	var f caseFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if f.Name == "" {
		return nil, errors.New("missing name")
	}
	def, err := decodeDefinition(f.Definition)
	if err != nil {
		return nil, err
	}
	if isAbsent(f.Input) {
		return nil, errors.New("missing input")
	}
	input, err := asl.DecodeJSON(f.Input)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	expected, err := decodeExpected(f.Expected)
	if err != nil {
		return nil, err
	}
	var events []any
	if !isAbsent(f.RecordedServiceEvents) {
		v, err := asl.DecodeJSON(f.RecordedServiceEvents)
		if err != nil {
			return nil, fmt.Errorf("recorded_service_events: %w", err)
		}
		var ok bool
		if events, ok = v.([]any); !ok && v != nil {
			return nil, errors.New("recorded_service_events: not an array")
		}
	}
	c := &Case{
		Name:                        f.Name,
		Definition:                  def.text,
		Input:                       input,
		Expected:                    expected,
		Needs:                       f.Needs,
		Placeholders:                f.Placeholders,
		InputPlaceholders:           f.InputPlaceholders,
		DefinitionPlaceholders:      f.DefinitionPlaceholders,
		PlaceholderTokens:           f.PlaceholderTokens,
		InputPlaceholderTokens:      f.InputPlaceholderTokens,
		DefinitionPlaceholderTokens: f.DefinitionPlaceholderTokens,
		Features: Features{
			QueryLanguage:      f.Features.QueryLanguage,
			StateTypes:         f.Features.StateTypes,
			IntrinsicFunctions: f.Features.IntrinsicFunctions,
			Assign:             f.Features.Assign,
			JSONataExpressions: f.Features.JSONataExpressions,
			DistributedMap:     f.Features.DistributedMap,
			ContextObject:      f.Features.ContextObject,
			Retry:              f.Features.Retry,
			Catch:              f.Features.Catch,
		},
		ItemReader:            def.itemReader,
		ResultWriter:          def.resultWriter,
		Express:               f.Express,
		ResourceBindings:      f.ResourceBindings,
		RecordedServiceEvents: events,
		Source:                Source(f.Source),
		AlsoIn:                f.AlsoIn,
	}
	return c, nil
}

// definition is a decoded definition and what Load notes about it.
type definition struct {
	text                     []byte
	itemReader, resultWriter bool
}

func decodeDefinition(raw json.RawMessage) (definition, error) {
	if isAbsent(raw) {
		return definition{}, errors.New("missing definition")
	}
	v, err := asl.DecodeJSON(raw)
	if err != nil {
		return definition{}, fmt.Errorf("definition: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return definition{}, fmt.Errorf("definition: expected an object, got %s", typeName(v))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return definition{}, fmt.Errorf("definition: %w", err)
	}
	d := definition{text: buf.Bytes()}
	walkMaps(v, func(m map[string]any) {
		if m["Type"] != "Map" {
			return
		}
		if _, ok := m["ItemReader"]; ok {
			d.itemReader = true
		}
		if _, ok := m["ResultWriter"]; ok {
			d.resultWriter = true
		}
	})
	return d, nil
}

func decodeExpected(f expectedFile) (Result, error) {
	switch f.Status {
	case StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted:
	case "":
		return Result{}, errors.New("expected: missing status")
	default:
		return Result{}, fmt.Errorf("expected: unknown status %q", f.Status)
	}
	r := Result{Status: f.Status}
	if !isAbsent(f.Output) {
		out, err := asl.DecodeJSON(f.Output)
		if err != nil {
			return Result{}, fmt.Errorf("expected.output: %w", err)
		}
		r.Output, r.HasOutput = out, true
	}
	var err error
	if r.Error, err = textOf(f.Error); err != nil {
		return Result{}, fmt.Errorf("expected.error: %w", err)
	}
	if r.Cause, err = textOf(f.Cause); err != nil {
		return Result{}, fmt.Errorf("expected.cause: %w", err)
	}
	return r, nil
}

// textOf returns a string's value, "" for an absent or null value, and the
// compact JSON text of any other value (a cause AWS gave as JSON text that
// the recording decoded).
func textOf(raw json.RawMessage) (string, error) {
	if isAbsent(raw) || string(bytes.TrimSpace(raw)) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// isAbsent reports whether a field was missing from its object.
func isAbsent(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0
}

// walkMaps calls fn for every object in v, depth first.
func walkMaps(v any, fn func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(v)
		for _, x := range v {
			walkMaps(x, fn)
		}
	case []any:
		for _, x := range v {
			walkMaps(x, fn)
		}
	}
}
