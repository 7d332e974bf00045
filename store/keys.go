package store

import (
	"crypto/sha256"
	"encoding/hex"
)

// Every Redis key Signalbox uses is built here, one function each. The keys
// of one execution carry the hash tag {<execID>}, so that all of them live in
// one Redis Cluster slot and one script may touch them together; the global
// keys each hash to their own slot and are never touched by the same script
// as an execution's keys.

// DefaultPrefix is the prefix of every key when Options.Prefix is empty.
const DefaultPrefix = "sb"

// ReadyGroup is the consumer group of the ready stream: every worker reads
// work items as a consumer of this group.
const ReadyGroup = "workers"

// ExecutionID is the id of the execution named name of the state machine
// stateMachineARN: the first 32 hex digits of
// sha256(stateMachineARN + "\x00" + name). Deriving the id from the name makes
// the execution's own keys the name index, so StartExecution is idempotent
// with no second key.
func ExecutionID(stateMachineARN, name string) string {
	sum := sha256.Sum256([]byte(stateMachineARN + "\x00" + name))
	return hex.EncodeToString(sum[:16])
}

// Keys builds the keys under one prefix.
type Keys struct{ prefix string }

// NewKeys returns the key builder for prefix ("" means DefaultPrefix).
func NewKeys(prefix string) Keys {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return Keys{prefix: prefix}
}

// Prefix returns the prefix every key starts with.
func (k Keys) Prefix() string { return k.prefix }

func (k Keys) exec(id, suffix string) string { return k.prefix + ":{" + id + "}:" + suffix }

// ExecutionKey is the execution's hash: state machine ARN, name, definition
// hash, status, input, output, error, cause, dates, trace and span ids, and
// the history and outbox counters (field names in execution.go).
func (k Keys) ExecutionKey(id string) string { return k.exec(id, "x") }

// HistoryKey is the execution's list of history events, JSON, in id order:
// event id n is at index n-1; or, for an execution created SUCCEEDED, a
// string of the same elements joined by "\x1e" (historyJoin).
func (k Keys) HistoryKey(id string) string { return k.exec(id, "h") }

// ThreadsKey is the execution's hash of threads: thread id → "<seq>|<last
// event id>|<record JSON>".
func (k Keys) ThreadsKey(id string) string { return k.exec(id, "t") }

// VarsKey is the execution's hash of variables: "scope/name" → value JSON.
func (k Keys) VarsKey(id string) string { return k.exec(id, "v") }

// JoinKey is the execution's hash of fork results: "fork/index" → a finished
// branch's or iteration's output; "fork#left", "fork#next", "fork#failed"
// counters and "fork#done"; for a Map's fork, "fork#item/index" → the
// item of an iteration not ended yet and "fork#rec" → the thread value
// its thread is created from ("0|<the fork's last event id>|<record>");
// for a Distributed Map's fork, its map run's fields ("fork#run",
// "fork#limit", "fork#tc", "fork#tp", "fork#end") and the execution's
// "#runs" (maprun.go).
func (k Keys) JoinKey(id string) string { return k.exec(id, "j") }

// OutboxKey is the execution's list of work items and timers that
// transitions produced and that are not yet handed over:
// "<outbox seq>|<due unix ms, 0 for now>|<work item>".
func (k Keys) OutboxKey(id string) string { return k.exec(id, "o") }

// ReadyStream is the stream of work items ready to run, read by the
// consumer group ReadyGroup; each entry has one field, "item".
func (k Keys) ReadyStream() string { return k.prefix + ":ready" }

// TimersKey is the sorted set of timers: member a work item, score its due
// time in unix milliseconds.
func (k Keys) TimersKey() string { return k.prefix + ":timers" }

// OpenExecutionsKey is the sorted set of open executions: member the
// execution id, score its start time in unix milliseconds.
func (k Keys) OpenExecutionsKey() string { return k.prefix + ":open" }

// DefinitionKey is the string holding the definition whose hash is sha.
func (k Keys) DefinitionKey(sha string) string { return k.prefix + ":def:" + sha }

// StateMachineKey is the hash of the state machine named name: its record,
// versions and aliases.
func (k Keys) StateMachineKey(name string) string { return k.prefix + ":sm:{" + name + "}" }

// StateMachineVersionsKey (hash) holds a state machine's published
// versions: "<n>" → "<definition sha>|<created unix ms>|<description>",
// and "next", the next version number. It shares the state machine's slot.
func (k Keys) StateMachineVersionsKey(name string) string {
	return k.prefix + ":sm:{" + name + "}:v"
}

// StateMachineExecutionsKey (sorted set) lists a state machine's
// executions by start time (unix ms): ListExecutions. It shares the state
// machine's slot, not the executions'.
func (k Keys) StateMachineExecutionsKey(name string) string {
	return k.prefix + ":sm:{" + name + "}:x"
}

// StateMachinesKey (sorted set, all scores 0) lists the state machines by
// name, for listing in lexical order.
func (k Keys) StateMachinesKey() string { return k.prefix + ":sms" }

// createKeys are the KEYS of scriptExecutionCreate, in order; direct adds
// the global keys the script then writes itself, the list being that of
// the state machine stateMachine.
func (k Keys) createKeys(id string, direct bool, stateMachine string) []string {
	if direct {
		return []string{k.ExecutionKey(id), k.HistoryKey(id), k.ThreadsKey(id), k.OutboxKey(id), k.VarsKey(id),
			k.ReadyStream(), k.TimersKey(), k.OpenExecutionsKey(), k.StateMachineExecutionsKey(stateMachine)}
	}
	return []string{k.ExecutionKey(id), k.HistoryKey(id), k.ThreadsKey(id), k.OutboxKey(id), k.VarsKey(id)}
}

// transitionKeys are the KEYS of scriptTransition, in order; direct adds
// the global keys the script then writes itself.
func (k Keys) transitionKeys(id string, direct bool) []string {
	if direct {
		return []string{k.ExecutionKey(id), k.HistoryKey(id), k.ThreadsKey(id), k.VarsKey(id), k.OutboxKey(id), k.JoinKey(id),
			k.ReadyStream(), k.TimersKey(), k.OpenExecutionsKey()}
	}
	return []string{k.ExecutionKey(id), k.HistoryKey(id), k.ThreadsKey(id), k.VarsKey(id), k.OutboxKey(id), k.JoinKey(id)}
}

// StateMachineAliasesKey (hash) holds a state machine's aliases: alias name
// → "<created unix ms>|<updated unix ms>|<configuration JSON>" (alias.go).
// It shares the state machine's slot, so one script checks the versions an
// alias routes to.
func (k Keys) StateMachineAliasesKey(name string) string {
	return k.prefix + ":sm:{" + name + "}:a"
}

// StateMachineTagsKey (hash) holds a state machine's tags: key → value.
func (k Keys) StateMachineTagsKey(name string) string {
	return k.prefix + ":sm:{" + name + "}:tags"
}

// MockCountsKey is the hash numbering the mocked Task calls of one
// execution (mock.go): "#<state>" → invocations so far, "<call key>" → the
// number that call got. Its tag is the hash of the execution's ARN, which
// EXPRESS executions have and store ids do not derive from; it expires
// instead of being deleted with the execution.
func (k Keys) MockCountsKey(executionARN string) string {
	sum := sha256.Sum256([]byte(executionARN))
	return k.prefix + ":mock:{" + hex.EncodeToString(sum[:16]) + "}"
}

// ActivityKey (hash) is the activity named name: "created" (unix ms). Its
// keys carry the hash tag {<name>}.
func (k Keys) ActivityKey(name string) string { return k.prefix + ":act:{" + name + "}" }

// ActivityTagsKey (hash) holds an activity's tags: key → value.
func (k Keys) ActivityTagsKey(name string) string { return k.prefix + ":act:{" + name + "}:tags" }

// ActivityQueueKey (list) holds an activity's scheduled tasks, newest at the
// head: "<thread seq>|<task token>" (activity.go).
func (k Keys) ActivityQueueKey(name string) string { return k.prefix + ":act:{" + name + "}:q" }

// ActivitiesKey (sorted set, all scores 0) lists the activities by name, for
// listing in lexical order.
func (k Keys) ActivitiesKey() string { return k.prefix + ":acts" }

// The keys of one queue carry the hash tag {q:<name>}, so that every
// script of a queue touches one Cluster slot; a message that moves between
// queues (to a dead-letter queue, or back by a move task) moves in two
// steps, each on one queue (queue.go).
func (k Keys) queue(name, suffix string) string { return k.prefix + ":{q:" + name + "}" + suffix }

// QueueKey (hash) is the queue named name: its attributes under AWS's
// names as SetQueueAttributes stores them, and the fields "#created" and
// "#modified" (unix ms), "#seq" (the last sequence number), "#rcv" (the
// last receipt token), "#purged" (unix ms), "#bytes" (the bytes its
// messages hold), "#maxrc" (the redrive policy's maxReceiveCount, "" for
// none), "#dlq" (the redrive policy's target queue name) and "#due" (unix
// ms: nothing the sweep handles is due before it; absent: unknown; see
// queuescripts.go's sweep).
func (k Keys) QueueKey(name string) string { return k.queue(name, "") }

// QueueTagsKey (hash) holds a queue's tags: key → value.
func (k Keys) QueueTagsKey(name string) string { return k.queue(name, ":tags") }

// QueueMessagesKey (hash) holds a queue's messages: id → the payload the
// queue router encoded (body, attributes, MD5s, sent time), never changed.
func (k Keys) QueueMessagesKey(name string) string { return k.queue(name, ":m") }

// QueueStateKey (hash) holds each message's delivery state: id →
// "<receive count>|<first receive ms>|<receipt token>|<last receive
// ms>|<sequence number>|<size>|<group>" (queue.go).
func (k Keys) QueueStateKey(name string) string { return k.queue(name, ":s") }

// QueueWaitKey (sorted set) holds the messages not in flight of a
// standard queue, and the delayed ones of a FIFO queue: member the id,
// score the unix ms it becomes visible (its sent time, or later when
// delayed).
func (k Keys) QueueWaitKey(name string) string { return k.queue(name, ":w") }

// QueueInflightKey (sorted set) holds the messages in flight: member the
// id, score the unix ms its visibility timeout ends.
func (k Keys) QueueInflightKey(name string) string { return k.queue(name, ":f") }

// QueueSentKey (sorted set) holds every message: member the id, score its
// sent time (unix ms), for retention and the oldest message's age.
func (k Keys) QueueSentKey(name string) string { return k.queue(name, ":t") }

// QueueSignalKey (list) wakes long polls: a send pushes a token and a long
// poll blocks on it (BLPOP); it holds a few tokens at most.
func (k Keys) QueueSignalKey(name string) string { return k.queue(name, ":sig") }

// QueueDedupKey (hash) holds a FIFO queue's deduplication ids seen in the
// last five minutes: "<group>|<dedup id>" (or "|<dedup id>" for a
// queue-wide scope) → "<expiry ms>|<message id>|<sequence number>".
func (k Keys) QueueDedupKey(name string) string { return k.queue(name, ":d") }

// QueueDedupExpiryKey (sorted set) orders QueueDedupKey's fields by expiry
// (unix ms), for their removal.
func (k Keys) QueueDedupExpiryKey(name string) string { return k.queue(name, ":dx") }

// QueuePendingKey (sorted set, all scores 0) holds a FIFO queue's visible
// messages in group order: member "<group>\x00<20-digit sequence
// number>\x00<id>".
func (k Keys) QueuePendingKey(name string) string { return k.queue(name, ":p") }

// QueueGroupsKey (sorted set) holds a FIFO queue's groups that have a
// visible message and none in flight: member the group, score its first
// message's sequence number.
func (k Keys) QueueGroupsKey(name string) string { return k.queue(name, ":g") }

// QueueLocksKey (hash) holds a FIFO queue's groups with messages in
// flight: group → how many.
func (k Keys) QueueLocksKey(name string) string { return k.queue(name, ":l") }

// QueueDeadKey (list) holds the messages a receive took out of the queue
// for its dead-letter queue, not yet handed to it: "<id>\n<state>\n<payload>"
// with the state as QueueStateKey has it.
func (k Keys) QueueDeadKey(name string) string { return k.queue(name, ":dead") }

// QueueAttemptsKey (hash) holds a FIFO queue's receive request attempts
// of the last five minutes: attempt id → "<expiry ms>|<id>,<token>;...".
func (k Keys) QueueAttemptsKey(name string) string { return k.queue(name, ":att") }

// QueueAttemptsExpiryKey (sorted set) orders QueueAttemptsKey's fields by
// expiry (unix ms), for their removal.
func (k Keys) QueueAttemptsExpiryKey(name string) string { return k.queue(name, ":attx") }

// queueKeys are the KEYS of every queue script, in this order (queue.go
// names their indexes).
func (k Keys) queueKeys(name string) []string {
	return []string{k.QueueKey(name), k.QueueTagsKey(name), k.QueueMessagesKey(name), k.QueueStateKey(name),
		k.QueueWaitKey(name), k.QueueInflightKey(name), k.QueueSentKey(name), k.QueueSignalKey(name),
		k.QueueDedupKey(name), k.QueueDedupExpiryKey(name), k.QueuePendingKey(name), k.QueueGroupsKey(name),
		k.QueueLocksKey(name), k.QueueDeadKey(name), k.QueueAttemptsKey(name), k.QueueAttemptsExpiryKey(name)}
}

// QueueGoneKey (string) holds when the queue of that name was last
// deleted (unix ms): a queue of the name may not be created again for 60
// seconds (QueueDeletedRecently). It expires by itself some time after.
func (k Keys) QueueGoneKey(name string) string { return k.queue(name, ":gone") }

// QueueSourcesKey (sorted set, all scores 0) lists the queues whose
// redrive policy names the queue name as their dead-letter queue, by name
// (ListDeadLetterSourceQueues). It is kept in the dead-letter queue's slot
// by a second step after the source's policy changes, so a reader checks
// each source's policy (queue.go).
func (k Keys) QueueSourcesKey(name string) string { return k.queue(name, ":src") }

// QueuesKey (sorted set, all scores 0) lists the queues by name.
func (k Keys) QueuesKey() string { return k.prefix + ":queues" }

// QueueMoveTasksKey (sorted set) lists the message-move tasks of the
// source queue named name, by start time (unix ms): member the task
// handle. Its tag is the source queue's.
func (k Keys) QueueMoveTasksKey(name string) string { return k.queue(name, ":mt") }

// QueueMoveTaskKey (hash) is a message-move task of the source queue
// named name: status, ARNs, rate, counts, failure reason, start time and
// the lease of the process running it (movetask.go).
func (k Keys) QueueMoveTaskKey(name, handle string) string { return k.queue(name, ":mt:"+handle) }

// The keys of one topic carry the hash tag {t:<name>}, so that every
// script of a topic touches one Cluster slot (topic.go).
func (k Keys) topic(name, suffix string) string { return k.prefix + ":{t:" + name + "}" + suffix }

// TopicKey (hash) is the topic named name: its attributes under AWS's
// names, and "#created" (unix ms), "#fifo" ("1" for a FIFO topic), "#seq"
// (the last sequence number) and "#ver" (bumped by every change of the
// topic's attributes or subscriptions: a publish names the version it
// matched subscriptions against).
func (k Keys) TopicKey(name string) string { return k.topic(name, "") }

// TopicTagsKey (hash) holds a topic's tags: key → value.
func (k Keys) TopicTagsKey(name string) string { return k.topic(name, ":tags") }

// TopicSubsKey (hash) holds a topic's subscriptions: id → the record the
// topic router encoded (protocol, endpoint, attributes, confirmation).
func (k Keys) TopicSubsKey(name string) string { return k.topic(name, ":subs") }

// TopicEndpointsKey (hash) maps a subscription's "<protocol>\x00<endpoint>"
// to its id: a topic has one subscription per endpoint.
func (k Keys) TopicEndpointsKey(name string) string { return k.topic(name, ":ep") }

// TopicTokensKey (hash) maps a pending subscription's confirmation token
// to its id.
func (k Keys) TopicTokensKey(name string) string { return k.topic(name, ":tok") }

// TopicMessagesKey (hash) holds the messages with deliveries to make: id →
// "<sequence number>|<the message the topic router encoded>", never
// changed.
func (k Keys) TopicMessagesKey(name string) string { return k.topic(name, ":m") }

// TopicFIFOKey (sorted set, all scores 0) holds a FIFO topic's deliveries
// not ended, in order per subscription and message group: member
// "<subscription id>\x00<group>\x00<20-digit sequence number>\x00<message
// id>". Only the first of each subscription and group is in the due set:
// ending it puts the next one there (topic.go).
func (k Keys) TopicFIFOKey(name string) string { return k.topic(name, ":fifo") }

// TopicLeftKey (hash) counts each message's deliveries not ended yet: id →
// count; the message goes with its last one.
func (k Keys) TopicLeftKey(name string) string { return k.topic(name, ":left") }

// TopicDueKey (sorted set) holds the deliveries to make: member
// "<message id>/<subscription id>", score the unix ms it is due (a lease's
// end while a process delivers it, a retry's time after a failure).
func (k Keys) TopicDueKey(name string) string { return k.topic(name, ":due") }

// TopicAttemptsKey (hash) counts a delivery's failed attempts: member as
// TopicDueKey's → count (absent: none).
func (k Keys) TopicAttemptsKey(name string) string { return k.topic(name, ":att") }

// TopicDedupKey (hash) holds a FIFO topic's deduplication ids of the last
// five minutes: "<group>|<dedup id>" → "<expiry ms>|<message id>|<sequence
// number>".
func (k Keys) TopicDedupKey(name string) string { return k.topic(name, ":d") }

// TopicDedupExpiryKey (sorted set) orders TopicDedupKey's fields by expiry.
func (k Keys) TopicDedupExpiryKey(name string) string { return k.topic(name, ":dx") }

// topicKeys are the keys every topic script takes, in this order.
func (k Keys) topicKeys(name string) []string {
	return []string{k.TopicKey(name), k.TopicTagsKey(name), k.TopicSubsKey(name), k.TopicTokensKey(name),
		k.TopicMessagesKey(name), k.TopicDueKey(name), k.TopicAttemptsKey(name), k.TopicDedupKey(name),
		k.TopicDedupExpiryKey(name), k.TopicEndpointsKey(name), k.TopicLeftKey(name), k.TopicFIFOKey(name)}
}

// The keys of one event bus carry the hash tag {b:<name>}, so that every
// script of a bus touches one Cluster slot (bus.go, busevents.go).
func (k Keys) bus(name, suffix string) string { return k.prefix + ":{b:" + name + "}" + suffix }

// BusKey (hash) is the event bus named name: its attributes (bus.go), and
// "#created" (unix ms) and "#ver" (bumped by every change of the bus's
// rules or targets: a put names the version it matched rules against).
func (k Keys) BusKey(name string) string { return k.bus(name, "") }

// BusRulesKey (hash) holds a bus's rules: rule name → the rule's JSON
// (bus.Rule, its targets included).
func (k Keys) BusRulesKey(name string) string { return k.bus(name, ":rules") }

// BusTagsKey (hash) holds the tags of a bus's resource named resource
// ("" for the bus, else a rule's name): "<resource>\x00<key>" → value.
func (k Keys) BusTagsKey(name string) string { return k.bus(name, ":tags") }

// BusEventsKey (hash) holds the events of a bus with deliveries to make:
// id → "<deliveries left>|<event JSON>" (busevents.go).
func (k Keys) BusEventsKey(name string) string { return k.bus(name, ":ev") }

// BusDueKey (sorted set) holds a bus's deliveries to make: member
// "<event id>/<rule>\x00<target id>", scored by when it is due (unix ms:
// a lease's end, or a retry's time).
func (k Keys) BusDueKey(name string) string { return k.bus(name, ":due") }

// BusAttemptsKey (hash) counts a delivery's failed attempts: member as
// BusDueKey's → count (absent: none).
func (k Keys) BusAttemptsKey(name string) string { return k.bus(name, ":att") }

// ArchivesKey (hash) holds the archives: name → the archive's JSON record
// (bus.go; its counts live in ArchiveKey).
func (k Keys) ArchivesKey() string { return k.prefix + ":archives" }

// The keys of one archive carry the hash tag {ar:<name>}.
func (k Keys) archive(name, suffix string) string { return k.prefix + ":{ar:" + name + "}" + suffix }

// ArchiveKey (hash) holds an archive's counts, written with its events:
// "EventCount", "SizeBytes".
func (k Keys) ArchiveKey(name string) string { return k.archive(name, "") }

// ArchiveEventsKey (sorted set) holds an archive's events: member
// "<event id>|<event JSON>", scored by the event's time (unix ms).
func (k Keys) ArchiveEventsKey(name string) string { return k.archive(name, ":ev") }

// ReplaysKey (hash) holds the replays: name → the replay's JSON record.
func (k Keys) ReplaysKey() string { return k.prefix + ":replays" }

// ConnectionsKey (hash) holds the connections: name → JSON record (its
// secrets included: the store is as trusted as the process).
func (k Keys) ConnectionsKey() string { return k.prefix + ":connections" }

// APIDestinationsKey (hash) holds the API destinations: name → JSON record.
func (k Keys) APIDestinationsKey() string { return k.prefix + ":apidests" }

// BusLeftKey (hash) counts the deliveries not ended yet of each event
// that has more than one: id → count; the event leaves BusEventsKey with
// its last (an event of one delivery, with it).
func (k Keys) BusLeftKey(name string) string { return k.bus(name, ":left") }

// BusSchedulesKey (sorted set) holds a bus's scheduled rules: member the
// rule's name, scored by its next tick (unix ms). A tick is fired by the
// script that advances it, once whichever processes try (busevents.go).
func (k Keys) BusSchedulesKey(name string) string { return k.bus(name, ":sched") }

// The keys of one schema registry carry the hash tag {sr:<name>}, so that
// every script of a registry touches one Cluster slot (schemas.go).
func (k Keys) registry(name, suffix string) string { return k.prefix + ":{sr:" + name + "}" + suffix }

// SchemaRegistryKey (string) is the registry named name: its record's
// JSON, opaque to the store (integrations/schemas: description, tags,
// dates).
func (k Keys) SchemaRegistryKey(name string) string { return k.registry(name, "") }

// SchemaRecordsKey (hash) holds a registry's schemas: schema name → the
// schema's record JSON, opaque to the store (description, type, tags).
func (k Keys) SchemaRecordsKey(name string) string { return k.registry(name, ":s") }

// SchemaMetaKey (hash) holds the versions' bookkeeping of a registry's
// schemas: schema name → "<latest>|<last given>|<modified unix ms>|<count>".
func (k Keys) SchemaMetaKey(name string) string { return k.registry(name, ":sm") }

// SchemaNamesKey (sorted set, all scores 0) lists a registry's schemas by
// name (prefix and paging by lex range).
func (k Keys) SchemaNamesKey(name string) string { return k.registry(name, ":sn") }

// SchemaVersionsKey (hash) holds a registry's schema versions:
// "<schema>\x00<version>" → the content, "<schema>\x00<version>\x00m" →
// "<type>|<created unix ms>".
func (k Keys) SchemaVersionsKey(name string) string { return k.registry(name, ":v") }

// SchemaVersionIndexKey (sorted set, all scores 0) lists a registry's
// schema versions: member "<schema>\x00<version, 10 digits>".
func (k Keys) SchemaVersionIndexKey(name string) string { return k.registry(name, ":vi") }

// SchemaBindingsKey (hash) holds a registry's code bindings:
// "<schema>\x00<version>\x00<language>" → the binding's record JSON, opaque
// to the store (status, dates).
func (k Keys) SchemaBindingsKey(name string) string { return k.registry(name, ":cb") }

// SchemaBindingSourcesKey (hash) holds the code bindings' archives (zip):
// the same fields as SchemaBindingsKey.
func (k Keys) SchemaBindingSourcesKey(name string) string { return k.registry(name, ":cbz") }

// schemaRegistryKeys are every key of a registry, in the order the
// scripts of schemas.go take them.
func (k Keys) schemaRegistryKeys(name string) []string {
	return []string{k.SchemaRegistryKey(name), k.SchemaRecordsKey(name), k.SchemaMetaKey(name), k.SchemaNamesKey(name),
		k.SchemaVersionsKey(name), k.SchemaVersionIndexKey(name), k.SchemaBindingsKey(name), k.SchemaBindingSourcesKey(name)}
}

// SchemaRegistriesKey (sorted set, all scores 0) lists the schema
// registries by name.
func (k Keys) SchemaRegistriesKey() string { return k.prefix + ":registries" }

// SchemaDiscoverersKey (hash, hash tag {sd}) holds the schema
// discoverers: id → the discoverer's record JSON, opaque to the store.
func (k Keys) SchemaDiscoverersKey() string { return k.prefix + ":{sd}:discoverers" }

// BusesKey (sorted set, all scores 0) lists the event buses by name.
func (k Keys) BusesKey() string { return k.prefix + ":buses" }

// TopicsKey (sorted set, all scores 0) lists the topics by name.
func (k Keys) TopicsKey() string { return k.prefix + ":topics" }

// TopicSigningKey (string) is the topic router's signing identity, shared
// by every process on the store: the PEM of an RSA private key followed by
// its self-signed certificate (store/topicsigning.go). Written once, never
// changed.
func (k Keys) TopicSigningKey() string { return k.prefix + ":topic:signing" }

// The keys of one function (integrations/function: AWS Lambda's
// semantics) carry the hash tag {fn:<name>}, so that every script of a
// function touches one Cluster slot (function.go).
func (k Keys) function(name, suffix string) string { return k.prefix + ":{fn:" + name + "}" + suffix }

// FunctionKey (hash) is the function named name: "$LATEST" → its $LATEST
// record's JSON, opaque to the store (integrations/function encodes it);
// "#created" (unix ms), "#last" (the last version number given),
// "#pub" ("<version>|<digest>": the last version published and the digest
// of the $LATEST it was published from), "#conc" (the reserved
// concurrency; absent: none).
func (k Keys) FunctionKey(name string) string { return k.function(name, "") }

// FunctionVersionsKey (hash) holds a function's published versions:
// "<n>" → the version's record JSON, opaque to the store.
func (k Keys) FunctionVersionsKey(name string) string { return k.function(name, ":v") }

// FunctionVersionIndexKey (sorted set) lists a function's published
// versions: member and score the version number, for paging in order.
func (k Keys) FunctionVersionIndexKey(name string) string { return k.function(name, ":vi") }

// FunctionAliasesKey (hash) holds a function's aliases: alias name →
// "<version>|<additional versions, comma separated>|<record JSON>" (the
// versions readable by the scripts, the record opaque).
func (k Keys) FunctionAliasesKey(name string) string { return k.function(name, ":a") }

// FunctionTagsKey (hash) holds a function's tags: key → value.
func (k Keys) FunctionTagsKey(name string) string { return k.function(name, ":tags") }

// functionKeys are every key of a function, in the order the scripts of
// function.go take them.
func (k Keys) functionKeys(name string) []string {
	return []string{k.FunctionKey(name), k.FunctionVersionsKey(name), k.FunctionVersionIndexKey(name),
		k.FunctionAliasesKey(name), k.FunctionTagsKey(name)}
}

// FunctionsKey (sorted set, all scores 0) lists the functions by name.
func (k Keys) FunctionsKey() string { return k.prefix + ":functions" }
