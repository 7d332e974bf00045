package function

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/signalbox/signalbox/store"
)

// Finding a function, a version or an alias by the names callers give.

// function reads a function's stored record, or ResourceNotFoundException.
func (s *Service) function(ctx context.Context, name string) (*store.FunctionRecord, *record, error) {
	f, err := s.st.FunctionGet(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound("Function not found: %s", s.FunctionARN(name))
	}
	if err != nil {
		return nil, nil, err
	}
	r, err := decodeRecord(f.Latest)
	if err != nil {
		return nil, nil, err
	}
	return f, r, nil
}

// ref parses a FunctionName and Qualifier, and refuses an ARN of another
// region or account (Lambda's functions are per region and account).
func (s *Service) ref(name, qualifier string) (functionRef, error) {
	r, err := parseRef(name, qualifier)
	if err != nil {
		return r, err
	}
	if (r.Partition != "" && r.Partition != "aws") || (r.Region != "" && r.Region != s.o.Region) || (r.Account != "" && r.Account != s.o.AccountID) {
		return r, notFound("Function not found: %s (this server is region %s, account %s)", clip(name), s.o.Region, s.o.AccountID)
	}
	return r, nil
}

// version reads the record a qualifier names: $LATEST, a version or an
// alias (its primary version); it returns the version's name.
func (s *Service) version(ctx context.Context, name, qualifier string) (string, *record, error) {
	_, r, err := s.function(ctx, name)
	if err != nil {
		return "", nil, err
	}
	if qualifier == "" || qualifier == latest {
		return latest, r, nil
	}
	v := qualifier
	if !isVersion(qualifier) {
		a, err := s.st.FunctionAliasGet(ctx, name, qualifier)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, notFound("Function not found: %s:%s", s.FunctionARN(name), qualifier)
		}
		if err != nil {
			return "", nil, err
		}
		v = a.Version
		if v == latest {
			return latest, r, nil
		}
	}
	r, err = s.versionRecord(ctx, name, v)
	return v, r, err
}

func (s *Service) versionRecord(ctx context.Context, name, v string) (*record, error) {
	n, err := parseVersion(v)
	if err != nil {
		return nil, notFound("Function not found: %s:%s", s.FunctionARN(name), v)
	}
	rec, err := s.st.FunctionVersionGet(ctx, name, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Function not found: %s:%s", s.FunctionARN(name), v)
	}
	if err != nil {
		return nil, err
	}
	return decodeRecord(rec)
}

func parseVersion(v string) (int, error) {
	if !isVersion(v) {
		return 0, fmt.Errorf("not a version: %q", v)
	}
	var n int
	_, err := fmt.Sscan(v, &n)
	return n, err
}

// unqualified parses a FunctionName that must have no qualifier.
func (s *Service) unqualified(name string) (functionRef, error) {
	ref, err := s.ref(name, "")
	if err == nil && ref.Qualifier != "" {
		err = invalidParam("This operation takes an unqualified FunctionName, got %q", clip(name))
	}
	return ref, err
}

// Resolve finds the version a FunctionName and Qualifier name, as Invoke
// and the Task states do: an alias is its version, or by its routing
// weights the additional one (Options.Rand picks). Errors: ErrNotFound
// (a ResourceNotFoundException) when there is no such function, version
// or alias; another *APIError for a malformed name.
func (s *Service) Resolve(ctx context.Context, name, qualifier string) (*Config, error) {
	ref, err := s.ref(name, qualifier)
	if err != nil {
		return nil, err
	}
	f, r, err := s.function(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	v := latest
	switch q := ref.Qualifier; {
	case q == "" || q == latest:
	case isVersion(q):
		v = q
	default:
		a, err := s.st.FunctionAliasGet(ctx, ref.Name, q)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Function not found: %s:%s", s.FunctionARN(ref.Name), q)
		}
		if err != nil {
			return nil, err
		}
		v = a.Version
		if len(a.Extra) > 0 {
			ar, err := decodeAliasRecord(a.Record)
			if err != nil {
				return nil, err
			}
			if w := ar.Weights[a.Extra[0]]; w > 0 && s.o.Rand() < w {
				v = a.Extra[0]
			}
		}
	}
	if v != latest {
		if r, err = s.versionRecord(ctx, ref.Name, v); err != nil {
			return nil, err
		}
	}
	return s.runConfig(ref.Name, v, r, f.ReservedConcurrency), nil
}

// runConfig is a version as an Invoker runs it.
func (s *Service) runConfig(name, version string, r *record, conc int) *Config {
	c := &Config{Name: name, ARN: s.FunctionARN(name), Version: version, Handler: r.Handler, Runtime: r.Runtime,
		Environment: r.Env, Timeout: time.Duration(r.Timeout) * time.Second, MemorySize: r.MemorySize,
		ReservedConcurrency: conc, Description: r.Description, CodeSha256: r.CodeSha256, CodeSize: r.CodeSize,
		LastModified: time.UnixMilli(r.LastModified), RevisionID: r.RevisionID}
	switch r.Kind {
	case kindHTTP:
		c.Endpoint = r.Handler
	default:
		c.Executable, c.CodeDir = r.Executable, r.CodeDir
	}
	return c
}
