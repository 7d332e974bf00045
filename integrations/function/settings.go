package function

import (
	"context"
	"errors"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// A function's reserved concurrency and its tags.

// PutFunctionConcurrency reserves concurrency for a function (0 stops
// its invocations).
func (s *Service) PutFunctionConcurrency(ctx context.Context, name string, n *int) (*Concurrency, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, validation("ReservedConcurrentExecutions is required.")
	}
	if err := s.checkConcurrency(*n); err != nil {
		return nil, err
	}
	if err := s.st.FunctionSetConcurrency(ctx, ref.Name, *n); errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Function not found: %s", s.FunctionARN(ref.Name))
	} else if err != nil {
		return nil, err
	}
	v := *n
	return &Concurrency{ReservedConcurrentExecutions: &v}, nil
}

// GetFunctionConcurrency answers a function's reserved concurrency
// (none: an empty answer).
func (s *Service) GetFunctionConcurrency(ctx context.Context, name string) (*Concurrency, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	f, _, err := s.function(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	out := &Concurrency{}
	if f.ReservedConcurrency >= 0 {
		out.ReservedConcurrentExecutions = &f.ReservedConcurrency
	}
	return out, nil
}

// DeleteFunctionConcurrency removes a function's reserved concurrency.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, name string) error {
	ref, err := s.unqualified(name)
	if err != nil {
		return err
	}
	if err := s.st.FunctionSetConcurrency(ctx, ref.Name, -1); errors.Is(err, store.ErrNotFound) {
		return notFound("Function not found: %s", s.FunctionARN(ref.Name))
	} else if err != nil {
		return err
	}
	return nil
}

// taggable parses a TagResource/ListTags/UntagResource Resource: a
// function's unqualified ARN.
func (s *Service) taggable(ctx context.Context, arn string) (string, error) {
	if !strings.HasPrefix(arn, arnPrefix) {
		return "", validation("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must be a function's ARN", clip(arn))
	}
	ref, err := s.unqualified(arn)
	if err != nil {
		return "", err
	}
	if _, _, err := s.function(ctx, ref.Name); err != nil {
		return "", err
	}
	return ref.Name, nil
}

// TagResource adds tags to a function.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	name, err := s.taggable(ctx, arn)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return validation("Tags is required.")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	err = s.st.FunctionTag(ctx, name, tags, nil, maxTags)
	switch {
	case errors.Is(err, store.ErrLimit):
		return invalidParam("A function has at most %d tags", maxTags)
	case errors.Is(err, store.ErrNotFound):
		return notFound("Function not found: %s", s.FunctionARN(name))
	}
	return err
}

// UntagResource removes tags of a function.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	name, err := s.taggable(ctx, arn)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return validation("TagKeys is required.")
	}
	if len(keys) > maxTags {
		return invalidParam("At most %d tag keys", maxTags)
	}
	if err := s.st.FunctionTag(ctx, name, nil, keys, maxTags); errors.Is(err, store.ErrNotFound) {
		return notFound("Function not found: %s", s.FunctionARN(name))
	} else if err != nil {
		return err
	}
	return nil
}

// ListTags answers a function's tags.
func (s *Service) ListTags(ctx context.Context, arn string) (map[string]string, error) {
	name, err := s.taggable(ctx, arn)
	if err != nil {
		return nil, err
	}
	return s.st.FunctionTags(ctx, name)
}
