package sfn

import (
	"context"
	"sort"
)

// Step Functions' tagging actions, on state machines and activities.

// tag is a resource tag as the protocol writes it.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// tagMap turns a list of tags into the runtime's map; the runtime checks
// keys, values and their number.
func tagMap(tags []tag) (map[string]string, error) {
	if tags == nil {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key == "" {
			return nil, required("tags.member.key")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

type tagResourceInput struct {
	ResourceARN string `json:"resourceArn"`
	Tags        []tag  `json:"tags"`
}

func tagResource(s *API, ctx context.Context, in *tagResourceInput) (*empty, error) {
	if in.ResourceARN == "" {
		return nil, required("resourceArn")
	}
	if in.Tags == nil {
		return nil, required("tags")
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	return &empty{}, s.rt().TagResource(ctx, in.ResourceARN, tags)
}

type untagResourceInput struct {
	ResourceARN string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func untagResource(s *API, ctx context.Context, in *untagResourceInput) (*empty, error) {
	if in.ResourceARN == "" {
		return nil, required("resourceArn")
	}
	if in.TagKeys == nil {
		return nil, required("tagKeys")
	}
	return &empty{}, s.rt().UntagResource(ctx, in.ResourceARN, in.TagKeys)
}

type listTagsForResourceInput struct {
	ResourceARN string `json:"resourceArn"`
}

type listTagsForResourceOutput struct {
	Tags []tag `json:"tags"`
}

// listTagsForResource lists a resource's tags by key.
func listTagsForResource(s *API, ctx context.Context, in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	if in.ResourceARN == "" {
		return nil, required("resourceArn")
	}
	m, err := s.rt().ListTagsForResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &listTagsForResourceOutput{Tags: make([]tag, 0, len(m))}
	for k, v := range m {
		out.Tags = append(out.Tags, tag{Key: k, Value: v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}
