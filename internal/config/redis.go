package config

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Redis is the redis section: the store.
type Redis struct {
	URL, Prefix string
	Timeout     time.Duration // 0: store.DefaultTimeout
}

func decodeRedis(d *decoder, n *yaml.Node, path string, c *Config) {
	d.mapping(n, path, map[string]func(*yaml.Node, string){
		"url":    func(n *yaml.Node, p string) { c.Redis.URL = d.str(n, p) },
		"prefix": func(n *yaml.Node, p string) { c.Redis.Prefix = d.str(n, p) },
		"timeout": func(n *yaml.Node, p string) {
			s := d.str(n, p)
			if t, err := time.ParseDuration(s); err != nil || t <= 0 {
				d.fail(n, p, "%q is not a positive duration (such as 2s or 500ms)", s)
			} else {
				c.Redis.Timeout = t
			}
		},
	})
}
