// Package config decodes the configuration file of `signalbox serve` and
// `signalbox worker` (YAML) into a typed Config, checking it whole and
// reporting every problem at once, each with its file, line and path:
//
//	addr: 127.0.0.1:8080          # --addr wins
//	region: us-east-1             # in ARNs; --region wins
//	account: "123456789012"       # in ARNs; --account wins
//	redis: {url: redis://..., prefix: sb}   # --redis-url, then $SIGNALBOX_REDIS_URL, win
//	                              # timeout: 2s: each store call's deadline; --redis-timeout wins
//	api: {keys: [...]}            # the management API's keys
//	credentials:                  # SigV4 access keys of the AWS-protocol endpoints
//	  - {accessKeyId: ..., secretAccessKey: ...}
//	stateMachines:                # created, or updated, at start
//	  - {name: orders, definition: orders.asl.json, type: STANDARD, roleArn: ...}
//	routes:                       # user routes: see gateway.DecodeRoute
//	  - {method: POST, path: /orders, stateMachine: orders, mode: async}
//	queues:                       # the queue router's queues, created or updated at start
//	  - {name: orders.fifo, attributes: {VisibilityTimeout: 60}, tags: {team: shop}}
//	topics:                       # the topic router's topics and subscriptions, created or updated at start
//	  - name: orders              # .fifo: a FIFO topic
//	    attributes: {DisplayName: Orders, DeliveryPolicy: {...}}   # JSON attributes may be mappings
//	    tags: {team: shop}
//	    subscriptions:            # by protocol and endpoint; others of the topic are left alone
//	      - {protocol: sqs, endpoint: "arn:aws:sqs:...:audit", attributes: {RawMessageDelivery: true}}
//	      - {queue: audit}        # this server's queue (sqs)
//	      - {stateMachine: ship}  # this server's state machine (states)
//	      - {protocol: https, endpoint: "https://example.com/hook"}
//	buses:                        # the bus router's buses ("default" too), created or updated at start
//	  - name: orders
//	    rules:
//	      - name: big-orders
//	        eventPattern: {source: [shop], detail: {total: [{numeric: [">=", 100]}]}}
//	        targets: [{id: audit, queue: audit}, {id: ship, stateMachine: ship, inputPath: $.detail}]
//	    archives: [{name: orders-archive, retentionDays: 7}]
//	connections:                  # API destinations' authorizations (secrets as ${NAME})
//	  - {name: crm, authParameters: {apiKeyAuthParameters: {apiKeyName: x-api-key, apiKeyValue: "${CRM_KEY}"}}}
//	apiDestinations:
//	  - {name: crm-orders, connection: crm, invocationEndpoint: "https://crm.example.com/orders", httpMethod: POST}
//	registries:                   # the schema registry's registries and schemas (buses: discovery: true infers them)
//	  - {name: shop, schemas: [{name: Order, type: OpenApi3, content: schemas/order.json}]}
//	buckets:                      # the S3 resources' object store: a directory of buckets; --buckets-dir wins
//	  {dir: ./buckets, create: [input, results]}
//	functions:                    # functions (Lambda's semantics), created or updated at start: functions.go
//	  - {name: resize, endpoint: "http://127.0.0.1:9000/resize", timeout: 10}
//	  - {name: orders, zip: build/orders.zip, environment: {STAGE: dev}, publish: true, aliases: [{name: live, version: published}]}
//
// Every key is optional. Each top-level key is a section, decoded by a
// function of its own (the sections table); a section that belongs to
// another part of Signalbox hands its values to that part's decoder, as
// routes does with gateway.DecodeRoute. A string may name an
// environment variable as ${NAME}, which keeps secrets out of the file.
// Definition paths are relative to the file's directory.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/gateway"
)

// Config is a configuration file, decoded and checked.
type Config struct {
	// File is the path the file was read from.
	File string

	Addr, Region, Account string
	Redis                 Redis
	API                   API
	// Credentials are the SigV4 secret access keys by access key id.
	Credentials   map[string]string
	StateMachines []StateMachine
	Routes        []gateway.Route
	// Queues are the queue router's queues (queues.go).
	Queues []Queue
	// Topics are the topic router's topics, with their subscriptions
	// (topics.go).
	Topics []Topic
	// Buses are the bus router's buses, with their rules, targets and
	// archives; Connections and APIDestinations its connections and API
	// destinations (buses.go, connections.go; applied by busapply.go).
	Buses           []Bus
	Connections     []Connection
	APIDestinations []APIDestination
	// Registries are the schema registry's registries, with their
	// schemas (registries.go; applied by registryapply.go, with the
	// discovery of buses).
	Registries []SchemaRegistry
	// Buckets is the object store of the S3 resources (buckets.go).
	Buckets Buckets
	// Functions are the function service's functions (functions.go;
	// applied by ApplyFunctions).
	Functions []Function
	// Warnings are not errors, but the log says them at start.
	Warnings []string

	nodes map[string]*yaml.Node // "routes[2]" → its node, for the lines of later problems
}

// Problem is one problem of a configuration: the file, the line (0 when
// unknown), the path of the key in the file (routes[2].path), or in a
// definition its JSON pointer, and a message.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Path == "" {
		return loc + ": " + p.Message
	}
	return loc + ": " + p.Path + ": " + p.Message
}

// A section decodes the value of one top-level key, at path, into c.
type section func(d *decoder, n *yaml.Node, path string, c *Config)

// sections are the file's top-level keys. A new section adds its decoder
// here (and a field of Config for what it decodes), and its whole-file
// rules to checks.
var sections = map[string]section{
	"addr":            decodeAddr,
	"region":          decodeRegion,
	"account":         decodeAccount,
	"redis":           decodeRedis,
	"api":             decodeAPI,
	"credentials":     decodeCredentials,
	"stateMachines":   decodeStateMachines,
	"routes":          decodeRoutes,
	"queues":          decodeQueues,
	"topics":          decodeTopics,
	"buses":           decodeBuses,
	"connections":     decodeConnections,
	"apiDestinations": decodeAPIDestinations,
	"registries":      decodeRegistries,
	"buckets":         decodeBuckets,
	"functions":       decodeFunctions,
}

// checks look at what needs more than one section, in this order, once
// every section is decoded.
var checks = []func(d *decoder, c *Config){checkRoutes}

// Load reads and checks a configuration file, and every definition it
// names, reporting every problem found; nothing is started or stored.
// Whether the state machines routes name but the file does not exist is
// checked against the store, later (Apply).
func Load(path string) (*Config, []Problem) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []Problem{{File: path, Message: err.Error()}}
	}
	return Decode(path, data)
}

// Decode decodes and checks data as the configuration file at path (which
// names the file in problems and is where definition paths start).
func Decode(path string, data []byte) (*Config, []Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []Problem{{File: path, Message: "not YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		return nil, []Problem{{File: path, Message: "the file is empty"}}
	}
	c := &Config{File: path, Credentials: map[string]string{}, nodes: map[string]*yaml.Node{}}
	d := &decoder{file: path}
	fields := make(map[string]func(*yaml.Node, string), len(sections))
	for key, decode := range sections {
		fields[key] = func(n *yaml.Node, p string) { decode(d, n, p, c) }
	}
	d.mapping(doc.Content[0], "", fields)
	for _, check := range checks {
		check(d, c)
	}
	return c, d.problems
}

// itemProblem reports a problem of the item i of a list section
// (routes[i]), at the line of the field when the file has it: a section
// whose items are checked after decoding keeps their nodes in c.nodes.
func (c *Config) itemProblem(d *decoder, list string, i int, field, msg string) {
	path := fmt.Sprintf("%s[%d]", list, i)
	n := c.nodes[path]
	if field != "" {
		path += "." + field
		if fn := lookupNode(n, field); fn != nil {
			n = fn
		}
	}
	d.fail(n, path, "%s", msg)
}
