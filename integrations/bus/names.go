package bus

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/store"
)

// The names and ARNs of the bus router's resources, their checks and the
// errors of the management plane, in one place: the data plane parses the
// same ARNs (a target's, a replay's destination) with these helpers.
//
// ARNs, as AWS writes them:
//
//	arn:aws:events:<region>:<account>:event-bus/<name>
//	arn:aws:events:<region>:<account>:rule/<name>            (default bus)
//	arn:aws:events:<region>:<account>:rule/<bus>/<name>      (other buses)
//	arn:aws:events:<region>:<account>:archive/<name>
//	arn:aws:events:<region>:<account>:replay/<name>
//	arn:aws:events:<region>:<account>:connection/<name>/<id>
//	arn:aws:events:<region>:<account>:api-destination/<name>/<id>

// AWS's name patterns (the API reference's constraints).
var (
	// rule, archive, connection, API destination and target ids
	namePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	// a custom bus (partner buses, aws.partner/..., are not made here)
	busNamePattern = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]+$`)
)

// The lengths AWS allows.
const (
	maxBusName         = 256
	maxRuleName        = 64
	maxArchiveName     = 48
	maxConnectionName  = 64
	maxTargetID        = 64
	maxDescription     = 512
	maxEventPattern    = 4096 // PutRule's EventPattern, AWS's documented maximum
	maxScheduleExpr    = 256
	maxBusNameOrARN    = 1600
	maxTags            = 50
	maxTagKey          = 128
	maxTagValue        = 256
	managedByEvents    = "events.amazonaws.com"
	archiveRulePrefix  = "Events-Archive-"
	eventsARNPrefix    = "arn:aws:events:"
	defaultRateLimit   = 300 // API destinations' InvocationRateLimitPerSecond, AWS's default
	maxListLimit       = 100
	maxConcurrentTries = 8 // compare-and-set attempts before ConcurrentModificationException
)

// errorf builds an error of the given code, 400.
func errorf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

// validationf is a ValidationException.
func validationf(format string, a ...any) *Error { return errorf("ValidationException", format, a...) }

// notFoundf is a ResourceNotFoundException.
func notFoundf(format string, a ...any) *Error {
	return errorf("ResourceNotFoundException", format, a...)
}

// constraint is the model's own ValidationException, as AWS words a value
// that breaks a member's constraint.
func constraint(value, member, rule string) *Error {
	return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", clip(value, 128), member, rule)
}

// checkName checks a name of pattern namePattern and 1 to max characters.
func checkName(name, member string, max int) *Error {
	if name == "" || len(name) > max {
		return constraint(name, member, fmt.Sprintf("Member must have length less than or equal to %d and greater than or equal to 1", max))
	}
	if !namePattern.MatchString(name) {
		return constraint(name, member, `Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`)
	}
	return nil
}

// errConcurrent: another writer kept changing the record.
func errConcurrent(what string) *Error {
	return errorf("ConcurrentModificationException", "%s was changed concurrently; try again.", what)
}

// storeError maps a store error to an EventBridge error; missing is the
// answer to ErrNotFound.
func storeError(err error, missing *Error) error {
	if err == nil {
		return nil
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, store.ErrNotFound):
		return missing
	case errors.Is(err, store.ErrBusChanged):
		return errConcurrent("The resource")
	case errors.Is(err, store.ErrLimit):
		return errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	case store.Unavailable(err):
		return &Error{Code: "ServiceUnavailable", Message: "The service is unavailable: its store did not answer", Status: http.StatusServiceUnavailable}
	case errors.Is(err, store.ErrInvalid):
		return validationf("%s", err.Error())
	}
	return &Error{Code: "InternalException", Message: err.Error(), Status: http.StatusInternalServerError}
}

// clip shortens user text quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// BusARN is the ARN of the bus named name.
func (s *Service) BusARN(name string) string { return s.arn("event-bus/" + name) }

// RuleARN is the ARN of the rule named name on bus: rule/<name> on the
// default bus, rule/<bus>/<name> on others, as AWS writes them.
func (s *Service) RuleARN(bus, name string) string {
	if bus == DefaultBus {
		return s.arn("rule/" + name)
	}
	return s.arn("rule/" + bus + "/" + name)
}

// ArchiveARN is the ARN of the archive named name.
func (s *Service) ArchiveARN(name string) string { return s.arn("archive/" + name) }

// ReplayARN is the ARN of the replay named name.
func (s *Service) ReplayARN(name string) string { return s.arn("replay/" + name) }

func (s *Service) arn(resource string) string {
	return eventsARNPrefix + s.cfg.Region + ":" + s.cfg.AccountID + ":" + resource
}

// resourceOf returns the resource part of one of this region's and
// account's EventBridge ARNs ("event-bus/orders"), ok false for anything
// else.
func (s *Service) resourceOf(arn string) (string, bool) {
	return strings.CutPrefix(arn, eventsARNPrefix+s.cfg.Region+":"+s.cfg.AccountID+":")
}

// busNameOf is the bus a request's EventBusName (a name or an ARN; "" the
// default bus) names, or a ValidationException / ResourceNotFoundException
// as AWS answers.
func (s *Service) busNameOf(nameOrARN string) (string, *Error) {
	if nameOrARN == "" {
		return DefaultBus, nil
	}
	if len(nameOrARN) > maxBusNameOrARN {
		return "", constraint(nameOrARN, "eventBusName", fmt.Sprintf("Member must have length less than or equal to %d", maxBusNameOrARN))
	}
	name := nameOrARN
	if strings.HasPrefix(nameOrARN, "arn:") {
		res, ok := s.resourceOf(nameOrARN)
		n, isBus := strings.CutPrefix(res, "event-bus/")
		if !ok || !isBus {
			if !strings.HasPrefix(nameOrARN, "arn:aws:events:") || !strings.Contains(nameOrARN, ":event-bus/") {
				return "", validationf("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", clip(nameOrARN, 256))
			}
			return "", notFoundf("Event bus %s does not exist.", clip(nameOrARN, 256))
		}
		name = n
	}
	if name == "" || len(name) > maxBusName || !busNamePattern.MatchString(name) {
		return "", constraint(nameOrARN, "eventBusName", `Member must satisfy regular expression pattern: (arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+`)
	}
	return name, nil
}

// ruleOfARN returns the bus and the name of a rule ARN of this region and
// account.
func (s *Service) ruleOfARN(arn string) (bus, name string, ok bool) {
	res, ok := s.resourceOf(arn)
	if !ok {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(res, "rule/")
	if !ok || rest == "" {
		return "", "", false
	}
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		bus, name = rest[:i], rest[i+1:]
	} else {
		bus, name = DefaultBus, rest
	}
	return bus, name, bus != "" && name != ""
}

// nameWithID parses the resource part of a connection's or API
// destination's ARN ("connection/<name>/<id>") for kind ("connection",
// "api-destination"): its name. The id may be missing.
func (s *Service) nameWithID(arn, kind string) (string, bool) {
	res, ok := s.resourceOf(arn)
	if !ok {
		return "", false
	}
	rest, ok := strings.CutPrefix(res, kind+"/")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, name != ""
}

// TargetKind is what a target's ARN names.
type TargetKind int

// The kinds of target the bus router delivers to.
const (
	TargetUnsupported TargetKind = iota
	TargetQueue
	TargetTopic
	TargetStateMachine
	TargetBus
	TargetAPIDestination
	// TargetArchive is an archive's managed rule's target (archives.go):
	// never one a user puts.
	TargetArchive
	// TargetFunction is a function (arn:aws:lambda:...:function:<name>
	// [:<qualifier>]), invoked asynchronously with the event.
	TargetFunction
)

// ParseTargetARN returns what a target ARN names and the resource's name
// (a queue's, a topic's, a state machine's, a bus's, an API
// destination's). Queues, topics and state machines are named by their
// region's and account's ARN: a target in another account is refused
// with the others.
func ParseTargetARN(arn string) (kind TargetKind, name string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[5] == "" {
		return TargetUnsupported, ""
	}
	res := parts[5]
	switch parts[2] {
	case "sqs":
		if !strings.ContainsAny(res, ":/") {
			return TargetQueue, res
		}
	case "sns":
		if !strings.ContainsAny(res, ":/") {
			return TargetTopic, res
		}
	case "states":
		if n, ok := strings.CutPrefix(res, "stateMachine:"); ok && n != "" {
			return TargetStateMachine, n
		}
	case "lambda":
		if function.IsFunctionARN(arn) {
			return TargetFunction, strings.TrimPrefix(res, "function:")
		}
	case "events":
		if n, ok := strings.CutPrefix(res, "event-bus/"); ok && n != "" {
			return TargetBus, n
		}
		if n, ok := strings.CutPrefix(res, "api-destination/"); ok && n != "" {
			n, _, _ = strings.Cut(n, "/")
			return TargetAPIDestination, n
		}
		if n, ok := strings.CutPrefix(res, "archive/"); ok && n != "" {
			return TargetArchive, n
		}
	}
	return TargetUnsupported, ""
}

// checkTags checks tags as AWS does: at most 50, keys of 1 to 128
// characters, values up to 256, no aws: prefix.
func checkTags(tags map[string]string) *Error {
	if len(tags) > maxTags {
		return errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	}
	for k, v := range tags {
		if k == "" || len(k) > maxTagKey {
			return constraint(k, "tags.member.key", fmt.Sprintf("Member must have length less than or equal to %d and greater than or equal to 1", maxTagKey))
		}
		if len(v) > maxTagValue {
			return constraint(v, "tags.member.value", fmt.Sprintf("Member must have length less than or equal to %d", maxTagValue))
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return validationf("Tag keys can't start with the reserved prefix 'aws:'.")
		}
	}
	return nil
}

// checkDescription checks a Description's length.
func checkDescription(d string) *Error {
	if len(d) > maxDescription {
		return constraint(d, "description", fmt.Sprintf("Member must have length less than or equal to %d", maxDescription))
	}
	return nil
}

// listLimit is a listing's Limit: 1 to 100, 0 for the most.
func listLimit(limit int) (int, *Error) {
	if limit == 0 {
		return maxListLimit, nil
	}
	if limit < 1 || limit > maxListLimit {
		return 0, constraint(fmt.Sprint(limit), "limit", "Member must have value less than or equal to 100 and greater than or equal to 1")
	}
	return limit, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// AccountID is the account of the bus router's ARNs.
func (s *Service) AccountID() string { return s.cfg.AccountID }

// Region is the region of the bus router's ARNs.
func (s *Service) Region() string { return s.cfg.Region }
