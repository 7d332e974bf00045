package events

import (
	"context"

	"github.com/signalbox/signalbox/integrations/bus"
)

// connection is a connection as the API shows it; its secrets are never
// in it (bus.Service hides them).
type connection struct {
	ConnectionArn      string                        `json:"ConnectionArn"`
	Name               string                        `json:"Name,omitempty"`
	Description        string                        `json:"Description,omitempty"`
	ConnectionState    string                        `json:"ConnectionState"`
	StateReason        string                        `json:"StateReason,omitempty"`
	AuthorizationType  string                        `json:"AuthorizationType,omitempty"`
	SecretArn          string                        `json:"SecretArn,omitempty"`
	AuthParameters     *bus.ConnectionAuthParameters `json:"AuthParameters,omitempty"`
	CreationTime       *epoch                        `json:"CreationTime,omitempty"`
	LastModifiedTime   *epoch                        `json:"LastModifiedTime,omitempty"`
	LastAuthorizedTime *epoch                        `json:"LastAuthorizedTime,omitempty"`
}

// connectionState is the short answer of the actions that change a
// connection.
func connectionState(c *bus.Connection) *connection {
	return &connection{ConnectionArn: c.ConnectionArn, ConnectionState: c.ConnectionState, CreationTime: at(c.CreationTime),
		LastModifiedTime: at(c.LastModifiedTime), LastAuthorizedTime: at(c.LastAuthorizedTime)}
}

type createConnectionIn struct {
	Name              string                       `json:"Name"`
	Description       string                       `json:"Description"`
	AuthorizationType string                       `json:"AuthorizationType"`
	AuthParameters    bus.ConnectionAuthParameters `json:"AuthParameters"`
}

func createConnection(s *API, ctx context.Context, in *createConnectionIn) (*connection, error) {
	c, err := s.b().CreateConnection(ctx, &bus.CreateConnectionInput{Name: in.Name, Description: in.Description,
		AuthorizationType: in.AuthorizationType, AuthParameters: in.AuthParameters})
	if err != nil {
		return nil, err
	}
	out := connectionState(c)
	out.LastAuthorizedTime = nil // CreateConnection's answer has none
	return out, nil
}

func describeConnection(s *API, ctx context.Context, in *nameIn) (*connection, error) {
	c, err := s.b().DescribeConnection(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	out := connectionState(c)
	out.Name, out.Description, out.StateReason, out.AuthorizationType, out.SecretArn = c.Name, c.Description, c.StateReason, c.AuthorizationType, c.SecretArn
	out.AuthParameters = &c.AuthParameters
	return out, nil
}

type updateConnectionIn struct {
	Name              string                        `json:"Name"`
	Description       *string                       `json:"Description"`
	AuthorizationType string                        `json:"AuthorizationType"`
	AuthParameters    *bus.ConnectionAuthParameters `json:"AuthParameters"`
}

func updateConnection(s *API, ctx context.Context, in *updateConnectionIn) (*connection, error) {
	c, err := s.b().UpdateConnection(ctx, &bus.UpdateConnectionInput{Name: in.Name, Description: in.Description,
		AuthorizationType: in.AuthorizationType, AuthParameters: in.AuthParameters})
	if err != nil {
		return nil, err
	}
	return connectionState(c), nil
}

func deleteConnection(s *API, ctx context.Context, in *nameIn) (*connection, error) {
	c, err := s.b().DeleteConnection(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return connectionState(c), nil
}

func deauthorizeConnection(s *API, ctx context.Context, in *nameIn) (*connection, error) {
	c, err := s.b().DeauthorizeConnection(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return connectionState(c), nil
}

type listConnectionsIn struct {
	NamePrefix      string `json:"NamePrefix"`
	ConnectionState string `json:"ConnectionState"`
	NextToken       string `json:"NextToken"`
	Limit           int    `json:"Limit"`
}

type listConnectionsOut struct {
	Connections []connection `json:"Connections"`
	NextToken   string       `json:"NextToken,omitempty"`
}

func listConnections(s *API, ctx context.Context, in *listConnectionsIn) (*listConnectionsOut, error) {
	out, err := s.b().ListConnections(ctx, &bus.ListConnectionsInput{NamePrefix: in.NamePrefix, ConnectionState: in.ConnectionState,
		NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	res := &listConnectionsOut{Connections: make([]connection, len(out.Connections)), NextToken: out.NextToken}
	for i := range out.Connections {
		c := &out.Connections[i]
		e := connectionState(c)
		e.Name, e.StateReason, e.AuthorizationType = c.Name, c.StateReason, c.AuthorizationType
		res.Connections[i] = *e
	}
	return res, nil
}

type apiDestination struct {
	ApiDestinationArn            string `json:"ApiDestinationArn"`
	Name                         string `json:"Name,omitempty"`
	Description                  string `json:"Description,omitempty"`
	ApiDestinationState          string `json:"ApiDestinationState"`
	ConnectionArn                string `json:"ConnectionArn,omitempty"`
	InvocationEndpoint           string `json:"InvocationEndpoint,omitempty"`
	HttpMethod                   string `json:"HttpMethod,omitempty"`
	InvocationRateLimitPerSecond int    `json:"InvocationRateLimitPerSecond,omitempty"`
	CreationTime                 *epoch `json:"CreationTime,omitempty"`
	LastModifiedTime             *epoch `json:"LastModifiedTime,omitempty"`
}

func toAPIDestination(d *bus.APIDestination, full bool) *apiDestination {
	out := &apiDestination{ApiDestinationArn: d.ApiDestinationArn, ApiDestinationState: d.ApiDestinationState,
		CreationTime: at(d.CreationTime), LastModifiedTime: at(d.LastModifiedTime)}
	if full {
		out.Name, out.Description, out.ConnectionArn, out.InvocationEndpoint = d.Name, d.Description, d.ConnectionArn, d.InvocationEndpoint
		out.HttpMethod, out.InvocationRateLimitPerSecond = d.HttpMethod, d.InvocationRateLimitPerSecond
	}
	return out
}

type apiDestinationIn struct {
	Name                         string  `json:"Name"`
	Description                  *string `json:"Description"`
	ConnectionArn                string  `json:"ConnectionArn"`
	InvocationEndpoint           string  `json:"InvocationEndpoint"`
	HttpMethod                   string  `json:"HttpMethod"`
	InvocationRateLimitPerSecond int     `json:"InvocationRateLimitPerSecond"`
}

func (in *apiDestinationIn) bus() *bus.APIDestinationInput {
	return &bus.APIDestinationInput{Name: in.Name, Description: in.Description, ConnectionArn: in.ConnectionArn,
		InvocationEndpoint: in.InvocationEndpoint, HttpMethod: in.HttpMethod, InvocationRateLimitPerSecond: in.InvocationRateLimitPerSecond}
}

func createAPIDestination(s *API, ctx context.Context, in *apiDestinationIn) (*apiDestination, error) {
	d, err := s.b().CreateApiDestination(ctx, in.bus())
	if err != nil {
		return nil, err
	}
	return toAPIDestination(d, false), nil
}

func describeAPIDestination(s *API, ctx context.Context, in *nameIn) (*apiDestination, error) {
	d, err := s.b().DescribeApiDestination(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return toAPIDestination(d, true), nil
}

func updateAPIDestination(s *API, ctx context.Context, in *apiDestinationIn) (*apiDestination, error) {
	d, err := s.b().UpdateApiDestination(ctx, in.bus())
	if err != nil {
		return nil, err
	}
	return toAPIDestination(d, false), nil
}

func deleteAPIDestination(s *API, ctx context.Context, in *nameIn) (*empty, error) {
	return &empty{}, s.b().DeleteApiDestination(ctx, in.Name)
}

type listAPIDestinationsIn struct {
	NamePrefix    string `json:"NamePrefix"`
	ConnectionArn string `json:"ConnectionArn"`
	NextToken     string `json:"NextToken"`
	Limit         int    `json:"Limit"`
}

type listAPIDestinationsOut struct {
	ApiDestinations []apiDestination `json:"ApiDestinations"`
	NextToken       string           `json:"NextToken,omitempty"`
}

func listAPIDestinations(s *API, ctx context.Context, in *listAPIDestinationsIn) (*listAPIDestinationsOut, error) {
	out, err := s.b().ListApiDestinations(ctx, &bus.ListApiDestinationsInput{NamePrefix: in.NamePrefix, ConnectionArn: in.ConnectionArn,
		NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	res := &listAPIDestinationsOut{ApiDestinations: make([]apiDestination, len(out.ApiDestinations)), NextToken: out.NextToken}
	for i := range out.ApiDestinations {
		d := toAPIDestination(&out.ApiDestinations[i], true)
		d.Description = ""
		res.ApiDestinations[i] = *d
	}
	return res, nil
}
