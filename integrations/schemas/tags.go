package schemas

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// Tags: TagResource, UntagResource and ListTagsForResource take the ARN
// of a registry (arn:aws:schemas:<region>:<account>:registry/<name>), a
// schema (…:schema/<registry>/<name>) or a discoverer
// (…:discoverer/<id>); the tags live in the resource's record.

type taggedResource struct {
	registry, schema, discoverer string
}

func (s *Service) resourceOf(arn string) (taggedResource, *Error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:schemas:")
	if !ok {
		return taggedResource{}, badRequest("ResourceArn %q is not a schema registry resource's ARN.", clip(arn, 200))
	}
	region, rest, _ := strings.Cut(rest, ":")
	account, res, ok := strings.Cut(rest, ":")
	if !ok {
		return taggedResource{}, badRequest("ResourceArn %q is not a schema registry resource's ARN.", clip(arn, 200))
	}
	if region != s.cfg.Region || account != s.cfg.AccountID {
		return taggedResource{}, notFound("Resource %s does not exist.", clip(arn, 200))
	}
	kind, path, _ := strings.Cut(res, "/")
	switch kind {
	case "registry":
		if e := checkRegistryName(path); e != nil {
			return taggedResource{}, e
		}
		return taggedResource{registry: path}, nil
	case "schema":
		reg, name, ok := strings.Cut(path, "/")
		if !ok {
			break
		}
		if e := firstError(checkRegistryName(reg), checkSchemaName(name)); e != nil {
			return taggedResource{}, e
		}
		return taggedResource{registry: reg, schema: name}, nil
	case "discoverer":
		if e := checkDiscovererID(path); e != nil {
			return taggedResource{}, e
		}
		return taggedResource{discoverer: path}, nil
	}
	return taggedResource{}, badRequest("ResourceArn %q is not a schema registry resource's ARN.", clip(arn, 200))
}

// changeTags applies f to a resource's tags.
func (s *Service) changeTags(ctx context.Context, arn string, f func(map[string]string) *Error) error {
	r, e := s.resourceOf(arn)
	if e != nil {
		return e
	}
	apply := func(tags *map[string]string) *Error {
		t := maps.Clone(*tags)
		if t == nil {
			t = map[string]string{}
		}
		if e := f(t); e != nil {
			return e
		}
		*tags = t
		return nil
	}
	switch {
	case r.discoverer != "":
		var fe *Error
		_, err := s.changeDiscoverer(ctx, r.discoverer, func(d *discovererRecord) { fe = apply(&d.Tags) })
		if fe != nil {
			return fe
		}
		return err
	case r.schema != "":
		for range 20 {
			rec, sr, _, err := s.getSchema(ctx, r.registry, r.schema, 0)
			if err != nil {
				return err
			}
			if e := apply(&rec.Tags); e != nil {
				return e
			}
			err = s.st.SchemaRecordSwap(ctx, r.registry, r.schema, sr.Record, encode(rec))
			switch {
			case err == nil:
				return nil
			case errors.Is(err, store.ErrNotFound):
				return notFound("Schema %s does not exist in registry %s.", r.schema, r.registry)
			case !errors.Is(err, store.ErrStale):
				return s.storeError(err, "tagging a schema")
			}
		}
		return conflict("Schema %s is being changed by another request; try again.", r.schema)
	default:
		return s.changeRegistry(ctx, r.registry, func(rec *registryRecord) *Error { return apply(&rec.Tags) })
	}
}

// TagResource adds tags to a resource, or sets their values.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return badRequest("Tags is required.")
	}
	if e := checkTags(tags); e != nil {
		return e
	}
	return s.changeTags(ctx, arn, func(t map[string]string) *Error {
		maps.Copy(t, tags)
		if len(t) > maxTags {
			return badRequest("A resource may carry at most %d tags.", maxTags)
		}
		return nil
	})
}

// UntagResource removes tags from a resource.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	if len(keys) == 0 {
		return badRequest("TagKeys is required.")
	}
	return s.changeTags(ctx, arn, func(t map[string]string) *Error {
		for _, k := range keys {
			delete(t, k)
		}
		return nil
	})
}

// ListTagsForResource returns a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, arn string) (map[string]string, error) {
	r, e := s.resourceOf(arn)
	if e != nil {
		return nil, e
	}
	var tags map[string]string
	switch {
	case r.discoverer != "":
		d, _, err := s.discoverer(ctx, r.discoverer)
		if err != nil {
			return nil, err
		}
		tags = d.Tags
	case r.schema != "":
		rec, _, _, err := s.getSchema(ctx, r.registry, r.schema, 0)
		if err != nil {
			return nil, err
		}
		tags = rec.Tags
	default:
		rec, _, err := s.registry(ctx, r.registry)
		if err != nil {
			return nil, err
		}
		tags = rec.Tags
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}
