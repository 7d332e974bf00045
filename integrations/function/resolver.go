package function

import (
	"cmp"
	"context"
	"fmt"
	"strings"
)

// StaticResolver is a Resolver over a fixed set of functions: those a
// configuration declares for `run`, and tests'. Its functions have
// versions (each Config one; $LATEST when Version is empty) and no
// aliases. A name resolves as the Lambda API resolves it
// (ParseFunctionName): a name, partial or full ARN, with ":<version>" or a
// Qualifier; an ARN naming another region or account finds nothing.
type StaticResolver struct {
	region, account string
	fns             map[string]*Config // by "name:version"
}

// NewStaticResolver returns a resolver of configs, in region and account
// (their ARNs, filled in where empty). A Config must have a valid name and
// exactly one of Endpoint and Executable; its Timeout at most MaxTimeout.
// The resolver keeps copies, which Resolve hands out: not to be changed.
func NewStaticResolver(region, account string, configs ...Config) (*StaticResolver, error) {
	r := &StaticResolver{region: region, account: account, fns: make(map[string]*Config, len(configs))}
	for i := range configs {
		c := configs[i]
		if _, _, err := ParseFunctionName(c.Name, ""); err != nil || strings.Contains(c.Name, ":") {
			return nil, fmt.Errorf("function %q: not a function name (1 to %d letters, digits, hyphens, underscores)", c.Name, MaxNameLength)
		}
		if (c.Endpoint == "") == (c.Executable == "") {
			return nil, fmt.Errorf("function %s: give exactly one of an HTTP endpoint and an executable", c.Name)
		}
		if c.Timeout < 0 || c.Timeout > MaxTimeout {
			return nil, fmt.Errorf("function %s: the timeout %s is not within 1 s and %s", c.Name, c.Timeout, MaxTimeout)
		}
		c.Version = cmp.Or(c.Version, LatestVersion)
		c.ARN = cmp.Or(c.ARN, FunctionARN("aws", region, account, c.Name))
		key := c.Name + ":" + c.Version
		if _, dup := r.fns[key]; dup {
			return nil, fmt.Errorf("function %s: version %s given twice", c.Name, c.Version)
		}
		r.fns[key] = &c
	}
	return r, nil
}

// Resolve finds the function name and qualifier name; ErrNotFound when
// there is none, an *Error when name or qualifier is malformed.
func (r *StaticResolver) Resolve(_ context.Context, name, qualifier string) (*Config, error) {
	ref, err := ParseFunctionRef(name, qualifier)
	if err != nil {
		return nil, err
	}
	if (ref.Region != "" && ref.Region != r.region) || (ref.Account != "" && ref.Account != r.account) {
		return nil, ErrNotFound
	}
	c, ok := r.fns[ref.Name+":"+cmp.Or(ref.Qualifier, LatestVersion)]
	if !ok {
		return nil, ErrNotFound
	}
	return c, nil
}

// Functions lists the resolver's functions.
func (r *StaticResolver) Functions() []*Config {
	out := make([]*Config, 0, len(r.fns))
	for _, c := range r.fns {
		out = append(out, c)
	}
	return out
}
