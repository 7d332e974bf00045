package sqs

import (
	"context"

	"github.com/signalbox/signalbox/integrations/queue"
)

// The message-move tasks: messages moved from a dead-letter queue back to
// their source queues (or another queue), named by queue ARNs.

type startMessageMoveTaskInput struct {
	SourceARN                    string `json:"SourceArn" query:"SourceArn"`
	DestinationARN               string `json:"DestinationArn" query:"DestinationArn"`
	MaxNumberOfMessagesPerSecond *int
}

type startMessageMoveTaskOutput struct {
	TaskHandle string
}

func startMessageMoveTask(s *API, ctx context.Context, in *startMessageMoveTaskInput) (*startMessageMoveTaskOutput, error) {
	if in.SourceARN == "" {
		return nil, missing("SourceArn")
	}
	if n := in.MaxNumberOfMessagesPerSecond; n != nil && (*n < 1 || *n > 500) {
		return nil, invalidValue("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500, if provided.", *n)
	}
	handle, err := s.q().StartMoveTask(ctx, &queue.MoveTaskInput{SourceARN: in.SourceARN, DestinationARN: in.DestinationARN,
		MaxNumberOfMessagesPerSecond: deref(in.MaxNumberOfMessagesPerSecond)})
	if err != nil {
		return nil, err
	}
	return &startMessageMoveTaskOutput{TaskHandle: handle}, nil
}

type listMessageMoveTasksInput struct {
	SourceARN  string `json:"SourceArn" query:"SourceArn"`
	MaxResults *int
}

// moveTask is ListMessageMoveTasksResultEntry.
type moveTask struct {
	TaskHandle                        string `json:",omitempty" xml:",omitempty"`
	Status                            string
	SourceARN                         string `json:"SourceArn" xml:"SourceArn"`
	DestinationARN                    string `json:"DestinationArn,omitempty" xml:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:",omitempty" xml:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove int64
	FailureReason                     string `json:",omitempty" xml:",omitempty"`
	StartedTimestamp                  int64  // epoch milliseconds
}

type listMessageMoveTasksOutput struct {
	Results []moveTask `json:",omitempty" xml:"ListMessageMoveTasksResultEntry"`
}

func listMessageMoveTasks(s *API, ctx context.Context, in *listMessageMoveTasksInput) (*listMessageMoveTasksOutput, error) {
	if in.SourceARN == "" {
		return nil, missing("SourceArn")
	}
	if n := in.MaxResults; n != nil && (*n < 1 || *n > 10) {
		return nil, invalidValue("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10, if provided.", *n)
	}
	tasks, err := s.q().ListMoveTasks(ctx, in.SourceARN, deref(in.MaxResults))
	if err != nil {
		return nil, err
	}
	out := &listMessageMoveTasksOutput{}
	for _, t := range tasks {
		mt := moveTask{TaskHandle: t.TaskHandle, Status: t.Status, SourceARN: t.SourceARN, DestinationARN: t.DestinationARN,
			ApproximateNumberOfMessagesMoved: t.ApproximateNumberOfMessagesMoved, ApproximateNumberOfMessagesToMove: t.ApproximateNumberOfMessagesToMove,
			FailureReason: t.FailureReason, StartedTimestamp: t.StartedTimestamp.UnixMilli()}
		if t.MaxNumberOfMessagesPerSecond > 0 {
			n := t.MaxNumberOfMessagesPerSecond
			mt.MaxNumberOfMessagesPerSecond = &n
		}
		out.Results = append(out.Results, mt)
	}
	return out, nil
}

type cancelMessageMoveTaskInput struct {
	TaskHandle string
}

type cancelMessageMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64
}

func cancelMessageMoveTask(s *API, ctx context.Context, in *cancelMessageMoveTaskInput) (*cancelMessageMoveTaskOutput, error) {
	if in.TaskHandle == "" {
		return nil, missing("TaskHandle")
	}
	moved, err := s.q().CancelMoveTask(ctx, in.TaskHandle)
	if err != nil {
		return nil, err
	}
	return &cancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: moved}, nil
}
