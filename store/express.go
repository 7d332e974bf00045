package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// ExpressRecordPut writes the record of an EXPRESS execution that ended: an
// execution hash like a Standard one's (ExecutionGet reads it), with no
// history, threads or outbox, kept for retention (0: for ever). EXPRESS
// executions run in memory; AWS records only how they ended.
func (c *Client) ExpressRecordPut(ctx context.Context, x *Execution, retention time.Duration) error {
	if err := checkID("execution id", x.ID); err != nil {
		return err
	}
	key := c.keys.ExecutionKey(x.ID)
	_, err := c.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.HSet(ctx, key,
			fieldMeta, packMeta(x.StateMachineARN, x.Name, x.DefinitionSHA,
				strconv.FormatInt(x.StartDate.UnixMilli(), 10), x.TraceID, x.SpanID),
			fieldStatus, x.Status, fieldInput, string(x.Input), fieldOutput, string(x.Output),
			fieldError, x.Error, fieldCause, x.Cause,
			fieldStop, strconv.FormatInt(x.StopDate.UnixMilli(), 10),
			fieldEvents, 0, "express", 1,
		)
		if retention > 0 {
			pipe.PExpire(ctx, key, retention)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: recording express execution %s: %w", x.ID, err)
	}
	return nil
}
