package function

import (
	"context"
	"errors"
	"strconv"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// PublishVersionInput is PublishVersion's request.
type PublishVersionInput struct {
	FunctionName string  `json:"-"`
	CodeSha256   string  `json:"CodeSha256,omitempty"`
	Description  *string `json:"Description,omitempty"`
	RevisionID   string  `json:"RevisionId,omitempty"`
}

// PublishVersion publishes $LATEST as a version, numbered once and never
// again: when CodeSha256 or RevisionId are given, $LATEST must have them.
// When $LATEST has not changed since the last version, that version is
// the answer and none is made.
func (s *Service) PublishVersion(ctx context.Context, in *PublishVersionInput) (*FunctionConfiguration, error) {
	ref, err := s.unqualified(in.FunctionName)
	if err != nil {
		return nil, err
	}
	return s.publish(ctx, ref.Name, in.CodeSha256, in.RevisionID, in.Description)
}

func (s *Service) publish(ctx context.Context, name, codeSha256, revisionID string, description *string) (*FunctionConfiguration, error) {
	if description != nil && len(*description) > maxDescription {
		return nil, validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
	}
	for {
		f, r, err := s.function(ctx, name)
		if err != nil {
			return nil, err
		}
		if codeSha256 != "" && codeSha256 != r.CodeSha256 {
			return nil, invalidParam("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", clip(codeSha256), r.CodeSha256)
		}
		if revisionID != "" && revisionID != r.RevisionID {
			return nil, precondition("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
		}
		v := *r
		if description != nil {
			v.Description = *description
		}
		v.RevisionID = integrations.NewUUID()
		n, existing, err := s.st.FunctionPublish(ctx, name, f.Latest, v.encode(), r.digest())
		if errors.Is(err, store.ErrStale) {
			continue // $LATEST changed: publish what it is now
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Function not found: %s", s.FunctionARN(name))
		}
		if err != nil {
			return nil, err
		}
		version := strconv.Itoa(n)
		if existing {
			rec, err := s.versionRecord(ctx, name, version)
			if err != nil {
				return nil, err
			}
			return s.configuration(name, version, rec), nil
		}
		return s.configuration(name, version, &v), nil
	}
}

// ListVersionsByFunction answers a page of a function's versions,
// $LATEST first.
func (s *Service) ListVersionsByFunction(ctx context.Context, name, marker string, maxItems int) (*ListFunctionsOutput, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	limit, m, err := listPage(maxItems, marker)
	if err != nil {
		return nil, err
	}
	after := 0
	if m != "" {
		if after, err = strconv.Atoi(m); err != nil || after < 0 {
			return nil, invalidParam("Invalid Marker %q: pass the NextMarker of the page before", clip(marker))
		}
	}
	_, r, err := s.function(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionsOutput{Versions: []*FunctionConfiguration{}}
	if m == "" {
		out.Versions = append(out.Versions, s.configuration(ref.Name, latest, r))
		if limit == 1 {
			out.NextMarker = encodeMarker("0")
			return out, nil
		}
		limit--
	}
	vs, next, err := s.st.FunctionVersionList(ctx, ref.Name, after, limit)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		rec, err := decodeRecord(v.Record)
		if err != nil {
			return nil, err
		}
		out.Versions = append(out.Versions, s.configuration(ref.Name, strconv.Itoa(v.Version), rec))
	}
	if next != 0 {
		out.NextMarker = encodeMarker(strconv.Itoa(next))
	}
	return out, nil
}
