package queue

import (
	"context"
)

// redriveDead hands the messages a receive took for the dead-letter queue
// on (not built yet: they stay in the queue's dead list).
func (s *Service) redriveDead(ctx context.Context, name string) error { return nil }

func (s *Service) DeadLetterSources(ctx context.Context, name string, in *ListInput) (*ListOutput, error) {
	return nil, errNotYet
}
func (s *Service) StartMoveTask(ctx context.Context, in *MoveTaskInput) (string, error) {
	return "", errNotYet
}
func (s *Service) ListMoveTasks(ctx context.Context, sourceARN string, max int) ([]MoveTask, error) {
	return nil, errNotYet
}
func (s *Service) CancelMoveTask(ctx context.Context, handle string) (int64, error) {
	return 0, errNotYet
}

// errNotYet answers the calls not built yet.
var errNotYet = &Error{Code: "UnsupportedOperation", Message: "not supported yet"}
