package store

import (
	"context"
	"fmt"
	"strings"
)

// Persistence is what the server keeps on disk, as far as it tells: how
// much acknowledged work a crash of the Redis process or its host can
// lose.
type Persistence struct {
	// Volatile is set for the embedded server: it lives in this process's
	// memory and keeps nothing when the process ends.
	Volatile bool
	// AppendOnly is Redis's appendonly; AppendFsync its appendfsync
	// ("always", "everysec", "no"); Save its RDB snapshot schedule ("" for
	// none).
	AppendOnly  bool
	AppendFsync string
	Save        string
	// Unknown is set when the server refused to tell (CONFIG is often
	// disabled on managed services); the other fields are then empty.
	Unknown error
}

// String says in a line what a crash can lose.
func (p Persistence) String() string {
	switch {
	case p.Volatile:
		return "embedded store, in this process's memory: a restart or crash of the process loses every execution, state machine and route"
	case p.Unknown != nil:
		return "Redis persistence unknown (" + p.Unknown.Error() + ")"
	case p.AppendOnly && p.AppendFsync == "always":
		return "Redis appendonly yes, appendfsync always: every acknowledged write is on disk"
	case p.AppendOnly && p.AppendFsync == "everysec":
		return "Redis appendonly yes, appendfsync everysec: a crash of the Redis host can lose up to about one second of acknowledged writes"
	case p.AppendOnly:
		return "Redis appendonly yes, appendfsync " + p.AppendFsync + ": the operating system decides when writes reach the disk"
	case p.Save != "":
		return fmt.Sprintf("Redis appendonly no, RDB snapshots only (save %q): a Redis restart loses everything since the last snapshot", p.Save)
	}
	return "Redis appendonly no and no snapshots: a Redis restart loses everything"
}

// Persistence reads the server's persistence settings. On a Redis Cluster
// it asks one node: the nodes of one cluster are meant to be set alike.
func (c *Client) Persistence(ctx context.Context) Persistence {
	if c.embedded != nil {
		return Persistence{Volatile: true}
	}
	cfg, err := c.rdb.ConfigGet(ctx, "*").Result()
	if err != nil {
		return Persistence{Unknown: err}
	}
	return Persistence{
		AppendOnly:  strings.EqualFold(cfg["appendonly"], "yes"),
		AppendFsync: cfg["appendfsync"],
		Save:        strings.TrimSpace(cfg["save"]),
	}
}
