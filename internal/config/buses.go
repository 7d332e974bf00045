package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations/bus"
)

// Bus is an event bus of the file (the bus router's, EventBridge
// semantics), with its rules and their targets, and its archives:
//
//	buses:
//	  - name: orders                # "default": the default bus (its rules, tags, dead-letter queue)
//	    description: Orders of the shop
//	    deadLetterQueue: bus-dlq     # this server's queue (or deadLetterConfig: {arn: ...})
//	    tags: {team: shop}
//	    rules:
//	      - name: big-orders
//	        eventPattern: {source: [shop], detail: {total: [{numeric: [">=", 100]}]}}   # a mapping, sent as JSON
//	        state: ENABLED           # the default; or DISABLED
//	        targets:
//	          - {id: audit, queue: audit}                         # this server's queue
//	          - {id: ship, stateMachine: ship, inputPath: $.detail}
//	          - {id: alert, topic: alerts, inputTransformer: {inputPathsMap: {id: $.detail.id}, inputTemplate: '{"order": <id>}'}}
//	          - {id: copy, bus: other}
//	          - {id: crm, apiDestination: crm-orders, retryPolicy: {maximumRetryAttempts: 3}, deadLetterQueue: dlq}
//	          - {id: x, arn: "arn:aws:sqs:us-east-1:123456789012:elsewhere"}
//	    archives:
//	      - {name: orders-archive, eventPattern: {source: [shop]}, retentionDays: 7}
//	    discovery: true              # the schema registry infers the bus's events' schemas (registries.go)
//	connections:
//	  - name: crm
//	    authParameters:              # authorizationType is implied by the one kind given
//	      apiKeyAuthParameters: {apiKeyName: x-api-key, apiKeyValue: "${CRM_KEY}"}
//	      invocationHttpParameters: {headerParameters: [{key: X-Team, value: shop}]}
//	apiDestinations:
//	  - {name: crm-orders, connection: crm, invocationEndpoint: "https://crm.example.com/orders", httpMethod: POST}
//
// Keys are AWS's field names (PutRule's, PutTargets', CreateArchive's,
// CreateConnection's, CreateApiDestination's) in camelCase. An event
// pattern, a target's input and an input template may be written as
// mappings, sent as their JSON text. The shortcuts queue, topic,
// stateMachine, bus and apiDestination name a resource of this server (in
// the file or the store), resolved to its ARN in the server's region and
// account when the file is applied; deadLetterQueue names a queue of this
// server.
type Bus struct {
	Name string
	// Description, DeadLetterArn: nil when the file leaves them out (the
	// stored bus's are kept).
	Description     *string
	DeadLetterArn   *string
	DeadLetterQueue string // this server's queue, instead of DeadLetterArn
	Tags            map[string]string
	Rules           []BusRule
	Archives        []Archive
	// Discovery: a discoverer of the schema registry on the bus, started
	// (true) or stopped (false); nil when the file leaves it out
	// (ApplyRegistries, registryapply.go).
	Discovery *bool
	index     int // in buses, for ApplyBuses' problems
}

// BusRule is a rule of a bus of the file. A rule is the file's whole: an
// existing rule whose fields differ is put again (PutRule replaces all of
// them); its targets are known by id.
type BusRule struct {
	Name               string
	Description        string
	EventPattern       string
	ScheduleExpression string
	State              string
	RoleArn            string
	Tags               map[string]string
	Targets            []BusTarget
	index              int // in its bus's rules
}

// BusTarget is a target of a rule of the file: PutTargets' fields, its Arn
// "" when a shortcut names the destination.
type BusTarget struct {
	bus.Target
	// The destination when it is one of this server's: one of them, or
	// Arn, is set.
	Queue, Topic, StateMachine, BusName, APIDestination string
	// DeadLetterQueue is this server's queue, instead of DeadLetterConfig.
	DeadLetterQueue string
	index           int    // in its rule's targets
	key             string // the field that names the destination: arn, queue, topic, stateMachine, bus or apiDestination
}

// Archive is an archive of a bus of the file (its source is that bus).
// Description, EventPattern and RetentionDays: nil when the file leaves
// them out (a new archive: none, every event, forever; an existing one
// keeps its own).
type Archive struct {
	Name          string
	Description   *string
	EventPattern  *string
	RetentionDays *int
	index         int // in its bus's archives
}

// decodeBuses reads the buses section. Only the file's shape is checked
// here (names present and distinct; each target names one destination;
// values of the right type): whether EventBridge takes a pattern, a
// schedule or a target is the bus router's to say when the file is
// applied (ApplyBuses), at the line of the field.
func decodeBuses(d *decoder, n *yaml.Node, path string, c *Config) {
	seen := map[string]string{}
	archives := map[string]string{}
	for _, b := range c.Buses {
		for _, a := range b.Archives {
			archives[a.Name] = "" // a repeated section is refused already
		}
	}
	d.list(n, path, func(item *yaml.Node, p string) {
		c.nodes[p] = item
		b := Bus{index: len(c.Buses), Tags: map[string]string{}}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":        func(n *yaml.Node, p string) { b.Name = d.str(n, p) },
			"description": func(n *yaml.Node, p string) { b.Description = ptr(d.str(n, p)) },
			"deadLetterQueue": func(n *yaml.Node, p string) {
				b.DeadLetterQueue = d.str(n, p)
			},
			"deadLetterConfig": func(n *yaml.Node, p string) { b.DeadLetterArn = ptr(d.deadLetterConfig(n, p)) },
			"tags":             func(n *yaml.Node, p string) { d.tags(n, p, b.Tags) },
			"rules":            func(n *yaml.Node, p string) { b.Rules = decodeRules(d, n, p) },
			"archives":         func(n *yaml.Node, p string) { b.Archives = decodeArchives(d, n, p, archives) },
			"discovery":        func(n *yaml.Node, p string) { b.Discovery = ptr(d.boolean(n, p)) },
		})
		switch {
		case b.Name == "":
			d.fail(item, p+".name", "required")
		case seen[b.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", b.Name, seen[b.Name])
		default:
			seen[b.Name] = p
		}
		if b.DeadLetterQueue != "" && b.DeadLetterArn != nil {
			d.fail(lookupNode(item, "deadLetterConfig"), p+".deadLetterConfig", "give one of deadLetterQueue and deadLetterConfig, not both")
		}
		c.Buses = append(c.Buses, b)
	})
}

func ptr[T any](v T) *T { return &v }

// tags reads a mapping of tags into into.
func (d *decoder) tags(n *yaml.Node, path string, into map[string]string) {
	d.pairs(n, path, func(k string, n *yaml.Node, p string) { into[k] = d.scalar(n, p) })
}

// deadLetterConfig reads {arn: ...}.
func (d *decoder) deadLetterConfig(n *yaml.Node, path string) string {
	var arn string
	d.mapping(n, path, map[string]func(*yaml.Node, string){
		"arn": func(n *yaml.Node, p string) { arn = d.str(n, p) },
	})
	if arn == "" {
		d.fail(n, path+".arn", "required: the ARN of an SQS queue")
	}
	return arn
}

// jsonText reads a JSON document: a mapping or a list (its JSON text), or
// a string taken as the JSON text itself.
func (d *decoder) jsonText(n *yaml.Node, path string) string {
	if r := resolve(n); r.Kind == yaml.MappingNode || r.Kind == yaml.SequenceNode {
		return asl.EncodeJSON(jsonSafe(d.value(r, path)))
	}
	return d.str(n, path)
}

// integer reads a whole number.
func (d *decoder) integer(n *yaml.Node, path string) int {
	r := resolve(n)
	var v int
	if r.Kind != yaml.ScalarNode || r.Tag != "!!int" || r.Decode(&v) != nil {
		d.fail(r, path, "must be a whole number, got %s", nodeKind(r))
		return 0
	}
	return v
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	r := resolve(n)
	var v bool
	if r.Kind != yaml.ScalarNode || r.Tag != "!!bool" || r.Decode(&v) != nil {
		d.fail(r, path, "must be true or false, got %s", nodeKind(r))
		return false
	}
	return v
}

// decodeRules reads a bus's rules.
func decodeRules(d *decoder, n *yaml.Node, path string) []BusRule {
	var rules []BusRule
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		r := BusRule{index: len(rules), Tags: map[string]string{}}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":               func(n *yaml.Node, p string) { r.Name = d.str(n, p) },
			"description":        func(n *yaml.Node, p string) { r.Description = d.str(n, p) },
			"eventPattern":       func(n *yaml.Node, p string) { r.EventPattern = d.jsonText(n, p) },
			"scheduleExpression": func(n *yaml.Node, p string) { r.ScheduleExpression = d.str(n, p) },
			"state":              func(n *yaml.Node, p string) { r.State = d.str(n, p) },
			"roleArn":            func(n *yaml.Node, p string) { r.RoleArn = d.str(n, p) },
			"tags":               func(n *yaml.Node, p string) { d.tags(n, p, r.Tags) },
			"targets":            func(n *yaml.Node, p string) { r.Targets = decodeTargets(d, n, p) },
		})
		switch {
		case r.Name == "":
			d.fail(item, p+".name", "required")
		case seen[r.Name] != "":
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s", r.Name, seen[r.Name])
		default:
			seen[r.Name] = p
		}
		rules = append(rules, r)
	})
	return rules
}

// targetKeys are the fields that name a target's destination.
var targetKeys = []string{"apiDestination", "arn", "bus", "queue", "stateMachine", "topic"}

// decodeTargets reads a rule's targets.
func decodeTargets(d *decoder, n *yaml.Node, path string) []BusTarget {
	var ts []BusTarget
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		t := BusTarget{index: len(ts)}
		var dlqGiven bool
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"id":             func(n *yaml.Node, p string) { t.ID = d.str(n, p) },
			"arn":            func(n *yaml.Node, p string) { t.Arn = d.str(n, p) },
			"queue":          func(n *yaml.Node, p string) { t.Queue = d.str(n, p) },
			"topic":          func(n *yaml.Node, p string) { t.Topic = d.str(n, p) },
			"stateMachine":   func(n *yaml.Node, p string) { t.StateMachine = d.str(n, p) },
			"bus":            func(n *yaml.Node, p string) { t.BusName = d.str(n, p) },
			"apiDestination": func(n *yaml.Node, p string) { t.APIDestination = d.str(n, p) },
			"roleArn":        func(n *yaml.Node, p string) { t.RoleArn = d.str(n, p) },
			"input":          func(n *yaml.Node, p string) { t.Input = d.jsonText(n, p) },
			"inputPath":      func(n *yaml.Node, p string) { t.InputPath = d.str(n, p) },
			"inputTransformer": func(n *yaml.Node, p string) {
				it := &bus.InputTransformer{}
				d.mapping(n, p, map[string]func(*yaml.Node, string){
					"inputPathsMap": func(n *yaml.Node, p string) {
						it.InputPathsMap = map[string]string{}
						d.pairs(n, p, func(k string, n *yaml.Node, p string) { it.InputPathsMap[k] = d.str(n, p) })
					},
					"inputTemplate": func(n *yaml.Node, p string) { it.InputTemplate = d.jsonText(n, p) },
				})
				t.InputTransformer = it
			},
			"sqsParameters": func(n *yaml.Node, p string) {
				sp := &bus.SqsParameters{}
				d.mapping(n, p, map[string]func(*yaml.Node, string){
					"messageGroupId": func(n *yaml.Node, p string) { sp.MessageGroupID = d.str(n, p) },
				})
				t.SqsParameters = sp
			},
			"httpParameters": func(n *yaml.Node, p string) {
				hp := &bus.HTTPParameters{}
				d.mapping(n, p, map[string]func(*yaml.Node, string){
					"pathParameterValues": func(n *yaml.Node, p string) {
						d.list(n, p, func(n *yaml.Node, p string) { hp.PathParameterValues = append(hp.PathParameterValues, d.scalar(n, p)) })
					},
					"headerParameters": func(n *yaml.Node, p string) {
						hp.HeaderParameters = map[string]string{}
						d.pairs(n, p, func(k string, n *yaml.Node, p string) { hp.HeaderParameters[k] = d.scalar(n, p) })
					},
					"queryStringParameters": func(n *yaml.Node, p string) {
						hp.QueryStringParameters = map[string]string{}
						d.pairs(n, p, func(k string, n *yaml.Node, p string) { hp.QueryStringParameters[k] = d.scalar(n, p) })
					},
				})
				t.HTTPParameters = hp
			},
			"deadLetterQueue": func(n *yaml.Node, p string) { t.DeadLetterQueue = d.str(n, p) },
			"deadLetterConfig": func(n *yaml.Node, p string) {
				dlqGiven = true
				t.DeadLetterConfig = &bus.DeadLetterConfig{Arn: d.deadLetterConfig(n, p)}
			},
			"retryPolicy": func(n *yaml.Node, p string) {
				rp := &bus.RetryPolicy{}
				d.mapping(n, p, map[string]func(*yaml.Node, string){
					"maximumRetryAttempts":     func(n *yaml.Node, p string) { rp.MaximumRetryAttempts = ptr(d.integer(n, p)) },
					"maximumEventAgeInSeconds": func(n *yaml.Node, p string) { rp.MaximumEventAgeInSeconds = ptr(d.integer(n, p)) },
				})
				t.RetryPolicy = rp
			},
		})
		var named []string
		for i, v := range []string{t.APIDestination, t.Arn, t.BusName, t.Queue, t.StateMachine, t.Topic} {
			if v != "" {
				named = append(named, targetKeys[i])
			}
		}
		switch {
		case t.ID == "":
			d.fail(item, p+".id", "required")
		case seen[t.ID] != "":
			d.fail(lookupNode(item, "id"), p+".id", "%q is also the id of %s", t.ID, seen[t.ID])
		default:
			seen[t.ID] = p
		}
		switch {
		case len(named) == 0:
			d.fail(item, p+".arn", "required: the arn, or queue, topic, stateMachine, bus or apiDestination (this server's)")
		case len(named) > 1:
			d.fail(lookupNode(item, named[1]), p+"."+named[1], "give one of %s, not %s", strings.Join(targetKeys, ", "), strings.Join(named, " and "))
		default:
			t.key = named[0]
		}
		if t.DeadLetterQueue != "" && dlqGiven {
			d.fail(lookupNode(item, "deadLetterConfig"), p+".deadLetterConfig", "give one of deadLetterQueue and deadLetterConfig, not both")
		}
		ts = append(ts, t)
	})
	return ts
}

// decodeArchives reads a bus's archives; seen holds the names of the
// archives of the file so far (an archive's name is the account's, not
// the bus's).
func decodeArchives(d *decoder, n *yaml.Node, path string, seen map[string]string) []Archive {
	var as []Archive
	d.list(n, path, func(item *yaml.Node, p string) {
		a := Archive{index: len(as)}
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":          func(n *yaml.Node, p string) { a.Name = d.str(n, p) },
			"description":   func(n *yaml.Node, p string) { a.Description = ptr(d.str(n, p)) },
			"eventPattern":  func(n *yaml.Node, p string) { a.EventPattern = ptr(d.jsonText(n, p)) },
			"retentionDays": func(n *yaml.Node, p string) { a.RetentionDays = ptr(d.integer(n, p)) },
		})
		switch _, dup := seen[a.Name]; {
		case a.Name == "":
			d.fail(item, p+".name", "required")
		case dup:
			d.fail(lookupNode(item, "name"), p+".name", "%q is also the name of %s (archives are named in the account, not the bus)", a.Name, seen[a.Name])
		default:
			seen[a.Name] = p
		}
		as = append(as, a)
	})
	return as
}

// busRef is a name the buses give of one of this server's resources
// outside the bus router (a queue, a topic, a state machine), and where:
// Apply, ApplyQueues and ApplyTopics check that it is in the file or the
// store, as they do for the topics' subscriptions.
type busRef struct {
	bus   int    // in buses
	field string // under buses[bus]
	name  string
}

// busRefs returns the names of kind ("queue", "topic" or
// "stateMachine") the buses give: targets', and for queues the
// dead-letter queues of buses and targets.
func (c *Config) busRefs(kind string) []busRef {
	var refs []busRef
	for _, b := range c.Buses {
		if kind == "queue" && b.DeadLetterQueue != "" {
			refs = append(refs, busRef{b.index, "deadLetterQueue", b.DeadLetterQueue})
		}
		for _, r := range b.Rules {
			for _, t := range r.Targets {
				at := func(f string) string { return targetPath(r, t, f) }
				switch {
				case kind == "queue" && t.Queue != "":
					refs = append(refs, busRef{b.index, at("queue"), t.Queue})
				case kind == "topic" && t.Topic != "":
					refs = append(refs, busRef{b.index, at("topic"), t.Topic})
				case kind == "stateMachine" && t.StateMachine != "":
					refs = append(refs, busRef{b.index, at("stateMachine"), t.StateMachine})
				}
				if kind == "queue" && t.DeadLetterQueue != "" {
					refs = append(refs, busRef{b.index, at("deadLetterQueue"), t.DeadLetterQueue})
				}
			}
		}
	}
	return refs
}

// targetPath is the path of a target's field under its bus.
func targetPath(r BusRule, t BusTarget, field string) string {
	p := fmt.Sprintf("rules[%d].targets[%d]", r.index, t.index)
	if field != "" {
		p += "." + field
	}
	return p
}
