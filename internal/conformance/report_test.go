package conformance

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewReport(t *testing.T) {
	t.Parallel()
	r := NewReport([]Outcome{
		{Name: "b__2", Group: "b", Verdict: Failed, Reason: "/status: expected \"SUCCEEDED\", got \"FAILED\""},
		{Name: "a__1", Group: "a", Verdict: Passed},
		{Name: "a__2", Group: "a", Verdict: Passed, StaleKnown: true},
		{Name: "a__3", Group: "a", Verdict: Skipped, Reason: "needs sqs"},
		{Name: "b__1", Group: "b", Verdict: Failed, Reason: "/output/a: expected 1, got 2"},
		{Name: "b__3", Group: "b", Verdict: Known, Reason: "AWS changed", Detail: "/error: expected \"A\", got \"B\"\nmore"},
		{Name: "c__1", Group: "c", Verdict: Skipped, Reason: "uses JSONata"},
		{Name: "c__2", Group: "c", Verdict: Skipped, Reason: "needs sqs"},
	})
	require.Equal(t, Counts{Total: 8, Passed: 2, Failed: 2, Known: 1, Skipped: 3, PassRate: 0.4, PassRateAll: 0.25}, r.Counts)
	require.Equal(t, []GroupCounts{
		{Group: "a", Counts: Counts{Total: 3, Passed: 2, Skipped: 1, PassRate: 1, PassRateAll: 2.0 / 3}},
		{Group: "b", Counts: Counts{Total: 3, Failed: 2, Known: 1}},
		{Group: "c", Counts: Counts{Total: 2, Skipped: 2}},
	}, r.Groups)
	require.Equal(t, []ReasonCount{{"needs sqs", 2}, {"uses JSONata", 1}}, r.SkipReasons)
	require.Equal(t, []CaseNote{
		{Name: "b__1", Reason: "/output/a: expected 1, got 2"},
		{Name: "b__2", Reason: "/status: expected \"SUCCEEDED\", got \"FAILED\""},
	}, r.Failures)
	require.Equal(t, []CaseNote{{Name: "b__3", Reason: "AWS changed", Detail: "/error: expected \"A\", got \"B\""}}, r.KnownDifferences)
	require.Equal(t, []string{"a__2"}, r.StaleKnown)

	r.UnknownKnown = []string{"gone__1"}
	require.Equal(t, `conformance: 8 cases: 2 passed, 2 failed, 1 known differences, 3 skipped
pass rate: 40.0% of 5 run, 25.0% of all 8
groups (passed/run, failed, known, skipped):
  a    2/2     100.0%  failed 0   known 0   skipped 1
  b    0/3       0.0%  failed 2   known 1   skipped 0
  c    0/0          -  failed 0   known 0   skipped 2
skipped (3):
     2  needs sqs
     1  uses JSONata
known differences (1):
  b__3: AWS changed
failures (2):
  b__1: /output/a: expected 1, got 2
  b__2: /status: expected "SUCCEEDED", got "FAILED"
listed as known differences but passing (1):
  a__2
known differences naming no case (1):
  gone__1
`, r.String())
}

func TestNewReportEmpty(t *testing.T) {
	t.Parallel()
	r := NewReport(nil)
	require.Equal(t, Counts{}, r.Counts)
	require.Equal(t, "conformance: 0 cases: 0 passed, 0 failed, 0 known differences, 0 skipped\npass rate: 0.0% of 0 run, 0.0% of all 0\n", r.String())
}
