package runtime

import "context"

// The exported face of activities.go and tokens.go: each method is its
// unexported namesake with the store's errors translated (fromStore), so
// that those interpreter files keep their own shape.

// CreateActivity creates an activity with its tags. As on AWS it is
// idempotent by name: an activity that exists is returned unchanged, its
// tags too.
func (d *Durable) CreateActivity(ctx context.Context, name string, tags map[string]string) (*ActivityInfo, error) {
	a, err := d.createActivity(ctx, name, tags)
	return a, fromStore(err)
}

// DescribeActivity returns an activity, or ErrActivityDoesNotExist.
func (d *Durable) DescribeActivity(ctx context.Context, arn string) (*ActivityInfo, error) {
	a, err := d.describeActivity(ctx, arn)
	return a, fromStore(err)
}

// DeleteActivity deletes an activity (see deleteActivity).
func (d *Durable) DeleteActivity(ctx context.Context, arn string) error {
	return fromStore(d.deleteActivity(ctx, arn))
}

// ListActivities lists activities in lexical order of name, limit (0: 100,
// at most 1000) at a time; next is the cursor of the following page, ""
// at the end.
func (d *Durable) ListActivities(ctx context.Context, cursor string, limit int) ([]*ActivityInfo, string, error) {
	list, next, err := d.listActivities(ctx, cursor, limit)
	return list, next, fromStore(err)
}

// GetActivityTask hands out the oldest task waiting for a worker of an
// activity: its task token and its input (JSON); see getActivityTask.
func (d *Durable) GetActivityTask(ctx context.Context, activityARN, workerName string) (token string, input []byte, err error) {
	token, input, err = d.getActivityTask(ctx, activityARN, workerName)
	return token, input, fromStore(err)
}

// SendTaskSuccess completes the task waiting for token with output.
func (d *Durable) SendTaskSuccess(ctx context.Context, token string, output any) error {
	return fromStore(d.sendTaskSuccess(ctx, token, output))
}

// SendTaskFailure fails the task waiting for token; Retry and Catch apply.
func (d *Durable) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	return fromStore(d.sendTaskFailure(ctx, token, errName, cause))
}

// SendTaskHeartbeat tells the task waiting for token that its worker is
// alive: its HeartbeatSeconds start again.
func (d *Durable) SendTaskHeartbeat(ctx context.Context, token string) error {
	return fromStore(d.sendTaskHeartbeat(ctx, token))
}
