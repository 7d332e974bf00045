package topic

import (
	"context"

	"github.com/signalbox/signalbox/store"
)

// Service is the topic router. It is safe for concurrent use.
type Service struct {
	st  *store.Client
	cfg Config
}

// New returns the topic router on st.
func New(st *store.Client, cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	return &Service{st: st, cfg: cfg}
}

var errTODO = &Error{Code: "InternalError", Message: "not built yet", Status: 500}

func (s *Service) CreateTopic(ctx context.Context, in *CreateTopicInput) (*Topic, error) {
	return nil, errTODO
}
func (s *Service) DeleteTopic(ctx context.Context, topicARN string) error { return errTODO }
func (s *Service) ListTopics(ctx context.Context, nextToken string) (*ListOutput, error) {
	return nil, errTODO
}
func (s *Service) GetTopicAttributes(ctx context.Context, topicARN string) (map[string]string, error) {
	return nil, errTODO
}
func (s *Service) SetTopicAttribute(ctx context.Context, topicARN, name, value string) error {
	return errTODO
}
func (s *Service) Subscribe(ctx context.Context, in *SubscribeInput) (string, error) {
	return "", errTODO
}
func (s *Service) ConfirmSubscription(ctx context.Context, topicARN, token string, authenticateOnUnsubscribe bool) (string, error) {
	return "", errTODO
}
func (s *Service) Unsubscribe(ctx context.Context, subscriptionARN string) error { return errTODO }
func (s *Service) ListSubscriptions(ctx context.Context, nextToken string) (*SubscriptionsOutput, error) {
	return nil, errTODO
}
func (s *Service) ListSubscriptionsByTopic(ctx context.Context, topicARN, nextToken string) (*SubscriptionsOutput, error) {
	return nil, errTODO
}
func (s *Service) GetSubscriptionAttributes(ctx context.Context, subscriptionARN string) (map[string]string, error) {
	return nil, errTODO
}
func (s *Service) SetSubscriptionAttribute(ctx context.Context, subscriptionARN, name, value string) error {
	return errTODO
}
func (s *Service) Publish(ctx context.Context, in *PublishInput) (*PublishResult, error) {
	return nil, errTODO
}
func (s *Service) PublishBatch(ctx context.Context, topicARN string, entries []PublishInput) ([]PublishResult, error) {
	return nil, errTODO
}
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	return errTODO
}
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	return errTODO
}
func (s *Service) ListTags(ctx context.Context, arn string) (map[string]string, error) {
	return nil, errTODO
}
func (s *Service) SigningCertPath() string { return "" }
func (s *Service) SigningCert(ctx context.Context) ([]byte, error) {
	return nil, errTODO
}
