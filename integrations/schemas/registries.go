package schemas

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// registryRecord is a registry as the store keeps it.
type registryRecord struct {
	Description string            `json:"Description,omitempty"`
	Tags        map[string]string `json:"Tags,omitempty"`
	Scope       string            `json:"Scope,omitempty"` // "AWS" for aws.events; "" LOCAL
	Created     int64             `json:"Created"`
	Policy      string            `json:"Policy,omitempty"` // the resource policy (policy.go)
	RevisionID  string            `json:"RevisionId,omitempty"`
}

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The scopes of ListRegistries.
const (
	ScopeLocal = "LOCAL"
	ScopeAWS   = "AWS"
)

// ensureAWSRegistry makes the aws.events registry once per process.
func (s *Service) ensureAWSRegistry(ctx context.Context) error {
	s.awsOnce.Lock()
	defer s.awsOnce.Unlock()
	if s.awsMade {
		return nil
	}
	rec := encode(registryRecord{Description: "Schemas of the events of AWS services (none in Signalbox).", Scope: ScopeAWS, Created: s.now().UnixMilli()})
	if err := s.st.SchemaRegistryCreate(ctx, RegistryAWSEvents, rec); err != nil && !errors.Is(err, store.ErrConflict) {
		return s.storeError(err, "making the aws.events registry")
	}
	s.awsMade = true
	return nil
}

func (s *Service) registryOut(name string, r *registryRecord) *Registry {
	return &Registry{Description: r.Description, RegistryArn: s.RegistryARN(name), RegistryName: name, Tags: r.Tags}
}

// CreateRegistryInput is CreateRegistry's request.
type CreateRegistryInput struct {
	RegistryName string
	Description  *string
	Tags         map[string]string
}

// CreateRegistry creates a registry: ConflictException when it exists,
// ForbiddenException for aws.events (AWS's).
func (s *Service) CreateRegistry(ctx context.Context, in *CreateRegistryInput) (*Registry, error) {
	if e := checkRegistryName(in.RegistryName); e != nil {
		return nil, e
	}
	if strings.HasPrefix(in.RegistryName, "aws.") {
		return nil, forbidden("Registry names starting with aws. are reserved for AWS.")
	}
	if e := checkDescription(in.Description); e != nil {
		return nil, e
	}
	if e := checkTags(in.Tags); e != nil {
		return nil, e
	}
	rec := &registryRecord{Tags: in.Tags, Created: s.now().UnixMilli()}
	if in.Description != nil {
		rec.Description = *in.Description
	}
	err := s.st.SchemaRegistryCreate(ctx, in.RegistryName, encode(rec))
	if errors.Is(err, store.ErrConflict) {
		return nil, conflict("Registry %s already exists.", in.RegistryName)
	}
	if err != nil {
		return nil, s.storeError(err, "creating a registry")
	}
	return s.registryOut(in.RegistryName, rec), nil
}

// registry reads a registry's record: NotFoundException when it does not
// exist.
func (s *Service) registry(ctx context.Context, name string) (*registryRecord, string, error) {
	if e := checkRegistryName(name); e != nil {
		return nil, "", e
	}
	if name == RegistryAWSEvents {
		if err := s.ensureAWSRegistry(ctx); err != nil {
			return nil, "", err
		}
	}
	return registryRecords.read(ctx, s, name)
}

// DescribeRegistry returns a registry.
func (s *Service) DescribeRegistry(ctx context.Context, name string) (*Registry, error) {
	r, _, err := s.registry(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.registryOut(name, r), nil
}

// UpdateRegistry sets a registry's description.
func (s *Service) UpdateRegistry(ctx context.Context, name string, description *string) (*Registry, error) {
	if e := checkDescription(description); e != nil {
		return nil, e
	}
	var out *Registry
	err := s.changeRegistry(ctx, name, func(r *registryRecord) *Error {
		if description != nil {
			r.Description = *description
		}
		out = s.registryOut(name, r)
		return nil
	})
	return out, err
}

// changeRegistry changes a registry's record with f, again when it moved
// meanwhile.
func (s *Service) changeRegistry(ctx context.Context, name string, f func(*registryRecord) *Error) error {
	_, err := registryRecords.change(ctx, s, name, func() (*registryRecord, string, error) { return s.registry(ctx, name) },
		func(r *registryRecord) *Error {
			if r.Scope == ScopeAWS {
				return forbidden("Registry %s is AWS's: it cannot be changed.", name)
			}
			return f(r)
		})
	return err
}

// DeleteRegistry deletes a registry with all its schemas.
func (s *Service) DeleteRegistry(ctx context.Context, name string) error {
	r, _, err := s.registry(ctx, name)
	if err != nil {
		return err
	}
	if r.Scope == ScopeAWS {
		return forbidden("Registry %s is AWS's: it cannot be deleted.", name)
	}
	err = s.st.SchemaRegistryDelete(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return registryRecords.missing(name)
	}
	return s.storeError(err, "deleting a registry")
}

// ListRegistriesInput is ListRegistries's request.
type ListRegistriesInput struct {
	Limit              int
	NextToken          string
	RegistryNamePrefix string
	Scope              string // "", LOCAL or AWS
}

// ListRegistries lists registries by name.
func (s *Service) ListRegistries(ctx context.Context, in *ListRegistriesInput) (*RegistryList, error) {
	limit, after, e := page(in.Limit, in.NextToken)
	if e != nil {
		return nil, e
	}
	if in.Scope != "" && in.Scope != ScopeLocal && in.Scope != ScopeAWS {
		return nil, badRequest("Scope must be LOCAL or AWS.")
	}
	if err := s.ensureAWSRegistry(ctx); err != nil {
		return nil, err
	}
	out := &RegistryList{Registries: []Registry{}}
	for {
		names, next, err := s.st.SchemaRegistryList(ctx, in.RegistryNamePrefix, after, limit)
		if err != nil {
			return nil, s.storeError(err, "listing registries")
		}
		for _, n := range names {
			after = n
			r, _, err := s.registry(ctx, n)
			if err != nil {
				continue // deleted since
			}
			local := r.Scope != ScopeAWS
			if in.Scope == ScopeLocal && !local || in.Scope == ScopeAWS && local {
				continue
			}
			out.Registries = append(out.Registries, *s.registryOut(n, r))
			if len(out.Registries) == limit {
				if next != "" || n != names[len(names)-1] {
					out.NextToken = pageToken(n)
				}
				return out, nil
			}
		}
		if next == "" {
			return out, nil
		}
	}
}
