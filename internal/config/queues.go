package config

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations/queue"
)

// Queue is a queue of the file (the queue router's, SQS semantics):
//
//	queues:
//	  - name: orders.fifo
//	    attributes: {VisibilityTimeout: 60, ContentBasedDeduplication: true}
//	    tags: {team: shop}
//
// Attributes take AWS's names (CreateQueue's) with string, number or
// boolean values; RedrivePolicy, RedriveAllowPolicy and Policy may be
// written as mappings, sent as their JSON text. A name ending in .fifo
// makes a FIFO queue (FifoQueue: "true" is added when left out).
type Queue struct {
	Name       string
	Attributes map[string]string
	Tags       map[string]string
	index      int // in queues, for ApplyQueues' problems
}

// jsonAttributes are the attributes whose value is a JSON document: they
// may be written as mappings, and are compared as JSON.
var jsonAttributes = []string{"Policy", "RedrivePolicy", "RedriveAllowPolicy"}

// decodeQueues reads the queues section. Only the file's shape is checked
// here (names present and distinct, values scalars): the queue router
// exposes no validation of its own, so whether SQS takes a name or an
// attribute is CreateQueue's to say when serve applies the file
// (ApplyQueues), reported at the queue's line.
func decodeQueues(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		q := Queue{index: len(c.Queues), Attributes: map[string]string{}, Tags: map[string]string{}}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name": func(n *yaml.Node, p string) { q.Name = d.str(n, p) },
			"attributes": func(n *yaml.Node, p string) {
				d.pairs(n, p, func(k string, n *yaml.Node, p string) { q.Attributes[k] = d.attribute(k, n, p) })
			},
			"tags": func(n *yaml.Node, p string) {
				d.pairs(n, p, func(k string, n *yaml.Node, p string) { q.Tags[k] = d.scalar(n, p) })
			},
		})
		switch {
		case q.Name == "":
			d.fail(item, p+".name", "required")
		case seen[q.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", q.Name, seen[q.Name])
		default:
			seen[q.Name] = p
		}
		if _, set := q.Attributes["FifoQueue"]; !set && strings.HasSuffix(q.Name, ".fifo") {
			q.Attributes["FifoQueue"] = "true"
		}
		c.Queues = append(c.Queues, q)
	})
}

// pairs calls f for each key and value of a mapping whose keys are data
// (attribute and tag names), and reports repeated keys.
func (d *decoder) pairs(n *yaml.Node, path string, f func(key string, v *yaml.Node, p string)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if n.Tag != "!!null" {
			d.fail(n, path, "must be a mapping (key: value), got %s", nodeKind(n))
		}
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := keyPath(path, k.Value)
		if seen[k.Value] {
			d.fail(k, p, "the key is repeated")
		}
		seen[k.Value] = true
		f(k.Value, v, p)
	}
}

// scalar reads a string, number or boolean as the text SQS takes.
func (d *decoder) scalar(n *yaml.Node, path string) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, path, "must be a string, a number or true/false, got %s", nodeKind(n))
		return ""
	}
	if n.Tag == "!!str" {
		return d.expand(n, path, n.Value)
	}
	v := d.value(n, path)
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return n.Value
}

// attribute reads a queue attribute's value: a scalar, or for a JSON
// attribute a mapping too (its JSON text).
func (d *decoder) attribute(name string, n *yaml.Node, path string) string {
	if r := resolve(n); r.Kind == yaml.MappingNode && slices.Contains(jsonAttributes, name) {
		return asl.EncodeJSON(jsonSafe(d.value(r, path)))
	}
	return d.scalar(n, path)
}

// jsonSafe turns the YAML decoder's ints into the int64 JSON values use.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case map[string]any:
		for k, e := range x {
			x[k] = jsonSafe(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonSafe(e)
		}
	}
	return v
}

// QueueService is what ApplyQueues needs of the queue router (a
// *queue.Service).
type QueueService interface {
	GetQueue(ctx context.Context, name string) (*queue.Queue, error)
	CreateQueue(ctx context.Context, in *queue.CreateInput) (*queue.Queue, error)
	GetAttributes(ctx context.Context, name string, names []string) (map[string]string, error)
	SetAttributes(ctx context.Context, name string, attrs map[string]string) error
	ListTags(ctx context.Context, name string) (map[string]string, error)
	TagQueue(ctx context.Context, name string, tags map[string]string) error
}

// ApplyQueues makes the queue router hold the file's queues, and checks
// that the queue of each route to a queue, of each topic subscription
// to one of this server's queues (queue: name), and of each bus target
// or dead-letter queue naming one (queue:, deadLetterQueue:), is in the
// file or the router.
// Each missing one is created; an existing one whose attributes differ
// from the file's is updated (SetQueueAttributes) and so are its tags (TagQueue: the
// file's are added, others kept). It returns what it did to each queue
// ("created orders", "updated jobs: VisibilityTimeout 30 → 60"), and a
// problem at the queue's line for each refusal (a name or attribute SQS
// does not take, an attribute that cannot change, such as FifoQueue; a
// route or a subscription to a queue that does not exist).
func (c *Config) ApplyQueues(ctx context.Context, svc QueueService) ([]string, []Problem) {
	d := &decoder{file: c.File}
	var done []string
	for _, q := range c.Queues {
		what, field, err := applyQueue(ctx, svc, q)
		if err != nil {
			c.itemProblem(d, "queues", q.index, field, err.Error())
			continue
		}
		done = append(done, what)
	}
	inFile := map[string]bool{}
	for _, q := range c.Queues {
		inFile[q.Name] = true
	}
	for i, rt := range c.Routes {
		if rt.Queue == "" || inFile[rt.Queue] {
			continue
		}
		_, err := svc.GetQueue(ctx, rt.Queue)
		var qe *queue.Error
		switch {
		case errors.As(err, &qe) && qe.Code == "QueueDoesNotExist":
			c.itemProblem(d, "routes", i, "queue", fmt.Sprintf("no queue %q in queues nor in the store", rt.Queue))
		case err != nil:
			c.itemProblem(d, "routes", i, "queue", err.Error())
		}
	}
	for _, tp := range c.Topics {
		for _, s := range tp.Subscriptions {
			if s.Queue == "" || inFile[s.Queue] {
				continue
			}
			field := fmt.Sprintf("subscriptions[%d].queue", s.index)
			_, err := svc.GetQueue(ctx, s.Queue)
			var qe *queue.Error
			switch {
			case errors.As(err, &qe) && qe.Code == "QueueDoesNotExist":
				c.itemProblem(d, "topics", tp.index, field, fmt.Sprintf("no queue %q in queues nor in the store", s.Queue))
			case err != nil:
				c.itemProblem(d, "topics", tp.index, field, err.Error())
			}
		}
	}
	for _, r := range c.busRefs("queue") {
		if inFile[r.name] {
			continue
		}
		_, err := svc.GetQueue(ctx, r.name)
		var qe *queue.Error
		switch {
		case errors.As(err, &qe) && qe.Code == "QueueDoesNotExist":
			c.itemProblem(d, "buses", r.bus, r.field, fmt.Sprintf("no queue %q in queues nor in the store", r.name))
		case err != nil:
			c.itemProblem(d, "buses", r.bus, r.field, err.Error())
		}
	}
	return done, d.problems
}

// applyQueue creates or updates one queue; on failure it names the field
// at fault ("name", "attributes", "tags").
func applyQueue(ctx context.Context, svc QueueService, q Queue) (string, string, error) {
	_, err := svc.GetQueue(ctx, q.Name)
	var qe *queue.Error
	if errors.As(err, &qe) && qe.Code == "QueueDoesNotExist" {
		if _, err := svc.CreateQueue(ctx, &queue.CreateInput{Name: q.Name, Attributes: q.Attributes, Tags: q.Tags}); err != nil {
			return "", queueField(err, q), err
		}
		return "created " + q.Name, "", nil
	}
	if err != nil {
		return "", "name", err
	}
	stored, err := svc.GetAttributes(ctx, q.Name, slices.Sorted(maps.Keys(q.Attributes)))
	if err != nil {
		return "", "attributes", err
	}
	changed := map[string]string{}
	var notes []string
	for _, k := range slices.Sorted(maps.Keys(q.Attributes)) {
		if v := q.Attributes[k]; !sameAttribute(k, stored[k], v) {
			changed[k] = v
			notes = append(notes, fmt.Sprintf("%s %s → %s", k, shortValue(stored[k]), shortValue(v)))
		}
	}
	if len(changed) > 0 {
		if err := svc.SetAttributes(ctx, q.Name, changed); err != nil {
			return "", queueField(err, q), err
		}
	}
	if len(q.Tags) > 0 {
		tags, err := svc.ListTags(ctx, q.Name)
		if err != nil {
			return "", "tags", err
		}
		if !maps.Equal(tags, mergeTags(tags, q.Tags)) {
			if err := svc.TagQueue(ctx, q.Name, q.Tags); err != nil {
				return "", "tags", err
			}
			notes = append(notes, "tags")
		}
	}
	if len(notes) == 0 {
		return "unchanged " + q.Name, "", nil
	}
	return "updated " + q.Name + ": " + strings.Join(notes, ", "), "", nil
}

func mergeTags(have, add map[string]string) map[string]string {
	out := maps.Clone(have)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, add)
	return out
}

// queueField is the field a CreateQueue error is about: the attribute
// its message names (attributes.VisibilityTimeout), else the name.
func queueField(err error, q Queue) string {
	msg := err.Error()
	for _, k := range slices.Sorted(maps.Keys(q.Attributes)) {
		if strings.Contains(msg, k) {
			return "attributes." + k
		}
	}
	return "name"
}

// sameAttribute compares a stored attribute with the file's: JSON
// attributes as JSON documents, others as text.
func sameAttribute(name, stored, file string) bool {
	if stored == file {
		return true
	}
	if !slices.Contains(jsonAttributes, name) {
		return false
	}
	a, errA := asl.DecodeJSON([]byte(stored))
	b, errB := asl.DecodeJSON([]byte(file))
	return errA == nil && errB == nil && asl.EncodeJSON(a) == asl.EncodeJSON(b)
}

func shortValue(s string) string {
	if s == "" {
		return `""`
	}
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
