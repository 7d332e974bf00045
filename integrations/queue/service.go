package queue

import (
	"context"
	"time"

	"github.com/signalbox/signalbox/store"
)

// Service is the queue router. It is safe for concurrent use.
type Service struct {
	st  *store.Client
	cfg Config
}

// New returns the queue router on st.
func New(st *store.Client, cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{st: st, cfg: cfg}
}

// errNotYet answers the calls not built yet (this file is the contract the
// store side and gateway/sqs are built against in parallel).
var errNotYet = &Error{Code: "UnsupportedOperation", Message: "not supported yet"}

func (s *Service) CreateQueue(ctx context.Context, in *CreateInput) (*Queue, error) {
	return nil, errNotYet
}
func (s *Service) GetQueue(ctx context.Context, name string) (*Queue, error) { return nil, errNotYet }
func (s *Service) DeleteQueue(ctx context.Context, name string) error        { return errNotYet }
func (s *Service) ListQueues(ctx context.Context, in *ListInput) (*ListOutput, error) {
	return nil, errNotYet
}
func (s *Service) GetAttributes(ctx context.Context, name string, names []string) (map[string]string, error) {
	return nil, errNotYet
}
func (s *Service) SetAttributes(ctx context.Context, name string, attrs map[string]string) error {
	return errNotYet
}
func (s *Service) TagQueue(ctx context.Context, name string, tags map[string]string) error {
	return errNotYet
}
func (s *Service) UntagQueue(ctx context.Context, name string, keys []string) error { return errNotYet }
func (s *Service) ListTags(ctx context.Context, name string) (map[string]string, error) {
	return nil, errNotYet
}
func (s *Service) PurgeQueue(ctx context.Context, name string) error { return errNotYet }
func (s *Service) Send(ctx context.Context, name string, msgs []SendInput) ([]SendResult, error) {
	return nil, errNotYet
}
func (s *Service) Receive(ctx context.Context, name string, in *ReceiveInput) ([]Message, error) {
	return nil, errNotYet
}
func (s *Service) Delete(ctx context.Context, name string, entries []HandleEntry) ([]BatchResult, error) {
	return nil, errNotYet
}
func (s *Service) ChangeVisibility(ctx context.Context, name string, entries []HandleEntry) ([]BatchResult, error) {
	return nil, errNotYet
}
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
