package gateway

import (
	"context"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signalbox/signalbox/runtime"
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

func tagResource(s *Server, ctx context.Context, in *tagResourceInput) (*empty, error) {
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

func untagResource(s *Server, ctx context.Context, in *untagResourceInput) (*empty, error) {
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
func listTagsForResource(s *Server, ctx context.Context, in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
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

// checkTags applies the runtime's rules on tags (runtime.TagResource)
// before a create whose tags are applied once the resource exists, so that
// bad tags leave nothing created: at most runtime.MaxTags; keys of 1 to
// 128 characters and values of up to 256, of letters, digits, white space
// and _ . : / = + - @; no key starting with "aws:".
func checkTags(tags map[string]string) error {
	if len(tags) > runtime.MaxTags {
		return errorf(excTooManyTags, "%d tags, more than the %d a resource may carry", len(tags), runtime.MaxTags)
	}
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n == 0 || n > 128 || !tagText(k) || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errorf(excValidation, "the tag key %q must be 1 to 128 letters, digits, white space or _ . : / = + - @, not starting with aws:", k)
		}
		if utf8.RuneCountInString(v) > 256 || !tagText(v) {
			return errorf(excValidation, "the value of tag %q must be up to 256 letters, digits, white space or _ . : / = + - @", k)
		}
	}
	return nil
}

func tagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.N, r) && !unicode.Is(unicode.Z, r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return utf8.ValidString(s)
}
