package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/signalbox/signalbox/store"
)

// An API destination is an HTTP endpoint called through a connection, at
// most InvocationRateLimitPerSecond times a second (AWS's default, 300).

// The API destination states AWS has.
const (
	APIDestinationActive   = "ACTIVE"
	APIDestinationInactive = "INACTIVE"
)

// MaxAPIDestinations bounds the API destinations (AWS's quota: 3,000 per
// account and region).
const MaxAPIDestinations = 3000

// APIDestination is an API destination as DescribeApiDestination shows it.
type APIDestination struct {
	Name                         string    `json:"Name"`
	ApiDestinationArn            string    `json:"ApiDestinationArn"`
	Description                  string    `json:"Description,omitempty"`
	ApiDestinationState          string    `json:"ApiDestinationState"`
	ConnectionArn                string    `json:"ConnectionArn"`
	InvocationEndpoint           string    `json:"InvocationEndpoint"`
	HttpMethod                   string    `json:"HttpMethod"`
	InvocationRateLimitPerSecond int       `json:"InvocationRateLimitPerSecond"`
	CreationTime                 time.Time `json:"CreationTime"`
	LastModifiedTime             time.Time `json:"LastModifiedTime"`
}

// APIDestinationInput is CreateApiDestination's and UpdateApiDestination's
// request (an update replaces what it gives: "" and 0 keep the old value).
type APIDestinationInput struct {
	Name                         string
	Description                  *string
	ConnectionArn                string
	InvocationEndpoint           string
	HttpMethod                   string
	InvocationRateLimitPerSecond int
}

func apiDestErrMissing(name string) *Error {
	return notFoundf("Failed to describe the api-destination(s). An api-destination '%s' does not exist.", name)
}

func checkAPIDest(d *APIDestination) *Error {
	u, err := url.Parse(d.InvocationEndpoint)
	if d.InvocationEndpoint == "" || len(d.InvocationEndpoint) > 2048 || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// AWS takes https only; http is accepted for endpoints on a
		// private network (and tests on loopback)
		return validationf("Parameter InvocationEndpoint is not valid: it must be an HTTP(S) URL of up to 2048 characters.")
	}
	switch d.HttpMethod {
	case "POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE":
	default:
		return constraint(d.HttpMethod, "httpMethod", "Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]")
	}
	if d.InvocationRateLimitPerSecond < 1 {
		return constraint(fmt.Sprint(d.InvocationRateLimitPerSecond), "invocationRateLimitPerSecond", "Member must have value greater than or equal to 1")
	}
	return checkDescription(d.Description)
}

// CreateApiDestination creates an API destination of an existing
// connection.
func (s *Service) CreateApiDestination(ctx context.Context, in *APIDestinationInput) (*APIDestination, error) {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	now := s.now().UTC()
	d := &APIDestination{Name: in.Name, ApiDestinationArn: s.arn("api-destination/" + in.Name + "/" + newID()),
		ApiDestinationState: APIDestinationActive, ConnectionArn: in.ConnectionArn, InvocationEndpoint: in.InvocationEndpoint,
		HttpMethod: in.HttpMethod, InvocationRateLimitPerSecond: in.InvocationRateLimitPerSecond, CreationTime: now, LastModifiedTime: now}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if d.InvocationRateLimitPerSecond == 0 {
		d.InvocationRateLimitPerSecond = defaultRateLimit
	}
	if e := checkAPIDest(d); e != nil {
		return nil, e
	}
	if err := s.checkConnectionARN(ctx, d.ConnectionArn); err != nil {
		return nil, err
	}
	rec, err := json.Marshal(d)
	if err != nil {
		return nil, storeError(err, nil)
	}
	err = s.st.APIDestinationWrite(ctx, d.Name, "", string(rec), MaxAPIDestinations)
	if errors.Is(err, store.ErrBusChanged) {
		return nil, errorf("ResourceAlreadyExistsException", "An api-destination %s already exists.", d.Name)
	}
	if err != nil {
		return nil, storeError(err, nil)
	}
	return d, nil
}

// checkConnectionARN checks that a connection's ARN names an existing
// connection.
func (s *Service) checkConnectionARN(ctx context.Context, arn string) error {
	name, ok := s.nameWithID(arn, "connection")
	if !ok {
		return validationf("Parameter ConnectionArn is not valid: %s is not the ARN of a connection.", clip(arn, 256))
	}
	c, _, err := s.connection(ctx, name)
	if err != nil {
		return err
	}
	if c.ConnectionArn != arn {
		return connectionErrMissing(name) // a connection of that name made since
	}
	return nil
}

// APIDestinationByName reads an API destination (the data plane's: a
// target's ARN names it).
func (s *Service) APIDestinationByName(ctx context.Context, name string) (*APIDestination, string, error) {
	rec, err := s.st.APIDestinationGet(ctx, name)
	if err != nil {
		return nil, "", storeError(err, apiDestErrMissing(name))
	}
	d := new(APIDestination)
	if err := json.Unmarshal([]byte(rec), d); err != nil {
		return nil, "", storeError(fmt.Errorf("%w: API destination %s: %v", store.ErrCorrupt, name, err), nil)
	}
	return d, rec, nil
}

// DescribeApiDestination returns an API destination.
func (s *Service) DescribeApiDestination(ctx context.Context, name string) (*APIDestination, error) {
	if e := checkName(name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	d, _, err := s.APIDestinationByName(ctx, name)
	return d, err
}

// UpdateApiDestination changes an API destination.
func (s *Service) UpdateApiDestination(ctx context.Context, in *APIDestinationInput) (*APIDestination, error) {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	for range maxConcurrentTries {
		d, cur, err := s.APIDestinationByName(ctx, in.Name)
		if err != nil {
			return nil, err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.ConnectionArn != "" && in.ConnectionArn != d.ConnectionArn {
			if err := s.checkConnectionARN(ctx, in.ConnectionArn); err != nil {
				return nil, err
			}
			d.ConnectionArn = in.ConnectionArn
		}
		if in.InvocationEndpoint != "" {
			d.InvocationEndpoint = in.InvocationEndpoint
		}
		if in.HttpMethod != "" {
			d.HttpMethod = in.HttpMethod
		}
		if in.InvocationRateLimitPerSecond != 0 {
			d.InvocationRateLimitPerSecond = in.InvocationRateLimitPerSecond
		}
		if e := checkAPIDest(d); e != nil {
			return nil, e
		}
		d.LastModifiedTime = s.now().UTC()
		rec, err := json.Marshal(d)
		if err != nil {
			return nil, storeError(err, nil)
		}
		err = s.st.APIDestinationWrite(ctx, d.Name, cur, string(rec), MaxAPIDestinations)
		if errors.Is(err, store.ErrBusChanged) {
			continue
		}
		if err != nil {
			return nil, storeError(err, apiDestErrMissing(d.Name))
		}
		return d, nil
	}
	return nil, errConcurrent("API destination " + in.Name)
}

// DeleteApiDestination deletes an API destination.
func (s *Service) DeleteApiDestination(ctx context.Context, name string) error {
	if e := checkName(name, "name", maxConnectionName); e != nil {
		return e
	}
	for range maxConcurrentTries {
		_, cur, err := s.APIDestinationByName(ctx, name)
		if err != nil {
			return err
		}
		err = s.st.APIDestinationWrite(ctx, name, cur, "", MaxAPIDestinations)
		if errors.Is(err, store.ErrBusChanged) {
			continue
		}
		return storeError(err, apiDestErrMissing(name))
	}
	return errConcurrent("API destination " + name)
}

// ListApiDestinationsInput is ListApiDestinations's request.
type ListApiDestinationsInput struct {
	NamePrefix    string
	ConnectionArn string
	NextToken     string
	Limit         int
}

// ListApiDestinationsOutput is a page of API destinations.
type ListApiDestinationsOutput struct {
	ApiDestinations []APIDestination
	NextToken       string
}

// ListApiDestinations lists the API destinations by name.
func (s *Service) ListApiDestinations(ctx context.Context, in *ListApiDestinationsInput) (*ListApiDestinationsOutput, error) {
	limit, e := listLimit(in.Limit)
	if e != nil {
		return nil, e
	}
	after, e := parsePageToken("apidests", in.NextToken)
	if e != nil {
		return nil, e
	}
	recs, err := s.st.APIDestinations(ctx)
	if err != nil {
		return nil, storeError(err, nil)
	}
	names := make([]string, 0, len(recs))
	for n := range recs {
		if n > after && strings.HasPrefix(n, in.NamePrefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &ListApiDestinationsOutput{ApiDestinations: []APIDestination{}}
	for _, n := range names {
		var d APIDestination
		if err := json.Unmarshal([]byte(recs[n]), &d); err != nil {
			return nil, storeError(fmt.Errorf("%w: API destination %s: %v", store.ErrCorrupt, n, err), nil)
		}
		if in.ConnectionArn != "" && d.ConnectionArn != in.ConnectionArn {
			continue
		}
		if len(out.ApiDestinations) == limit {
			out.NextToken = pageToken("apidests", out.ApiDestinations[limit-1].Name)
			break
		}
		out.ApiDestinations = append(out.ApiDestinations, d)
	}
	return out, nil
}
