package config

import "go.yaml.in/yaml/v3"

// API is the api section: the management API's keys.
type API struct {
	Keys []string
	// Public opens the management API although keys or credentials are
	// set.
	Public bool
}

func decodeAPI(d *decoder, n *yaml.Node, path string, c *Config) {
	d.mapping(n, path, map[string]func(*yaml.Node, string){
		"keys": func(n *yaml.Node, p string) {
			d.list(n, p, func(item *yaml.Node, p string) {
				k := d.str(item, p)
				if len(k) < 8 {
					d.fail(item, p, "an API key must be at least 8 characters long")
				}
				c.API.Keys = append(c.API.Keys, k)
			})
		},
		"public": func(n *yaml.Node, p string) {
			b, ok := d.value(n, p).(bool)
			if !ok {
				d.fail(n, p, "must be true or false")
			}
			c.API.Public = b
		},
	})
}

// decodeCredentials decodes the SigV4 access keys of the AWS-protocol
// endpoints: a list of {accessKeyId, secretAccessKey}.
func decodeCredentials(d *decoder, n *yaml.Node, path string, c *Config) {
	d.list(n, path, func(item *yaml.Node, p string) {
		var id, secret string
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"accessKeyId":     func(n *yaml.Node, p string) { id = d.str(n, p) },
			"secretAccessKey": func(n *yaml.Node, p string) { secret = d.str(n, p) },
		})
		switch {
		case id == "":
			d.fail(item, p+".accessKeyId", "required")
		case secret == "":
			d.fail(item, p+".secretAccessKey", "required")
		case c.Credentials[id] != "":
			d.fail(item, p+".accessKeyId", "%q is listed twice", id)
		default:
			c.Credentials[id] = secret
		}
	})
}
