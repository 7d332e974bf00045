package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/signalbox/signalbox/integrations/bus/transform"
)

// The limits of PutTargets, AWS's: 5 targets per rule, 10 per request,
// retries 0 to 185 and event ages 60 to 86,400 s.
const (
	MaxTargetsPerRule   = 5
	maxTargetsPerCall   = 10
	maxRetryAttempts    = 185
	minEventAgeSeconds  = 60
	maxEventAgeSeconds  = 86_400
	maxInput            = 8192 // Input and InputTemplate, AWS's documented maximum
	maxInputPath        = 256
	maxInputPathsMapLen = 100
)

// PutTargetsInput is PutTargets's request.
type PutTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []Target
}

// FailedEntry is one target PutTargets or RemoveTargets could not put or
// remove, as AWS returns it.
type FailedEntry struct {
	TargetID     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

// checkTargetShape checks what the API's model constrains: the request
// fails as a whole (ValidationException), as AWS's does.
func checkTargetShape(i int, t *Target) *Error {
	member := func(m string) string { return fmt.Sprintf("targets.%d.member.%s", i+1, m) }
	if t.ID == "" || len(t.ID) > maxTargetID {
		return constraint(t.ID, member("id"), "Member must have length less than or equal to 64 and greater than or equal to 1")
	}
	if !namePattern.MatchString(t.ID) {
		return constraint(t.ID, member("id"), `Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`)
	}
	if t.Arn == "" || len(t.Arn) > 1600 {
		return constraint(t.Arn, member("arn"), "Member must have length less than or equal to 1600 and greater than or equal to 1")
	}
	if len(t.Input) > maxInput {
		return constraint(t.Input, member("input"), "Member must have length less than or equal to 8192")
	}
	if len(t.InputPath) > maxInputPath {
		return constraint(t.InputPath, member("inputPath"), "Member must have length less than or equal to 256")
	}
	if it := t.InputTransformer; it != nil {
		if it.InputTemplate == "" || len(it.InputTemplate) > maxInput {
			return constraint(it.InputTemplate, member("inputTransformer.inputTemplate"), "Member must have length less than or equal to 8192 and greater than or equal to 1")
		}
		if len(it.InputPathsMap) > maxInputPathsMapLen {
			return constraint(fmt.Sprint(len(it.InputPathsMap)), member("inputTransformer.inputPathsMap"), "Member must have length less than or equal to 100")
		}
	}
	if rp := t.RetryPolicy; rp != nil {
		if n := rp.MaximumRetryAttempts; n != nil && (*n < 0 || *n > maxRetryAttempts) {
			return constraint(fmt.Sprint(*n), member("retryPolicy.maximumRetryAttempts"), "Member must have value less than or equal to 185 and greater than or equal to 0")
		}
		if n := rp.MaximumEventAgeInSeconds; n != nil && (*n < minEventAgeSeconds || *n > maxEventAgeSeconds) {
			return constraint(fmt.Sprint(*n), member("retryPolicy.maximumEventAgeInSeconds"), "Member must have value less than or equal to 86400 and greater than or equal to 60")
		}
	}
	return nil
}

// checkTarget checks what the service decides of one target: the entry
// fails (FailedEntries), the others are put.
func (s *Service) checkTarget(t *Target) *Error {
	kind, name := ParseTargetARN(t.Arn)
	switch kind {
	case TargetUnsupported, TargetArchive:
		return validationf("Target %s: the ARN %s is not supported by Signalbox: targets are SQS queues (arn:aws:sqs:...), SNS topics (arn:aws:sns:...), Step Functions state machines (arn:aws:states:...:stateMachine:...), functions (arn:aws:lambda:...:function:...), event buses (arn:aws:events:...:event-bus/...) and API destinations (arn:aws:events:...:api-destination/...).", t.ID, clip(t.Arn, 256))
	case TargetQueue:
		if s.cfg.Queues == nil {
			return validationf("Target %s: SQS queue targets are not supported by this server: it has no queue router.", t.ID)
		}
	case TargetTopic:
		if s.cfg.Topics == nil {
			return validationf("Target %s: SNS topic targets are not supported by this server: it has no topic router.", t.ID)
		}
	case TargetFunction:
		if s.fns.Get() == nil {
			return validationf("Target %s: function targets are not supported by this server: it runs no functions.", t.ID)
		}
	}
	fifo := kind == TargetQueue && strings.HasSuffix(name, ".fifo")
	if t.SqsParameters != nil && !fifo {
		return validationf("Parameter SqsParameters is not valid for target %s: it applies to FIFO queues only.", t.ID)
	}
	if fifo && (t.SqsParameters == nil || t.SqsParameters.MessageGroupID == "") {
		return validationf("Parameter(s) SqsParameters must be specified for target: %s.", t.ID)
	}
	if t.HTTPParameters != nil && kind != TargetAPIDestination {
		return validationf("Parameter HttpParameters is not valid for target %s: it applies to API destinations only.", t.ID)
	}
	if d := t.DeadLetterConfig; d != nil && d.Arn != "" {
		if k, _ := ParseTargetARN(d.Arn); k != TargetQueue {
			return validationf("Parameter DeadLetterConfig.Arn is not valid for target %s: it must be the ARN of an SQS queue.", t.ID)
		}
	}
	given := 0
	for _, set := range []bool{t.Input != "", t.InputPath != "", t.InputTransformer != nil} {
		if set {
			given++
		}
	}
	if given > 1 {
		return validationf("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", t.ID)
	}
	if given == 1 {
		var pm map[string]string
		tmpl := ""
		if t.InputTransformer != nil {
			pm, tmpl = t.InputTransformer.InputPathsMap, t.InputTransformer.InputTemplate
		}
		if _, err := transform.Compile(t.Input, t.InputPath, pm, tmpl); err != nil {
			var te *transform.Error
			if errors.As(err, &te) {
				return validationf("%s", te.Message)
			}
			return validationf("Target %s: %v", t.ID, err)
		}
	}
	return nil
}

// PutTargets adds or replaces targets of a rule (by Id): the entries that
// fail are FailedEntries, the others are put together. A rule holds at
// most 5 targets (LimitExceededException, nothing put).
func (s *Service) PutTargets(ctx context.Context, in *PutTargetsInput) ([]FailedEntry, error) {
	bus, e := s.busNameOf(in.EventBusName)
	if e != nil {
		return nil, e
	}
	if e := checkName(in.Rule, "rule", maxRuleName); e != nil {
		return nil, e
	}
	if len(in.Targets) == 0 || len(in.Targets) > maxTargetsPerCall {
		return nil, constraint(fmt.Sprint(len(in.Targets)), "targets", "Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	for i := range in.Targets {
		if e := checkTargetShape(i, &in.Targets[i]); e != nil {
			return nil, e
		}
	}
	failed := []FailedEntry{}
	var good []Target
	for _, t := range in.Targets {
		if e := s.checkTarget(&t); e != nil {
			failed = append(failed, FailedEntry{TargetID: t.ID, ErrorCode: e.Code, ErrorMessage: e.Message})
			continue
		}
		// a repeated id: the last one wins
		good = slices.DeleteFunc(good, func(g Target) bool { return g.ID == t.ID })
		good = append(good, t)
	}
	if len(good) == 0 {
		return failed, nil
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return nil, err
	}
	_, err := s.updateRule(ctx, bus, in.Rule, false, nil, func(r *Rule, _ bool) error {
		if r.ManagedBy != "" {
			return errManaged(in.Rule, r.ManagedBy)
		}
		return putTargets(r, good)
	})
	if err != nil {
		return nil, err
	}
	return failed, nil
}

// putTargets replaces or adds targets of r, within the rule's limit.
func putTargets(r *Rule, ts []Target) error {
	for _, t := range ts {
		if i := slices.IndexFunc(r.Targets, func(o Target) bool { return o.ID == t.ID }); i >= 0 {
			r.Targets[i] = t
		} else {
			r.Targets = append(r.Targets, t)
		}
	}
	if len(r.Targets) > MaxTargetsPerRule {
		return errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed: a rule has at most %d targets.", MaxTargetsPerRule)
	}
	return nil
}

// RemoveTargetsInput is RemoveTargets's request.
type RemoveTargetsInput struct {
	Rule         string
	EventBusName string
	IDs          []string
	Force        bool // a managed rule's targets too
}

// RemoveTargets removes targets of a rule by id; an id the rule does not
// have is left alone (AWS answers it as removed).
func (s *Service) RemoveTargets(ctx context.Context, in *RemoveTargetsInput) ([]FailedEntry, error) {
	bus, e := s.busNameOf(in.EventBusName)
	if e != nil {
		return nil, e
	}
	if e := checkName(in.Rule, "rule", maxRuleName); e != nil {
		return nil, e
	}
	if len(in.IDs) == 0 || len(in.IDs) > maxTargetsPerCall {
		return nil, constraint(fmt.Sprint(len(in.IDs)), "ids", "Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	for i, id := range in.IDs {
		if e := checkName(id, fmt.Sprintf("ids.%d.member", i+1), maxTargetID); e != nil {
			return nil, e
		}
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return nil, err
	}
	_, err := s.updateRule(ctx, bus, in.Rule, false, nil, func(r *Rule, _ bool) error {
		if r.ManagedBy != "" && !in.Force {
			return errManaged(in.Rule, r.ManagedBy)
		}
		r.Targets = slices.DeleteFunc(r.Targets, func(t Target) bool { return slices.Contains(in.IDs, t.ID) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []FailedEntry{}, nil
}

// ListTargetsByRuleInput is ListTargetsByRule's request.
type ListTargetsByRuleInput struct {
	Rule         string
	EventBusName string
	NextToken    string
	Limit        int
}

// ListTargetsByRuleOutput is a page of a rule's targets.
type ListTargetsByRuleOutput struct {
	Targets   []Target
	NextToken string
}

// ListTargetsByRule lists a rule's targets in the order they were put.
func (s *Service) ListTargetsByRule(ctx context.Context, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	bus, e := s.busNameOf(in.EventBusName)
	if e != nil {
		return nil, e
	}
	if e := checkName(in.Rule, "rule", maxRuleName); e != nil {
		return nil, e
	}
	limit, e := listLimit(in.Limit)
	if e != nil {
		return nil, e
	}
	after, e := parsePageToken("targets/"+bus+"/"+in.Rule, in.NextToken)
	if e != nil {
		return nil, e
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return nil, err
	}
	r, err := s.rule(ctx, bus, in.Rule)
	if err != nil {
		return nil, err
	}
	ts := r.Targets
	if after != "" {
		i := slices.IndexFunc(ts, func(t Target) bool { return t.ID == after })
		ts = ts[i+1:] // a removed id (-1): from the start
	}
	out := &ListTargetsByRuleOutput{Targets: []Target{}}
	if len(ts) > limit {
		ts = ts[:limit]
		out.NextToken = pageToken("targets/"+bus+"/"+in.Rule, ts[limit-1].ID)
	}
	out.Targets = append(out.Targets, ts...)
	return out, nil
}
