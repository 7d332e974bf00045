package config

import (
	"net"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// The top-level scalars: where serve listens, and the region and account
// of the ARNs Signalbox writes.

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

func decodeAddr(d *decoder, n *yaml.Node, path string, c *Config) {
	if c.Addr = d.str(n, path); c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			d.fail(n, path, "%q is not host:port", c.Addr)
		}
	}
}

func decodeRegion(d *decoder, n *yaml.Node, path string, c *Config) {
	if c.Region = d.str(n, path); c.Region != "" && !regionRE.MatchString(c.Region) {
		d.fail(n, path, "%q is not a region (such as us-east-1)", c.Region)
	}
}

func decodeAccount(d *decoder, n *yaml.Node, path string, c *Config) {
	if c.Account = d.str(n, path); c.Account != "" && !accountRE.MatchString(c.Account) {
		d.fail(n, path, "%q is not an account id (12 digits)", c.Account)
	}
}
