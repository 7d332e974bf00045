package bus

import (
	"context"
	"fmt"
	"strings"
)

// Tags are kept for buses and rules (AWS tags those, and pipes and
// others that are not here), in the bus's tag hash.

// tagResource is the bus and resource ("" the bus, else a rule's name) an
// ARN names.
func (s *Service) tagResource(arn string) (bus, resource string, e *Error) {
	if len(arn) > 1600 || arn == "" {
		return "", "", constraint(arn, "resourceARN", "Member must have length less than or equal to 1600 and greater than or equal to 1")
	}
	res, ok := s.resourceOf(arn)
	if !ok {
		return "", "", notFoundf("Resource %s does not exist.", clip(arn, 256))
	}
	if n, ok := strings.CutPrefix(res, "event-bus/"); ok && n != "" {
		return n, "", nil
	}
	if bus, name, ok := s.ruleOfARN(arn); ok {
		return bus, name, nil
	}
	return "", "", validationf("Tagging is supported for event buses and rules only: %s", clip(arn, 256))
}

func (s *Service) tagTarget(ctx context.Context, arn string) (bus, resource string, err error) {
	bus, resource, e := s.tagResource(arn)
	if e != nil {
		return "", "", e
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return "", "", notFoundf("Resource %s does not exist.", clip(arn, 256))
	}
	return bus, resource, nil
}

func tagMissing(arn string) *Error { return notFoundf("Resource %s does not exist.", clip(arn, 256)) }

// TagResource adds or replaces tags of a bus or a rule (at most 50).
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	if e := checkTags(tags); e != nil {
		return e
	}
	bus, res, err := s.tagTarget(ctx, arn)
	if err != nil {
		return err
	}
	return storeError(s.st.BusTagsChange(ctx, bus, res, nil, tags, maxTags), tagMissing(arn))
}

// UntagResource removes tags of a bus or a rule.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	for _, k := range keys {
		if k == "" || len(k) > maxTagKey {
			return constraint(k, "tagKeys.member", fmt.Sprintf("Member must have length less than or equal to %d and greater than or equal to 1", maxTagKey))
		}
	}
	bus, res, err := s.tagTarget(ctx, arn)
	if err != nil {
		return err
	}
	return storeError(s.st.BusTagsChange(ctx, bus, res, keys, nil, maxTags), tagMissing(arn))
}

// ListTagsForResource returns the tags of a bus or a rule.
func (s *Service) ListTagsForResource(ctx context.Context, arn string) (map[string]string, error) {
	bus, res, err := s.tagTarget(ctx, arn)
	if err != nil {
		return nil, err
	}
	if res != "" {
		if _, err := s.rule(ctx, bus, res); err != nil {
			return nil, tagMissing(arn)
		}
	}
	tags, err := s.st.BusTags(ctx, bus, res)
	if err != nil {
		return nil, storeError(err, tagMissing(arn))
	}
	return tags, nil
}
