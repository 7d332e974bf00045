package config

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/bus/apidest"
)

// BusService is what ApplyBuses needs of the bus router (a *bus.Service).
type BusService interface {
	Region() string
	AccountID() string
	BusARN(name string) string
	RuleARN(bus, name string) string

	CheckEventBus(in *bus.CreateEventBusInput) error
	CheckRule(in *bus.PutRuleInput) error
	CheckTargets(ts []bus.Target) (each []error, all error)
	CheckArchive(in *bus.CreateArchiveInput) error
	CheckConnection(in *bus.CreateConnectionInput) error
	CheckAPIDestination(in *bus.APIDestinationInput) error

	DescribeEventBus(ctx context.Context, nameOrARN string) (*bus.EventBus, error)
	CreateEventBus(ctx context.Context, in *bus.CreateEventBusInput) (string, error)
	UpdateEventBus(ctx context.Context, in *bus.UpdateEventBusInput) (*bus.EventBus, error)
	ListTagsForResource(ctx context.Context, arn string) (map[string]string, error)
	TagResource(ctx context.Context, arn string, tags map[string]string) error
	DescribeRule(ctx context.Context, name, eventBusName string) (*bus.Rule, error)
	PutRule(ctx context.Context, in *bus.PutRuleInput) (string, error)
	ListTargetsByRule(ctx context.Context, in *bus.ListTargetsByRuleInput) (*bus.ListTargetsByRuleOutput, error)
	PutTargets(ctx context.Context, in *bus.PutTargetsInput) ([]bus.FailedEntry, error)
	DescribeArchive(ctx context.Context, name string) (*bus.Archive, error)
	CreateArchive(ctx context.Context, in *bus.CreateArchiveInput) (*bus.Archive, error)
	UpdateArchive(ctx context.Context, in *bus.UpdateArchiveInput) (*bus.Archive, error)
	DescribeConnection(ctx context.Context, name string) (*bus.Connection, error)
	ConnectionAuth(ctx context.Context, connectionARN string) (apidest.Auth, error)
	CreateConnection(ctx context.Context, in *bus.CreateConnectionInput) (*bus.Connection, error)
	UpdateConnection(ctx context.Context, in *bus.UpdateConnectionInput) (*bus.Connection, error)
	DescribeApiDestination(ctx context.Context, name string) (*bus.APIDestination, error)
	CreateApiDestination(ctx context.Context, in *bus.APIDestinationInput) (*bus.APIDestination, error)
	UpdateApiDestination(ctx context.Context, in *bus.APIDestinationInput) (*bus.APIDestination, error)
}

// ApplyBuses makes the bus router hold the file's connections, API
// destinations, buses, their rules with their targets, and their
// archives. It first checks everything, with the router's own checks
// (what CreateEventBus, PutRule, PutTargets, CreateArchive,
// CreateConnection and CreateApiDestination would refuse) and against the
// store (the bus and API destination targets, and the connections, named
// but not in the file; an archive of another bus; a rule that would hold
// more than 5 targets), and when anything is wrong it reports every
// problem, each at the line of its field, and writes nothing.
//
// Then each missing resource is created; an existing one whose fields
// differ from the file's is updated: a bus's description and dead-letter
// queue (UpdateEventBus), a rule (PutRule: the file's rule is the rule
// whole), a target by id (PutTargets), an archive (UpdateArchive), a
// connection (UpdateConnection, also when only a secret changed, compared
// without ever being shown), an API destination (UpdateApiDestination);
// tags of buses and rules are added (TagResource). Fields the file leaves
// out of a bus, an archive, a connection or an API destination keep the
// stored values. Nothing is deleted: rules, targets, archives and buses
// not in the file are left alone. Applying an unchanged file changes
// nothing.
//
// It returns what it did to each resource ("bus created orders: rule
// big-orders created, archive orders-archive created", "connection
// unchanged crm").
func (c *Config) ApplyBuses(ctx context.Context, svc BusService) ([]string, []Problem) {
	d := &decoder{file: c.File}
	a := &busApply{c: c, d: d, svc: svc, destARNs: map[string]string{}, connARNs: map[string]string{}}
	a.check(ctx)
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	var done []string
	for _, cn := range c.Connections {
		if what := a.applyConnection(ctx, cn); what != "" {
			done = append(done, what)
		}
	}
	for _, ad := range c.APIDestinations {
		if what := a.applyAPIDestination(ctx, ad); what != "" {
			done = append(done, what)
		}
	}
	for _, b := range c.Buses {
		if what := a.applyBus(ctx, b); what != "" {
			done = append(done, what)
		}
	}
	return done, d.problems
}

// busApply is one ApplyBuses: the file, its problems, and the ARNs of the
// connections and API destinations known so far (their ids are the
// store's).
type busApply struct {
	c        *Config
	d        *decoder
	svc      BusService
	connARNs map[string]string // connection name → its ARN
	destARNs map[string]string // API destination name → its ARN
}

func (a *busApply) fail(list string, i int, field string, err error) {
	a.c.itemProblem(a.d, list, i, field, err.Error())
}

// notFound: the router answered that the resource does not exist.
func notFound(err error) bool {
	var be *bus.Error
	return errors.As(err, &be) && be.Code == "ResourceNotFoundException"
}

// alreadyExists: the router answered that the resource exists (another
// process applying the file made it meanwhile).
func alreadyExists(err error) bool {
	var be *bus.Error
	return errors.As(err, &be) && be.Code == "ResourceAlreadyExistsException"
}

// fieldOf names the field an error of the router is about: the first
// field whose words its message holds, else otherwise.
func fieldOf(err error, otherwise string, words ...[2]string) string {
	msg := err.Error()
	for _, w := range words {
		if strings.Contains(msg, w[0]) {
			return w[1]
		}
	}
	return otherwise
}

// check reports, without writing, what the router or the store would
// refuse of the file.
func (a *busApply) check(ctx context.Context) {
	c, svc := a.c, a.svc
	connInFile := map[string]bool{}
	for _, cn := range c.Connections {
		connInFile[cn.Name] = true
		in := connectionInput(cn)
		if err := svc.CheckConnection(&in); err != nil {
			a.fail("connections", cn.index, fieldOf(err, "authParameters", [2]string{"'name'", "name"}, [2]string{"description", "description"},
				[2]string{"authorizationType", "authorizationType"}), err)
		}
	}
	destInFile := map[string]bool{}
	for _, ad := range c.APIDestinations {
		destInFile[ad.Name] = true
		in := apiDestinationInput(ad, "")
		if err := svc.CheckAPIDestination(&in); err != nil {
			a.fail("apiDestinations", ad.index, fieldOf(err, "name", [2]string{"InvocationEndpoint", "invocationEndpoint"},
				[2]string{"httpMethod", "httpMethod"}, [2]string{"invocationRateLimitPerSecond", "invocationRateLimitPerSecond"},
				[2]string{"description", "description"}), err)
		}
		if !connInFile[ad.Connection] && ad.Connection != "" {
			if _, err := svc.DescribeConnection(ctx, ad.Connection); notFound(err) {
				a.c.itemProblem(a.d, "apiDestinations", ad.index, "connection", fmt.Sprintf("no connection %q in connections nor in the store", ad.Connection))
			} else if err != nil {
				a.fail("apiDestinations", ad.index, "connection", err)
			}
		}
	}
	busInFile := map[string]bool{}
	for _, b := range c.Buses {
		busInFile[b.Name] = true
	}
	for _, b := range c.Buses {
		in := a.busInput(b)
		if err := svc.CheckEventBus(&in); err != nil {
			a.fail("buses", b.index, fieldOf(err, "name", [2]string{"description", "description"}, [2]string{"DeadLetterConfig", a.dlqField(b)},
				[2]string{"ag", "tags"}), err)
		}
		for _, r := range b.Rules {
			a.checkRule(ctx, b, r, busInFile, destInFile)
		}
		for _, ar := range b.Archives {
			in := archiveInput(ar, svc.BusARN(b.Name))
			at := fmt.Sprintf("archives[%d]", ar.index)
			if err := svc.CheckArchive(&in); err != nil {
				a.fail("buses", b.index, at+"."+fieldOf(err, "name", [2]string{"EventPattern", "eventPattern"}, [2]string{"attern", "eventPattern"},
					[2]string{"retentionDays", "retentionDays"}, [2]string{"description", "description"}), err)
				continue
			}
			stored, err := svc.DescribeArchive(ctx, ar.Name)
			switch {
			case notFound(err):
			case err != nil:
				a.fail("buses", b.index, at, err)
			case stored.EventSourceArn != in.EventSourceArn:
				a.c.itemProblem(a.d, "buses", b.index, at+".name", fmt.Sprintf("the stored archive %s archives %s: its bus cannot change (delete the archive first)", ar.Name, stored.EventSourceArn))
			}
		}
	}
}

// checkRule checks a rule and its targets.
func (a *busApply) checkRule(ctx context.Context, b Bus, r BusRule, busInFile, destInFile map[string]bool) {
	svc := a.svc
	at := fmt.Sprintf("rules[%d]", r.index)
	in := ruleInput(b.Name, r)
	if err := svc.CheckRule(&in); err != nil {
		a.fail("buses", b.index, at+"."+fieldOf(err, "name", [2]string{"EventPattern", "eventPattern"}, [2]string{"ScheduleExpression", "scheduleExpression"},
			[2]string{"schedule", "scheduleExpression"}, [2]string{"Event pattern", "eventPattern"}, [2]string{"'state'", "state"},
			[2]string{"description", "description"}, [2]string{"roleArn", "roleArn"}, [2]string{"ag", "tags"}), err)
	}
	for _, t := range r.Targets {
		switch {
		case t.BusName != "" && !busInFile[t.BusName]:
			if _, err := svc.DescribeEventBus(ctx, t.BusName); notFound(err) {
				a.c.itemProblem(a.d, "buses", b.index, targetPath(r, t, "bus"), fmt.Sprintf("no bus %q in buses nor in the store", t.BusName))
			} else if err != nil {
				a.fail("buses", b.index, targetPath(r, t, "bus"), err)
			}
		case t.APIDestination != "" && !destInFile[t.APIDestination]:
			if _, err := svc.DescribeApiDestination(ctx, t.APIDestination); notFound(err) {
				a.c.itemProblem(a.d, "buses", b.index, targetPath(r, t, "apiDestination"), fmt.Sprintf("no API destination %q in apiDestinations nor in the store", t.APIDestination))
			} else if err != nil {
				a.fail("buses", b.index, targetPath(r, t, "apiDestination"), err)
			}
		}
	}
	each, all := svc.CheckTargets(a.targets(r))
	if all != nil {
		a.fail("buses", b.index, at+".targets", all)
	}
	refused := all != nil
	for i, err := range each {
		if err != nil {
			t := r.Targets[i]
			a.fail("buses", b.index, targetPath(r, t, targetField(err, t)), err)
			refused = true
		}
	}
	if refused {
		return
	}
	// the targets the stored rule has besides the file's stay: together
	// they must fit in a rule
	stored, err := svc.DescribeRule(ctx, r.Name, b.Name)
	switch {
	case notFound(err):
		return
	case err != nil:
		a.fail("buses", b.index, at, err)
		return
	case stored.ManagedBy != "":
		a.c.itemProblem(a.d, "buses", b.index, at+".name", fmt.Sprintf("the stored rule %s is managed by %s: it cannot be changed here", r.Name, stored.ManagedBy))
		return
	}
	have, err := svc.ListTargetsByRule(ctx, &bus.ListTargetsByRuleInput{Rule: r.Name, EventBusName: b.Name})
	if err != nil {
		a.fail("buses", b.index, at+".targets", err)
		return
	}
	ids := map[string]bool{}
	for _, t := range have.Targets {
		ids[t.ID] = true
	}
	for _, t := range r.Targets {
		ids[t.ID] = true
	}
	if len(ids) > bus.MaxTargetsPerRule {
		a.c.itemProblem(a.d, "buses", b.index, at+".targets", fmt.Sprintf("LimitExceededException: the stored rule %s has targets not in the file (%s): with the file's it would have %d, and a rule has at most %d (remove some with RemoveTargets)",
			r.Name, strings.Join(slices.Sorted(maps.Keys(othersOf(have.Targets, r.Targets))), ", "), len(ids), bus.MaxTargetsPerRule))
	}
}

// othersOf is the ids of have not in file.
func othersOf(have []bus.Target, file []BusTarget) map[string]bool {
	out := map[string]bool{}
	for _, t := range have {
		if !slices.ContainsFunc(file, func(f BusTarget) bool { return f.ID == t.ID }) {
			out[t.ID] = true
		}
	}
	return out
}

// targetField is the field of a target an error of the router is about.
func targetField(err error, t BusTarget) string {
	dlq := "deadLetterConfig"
	if t.DeadLetterQueue != "" {
		dlq = "deadLetterQueue"
	}
	return fieldOf(err, t.key, [2]string{".id'", "id"}, [2]string{"inputTransformer", "inputTransformer"}, [2]string{"InputTemplate", "inputTransformer"},
		[2]string{"InputPathsMap", "inputTransformer"}, [2]string{"Only one of Input", "input"}, [2]string{"inputPath", "inputPath"}, [2]string{"InputPath", "inputPath"},
		[2]string{"member.input'", "input"}, [2]string{"retryPolicy", "retryPolicy"}, [2]string{"DeadLetterConfig", dlq},
		[2]string{"SqsParameters", "sqsParameters"}, [2]string{"HttpParameters", "httpParameters"})
}

func (a *busApply) dlqField(b Bus) string {
	if b.DeadLetterQueue != "" {
		return "deadLetterQueue"
	}
	return "deadLetterConfig"
}

// queueARN, topicARN and stateMachineARN are the ARNs of this server's
// resources.
func (a *busApply) queueARN(name string) string {
	return "arn:aws:sqs:" + a.svc.Region() + ":" + a.svc.AccountID() + ":" + name
}

func (a *busApply) topicARN(name string) string {
	return "arn:aws:sns:" + a.svc.Region() + ":" + a.svc.AccountID() + ":" + name
}

func (a *busApply) stateMachineARN(name string) string {
	return "arn:aws:states:" + a.svc.Region() + ":" + a.svc.AccountID() + ":stateMachine:" + name
}

// destinationARN is an API destination's ARN: the stored one's when
// known, else its ARN without the id (enough for the checks).
func (a *busApply) destinationARN(name string) string {
	if arn := a.destARNs[name]; arn != "" {
		return arn
	}
	return "arn:aws:events:" + a.svc.Region() + ":" + a.svc.AccountID() + ":api-destination/" + name
}

// targets are a rule's targets as PutTargets takes them, their shortcuts
// resolved.
func (a *busApply) targets(r BusRule) []bus.Target {
	ts := make([]bus.Target, len(r.Targets))
	for i, t := range r.Targets {
		bt := t.Target
		switch t.key {
		case "queue":
			bt.Arn = a.queueARN(t.Queue)
		case "topic":
			bt.Arn = a.topicARN(t.Topic)
		case "stateMachine":
			bt.Arn = a.stateMachineARN(t.StateMachine)
		case "bus":
			bt.Arn = a.svc.BusARN(t.BusName)
		case "apiDestination":
			bt.Arn = a.destinationARN(t.APIDestination)
		}
		if t.DeadLetterQueue != "" {
			bt.DeadLetterConfig = &bus.DeadLetterConfig{Arn: a.queueARN(t.DeadLetterQueue)}
		}
		ts[i] = bt
	}
	return ts
}

func (a *busApply) busInput(b Bus) bus.CreateEventBusInput {
	in := bus.CreateEventBusInput{Name: b.Name, Tags: b.Tags}
	if b.Description != nil {
		in.Description = *b.Description
	}
	if dlq := a.busDLQ(b); dlq != nil {
		in.DeadLetterConfig = &bus.DeadLetterConfig{Arn: *dlq}
	}
	return in
}

// busDLQ is the ARN of a bus's dead-letter queue, nil when the file
// leaves it out.
func (a *busApply) busDLQ(b Bus) *string {
	if b.DeadLetterQueue != "" {
		return ptr(a.queueARN(b.DeadLetterQueue))
	}
	return b.DeadLetterArn
}

func ruleInput(busName string, r BusRule) bus.PutRuleInput {
	return bus.PutRuleInput{Name: r.Name, EventBusName: busName, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description, RoleArn: r.RoleArn, Tags: r.Tags}
}

func archiveInput(ar Archive, busARN string) bus.CreateArchiveInput {
	in := bus.CreateArchiveInput{ArchiveName: ar.Name, EventSourceArn: busARN}
	if ar.Description != nil {
		in.Description = *ar.Description
	}
	if ar.EventPattern != nil {
		in.EventPattern = *ar.EventPattern
	}
	if ar.RetentionDays != nil {
		in.RetentionDays = *ar.RetentionDays
	}
	return in
}

// sameJSON compares two JSON encodings of values.
func sameJSON(x, y any) bool {
	a, errA := json.Marshal(x)
	b, errB := json.Marshal(y)
	return errA == nil && errB == nil && string(a) == string(b)
}

// describe: "created crm", "updated crm: description, authorization",
// "unchanged crm".
func describe(kind, verb, name string, notes []string) string {
	if verb == "unchanged" && len(notes) > 0 {
		verb = "updated"
	}
	s := kind + " " + verb + " " + name
	if len(notes) > 0 {
		s += ": " + strings.Join(notes, ", ")
	}
	return s
}

// nested: "rule big-orders created: targets audit, ship", what was done
// to a bus's rule or archive.
func nested(kind, verb, name string, notes []string) string {
	if verb == "unchanged" && len(notes) > 0 {
		verb = "updated"
	}
	s := kind + " " + name + " " + verb
	if len(notes) > 0 {
		s += ": " + strings.Join(notes, ", ")
	}
	return s
}

// applyBus creates or updates a bus, then its rules and archives ("" when
// the bus was refused).
func (a *busApply) applyBus(ctx context.Context, b Bus) string {
	svc := a.svc
	verb := "unchanged"
	var notes []string
	stored, err := svc.DescribeEventBus(ctx, b.Name) // the default bus always exists
	if notFound(err) {
		in := a.busInput(b)
		_, cerr := svc.CreateEventBus(ctx, &in)
		switch {
		case cerr == nil:
			verb = "created"
		case alreadyExists(cerr):
			stored, err = svc.DescribeEventBus(ctx, b.Name) // made meanwhile: updated if it differs
		default:
			a.fail("buses", b.index, "name", cerr)
			return ""
		}
	}
	switch {
	case verb == "created":
	case err != nil:
		a.fail("buses", b.index, "name", err)
		return ""
	default:
		notes = a.updateBus(ctx, b, stored)
	}
	for _, r := range b.Rules {
		notes = append(notes, a.applyRule(ctx, b, r)...)
	}
	for _, ar := range b.Archives {
		notes = append(notes, a.applyArchive(ctx, b, ar)...)
	}
	return describe("bus", verb, b.Name, notes)
}

// updateBus brings an existing bus's description, dead-letter queue and
// tags to the file's.
func (a *busApply) updateBus(ctx context.Context, b Bus, stored *bus.EventBus) []string {
	svc := a.svc
	var notes []string
	upd := &bus.UpdateEventBusInput{Name: b.Name, Description: stored.Description, KmsKeyIdentifier: stored.KmsKeyIdentifier,
		DeadLetterConfig: stored.DeadLetterConfig}
	if b.Description != nil && *b.Description != stored.Description {
		upd.Description = *b.Description
		notes = append(notes, "description")
	}
	haveDLQ := ""
	if stored.DeadLetterConfig != nil {
		haveDLQ = stored.DeadLetterConfig.Arn
	}
	if dlq := a.busDLQ(b); dlq != nil && *dlq != haveDLQ {
		upd.DeadLetterConfig = &bus.DeadLetterConfig{Arn: *dlq}
		notes = append(notes, fmt.Sprintf("deadLetterQueue %s → %s", shortValue(haveDLQ), shortValue(*dlq)))
	}
	if len(notes) > 0 {
		if _, err := svc.UpdateEventBus(ctx, upd); err != nil {
			a.fail("buses", b.index, "name", err)
			return nil
		}
	}
	if note, err := a.tag(ctx, svc.BusARN(b.Name), b.Tags); err != nil {
		a.fail("buses", b.index, "tags", err)
	} else if note {
		notes = append(notes, "tags")
	}
	return notes
}

// tag adds tags to a bus or a rule when it lacks some; true when it did.
func (a *busApply) tag(ctx context.Context, arn string, tags map[string]string) (bool, error) {
	if len(tags) == 0 {
		return false, nil
	}
	have, err := a.svc.ListTagsForResource(ctx, arn)
	if err != nil {
		return false, err
	}
	if maps.Equal(have, mergeTags(have, tags)) {
		return false, nil
	}
	return true, a.svc.TagResource(ctx, arn, tags)
}

// applyRule creates or updates a rule and its targets; it returns what
// changed ("rule big-orders created: targets audit, ship", "rule nightly
// updated: state, targets report"), nothing when the rule is unchanged.
func (a *busApply) applyRule(ctx context.Context, b Bus, r BusRule) []string {
	svc := a.svc
	at := fmt.Sprintf("rules[%d]", r.index)
	in := ruleInput(b.Name, r)
	verb := "unchanged"
	var notes []string
	stored, err := svc.DescribeRule(ctx, r.Name, b.Name)
	switch {
	case notFound(err):
		if _, err := svc.PutRule(ctx, &in); err != nil {
			a.fail("buses", b.index, at+".name", err)
			return nil
		}
		verb = "created"
	case err != nil:
		a.fail("buses", b.index, at+".name", err)
		return nil
	default:
		state := cmp.Or(r.State, bus.StateEnabled)
		if stored.State == bus.StateEnabledWithCloudTrail && state == bus.StateEnabled {
			state = stored.State
		}
		for _, f := range []struct {
			name       string
			have, want string
			isJSON     bool
		}{
			{"eventPattern", stored.EventPattern, r.EventPattern, true},
			{"scheduleExpression", stored.ScheduleExpression, r.ScheduleExpression, false},
			{"state", stored.State, state, false},
			{"description", stored.Description, r.Description, false},
			{"roleArn", stored.RoleArn, r.RoleArn, false},
		} {
			if !sameValue(f.isJSON, f.have, f.want) {
				notes = append(notes, f.name)
			}
		}
		if len(notes) > 0 {
			in.Tags = nil // added below, with the others
			if _, err := svc.PutRule(ctx, &in); err != nil {
				a.fail("buses", b.index, at+".name", err)
				return nil
			}
		}
		if note, err := a.tag(ctx, svc.RuleARN(b.Name, r.Name), r.Tags); err != nil {
			a.fail("buses", b.index, at+".tags", err)
		} else if note {
			notes = append(notes, "tags")
		}
	}
	notes = append(notes, a.applyTargets(ctx, b, r)...)
	if verb == "unchanged" && len(notes) == 0 {
		return nil
	}
	return []string{nested("rule", verb, r.Name, notes)}
}

// applyTargets puts a rule's targets that are missing or differ; it
// returns "targets audit, ship", the ids it put.
func (a *busApply) applyTargets(ctx context.Context, b Bus, r BusRule) []string {
	if len(r.Targets) == 0 {
		return nil
	}
	at := fmt.Sprintf("rules[%d].targets", r.index)
	for _, t := range r.Targets {
		if t.APIDestination == "" || a.destARNs[t.APIDestination] != "" {
			continue
		}
		// one of the store's, not the file's: its ARN has the stored id
		d, err := a.svc.DescribeApiDestination(ctx, t.APIDestination)
		if err != nil {
			a.fail("buses", b.index, targetPath(r, t, "apiDestination"), err)
			return nil
		}
		a.destARNs[t.APIDestination] = d.ApiDestinationArn
	}
	have, err := a.svc.ListTargetsByRule(ctx, &bus.ListTargetsByRuleInput{Rule: r.Name, EventBusName: b.Name})
	if err != nil {
		a.fail("buses", b.index, at, err)
		return nil
	}
	var put []bus.Target
	var ids []string
	for _, t := range a.targets(r) {
		j := slices.IndexFunc(have.Targets, func(h bus.Target) bool { return h.ID == t.ID })
		if j >= 0 && sameJSON(have.Targets[j], t) {
			continue
		}
		put, ids = append(put, t), append(ids, t.ID)
	}
	if len(put) == 0 {
		return nil
	}
	failed, err := a.svc.PutTargets(ctx, &bus.PutTargetsInput{Rule: r.Name, EventBusName: b.Name, Targets: put})
	if err != nil {
		a.fail("buses", b.index, at, err)
		return nil
	}
	for _, f := range failed {
		i := slices.IndexFunc(r.Targets, func(t BusTarget) bool { return t.ID == f.TargetID })
		err := &bus.Error{Code: f.ErrorCode, Message: f.ErrorMessage}
		if i < 0 {
			a.fail("buses", b.index, at, err)
			continue
		}
		a.fail("buses", b.index, targetPath(r, r.Targets[i], targetField(err, r.Targets[i])), err)
	}
	if len(failed) > 0 {
		return nil
	}
	return []string{"targets " + strings.Join(ids, ", ")}
}

// applyArchive creates or updates an archive of a bus.
func (a *busApply) applyArchive(ctx context.Context, b Bus, ar Archive) []string {
	svc := a.svc
	at := fmt.Sprintf("archives[%d]", ar.index)
	stored, err := svc.DescribeArchive(ctx, ar.Name)
	if notFound(err) {
		in := archiveInput(ar, svc.BusARN(b.Name))
		_, cerr := svc.CreateArchive(ctx, &in)
		if cerr == nil {
			return []string{nested("archive", "created", ar.Name, nil)}
		}
		if !alreadyExists(cerr) {
			a.fail("buses", b.index, at+".name", cerr)
			return nil
		}
		stored, err = svc.DescribeArchive(ctx, ar.Name) // made meanwhile: updated if it differs
	}
	if err != nil {
		a.fail("buses", b.index, at+".name", err)
		return nil
	}
	upd := &bus.UpdateArchiveInput{ArchiveName: ar.Name}
	var notes []string
	if ar.Description != nil && *ar.Description != stored.Description {
		upd.Description, notes = ar.Description, append(notes, "description")
	}
	if ar.EventPattern != nil && !sameValue(true, stored.EventPattern, *ar.EventPattern) {
		upd.EventPattern, notes = ar.EventPattern, append(notes, "eventPattern")
	}
	if ar.RetentionDays != nil && *ar.RetentionDays != stored.RetentionDays {
		upd.RetentionDays, notes = ar.RetentionDays, append(notes, fmt.Sprintf("retentionDays %d → %d", stored.RetentionDays, *ar.RetentionDays))
	}
	if len(notes) == 0 {
		return nil
	}
	if _, err := svc.UpdateArchive(ctx, upd); err != nil {
		a.fail("buses", b.index, at+".name", err)
		return nil
	}
	return []string{nested("archive", "updated", ar.Name, notes)}
}
