package config

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations/topic"
)

// Topic is a topic of the file (the topic router's, SNS semantics), with
// its subscriptions:
//
//	topics:
//	  - name: orders                  # a name ending in .fifo: a FIFO topic
//	    attributes: {DisplayName: Orders, DeliveryPolicy: {healthyRetryPolicy: {numRetries: 5}}}
//	    tags: {team: shop}
//	    subscriptions:
//	      - {protocol: sqs, endpoint: "arn:aws:sqs:us-east-1:123456789012:audit", attributes: {RawMessageDelivery: true}}
//	      - {queue: audit}            # this server's queue audit (protocol sqs)
//	      - {stateMachine: ship}      # this server's state machine ship (protocol states)
//	      - {protocol: https, endpoint: "https://example.com/hook"}
//
// Attributes take AWS's names (CreateTopic's, Subscribe's) with string,
// number or boolean values; Policy, DeliveryPolicy, DataProtectionPolicy
// (topics) and FilterPolicy, DeliveryPolicy, RedrivePolicy
// (subscriptions) may be written as mappings, sent as their JSON text. A
// name ending in .fifo gets FifoTopic: "true" when left out.
type Topic struct {
	Name          string
	Attributes    map[string]string
	Tags          map[string]string
	Subscriptions []Subscription
	index         int // in topics, for ApplyTopics' problems
}

// Subscription is a subscription of a topic of the file: Protocol and
// Endpoint as Subscribe takes them, or one of the shortcuts Queue (a queue
// of this server: protocol sqs, the queue's ARN) and StateMachine (a state
// machine of this server: protocol states, its ARN), resolved in the
// server's region and account when the file is applied.
type Subscription struct {
	Protocol     string
	Endpoint     string
	Queue        string
	StateMachine string
	Attributes   map[string]string
	index        int    // in its topic's subscriptions
	key          string // the field that names the endpoint: endpoint, queue or stateMachine
}

// topicJSONAttributes and subscriptionJSONAttributes are the attributes
// whose value is a JSON document: they may be written as mappings, and are
// compared as JSON.
var (
	topicJSONAttributes        = []string{"Policy", "DeliveryPolicy", "DataProtectionPolicy"}
	subscriptionJSONAttributes = []string{"FilterPolicy", "DeliveryPolicy", "RedrivePolicy"}
)

// decodeTopics reads the topics section. Only the file's shape is checked
// here (names present and distinct; each subscription names one endpoint,
// once; values scalars): whether SNS takes a name, an attribute or an
// endpoint is the topic router's to say when the file is applied
// (ApplyTopics), reported at the line of the topic or subscription.
func decodeTopics(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		tp := Topic{index: len(c.Topics), Attributes: map[string]string{}, Tags: map[string]string{}}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name": func(n *yaml.Node, p string) { tp.Name = d.str(n, p) },
			"attributes": func(n *yaml.Node, p string) {
				d.pairs(n, p, func(k string, n *yaml.Node, p string) {
					tp.Attributes[k] = d.attributeOf(topicJSONAttributes, k, n, p)
				})
			},
			"tags": func(n *yaml.Node, p string) {
				d.pairs(n, p, func(k string, n *yaml.Node, p string) { tp.Tags[k] = d.scalar(n, p) })
			},
			"subscriptions": func(n *yaml.Node, p string) { tp.Subscriptions = decodeSubscriptions(d, n, p) },
		})
		switch {
		case tp.Name == "":
			d.fail(item, p+".name", "required")
		case seen[tp.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", tp.Name, seen[tp.Name])
		default:
			seen[tp.Name] = p
		}
		if _, set := tp.Attributes["FifoTopic"]; !set && strings.HasSuffix(tp.Name, ".fifo") {
			tp.Attributes["FifoTopic"] = "true"
		}
		c.Topics = append(c.Topics, tp)
	})
}

// decodeSubscriptions reads a topic's subscriptions.
func decodeSubscriptions(d *decoder, n *yaml.Node, path string) []Subscription {
	var subs []Subscription
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		s := Subscription{index: len(subs), Attributes: map[string]string{}}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"protocol":     func(n *yaml.Node, p string) { s.Protocol = d.str(n, p) },
			"endpoint":     func(n *yaml.Node, p string) { s.Endpoint = d.str(n, p) },
			"queue":        func(n *yaml.Node, p string) { s.Queue = d.str(n, p) },
			"stateMachine": func(n *yaml.Node, p string) { s.StateMachine = d.str(n, p) },
			"attributes": func(n *yaml.Node, p string) {
				d.pairs(n, p, func(k string, n *yaml.Node, p string) {
					s.Attributes[k] = d.attributeOf(subscriptionJSONAttributes, k, n, p)
				})
			},
		})
		var named []string
		for key, v := range map[string]string{"endpoint": s.Endpoint, "queue": s.Queue, "stateMachine": s.StateMachine} {
			if v != "" {
				named = append(named, key)
			}
		}
		slices.Sort(named)
		implied := map[string]string{"queue": topic.ProtocolSQS, "stateMachine": topic.ProtocolStates}
		switch {
		case len(named) == 0:
			d.fail(item, p+".endpoint", "required: the endpoint, or queue or stateMachine (this server's)")
		case len(named) > 1:
			d.fail(lookupNode(item, named[1]), p+"."+named[1], "give one of endpoint, queue and stateMachine, not %s", strings.Join(named, " and "))
		default:
			s.key = named[0]
			if want := implied[s.key]; want != "" {
				if s.Protocol != "" && s.Protocol != want {
					d.fail(lookupNode(item, "protocol"), p+".protocol", "%s names a %s subscription, not %s", s.key, want, s.Protocol)
					s.key = "" // refused: not compared with the others
				}
				s.Protocol = want
			} else if s.Protocol == "" {
				d.fail(item, p+".protocol", "required with an endpoint (sqs, http, https or states)")
			}
		}
		if s.key != "" && s.Protocol != "" {
			id := s.Protocol + " " + s.Endpoint + s.Queue + s.StateMachine
			if other := seen[id]; other != "" {
				d.fail(item, p, "the same subscription as %s", other)
			}
			seen[id] = p
		}
		subs = append(subs, s)
	})
	return subs
}

// attributeOf reads an attribute's value: a scalar, or for an attribute
// named in jsonNames a mapping too (its JSON text).
func (d *decoder) attributeOf(jsonNames []string, name string, n *yaml.Node, path string) string {
	if r := resolve(n); r.Kind == yaml.MappingNode && slices.Contains(jsonNames, name) {
		return asl.EncodeJSON(jsonSafe(d.value(r, path)))
	}
	return d.scalar(n, path)
}

// TopicService is what ApplyTopics needs of the topic router (a
// *topic.Service).
type TopicService interface {
	TopicARN(name string) string
	CreateTopic(ctx context.Context, in *topic.CreateTopicInput) (*topic.Topic, error)
	GetTopicAttributes(ctx context.Context, topicARN string) (map[string]string, error)
	SetTopicAttribute(ctx context.Context, topicARN, name, value string) error
	DataProtectionPolicy(ctx context.Context, topicARN string) (string, error)
	ListTags(ctx context.Context, arn string) (map[string]string, error)
	TagResource(ctx context.Context, arn string, tags map[string]string) error
	Subscribe(ctx context.Context, in *topic.SubscribeInput) (string, error)
	ListSubscriptionsByTopic(ctx context.Context, topicARN, nextToken string) (*topic.SubscriptionsOutput, error)
	GetSubscriptionAttributes(ctx context.Context, subscriptionARN string) (map[string]string, error)
	SetSubscriptionAttribute(ctx context.Context, subscriptionARN, name, value string) error
}

// ApplyTopics makes the topic router hold the file's topics and their
// subscriptions, and checks that the topic each bus target names (topic:
// name) is in the file or the router. Each missing topic is created (CreateTopic, with its
// attributes and tags); an existing one whose attributes differ from the
// file's is updated (SetTopicAttributes, one attribute at a time) and so
// are its tags (TagResource: the file's are added, others kept). A
// subscription is known by its protocol and endpoint: a missing one is
// made (Subscribe); an existing one whose attributes differ from the
// file's is updated (SetSubscriptionAttributes), except one pending
// confirmation (http/https), which has no ARN to update it by until its
// endpoint confirms it. Subscriptions of the topic that are not in the
// file are left alone, as are the topics not in the file: ApplyTopics
// never deletes or unsubscribes, except a duplicate it made itself: two
// processes applying the file at once leave one subscription per
// endpoint (dropDuplicates).
//
// It returns what it did to each topic ("created orders", "updated jobs:
// DisplayName Jobs → Work, subscribed sqs arn:aws:sqs:...:audit"), and a
// problem at the line of the topic or subscription for each refusal (a
// name, attribute, protocol or endpoint SNS does not take; FifoTopic,
// which cannot change); a topic refused is not subscribed to.
func (c *Config) ApplyTopics(ctx context.Context, svc TopicService) ([]string, []Problem) {
	d := &decoder{file: c.File}
	inFile := map[string]bool{}
	for _, tp := range c.Topics {
		inFile[tp.Name] = true
	}
	for _, r := range c.busRefs("topic") {
		if inFile[r.name] {
			continue
		}
		_, err := svc.GetTopicAttributes(ctx, svc.TopicARN(r.name))
		var te *topic.Error
		switch {
		case errors.As(err, &te) && te.Code == "NotFound":
			c.itemProblem(d, "buses", r.bus, r.field, fmt.Sprintf("no topic %q in topics nor in the store", r.name))
		case err != nil:
			c.itemProblem(d, "buses", r.bus, r.field, err.Error())
		}
	}
	var done []string
	for _, tp := range c.Topics {
		what, notes, fails := applyTopic(ctx, svc, tp)
		for _, f := range fails {
			c.itemProblem(d, "topics", tp.index, f.field, f.msg)
		}
		if what == "" {
			continue
		}
		if len(notes) > 0 {
			what += ": " + strings.Join(notes, ", ")
		}
		done = append(done, what)
	}
	return done, d.problems
}

// failure is a refusal of a field of a topic (a path under topics[i]).
type failure struct{ field, msg string }

// applyTopic creates or updates one topic and its subscriptions. It
// returns "created orders", "updated orders" or "unchanged orders" ("" when
// the topic itself was refused), what changed, and the refusals.
func applyTopic(ctx context.Context, svc TopicService, tp Topic) (string, []string, []failure) {
	arn := svc.TopicARN(tp.Name)
	stored, err := svc.GetTopicAttributes(ctx, arn)
	var te *topic.Error
	var notes []string
	var fails []failure
	verb := "unchanged "
	switch {
	case errors.As(err, &te) && te.Code == "NotFound":
		if _, err := svc.CreateTopic(ctx, &topic.CreateTopicInput{Name: tp.Name, Attributes: tp.Attributes, Tags: tp.Tags}); err != nil {
			return "", nil, []failure{{attributeField(err, tp.Attributes, "name"), err.Error()}}
		}
		verb = "created "
	case err != nil:
		return "", nil, []failure{{"name", err.Error()}}
	default:
		changed, fs := updateTopic(ctx, svc, tp, arn, stored)
		notes, fails = append(notes, changed...), append(fails, fs...)
	}
	subNotes, subFails := applySubscriptions(ctx, svc, tp, arn)
	notes, fails = append(notes, subNotes...), append(fails, subFails...)
	if verb == "unchanged " && len(notes) > 0 {
		verb = "updated "
	}
	return verb + tp.Name, notes, fails
}

// updateTopic brings an existing topic's attributes and tags to the
// file's.
func updateTopic(ctx context.Context, svc TopicService, tp Topic, arn string, stored map[string]string) ([]string, []failure) {
	var notes []string
	var fails []failure
	for _, k := range slices.Sorted(maps.Keys(tp.Attributes)) {
		v, have := tp.Attributes[k], stored[k]
		switch k {
		case "FifoTopic":
			if have == "" {
				have = "false"
			}
			if v != have {
				fails = append(fails, failure{"attributes.FifoTopic", fmt.Sprintf("the stored topic %s has FifoTopic %s: it cannot change (delete the topic first)", tp.Name, have)})
			}
			continue
		case "DataProtectionPolicy":
			p, err := svc.DataProtectionPolicy(ctx, arn)
			if err != nil {
				fails = append(fails, failure{"attributes." + k, err.Error()})
				continue
			}
			have = p
		}
		if sameValue(slices.Contains(topicJSONAttributes, k), have, v) {
			continue
		}
		if err := svc.SetTopicAttribute(ctx, arn, k, v); err != nil {
			fails = append(fails, failure{"attributes." + k, err.Error()})
			continue
		}
		notes = append(notes, fmt.Sprintf("%s %s → %s", k, shortValue(have), shortValue(v)))
	}
	if len(tp.Tags) > 0 {
		tags, err := svc.ListTags(ctx, arn)
		switch {
		case err != nil:
			fails = append(fails, failure{"tags", err.Error()})
		case !maps.Equal(tags, mergeTags(tags, tp.Tags)):
			if err := svc.TagResource(ctx, arn, tp.Tags); err != nil {
				fails = append(fails, failure{"tags", err.Error()})
			} else {
				notes = append(notes, "tags")
			}
		}
	}
	return notes, fails
}

// endpointOf is a subscription's protocol and endpoint, its shortcut
// resolved in the region and account of the topic ARN topicARN.
func endpointOf(s Subscription, topicARN string) string {
	parts := strings.SplitN(topicARN, ":", 6) // arn:aws:sns:<region>:<account>:<name>
	if len(parts) < 5 {
		return s.Endpoint
	}
	switch {
	case s.Queue != "":
		return "arn:aws:sqs:" + parts[3] + ":" + parts[4] + ":" + s.Queue
	case s.StateMachine != "":
		return "arn:aws:states:" + parts[3] + ":" + parts[4] + ":stateMachine:" + s.StateMachine
	}
	return s.Endpoint
}

// applySubscriptions makes a topic's subscriptions include the file's.
func applySubscriptions(ctx context.Context, svc TopicService, tp Topic, arn string) ([]string, []failure) {
	if len(tp.Subscriptions) == 0 {
		return nil, nil
	}
	existing := map[string]string{} // protocol + " " + endpoint → its ARN, or PendingConfirmation
	for next := ""; ; {
		page, err := svc.ListSubscriptionsByTopic(ctx, arn, next)
		if err != nil {
			return nil, []failure{{"subscriptions", err.Error()}}
		}
		for _, s := range page.Subscriptions {
			existing[s.Protocol+" "+s.Endpoint] = s.SubscriptionARN
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	var notes []string
	var fails []failure
	for _, s := range tp.Subscriptions {
		at := fmt.Sprintf("subscriptions[%d]", s.index)
		endpoint := endpointOf(s, arn)
		what := s.Protocol + " " + endpoint
		subARN, ok := existing[what]
		switch {
		case !ok:
			if _, err := svc.Subscribe(ctx, &topic.SubscribeInput{TopicARN: arn, Protocol: s.Protocol, Endpoint: endpoint,
				Attributes: s.Attributes, ReturnSubscriptionARN: true}); err != nil {
				fails = append(fails, failure{at + "." + subscriptionField(err, s), err.Error()})
				continue
			}
			notes = append(notes, "subscribed "+what)
		case subARN == "PendingConfirmation":
			// no ARN to read or set its attributes by until confirmed
		default:
			stored, err := svc.GetSubscriptionAttributes(ctx, subARN)
			if err != nil {
				fails = append(fails, failure{at, err.Error()})
				continue
			}
			var changed []string
			for _, k := range slices.Sorted(maps.Keys(s.Attributes)) {
				v, have := s.Attributes[k], stored[k]
				if sameValue(slices.Contains(subscriptionJSONAttributes, k), have, v) {
					continue
				}
				if err := svc.SetSubscriptionAttribute(ctx, subARN, k, v); err != nil {
					fails = append(fails, failure{at + ".attributes." + k, err.Error()})
					continue
				}
				changed = append(changed, fmt.Sprintf("%s %s → %s", k, shortValue(have), shortValue(v)))
			}
			if len(changed) > 0 {
				notes = append(notes, "subscription "+what+": "+strings.Join(changed, ", "))
			}
		}
	}
	return notes, fails
}

// attributeField is the field an error is about: the attribute its
// message names (attributes.DisplayName), else otherwise.
func attributeField(err error, attrs map[string]string, otherwise string) string {
	msg := err.Error()
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if strings.Contains(msg, k) {
			return "attributes." + k
		}
	}
	return otherwise
}

// subscriptionField is the field of a subscription a Subscribe error is
// about: an attribute its message names, the protocol, else the field that
// names the endpoint.
func subscriptionField(err error, s Subscription) string {
	field := attributeField(err, s.Attributes, "")
	switch {
	case field != "":
		return field
	case s.key == "endpoint" && (strings.Contains(err.Error(), "protocol string") || strings.Contains(err.Error(), "Amazon SNS protocol")):
		return "protocol"
	}
	return s.key
}

// sameValue compares a stored attribute with the file's: JSON documents
// as JSON, others as text.
func sameValue(isJSON bool, stored, file string) bool {
	if stored == file {
		return true
	}
	if !isJSON {
		return false
	}
	a, errA := asl.DecodeJSON([]byte(stored))
	b, errB := asl.DecodeJSON([]byte(file))
	return errA == nil && errB == nil && asl.EncodeJSON(a) == asl.EncodeJSON(b)
}
