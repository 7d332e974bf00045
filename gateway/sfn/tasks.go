package sfn

import (
	"context"
	"errors"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/runtime"
)

// Step Functions' task token actions: the answers to a
// .waitForTaskToken task (and to an activity's task).

// maxTaskToken is AWS's limit on a task token's length.
const maxTaskToken = 2048

// taskGone is AWS's answer to an answer for a task that no longer waits:
// one answered already, timed out, or whose execution ended. AWS documents
// TaskTimedOut for "the task associated with the token has already been
// closed", and words it so.
func taskGone(err error) error {
	if errors.Is(err, runtime.ErrTaskDoesNotExist) || errors.Is(err, runtime.ErrTaskTimedOut) {
		return errorf(excTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'")
	}
	return err
}

func checkToken(token string) error {
	if token == "" {
		return required("taskToken")
	}
	if len(token) > maxTaskToken {
		return tooLong("taskToken", len(token), maxTaskToken)
	}
	return nil
}

type sendTaskSuccessInput struct {
	TaskToken string  `json:"taskToken"`
	Output    *string `json:"output"`
}

func sendTaskSuccess(s *API, ctx context.Context, in *sendTaskSuccessInput) (*empty, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if in.Output == nil {
		return nil, required("output")
	}
	if len(*in.Output) > runtime.MaxPayload {
		return nil, errorf(excInvalidOutput, "the output is %d bytes, more than the %d allowed", len(*in.Output), runtime.MaxPayload)
	}
	output, err := asl.DecodeJSON([]byte(*in.Output))
	if err != nil {
		return nil, errorf(excInvalidOutput, "Invalid Output: '%v'", err)
	}
	return &empty{}, taskGone(s.rt().SendTaskSuccess(ctx, in.TaskToken, output))
}

type sendTaskFailureInput struct {
	TaskToken string `json:"taskToken"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
}

func sendTaskFailure(s *API, ctx context.Context, in *sendTaskFailureInput) (*empty, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if len(in.Error) > 256 {
		return nil, tooLong("error", len(in.Error), 256)
	}
	if len(in.Cause) > 32768 {
		return nil, tooLong("cause", len(in.Cause), 32768)
	}
	return &empty{}, taskGone(s.rt().SendTaskFailure(ctx, in.TaskToken, in.Error, in.Cause))
}

type sendTaskHeartbeatInput struct {
	TaskToken string `json:"taskToken"`
}

func sendTaskHeartbeat(s *API, ctx context.Context, in *sendTaskHeartbeatInput) (*empty, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	return &empty{}, taskGone(s.rt().SendTaskHeartbeat(ctx, in.TaskToken))
}
