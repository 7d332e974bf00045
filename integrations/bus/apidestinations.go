package bus

import (
	"context"
	"fmt"
	"net/url"
	"time"
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
	if _, err := apiDestRecords.create(ctx, s, d); err != nil {
		return nil, err
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
	return apiDestRecords.read(ctx, s, name)
}

// DescribeApiDestination returns an API destination.
func (s *Service) DescribeApiDestination(ctx context.Context, name string) (*APIDestination, error) {
	return apiDestRecords.describe(ctx, s, name)
}

// UpdateApiDestination changes an API destination.
func (s *Service) UpdateApiDestination(ctx context.Context, in *APIDestinationInput) (*APIDestination, error) {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return nil, e
	}
	return apiDestRecords.change(ctx, s, in.Name, func(d *APIDestination) error {
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.ConnectionArn != "" && in.ConnectionArn != d.ConnectionArn {
			if err := s.checkConnectionARN(ctx, in.ConnectionArn); err != nil {
				return err
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
			return e
		}
		return nil
	})
}

// DeleteApiDestination deletes an API destination.
func (s *Service) DeleteApiDestination(ctx context.Context, name string) error {
	if e := checkName(name, "name", maxConnectionName); e != nil {
		return e
	}
	_, err := apiDestRecords.change(ctx, s, name, func(*APIDestination) error { return errRecordDeleted })
	return err
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
	dests, next, err := apiDestRecords.list(ctx, s, in.NamePrefix, in.NextToken, limit, func(d *APIDestination) bool {
		return in.ConnectionArn == "" || d.ConnectionArn == in.ConnectionArn
	})
	if err != nil {
		return nil, err
	}
	return &ListApiDestinationsOutput{ApiDestinations: dests, NextToken: next}, nil
}
