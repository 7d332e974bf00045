package config

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
)

// decodeRoutes hands each route to gateway.DecodeRoute, the decoder the
// management API's POST /api/v1/routes uses too, and reports its problems
// at their lines in the file.
func decodeRoutes(d *decoder, n *yaml.Node, path string, c *Config) {
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		rt, errs := gateway.DecodeRoute(d.value(item, p))
		for _, e := range errs {
			c.itemProblem(d, "routes", len(c.Routes), e.Field, e.Message)
		}
		c.Routes = append(c.Routes, rt)
	})
}

// checkRoutes checks the routes together, their keys, and the state
// machines of the file they name.
func checkRoutes(d *decoder, c *Config) {
	for _, e := range gateway.CheckRoutes(c.Routes) {
		c.itemProblem(d, "routes", e.Index, e.Field, e.Message)
	}
	machines := map[string]StateMachine{}
	for _, m := range c.StateMachines {
		machines[m.Name] = m
	}
	keyed := -1 // the first route with keys
	for i, rt := range c.Routes {
		if keyed < 0 && len(rt.APIKeys) > 0 {
			keyed = i
		}
		if m, ok := machines[rt.StateMachine]; ok && rt.Mode == gateway.ModeSync && m.Type != runtime.TypeExpress {
			c.itemProblem(d, "routes", i, "mode", fmt.Sprintf("a sync route runs an EXPRESS state machine; %s is %s", m.Name, m.Type))
		}
		for j, k := range rt.APIKeys {
			if slices.Contains(c.API.Keys, k) {
				c.itemProblem(d, "routes", i, fmt.Sprintf("apiKeys[%d]", j), "the same key as one of api.keys: a route key must not be a management key")
			}
		}
	}
	switch {
	case keyed < 0 || len(c.API.Keys) > 0 || len(c.Credentials) > 0:
	case c.API.Public:
		c.Warnings = append(c.Warnings, "routes require API keys but neither api.keys nor credentials is set: the management API (api.public) and the Step Functions API (POST /) are open to anyone who can reach them")
	default:
		// Keys on a route and none anywhere else would leave the API that
		// changes those routes open: a half-configured server.
		c.itemProblem(d, "routes", keyed, "apiKeys", "routes require API keys but neither api.keys nor credentials is set, so the management API (/api/v1) and the Step Functions API (POST /) would be open to anyone: set api.keys or credentials, or api.public: true to leave them open on purpose")
	}
}
