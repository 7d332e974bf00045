package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/signalbox/signalbox/integrations/bus/pattern"
	"github.com/signalbox/signalbox/integrations/bus/schedule"
	"github.com/signalbox/signalbox/store"
)

// MaxRulesPerBus bounds the rules of one bus. AWS's default quota is 300
// rules per bus (raisable on request); Signalbox allows 10,000, the
// benchmark's matching load (one automaton matches them all at once,
// pattern.Machine), and a bus's rules stay one hash read whole by the
// data plane when its version moves (10,000 rules of ~500 bytes: 5 MB).
const MaxRulesPerBus = 10_000

// PutRuleInput is PutRule's request.
type PutRuleInput struct {
	Name               string
	EventBusName       string // a name or an ARN; "" the default bus
	EventPattern       string
	ScheduleExpression string
	State              string
	Description        string
	RoleArn            string
	Tags               map[string]string
}

func ruleErrMissing(bus, name string) *Error {
	return notFoundf("Rule %s does not exist on EventBus %s.", name, bus)
}

func errManaged(name, by string) *Error {
	return errorf("ManagedRuleException", "Rule %s is managed by %s and can only be changed by it (use Force where the action offers it).", name, by)
}

// checkEventPattern validates an event pattern as AWS does
// (InvalidEventPatternException with the pattern package's words).
func checkEventPattern(src string) *Error {
	if len(src) > maxEventPattern {
		return constraint(src, "eventPattern", fmt.Sprintf("Member must have length less than or equal to %d", maxEventPattern))
	}
	if _, err := pattern.Parse(src); err != nil {
		var pe *pattern.Error
		if errors.As(err, &pe) {
			return errorf("InvalidEventPatternException", "%s", pe.Message)
		}
		return errorf("InvalidEventPatternException", "Event pattern is not valid. Reason: %v", err)
	}
	return nil
}

// checkRule validates a rule's fields as PutRule does.
func checkRule(bus string, in *PutRuleInput) *Error {
	if e := checkName(in.Name, "name", maxRuleName); e != nil {
		return e
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return validationf("Parameter(s) ScheduleExpression or EventPattern must be specified.")
	}
	if in.ScheduleExpression != "" {
		if len(in.ScheduleExpression) > maxScheduleExpr {
			return constraint(in.ScheduleExpression, "scheduleExpression", "Member must have length less than or equal to 256")
		}
		if bus != DefaultBus {
			return validationf("ScheduleExpression is supported only on the default event bus.")
		}
		if _, err := schedule.Parse(in.ScheduleExpression); err != nil {
			var se *schedule.Error
			if errors.As(err, &se) {
				return validationf("%s", se.Message)
			}
			return validationf("Parameter ScheduleExpression is not valid.")
		}
	}
	if in.EventPattern != "" {
		if e := checkEventPattern(in.EventPattern); e != nil {
			return e
		}
	}
	switch in.State {
	case "", StateEnabled, StateDisabled, StateEnabledWithCloudTrail:
	default:
		return constraint(in.State, "state", "Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]")
	}
	if e := checkDescription(in.Description); e != nil {
		return e
	}
	if len(in.RoleArn) > 1600 {
		return constraint(in.RoleArn, "roleArn", "Member must have length less than or equal to 1600")
	}
	return checkTags(in.Tags)
}

// PutRule creates or updates a rule and returns its ARN. An update keeps
// the rule's targets and creation time. A rule managed by a service
// (ManagedBy) is refused.
func (s *Service) PutRule(ctx context.Context, in *PutRuleInput) (string, error) {
	bus, e := s.busNameOf(in.EventBusName)
	if e != nil {
		return "", e
	}
	if e := checkRule(bus, in); e != nil {
		return "", e
	}
	return s.putRule(ctx, bus, in, "")
}

// putRule writes a checked rule; managedBy is the service that manages it
// ("" for a user's rule, which may not replace a managed one).
func (s *Service) putRule(ctx context.Context, bus string, in *PutRuleInput, managedBy string) (string, error) {
	if err := s.ensureBus(ctx, bus); err != nil {
		return "", err
	}
	state := in.State
	if state == "" {
		state = StateEnabled
	}
	_, err := s.updateRule(ctx, bus, in.Name, true, in.Tags, func(r *Rule, exists bool) error {
		if exists && r.ManagedBy != managedBy {
			if r.ManagedBy != "" {
				return errManaged(in.Name, r.ManagedBy)
			}
			return errorf("ResourceAlreadyExistsException", "Rule %s already exists and is not managed by %s.", in.Name, managedBy)
		}
		if !exists {
			r.CreatedAt = s.now().UTC()
		}
		r.Name, r.Arn, r.EventBusName = in.Name, s.RuleARN(bus, in.Name), bus
		r.EventPattern, r.ScheduleExpression, r.State = in.EventPattern, in.ScheduleExpression, state
		r.Description, r.RoleArn, r.ManagedBy = in.Description, in.RoleArn, managedBy
		return nil
	})
	if err != nil {
		return "", err
	}
	return s.RuleARN(bus, in.Name), nil
}

// errRuleDeleted tells updateRule to delete the rule.
var errRuleDeleted = errors.New("delete the rule")

// updateRule reads a rule, lets f change it (exists false: a new rule,
// when create) and writes it back if it is still what was read, again
// while other writers come first. f returning errRuleDeleted deletes the
// rule. It returns the rule as written.
func (s *Service) updateRule(ctx context.Context, bus, name string, create bool, tags map[string]string, f func(r *Rule, exists bool) error) (*Rule, error) {
	for range maxConcurrentTries {
		cur, err := s.st.BusRule(ctx, bus, name)
		exists := err == nil
		if err != nil && !(errors.Is(err, store.ErrNotFound) && create) {
			return nil, storeError(err, ruleErrMissing(bus, name))
		}
		r := new(Rule)
		if exists {
			if r, err = decodeRule(bus, name, cur); err != nil {
				return nil, err
			}
		}
		rec := ""
		switch err := f(r, exists); {
		case errors.Is(err, errRuleDeleted):
		case err != nil:
			return nil, err
		default:
			b, err := json.Marshal(r)
			if err != nil {
				return nil, storeError(err, nil)
			}
			rec = string(b)
		}
		_, err = s.st.BusRuleWrite(ctx, &store.BusRuleWriteParams{Bus: bus, Name: name, Expect: cur, Record: rec, Limit: s.ruleLimit, Tags: tags})
		if errors.Is(err, store.ErrBusChanged) {
			continue
		}
		if errors.Is(err, store.ErrLimit) {
			return nil, errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed: an event bus holds at most %d rules here.", s.ruleLimit)
		}
		if err != nil {
			return nil, storeError(err, busErrMissing(bus))
		}
		return r, nil
	}
	return nil, errConcurrent("Rule " + name)
}

// decodeRule decodes the record of the rule name on bus.
func decodeRule(bus, name, rec string) (*Rule, error) {
	r := new(Rule)
	if err := json.Unmarshal([]byte(rec), r); err != nil {
		return nil, storeError(fmt.Errorf("%w: rule %s on bus %s: %v", store.ErrCorrupt, name, bus, err), nil)
	}
	return r, nil
}

// rule reads one rule.
func (s *Service) rule(ctx context.Context, bus, name string) (*Rule, error) {
	rec, err := s.st.BusRule(ctx, bus, name)
	if err != nil {
		return nil, storeError(err, ruleErrMissing(bus, name))
	}
	return decodeRule(bus, name, rec)
}

// ruleBus checks a request naming one rule of a bus (a name or an ARN;
// "" the default bus) and that the bus exists: the bus's name.
func (s *Service) ruleBus(ctx context.Context, name, eventBusName string) (string, error) {
	bus, e := s.busNameOf(eventBusName)
	if e != nil {
		return "", e
	}
	if e := checkName(name, "name", maxRuleName); e != nil {
		return "", e
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return "", err
	}
	return bus, nil
}

// rulePage checks a listing of a bus's rules: its bus, its limit, then
// check's own fields (nil: none), then its page token (of kind, per bus),
// and that the bus exists. It returns the bus, the limit and the name
// the page starts after.
func (s *Service) rulePage(ctx context.Context, eventBusName, kind string, limit int, token string, check func() *Error) (bus string, n int, after string, err error) {
	bus, e := s.busNameOf(eventBusName)
	if e != nil {
		return "", 0, "", e
	}
	if n, e = listLimit(limit); e != nil {
		return "", 0, "", e
	}
	if check != nil {
		if e := check(); e != nil {
			return "", 0, "", e
		}
	}
	if after, e = parsePageToken(kind+"/"+bus, token); e != nil {
		return "", 0, "", e
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return "", 0, "", err
	}
	return bus, n, after, nil
}

// rules returns a bus's version and all its rules, with their targets,
// read together (one store call): the data plane's view of the bus is
// built from them and valid while the bus's version is ver. Sorted by
// name.
func (s *Service) rules(ctx context.Context, bus string) (ver int64, rules []Rule, err error) {
	ver, recs, err := s.st.BusRules(ctx, bus)
	if err != nil {
		return 0, nil, storeError(err, busErrMissing(bus))
	}
	rules = make([]Rule, 0, len(recs))
	for name, rec := range recs {
		r, err := decodeRule(bus, name, rec)
		if err != nil {
			return 0, nil, err
		}
		rules = append(rules, *r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Name < rules[j].Name })
	return ver, rules, nil
}

// DescribeRule returns a rule, without its targets (ListTargetsByRule).
func (s *Service) DescribeRule(ctx context.Context, name, eventBusName string) (*Rule, error) {
	bus, err := s.ruleBus(ctx, name, eventBusName)
	if err != nil {
		return nil, err
	}
	r, err := s.rule(ctx, bus, name)
	if err != nil {
		return nil, err
	}
	r.Targets = nil
	return r, nil
}

// ListRulesInput is ListRules's request.
type ListRulesInput struct {
	NamePrefix   string
	EventBusName string
	NextToken    string
	Limit        int
}

// ListRulesOutput is a page of rules (without their targets).
type ListRulesOutput struct {
	Rules     []Rule
	NextToken string
}

// ListRules lists a bus's rules by name.
func (s *Service) ListRules(ctx context.Context, in *ListRulesInput) (*ListRulesOutput, error) {
	bus, limit, after, err := s.rulePage(ctx, in.EventBusName, "rules", in.Limit, in.NextToken, func() *Error {
		if len(in.NamePrefix) > maxRuleName {
			return constraint(in.NamePrefix, "namePrefix", "Member must have length less than or equal to 64")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	names, next, err := s.st.BusRuleNames(ctx, bus, in.NamePrefix, after, limit)
	if err != nil {
		return nil, storeError(err, busErrMissing(bus))
	}
	recs, err := s.st.BusRulesGet(ctx, bus, names)
	if err != nil {
		return nil, storeError(err, busErrMissing(bus))
	}
	out := &ListRulesOutput{Rules: make([]Rule, 0, len(names)), NextToken: pageToken("rules/"+bus, next)}
	for _, n := range names {
		rec, ok := recs[n]
		if !ok {
			continue // deleted meanwhile
		}
		r, err := decodeRule(bus, n, rec)
		if err != nil {
			return nil, err
		}
		r.Targets = nil
		out.Rules = append(out.Rules, *r)
	}
	return out, nil
}

// ListRuleNamesByTargetInput is ListRuleNamesByTarget's request.
type ListRuleNamesByTargetInput struct {
	TargetArn    string
	EventBusName string
	NextToken    string
	Limit        int
}

// ListRuleNamesByTargetOutput is a page of rule names.
type ListRuleNamesByTargetOutput struct {
	RuleNames []string
	NextToken string
}

// ListRuleNamesByTarget lists the names of a bus's rules with a target of
// the given ARN.
func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
	bus, limit, after, err := s.rulePage(ctx, in.EventBusName, "bytarget", in.Limit, in.NextToken, func() *Error {
		if in.TargetArn == "" || len(in.TargetArn) > 1600 {
			return constraint(in.TargetArn, "targetArn", "Member must have length less than or equal to 1600 and greater than or equal to 1")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	_, rules, err := s.rules(ctx, bus)
	if err != nil {
		return nil, err
	}
	out := &ListRuleNamesByTargetOutput{RuleNames: []string{}}
	for _, r := range rules {
		if r.Name <= after || !slices.ContainsFunc(r.Targets, func(t Target) bool { return t.Arn == in.TargetArn }) {
			continue
		}
		if len(out.RuleNames) == limit {
			out.NextToken = pageToken("bytarget/"+bus, out.RuleNames[limit-1])
			break
		}
		out.RuleNames = append(out.RuleNames, r.Name)
	}
	return out, nil
}

// DeleteRule deletes a rule, refused while it has targets (as AWS) and,
// without force, when a service manages it. Deleting a rule that does not
// exist succeeds, as in AWS.
func (s *Service) DeleteRule(ctx context.Context, name, eventBusName string, force bool) error {
	bus, err := s.ruleBus(ctx, name, eventBusName)
	if err != nil {
		return err
	}
	_, err = s.updateRule(ctx, bus, name, true, nil, func(r *Rule, exists bool) error {
		if !exists {
			return errRuleDeleted // nothing to delete: the write changes nothing
		}
		if r.ManagedBy != "" && !force {
			return errManaged(name, r.ManagedBy)
		}
		if len(r.Targets) > 0 {
			return validationf("Rule can't be deleted since it has targets.")
		}
		return errRuleDeleted
	})
	return err
}

// EnableRule enables a rule.
func (s *Service) EnableRule(ctx context.Context, name, eventBusName string) error {
	return s.setRuleState(ctx, name, eventBusName, StateEnabled)
}

// DisableRule disables a rule: its events are not matched until it is
// enabled again.
func (s *Service) DisableRule(ctx context.Context, name, eventBusName string) error {
	return s.setRuleState(ctx, name, eventBusName, StateDisabled)
}

func (s *Service) setRuleState(ctx context.Context, name, eventBusName, state string) error {
	bus, err := s.ruleBus(ctx, name, eventBusName)
	if err != nil {
		return err
	}
	_, err = s.updateRule(ctx, bus, name, false, nil, func(r *Rule, _ bool) error {
		if r.ManagedBy != "" {
			return errManaged(name, r.ManagedBy)
		}
		r.State = state
		return nil
	})
	return err
}
