package config

import (
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/integrations/bucket"
)

// Buckets is the buckets section: the local object store the S3 Task
// resources and Distributed Map's ItemReader and ResultWriter reach
// (integrations/bucket, docs/buckets.md):
//
//	buckets:
//	  dir: ./buckets            # the root: each bucket a sub-directory; relative to this file; --buckets-dir wins
//	  create: [input, results]  # buckets made (directories) at start when missing
//
// Without a dir (here or --buckets-dir) the S3 resources are not served.
type Buckets struct {
	Dir    string
	Create []string
}

func decodeBuckets(d *decoder, n *yaml.Node, path string, c *Config) {
	var dirNode *yaml.Node
	seen := map[string]bool{}
	d.mapping(n, path, map[string]func(*yaml.Node, string){
		"dir": func(n *yaml.Node, p string) { c.Buckets.Dir, dirNode = d.str(n, p), n },
		"create": func(n *yaml.Node, p string) {
			d.list(n, p, func(item *yaml.Node, p string) {
				name := d.str(item, p)
				switch err := bucket.CheckBucketName(name); {
				case name == "":
				case err != nil:
					d.fail(item, p, "%q is not a bucket name: lower-case letters, digits, dots and hyphens, 3 to 63 of them, starting and ending with a letter or digit", name)
				case seen[name]:
					d.fail(item, p, "the bucket %q is listed twice", name)
				default:
					seen[name] = true
					c.Buckets.Create = append(c.Buckets.Create, name)
				}
			})
		},
	})
	switch {
	case c.Buckets.Dir == "" && dirNode == nil:
		if len(c.Buckets.Create) > 0 {
			d.fail(n, path+".dir", "required when buckets are to be created")
		}
	case c.Buckets.Dir == "":
	default:
		if !filepath.IsAbs(c.Buckets.Dir) {
			c.Buckets.Dir = filepath.Join(filepath.Dir(c.File), c.Buckets.Dir)
		}
		if fi, err := os.Stat(c.Buckets.Dir); err != nil || !fi.IsDir() {
			d.fail(dirNode, path+".dir", "%q is not a directory", c.Buckets.Dir)
		}
	}
}
