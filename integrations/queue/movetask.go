package queue

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/signalbox/signalbox/store"
)

// Message-move tasks move messages out of a dead-letter queue: back to
// each message's source queue (its DeadLetterQueueSourceArn), or to one
// destination. A task runs in a goroutine of the Service that started it,
// with its record and progress in the store (visible to every process),
// holding a lease it renews at each batch (moveLease). A process that
// dies or stops leaves the lease to pass: then a sweeper (Sweep, in every
// serve and worker) takes the task over and runs it from the count it had
// moved; a new task started meanwhile ends it FAILED ("The process
// running the task stopped.") instead. A batch is received from the dead-letter
// queue (invisible for moveVisibility), sent to its destinations under
// the same message ids (a destination that holds the id already skips
// it) and then deleted: a batch cut short by a crash comes back to the
// dead-letter queue when its visibility ends, and is moved again by the
// next task. At least once.

const (
	maxMoveRate    = 500
	moveLease      = 30 * time.Second
	moveVisibility = time.Minute
	moveBatch      = 10
)

// taskHandle makes a task's handle: base64url("<source queue>:<task id>").
func taskHandle(source, id string) string { return base64URL(source + ":" + id) }

func parseTaskHandle(h string) (source, id string, ok bool) {
	if h == "" || len(h) > 512 {
		return "", "", false
	}
	s, ok := unbase64URL(h)
	if !ok {
		return "", "", false
	}
	source, id, ok = strings.Cut(s, ":")
	return source, id, ok && validName(source) && len(id) == 36 && !strings.ContainsAny(id, "|\n")
}

func errNoTask() *Error {
	return errorf("ResourceNotFoundException", "The resource that you specified for the TaskHandle parameter doesn't exist.")
}

// queueOfARN returns the name of the existing queue arn names, or an
// error of code.
func (s *Service) queueOfARN(ctx context.Context, arn string) (*store.QueueRecord, error) {
	region, account, name, ok := parseARN(arn)
	if !ok || region != s.cfg.Region || account != s.cfg.AccountID {
		return nil, errorf("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	rec, err := s.st.QueueGet(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if err != nil {
		return nil, storeError(err)
	}
	return rec, nil
}

func (s *Service) StartMoveTask(ctx context.Context, in *MoveTaskInput) (string, error) {
	if in.MaxNumberOfMessagesPerSecond < 0 || in.MaxNumberOfMessagesPerSecond > maxMoveRate {
		return "", errInvalidValue("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.", in.MaxNumberOfMessagesPerSecond)
	}
	src, err := s.queueOfARN(ctx, in.SourceARN)
	if err != nil {
		return "", err
	}
	sources, err := s.DeadLetterSources(ctx, src.Name, &ListInput{MaxResults: 1})
	if err != nil {
		return "", err
	}
	if len(sources.Names) == 0 {
		return "", errInvalidValue("Source queue must be configured as a Dead Letter Queue.")
	}
	if in.DestinationARN != "" {
		dst, err := s.queueOfARN(ctx, in.DestinationARN)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Code == "ResourceNotFoundException" {
				e.Message = strings.Replace(e.Message, "SourceArn", "DestinationArn", 1)
			}
			return "", err
		}
		if dst.Name == src.Name || dst.Attributes[attrFifo] != src.Attributes[attrFifo] {
			return "", errInvalidValue("Destination queue must be another queue of the source queue's type.")
		}
	}
	st, err := s.st.QueueStats(ctx, src.Name, s.now())
	if err != nil {
		return "", storeError(err)
	}
	now := s.now()
	t := &store.MoveTaskRecord{
		ID: newUUID(), Source: src.Name, Status: store.MoveRunning, SourceARN: in.SourceARN, DestinationARN: in.DestinationARN,
		Rate: in.MaxNumberOfMessagesPerSecond, ToMove: st.Visible + st.NotVisible + st.Delayed, Started: now,
		Owner: newUUID(), Lease: now.Add(moveLease),
	}
	if err := s.st.QueueMoveTaskStart(ctx, t, now); err != nil {
		if errors.Is(err, store.ErrMoveTaskRunning) {
			return "", errorf("UnsupportedOperation", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
		return "", storeError(err)
	}
	s.tasks.Add(1)
	go func() {
		defer s.tasks.Done()
		s.runMoveTask(s.stop, t)
	}()
	return taskHandle(src.Name, t.ID), nil
}

// runMoveTask moves a task's messages until it has moved as many as the
// source held at its start, or the source has none visible, or it is
// cancelled.
func (s *Service) runMoveTask(ctx context.Context, t *store.MoveTaskRecord) {
	r := t.Rate
	if r == 0 {
		r = maxMoveRate
	}
	lim := rate.NewLimiter(rate.Limit(r), min(r, moveBatch))
	moved := t.Moved // a task taken over goes on from where it was
	end := func(status, reason string) {
		_, _ = s.st.QueueMoveTaskUpdate(context.WithoutCancel(ctx), t.Source, t.ID, t.Owner, moved, s.now(), status, reason)
	}
	for {
		status, err := s.st.QueueMoveTaskUpdate(ctx, t.Source, t.ID, t.Owner, moved, s.now().Add(moveLease), "", "")
		switch {
		case ctx.Err() != nil:
			return // this process stops: once the lease passes, another one's sweeper takes the task over
		case err != nil:
			return // not ours any more (ended elsewhere), or the store failed: the lease passes
		case status == store.MoveCancelling:
			end(store.MoveCancelled, "")
			return
		case moved >= t.ToMove:
			end(store.MoveCompleted, "")
			return
		}
		n := int(min(int64(min(r, moveBatch)), t.ToMove-moved))
		if err := lim.WaitN(ctx, n); err != nil {
			continue // ctx ended: the next round ends the task
		}
		k, reason := s.moveBatch(ctx, t, n)
		moved += int64(k)
		if reason != "" {
			end(store.MoveFailed, reason)
			return
		}
		if k == 0 {
			end(store.MoveCompleted, "")
			return
		}
	}
}

// moveBatch moves up to n messages of a task's source; it returns how
// many, and a failure's reason.
func (s *Service) moveBatch(ctx context.Context, t *store.MoveTaskRecord, n int) (int, string) {
	res, err := s.st.QueueReceive(ctx, &store.QueueReceiveParams{Name: t.Source, Max: n, Visibility: moveVisibility, Now: s.now(), Limits: s.cfg.Limits})
	if err != nil {
		return 0, "Receiving from the source queue failed: " + err.Error()
	}
	byDest := map[string][]store.QueueMessage{}
	var handles []store.QueueReceipt
	for _, m := range res.Messages {
		var p payload
		if err := unmarshalPayload(m.Payload, &p); err != nil {
			continue
		}
		dest := t.DestinationARN
		if dest == "" {
			dest = p.SourceARN
		}
		if dest == "" {
			return 0, "A message in the source queue has no source queue to move back to; give a DestinationArn."
		}
		_, _, name, ok := parseARN(dest)
		if !ok {
			return 0, "Invalid destination " + dest
		}
		p.SourceARN = ""
		p.Sent = s.now().UnixMilli()
		b, _ := marshalPayload(&p)
		byDest[name] = append(byDest[name], store.QueueMessage{ID: m.ID, Payload: b, Size: m.Size, Group: m.Group})
		handles = append(handles, store.QueueReceipt{ID: m.ID, Token: m.Token})
	}
	for name, msgs := range byDest {
		if _, err := s.st.QueueSend(ctx, &store.QueueSendParams{Name: name, Messages: msgs, Now: s.now(), Limits: s.cfg.Limits}); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return 0, "The destination queue " + name + " does not exist."
			}
			return 0, "Sending to the destination queue failed: " + err.Error()
		}
	}
	if len(handles) > 0 {
		if _, err := s.st.QueueDeleteMessages(ctx, t.Source, handles, s.now()); err != nil {
			return 0, "Deleting from the source queue failed: " + err.Error()
		}
	}
	return len(handles), ""
}

func (s *Service) ListMoveTasks(ctx context.Context, sourceARN string, max int) ([]MoveTask, error) {
	if max == 0 {
		max = 1
	}
	if max < 1 || max > store.MoveTasksKept {
		return nil, errInvalidValue("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", max)
	}
	src, err := s.queueOfARN(ctx, sourceARN)
	if err != nil {
		return nil, err
	}
	recs, err := s.st.QueueMoveTasks(ctx, src.Name, max, s.now())
	if err != nil {
		return nil, storeError(err)
	}
	out := make([]MoveTask, len(recs))
	for i, r := range recs {
		out[i] = MoveTask{Status: r.Status, SourceARN: r.SourceARN, DestinationARN: r.DestinationARN,
			MaxNumberOfMessagesPerSecond: r.Rate, ApproximateNumberOfMessagesMoved: r.Moved,
			ApproximateNumberOfMessagesToMove: r.ToMove, FailureReason: r.Reason, StartedTimestamp: r.Started}
		if r.Status == store.MoveRunning {
			out[i].TaskHandle = taskHandle(src.Name, r.ID)
		}
	}
	return out, nil
}

func (s *Service) CancelMoveTask(ctx context.Context, handle string) (int64, error) {
	source, id, ok := parseTaskHandle(handle)
	if !ok {
		return 0, errNoTask()
	}
	moved, err := s.st.QueueMoveTaskCancel(ctx, source, id, s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return 0, errNoTask()
	case errors.Is(err, store.ErrMoveTaskEnded):
		return 0, errorf("UnsupportedOperation", "Only active tasks can be cancelled.")
	}
	return moved, storeError(err)
}

// Close stops the Service's sweeper and message-move tasks (each left
// RUNNING, for a sweeper to take over once its lease passes) and waits
// for them.
func (s *Service) Close() {
	s.StopSweeper()
	s.cancel()
	s.tasks.Wait()
}

// resumeMoveTask takes over the queue's running message-move task when the
// process running it stopped (its lease passed), and runs it here, from
// the count it had moved.
func (s *Service) resumeMoveTask(ctx context.Context, name string) error {
	now := s.now()
	t, err := s.st.QueueMoveTaskTakeOver(ctx, name, newUUID(), now.Add(moveLease), now)
	if err != nil || t == nil {
		return err
	}
	s.tasks.Add(1)
	go func() {
		defer s.tasks.Done()
		s.runMoveTask(s.stop, t)
	}()
	return nil
}
