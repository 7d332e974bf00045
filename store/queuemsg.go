package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// QueueMessage is a message to add to a queue.
type QueueMessage struct {
	ID      string
	Payload []byte
	Delay   time.Duration
	Size    int64  // what the message counts for the queue's byte limit
	Group   string // FIFO: the message group
	// DedupKey, when set, deduplicates the message: another message with
	// the same key within the window is not added (FIFO queues).
	DedupKey string
	// Sent, when set, is the message's enqueue time for retention (a
	// message moved to a standard dead-letter queue keeps its own); the
	// send's time otherwise.
	Sent time.Time
}

// QueueSent is the outcome of one QueueMessage.
type QueueSent struct {
	ID        string // the original message's id when Duplicate
	Seq       int64
	Duplicate bool
}

// QueueSendParams are the messages of one send.
type QueueSendParams struct {
	Name     string
	Messages []QueueMessage
	Dedup    time.Duration // the deduplication window
	Limits   QueueLimits
	Now      time.Time
}

// QueueSend adds messages to a queue, in order: ErrNotFound, or ErrLimit
// when they would pass the queue's limits (none is added then). A message
// whose id the queue holds already is not added again (Duplicate).
func (c *Client) QueueSend(ctx context.Context, p *QueueSendParams) ([]QueueSent, error) {
	keys, err := c.queueKeys(p.Name)
	if err != nil {
		return nil, err
	}
	l := p.Limits.withDefaults()
	a := args{p.Now.UnixMilli(), l.Messages, l.Bytes, p.Dedup.Milliseconds(), l.Sweep, len(p.Messages)}
	for _, m := range p.Messages {
		if err := a.queueMessage(&m); err != nil {
			return nil, err
		}
	}
	res, err := scriptQueueSend.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: sending to queue %s: %w", p.Name, err)
	}
	switch code(res) {
	case codeOK:
	case codeNotFound:
		return nil, fmt.Errorf("%w: queue %s", ErrNotFound, p.Name)
	case codeLimit:
		return nil, fmt.Errorf("%w: queue %s would hold too many %s", ErrLimit, p.Name, stringAt(res, 1))
	default:
		return nil, fmt.Errorf("%w: send script returned %v", ErrCorrupt, res)
	}
	if len(res) != 1+3*len(p.Messages) {
		return nil, fmt.Errorf("%w: send script returned %d values", ErrCorrupt, len(res))
	}
	out := make([]QueueSent, len(p.Messages))
	for i := range out {
		seq, _ := strconv.ParseInt(stringAt(res, 2+3*i), 10, 64)
		out[i] = QueueSent{ID: stringAt(res, 1+3*i), Seq: seq, Duplicate: intAt(res, 3+3*i) == 1}
	}
	return out, nil
}

// queueMessage appends a message's 7 fields, as scriptQueueSend (and
// luaQueueSend) take them.
func (a *args) queueMessage(m *QueueMessage) error {
	if err := checkQueueField("message id", m.ID); err != nil {
		return err
	}
	*a = append(*a, m.ID)
	return a.queueBody(m)
}

// queueBody appends a message's fields of scriptQueueSend's but its id:
// payload, delay, size, group, deduplication key, sent.
func (a *args) queueBody(m *QueueMessage) error { return a.queueBodyBoxed(m, nil) }

// queueBodyBoxed is queueBody with its numbers boxed by b and its strings
// named by pointer (b not nil: m must not change until the command is
// written).
func (a *args) queueBodyBoxed(m *QueueMessage, b *argBoxes) error {
	if strings.ContainsAny(m.Group, "\n\x00") {
		return fmt.Errorf("%w: message group %q", ErrInvalid, m.Group)
	}
	var sent int64
	if !m.Sent.IsZero() {
		sent = m.Sent.UnixMilli()
	}
	if b == nil {
		*a = append(*a, m.Payload, m.Delay.Milliseconds(), m.Size, m.Group, m.DedupKey, sent)
		return nil
	}
	*a = append(*a, m.Payload, b.int(m.Delay.Milliseconds()), b.int(m.Size), &m.Group, &m.DedupKey, b.int(sent))
	return nil
}

// checkQueueField checks an id the scripts keep in a delimited value.
func checkQueueField(what, s string) error {
	if s == "" || strings.ContainsAny(s, "|\n\x00") {
		return fmt.Errorf("%w: %s %q is empty or contains | or a newline", ErrInvalid, what, s)
	}
	return nil
}

// QueueDelivery is a message's delivery state.
type QueueDelivery struct {
	ReceiveCount int64
	FirstReceive time.Time // zero before the first receive
	Token        int64     // the receipt token of the last receive
	LastReceive  time.Time
	Seq          int64
	Size         int64
	Group        string
}

// parseDelivery reads a message's state (queuescripts.go): "s<sent
// ms>|" and seven fields, or the seven alone in a state written before
// states kept the sent time.
func parseDelivery(state string) (QueueDelivery, error) {
	s := state
	if rest, ok := strings.CutPrefix(s, "s"); ok {
		sent, after, ok := strings.Cut(rest, "|")
		if _, err := strconv.ParseInt(sent, 10, 64); !ok || err != nil {
			return QueueDelivery{}, fmt.Errorf("%w: message state %q", ErrCorrupt, state)
		}
		s = after
	}
	f := strings.SplitN(s, "|", 7)
	if len(f) != 7 {
		return QueueDelivery{}, fmt.Errorf("%w: message state %q", ErrCorrupt, state)
	}
	var n [6]int64
	for i := range n {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return QueueDelivery{}, fmt.Errorf("%w: message state %q", ErrCorrupt, state)
		}
		n[i] = v
	}
	d := QueueDelivery{ReceiveCount: n[0], Token: n[2], Seq: n[4], Size: n[5], Group: f[6]}
	if n[1] > 0 {
		d.FirstReceive = time.UnixMilli(n[1]).UTC()
	}
	if n[3] > 0 {
		d.LastReceive = time.UnixMilli(n[3]).UTC()
	}
	return d, nil
}

// QueueReceived is a received message.
type QueueReceived struct {
	ID      string
	Payload []byte
	QueueDelivery
}

// QueueReceiveParams ask for messages.
type QueueReceiveParams struct {
	Name       string
	Max        int
	Visibility time.Duration
	// Attempt, when set, is the receive request attempt id: a receive
	// with the id of one within AttemptWindow returns its messages still
	// in flight, with their receipts.
	Attempt       string
	AttemptWindow time.Duration
	Limits        QueueLimits
	Now           time.Time
}

// QueueReceiveResult is what a receive got: the messages, when the next
// message not visible now becomes visible (zero for none, and when
// messages came: only a long poll that got nothing needs it), and how many
// messages wait in the dead list for their dead-letter queue (QueueDead).
type QueueReceiveResult struct {
	Messages []QueueReceived
	NextDue  time.Time
	Dead     int
}

// QueueReceive receives up to Max messages: ErrNotFound, or ErrOverLimit.
func (c *Client) QueueReceive(ctx context.Context, p *QueueReceiveParams) (*QueueReceiveResult, error) {
	keys, err := c.queueKeys(p.Name)
	if err != nil {
		return nil, err
	}
	l := p.Limits.withDefaults()
	res, err := scriptQueueReceive.Run(ctx, c.rdb, keys, p.Now.UnixMilli(), max(p.Max, 1), p.Visibility.Milliseconds(), l.Sweep, l.Inflight,
		p.Attempt, p.AttemptWindow.Milliseconds()).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: receiving from queue %s: %w", p.Name, err)
	}
	switch code(res) {
	case codeOK:
	case codeNotFound:
		return nil, fmt.Errorf("%w: queue %s", ErrNotFound, p.Name)
	case codeLimit:
		return nil, fmt.Errorf("%w: queue %s", ErrOverLimit, p.Name)
	default:
		return nil, fmt.Errorf("%w: receive script returned %v", ErrCorrupt, res)
	}
	out := &QueueReceiveResult{Dead: int(intAt(res, 2))}
	if due := intAt(res, 1); due > 0 {
		out.NextDue = time.UnixMilli(due).UTC()
	}
	for i := 3; i+2 < len(res); i += 3 {
		d, err := parseDelivery(stringAt(res, i+2))
		if err != nil {
			return nil, err
		}
		out.Messages = append(out.Messages, QueueReceived{ID: stringAt(res, i), Payload: []byte(stringAt(res, i+1)), QueueDelivery: d})
	}
	return out, nil
}

// QueueReceipt names one receive of a message.
type QueueReceipt struct {
	ID    string
	Token int64
	// Visibility is ChangeVisibility's new timeout.
	Visibility time.Duration
}

// The per-receipt outcomes of QueueDeleteMessages and QueueChangeVisibility.
var (
	// ErrNotInflight: the message is not in flight under this receipt.
	ErrNotInflight = errors.New("store: message not in flight")
	// ErrTooLong: the new timeout would keep the message invisible for
	// longer than the longest since its receive.
	ErrTooLong = errors.New("store: visibility timeout too long")
)

// QueueDeleteMessages deletes messages by receipt; the result has an
// error per receipt (nil: deleted, or gone already, or, on a standard
// queue, received again since, and then left as AWS leaves it;
// ErrNotInflight: on a FIFO queue, the receipt's visibility timeout has
// ended or the message was received again since).
func (c *Client) QueueDeleteMessages(ctx context.Context, name string, receipts []QueueReceipt, now time.Time) ([]error, error) {
	keys, err := c.queueKeys(name)
	if err != nil {
		return nil, err
	}
	a := args{now.UnixMilli()}
	for _, r := range receipts {
		a = append(a, r.ID, r.Token)
	}
	res, err := scriptQueueDeleteMessages.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: deleting messages of queue %s: %w", name, err)
	}
	return receiptErrors(res, len(receipts))
}

func receiptErrors(res []any, n int) ([]error, error) {
	if code(res) != codeOK || len(res) != 1+n {
		return nil, fmt.Errorf("%w: receipt script returned %v", ErrCorrupt, res)
	}
	out := make([]error, n)
	for i := range out {
		switch intAt(res, 1+i) {
		case 0:
		case 1:
			out[i] = ErrNotInflight
		case 2:
			out[i] = ErrNotFound
		case 3:
			out[i] = ErrTooLong
		}
	}
	return out, nil
}

// QueueChangeVisibility changes the visibility timeout of messages in
// flight, each counted from now; no receive may keep a message invisible
// for longer than longest. The result has an error per receipt: nil,
// ErrNotInflight, ErrNotFound (the message is gone), ErrTooLong.
func (c *Client) QueueChangeVisibility(ctx context.Context, name string, receipts []QueueReceipt, longest time.Duration, now time.Time) ([]error, error) {
	keys, err := c.queueKeys(name)
	if err != nil {
		return nil, err
	}
	a := args{now.UnixMilli(), longest.Milliseconds()}
	for _, r := range receipts {
		a = append(a, r.ID, r.Token, r.Visibility.Milliseconds())
	}
	res, err := scriptQueueChangeVisibility.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: changing visibility in queue %s: %w", name, err)
	}
	return receiptErrors(res, len(receipts))
}

// QueueStats are a queue's depths at a time.
type QueueStats struct {
	Visible, NotVisible, Delayed int64
	Oldest                       time.Time // the oldest message's sent time; zero when empty
	Created, Modified            time.Time
}

// QueueStats counts a queue's messages at now with one round trip of
// O(log n) commands: cheap enough to read on every scrape. Counts are
// approximate as AWS's are: messages past retention or due, not yet swept,
// count where they were.
func (c *Client) QueueStats(ctx context.Context, name string, now time.Time) (*QueueStats, error) {
	if err := checkQueueName(name); err != nil {
		return nil, err
	}
	k := c.keys
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	var (
		rec                         *redis.SliceCmd
		waitDue, waitLater, pending *redis.IntCmd
		inflightDue, inflightLater  *redis.IntCmd
		oldest, firstWaiting        *redis.ZSliceCmd
	)
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		rec = p.HMGet(ctx, k.QueueKey(name), "#created", "#modified")
		waitDue = p.ZCount(ctx, k.QueueWaitKey(name), "-inf", ms)
		waitLater = p.ZCount(ctx, k.QueueWaitKey(name), "("+ms, "+inf")
		pending = p.ZCard(ctx, k.QueuePendingKey(name))
		inflightDue = p.ZCount(ctx, k.QueueInflightKey(name), "-inf", ms)
		inflightLater = p.ZCount(ctx, k.QueueInflightKey(name), "("+ms, "+inf")
		oldest = p.ZRangeWithScores(ctx, k.QueueSentKey(name), 0, 0)
		firstWaiting = p.ZRangeWithScores(ctx, k.QueueWaitKey(name), 0, 0)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: stats of queue %s: %w", name, err)
	}
	vals := rec.Val()
	if len(vals) != 2 || vals[0] == nil {
		return nil, fmt.Errorf("%w: queue %s", ErrNotFound, name)
	}
	s := &QueueStats{
		Visible:    waitDue.Val() + pending.Val() + inflightDue.Val(),
		NotVisible: inflightLater.Val(),
		Delayed:    waitLater.Val(),
	}
	s.Created, _ = millis(fmt.Sprint(vals[0]))
	if vals[1] != nil {
		s.Modified, _ = millis(fmt.Sprint(vals[1]))
	}
	// the oldest of the sent set's and, as the wait set's score is never
	// earlier than its message's sent time less a millisecond, of the
	// first waiting message's (a standard queue's message sent for now is
	// not in the sent set until a receive puts it back: queuescripts.go);
	// a message in flight that is in neither is not seen
	var first float64
	if z := oldest.Val(); len(z) == 1 {
		first = z[0].Score
	}
	if z := firstWaiting.Val(); len(z) == 1 && (first == 0 || z[0].Score+1 < first) {
		first = z[0].Score + 1
	}
	if first > 0 {
		s.Oldest = time.UnixMilli(int64(first)).UTC()
	}
	return s, nil
}
