package topic

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/signalbox/signalbox/integrations/topic/filter"
)

// A view is a topic with its subscriptions decoded and their filter
// policies compiled, as publishes and deliveries read them. A publish
// matches subscriptions against a view and names the view's version, which
// the publish script checks: a view is never stale for a publish. A
// delivery reads a view at most viewMaxAge old (a subscription changed a
// moment ago may see one more delivery under its old attributes).
type view struct {
	name    string
	arn     string
	fifo    bool
	version int64
	attrs   map[string]string
	subs    []*subView // confirmed ones, in id order
	directs int        // of subs, the directable
	filters int        // distinct filter policies of subs (subView.policy)
	byID    map[string]*subView
	loaded  time.Time
	// pub orders a FIFO topic's publishes in this process, so that its
	// deliveries are queued in sequence order.
	pub sync.Mutex
	// group joins a standard topic's publishes (publishgroup.go).
	group publishGroup
}

// subView is one subscription of a view.
type subView struct {
	id     string
	rec    *subRecord
	sub    subscription
	filter *filter.Policy // nil: no filter policy
	scope  filter.Scope
	policy int // the view's index of filter, shared by the subscriptions with the same policy and scope
	raw    bool
	// directable: an sqs subscription among the topic's first
	// maxDirectQueues (sqs.go), which a publish may write into directly.
	directable bool
	queue      string // an sqs subscription's queue when it is this server's (queueName)
	// delivered is the attributes of its count of deliveries made
	// (countN), made on first use.
	delivered atomic.Pointer[[]metric.AddOption]
}

const (
	viewMaxAge = time.Second
	maxViews   = 10_000
)

// view returns the topic's view, loaded when the cached one is older than
// maxAge (0: always reloaded), or the store's error.
func (s *Service) view(ctx context.Context, name string, maxAge time.Duration) (*view, error) {
	now := s.now()
	s.mu.Lock()
	v := s.views[name]
	fresh := v != nil && now.Sub(v.loaded) <= maxAge // loaded is s.mu's (moved below)
	s.mu.Unlock()
	if fresh {
		return v, nil
	}
	rec, err := s.st.TopicGet(ctx, name)
	if err != nil {
		return nil, err
	}
	nv := &view{name: name, arn: s.TopicARN(name), fifo: rec.FIFO, version: rec.Version, attrs: rec.Attributes,
		byID: map[string]*subView{}, loaded: now}
	policies := map[string]*subView{} // by scope and policy, the first subscription of each
	for id, raw := range rec.Subscriptions {
		r, err := decodeSubscription(raw)
		if err != nil {
			continue
		}
		sv := &subView{id: id, rec: r, raw: r.Attributes[attrRawDelivery] == "true",
			sub: subscription{ARN: nv.arn + ":" + id, TopicARN: nv.arn, Protocol: r.Protocol, Endpoint: r.Endpoint,
				Attributes: r.Attributes, Confirmed: r.Confirmed, Token: r.Token}}
		if p := r.Attributes[attrFilterPolicy]; p != "" {
			scope, err := filter.ParseScope(r.Attributes[attrFilterScope])
			if err != nil {
				continue
			}
			k := string(rune(scope)) + p
			if first := policies[k]; first != nil {
				sv.filter, sv.scope, sv.policy = first.filter, scope, first.policy
			} else {
				f, err := filter.Compile(p, scope)
				if err != nil {
					continue // refused when set: only an older rule could let it in
				}
				sv.filter, sv.scope, sv.policy = f, scope, len(policies)
				policies[k] = sv
			}
		}
		nv.byID[id] = sv
		if r.Confirmed {
			nv.subs = append(nv.subs, sv)
		}
	}
	nv.filters = len(policies)
	sort.Slice(nv.subs, func(i, j int) bool { return nv.subs[i].id < nv.subs[j].id })
	queues := 0
	for _, sv := range nv.subs {
		if sv.rec.Protocol == ProtocolSQS && queues < maxDirectQueues {
			sv.directable = true
			sv.queue = s.queueName(sv.rec.Endpoint)
			queues++
		}
	}
	nv.directs = queues
	s.mu.Lock()
	if old := s.views[name]; old != nil && old.version == nv.version {
		old.loaded = now // keep the one whose mutex publishes hold
		nv = old
	} else {
		if len(s.views) >= maxViews {
			clear(s.views)
		}
		s.views[name] = nv
	}
	s.mu.Unlock()
	return nv, nil
}

// forget drops a topic's cached view (after a change made here).
func (s *Service) forget(name string) {
	s.mu.Lock()
	delete(s.views, name)
	s.mu.Unlock()
}

// matcher matches a message against a view's subscriptions: each
// distinct filter policy (the subscriptions with the same policy and
// scope share it) evaluated once, and the message's attributes converted
// once.
type matcher struct {
	m      *message
	attrs  map[string]filter.Attribute
	result []int8 // by policy: 0 not evaluated yet, 1 matches, -1 not
}

func newMatcher(v *view, m *message) *matcher {
	mt := &matcher{m: m}
	if v.filters > 0 {
		mt.result = make([]int8, v.filters)
	}
	return mt
}

// matches reports whether the message goes to the subscription.
func (mt *matcher) matches(sv *subView) bool {
	if sv.filter == nil {
		return true
	}
	if sv.scope == filter.MessageBody && mt.m.PerProtocol != nil {
		// the body differs by protocol (MessageStructure json)
		return sv.filter.MatchBody(mt.m.forProtocol(sv.rec.Protocol))
	}
	if r := mt.result[sv.policy]; r != 0 {
		return r > 0
	}
	var ok bool
	if sv.scope == filter.MessageBody {
		ok = sv.filter.MatchBody(mt.m.Message)
	} else {
		if mt.attrs == nil {
			mt.attrs = make(map[string]filter.Attribute, len(mt.m.Attributes))
			for k, a := range mt.m.Attributes {
				mt.attrs[k] = filter.Attribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
			}
		}
		ok = sv.filter.MatchAttributes(mt.attrs)
	}
	mt.result[sv.policy] = -1
	if ok {
		mt.result[sv.policy] = 1
	}
	return ok
}
