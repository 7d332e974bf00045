package config

import (
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/bus/apidest"
)

// The connections and apiDestinations sections: the bus router's API
// destinations and the authorizations they call with (buses.go shows the
// file's shape); ApplyBuses (busapply.go) applies them before the buses,
// whose targets may name them.

// Connection is a connection of the file (an API destination's
// authorization). Its secrets may come from the environment (${NAME}).
type Connection struct {
	Name              string
	Description       *string
	AuthorizationType string
	AuthParameters    bus.ConnectionAuthParameters
	index             int // in connections
}

// APIDestination is an API destination of the file, of a connection of
// the file or the store (by name). Description nil and a rate of 0 when
// the file leaves them out (AWS's default, 300, for a new one; an
// existing one keeps its own).
type APIDestination struct {
	Name                         string
	Description                  *string
	Connection                   string
	InvocationEndpoint           string
	HTTPMethod                   string
	InvocationRateLimitPerSecond int
	index                        int // in apiDestinations
}

// decodeConnections reads the connections section.
func decodeConnections(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		cn := Connection{index: len(c.Connections)}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":              func(n *yaml.Node, p string) { cn.Name = d.str(n, p) },
			"description":       func(n *yaml.Node, p string) { cn.Description = ptr(d.str(n, p)) },
			"authorizationType": func(n *yaml.Node, p string) { cn.AuthorizationType = d.str(n, p) },
			"authParameters":    func(n *yaml.Node, p string) { cn.AuthParameters = d.authParameters(n, p) },
		})
		switch {
		case cn.Name == "":
			d.fail(item, p+".name", "required")
		case seen[cn.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", cn.Name, seen[cn.Name])
		default:
			seen[cn.Name] = p
		}
		if cn.AuthorizationType == "" {
			ap := cn.AuthParameters
			var kinds []string
			for kind, set := range map[string]bool{"BASIC": ap.BasicAuthParameters != nil, "API_KEY": ap.APIKeyAuthParameters != nil,
				"OAUTH_CLIENT_CREDENTIALS": ap.OAuthParameters != nil} {
				if set {
					kinds = append(kinds, kind)
				}
			}
			if len(kinds) == 1 {
				cn.AuthorizationType = kinds[0]
			} else {
				d.fail(item, p+".authorizationType", "required: BASIC, API_KEY or OAUTH_CLIENT_CREDENTIALS (implied when authParameters gives one of basicAuthParameters, apiKeyAuthParameters and oAuthParameters)")
			}
		}
		c.Connections = append(c.Connections, cn)
	})
}

// authParameters reads a connection's authParameters.
func (d *decoder) authParameters(n *yaml.Node, path string) bus.ConnectionAuthParameters {
	var ap bus.ConnectionAuthParameters
	d.mapping(n, path, map[string]func(*yaml.Node, string){
		"basicAuthParameters": func(n *yaml.Node, p string) {
			b := &bus.BasicAuthParameters{}
			d.mapping(n, p, map[string]func(*yaml.Node, string){
				"username": func(n *yaml.Node, p string) { b.Username = d.str(n, p) },
				"password": func(n *yaml.Node, p string) { b.Password = d.str(n, p) },
			})
			ap.BasicAuthParameters = b
		},
		"apiKeyAuthParameters": func(n *yaml.Node, p string) {
			k := &bus.APIKeyAuthParameters{}
			d.mapping(n, p, map[string]func(*yaml.Node, string){
				"apiKeyName":  func(n *yaml.Node, p string) { k.APIKeyName = d.str(n, p) },
				"apiKeyValue": func(n *yaml.Node, p string) { k.APIKeyValue = d.str(n, p) },
			})
			ap.APIKeyAuthParameters = k
		},
		"oAuthParameters": func(n *yaml.Node, p string) {
			o := &bus.OAuthParameters{}
			d.mapping(n, p, map[string]func(*yaml.Node, string){
				"authorizationEndpoint": func(n *yaml.Node, p string) { o.AuthorizationEndpoint = d.str(n, p) },
				"httpMethod":            func(n *yaml.Node, p string) { o.HTTPMethod = d.str(n, p) },
				"clientParameters": func(n *yaml.Node, p string) {
					cp := &bus.OAuthClientParameters{}
					d.mapping(n, p, map[string]func(*yaml.Node, string){
						"clientId":     func(n *yaml.Node, p string) { cp.ClientID = d.str(n, p) },
						"clientSecret": func(n *yaml.Node, p string) { cp.ClientSecret = d.str(n, p) },
					})
					o.ClientParameters = cp
				},
				"oAuthHttpParameters": func(n *yaml.Node, p string) { o.OAuthHTTPParameters = d.invocationParameters(n, p) },
			})
			ap.OAuthParameters = o
		},
		"invocationHttpParameters": func(n *yaml.Node, p string) { ap.InvocationHTTPParameters = d.invocationParameters(n, p) },
	})
	return ap
}

// invocationParameters reads {headerParameters, queryStringParameters,
// bodyParameters}, each a list of {key, value, isValueSecret}.
func (d *decoder) invocationParameters(n *yaml.Node, path string) *apidest.InvocationParameters {
	ip := &apidest.InvocationParameters{}
	params := func(into *[]apidest.Parameter) func(*yaml.Node, string) {
		return func(n *yaml.Node, p string) {
			d.list(n, p, func(item *yaml.Node, p string) {
				var pm apidest.Parameter
				d.mapping(item, p, map[string]func(*yaml.Node, string){
					"key":           func(n *yaml.Node, p string) { pm.Key = d.str(n, p) },
					"value":         func(n *yaml.Node, p string) { pm.Value = d.scalar(n, p) },
					"isValueSecret": func(n *yaml.Node, p string) { pm.IsValueSecret = d.boolean(n, p) },
				})
				if pm.Key == "" {
					d.fail(item, p+".key", "required")
				}
				*into = append(*into, pm)
			})
		}
	}
	d.mapping(n, path, map[string]func(*yaml.Node, string){
		"headerParameters":      params(&ip.HeaderParameters),
		"queryStringParameters": params(&ip.QueryStringParameters),
		"bodyParameters":        params(&ip.BodyParameters),
	})
	return ip
}

// decodeAPIDestinations reads the apiDestinations section.
func decodeAPIDestinations(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		ad := APIDestination{index: len(c.APIDestinations)}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":               func(n *yaml.Node, p string) { ad.Name = d.str(n, p) },
			"description":        func(n *yaml.Node, p string) { ad.Description = ptr(d.str(n, p)) },
			"connection":         func(n *yaml.Node, p string) { ad.Connection = d.str(n, p) },
			"invocationEndpoint": func(n *yaml.Node, p string) { ad.InvocationEndpoint = d.str(n, p) },
			"httpMethod":         func(n *yaml.Node, p string) { ad.HTTPMethod = d.str(n, p) },
			"invocationRateLimitPerSecond": func(n *yaml.Node, p string) {
				ad.InvocationRateLimitPerSecond = d.integer(n, p)
			},
		})
		switch {
		case ad.Name == "":
			d.fail(item, p+".name", "required")
		case seen[ad.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", ad.Name, seen[ad.Name])
		default:
			seen[ad.Name] = p
		}
		for _, f := range []struct{ field, v string }{{"connection", ad.Connection}, {"invocationEndpoint", ad.InvocationEndpoint}, {"httpMethod", ad.HTTPMethod}} {
			if f.v == "" && lookupNode(item, f.field) == nil {
				d.fail(item, p+"."+f.field, "required")
			}
		}
		c.APIDestinations = append(c.APIDestinations, ad)
	})
}

func connectionInput(cn Connection) bus.CreateConnectionInput {
	in := bus.CreateConnectionInput{Name: cn.Name, AuthorizationType: cn.AuthorizationType, AuthParameters: cn.AuthParameters}
	if cn.Description != nil {
		in.Description = *cn.Description
	}
	return in
}

func apiDestinationInput(ad APIDestination, connARN string) bus.APIDestinationInput {
	return bus.APIDestinationInput{Name: ad.Name, Description: ad.Description, ConnectionArn: connARN, InvocationEndpoint: ad.InvocationEndpoint,
		HttpMethod: ad.HTTPMethod, InvocationRateLimitPerSecond: ad.InvocationRateLimitPerSecond}
}

// applyConnection creates or updates a connection ("" when refused).
func (a *busApply) applyConnection(ctx context.Context, cn Connection) string {
	svc := a.svc
	stored, err := svc.DescribeConnection(ctx, cn.Name)
	in := connectionInput(cn)
	if notFound(err) {
		made, cerr := svc.CreateConnection(ctx, &in)
		if cerr == nil {
			a.connARNs[cn.Name] = made.ConnectionArn
			return describe("connection", "created", cn.Name, nil)
		}
		if !alreadyExists(cerr) {
			a.fail("connections", cn.index, "name", cerr)
			return ""
		}
		// made meanwhile by another process applying the file: updated
		// if it differs
		stored, err = svc.DescribeConnection(ctx, cn.Name)
	}
	if err != nil {
		a.fail("connections", cn.index, "name", err)
		return ""
	}
	a.connARNs[cn.Name] = stored.ConnectionArn
	var notes []string
	upd := &bus.UpdateConnectionInput{Name: cn.Name}
	if cn.Description != nil && *cn.Description != stored.Description {
		upd.Description = cn.Description
		notes = append(notes, "description")
	}
	// the secrets are compared as the data plane reads them, and never
	// shown; a deauthorized connection is authorized again
	auth, err := svc.ConnectionAuth(ctx, stored.ConnectionArn)
	want := authOf(cn)
	if err != nil || stored.AuthorizationType != cn.AuthorizationType || !sameJSON(auth, want) {
		p := cn.AuthParameters
		if p.InvocationHTTPParameters == nil {
			p.InvocationHTTPParameters = &apidest.InvocationParameters{} // the stored ones go
		}
		if o := p.OAuthParameters; o != nil && o.OAuthHTTPParameters == nil {
			oc := *o
			oc.OAuthHTTPParameters = &apidest.InvocationParameters{}
			p.OAuthParameters = &oc
		}
		upd.AuthorizationType, upd.AuthParameters = cn.AuthorizationType, &p
		notes = append(notes, "authorization")
	}
	if len(notes) > 0 {
		if _, err := svc.UpdateConnection(ctx, upd); err != nil {
			a.fail("connections", cn.index, "authParameters", err)
			return ""
		}
	}
	return describe("connection", "unchanged", cn.Name, notes)
}

// authOf is a connection of the file's authorization as
// bus.Service.ConnectionAuth gives the stored one's.
func authOf(cn Connection) apidest.Auth {
	p := cn.AuthParameters
	au := apidest.Auth{Type: cn.AuthorizationType}
	if b := p.BasicAuthParameters; b != nil {
		au.Username, au.Password = b.Username, b.Password
	}
	if k := p.APIKeyAuthParameters; k != nil {
		au.APIKeyName, au.APIKeyValue = k.APIKeyName, k.APIKeyValue
	}
	if o := p.OAuthParameters; o != nil {
		au.AuthorizationEndpoint, au.HTTPMethod = o.AuthorizationEndpoint, o.HTTPMethod
		if o.ClientParameters != nil {
			au.ClientID, au.ClientSecret = o.ClientParameters.ClientID, o.ClientParameters.ClientSecret
		}
		if o.OAuthHTTPParameters != nil {
			au.OAuthParameters = *o.OAuthHTTPParameters
		}
	}
	if p.InvocationHTTPParameters != nil {
		au.Invocation = *p.InvocationHTTPParameters
	}
	return au
}

// connectionARN is the ARN of a connection of the file (applied) or the
// store.
func (a *busApply) connectionARN(ctx context.Context, name string) (string, error) {
	if arn := a.connARNs[name]; arn != "" {
		return arn, nil
	}
	c, err := a.svc.DescribeConnection(ctx, name)
	if err != nil {
		return "", err
	}
	a.connARNs[name] = c.ConnectionArn
	return c.ConnectionArn, nil
}

// applyAPIDestination creates or updates an API destination ("" when
// refused).
func (a *busApply) applyAPIDestination(ctx context.Context, ad APIDestination) string {
	svc := a.svc
	connARN, err := a.connectionARN(ctx, ad.Connection)
	if err != nil {
		a.fail("apiDestinations", ad.index, "connection", err)
		return ""
	}
	in := apiDestinationInput(ad, connARN)
	stored, err := svc.DescribeApiDestination(ctx, ad.Name)
	if notFound(err) {
		made, cerr := svc.CreateApiDestination(ctx, &in)
		if cerr == nil {
			a.destARNs[ad.Name] = made.ApiDestinationArn
			return describe("API destination", "created", ad.Name, nil)
		}
		if !alreadyExists(cerr) {
			a.fail("apiDestinations", ad.index, "name", cerr)
			return ""
		}
		stored, err = svc.DescribeApiDestination(ctx, ad.Name) // made meanwhile: updated if it differs
	}
	if err != nil {
		a.fail("apiDestinations", ad.index, "name", err)
		return ""
	}
	a.destARNs[ad.Name] = stored.ApiDestinationArn
	var notes []string
	upd := &bus.APIDestinationInput{Name: ad.Name}
	if ad.Description != nil && *ad.Description != stored.Description {
		upd.Description, notes = ad.Description, append(notes, "description")
	}
	if connARN != stored.ConnectionArn {
		upd.ConnectionArn, notes = connARN, append(notes, "connection")
	}
	if ad.InvocationEndpoint != stored.InvocationEndpoint {
		upd.InvocationEndpoint, notes = ad.InvocationEndpoint, append(notes, fmt.Sprintf("invocationEndpoint %s → %s", shortValue(stored.InvocationEndpoint), shortValue(ad.InvocationEndpoint)))
	}
	if ad.HTTPMethod != stored.HttpMethod {
		upd.HttpMethod, notes = ad.HTTPMethod, append(notes, fmt.Sprintf("httpMethod %s → %s", stored.HttpMethod, ad.HTTPMethod))
	}
	if r := ad.InvocationRateLimitPerSecond; r != 0 && r != stored.InvocationRateLimitPerSecond {
		upd.InvocationRateLimitPerSecond, notes = r, append(notes, fmt.Sprintf("invocationRateLimitPerSecond %d → %d", stored.InvocationRateLimitPerSecond, r))
	}
	if len(notes) > 0 {
		if _, err := svc.UpdateApiDestination(ctx, upd); err != nil {
			a.fail("apiDestinations", ad.index, "name", err)
			return ""
		}
	}
	return describe("API destination", "unchanged", ad.Name, notes)
}
