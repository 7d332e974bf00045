package sfn

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/runtime"
)

func TestToAWSError(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err          error
		status       int
		typ, message string
	}{
		{fmt.Errorf("%w: arn:x", runtime.ErrStateMachineDoesNotExist), 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: 'arn:x'"},
		{fmt.Errorf("%w: name (RUNNING)", runtime.ErrExecutionAlreadyExists), 400, "ExecutionAlreadyExists", "name (RUNNING)"},
		{fmt.Errorf("%w: %q", runtime.ErrInvalidToken, "abc"), 400, "InvalidToken", "Invalid Token: 'Invalid token'"},
		{fmt.Errorf("starting: %w", fmt.Errorf("%w: name", runtime.ErrInvalidName)), 400, "InvalidName", "name"},
		{runtime.ErrTaskDoesNotExist, 400, "TaskDoesNotExist", "Task Does Not Exist"},
		{fmt.Errorf("%w: alias a", runtime.ErrConflict), 409, "ConflictException", "alias a"},
		{fmt.Errorf("%w: 100 aliases", runtime.ErrServiceQuotaExceeded), 402, "ServiceQuotaExceededException", "100 aliases"},
		{fmt.Errorf("%w: bad id", runtime.ErrInvalidArgument), 400, "ValidationException", "bad id"},
		{fmt.Errorf("%w: reading x", runtime.ErrUnavailable), 503, "ServiceUnavailable", "the store is unavailable: reading x"},
		{errors.New("redis: connection refused"), 500, "InternalFailure", "redis: connection refused"},
		{errorf("InvalidArn", "Invalid Arn: 'x'"), 400, "InvalidArn", "Invalid Arn: 'x'"},
	} {
		got := toAWSError(c.err)
		require.Equal(t, c.status, got.Status, "%v", c.err)
		require.Equal(t, c.typ, got.Code, "%v", c.err)
		require.Equal(t, c.message, got.Message, "%v", c.err)
	}
	_, err := asl.Parse([]byte(`{"StartAt":"A","States":{}}`))
	got := toAWSError(fmt.Errorf("creating: %w", err))
	require.Equal(t, "InvalidDefinition", got.Code)
	require.Equal(t, http.StatusBadRequest, got.Status)
	require.Contains(t, got.Message, "MISSING_TRANSITION_TARGET")
}
