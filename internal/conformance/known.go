package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// LoadKnownDifferences reads a known-differences file: a JSON object
// mapping a case name to the reason Signalbox differs from the recording
// (typically: AWS changed behaviour since, and its current documentation
// wins). An empty path means no known differences. Every reason must be a
// non-empty string.
func LoadKnownDifferences(path string) (map[string]string, error) {
	if path == "" {
		return map[string]string{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("conformance: known differences: %w", err)
	}
	var known map[string]string
	if err := json.Unmarshal(data, &known); err != nil {
		return nil, fmt.Errorf("conformance: known differences %s: %w", path, err)
	}
	for name, reason := range known {
		if strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("conformance: known differences %s: %q has no reason", path, name)
		}
	}
	if known == nil {
		known = map[string]string{}
	}
	return known, nil
}
