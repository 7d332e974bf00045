package function

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// An alias points to a version ($LATEST or a published one) and may route
// a part of the invocations to one other published version (Lambda's
// weighted aliases: RoutingConfig.AdditionalVersionWeights). The store
// keeps the versions (it refuses an alias to a version that does not
// exist, and the deletion of a version an alias uses) and the rest as
// aliasRecord.

// aliasRecord is what the store keeps of an alias besides its versions.
type aliasRecord struct {
	Description string             `json:"description,omitempty"`
	Weights     map[string]float64 `json:"weights,omitempty"`
	RevisionID  string             `json:"revisionId"`
}

func decodeAliasRecord(s string) (*aliasRecord, error) {
	r := &aliasRecord{}
	if err := json.Unmarshal([]byte(s), r); err != nil {
		return nil, fmt.Errorf("function: a stored alias is not JSON: %w", err)
	}
	return r, nil
}

// AliasRoutingConfiguration is an alias's routing: the one other version
// and the share of invocations (0 to 1) it takes.
type AliasRoutingConfiguration struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

// AliasConfiguration is an alias as the API shows it.
type AliasConfiguration struct {
	AliasArn        string                     `json:"AliasArn"`
	Name            string                     `json:"Name"`
	FunctionVersion string                     `json:"FunctionVersion"`
	Description     string                     `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig,omitempty"`
	RevisionID      string                     `json:"RevisionId"`
}

// AliasInput is CreateAlias's and UpdateAlias's request (UpdateAlias:
// the members given change; RevisionId, when given, must be the alias's).
type AliasInput struct {
	FunctionName    string                     `json:"-"`
	Name            string                     `json:"Name"`
	FunctionVersion *string                    `json:"FunctionVersion,omitempty"`
	Description     *string                    `json:"Description,omitempty"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig,omitempty"`
	RevisionID      string                     `json:"RevisionId,omitempty"`
}

func (s *Service) aliasOut(name string, a *store.FunctionAlias, r *aliasRecord) *AliasConfiguration {
	out := &AliasConfiguration{AliasArn: s.FunctionARN(name) + ":" + a.Name, Name: a.Name, FunctionVersion: a.Version,
		Description: r.Description, RevisionID: r.RevisionID}
	if len(r.Weights) > 0 {
		out.RoutingConfig = &AliasRoutingConfiguration{AdditionalVersionWeights: r.Weights}
	}
	return out
}

// checkAlias checks an alias's versions and routing, and returns the
// store's alias.
func checkAlias(name, version string, desc string, routing map[string]float64) (*store.FunctionAlias, error) {
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	if version != latest && !isVersion(version) {
		return nil, validation("1 validation error detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)", clip(version))
	}
	if len(desc) > maxDescription {
		return nil, validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
	}
	a := &store.FunctionAlias{Name: name, Version: version}
	if len(routing) > 1 {
		return nil, validation("1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	for v, w := range routing {
		switch {
		case !isVersion(v):
			return nil, invalidParam("Invalid function version %s. Function version %s is not supported for routing configuration: route to a published version", clip(v), clip(v))
		case math.IsNaN(w) || w < 0 || w > 1:
			return nil, validation("1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must be between 0.0 and 1.0")
		case version == latest:
			return nil, invalidParam("$LATEST is not supported for an alias pointing to more than 1 version")
		case v == version:
			return nil, invalidParam("Invalid function version %s: the additional version must not be the alias's own version", v)
		}
		a.Extra = []string{v}
	}
	return a, nil
}

// CreateAlias creates an alias of a function.
func (s *Service) CreateAlias(ctx context.Context, in *AliasInput) (*AliasConfiguration, error) {
	ref, err := s.unqualified(in.FunctionName)
	if err != nil {
		return nil, err
	}
	if in.FunctionVersion == nil {
		return nil, validation("FunctionVersion is required.")
	}
	r := &aliasRecord{RevisionID: integrations.NewUUID()}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.RoutingConfig != nil {
		r.Weights = in.RoutingConfig.AdditionalVersionWeights
	}
	a, err := checkAlias(in.Name, *in.FunctionVersion, r.Description, r.Weights)
	if err != nil {
		return nil, err
	}
	all, err := s.st.FunctionAliases(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	if len(all) >= maxAliases {
		return nil, invalidParam("A function has at most %d aliases in Signalbox", maxAliases)
	}
	b, _ := json.Marshal(r)
	a.Record = string(b)
	if err := s.aliasErr(ref.Name, a.Name, s.st.FunctionAliasPut(ctx, ref.Name, nil, a)); err != nil {
		return nil, err
	}
	return s.aliasOut(ref.Name, a, r), nil
}

// aliasErr maps the store's answer to an alias's change.
func (s *Service) aliasErr(fn, alias string, err error) error {
	var e *APIError
	switch {
	case err == nil || errors.As(err, &e):
		return err
	case errors.Is(err, store.ErrConflict):
		return conflict("Alias already exists: %s:%s", s.FunctionARN(fn), alias)
	case errors.Is(err, store.ErrNotFound):
		return notFound("%s", err.Error()[len(store.ErrNotFound.Error())+2:])
	}
	return err
}

// GetAlias answers an alias.
func (s *Service) GetAlias(ctx context.Context, name, alias string) (*AliasConfiguration, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	a, r, err := s.alias(ctx, ref.Name, alias)
	if err != nil {
		return nil, err
	}
	return s.aliasOut(ref.Name, a, r), nil
}

func (s *Service) alias(ctx context.Context, fn, alias string) (*store.FunctionAlias, *aliasRecord, error) {
	if _, _, err := s.function(ctx, fn); err != nil {
		return nil, nil, err
	}
	if err := checkAliasName(alias); err != nil {
		return nil, nil, err
	}
	a, err := s.st.FunctionAliasGet(ctx, fn, alias)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound("Cannot find alias arn: %s:%s", s.FunctionARN(fn), alias)
	}
	if err != nil {
		return nil, nil, err
	}
	r, err := decodeAliasRecord(a.Record)
	return a, r, err
}

// UpdateAlias changes an alias's version, description or routing.
func (s *Service) UpdateAlias(ctx context.Context, in *AliasInput) (*AliasConfiguration, error) {
	ref, err := s.unqualified(in.FunctionName)
	if err != nil {
		return nil, err
	}
	for {
		old, r, err := s.alias(ctx, ref.Name, in.Name)
		if err != nil {
			return nil, err
		}
		if in.RevisionID != "" && in.RevisionID != r.RevisionID {
			return nil, precondition("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
		}
		n := *r
		version := old.Version
		if in.FunctionVersion != nil {
			version = *in.FunctionVersion
		}
		if in.Description != nil {
			n.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			n.Weights = in.RoutingConfig.AdditionalVersionWeights
		}
		a, err := checkAlias(in.Name, version, n.Description, n.Weights)
		if err != nil {
			return nil, err
		}
		n.RevisionID = integrations.NewUUID()
		b, _ := json.Marshal(&n)
		a.Record = string(b)
		err = s.st.FunctionAliasPut(ctx, ref.Name, old, a)
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err := s.aliasErr(ref.Name, a.Name, err); err != nil {
			return nil, err
		}
		return s.aliasOut(ref.Name, a, &n), nil
	}
}

// DeleteAlias deletes an alias (one that does not exist too).
func (s *Service) DeleteAlias(ctx context.Context, name, alias string) error {
	ref, err := s.unqualified(name)
	if err != nil {
		return err
	}
	if err := checkAliasName(alias); err != nil {
		return err
	}
	if _, _, err := s.function(ctx, ref.Name); err != nil {
		return err
	}
	return s.st.FunctionAliasDelete(ctx, ref.Name, alias)
}

// ListAliasesOutput is a page of ListAliases.
type ListAliasesOutput struct {
	Aliases    []*AliasConfiguration `json:"Aliases"`
	NextMarker string                `json:"NextMarker,omitempty"`
}

// ListAliases answers a page of a function's aliases by name, only those
// routing to functionVersion when given.
func (s *Service) ListAliases(ctx context.Context, name, functionVersion, marker string, maxItems int) (*ListAliasesOutput, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	limit, after, err := listPage(maxItems, marker)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.function(ctx, ref.Name); err != nil {
		return nil, err
	}
	all, err := s.st.FunctionAliases(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	i := sort.Search(len(all), func(i int) bool { return all[i].Name > after })
	out := &ListAliasesOutput{Aliases: []*AliasConfiguration{}}
	for ; i < len(all); i++ {
		a := all[i]
		if functionVersion != "" && a.Version != functionVersion && (len(a.Extra) == 0 || a.Extra[0] != functionVersion) {
			continue
		}
		if len(out.Aliases) == limit {
			out.NextMarker = encodeMarker(out.Aliases[limit-1].Name)
			break
		}
		r, err := decodeAliasRecord(a.Record)
		if err != nil {
			return nil, err
		}
		out.Aliases = append(out.Aliases, s.aliasOut(ref.Name, a, r))
	}
	return out, nil
}
