package mock

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sampleFile = "testdata/MockConfigFile.json"

func TestLoadFile(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	require.Equal(t, []string{"Inventory", "OrderFlow"}, cfg.StateMachines())
	require.Equal(t, []string{"ChargeOnly", "HappyPath", "RetryPath"}, cfg.TestCases("OrderFlow"))
	require.Empty(t, cfg.TestCases("Unknown"))
}

func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	_, err := LoadFile(filepath.Join("testdata", "missing.json"))
	require.ErrorContains(t, err, "mock: read mock configuration")
	require.ErrorContains(t, err, "missing.json")

	_, err = LoadFile(filepath.Join("testdata", "invalid.json"))
	var verr *ValidationError
	require.True(t, errors.As(err, &verr))
	require.Equal(t, filepath.Join("testdata", "invalid.json"), verr.File)
	require.EqualError(t, err, `mock: invalid mock configuration testdata/invalid.json: `+
		`/StateMachines/OrderFlow/TestCases/HappyPath/ChargeCard: the mocked response "ChargeSucceds" is not defined in MockedResponses`)
}

func TestLoad(t *testing.T) {
	t.Parallel()
	cfg, err := Load(strings.NewReader(`{"StateMachines": {"SM": {"TestCases": {"TC": {}}}}, "MockedResponses": {}}`))
	require.NoError(t, err)
	require.Equal(t, []string{"TC"}, cfg.TestCases("SM"))

	_, err = Load(strings.NewReader(`{`))
	require.ErrorContains(t, err, "not valid JSON")

	_, err = Load(failingReader{})
	require.ErrorContains(t, err, "mock: read mock configuration: broken pipe")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestTestCase(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, stateMachine, testCase string
		wantErr                      string // "" for success
	}{
		{"known", "OrderFlow", "HappyPath", ""},
		{"unknown state machine", "Orders", "HappyPath",
			`mock: state machine "Orders" is not found in the mock configuration (it defines "Inventory", "OrderFlow")`},
		{"unknown test case", "OrderFlow", "SadPath",
			`mock: test case "SadPath" of state machine "OrderFlow" is not found in the mock configuration (it defines "ChargeOnly", "HappyPath", "RetryPath")`},
		{"test case of another state machine", "Inventory", "HappyPath",
			`mock: test case "HappyPath" of state machine "Inventory" is not found in the mock configuration (it defines "EachItem")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := cfg.TestCase(tc.stateMachine, tc.testCase)
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, s)
				return
			}
			require.Nil(t, s)
			require.EqualError(t, err, tc.wantErr)
			require.ErrorIs(t, err, ErrNotFound)
		})
	}
}

func TestTestCaseEmptyConfig(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(`{"StateMachines": {}, "MockedResponses": {}}`))
	require.NoError(t, err)
	_, err = cfg.TestCase("SM", "TC")
	require.EqualError(t, err, `mock: state machine "SM" is not found in the mock configuration (it defines none)`)
}
