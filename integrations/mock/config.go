package mock

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// ErrNotFound is returned, wrapped, by Config.TestCase for a state machine
// or test case the configuration does not define.
var ErrNotFound = errors.New("not found")

// Config is a parsed and validated mock configuration. It is immutable and
// safe for concurrent use; each execution gets its own Session.
type Config struct {
	responses     map[string]*mockedResponse     // by mocked response name
	stateMachines map[string]map[string]testCase // state machine → test case name → test case
}

// testCase maps the mocked Task states of a test case to their responses.
type testCase map[string]*mockedResponse

// Load reads a mock configuration from r; see Parse.
func Load(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("mock: read mock configuration: %w", err)
	}
	return Parse(data)
}

// LoadFile reads the mock configuration file at path; see Parse. A
// *ValidationError it returns names the file.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mock: read mock configuration: %w", err)
	}
	cfg, err := Parse(data)
	if verr, ok := errors.AsType[*ValidationError](err); ok {
		verr.File = path
	}
	return cfg, err
}

// StateMachines returns the names of the state machines c has test cases
// for, sorted.
func (c *Config) StateMachines() []string {
	return slices.Sorted(maps.Keys(c.stateMachines))
}

// TestCases returns the names of the test cases of stateMachine, sorted.
func (c *Config) TestCases(stateMachine string) []string {
	return slices.Sorted(maps.Keys(c.stateMachines[stateMachine]))
}

// TestCase starts a Session serving one execution of stateMachine under
// testCase. It fails, wrapping ErrNotFound, when either is not defined.
func (c *Config) TestCase(stateMachine, testCase string, opts ...SessionOption) (*Session, error) {
	cases, ok := c.stateMachines[stateMachine]
	if !ok {
		return nil, fmt.Errorf("mock: state machine %q is %w in the mock configuration (it defines %s)",
			stateMachine, ErrNotFound, list(c.StateMachines()))
	}
	tc, ok := cases[testCase]
	if !ok {
		return nil, fmt.Errorf("mock: test case %q of state machine %q is %w in the mock configuration (it defines %s)",
			testCase, stateMachine, ErrNotFound, list(c.TestCases(stateMachine)))
	}
	return newSession(stateMachine, testCase, tc, opts), nil
}

// list renders names for a message.
func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return `"` + strings.Join(names, `", "`) + `"`
}
