package sfn

import (
	"context"
	"errors"
	"strconv"

	"github.com/signalbox/signalbox/runtime"
)

// Map Runs: DescribeMapRun, ListMapRuns and UpdateMapRun over the
// runtime's map runs (runtime/durable_maprun.go). A map run's children are
// threads of its execution, not executions: ListExecutions with a
// mapRunArn answers "not supported" (executions.go).

type mapRunCounts struct {
	Pending               int64 `json:"pending"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	Failed                int64 `json:"failed"`
	TimedOut              int64 `json:"timedOut"`
	Aborted               int64 `json:"aborted"`
	Total                 int64 `json:"total"`
	ResultsWritten        int64 `json:"resultsWritten"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

func counts(c runtime.MapRunCounts) mapRunCounts {
	return mapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed,
		TimedOut: c.TimedOut, Aborted: c.Aborted, Total: c.Total, ResultsWritten: c.ResultsWritten}
}

type describeMapRunInput struct {
	MapRunARN string `json:"mapRunArn"`
}

type describeMapRunOutput struct {
	MapRunARN                  string       `json:"mapRunArn"`
	ExecutionARN               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  epoch        `json:"startDate"`
	StopDate                   *epoch       `json:"stopDate,omitempty"`
	MaxConcurrency             int          `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 mapRunCounts `json:"itemCounts"`
	ExecutionCounts            mapRunCounts `json:"executionCounts"`
	RedriveCount               int          `json:"redriveCount"`
}

// checkMapRunARN checks a map run ARN's form and region.
func (s *API) checkMapRunARN(arn, member string) error {
	if arn == "" {
		return required(member)
	}
	if len(arn) > 2000 {
		return tooLong(member, len(arn), 2000)
	}
	_, foreign, err := s.parseARN(arn, "mapRun", member)
	if err != nil {
		return err
	}
	if foreign {
		return errorf(excResourceNotFound, "Resource not found: '%s'", arn)
	}
	return nil
}

func mapRunNotFound(err error, arn string) error {
	if errors.Is(err, runtime.ErrNotFound) || errors.Is(err, runtime.ErrInvalidArgument) {
		return errorf(excResourceNotFound, "Resource not found: '%s'", arn)
	}
	return err
}

func describeMapRun(s *API, ctx context.Context, in *describeMapRunInput) (*describeMapRunOutput, error) {
	if err := s.checkMapRunARN(in.MapRunARN, "mapRunArn"); err != nil {
		return nil, err
	}
	info, err := s.rt().DescribeMapRun(ctx, in.MapRunARN)
	if err != nil {
		return nil, mapRunNotFound(err, in.MapRunARN)
	}
	out := &describeMapRunOutput{MapRunARN: info.ARN, ExecutionARN: info.ExecutionARN, Status: string(info.Status),
		StartDate: at(info.StartDate), MaxConcurrency: info.MaxConcurrency,
		ItemCounts: counts(info.Items), ExecutionCounts: counts(info.Executions)}
	if info.ToleratedFailureCount > 0 {
		out.ToleratedFailureCount = int64(info.ToleratedFailureCount)
	}
	if info.ToleratedFailurePercentage > 0 {
		out.ToleratedFailurePercentage = info.ToleratedFailurePercentage
	}
	if !info.StopDate.IsZero() {
		stop := at(info.StopDate)
		out.StopDate = &stop
	}
	return out, nil
}

type listMapRunsInput struct {
	ExecutionARN string `json:"executionArn"`
	MaxResults   int    `json:"maxResults"`
	NextToken    string `json:"nextToken"`
}

type mapRunListItem struct {
	ExecutionARN    string `json:"executionArn"`
	MapRunARN       string `json:"mapRunArn"`
	StateMachineARN string `json:"stateMachineArn"`
	StartDate       epoch  `json:"startDate"`
	StopDate        *epoch `json:"stopDate,omitempty"`
}

type listMapRunsOutput struct {
	MapRuns   []mapRunListItem `json:"mapRuns"`
	NextToken string           `json:"nextToken,omitempty"`
}

func listMapRuns(s *API, ctx context.Context, in *listMapRunsInput) (*listMapRunsOutput, error) {
	ref, err := s.parseExecutionARN(in.ExecutionARN, "executionArn")
	if err != nil {
		return nil, err
	}
	kind := "maprun/" + ref.ARN
	limit, cursor, err := page(in.MaxResults, kind, in.NextToken)
	if err != nil {
		return nil, err
	}
	from := 0
	if cursor != "" {
		if from, err = strconv.Atoi(cursor); err != nil || from < 0 {
			return nil, errorf(excInvalidToken, invalidToken)
		}
	}
	runs, err := s.rt().ListMapRuns(ctx, s.executionID(ref))
	if err != nil {
		return nil, notFound(err, excExecutionDoesNotExist, "Execution Does Not Exist: '%s'", ref.ARN)
	}
	out := &listMapRunsOutput{MapRuns: []mapRunListItem{}}
	for i := from; i < len(runs) && i < from+limit; i++ {
		r := runs[i]
		item := mapRunListItem{ExecutionARN: r.ExecutionARN, MapRunARN: r.ARN, StateMachineARN: r.StateMachineARN, StartDate: at(r.StartDate)}
		if !r.StopDate.IsZero() {
			stop := at(r.StopDate)
			item.StopDate = &stop
		}
		out.MapRuns = append(out.MapRuns, item)
	}
	if from+limit < len(runs) {
		out.NextToken = encodeToken(kind, strconv.Itoa(from+limit))
	}
	return out, nil
}

type updateMapRunInput struct {
	MapRunARN                  string   `json:"mapRunArn"`
	MaxConcurrency             *int     `json:"maxConcurrency"`
	ToleratedFailureCount      *int     `json:"toleratedFailureCount"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage"`
}

type updateMapRunOutput struct{}

func updateMapRun(s *API, ctx context.Context, in *updateMapRunInput) (*updateMapRunOutput, error) {
	if err := s.checkMapRunARN(in.MapRunARN, "mapRunArn"); err != nil {
		return nil, err
	}
	if in.MaxConcurrency == nil && in.ToleratedFailureCount == nil && in.ToleratedFailurePercentage == nil {
		return nil, errorf(excValidation, "At least one of the parameters maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified")
	}
	if c := in.MaxConcurrency; c != nil && *c < 0 {
		return nil, errorf(excValidation, "1 validation error detected: Value '%d' at 'maxConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 0", *c)
	}
	if c := in.ToleratedFailureCount; c != nil && *c < 0 {
		return nil, errorf(excValidation, "1 validation error detected: Value '%d' at 'toleratedFailureCount' failed to satisfy constraint: Member must have value greater than or equal to 0", *c)
	}
	if p := in.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		return nil, errorf(excValidation, "1 validation error detected: Value '%v' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value between 0 and 100", *p)
	}
	err := s.rt().UpdateMapRun(ctx, in.MapRunARN, runtime.MapRunUpdate{MaxConcurrency: in.MaxConcurrency,
		ToleratedFailureCount: in.ToleratedFailureCount, ToleratedFailurePercentage: in.ToleratedFailurePercentage})
	if errors.Is(err, runtime.ErrExecutionClosed) {
		return nil, errorf(excValidation, "Map Run '%s' is not running: it has ended", in.MapRunARN)
	}
	if err != nil {
		return nil, mapRunNotFound(err, in.MapRunARN)
	}
	return &updateMapRunOutput{}, nil
}
