package topic

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/store"
)

// managedRetry is the retry policy AWS applies to the endpoints it manages
// (SQS, Lambda; here also the states protocol): 3 immediate retries, 2 at
// 1 s, 10 backing off from 1 s to 20 s, then 100,000 at 20 s, over 23
// days. attempt counts the failed attempts so far (1 after the first).
func managedRetry(attempt int) outcome {
	switch {
	case attempt <= 3:
		return outcome{}
	case attempt <= 5:
		return outcome{RetryAfter: secondsOf(1)}
	case attempt <= 15:
		// exponential from 1 s to 20 s over the backoff phase's 10 retries
		k := attempt - 5
		d := 1.0
		for range k {
			d *= 1.35 // 1.35^10 ≈ 20
		}
		return outcome{RetryAfter: secondsOf(min(d, 20))}
	case attempt <= 100_015:
		return outcome{RetryAfter: secondsOf(20)}
	}
	return outcome{Exhausted: true}
}

// queueName returns the queue an SQS ARN names when it is this server's
// (its region and account), else "".
func (s *Service) queueName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" || parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
		return ""
	}
	return parts[5]
}

// sqsMessage is what an sqs subscription's queue receives: the signed
// JSON envelope, or with RawMessageDelivery the message with its
// attributes as the message's (String.Array as String, SQS having no
// array type). Either way it carries the publisher's trace context: the
// AWSTraceHeader system attribute and, room permitting, a traceparent
// message attribute.
func (s *Service) sqsMessage(ctx context.Context, v *view, sv *subView, m *message, tc integrations.TraceContext) (*queue.SendInput, *outcome) {
	in := &queue.SendInput{GroupID: m.GroupID, SenderID: s.cfg.AccountID}
	if v.fifo {
		in.DedupID = m.DedupID
	}
	if sv.raw {
		in.Body = m.forProtocol(ProtocolSQS)
		if len(m.Attributes) > 10 {
			return nil, &outcome{Permanent: true, Reason: "a raw delivery to SQS carries at most 10 message attributes"}
		}
		in.Attributes = make(map[string]queue.MessageAttribute, len(m.Attributes)+1)
		for k, a := range m.Attributes {
			t := a.DataType
			if t == "String.Array" {
				t = "String"
			}
			in.Attributes[k] = queue.MessageAttribute{DataType: t, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	} else {
		body, err := s.notification(ctx, v, sv, m)
		if err != nil {
			return nil, &outcome{RetryAfter: secondsOf(1), Reason: err.Error()}
		}
		in.Body = string(body)
	}
	if h, ok := queue.AWSTraceHeader(tc.Parent); ok {
		in.SystemAttributes = map[string]queue.MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: h}}
		if _, taken := in.Attributes[queue.TraceParentAttribute]; !taken && len(in.Attributes) < 10 {
			if in.Attributes == nil {
				in.Attributes = map[string]queue.MessageAttribute{}
			}
			in.Attributes[queue.TraceParentAttribute] = queue.MessageAttribute{DataType: "String", StringValue: tc.Parent}
		}
	}
	return in, nil
}

// deliverSQS sends a message to an sqs subscription's queue through the
// queue's lane, waiting for the answer (the attempts after a first one
// failed: deliverSQSAsync makes the first).
func (s *Service) deliverSQS(ctx context.Context, v *view, sv *subView, j *job) outcome {
	name, in, fail := s.sqsDelivery(ctx, v, sv, j)
	if fail != nil {
		return *fail
	}
	out := s.sqsOutcome(s.eng.lanes.Send(ctx, name, *in), j)
	if out.Permanent && s.ownTraceAttribute(in, j) {
		// our trace attribute may be what the queue refused (size)
		delete(in.Attributes, queue.TraceParentAttribute)
		if s.eng.lanes.Send(ctx, name, *in) == nil {
			return outcome{OK: true}
		}
	}
	return out
}

// deliverSQSAsync hands a delivery's first attempt to its queue's lane and
// returns; the lane's sender finishes the delivery with the queue's
// answer, or, for a failure that calls for an immediate retry, hands the
// delivery back to the workers for attempts made in place.
func (s *Service) deliverSQSAsync(ctx context.Context, v *view, sv *subView, j *job, end func(outcome)) {
	e := s.eng
	name, in, fail := s.sqsDelivery(ctx, v, sv, j)
	if fail != nil {
		e.finish(ctx, v, sv, j, *fail, end)
		return
	}
	e.lanes.Enqueue(ctx, name, *in, func(err error) {
		out := s.sqsOutcome(err, j)
		if out.OK || out.RetryAfter > 0 || out.Exhausted || out.Permanent && !s.ownTraceAttribute(in, j) || ctx.Err() != nil {
			e.finish(ctx, v, sv, j, out, end)
			return
		}
		end(out)
		retry := *j
		retry.attempts++
		retry.inline = true
		go e.queue(ctx, retry)
	})
}

// sqsDelivery is what a delivery sends to which queue.
func (s *Service) sqsDelivery(ctx context.Context, v *view, sv *subView, j *job) (string, *queue.SendInput, *outcome) {
	name := s.queueName(sv.rec.Endpoint)
	if name == "" || s.cfg.Queues == nil {
		return "", nil, &outcome{Permanent: true, Reason: "the queue " + sv.rec.Endpoint + " is not one of this server's"}
	}
	in, fail := s.sqsMessage(ctx, v, sv, j.msg, j.trace)
	return name, in, fail
}

// ownTraceAttribute reports whether the message carries the trace
// attribute Signalbox added (not the publisher's own).
func (s *Service) ownTraceAttribute(in *queue.SendInput, j *job) bool {
	return in.Attributes[queue.TraceParentAttribute].StringValue != "" && j.msg.Attributes[queue.TraceParentAttribute].StringValue == ""
}

// sqsOutcome is what the queue's answer makes of a delivery: a queue that
// does not exist, or refuses the message as invalid, is a client-side
// error (no retry, then the dead-letter queue); the store's failures are
// retried by AWS's policy for managed endpoints.
func (s *Service) sqsOutcome(err error, j *job) outcome {
	if err == nil {
		return outcome{OK: true}
	}
	var qe *queue.Error
	if errors.As(err, &qe) && !qe.Server {
		return outcome{Permanent: true, Reason: qe.Error()}
	}
	o := managedRetry(j.attempts + 1)
	o.Reason = err.Error()
	return o
}

// deadLetter sends a message given up to a subscription's dead-letter
// queue: what the subscriber would have received, with the reason in the
// ErrorCode and ErrorMessage attributes when there is room.
func (s *Service) deadLetter(ctx context.Context, v *view, sv *subView, j *job, arn, reason string) error {
	name := s.queueName(arn)
	if name == "" || s.cfg.Queues == nil {
		return errors.New("the dead-letter queue " + arn + " is not one of this server's")
	}
	raw := &subView{id: sv.id, rec: sv.rec, sub: sv.sub, raw: sv.raw && sv.rec.Protocol == ProtocolSQS}
	in, fail := s.sqsMessage(ctx, v, raw, j.msg, j.trace)
	if fail != nil {
		body, err := s.notification(ctx, v, sv, j.msg)
		if err != nil {
			return err
		}
		in = &queue.SendInput{Body: string(body), GroupID: j.msg.GroupID, SenderID: s.cfg.AccountID}
	}
	if !strings.HasSuffix(name, ".fifo") {
		in.GroupID, in.DedupID = "", ""
	} else if in.DedupID == "" {
		in.DedupID = j.msg.ID
	}
	if len(in.Attributes) <= 8 {
		if in.Attributes == nil {
			in.Attributes = map[string]queue.MessageAttribute{}
		}
		in.Attributes["ErrorCode"] = queue.MessageAttribute{DataType: "String", StringValue: "DeliveryFailed"}
		in.Attributes["ErrorMessage"] = queue.MessageAttribute{DataType: "String", StringValue: clip(reason, 1024)}
	}
	_, err := s.cfg.Queues.Send(ctx, name, []queue.SendInput{*in})
	return err
}

// Direct fanout. On one server (store.Client.DirectFanout), a publish
// writes the message into the queue of each sqs subscription it goes to,
// in its own script (store.TopicDirect): no delivery, no worker, no ack.
// The rule, per delivery: direct when the subscription's endpoint is a
// queue of this server that the queue router knows, and the queue's own
// send would take the message as sqsMessage builds it (queue.Prepare),
// and, on a FIFO topic, the delivery is raw (a FIFO topic's envelope
// carries the sequence number, which only the script assigns). Every
// other delivery goes the delivery path (deliver.go), as does a direct
// write the script could not make (the queue gone or full, a FIFO
// subscription with an earlier message of the group still to deliver).
// A direct delivery is counted "delivered" and, when deliveries are
// traced, is a "SNS deliver sqs" span of its own, as the delivery path's.
//
// Two bounds keep a publish script short: only a topic's first
// maxDirectQueues sqs subscriptions (in id order) are direct, so that a
// script writes into at most that many queues (a queue write is about 8
// Redis commands per script); and a message's direct writes carry at most
// maxDirectBytes (each queue configuration gets its own copy in the
// script's arguments, and each queue its own in Redis), the rest going the
// delivery path, which stores the message once.
const (
	maxDirectQueues = 100
	maxDirectBytes  = 1 << 20
)

// directWrite is a direct delivery of a message, prepared: its write
// (store.TopicDirect) is the published message's.
type directWrite struct {
	sv  *subView
	end func(outcome) // its span's
}

// fanout is what the direct writes of one message share (route makes one
// per message): its raw deliveries' queue message, prepared once for the
// queues that take it alike (queue.Fanout), when they carry the message's
// own trace context (not a span of their own). The envelope's encoding
// and signature are shared by the message's notes.
type fanout struct {
	raw     *queue.Fanout
	rawFail bool // sqsMessage refused the raw delivery
}

// direct prepares the direct delivery of m to sv and its write, or
// reports false when the delivery goes the delivery path; used is the
// bytes of m's direct writes so far, f what they share. A span started
// for a delivery that goes the delivery path ends at once (the delivery
// path makes its own).
func (s *Service) direct(ctx context.Context, v *view, sv *subView, m *message, now time.Time, used int, f *fanout) (directWrite, store.TopicDirect, bool) {
	if !sv.directable || s.cfg.Queues == nil || v.fifo && !sv.raw || s.cfg.NoDirectFanout || !s.st.DirectFanout() {
		return directWrite{}, store.TopicDirect{}, false
	}
	name := sv.queue
	if name == "" {
		return directWrite{}, store.TopicDirect{}, false
	}
	end, tc := noSpan, m.Trace
	if s.tracesDeliveries(m) {
		j := &job{topic: v.name, subID: sv.id, msg: m}
		_, end = s.traceDelivery(ctx, v, sv, j)
		tc = j.trace
	}
	var (
		p  queue.Prepared
		ok bool
	)
	if sv.raw && tc == m.Trace {
		// the same input for each such delivery of m
		if f.raw == nil && !f.rawFail {
			in, fail := s.sqsMessage(ctx, v, sv, m, tc)
			if f.rawFail = fail != nil; !f.rawFail {
				f.raw = s.cfg.Queues.Fanout(in, now, v.directs)
			}
		}
		if f.raw != nil {
			p, ok = f.raw.Prepare(ctx, name)
		}
	} else if in, fail := s.sqsMessage(ctx, v, sv, m, tc); fail == nil {
		p, ok = s.cfg.Queues.Prepare(ctx, name, in, now)
	}
	if !ok || used+len(p.Message.Payload) > maxDirectBytes {
		end(outcome{OK: true})
		return directWrite{}, store.TopicDirect{}, false
	}
	return directWrite{sv: sv, end: end}, store.TopicDirect{Subscription: sv.id, Queue: p.Queue, Message: p.Message}, true
}

// directMade ends a published message's direct deliveries: each made is
// counted in tally, and its span ended; the span of one the script made a
// delivery of instead ends too (the delivery path counts and traces that
// delivery).
func directMade(ds []directWrite, o store.TopicPublished, tally *directTally) {
	if len(ds) == 0 {
		return
	}
	var dup map[string]bool // past a few writes: a lookup rather than a scan
	if len(o.Direct) > 16 {
		dup = make(map[string]bool, len(o.Direct))
		for k, id := range o.Direct {
			dup[id] = o.DirectDuplicate[k]
		}
	}
	for _, d := range ds {
		d.end(outcome{OK: true})
		isDup, made := dup[d.sv.id]
		if dup == nil {
			for k := len(o.Direct) - 1; k >= 0; k-- { // the last, as the map has it
				if o.Direct[k] == d.sv.id {
					isDup, made = o.DirectDuplicate[k], true
					break
				}
			}
		}
		if made {
			tally.add(d, !isDup)
		}
	}
}

// directTally counts a publish's direct deliveries made, so that each
// meter is added to once per subscription and queue rather than per
// message (the attribute sets were a third of a publish's CPU).
type directTally struct {
	subs   counts[*subView]
	queues counts[string] // messages added (not a queue's duplicates)
}

func (t *directTally) add(d directWrite, added bool) {
	t.subs.add(d.sv)
	if added {
		t.queues.add(d.sv.queue) // its write's queue
	}
}

// record adds the tally to the topic's and the queues' meters.
func (s *Service) record(ctx context.Context, t *directTally) {
	for _, c := range t.subs.list {
		s.eng.countN(c.key, "delivered", c.n)
	}
	for _, c := range t.queues.list {
		s.cfg.Queues.Sent(ctx, c.key, c.n)
	}
}

// counts counts keys in order of first use: the first 16 in place (a
// publish's tally, with no allocation), then in a list indexed by a map
// once it is long.
type counts[K comparable] struct {
	small [16]count[K]
	list  []count[K]
	index map[K]int
}

type count[K comparable] struct {
	key K
	n   int
}

func (c *counts[K]) add(k K) {
	if c.index != nil {
		if i, ok := c.index[k]; ok {
			c.list[i].n++
			return
		}
	} else {
		for i := range c.list {
			if c.list[i].key == k {
				c.list[i].n++
				return
			}
		}
	}
	if c.list == nil {
		c.list = c.small[:0]
	}
	c.list = append(c.list, count[K]{k, 1})
	switch {
	case c.index != nil:
		c.index[k] = len(c.list) - 1
	case len(c.list) > 16:
		c.index = make(map[K]int, 2*len(c.list))
		for i, e := range c.list {
			c.index[e.key] = i
		}
	}
}

// endDirect ends the spans of direct deliveries not made (the publish
// failed, or is made again).
func endDirect(direct [][]directWrite) {
	for _, ds := range direct {
		for _, d := range ds {
			d.end(outcome{OK: true})
		}
	}
}
