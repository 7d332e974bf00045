package schemas

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// Resource policies: PutResourcePolicy, GetResourcePolicy and
// DeleteResourcePolicy keep a registry's policy (an IAM policy document)
// with a revision id, as AWS does; PutResourcePolicy with a RevisionId
// that is not the policy's is PreconditionFailedException. Signalbox
// stores the policy and does not enforce it (its callers are checked by
// the gateway's keys and credentials). Without a RegistryName AWS keeps
// an account's policy; here a registry is required.

// maxPolicy bounds a policy document (IAM's largest resource policy is
// 20 KiB).
const maxPolicy = 20 << 10

// Policy is a registry's resource policy as the API answers it.
type Policy struct {
	Policy     string `json:"Policy"`
	RevisionID string `json:"RevisionId"`
}

func checkPolicyRegistry(name string) *Error {
	if name == "" {
		return badRequest("RegistryName is required: Signalbox keeps policies per registry.")
	}
	return checkRegistryName(name)
}

// PutResourcePolicy sets a registry's policy; revisionID, when given,
// must be the current policy's.
func (s *Service) PutResourcePolicy(ctx context.Context, registry, policy, revisionID string) (*Policy, error) {
	if e := checkPolicyRegistry(registry); e != nil {
		return nil, e
	}
	if len(policy) > maxPolicy {
		return nil, badRequest("Policy is larger than %d bytes.", maxPolicy)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, badRequest("Policy is not a JSON object.")
	}
	if _, ok := doc["Statement"]; !ok {
		return nil, badRequest("Policy has no Statement.")
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	rev := hex.EncodeToString(b[:])
	err := s.changeRegistry(ctx, registry, func(r *registryRecord) *Error {
		if revisionID != "" && revisionID != r.RevisionID {
			return &Error{Code: CodePrecondition, Status: http.StatusPreconditionFailed,
				Message: "RevisionId " + clip(revisionID, 100) + " is not the policy's revision."}
		}
		r.Policy, r.RevisionID = policy, rev
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Policy{Policy: policy, RevisionID: rev}, nil
}

// GetResourcePolicy returns a registry's policy: NotFoundException when
// it has none.
func (s *Service) GetResourcePolicy(ctx context.Context, registry string) (*Policy, error) {
	if e := checkPolicyRegistry(registry); e != nil {
		return nil, e
	}
	r, _, err := s.registry(ctx, registry)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(r.Policy) == "" {
		return nil, notFound("Registry %s has no resource policy.", registry)
	}
	return &Policy{Policy: r.Policy, RevisionID: r.RevisionID}, nil
}

// DeleteResourcePolicy removes a registry's policy: NotFoundException
// when it has none.
func (s *Service) DeleteResourcePolicy(ctx context.Context, registry string) error {
	if e := checkPolicyRegistry(registry); e != nil {
		return e
	}
	return s.changeRegistry(ctx, registry, func(r *registryRecord) *Error {
		if r.Policy == "" {
			return notFound("Registry %s has no resource policy.", registry)
		}
		r.Policy, r.RevisionID = "", ""
		return nil
	})
}
