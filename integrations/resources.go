package integrations

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// TaskResource is the Resource of one Task state of a definition.
type TaskResource struct {
	Path     string // JSON pointer to the Resource field, e.g. /States/Charge/Resource
	State    string
	Resource string
}

// TaskResources lists the Task states of a definition (JSON), those in
// Parallel branches and Map processors included, in a stable order
// (paths sorted). A definition that is not a JSON object has none; the
// definition's validation reports it.
func TaskResources(definition []byte) []TaskResource {
	var m map[string]any
	if json.Unmarshal(definition, &m) != nil {
		return nil
	}
	var out []TaskResource
	walkStates(m, "", &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// walkStates collects the Task resources of the States of machine, a
// state machine or a branch at pointer path.
func walkStates(machine map[string]any, path string, out *[]TaskResource) {
	states, _ := machine["States"].(map[string]any)
	for name, v := range states {
		st, _ := v.(map[string]any)
		at := path + "/States/" + escapePointer(name)
		switch st["Type"] {
		case "Task":
			if r, ok := st["Resource"].(string); ok {
				*out = append(*out, TaskResource{Path: at + "/Resource", State: name, Resource: r})
			}
		case "Parallel":
			branches, _ := st["Branches"].([]any)
			for i, b := range branches {
				if b, ok := b.(map[string]any); ok {
					walkStates(b, at+"/Branches/"+strconv.Itoa(i), out)
				}
			}
		case "Map":
			// a Distributed Map's ItemReader and ResultWriter reach
			// integrations too (integrations.ItemReader, ResultWriter)
			for _, field := range []string{"ItemReader", "ResultWriter"} {
				if io, ok := st[field].(map[string]any); ok {
					if r, ok := io["Resource"].(string); ok {
						*out = append(*out, TaskResource{Path: at + "/" + field + "/Resource", State: name, Resource: r})
					}
				}
			}
			for _, field := range []string{"ItemProcessor", "Iterator"} {
				if p, ok := st[field].(map[string]any); ok {
					walkStates(p, at+"/"+field, out)
				}
			}
		}
	}
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapePointer(s string) string { return pointerEscaper.Replace(s) }

// IsActivityARN reports whether resource names an activity
// ("arn:<partition>:states:<region>:<account>:activity:<name>"), which the
// runtime serves itself.
func IsActivityARN(resource string) bool {
	p := strings.Split(resource, ":")
	return len(p) == 7 && p[0] == "arn" && p[2] == "states" && p[5] == "activity" && p[6] != ""
}

// Unhandled lists the Task states of a definition whose resource no
// handler of m serves (activities, which the runtime serves, aside): at
// run time they fail with ErrNoIntegration, unless a mock test case
// answers them.
func (m *Mux) Unhandled(definition []byte) []TaskResource {
	var out []TaskResource
	for _, r := range TaskResources(definition) {
		if _, ok := m.Lookup(r.Resource); !ok && !IsActivityARN(r.Resource) {
			out = append(out, r)
		}
	}
	return out
}

// UnhandledMessage describes an unhandled Task resource for a warning.
func (r TaskResource) UnhandledMessage() string {
	for _, io := range []struct{ field, fails string }{{"ItemReader", "States.ItemReaderFailed"}, {"ResultWriter", "States.ResultWriterFailed"}} {
		if strings.HasSuffix(r.Path, "/"+io.field+"/Resource") {
			return "the " + io.field + " of the Map state \"" + r.State + "\" names the resource \"" + r.Resource +
				"\", which no integration of Signalbox handles (serve --buckets-dir serves the S3 ones): the Map fails with " + io.fails + " (which Retry and Catch handle)"
		}
	}
	return "the Task state \"" + r.State + "\" calls the resource \"" + r.Resource +
		"\", which no integration of Signalbox handles: its calls fail with " + ErrNoIntegration + " (which Retry and Catch handle), unless a mock test case answers them"
}
