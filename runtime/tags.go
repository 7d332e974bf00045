package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signalbox/signalbox/store"
)

// AWS's errors about ARNs, resources and limits.
var (
	// ErrInvalidArn is AWS's InvalidArn: the ARN is malformed or names a
	// resource of the wrong kind.
	ErrInvalidArn = errors.New("InvalidArn")
	// ErrResourceNotFound is AWS's ResourceNotFound.
	ErrResourceNotFound = errors.New("ResourceNotFound")
	// ErrTooManyTags is AWS's TooManyTags: a resource would carry more
	// than MaxTags tags.
	ErrTooManyTags = errors.New("TooManyTags")
	// ErrValidation is AWS's ValidationException: a parameter breaks a
	// documented constraint.
	ErrValidation = errors.New("ValidationException")
)

// MaxTags is how many tags a state machine or an activity may carry.
const MaxTags = 50

// TagResource adds tags to a state machine or an activity, or overwrites
// the values of tags it carries.
func (d *Durable) TagResource(ctx context.Context, arn string, tags map[string]string) (err error) {
	defer func() { err = fromStore(err) }()
	r, err := taggable(arn)
	if err != nil {
		return err
	}
	if err := CheckTags(tags); err != nil {
		return err
	}
	err = d.store.TagsSet(ctx, r, tags, MaxTags)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %s", ErrResourceNotFound, arn)
	case errors.Is(err, store.ErrLimit):
		return fmt.Errorf("%w: a resource carries at most %d tags", ErrTooManyTags, MaxTags)
	}
	return err
}

// UntagResource removes tags from a state machine or an activity; keys it
// does not carry are ignored.
func (d *Durable) UntagResource(ctx context.Context, arn string, keys []string) (err error) {
	defer func() { err = fromStore(err) }()
	r, err := taggable(arn)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := checkTagKey(k); err != nil {
			return err
		}
	}
	err = d.store.TagsRemove(ctx, r, keys)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrResourceNotFound, arn)
	}
	return err
}

// ListTagsForResource returns the tags of a state machine or an activity.
func (d *Durable) ListTagsForResource(ctx context.Context, arn string) (_ map[string]string, err error) {
	defer func() { err = fromStore(err) }()
	r, err := taggable(arn)
	if err != nil {
		return nil, err
	}
	tags, err := d.store.TagsGet(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrResourceNotFound, arn)
	}
	return tags, err
}

// taggable names the resource an ARN names, when it carries tags: a state
// machine (not one of its versions or aliases) or an activity.
func taggable(arn string) (store.Tagged, error) {
	if name, err := parseActivityARN(arn); err == nil {
		return store.Tagged{Activity: true, Name: name}, nil
	}
	name, qualifier, err := splitStateMachineARN(arn)
	if err != nil {
		return store.Tagged{}, fmt.Errorf("%w: %q is neither a state machine nor an activity ARN", ErrInvalidArn, arn)
	}
	if qualifier != "" {
		return store.Tagged{}, fmt.Errorf("%w: %q: versions and aliases carry no tags of their own", ErrInvalidArn, arn)
	}
	return store.Tagged{Name: name}, nil
}

// CheckTags applies AWS's rules to tags: at most MaxTags; keys of 1 to 128
// characters and values of up to 256, made of Unicode letters, digits,
// white space and _ . : / = + - @; keys not starting with "aws:". The
// gateway checks a create's tags with it before the create.
func CheckTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return fmt.Errorf("%w: %d tags, more than the %d a resource may carry", ErrTooManyTags, len(tags), MaxTags)
	}
	for k, v := range tags {
		if err := checkTagKey(k); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(v); n > 256 || !tagText(v) {
			return fmt.Errorf("%w: the value of tag %q must be up to 256 letters, digits, white space or _ . : / = + - @", ErrValidation, k)
		}
	}
	return nil
}

func checkTagKey(k string) error {
	if n := utf8.RuneCountInString(k); n == 0 || n > 128 || !tagText(k) {
		return fmt.Errorf("%w: the tag key %q must be 1 to 128 letters, digits, white space or _ . : / = + - @", ErrValidation, k)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return fmt.Errorf("%w: the tag key %q: the prefix aws: is reserved", ErrValidation, k)
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
